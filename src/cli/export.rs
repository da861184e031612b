//! `gridatlas export`: what a centre hands to others — units, households, workers or cases as
//! CSV (UTF-8 with a byte-order mark, which Excel on government desktops needs) or GeoJSON
//! (RFC 7946, WGS84). Personal data (names, phones, addresses) is masked unless `--unmasked`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use crate::cli::Reply;
use crate::model::{Dataset, Level, UnitId, UnitTree, mask_address, mask_name, mask_phone};
use crate::store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Units,
    Households,
    Workers,
    Cases,
}

#[derive(Serialize)]
struct UnitRow {
    code: String,
    name: String,
    level: u8,
    level_name: &'static str,
    parent_code: String,
    households: u32,
    persons: u32,
}

#[derive(Serialize)]
struct HouseholdRow {
    code: String,
    address: String,
    head_name: String,
    phone: String,
    members: u16,
    tags: String,
    micro_grid_code: String,
    grid_code: String,
    village_code: String,
    longitude: f64,
    latitude: f64,
}

#[derive(Serialize)]
struct WorkerRow {
    name: String,
    phone: String,
    role: &'static str,
    unit_code: String,
    party_member: &'static str,
}

enum Format {
    Csv,
    GeoJson,
    /// Excel, with the sheet's name.
    Xlsx(&'static str),
    Shapefile,
    /// A one-layer GeoPackage, with the layer's name.
    Gpkg(&'static str),
}

fn format_of(path: &Path, what: What) -> anyhow::Result<Format> {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("csv") => Ok(Format::Csv),
        Some("geojson" | "json") => Ok(Format::GeoJson),
        Some("xlsx") => Ok(Format::Xlsx(match what {
            What::Units => "单元",
            What::Households => "住户",
            What::Workers => "网格员",
            What::Cases => "案件",
        })),
        Some("shp") => Ok(Format::Shapefile),
        Some("gpkg") => Ok(Format::Gpkg(match what {
            What::Units => "units",
            What::Households => "households",
            What::Workers => "workers",
            What::Cases => "cases",
        })),
        _ => anyhow::bail!(
            "--to {}: write .csv, .xlsx, .geojson, .shp or .gpkg",
            path.display()
        ),
    }
}

/// Writes rows with their geometries: CSV drops the geometry (points keep their longitude and
/// latitude columns), GeoJSON writes one feature per row.
///
/// `mark` (an unmasked export's watermark) is the CSV's and the sheet's first line (importers
/// skip title rows above the header), a `watermark` member of the GeoJSON, the GeoPackage
/// layer's description.
fn write<T: Serialize>(
    path: &Path,
    format: &Format,
    rows: &[(T, Option<geojson::Value>)],
    mark: Option<&str>,
) -> anyhow::Result<()> {
    match format {
        Format::Csv => {
            let plain: Vec<&T> = rows.iter().map(|(r, _)| r).collect();
            store::export_csv_titled(path, mark, &plain)?;
        }
        Format::Xlsx(sheet) => {
            let plain: Vec<&T> = rows.iter().map(|(r, _)| r).collect();
            store::export_xlsx(path, sheet, &plain, mark)?;
        }
        Format::Shapefile | Format::Gpkg(_) => {
            let mut layer = Vec::with_capacity(rows.len());
            for (r, g) in rows {
                let Some(g) = g else {
                    anyhow::bail!(
                        "--to {}: these rows have no place on the map; export them as .xlsx or .csv",
                        path.display()
                    );
                };
                layer.push((r, geo_types::Geometry::<f64>::try_from(g.clone())?));
            }
            match format {
                Format::Gpkg(name) => store::export_gpkg(path, name, &layer, mark)?,
                _ => store::export_shapefile(path, &layer)?,
            }
        }
        Format::GeoJson => {
            let features = rows
                .iter()
                .map(|(r, g)| geojson::Feature {
                    geometry: g.clone().map(geojson::Geometry::new),
                    properties: match serde_json::to_value(r) {
                        Ok(serde_json::Value::Object(map)) => Some(map),
                        _ => None,
                    },
                    ..Default::default()
                })
                .collect();
            let foreign_members = mark.map(|m| {
                let mut members = serde_json::Map::new();
                members.insert("watermark".into(), json!(m));
                members
            });
            let text = geojson::FeatureCollection {
                bbox: None,
                features,
                foreign_members,
            }
            .to_string();
            store::export_text(path, &text)?;
        }
    }
    Ok(())
}

/// How personal data may leave in an export: masked by default; in full only with a reason,
/// by an account that may (once the document has accounts), logged and watermarked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Personal {
    pub unmasked: bool,
    pub reason: Option<String>,
    pub user: Option<String>,
}

