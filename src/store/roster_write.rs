//! Writing rosters: new households and workers (ids allocated under the write lock, so that
//! another program's rows are never overwritten) and changed households (refused when another
//! program changed the row since it was read). One transaction: all rows or none.

use std::path::Path;

use rusqlite::params;

use crate::model::{Household, HouseholdId, Worker, WorkerId};
use crate::store::case_ledger::next_id;
use crate::store::error::SqliteContext;
use crate::store::update::open_for_writing;
use crate::store::write::tags_column;
use crate::store::{SeqRange, StoreError, geometry};

/// Inserts `new` (their ids are given here) and applies `changed` (before, after); returns the
/// inserted households with their ids.
pub fn write_households(
    path: &Path,
    mut new: Vec<Household>,
    changed: &[(Household, Household)],
) -> Result<(Vec<Household>, SeqRange), StoreError> {
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the import")?;
    let before = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    let first = next_id(&tx, path, "households")?;
    let bad_geometry = |e: String| StoreError::NotGridAtlas {
        path: path.to_owned(),
        what: e,
    };
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO households (id, geom, code, address, head_name, phone, members, tags, unit_id)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            )
            .ctx(path, "writing households")?;
        for (i, h) in new.iter_mut().enumerate() {
            h.id = HouseholdId(first + i as i64);
            let blob = geometry::encode_point(h.location).map_err(bad_geometry)?;
            insert
                .execute(params![
                    h.id.0,
                    blob,
                    h.code,
                    h.address,
                    h.head_name,
                    h.phone,
                    h.members,
                    tags_column(h),
                    h.unit.map(|u| u.0)
                ])
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        StoreError::Conflict {
                            path: path.to_owned(),
                            what: format!(
                                "household {} was added by another program meanwhile; nothing was written",
                                h.code
                            ),
                        }
                    }
                    e => StoreError::Sqlite {
                        path: path.to_owned(),
                        context: "writing households",
                        source: e,
                    },
                })?;
        }
        let mut update = tx
            .prepare(
                "UPDATE households SET geom = ?2, address = ?3, head_name = ?4, phone = ?5,
                   members = ?6, tags = ?7, unit_id = ?8
                 WHERE id = ?1 AND code = ?9 AND address = ?10 AND head_name = ?11
                   AND phone = ?12 AND members = ?13 AND tags = ?14",
            )
            .ctx(path, "writing households")?;
        for (old, h) in changed {
            let blob = geometry::encode_point(h.location).map_err(bad_geometry)?;
            let n = update
                .execute(params![
                    old.id.0,
                    blob,
                    h.address,
                    h.head_name,
                    h.phone,
                    h.members,
                    tags_column(h),
                    h.unit.map(|u| u.0),
                    old.code,
                    old.address,
                    old.head_name,
                    old.phone,
                    old.members,
                    tags_column(old)
                ])
                .ctx(path, "writing households")?;
            if n == 0 {
                return Err(StoreError::Conflict {
                    path: path.to_owned(),
                    what: format!(
                        "household {} was changed or deleted by another program since the roster was read; nothing was written",
                        old.code
                    ),
                });
            }
        }
    }
    crate::store::case_ledger::grow_layer_extent(
        &tx,
        path,
        "households",
        new.iter()
            .chain(changed.iter().map(|(_, h)| h))
            .map(|h| h.location),
    )?;
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok((new, SeqRange { before, after }))
}

/// Inserts `new` workers (ids given here).
pub fn write_workers(path: &Path, mut new: Vec<Worker>) -> Result<Vec<Worker>, StoreError> {
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the import")?;
    let first = next_id(&tx, path, "workers")?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO workers (id, name, phone, role, unit_id, party_member) VALUES (?1,?2,?3,?4,?5,?6)",
            )
            .ctx(path, "writing workers")?;
        for (i, w) in new.iter_mut().enumerate() {
            w.id = WorkerId(first + i as i64);
            insert
                .execute(params![
                    w.id.0,
                    w.name,
                    w.phone,
                    w.role.code(),
                    w.unit.0,
                    w.party_member
                ])
                .ctx(path, "writing workers")?;
        }
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(new)
}
