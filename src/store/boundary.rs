//! Writing boundary changes to the live tables (when a plan is approved): the changed and new
//! units, the removed ones, and the households, cases and workers whose unit changed — inside the
//! caller's transaction, so a kill mid-write leaves the file as it was or as approved.

use std::path::Path;

use rusqlite::params;

use crate::model::{CaseId, HouseholdId, Unit, UnitId, WorkerId};
use crate::store::error::SqliteContext;
use crate::store::{StoreError, geometry};

/// Everything one edit changes in the file. Households, cases and workers carry the unit they
/// had when the plan was compared with the live state, and the unit the plan gives them.
#[derive(Debug, Clone, Default)]
pub struct UnitChanges<'a> {
    pub upsert: &'a [Unit],
    pub delete: &'a [UnitId],
    pub households: &'a [(HouseholdId, Option<UnitId>, Option<UnitId>)],
    pub cases: &'a [(CaseId, Option<UnitId>, Option<UnitId>)],
    pub workers: &'a [(WorkerId, UnitId, UnitId)],
}

/// Refuses (inside the caller's write transaction) when a unit about to be replaced is no
/// longer as it was read, or a unit about to be created meets a row another program added with
/// the same id meanwhile (the upsert would silently replace it). `since` completes "changed by
/// another program since …".
pub(crate) fn expect_units_as_seen(
    tx: &rusqlite::Connection,
    path: &Path,
    replaced: &[Unit],
    net: &UnitChanges,
    since: &str,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = replaced.iter().map(|u| u.id.0).collect();
    let now = crate::store::read::read_units_by_id(tx, path, &ids)?;
    for u in replaced {
        if now.iter().find(|n| n.id == u.id) != Some(u) {
            return Err(StoreError::Conflict {
                path: path.to_owned(),
                what: format!(
                    "unit {} ({}) was changed or deleted by another program since {since}; nothing was written — reopen and try again",
                    u.code, u.name
                ),
            });
        }
    }
    let created: Vec<i64> = net
        .upsert
        .iter()
        .filter(|u| !replaced.iter().any(|r| r.id == u.id))
        .map(|u| u.id.0)
        .collect();
    if let Some(u) = crate::store::read::read_units_by_id(tx, path, &created)?.first() {
        return Err(StoreError::Conflict {
            path: path.to_owned(),
            what: format!(
                "unit id {} ({} {}) was added by another program since {since}, and this change creates a unit with that id; nothing was written",
                u.id.0, u.code, u.name
            ),
        });
    }
    // Codes are unique: a unit another program added with one of our new codes is a conflict.
    for u in net.upsert.iter().filter(|u| created.contains(&u.id.0)) {
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM units WHERE code = ?1", [&u.code], |r| {
                r.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .ctx(path, "reading units")?;
        if let Some(id) = taken {
            return Err(StoreError::Conflict {
                path: path.to_owned(),
                what: format!(
                    "code {} was given to unit id {id} by another program since {since}; nothing was written",
                    u.code
                ),
            });
        }
    }
    Ok(())
}

/// Writes a boundary change inside the caller's transaction (an approved plan's net effect).
pub(crate) fn write_unit_changes(
    tx: &rusqlite::Connection,
    path: &Path,
    c: &UnitChanges,
) -> Result<(), StoreError> {
    {
        // An update, else an insert. Not REPLACE: it deletes the row first, which the foreign
        // keys of households, cases, workers and child units refuse. Not an upsert (`ON
        // CONFLICT DO UPDATE`) either: under one, SQLite makes the spatial index trigger's
        // `INSERT OR REPLACE` into the R*Tree fail ("UNIQUE constraint failed").
        let mut update = tx
            .prepare(
                "UPDATE units SET geom = ?2, level = ?3, parent_id = ?4, code = ?5, name = ?6
                 WHERE id = ?1",
            )
            .ctx(path, "writing units")?;
        let mut insert = tx
            .prepare(
                "INSERT INTO units (id, geom, level, parent_id, code, name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ctx(path, "writing units")?;
        // Parents before children: a micro-grid moved under a new grid names it.
        let mut order: Vec<&Unit> = c.upsert.iter().collect();
        order.sort_by_key(|u| (u.level, u.id));
        for u in order {
            let blob = geometry::encode_multipolygon(&u.geometry).map_err(|e| {
                StoreError::NotGridAtlas {
                    path: path.to_owned(),
                    what: format!("unit {}: {e}", u.code),
                }
            })?;
            let row = params![
                u.id.0,
                blob,
                u.level.number(),
                u.parent.map(|p| p.0),
                u.code,
                u.name
            ];
            if update.execute(row).ctx(path, "writing units")? == 0 {
                insert.execute(row).ctx(path, "writing units")?;
            }
        }
        // Only rows still in the unit the plan saw them in: a household another program moved
        // meanwhile refuses the approval instead of being moved back.
        let rows = |table: &'static str| -> Vec<(i64, Option<i64>, Option<i64>)> {
            let id = |u: Option<UnitId>| u.map(|u| u.0);
            match table {
                "households" => c
                    .households
                    .iter()
                    .map(|(h, a, b)| (h.0, id(*a), id(*b)))
                    .collect(),
                "cases" => c
                    .cases
                    .iter()
                    .map(|(k, a, b)| (k.0, id(*a), id(*b)))
                    .collect(),
                _ => c
                    .workers
                    .iter()
                    .map(|(w, a, b)| (w.0, Some(a.0), Some(b.0)))
                    .collect(),
            }
        };
        for table in ["households", "cases", "workers"] {
            let mut stmt = tx
                .prepare(&format!(
                    "UPDATE {table} SET unit_id = ?3 WHERE id = ?1 AND unit_id IS ?2"
                ))
                .ctx(path, "writing assignments")?;
            for (id, old, new) in rows(table) {
                if stmt
                    .execute(params![id, old, new])
                    .ctx(path, "writing assignments")?
                    == 0
                {
                    return Err(StoreError::Conflict {
                        path: path.to_owned(),
                        what: format!(
                            "{table} row id {id} was changed or deleted by another program since this change was prepared; nothing was written — reopen and try again"
                        ),
                    });
                }
            }
        }
        let mut del = tx
            .prepare("DELETE FROM units WHERE id = ?1")
            .ctx(path, "removing units")?;
        for id in c.delete {
            del.execute(params![id.0]).ctx(path, "removing units")?;
        }
    }
    Ok(())
}
