//! Writing rosters: new households and workers (ids allocated under the write lock, so that
//! another program's rows are never overwritten) and changed households (refused when another
//! program changed the row since it was read). One transaction: all rows or none.

use std::path::Path;

use rusqlite::params;

use crate::model::{Household, HouseholdId, Worker, WorkerId};
use crate::store::audit::AuditEvent;
use crate::store::case_ledger::next_id;
use crate::store::error::SqliteContext;
use crate::store::personal::{household_columns, worker_phone};
use crate::store::sealing::DocumentKey;
use crate::store::update::open_for_writing;
use crate::store::{SeqRange, StoreError, geometry};

/// Inserts `new` (their ids are given here) and applies `changed` (before, after); returns the
/// inserted households with their ids.
///
/// In a document with accounts the personal columns are sealed with `key` before they reach
/// the file; without the key such a document is refused (nothing plain is ever written there).
pub fn write_households(
    path: &Path,
    mut new: Vec<Household>,
    changed: &[(Household, Household)],
    key: Option<&DocumentKey>,
    audit: Option<&AuditEvent>,
) -> Result<(Vec<Household>, SeqRange), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| write_households(p, new, changed, key, audit),
        );
        return done.map(|((h, _), log)| (h, log));
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the import")?;
    let key = sealing_key(&tx, path, key)?;
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
            let [address, head_name, phone, tags] = household_columns(h, key);
            insert
                .execute(params![
                    h.id.0,
                    blob,
                    h.code,
                    address,
                    head_name,
                    phone,
                    h.members,
                    tags,
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
                 WHERE id = ?1 AND code = ?9 AND address IN (?10, ?15) AND head_name IN (?11, ?16)
                   AND phone IN (?12, ?17) AND members = ?13 AND tags IN (?14, ?18)",
            )
            .ctx(path, "writing households")?;
        for (old, h) in changed {
            let blob = geometry::encode_point(h.location).map_err(bad_geometry)?;
            let new_columns = household_columns(h, key);
            // The row as read is in the file either sealed (ours) or plain (typed in QGIS).
            let sealed_old = household_columns(old, key);
            let plain_old = household_columns(old, None);
            let n = update
                .execute(params![
                    old.id.0,
                    blob,
                    new_columns[0],
                    new_columns[1],
                    new_columns[2],
                    h.members,
                    new_columns[3],
                    h.unit.map(|u| u.0),
                    old.code,
                    sealed_old[0],
                    sealed_old[1],
                    sealed_old[2],
                    old.members,
                    sealed_old[3],
                    plain_old[0],
                    plain_old[1],
                    plain_old[2],
                    plain_old[3]
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
    if let Some(e) = audit {
        crate::store::audit::append(&tx, e).ctx(path, "writing the audit log")?;
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok((new, SeqRange { before, after }))
}

/// The key personal columns are sealed with: none for a document without accounts; for one
/// with accounts, the caller's, which must be there.
fn sealing_key<'k>(
    conn: &rusqlite::Connection,
    path: &Path,
    key: Option<&'k DocumentKey>,
) -> Result<Option<&'k DocumentKey>, StoreError> {
    let encrypted = crate::store::accounts::is_encrypted(conn).ctx(path, "reading the cipher")?;
    match (encrypted, key) {
        (false, _) => Ok(None),
        (true, Some(k)) => Ok(Some(k)),
        (true, None) => Err(StoreError::Refused {
            path: path.to_owned(),
            what: "this document's personal data is encrypted: sign in (--user NAME, passphrase in GRIDATLAS_PASSPHRASE) to write households or workers; nothing was written".into(),
        }),
    }
}

/// Inserts `new` workers (ids given here), their phones sealed as [`write_households`] does.
pub fn write_workers(
    path: &Path,
    mut new: Vec<Worker>,
    key: Option<&DocumentKey>,
    audit: Option<&AuditEvent>,
) -> Result<Vec<Worker>, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| write_workers(p, new, key, audit),
        );
        return done.map(|(w, _)| w);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the import")?;
    let key = sealing_key(&tx, path, key)?;
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
                    worker_phone(w, key),
                    w.role.code(),
                    w.unit.0,
                    w.party_member
                ])
                .ctx(path, "writing workers")?;
        }
    }
    if let Some(e) = audit {
        crate::store::audit::append(&tx, e).ctx(path, "writing the audit log")?;
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(new)
}
