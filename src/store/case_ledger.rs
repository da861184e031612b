//! Writing operators' work on cases to a shared document: a step writes only the columns it
//! changes, and only if the case is still as the operator saw it; new cases and history
//! entries take their ids inside the write transaction. Each write is one SQLite transaction,
//! so the ledger and its history never disagree and a kill leaves the whole step or none of it.
//!
//! Why compare decoded rows rather than put the old values in the `WHERE` clause: another tool
//! may store the same instant as different text (`+08:00` rather than `Z`) or the same point in
//! a different GeoPackage blob; comparing what the rows *mean* refuses real changes only.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior, params};

use crate::model::{Case, CaseEvent, CaseEventId, CaseId};
use crate::store::change_log::{SeqRange, last_seq, trim};
use crate::store::error::SqliteContext;
use crate::store::read::read_cases_by_id;
use crate::store::update::open_for_writing;
use crate::store::write::{write_case_events, write_cases};
use crate::store::{StoreError, geometry};

/// What a write put in the file: the rows as written (with the ids the file gave them) and the
/// change-log entries it added.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenCases {
    pub cases: Vec<Case>,
    pub events: Vec<CaseEvent>,
    pub log: SeqRange,
}

/// Writes one step on a case: `next` replaces `seen` (only the columns that differ are
/// written) and `events` are appended with fresh ids. Refused with [`StoreError::Conflict`],
/// writing nothing, when the case in the file is no longer `seen` (another program changed or
/// deleted it since it was read).
pub fn save_case_step(
    path: &Path,
    seen: &Case,
    next: &Case,
    events: &[CaseEvent],
) -> Result<WrittenCases, StoreError> {
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx(path, "starting the write")?;
    let before = last_seq(&tx).ctx(path, "reading the change log")?;
    let current = read_cases_by_id(&tx, path, &[seen.id.0])?;
    match current.first() {
        None => {
            return Err(StoreError::Conflict {
                path: path.to_owned(),
                what: format!(
                    "case {} was deleted by another program since it was read; nothing was written",
                    seen.code
                ),
            });
        }
        Some(now) if now != seen => {
            return Err(StoreError::Conflict {
                path: path.to_owned(),
                what: format!(
                    "case {} was changed by another program since it was read ({}); nothing was written — it is shown as it is now",
                    seen.code,
                    differing_columns(seen, now).join(", ")
                ),
            });
        }
        Some(_) => {}
    }
    update_changed_columns(&tx, path, seen, next)?;
    let events = append_events(&tx, path, events)?;
    for e in &events {
        crate::store::audit::append(&tx, &crate::store::AuditEvent::case_step(&seen.code, e))
            .ctx(path, "writing the audit log")?;
    }
    trim(&tx).ctx(path, "trimming the change log")?;
    let after = last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(WrittenCases {
        cases: vec![next.clone()],
        events,
        log: SeqRange { before, after },
    })
}

/// Inserts new cases with their creating events. `make` receives the first free case id and
/// event id, read under the write lock (so two importers never take the same ids), and builds
/// the rows; they are written with the ids it gave them. All or nothing.
pub fn insert_new_cases<E: From<StoreError>>(
    path: &Path,
    make: impl FnOnce(CaseId, CaseEventId) -> Result<(Vec<Case>, Vec<CaseEvent>), E>,
) -> Result<WrittenCases, E> {
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx(path, "starting the write")?;
    let before = last_seq(&tx).ctx(path, "reading the change log")?;
    let first_case = next_id(&tx, path, "cases")?;
    let first_event = next_id(&tx, path, "case_events")?;
    let (cases, events) = make(CaseId(first_case), CaseEventId(first_event))?;
    write_cases(&tx, &cases).ctx(path, "writing cases")?;
    write_case_events(&tx, &events).ctx(path, "writing case history")?;
    grow_extent(&tx, path, &cases)?;
    trim(&tx).ctx(path, "trimming the change log")?;
    let after = last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(WrittenCases {
        cases,
        events,
        log: SeqRange { before, after },
    })
}

/// The next id of an AUTOINCREMENT table: past every row and every id ever used (a deleted
/// case's id is not given to a new one).
pub(crate) fn next_id(conn: &Connection, path: &Path, table: &str) -> Result<i64, StoreError> {
    conn.query_row(
        &format!(
            "SELECT max(coalesce((SELECT max(id) FROM {table}), 0),
                        coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) + 1"
        ),
        [],
        |r| r.get(0),
    )
    .ctx(path, "allocating ids")
}

/// Appends history entries, renumbered from the first free id.
fn append_events(
    conn: &Connection,
    path: &Path,
    events: &[CaseEvent],
) -> Result<Vec<CaseEvent>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let first = next_id(conn, path, "case_events")?;
    let events: Vec<CaseEvent> = events
        .iter()
        .zip(first..)
        .map(|(e, id)| CaseEvent {
            id: CaseEventId(id),
            ..e.clone()
        })
        .collect();
    write_case_events(conn, &events).ctx(path, "writing case history")?;
    Ok(events)
}

