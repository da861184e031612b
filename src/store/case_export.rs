//! Exporting a list of cases (the filtered case list) as CSV for spreadsheets and as GeoJSON
//! (RFC 7946, WGS84) for other GIS tools. Both are written to a temporary file and renamed.

use std::io::Write;
use std::path::Path;

use crate::model::{Case, Category, Timestamp};
use crate::store::export::write_atomically;
use crate::store::{StoreError, export_csv};

/// One exported case; the CSV columns and the GeoJSON properties.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseRow {
    pub code: String,
    pub category: String,
    pub category_name: String,
    pub title: String,
    pub description: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub level: u8,
    pub reporter: String,
    pub handler_id: Option<i64>,
    pub reported_at: String,
    pub accepted_at: Option<String>,
    pub due_at: Option<String>,
    pub closed_at: Option<String>,
    pub overdue: bool,
    pub unit_code: Option<String>,
    pub longitude: f64,
    pub latitude: f64,
}

impl CaseRow {
    pub fn new(c: &Case, unit_code: Option<String>, now: Timestamp) -> CaseRow {
        CaseRow {
            code: c.code.clone(),
            category: c.category.to_string(),
            category_name: Category::find(c.category)
                .map_or("", |k| k.name_zh)
                .to_owned(),
            title: c.title.clone(),
            description: c.description.clone(),
            status: c.status.code(),
            status_zh: c.status.name_zh(),
            level: c.level.number(),
            reporter: c.reporter.clone(),
            handler_id: c.handler.map(|w| w.0),
            reported_at: c.reported_at.to_iso(),
            accepted_at: c.accepted_at.map(Timestamp::to_iso),
            due_at: c.due_at.map(Timestamp::to_iso),
            closed_at: c.closed_at.map(Timestamp::to_iso),
            overdue: c.is_overdue_at(now),
            unit_code,
            longitude: c.location.x(),
            latitude: c.location.y(),
        }
    }
}

pub fn export_cases_csv(path: &Path, rows: &[CaseRow]) -> Result<(), StoreError> {
    export_csv(path, rows)
}

pub fn export_cases_geojson(path: &Path, rows: &[CaseRow]) -> Result<(), StoreError> {
    export_cases_geojson_marked(path, rows, None)
}

/// [`export_cases_geojson`] with a `watermark` member (RFC 7946 §6.1 foreign member): who
/// exported personal data, when and why.
pub fn export_cases_geojson_marked(
    path: &Path,
    rows: &[CaseRow],
    watermark: Option<&str>,
) -> Result<(), StoreError> {
    let features = rows
        .iter()
        .map(|r| {
            let properties = match serde_json::to_value(r) {
                Ok(serde_json::Value::Object(map)) => Some(map),
                _ => None,
            };
            geojson::Feature {
                geometry: Some(geojson::Geometry::new(geojson::Value::Point(vec![
                    r.longitude,
                    r.latitude,
                ]))),
                properties,
                ..Default::default()
            }
        })
        .collect();
    let collection = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: watermark.map(|m| {
            let mut members = serde_json::Map::new();
            members.insert("watermark".into(), serde_json::Value::String(m.to_owned()));
            members
        }),
    };
    write_atomically(path, |file| {
        file.write_all(collection.to_string().as_bytes())
    })
}
