//! `gridatlas info`: what a document holds, by SQL counts (fast, no geometry decoding).

use std::path::Path;

use serde::Serialize;

use crate::model::Level;
use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::read::open_validated;

#[derive(Debug, Serialize)]
pub struct FileInfo {
    pub path: String,
    pub title: String,
    pub as_of: String,
    /// The zone times are shown and days judged in (Asia/Shanghai when the file names none).
    pub time_zone: String,
    pub schema_version: i64,
    /// `PRAGMA user_version`: the GeoPackage version (10200 = 1.2).
    pub geopackage_version: i64,
    pub tables: TableCounts,
    /// Boundary plans: drafts, scheduled (待生效, with their date) and approved.
    pub plans: Vec<crate::store::PlanInfo>,
    pub units_per_level: UnitsPerLevel,
    /// How many accounts the document has (0: no roles, personal data in plain text).
    pub accounts: usize,
    /// The cipher of the personal columns (`AES-256-GCM`), or none.
    pub personal_cipher: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TableCounts {
    pub units: i64,
    pub households: i64,
    pub workers: i64,
    pub cases: i64,
    pub case_events: i64,
}

#[derive(Debug, Serialize)]
pub struct UnitsPerLevel {
    pub county: i64,
    pub township: i64,
    pub village: i64,
    pub grid: i64,
    pub micro_grid: i64,
}

pub fn read_info(path: &Path) -> Result<FileInfo, StoreError> {
    let conn = open_validated(path)?;
    let count = |table: &str| -> Result<i64, StoreError> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .ctx(path, "counting rows")
    };
    let level = |l: Level| -> Result<i64, StoreError> {
        conn.query_row(
            "SELECT count(*) FROM units WHERE level = ?1",
            [l.number()],
            |r| r.get(0),
        )
        .ctx(path, "counting units")
    };
    let meta = |key: &str| -> Result<String, StoreError> {
        conn.query_row(
            "SELECT coalesce((SELECT value FROM gridatlas_meta WHERE key = ?1), '')",
            [key],
            |r| r.get(0),
        )
        .ctx(path, "reading gridatlas_meta")
    };
    Ok(FileInfo {
        path: path.display().to_string(),
        title: meta("title")?,
        as_of: meta("as_of")?,
        time_zone: Some(meta("time_zone")?)
            .filter(|z| !z.is_empty())
            .unwrap_or_else(|| crate::model::TimeZone::DEFAULT.to_owned()),
        schema_version: meta("schema_version")?.parse().unwrap_or(0),
        geopackage_version: conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx(path, "reading the header")?,
        plans: crate::store::list_plans(path)?,
        accounts: crate::store::list_accounts(path)?.len(),
        personal_cipher: Some(meta(crate::store::CIPHER_KEY)?).filter(|c| !c.is_empty()),
        tables: TableCounts {
            units: count("units")?,
            households: count("households")?,
            workers: count("workers")?,
            cases: count("cases")?,
            case_events: count("case_events")?,
        },
        units_per_level: UnitsPerLevel {
            county: level(Level::County)?,
            township: level(Level::Township)?,
            village: level(Level::Village)?,
            grid: level(Level::Grid)?,
            micro_grid: level(Level::MicroGrid)?,
        },
    })
}
