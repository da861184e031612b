//! Case steps and new cases written to a server document: under the write lock, only if the
//! case is still the row this seat read (compared field by field, as the file's ledger does,
//! and refused naming who changed it and when), with the history entries and the audit entry
//! in the same transaction. The new rows go in through the publish path (`COPY`), so a case
//! is encoded for the server by one piece of code.

use postgres::types::ToSql;
use rusqlite::Connection;

use crate::model::{Case, CaseEvent, CaseEventId, CaseId, TimeZone, Timestamp};
use crate::store::change_log::SeqRange;
use crate::store::error::SqliteContext;
use crate::store::server::schema::{WRITE_LOCK, quoted};
use crate::store::server::{ServerContext, ServerUrl, blob, is_disconnect};
use crate::store::{AuditEvent, StoreError, WrittenCases};

/// A writing transaction, holding the write lock; `before` is the last change-log entry.
pub(super) fn begin<'a>(
    client: &'a mut postgres::Client,
    url: &ServerUrl,
) -> Result<(postgres::Transaction<'a>, i64), StoreError> {
    let mut tx = client.transaction().sctx(url, "starting the write")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .sctx(url, "waiting for the write lock")?;
    let before = crate::store::server::mirror::last_seq(&mut tx, url)?;
    Ok((tx, before))
}

/// Commits; a connection lost during the commit leaves the outcome unknown
/// ([`StoreError::InDoubt`]), which the caller resolves once the server is back.
pub(super) fn commit(tx: postgres::Transaction, url: &ServerUrl) -> Result<(), StoreError> {
    tx.commit().map_err(|e| {
        if is_disconnect(&e) {
            StoreError::InDoubt { path: url.label() }
        } else {
            StoreError::Server {
                path: url.label(),
                context: "committing",
                source: e,
            }
        }
    })
}

pub(crate) fn save_case_step(
    client: &mut postgres::Client,
    url: &ServerUrl,
    tz: &TimeZone,
    seen: &Case,
    next: &Case,
    events: &[CaseEvent],
) -> Result<WrittenCases, StoreError> {
    let label = url.label();
    let (mut tx, before) = begin(client, url)?;
    let mirror = crate::store::server::mirror::mirror_cases(&mut tx, url, &[seen.id.0], &[], true)?;
    let current = crate::store::read::read_cases_by_id(&mirror, &label, &[seen.id.0])?;
    match current.first() {
        None => {
            return Err(StoreError::Conflict {
                path: label,
                what: format!(
                    "case {} was deleted by another seat since it was read; nothing was written",
                    seen.code
                ),
            });
        }
        Some(now) if now != seen => {
            let last = tx
                .query_opt(
                    "SELECT actor, at FROM case_events WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
                    &[&seen.id.0],
                )
                .sctx(url, "reading the case's history")?;
            let (by, at) = last.map_or((String::from("?"), String::new()), |r| {
                let at: String = r.get(1);
                let at = Timestamp::parse(&at).map_or(at, |t| tz.minute(t));
                (r.get(0), at)
            });
            return Err(StoreError::Stale {
                path: label,
                case: seen.code.clone(),
                by: if by.is_empty() { "?".into() } else { by },
                at,
            });
        }
        Some(_) => {}
    }
    update_changed_columns(&mut tx, url, seen, next)?;
    let first = next_id(&mut tx, url, "case_events")?;
    let events: Vec<CaseEvent> = events
        .iter()
        .zip(first..)
        .map(|(e, id)| CaseEvent {
            id: CaseEventId(id),
            ..e.clone()
        })
        .collect();
    insert_rows(&mut tx, url, &[], &events)?;
    for e in &events {
        append_audit(&mut tx, url, &AuditEvent::case_step(&seen.code, e))?;
    }
    let after = crate::store::server::mirror::last_seq(&mut tx, url)?;
    commit(tx, url)?;
    Ok(WrittenCases {
        cases: vec![next.clone()],
        events,
        log: SeqRange { before, after },
    })
}

/// Why an insert failed: the store (the server said no, or went away), or the caller's
/// `make` refused the rows.
pub(crate) enum InsertError<E> {
    Store(StoreError),
    Make(E),
}

pub(crate) fn insert_new_cases<E>(
    client: &mut postgres::Client,
    url: &ServerUrl,
    make: impl FnOnce(CaseId, CaseEventId) -> Result<(Vec<Case>, Vec<CaseEvent>), E>,
) -> Result<WrittenCases, InsertError<E>> {
    let (mut tx, before) = begin(client, url).map_err(InsertError::Store)?;
    let first_case = next_id(&mut tx, url, "cases").map_err(InsertError::Store)?;
    let first_event = next_id(&mut tx, url, "case_events").map_err(InsertError::Store)?;
    let (cases, events) =
        make(CaseId(first_case), CaseEventId(first_event)).map_err(InsertError::Make)?;
    let store = |tx: &mut postgres::Transaction| -> Result<i64, StoreError> {
        insert_rows(tx, url, &cases, &events)?;
        crate::store::server::mirror::last_seq(tx, url)
    };
    let after = store(&mut tx).map_err(InsertError::Store)?;
    commit(tx, url).map_err(InsertError::Store)?;
    Ok(WrittenCases {
        cases,
        events,
        log: SeqRange { before, after },
    })
}

