//! Knowing what other writers changed. The document is shared: QGIS, GDAL, the command line and
//! a second window write it too. Plain SQL triggers record the id of every inserted, updated or
//! deleted row of the live tables in `gridatlas_changes` — they fire for QGIS's writes as well,
//! and need no custom SQL function — and a window polls `PRAGMA data_version` (which changes
//! when another connection commits) on a connection it keeps open, then reads the log from the
//! last sequence number it has seen and re-reads just those rows.
//!
//! The log keeps one entry per changed row (a row changed twice keeps its newest sequence
//! number), so it grows with the number of distinct rows ever changed, not with time; when it
//! passes [`LOG_LIMIT`] the oldest entries are dropped, and a reader that had not seen them
//! learns it must reload (`Changes::reload`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::model::{Case, CaseEvent, CaseEventId, CaseId};
use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::read::{read_case_events_by_id, read_cases_by_id};

/// Entries kept in the log before the oldest are dropped.
pub(crate) const LOG_LIMIT: i64 = 200_000;

/// The live tables whose rows the log records.
pub(crate) const LOGGED_TABLES: [&str; 5] =
    ["units", "households", "workers", "cases", "case_events"];

/// Version 3: the change log and its triggers.
pub(crate) fn change_log_sql() -> String {
    let mut sql = String::from(
        "CREATE TABLE gridatlas_changes (
           seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           table_name TEXT NOT NULL,
           row_id INTEGER NOT NULL,
           UNIQUE (table_name, row_id));\n",
    );
    for t in LOGGED_TABLES {
        // Delete, then insert: a row changed again moves to the end of the log with a new seq.
        // No statement here can conflict, so whatever conflict policy the outer statement has
        // (SQLite lets it override a trigger's: QGIS's INSERT OR REPLACE, our upserts) the log
        // entry is written.
        let log = |row: &str, guard: &str| {
            format!(
                "DELETE FROM gridatlas_changes WHERE table_name = '{t}' AND row_id = {row}{guard};
                 INSERT INTO gridatlas_changes (table_name, row_id) SELECT '{t}', {row} WHERE 1{guard};"
            )
        };
        for (event, body) in [
            ("INSERT", log("NEW.id", "")),
            (
                "UPDATE",
                // An update that changes the id logs both; one that does not, the id once.
                log("OLD.id", " AND OLD.id IS NOT NEW.id") + &log("NEW.id", ""),
            ),
            ("DELETE", log("OLD.id", "")),
        ] {
            sql.push_str(&format!(
                "CREATE TRIGGER gridatlas_log_{t}_{} AFTER {event} ON {t} BEGIN {body} END;\n",
                event.to_lowercase()
            ));
        }
    }
    sql
}

/// The newest sequence number in the log (0 when it is empty).
pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT coalesce(max(seq), 0) FROM gridatlas_changes",
        [],
        |r| r.get(0),
    )
}

/// Drops the oldest entries past [`LOG_LIMIT`] (inside the caller's write transaction) and
/// records how far, so that a reader behind that point knows to reload.
pub(crate) fn trim(conn: &Connection) -> rusqlite::Result<()> {
    let count: i64 = conn.query_row("SELECT count(*) FROM gridatlas_changes", [], |r| r.get(0))?;
    if count <= LOG_LIMIT {
        return Ok(());
    }
    let through: i64 = conn.query_row(
        "SELECT seq FROM gridatlas_changes ORDER BY seq LIMIT 1 OFFSET ?1",
        [count - LOG_LIMIT - 1],
        |r| r.get(0),
    )?;
    conn.execute("DELETE FROM gridatlas_changes WHERE seq <= ?1", [through])?;
    conn.execute(
        "INSERT OR REPLACE INTO gridatlas_meta (key, value) VALUES ('changes_trimmed_through', ?1)",
        [through.to_string()],
    )?;
    Ok(())
}

/// The entries one of our own write transactions added: `(before, after]`. A reader skips them
/// because it has applied that write already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeqRange {
    pub before: i64,
    pub after: i64,
}

/// What other writers committed since the last poll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Cases inserted or changed, as they are now in the file.
    pub cases: Vec<Case>,
    /// History entries inserted or changed, as they are now.
    pub case_events: Vec<CaseEvent>,
    /// Cases that are no longer in the file.
    pub deleted_cases: Vec<CaseId>,
    /// History entries that are no longer in the file.
    pub deleted_case_events: Vec<CaseEventId>,
    /// Units, households or workers changed (their rows are not re-read one by one: a window
    /// reloads, since they rebuild its geometry and indexes).
    pub units: bool,
    pub households: bool,
    pub workers: bool,
    /// The log cannot say what changed (entries dropped, or a document without a log):
    /// everything must be read again.
    pub reload: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Whether only cases and their history changed (applied in place, no reload).
    pub fn cases_only(&self) -> bool {
        !(self.units || self.households || self.workers || self.reload)
    }
}

/// A window's watch on its document: a connection kept open (so `PRAGMA data_version` means
/// "someone else committed since I last looked") and the last log entry applied.
pub struct ChangeWatch {
    conn: Connection,
    path: PathBuf,
    data_version: i64,
    cursor: LogCursor,
    has_log: bool,
}

/// Where a reader of a change log stands: the last entry applied, and the ranges of our own
/// writes (applied already, so skipped). Shared by a file's watch and a server seat.
#[derive(Debug, Clone, Default)]
pub(crate) struct LogCursor {
    pub seen: i64,
    own: Vec<SeqRange>,
}

