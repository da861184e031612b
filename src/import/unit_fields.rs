//! From a layer's features to incoming units: which field holds the code and the name, the
//! level (from the code's length unless the user says), the coordinates in WGS84. Every
//! problem names the file, the feature and the field.

use geo::{CoordsIter, MapCoords};
use geo_types::MultiPolygon;

use crate::import::layer::SourceLayer;
use crate::model::{Level, UnitCode};
use crate::store::{CoordinateDatum, ForeignFeature};

/// A unit as the file brings it, before any check against the document.
#[derive(Debug, Clone)]
pub struct IncomingUnit {
    /// How problems name it: `villages.shp feature 12`.
    pub place: String,
    pub code: String,
    pub name: String,
    pub level: Level,
    /// In WGS84.
    pub geometry: MultiPolygon<f64>,
}

/// Field names tried when the user names none (compared without case).
pub const CODE_FIELDS: [&str; 3] = ["编码", "code", "单元编码"];
pub const NAME_FIELDS: [&str; 3] = ["名称", "name", "单元名称"];

#[derive(Debug, Clone, Default)]
pub struct FieldChoice {
    pub level: Option<Level>,
    pub code_field: Option<String>,
    pub name_field: Option<String>,
}

fn level_of_digits(n: usize) -> Option<Level> {
    [
        Level::County,
        Level::Township,
        Level::Village,
        Level::Grid,
        Level::MicroGrid,
    ]
    .into_iter()
    .find(|l| UnitCode::digits_for(*l) == n)
}

fn find_field(f: &ForeignFeature, given: Option<&str>, defaults: &[&str]) -> Option<String> {
    let names: Vec<&str> = given.map_or_else(|| defaults.to_vec(), |g| vec![g]);
    names.iter().find_map(|want| {
        f.fields
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(want))
            .map(|(k, _)| k.clone())
    })
}

/// Reads every feature of `layer` as an incoming unit, or every problem (at most 50 listed).
pub fn incoming_units(
    layer: &SourceLayer,
    choice: &FieldChoice,
    datum: CoordinateDatum,
) -> Result<Vec<IncomingUnit>, Vec<String>> {
    let label = &layer.label;
    let Some(first) = layer.features.first() else {
        return Err(vec![format!("{label}: has no features")]);
    };
    let field_list = || {
        first
            .fields
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let code_field =
        find_field(first, choice.code_field.as_deref(), &CODE_FIELDS).ok_or_else(|| {
            vec![format!(
                "{label}: no code field ({}); its fields are: {}; name one with --code-field",
                choice
                    .code_field
                    .as_deref()
                    .map_or("编码, code".to_owned(), |c| c.to_owned()),
                field_list()
            )]
        })?;
    let name_field =
        find_field(first, choice.name_field.as_deref(), &NAME_FIELDS).ok_or_else(|| {
            vec![format!(
                "{label}: no name field ({}); its fields are: {}; name one with --name-field",
                choice
                    .name_field
                    .as_deref()
                    .map_or("名称, name".to_owned(), |c| c.to_owned()),
                field_list()
            )]
        })?;
    let numeric_code = layer.numeric_fields.contains(&code_field);
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(layer.features.len());
    for f in &layer.features {
        let place = format!("{label} feature {}", f.number);
        let value = |field: &str| {
            f.fields
                .iter()
                .find(|(k, _)| k == field)
                .map_or("", |(_, v)| v.trim())
                .to_owned()
        };
        let code = value(&code_field);
        let name = value(&name_field);
        if code.is_empty() {
            problems.push(format!("{place}: {code_field} is empty"));
            continue;
        }
        if numeric_code && code.len() > 15 {
            problems.push(format!(
                "{place}: {code_field} {code} is stored as a number, which keeps only 15–16 digits: the code has already lost its last digits; store the field as text and export again"
            ));
            continue;
        }
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(format!(
                "{place}: {code_field} '{code}' must contain only digits"
            ));
            continue;
        }
        let Some(by_length) = level_of_digits(code.len()) else {
            problems.push(format!(
                "{place}: {code_field} {code} has {} digits; a unit code has 6 (county), 9 (township), 12 (village), 15 (grid) or 18 (micro-grid)",
                code.len()
            ));
            continue;
        };
        let level = match choice.level {
            Some(l) if l != by_length => {
                problems.push(format!(
                    "{place}: {code_field} {code} has {} digits, but --level {} codes have {}",
                    code.len(),
                    l.name_en(),
                    UnitCode::digits_for(l)
                ));
                continue;
            }
            _ => by_length,
        };
        if name.is_empty() {
            problems.push(format!("{place}: {name_field} is empty"));
            continue;
        }
        if f.geometry.0.is_empty() {
            problems.push(format!("{place} ({code}): has no outline"));
            continue;
        }
        let out_of_range = f.geometry.coords_iter().find(|c| {
            !(c.x.is_finite()
                && c.y.is_finite()
                && (-180.0..=180.0).contains(&c.x)
                && (-90.0..=90.0).contains(&c.y))
        });
        let geometry = f.geometry.map_coords(|c| {
            let (x, y) = datum.to_wgs84(c.x, c.y);
            geo_types::Coord { x, y }
        });
        if let Some(c) = out_of_range {
            problems.push(format!(
                "{place} ({code}): coordinate ({}, {}) is not a longitude/latitude; write the layer in degrees (EPSG:4326/4490), not a projected system",
                c.x, c.y
            ));
            continue;
        }
        out.push(IncomingUnit {
            place,
            code,
            name,
            level,
            geometry,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        let n = problems.len();
        problems.truncate(50);
        if n > 50 {
            problems.push(format!("… and {} more", n - 50));
        }
        Err(problems)
    }
}
