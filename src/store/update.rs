//! Writing changes to an existing document: validated first (a file we cannot read is never
//! written), then every change in one SQLite transaction, so a crash leaves all or nothing.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use crate::model::{CaseId, HouseholdId, UnitId};
use crate::store::error::SqliteContext;
use crate::store::{StoreError, open_validated};

/// Opens a validated document for writing (WAL mode, busy timeout).
pub(crate) fn open_for_writing(path: &Path) -> Result<Connection, StoreError> {
    drop(open_validated(path)?);
    crate::store::access::ensure_may_write(path)?;
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ctx(path, "opening for writing")?;
    // Triggers QGIS or GDAL installed (a spatial index) call these on our writes too.
    crate::store::sql_functions::register(&conn).ctx(path, "registering SQL functions")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .ctx(path, "configuring")?;
    crate::store::soundness::refuse_if_corrupt(path, &conn)?;
    let _: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .ctx(path, "switching to WAL")?;
    migrate(path, &mut conn)?;
    Ok(conn)
}

/// SQLite's own integrity check of the whole file (b-trees, indexes, constraints), read-only:
/// the problems it finds, or none.
pub fn integrity_problems(path: &Path) -> Result<Vec<String>, StoreError> {
    let conn = open_validated(path)?;
    crate::store::soundness::sqlite_problems(&conn, "integrity_check")
        .ctx(path, "checking the file")
}

/// History entries whose case no longer exists (deleted by another program, which left its
/// history): (entry id, case id). They are not loaded; `check` names them.
pub fn orphan_case_events(path: &Path) -> Result<Vec<(i64, i64)>, StoreError> {
    let conn = open_validated(path)?;
    conn.prepare(
        "SELECT id, case_id FROM case_events WHERE case_id NOT IN (SELECT id FROM cases) ORDER BY id",
    )
    .and_then(|mut st| {
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .ctx(path, "reading case history")
}

/// Checks that a writing command may write `path`: a readable GridAtlas document this version
/// can migrate, that SQLite does not report damaged. Nothing is changed but a migration.
pub fn ensure_writable(path: &Path) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        // The server says at the write whether it takes it; here, that it is one we can read.
        return crate::store::server::open_mirror(&url, crate::store::server::Tables::Plans)
            .map(drop);
    }
    open_for_writing(path).map(drop)
}

/// Brings an older file up to this schema before a window opens it, so that it has the change
/// log. A file that cannot be opened for writing (read-only media, permissions) is left as it
/// is: the window then reloads on any commit instead of applying changes row by row.
///
/// A file already of this schema and in WAL mode needs no write here, and so no soundness
/// check before the window reads it: the check reads the whole file (6 s on a city), and the
/// window starts it on a thread of its own once it has read the document
/// ([`crate::store::check_soundness_in_background`]); the first write waits for its verdict.
/// A file that needs a migration is checked first, since the migration writes.
pub fn prepare_for_sharing(path: &Path) -> Result<(), StoreError> {
    if needs_no_write(path)? {
        return Ok(());
    }
    match open_for_writing(path) {
        Ok(_) => Ok(()),
        Err(
            StoreError::Sqlite { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::ReadOnlyFolder { .. },
        ) => {
            drop(open_validated(path)?);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Whether a window may share `path` as it is: a document of this schema, in WAL mode (so
/// other programs' commits are read from the change log without a write of ours first).
fn needs_no_write(path: &Path) -> Result<bool, StoreError> {
    use crate::store::schema::SCHEMA_VERSION;
    let conn = open_validated(path)?;
    let version = schema_version(path, &conn)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .ctx(path, "reading the journal mode")?;
    Ok(version == SCHEMA_VERSION && mode.eq_ignore_ascii_case("wal"))
}

/// The file's schema version (this version's when it says none readable).
fn schema_version(path: &Path, conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'schema_version'",
            [],
            |r| r.get::<_, String>(0),
        )
        .ctx(path, "reading the schema version")?
        .trim()
        .parse()
        .unwrap_or(crate::store::schema::SCHEMA_VERSION))
}

/// Brings an older (validated) file up to this schema, all steps in one transaction.
fn migrate(path: &Path, conn: &mut Connection) -> Result<(), StoreError> {
    use crate::store::schema::{MIGRATIONS, SCHEMA_VERSION};
    let version = schema_version(path, conn)?;
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction().ctx(path, "starting the migration")?;
    for (from, step) in MIGRATIONS.iter().filter(|(from, _)| *from >= version) {
        step(&tx).ctx(path, "migrating")?;
        tx.execute(
            "UPDATE gridatlas_meta SET value = ?1 WHERE key = 'schema_version'",
            params![(from + 1).to_string()],
        )
        .ctx(path, "migrating")?;
    }
    tx.commit().ctx(path, "committing the migration")?;
    Ok(())
}

/// A change of a row's `unit_id`: its id, the value it had when read, the value to write.
pub type Reassignment<Id> = (Id, Option<UnitId>, Option<UnitId>);

/// Sets `unit_id` of the given households and cases, all in one transaction — but only where
/// the row still has the `unit_id` it had when read. If another program changed or deleted any
/// of them meanwhile, nothing is written and the error names the first such row (with how many
/// more), so a re-run starts from the fresh state instead of overwriting it.
pub fn update_assignments(
    path: &Path,
    households: &[Reassignment<HouseholdId>],
    cases: &[Reassignment<CaseId>],
) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| update_assignments(p, households, cases),
        );
        return done.map(|(v, _)| v);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the write")?;
    let mut stale: Vec<(&'static str, i64)> = Vec::new();
    for (table, rows) in [
        (
            "households",
            households
                .iter()
                .map(|(id, old, new)| (id.0, *old, *new))
                .collect::<Vec<_>>(),
        ),
        (
            "cases",
            cases
                .iter()
                .map(|(id, old, new)| (id.0, *old, *new))
                .collect(),
        ),
    ] {
        let mut stmt = tx
            .prepare(&format!(
                "UPDATE {table} SET unit_id = ?3 WHERE id = ?1 AND unit_id IS ?2"
            ))
            .ctx(path, "writing assignments")?;
        for (id, old, new) in rows {
            let n = stmt
                .execute(params![id, old.map(|u| u.0), new.map(|u| u.0)])
                .ctx(path, "writing assignments")?;
            if n == 0 {
                stale.push((table, id));
            }
        }
    }
    if let Some((table, id)) = stale.first() {
        return Err(StoreError::Conflict {
            path: path.to_owned(),
            what: format!(
                "{table} row id {id}{} changed or deleted by another program while this ran; nothing was written, run it again",
                match stale.len() - 1 {
                    0 => " was".to_owned(),
                    more => format!(" and {more} more rows were"),
                }
            ),
        });
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(())
}
