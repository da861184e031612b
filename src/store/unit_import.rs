//! Writing an import of units: the new and replaced units and the households and cases whose
//! micro-grid changed, in one transaction under the write lock, refused whole when another
//! program changed one of the replaced units since they were read.

use std::path::Path;

use rusqlite::params;

use crate::model::Unit;
use crate::store::error::SqliteContext;
use crate::store::update::open_for_writing;
use crate::store::{SeqRange, StoreError, UnitChanges};

/// A `gridatlas_meta` value, or `None` when the key is absent.
pub fn read_meta_value(path: &Path, key: &str) -> Result<Option<String>, StoreError> {
    let conn = crate::store::read::open_validated_for(path, crate::store::server::Tables::Plans)?;
    conn.query_row(
        "SELECT value FROM gridatlas_meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .map(Some)
    .or_else(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => Ok(None),
        e => Err(e),
    })
    .ctx(path, "reading gridatlas_meta")
}

/// Writes the import: `net` (units, and households/cases with the unit they had when read and
/// the one they get), and `meta` keys set (`Some`) or removed (`None`).
pub fn write_unit_import(
    path: &Path,
    replaced: &[Unit],
    net: &UnitChanges,
    meta: &[(&str, Option<&str>)],
) -> Result<SeqRange, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| write_unit_import(p, replaced, net, meta),
        );
        return done.map(|(_, log)| log);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the import")?;
    let before = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    crate::store::boundary::expect_units_as_seen(&tx, path, replaced, net, "the import read them")?;
    crate::store::boundary::write_unit_changes(&tx, path, net)?;
    for (key, value) in meta {
        match value {
            Some(v) => tx.execute(
                "INSERT INTO gridatlas_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, v],
            ),
            None => tx.execute("DELETE FROM gridatlas_meta WHERE key = ?1", [key]),
        }
        .ctx(path, "writing gridatlas_meta")?;
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(SeqRange { before, after })
}
