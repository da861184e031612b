//! Writing one worker or one household's party contact, case-ledger style: the file first, in
//! one transaction with its audit entry, and only if the row is still as it was read (another
//! seat or QGIS may have changed it); the caller then shows what the file holds.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use crate::model::{HouseholdId, Worker, WorkerId};
use crate::store::audit::AuditEvent;
use crate::store::error::SqliteContext;
use crate::store::personal::worker_phone;
use crate::store::sealing::DocumentKey;
use crate::store::update::open_for_writing;
use crate::store::{SeqRange, StoreError};

/// A worker row as the file holds it: (name, phone as stored, role, unit, party member,
/// retired at).
type Row = (String, String, String, i64, bool, Option<String>);

fn stored(w: &Worker, key: Option<&DocumentKey>) -> Row {
    (
        w.name.clone(),
        worker_phone(w, key),
        w.role.code().to_owned(),
        w.unit.0,
        w.party_member,
        w.retired_at.map(|t| t.to_iso()),
    )
}

/// Writes `next` over `seen` (the worker as read), or adds it when `seen` is `None` (its id is
/// taken here, under the write lock). Refused when the file's row is not `seen` any more.
/// Returns the worker as written (with its id) and the change-log entries the write made.
pub fn save_worker(
    path: &Path,
    seen: Option<&Worker>,
    next: &Worker,
    key: Option<&DocumentKey>,
    audit: &AuditEvent,
) -> Result<(Worker, SeqRange), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| save_worker(p, seen, next, key, audit),
        );
        return done.map(|((w, _), log)| (w, log));
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the worker change")?;
    let encrypted = crate::store::accounts::is_encrypted(&tx).ctx(path, "reading the cipher")?;
    if encrypted && key.is_none() {
        return Err(StoreError::Refused {
            path: path.to_owned(),
            what: "this document's personal data is encrypted: sign in to change workers; nothing was written".into(),
        });
    }
    let key = key.filter(|_| encrypted);
    let before = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    let mut written = next.clone();
    match seen {
        None => {
            written.id = WorkerId(crate::store::case_ledger::next_id(&tx, path, "workers")?);
            let r = stored(&written, key);
            tx.execute(
                "INSERT INTO workers (id, name, phone, role, unit_id, party_member, retired_at)
                 VALUES (?1,?2,?3,?4,?5,?6,?7)",
                params![written.id.0, r.0, r.1, r.2, r.3, r.4, r.5],
            )
            .ctx(path, "writing the worker")?;
        }
        Some(old) => {
            let file: Option<Row> = tx
                .query_row(
                    "SELECT name, phone, role, unit_id, party_member, retired_at FROM workers WHERE id = ?1",
                    params![old.id.0],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()
                .ctx(path, "reading the worker")?;
            // The row as read is in the file sealed (ours) or plain (typed in QGIS).
            let as_read = [stored(old, key), stored(old, None)];
            if !file.as_ref().is_some_and(|f| as_read.contains(f)) {
                return Err(StoreError::Conflict {
                    path: path.to_owned(),
                    what: format!(
                        "worker {} was changed or removed by another program since it was read; nothing was written",
                        old.name
                    ),
                });
            }
            let r = stored(&written, key);
            tx.execute(
                "UPDATE workers SET name = ?2, phone = ?3, role = ?4, unit_id = ?5, party_member = ?6,
                   retired_at = ?7 WHERE id = ?1",
                params![old.id.0, r.0, r.1, r.2, r.3, r.4, r.5],
            )
            .ctx(path, "writing the worker")?;
            if written.retired_at.is_some() {
                // Who has left keeps in touch with nobody.
                tx.execute(
                    "UPDATE households SET party_member_id = NULL WHERE party_member_id = ?1",
                    params![old.id.0],
                )
                .ctx(path, "unlinking the worker's households")?;
            }
        }
    }
    let mut audit = audit.clone();
    if audit.target.is_empty() {
        audit.target = format!("worker {}", written.id.0);
    }
    crate::store::audit::append(&tx, &audit).ctx(path, "writing the audit log")?;
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok((written, SeqRange { before, after }))
}

/// Links `household` to the party member `next` (or unlinks it), if its link is still `seen`.
pub fn link_party_contact(
    path: &Path,
    household: HouseholdId,
    seen: Option<WorkerId>,
    next: Option<WorkerId>,
    audit: &AuditEvent,
) -> Result<SeqRange, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| link_party_contact(p, household, seen, next, audit),
        );
        return done.map(|(_, log)| log);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the link")?;
    let before = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    if let Some(w) = next {
        let party: Option<(bool, Option<String>)> = tx
            .query_row(
                "SELECT party_member, retired_at FROM workers WHERE id = ?1",
                params![w.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx(path, "reading the worker")?;
        if !matches!(party, Some((true, None))) {
            return Err(StoreError::Refused {
                path: path.to_owned(),
                what: format!(
                    "worker {} is not a party member at their post; nothing was written",
                    w.0
                ),
            });
        }
    }
    let n = tx
        .execute(
            "UPDATE households SET party_member_id = ?3 WHERE id = ?1 AND party_member_id IS ?2",
            params![household.0, seen.map(|w| w.0), next.map(|w| w.0)],
        )
        .ctx(path, "linking the household")?;
    if n == 0 {
        return Err(StoreError::Conflict {
            path: path.to_owned(),
            what: format!(
                "household {} was changed or removed by another program since it was read; nothing was written",
                household.0
            ),
        });
    }
    crate::store::audit::append(&tx, audit).ctx(path, "writing the audit log")?;
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(SeqRange { before, after })
}
