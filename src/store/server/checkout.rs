//! Every write the file's code carries (plans and their approval, unit and roster imports,
//! workers, re-assignment, deadlines, accounts), on a server document: under the write lock,
//! the document's rows are copied into a scratch GeoPackage, the file's own writer runs on it
//! unchanged, and the rows it inserted, changed or deleted go back to the server in the same
//! transaction.
//!
//! Why a working copy rather than a second, PostgreSQL flavour of each writer: each of those
//! writers holds checks that matter (a plan's base boundaries as drafted, an import's matching,
//! the audit chain, the sealing of personal columns) and they are long. Written twice they
//! would drift; here they are one code. The price is the copy, measured by `bench checkout`:
//! writers that touch only the plan tables copy only those, the others copy the document.
//!
//! Why the lock makes it safe: the copy is read after the write lock is taken, and every writer
//! on the server takes that lock first — our case steps, and other programs' writes through the
//! change-log trigger — so nothing changes on the server between the copy and the push. What a
//! writer compares (a plan's units as drafted, a worker as the panel saw it) it compares with
//! the server's current rows, and a refusal writes nothing.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::store::StoreError;
use crate::store::change_log::SeqRange;
use crate::store::error::SqliteContext;
use crate::store::server::schema::{self, Table, quoted};
use crate::store::server::{ServerContext, ServerUrl, case_writes, connect, mirror};

/// Which of the document's tables a writer reads or writes. A writer given `Tables::Plans`
/// must touch nothing else: the others are empty in its copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tables {
    All,
    Plans,
}

impl Tables {
    pub(super) fn includes(self, table: &str) -> bool {
        match self {
            Tables::All => true,
            Tables::Plans => {
                ["plans", "plan_steps", "unit_history", "gridatlas_meta"].contains(&table)
            }
        }
    }
}

/// The table a writer's change is recorded in, in the copy only.
const CAPTURE: &str = "gridatlas_checkout";

/// Runs `write` on a copy of the server document at `url` and pushes what it changed, in one
/// server transaction under the write lock. Returns the writer's answer and the range of the
/// server's change log that holds the push (a seat skips it: it has applied the write).
pub(crate) fn write_through<T>(
    url: &ServerUrl,
    tables: Tables,
    write: impl FnOnce(&Path) -> Result<T, StoreError>,
) -> Result<(T, SeqRange), StoreError> {
    let scratch = Scratch::new()?;
    let mut client = connect(url)?;
    let (mut tx, before) = case_writes::begin(&mut client, url)?;
    fill(&mut tx, url, &scratch, tables)?;
    crate::store::soundness::vouch_sound(&scratch.document);
    let answer = write(&scratch.document)?;
    let created = push(&mut tx, url, &scratch.document)?;
    let after = mirror::last_seq(&mut tx, url)?;
    case_writes::commit(tx, url)?;
    if created {
        // The catalogue's answer is kept per server (it costs more than a step); a new
        // table (accounts, the audit log) makes it stale.
        mirror::forget_tables(url);
    }
    Ok((answer, SeqRange { before, after }))
}

