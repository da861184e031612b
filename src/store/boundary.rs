//! Writing boundary changes to the live tables (when a plan is approved): the changed and new
//! units, the removed ones, and the households, cases and workers whose unit changed — inside the
//! caller's transaction, so a kill mid-write leaves the file as it was or as approved.

use std::path::Path;

use rusqlite::params;

use crate::model::{CaseId, HouseholdId, Unit, UnitId, WorkerId};
use crate::store::error::SqliteContext;
use crate::store::{StoreError, geometry};

/// Everything one edit changes in the file.
#[derive(Debug, Clone, Default)]
pub struct UnitChanges<'a> {
    pub upsert: &'a [Unit],
    pub delete: &'a [UnitId],
    pub households: &'a [(HouseholdId, Option<UnitId>)],
    pub cases: &'a [(CaseId, Option<UnitId>)],
    pub workers: &'a [(WorkerId, UnitId)],
}

/// Writes a boundary change inside the caller's transaction (an approved plan's net effect).
pub(crate) fn write_unit_changes(
    tx: &rusqlite::Connection,
    path: &Path,
    c: &UnitChanges,
) -> Result<(), StoreError> {
    {
        let mut put = tx
            .prepare(
                // An upsert, not REPLACE: REPLACE deletes the row first, which the foreign
                // keys of households, cases, workers and child units refuse.
                "INSERT INTO units (id, geom, level, parent_id, code, name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET geom = excluded.geom, level = excluded.level,
                   parent_id = excluded.parent_id, code = excluded.code, name = excluded.name",
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
            put.execute(params![
                u.id.0,
                blob,
                u.level.number(),
                u.parent.map(|p| p.0),
                u.code,
                u.name
            ])
            .ctx(path, "writing units")?;
        }
        let mut h = tx
            .prepare("UPDATE households SET unit_id = ?2 WHERE id = ?1")
            .ctx(path, "writing households")?;
        for (id, unit) in c.households {
            h.execute(params![id.0, unit.map(|u| u.0)])
                .ctx(path, "writing households")?;
        }
        let mut k = tx
            .prepare("UPDATE cases SET unit_id = ?2 WHERE id = ?1")
            .ctx(path, "writing cases")?;
        for (id, unit) in c.cases {
            k.execute(params![id.0, unit.map(|u| u.0)])
                .ctx(path, "writing cases")?;
        }
        let mut w = tx
            .prepare("UPDATE workers SET unit_id = ?2 WHERE id = ?1")
            .ctx(path, "writing workers")?;
        for (id, unit) in c.workers {
            w.execute(params![id.0, unit.0])
                .ctx(path, "writing workers")?;
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
