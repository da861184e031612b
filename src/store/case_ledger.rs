//! Writing operators' work on cases to an open document: the changed cases and their new
//! history entries in one SQLite transaction, so the ledger and its history never disagree, and
//! a crash or a kill leaves either the whole step or none of it.

use std::path::Path;

use crate::model::{Case, CaseEvent};
use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::update::open_for_writing;
use crate::store::write::{write_case_events, write_cases};

/// Inserts or replaces `cases` (by id) and appends `events`, all or nothing. The layer's extent in
/// `gpkg_contents` grows to cover new locations, so QGIS's "zoom to layer" still finds them.
pub fn save_cases(path: &Path, cases: &[Case], events: &[CaseEvent]) -> Result<(), StoreError> {
    let mut conn = open_for_writing(path)?;
    let tx = conn.transaction().ctx(path, "starting the write")?;
    write_cases(&tx, cases, true).ctx(path, "writing cases")?;
    write_case_events(&tx, events).ctx(path, "writing case history")?;
    // One update for the extent of all of them (an import may bring thousands).
    let extent = cases.iter().fold(None, |e: Option<[f64; 4]>, c| {
        let (x, y) = (c.location.x(), c.location.y());
        Some(e.map_or([x, y, x, y], |[a, b, p, q]| {
            [a.min(x), b.min(y), p.max(x), q.max(y)]
        }))
    });
    if let Some([min_x, min_y, max_x, max_y]) = extent {
        tx.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1),
               min_y = min(coalesce(min_y, ?2), ?2), max_x = max(coalesce(max_x, ?3), ?3),
               max_y = max(coalesce(max_y, ?4), ?4) WHERE table_name = 'cases'",
            rusqlite::params![min_x, min_y, max_x, max_y],
        )
        .ctx(path, "updating the cases extent")?;
    }
    tx.commit().ctx(path, "committing")?;
    Ok(())
}

/// Sets (or with `None` removes) a document's own handling window for a category, in hours at
/// the micro-grid level.
pub fn set_deadline_hours(
    path: &Path,
    category: crate::model::CategoryCode,
    hours: Option<u32>,
) -> Result<(), StoreError> {
    let conn = open_for_writing(path)?;
    let key = format!("deadline_hours.{category}");
    match hours {
        Some(h) => conn.execute(
            "INSERT OR REPLACE INTO gridatlas_meta (key, value) VALUES (?1, ?2)",
            rusqlite::params![key, h.to_string()],
        ),
        None => conn.execute(
            "DELETE FROM gridatlas_meta WHERE key = ?1",
            rusqlite::params![key],
        ),
    }
    .ctx(path, "writing gridatlas_meta")?;
    Ok(())
}