/// A scratch directory holding the copy and the rows as the server sent them; removed
/// whatever happens.
struct Scratch {
    dir: PathBuf,
    document: PathBuf,
    rows: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch, StoreError> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("gridatlas-checkout-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Scratch {
            document: dir.join("document.gpkg"),
            rows: dir.join("rows.sqlite"),
            dir,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A window writes through many copies in a session: the list of vouched files must
        // not grow with them.
        crate::store::soundness::forget_sound(&self.document);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes the copy: an empty document of this schema, then the server's rows of `tables`,
/// column by column (no decoding: a row the writer leaves alone goes nowhere, and one it
/// changes goes back as the file's code wrote it). Change capture is installed last.
fn fill(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    scratch: &Scratch,
    tables: Tables,
) -> Result<(), StoreError> {
    let rows = Connection::open(&scratch.rows).ctx(&scratch.rows, "building the copy")?;
    rows.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        .ctx(&scratch.rows, "building the copy")?;
    mirror::mirror_tables_in(tx, url, &rows, &|t| tables.includes(t))?;
    mirror::check_version(&rows, url)?;
    drop(rows);

    let empty = crate::model::Dataset::empty(crate::model::DatasetMeta::blank());
    let doc = &scratch.document;
    crate::store::create(doc, &empty, false)?;
    let conn = Connection::open(doc).ctx(doc, "building the copy")?;
    // Tables are filled one after another, a history before its case: the server's rows are
    // whole, and the references are checked where they matter (`check`), not by the copy.
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;")
        .ctx(doc, "building the copy")?;
    // The copy's spatial index and change log are nobody's: their triggers would only slow
    // the fill and the writer (the R-tree's also need SQL functions this connection lacks).
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .ctx(doc, "building the copy")?;
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {}", quoted(&t)))
            .ctx(doc, "building the copy")?;
    }
    conn.execute("ATTACH DATABASE ?1 AS m", [scratch.rows.to_string_lossy()])
        .ctx(doc, "building the copy")?;
    let w = conn.unchecked_transaction().ctx(doc, "building the copy")?;
    let theirs = mirror::table_names(&w, "m").ctx(doc, "building the copy")?;
    // Tables an empty document lacks and the server may have: the accounts and the audit log
    // are created when first needed.
    for (name, create) in [
        ("gridatlas_accounts", crate::store::accounts::ACCOUNTS_TABLE),
        ("gridatlas_audit", crate::store::audit::AUDIT_TABLE),
    ] {
        if theirs.contains(name) {
            w.execute_batch(create).ctx(doc, "building the copy")?;
        }
    }
    for table in schema::document_tables(&w).ctx(doc, "building the copy")? {
        if !theirs.contains(&table.name) {
            continue;
        }
        let ours: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let list = mirror::column_names(&w, "m", &table.name)
            .ctx(doc, "building the copy")?
            .into_iter()
            .filter(|c| ours.contains(c))
            .map(|c| quoted(&c))
            .collect::<Vec<_>>()
            .join(", ");
        let t = quoted(&table.name);
        w.execute_batch(&format!(
            "DELETE FROM main.{t}; INSERT INTO main.{t} ({list}) SELECT {list} FROM m.{t};"
        ))
        .ctx(doc, "building the copy")?;
    }
    w.commit().ctx(doc, "building the copy")?;
    conn.execute("DETACH DATABASE m", [])
        .ctx(doc, "building the copy")?;
    install_capture(&conn, doc)
}

/// Triggers that record the key of every row the writer inserts, changes or deletes, in every
/// table of the document. A table the writer creates has none; it goes to the server whole.
fn install_capture(conn: &Connection, doc: &Path) -> Result<(), StoreError> {
    let mut sql = format!(
        "CREATE TABLE {CAPTURE} (table_name TEXT NOT NULL, key NOT NULL, PRIMARY KEY (table_name, key));\n"
    );
    for table in schema::document_tables(conn).ctx(doc, "building the copy")? {
        let Some(key) = primary_key(&table) else {
            continue;
        };
        let t = &table.name;
        let k = quoted(key);
        // No statement here can conflict (the outer statement's conflict policy would apply).
        let log = |row: &str| {
            format!(
                "INSERT INTO {CAPTURE} SELECT '{t}', {row}.{k}
                   WHERE NOT EXISTS (SELECT 1 FROM {CAPTURE} WHERE table_name = '{t}' AND key = {row}.{k});"
            )
        };
        for (event, body) in [
            ("INSERT", log("NEW")),
            ("UPDATE", log("OLD") + &log("NEW")),
            ("DELETE", log("OLD")),
        ] {
            sql.push_str(&format!(
                "CREATE TRIGGER {} AFTER {event} ON {} BEGIN {body} END;\n",
                quoted(&format!("{CAPTURE}_{t}_{}", event.to_lowercase())),
                quoted(t)
            ));
        }
    }
    conn.execute_batch(&sql).ctx(doc, "building the copy")
}

fn primary_key(table: &Table) -> Option<&str> {
    let mut keys = table.columns.iter().filter(|c| c.primary_key);
    match (keys.next(), keys.next()) {
        (Some(k), None) => Some(&k.name),
        _ => None,
    }
}

/// Sends back every row the writer touched: deleted keys are deleted on the server, the rest
/// are copied in (`COPY`, as publish does) and upserted, so the server's triggers version and
/// log them and every seat hears of them. Says whether it created a table on the server.
fn push(tx: &mut postgres::Transaction, url: &ServerUrl, doc: &Path) -> Result<bool, StoreError> {
    let mut created = false;
    let conn = Connection::open(doc).ctx(doc, "reading the copy")?;
    let touched: Vec<String> = conn
        .prepare(&format!("SELECT DISTINCT table_name FROM {CAPTURE}"))
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .ctx(doc, "reading the copy")?;
    for table in schema::document_tables(&conn).ctx(doc, "reading the copy")? {
        let Some(key) = primary_key(&table) else {
            continue;
        };
        let name = table.name.clone();
        let k = quoted(key);
        let t = quoted(&name);
        // A table the writer created (the accounts, the audit log, on a document that had
        // none) is created on the server and goes whole; otherwise the rows captured go.
        let rows = if created_on_server(tx, url, &table)? {
            created = true;
            "1".to_owned()
        } else if touched.contains(&name) {
            format!(
                "{k} IN (SELECT key FROM {CAPTURE} WHERE table_name = {})",
                sql_text(&name)
            )
        } else {
            continue;
        };
        let gone: Vec<Value> = conn
            .prepare(&format!(
                "SELECT key FROM {CAPTURE} c WHERE table_name = ?1
                   AND NOT EXISTS (SELECT 1 FROM {t} WHERE {k} = c.key)"
            ))
            .and_then(|mut s| s.query_map([&name], |r| r.get(0))?.collect())
            .ctx(doc, "reading the copy")?;
        delete_keys(tx, url, &t, &k, &gone)?;
        let stage = quoted(&format!("gridatlas_stage_{name}"));
        tx.batch_execute(&format!(
            "CREATE TEMP TABLE {stage} (LIKE {t} INCLUDING DEFAULTS) ON COMMIT DROP"
        ))
        .sctx(url, "writing")?;
        let copied = crate::store::server::publish::copy_rows_where(
            &conn,
            doc,
            tx,
            url,
            &table,
            &format!("gridatlas_stage_{name}"),
            &rows,
        )?;
        if copied > 0 {
            let list = table.column_list();
            let set = table
                .columns
                .iter()
                .filter(|c| c.name != key)
                .map(|c| format!("{0} = excluded.{0}", quoted(&c.name)))
                .collect::<Vec<_>>()
                .join(", ");
            let on_conflict = if set.is_empty() {
                "DO NOTHING".to_owned()
            } else {
                format!("DO UPDATE SET {set}")
            };
            tx.batch_execute(&format!(
                "INSERT INTO {t} ({list}) SELECT {list} FROM {stage} ON CONFLICT ({k}) {on_conflict}"
            ))
            .sctx(url, "writing")?;
        }
    }
    Ok(created)
}

/// Creates `table` on the server when it is not there yet; says whether it did.
fn created_on_server(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    table: &Table,
) -> Result<bool, StoreError> {
    let exists: bool = tx
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&quoted(&table.name)],
        )
        .sctx(url, "looking at the database")?
        .get(0);
    if !exists {
        tx.batch_execute(&schema::create_tables_sql(std::slice::from_ref(table)))
            .sctx(url, "creating a table")?;
    }
    Ok(!exists)
}

fn delete_keys(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    table: &str,
    key: &str,
    gone: &[Value],
) -> Result<(), StoreError> {
    let ints: Vec<i64> = gone
        .iter()
        .filter_map(|v| match v {
            Value::Integer(i) => Some(*i),
            _ => None,
        })
        .collect();
    let texts: Vec<String> = gone
        .iter()
        .filter_map(|v| match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    if !ints.is_empty() {
        tx.execute(
            &format!("DELETE FROM {table} WHERE {key} = ANY($1)"),
            &[&ints],
        )
        .sctx(url, "writing")?;
    }
    if !texts.is_empty() {
        tx.execute(
            &format!("DELETE FROM {table} WHERE {key}::text = ANY($1)"),
            &[&texts],
        )
        .sctx(url, "writing")?;
    }
    Ok(())
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