/// Log entries sorted out: the flags of what changed, and the cases and history entries whose
/// rows must be read.
pub(crate) struct Pending {
    pub changes: Changes,
    pub cases: Vec<i64>,
    pub events: Vec<i64>,
}

impl LogCursor {
    pub fn new(seen: i64) -> LogCursor {
        LogCursor {
            seen,
            own: Vec::new(),
        }
    }

    pub fn own_write(&mut self, range: SeqRange) {
        if range.after > range.before {
            self.own.push(range);
        }
    }

    /// Sorts `(seq, table, row_id)` entries newer than `seen` (in order) and moves past them.
    pub fn take(&mut self, entries: &[(i64, String, i64)], reload: bool) -> Pending {
        let mut changes = Changes {
            reload,
            ..Changes::default()
        };
        let mut cases = BTreeSet::new();
        let mut events = BTreeSet::new();
        for (seq, table, row) in entries {
            if self.own.iter().any(|r| r.before < *seq && *seq <= r.after) {
                continue;
            }
            match table.as_str() {
                "cases" => {
                    cases.insert(*row);
                }
                "case_events" => {
                    events.insert(*row);
                }
                "units" => changes.units = true,
                "households" => changes.households = true,
                "workers" => changes.workers = true,
                _ => {}
            }
        }
        if let Some(last) = entries.last() {
            self.seen = last.0;
        }
        let seen = self.seen;
        self.own.retain(|r| r.after > seen);
        Pending {
            changes,
            cases: cases.into_iter().collect(),
            events: events.into_iter().collect(),
        }
    }
}

impl Pending {
    /// Whether rows must be read: only cases changed (anything else reloads), and some did.
    pub fn needs_rows(&self) -> bool {
        self.changes.cases_only() && !(self.cases.is_empty() && self.events.is_empty())
    }

    /// The changes with their rows, as `conn` (the file, or a server's mirror) holds them;
    /// asked-for rows that are gone are deletions.
    pub fn read_rows(self, conn: &Connection, path: &Path) -> Result<Changes, StoreError> {
        if !self.needs_rows() {
            return Ok(self.changes);
        }
        let Pending {
            mut changes,
            cases,
            events,
        } = self;
        changes.cases = read_cases_by_id(conn, path, &cases)?;
        changes.case_events = read_case_events_by_id(conn, path, &events)?;
        changes.deleted_cases = missing(&cases, changes.cases.iter().map(|c| c.id.0))
            .map(CaseId)
            .collect();
        changes.deleted_case_events = missing(&events, changes.case_events.iter().map(|e| e.id.0))
            .map(CaseEventId)
            .collect();
        Ok(changes)
    }
}

impl ChangeWatch {
    /// Starts watching at the document's current state (the one just loaded).
    pub fn open(path: &Path, loaded_at: i64) -> Result<ChangeWatch, StoreError> {
        let conn =
            crate::store::access::open_for_reading(path).ctx(path, "opening the change watch")?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .ctx(path, "configuring")?;
        let has_log = has_log(&conn).ctx(path, "looking for the change log")?;
        let data_version = data_version(&conn).ctx(path, "reading data_version")?;
        Ok(ChangeWatch {
            conn,
            path: path.to_owned(),
            data_version,
            cursor: LogCursor::new(loaded_at),
            has_log,
        })
    }

    /// The last log entry this watch has applied.
    pub fn seen(&self) -> i64 {
        self.cursor.seen
    }

    /// Marks a write of our own as applied already.
    pub fn own_write(&mut self, range: SeqRange) {
        self.cursor.own_write(range);
    }

    /// Cheap when nothing happened (one pragma); otherwise reads the log since the last entry
    /// seen and the rows it names, in one read transaction (a consistent snapshot).
    pub fn poll(&mut self) -> Result<Changes, StoreError> {
        let path = self.path.clone();
        let version = data_version(&self.conn).ctx(&path, "reading data_version")?;
        if version == self.data_version {
            return Ok(Changes::default());
        }
        self.data_version = version;
        if !self.has_log {
            return Ok(Changes {
                reload: true,
                ..Changes::default()
            });
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx(&path, "reading the change log")?;
        let trimmed: i64 = tx
            .query_row(
                "SELECT value FROM gridatlas_meta WHERE key = 'changes_trimmed_through'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .ctx(&path, "reading the change log")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let entries: Vec<(i64, String, i64)> = tx
            .prepare(
                "SELECT seq, table_name, row_id FROM gridatlas_changes WHERE seq > ?1 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([self.cursor.seen], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .ctx(&path, "reading the change log")?;
        // Entries this watch never saw were dropped from the log.
        let reload = trimmed > self.cursor.seen;
        self.cursor.take(&entries, reload).read_rows(&tx, &path)
    }
}

/// The ids asked for that were not found: rows deleted since they were logged.
fn missing(asked: &[i64], found: impl Iterator<Item = i64>) -> impl Iterator<Item = i64> + '_ {
    let found: BTreeSet<i64> = found.collect();
    asked.iter().copied().filter(move |id| !found.contains(id))
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

/// The last entry of the log as a snapshot sees it; read in the same transaction as a load so
/// that a watch starts exactly where the loaded data ends.
pub(crate) fn snapshot_seq(conn: &Connection) -> rusqlite::Result<i64> {
    if !has_log(conn)? {
        return Ok(0);
    }
    last_seq(conn)
}

/// Whether the document has a change log (schema 3 and later).
fn has_log(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'gridatlas_changes'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}