impl Personal {
    /// An unmasked export for a benchmark (a document without accounts).
    pub(crate) fn unmasked_for(reason: &str) -> Personal {
        Personal {
            unmasked: true,
            reason: Some(reason.to_owned()),
            user: None,
        }
    }
}

/// The watermark line an unmasked export carries: who, when, why.
fn watermark(who: &str, at: &str, reason: &str) -> String {
    format!(
        "个人信息导出：{who}，{at}，用途：{reason} · personal data exported by {who} at {at} for: {reason}"
    )
}

pub(crate) fn export(
    what: What,
    file: PathBuf,
    to: PathBuf,
    level: Option<i64>,
    personal_data: Personal,
) -> anyhow::Result<Reply> {
    let unmasked = personal_data.unmasked;
    let format = format_of(&to, what)?;
    let level = level
        .map(|n| Level::from_number(n).ok_or_else(|| anyhow::anyhow!("--level: {n} is not 1–5")))
        .transpose()?;
    let reason = personal_data
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if unmasked && reason.is_none() {
        anyhow::bail!(
            "--unmasked needs --reason \"…\": why personal data leaves the document (it is logged and written on the file); nothing was exported"
        );
    }
    if unmasked && matches!(format, Format::Shapefile) {
        anyhow::bail!(
            "--to {}: a Shapefile cannot carry the watermark an unmasked export needs; write .xlsx, .csv, .geojson or .gpkg",
            to.display()
        );
    }
    let needs_key = matches!(what, What::Households | What::Workers);
    let by = if needs_key || unmasked {
        crate::cli::accounts::sign_in_if_needed(
            &file,
            personal_data.user.as_deref(),
            "exporting personal data",
        )?
    } else {
        None
    };
    if unmasked {
        crate::cli::accounts::require(
            by.as_ref(),
            crate::model::Permission::ExportPersonal,
            "export personal data unmasked",
        )?;
    }
    let d = match &by {
        Some(s) => store::load_unlocked(&file, &s.key)?,
        None => store::load(&file)?,
    };
    let now = crate::model::Timestamp::now();
    let who = by
        .as_ref()
        .map_or_else(|| "命令行".to_owned(), |s| s.account.name.clone());
    let mark = reason.map(|r| watermark(&who, &d.meta.time_zone.minute(now), r));
    let mark = mark.as_deref().filter(|_| unmasked);
    let code: HashMap<UnitId, &str> = d.units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let code_of = |u: Option<UnitId>| {
        u.and_then(|u| code.get(&u))
            .map_or(String::new(), |c| c.to_string())
    };
    let personal = |text: &str, mask: fn(&str) -> String| {
        if unmasked {
            text.to_owned()
        } else {
            mask(text)
        }
    };
    let n = match what {
        What::Units => {
            let stats = crate::stats::Stats::compute(&d, d.meta.as_of);
            let rows: Vec<_> = d
                .units
                .iter()
                .filter(|u| level.is_none_or(|l| u.level == l))
                .map(|u| {
                    let t = stats.get(u.id);
                    let geometry = geojson::Value::from(&u.geometry);
                    (
                        UnitRow {
                            code: u.code.clone(),
                            name: u.name.clone(),
                            level: u.level.number(),
                            level_name: u.level.name_zh(),
                            parent_code: code_of(u.parent),
                            households: t.map_or(0, |t| t.households),
                            persons: t.map_or(0, |t| t.persons),
                        },
                        Some(geometry),
                    )
                })
                .collect();
            write(&to, &format, &rows, mark)?;
            rows.len()
        }
        What::Households => {
            let tree = UnitTree::new(&d);
            let rows: Vec<_> = d
                .households
                .iter()
                .map(|h| {
                    let chain = h.unit.map_or([None; 5], |u| tree.ancestors(u));
                    let tags: Vec<&str> = h.tags.iter().map(|t| t.name_zh()).collect();
                    (
                        HouseholdRow {
                            code: h.code.clone(),
                            address: personal(&h.address, mask_address),
                            head_name: personal(&h.head_name, mask_name),
                            phone: personal(&h.phone, mask_phone),
                            members: h.members,
                            tags: tags.join("、"),
                            micro_grid_code: code_of(chain[4]),
                            grid_code: code_of(chain[3]),
                            village_code: code_of(chain[2]),
                            longitude: h.location.x(),
                            latitude: h.location.y(),
                        },
                        Some(geojson::Value::from(&h.location)),
                    )
                })
                .collect();
            write(&to, &format, &rows, mark)?;
            rows.len()
        }
        What::Workers => {
            let rows: Vec<_> = d
                .workers
                .iter()
                .map(|w| {
                    (
                        WorkerRow {
                            name: personal(&w.name, mask_name),
                            phone: personal(&w.phone, mask_phone),
                            role: w.role.name_zh(),
                            unit_code: code_of(Some(w.unit)),
                            party_member: if w.party_member { "是" } else { "否" },
                        },
                        None::<geojson::Value>,
                    )
                })
                .collect();
            write(&to, &format, &rows, mark)?;
            rows.len()
        }
        What::Cases => export_cases(&d, &to, &format, &code_of, unmasked, mark)?,
    };
    if unmasked {
        // After the file is written: an export that failed is not on the record as done.
        store::audit::record(
            &file,
            &store::AuditEvent {
                at: now,
                actor: who,
                action: store::AuditAction::Export,
                target: to.display().to_string(),
                reason: reason.unwrap_or_default().to_owned(),
                detail: format!("{what:?} unmasked: {n} rows").to_lowercase(),
            },
        )?;
    }
    Ok(Reply::ok(json!({
        "file": crate::store::server::location_name(&file),
        "to": to.display().to_string(),
        "rows": n,
        "masked": !unmasked,
        "watermark": mark,
    })))
}