/// The columns in which two versions of a case differ (for messages, and for the update).
pub(crate) fn differing_columns(a: &Case, b: &Case) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |same: bool, column: &'static str| {
        if !same {
            out.push(column);
        }
    };
    check(a.code == b.code, "code");
    check(a.category == b.category, "category");
    check(a.title == b.title, "title");
    check(a.description == b.description, "description");
    check(a.status == b.status, "status");
    check(a.level == b.level, "level");
    check(a.reporter == b.reporter, "reporter");
    check(a.handler == b.handler, "handler_id");
    check(a.reported_at == b.reported_at, "reported_at");
    check(a.accepted_at == b.accepted_at, "accepted_at");
    check(a.due_at == b.due_at, "due_at");
    check(a.closed_at == b.closed_at, "closed_at");
    check(a.unit == b.unit, "unit_id");
    check(a.location == b.location, "geom");
    out
}

/// `UPDATE cases SET <only what differs>`: columns the step did not touch are left as they are.
fn update_changed_columns(
    conn: &Connection,
    path: &Path,
    seen: &Case,
    next: &Case,
) -> Result<(), StoreError> {
    use rusqlite::types::Value;
    let mut sets = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for column in differing_columns(seen, next) {
        let value = column_value(next, column).map_err(|what| StoreError::BadRow {
            path: path.to_owned(),
            table: "cases",
            id: next.id.0,
            what,
        })?;
        sets.push(format!("{column} = ?{}", values.len() + 2));
        values.push(value);
    }
    if sets.is_empty() {
        return Ok(());
    }
    let sql = format!("UPDATE cases SET {} WHERE id = ?1", sets.join(", "));
    let mut all = vec![Value::Integer(next.id.0)];
    all.extend(values);
    conn.execute(&sql, rusqlite::params_from_iter(all))
        .ctx(path, "writing the case")?;
    Ok(())
}

/// A column of `cases` as the file stores it (both backends write these values).
pub(crate) fn column_value(next: &Case, column: &str) -> Result<rusqlite::types::Value, String> {
    use rusqlite::types::Value;
    let ts =
        |t: Option<crate::model::Timestamp>| t.map_or(Value::Null, |t| Value::Text(t.to_iso()));
    Ok(match column {
        "code" => Value::Text(next.code.clone()),
        "category" => Value::Text(next.category.to_string()),
        "title" => Value::Text(next.title.clone()),
        "description" => Value::Text(next.description.clone()),
        "status" => Value::Text(next.status.code().to_owned()),
        "level" => Value::Integer(i64::from(next.level.number())),
        "reporter" => Value::Text(next.reporter.clone()),
        "handler_id" => next.handler.map_or(Value::Null, |w| Value::Integer(w.0)),
        "reported_at" => Value::Text(next.reported_at.to_iso()),
        "accepted_at" => ts(next.accepted_at),
        "due_at" => ts(next.due_at),
        "closed_at" => ts(next.closed_at),
        "unit_id" => next.unit.map_or(Value::Null, |u| Value::Integer(u.0)),
        _ => Value::Blob(geometry::encode_point(next.location)?),
    })
}

/// The layer's extent in `gpkg_contents` grows to cover new locations, so QGIS's "zoom to
/// layer" still finds them (one update for all of them: an import may bring thousands).
fn grow_extent(conn: &Connection, path: &Path, cases: &[Case]) -> Result<(), StoreError> {
    grow_layer_extent(conn, path, "cases", cases.iter().map(|c| c.location))
}

/// Grows a layer's `gpkg_contents` extent to take in `points` (QGIS zooms to a layer by it).
pub(crate) fn grow_layer_extent(
    conn: &Connection,
    path: &Path,
    table: &str,
    points: impl Iterator<Item = geo_types::Point<f64>>,
) -> Result<(), StoreError> {
    let extent = points.fold(None, |e: Option<[f64; 4]>, p| {
        let (x, y) = (p.x(), p.y());
        Some(e.map_or([x, y, x, y], |[a, b, p, q]| {
            [a.min(x), b.min(y), p.max(x), q.max(y)]
        }))
    });
    if let Some([min_x, min_y, max_x, max_y]) = extent {
        conn.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1),
               min_y = min(coalesce(min_y, ?2), ?2), max_x = max(coalesce(max_x, ?3), ?3),
               max_y = max(coalesce(max_y, ?4), ?4) WHERE table_name = ?5",
            params![min_x, min_y, max_x, max_y, table],
        )
        .ctx(path, "updating the layer's extent")?;
    }
    Ok(())
}

/// Sets (or with `None` removes) a document's own handling window for a category, in hours at
/// the micro-grid level.
pub fn set_deadline_hours(
    path: &Path,
    category: crate::model::CategoryCode,
    hours: Option<u32>,
) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::Plans,
            move |p| set_deadline_hours(p, category, hours),
        );
        return done.map(|(v, _)| v);
    }
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