/// The next id: past every row (under the write lock, so two seats never take the same). A
/// case's is also past every case the history names: the server has no foreign keys, so a
/// case deleted by another program (psql, QGIS) may leave its history, which a new case given
/// its id would take as its own. (A file never gives an id twice: its tables AUTOINCREMENT.)
fn next_id(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    table: &str,
) -> Result<i64, StoreError> {
    let referenced = if table == "cases" {
        "(SELECT max(case_id) FROM case_events)"
    } else {
        "0"
    };
    Ok(tx
        .query_one(
            &format!(
                "SELECT greatest(coalesce(max(id), 0), coalesce({referenced}, 0))::bigint + 1 FROM {}",
                quoted(table)
            ),
            &[],
        )
        .sctx(url, "allocating ids")?
        .get(0))
}

/// New cases and history entries: encoded by the file's writer into a scratch table, then
/// copied to the server as `publish` copies a document.
fn insert_rows(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    cases: &[Case],
    events: &[CaseEvent],
) -> Result<(), StoreError> {
    let label = url.label();
    let scratch = Connection::open_in_memory().ctx(&label, "encoding the rows")?;
    scratch
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             {}
             CREATE TABLE gpkg_geometry_columns (table_name, column_name, geometry_type_name);
             INSERT INTO gpkg_geometry_columns VALUES ('cases', 'geom', 'POINT');",
            crate::store::schema::GRIDATLAS_TABLES
        ))
        .ctx(&label, "encoding the rows")?;
    crate::store::write::write_cases(&scratch, cases).ctx(&label, "encoding the rows")?;
    crate::store::write::write_case_events(&scratch, events).ctx(&label, "encoding the rows")?;
    let tables =
        crate::store::server::schema::document_tables(&scratch).ctx(&label, "encoding the rows")?;
    for t in tables.iter().filter(|t| {
        (t.name == "cases" && !cases.is_empty()) || (t.name == "case_events" && !events.is_empty())
    }) {
        crate::store::server::publish::copy_table(&scratch, &label, tx, url, t)?;
    }
    Ok(())
}

/// `UPDATE cases SET <only what differs>` (what the step did not touch is left as it is).
fn update_changed_columns(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    seen: &Case,
    next: &Case,
) -> Result<(), StoreError> {
    use rusqlite::types::Value;
    let mut sets = Vec::new();
    let mut values: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(next.id.0)];
    for column in crate::store::case_ledger::differing_columns(seen, next) {
        let value = crate::store::case_ledger::column_value(next, column).map_err(|what| {
            StoreError::BadRow {
                path: url.label(),
                table: "cases",
                id: next.id.0,
                what,
            }
        })?;
        let n = values.len() + 1;
        let integer = matches!(column, "level" | "handler_id" | "unit_id");
        match value {
            Value::Blob(b) => {
                let wkb = blob::wkb_of(&b)
                    .map_err(|what| StoreError::BadRow {
                        path: url.label(),
                        table: "cases",
                        id: next.id.0,
                        what,
                    })?
                    .to_vec();
                sets.push(format!("{column} = ST_GeomFromWKB(${n}, 4326)"));
                values.push(Box::new(wkb));
            }
            Value::Integer(i) => {
                sets.push(format!("{column} = ${n}"));
                values.push(Box::new(i));
            }
            Value::Null if integer => {
                sets.push(format!("{column} = ${n}"));
                values.push(Box::new(None::<i64>));
            }
            Value::Null => {
                sets.push(format!("{column} = ${n}"));
                values.push(Box::new(None::<String>));
            }
            Value::Text(t) => {
                sets.push(format!("{column} = ${n}"));
                values.push(Box::new(t));
            }
            Value::Real(f) => {
                sets.push(format!("{column} = ${n}"));
                values.push(Box::new(f));
            }
        }
    }
    if sets.is_empty() {
        return Ok(());
    }
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
    tx.execute(
        &format!("UPDATE cases SET {} WHERE id = $1", sets.join(", ")),
        &params,
    )
    .sctx(url, "writing the case")?;
    Ok(())
}

/// The audit chain on the server: the same entries and hashes as the file's
/// (`store::audit::append`), so `gridatlas audit --verify` of a pulled snapshot checks them.
pub(crate) fn append_audit(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    e: &AuditEvent,
) -> Result<i64, StoreError> {
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM gridatlas_audit ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .sctx(url, "reading the audit log")?;
    let crate::store::audit::ChainLink {
        seq,
        at,
        prev,
        hash,
    } = crate::store::audit::chain_link(last.map(|r| (r.get(0), r.get(1))), e);
    tx.execute(
        "INSERT INTO gridatlas_audit (seq, at, actor, action, target, reason, detail, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        &[&seq, &at, &e.actor, &e.action.code(), &e.target, &e.reason, &e.detail, &prev, &hash],
    )
    .sctx(url, "writing the audit log")?;
    tx.execute(
        "INSERT INTO gridatlas_meta (key, value) VALUES ('audit_head', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&format!("{seq}:{hash}")],
    )
    .sctx(url, "writing the audit log")?;
    Ok(seq)
}