/// Cases as the case list exports them; the reporter's name is personal data, masked unless
/// asked.
fn export_cases(
    d: &Dataset,
    to: &Path,
    format: &Format,
    code_of: &dyn Fn(Option<UnitId>) -> String,
    unmasked: bool,
    mark: Option<&str>,
) -> anyhow::Result<usize> {
    let now = crate::model::Timestamp::now();
    let rows: Vec<store::CaseRow> = d
        .cases
        .iter()
        .map(|c| {
            let mut row =
                store::CaseRow::new(c, Some(code_of(c.unit)).filter(|s| !s.is_empty()), now);
            if !unmasked {
                row.reporter = mask_name(&row.reporter);
            }
            row
        })
        .collect();
    match format {
        Format::Csv => store::export_csv_titled(to, mark, &rows)?,
        Format::GeoJson => store::export_cases_geojson_marked(to, &rows, mark)?,
        Format::Xlsx(sheet) => store::export_xlsx(to, sheet, &rows, mark)?,
        Format::Shapefile | Format::Gpkg(_) => {
            let layer: Vec<_> = rows
                .iter()
                .zip(&d.cases)
                .map(|(r, c)| (r, geo_types::Geometry::Point(c.location)))
                .collect();
            match format {
                Format::Gpkg(name) => store::export_gpkg(to, name, &layer, mark)?,
                _ => store::export_shapefile(to, &layer)?,
            }
        }
    }
    Ok(rows.len())
}
