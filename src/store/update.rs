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
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ctx(path, "opening for writing")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .ctx(path, "configuring")?;
    let _: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .ctx(path, "switching to WAL")?;
    migrate(path, &mut conn)?;
    Ok(conn)
}

/// Brings an older (validated) file up to this schema, all steps in one transaction.
fn migrate(path: &Path, conn: &mut Connection) -> Result<(), StoreError> {
    use crate::store::schema::{MIGRATIONS, SCHEMA_VERSION};
    let version: i64 = conn
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'schema_version'",
            [],
            |r| r.get::<_, String>(0),
        )
        .ctx(path, "reading the schema version")?
        .trim()
        .parse()
        .unwrap_or(SCHEMA_VERSION);
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction().ctx(path, "starting the migration")?;
    for (from, sql) in MIGRATIONS.iter().filter(|(from, _)| *from >= version) {
        tx.execute_batch(sql).ctx(path, "migrating")?;
        tx.execute(
            "UPDATE gridatlas_meta SET value = ?1 WHERE key = 'schema_version'",
            params![(from + 1).to_string()],
        )
        .ctx(path, "migrating")?;
    }
    tx.commit().ctx(path, "committing the migration")?;
    Ok(())
}

/// Sets `unit_id` of the given households and cases, all in one transaction.
pub fn update_assignments(
    path: &Path,
    households: &[(HouseholdId, Option<UnitId>)],
    cases: &[(CaseId, Option<UnitId>)],
) -> Result<(), StoreError> {
    let mut conn = open_for_writing(path)?;
    let tx = conn.transaction().ctx(path, "starting the write")?;
    {
        let mut stmt = tx
            .prepare("UPDATE households SET unit_id = ?2 WHERE id = ?1")
            .ctx(path, "writing households")?;
        for (id, unit) in households {
            stmt.execute(params![id.0, unit.map(|u| u.0)])
                .ctx(path, "writing households")?;
        }
        let mut stmt = tx
            .prepare("UPDATE cases SET unit_id = ?2 WHERE id = ?1")
            .ctx(path, "writing cases")?;
        for (id, unit) in cases {
            stmt.execute(params![id.0, unit.map(|u| u.0)])
                .ctx(path, "writing cases")?;
        }
    }
    tx.commit().ctx(path, "committing")?;
    Ok(())
}
