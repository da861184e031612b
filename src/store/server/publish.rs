//! `gridatlas publish FILE --to URL`: a document copied into an empty database, in one
//! transaction (a database with half a county in it is never left behind).

use std::io::Write;
use std::path::Path;

use rusqlite::types::ValueRef;
use serde::Serialize;

use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::server::schema::{self, Kind, Table, quoted};
use crate::store::server::{ServerContext, ServerUrl, blob, connect};

#[derive(Debug, Serialize)]
pub struct PublishReport {
    pub url: String,
    pub tables: Vec<(String, u64)>,
    pub elapsed_ms: u64,
}

/// Copies `file` into the database at `url`, which must hold no GridAtlas document. `progress`
/// hears each table as it is copied, with its row count.
pub fn publish(
    file: &Path,
    url: &ServerUrl,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<PublishReport, StoreError> {
    let started = std::time::Instant::now();
    let source = crate::store::read::open_validated(file)?;
    let version: String = source
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ctx(file, "reading the schema version")?;
    if version.trim() != crate::store::SCHEMA_VERSION.to_string() {
        return Err(StoreError::Refused {
            path: file.to_owned(),
            what: format!(
                "schema version {version}: bring it to version {} first (`gridatlas assign` or opening it in the window does), then publish",
                crate::store::SCHEMA_VERSION
            ),
        });
    }
    let tables = schema::document_tables(&source).ctx(file, "reading the tables")?;
    let mut client = connect(url)?;
    let taken: bool = client
        .query_one("SELECT to_regclass('gridatlas_meta') IS NOT NULL", &[])
        .sctx(url, "looking at the database")?
        .get(0);
    if taken {
        return Err(StoreError::Refused {
            path: url.label(),
            what: "the database already holds a GridAtlas document; publish into an empty database (createdb), or `gridatlas pull` it first".into(),
        });
    }
    let mut tx = client.transaction().sctx(url, "starting the copy")?;
    tx.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
        .sctx(
            url,
            "enabling PostGIS (the database needs the postgis extension installed)",
        )?;
    tx.batch_execute(&schema::create_tables_sql(&tables))
        .sctx(url, "creating the tables")?;
    let mut report = Vec::new();
    // The source is read in one transaction: a consistent snapshot even while QGIS writes it.
    let snapshot = source
        .unchecked_transaction()
        .ctx(file, "starting the read")?;
    for table in &tables {
        let rows = copy_table(&snapshot, file, &mut tx, url, table)?;
        progress(&table.name, rows);
        report.push((table.name.clone(), rows));
    }
    drop(snapshot);
    tx.batch_execute(&schema::finish_sql(&tables))
        .sctx(url, "creating indexes and the change log")?;
    tx.commit().sctx(url, "committing")?;
    // Statistics for the planner, after the commit (ANALYZE of fresh tables is what makes the
    // first viewport query use the GiST index).
    client.batch_execute("ANALYZE").sctx(url, "analyzing")?;
    Ok(PublishReport {
        url: url.redacted(),
        tables: report,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// One table through `COPY … FROM STDIN` (text format): the fastest way in, a row per line.
pub(crate) fn copy_table(
    source: &rusqlite::Connection,
    file: &Path,
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    table: &Table,
) -> Result<u64, StoreError> {
    copy_rows_where(source, file, tx, url, table, &table.name, "1")
}

/// The rows of `table` in `source` that match `filter` (SQL after WHERE), through `COPY` into
/// the server's table `into` (the table itself, or a staging table with its columns).
pub(crate) fn copy_rows_where(
    source: &rusqlite::Connection,
    file: &Path,
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    table: &Table,
    into: &str,
    filter: &str,
) -> Result<u64, StoreError> {
    let mut writer = tx
        .copy_in(&format!(
            "COPY {} ({}) FROM STDIN",
            quoted(into),
            table.column_list()
        ))
        .sctx(url, "copying")?;
    let mut stmt = source
        .prepare(&format!(
            "SELECT {} FROM {} WHERE {filter}",
            table.column_list(),
            quoted(&table.name)
        ))
        .ctx(file, "reading")?;
    let mut rows = stmt.query([]).ctx(file, "reading")?;
    let mut line = String::new();
    let mut count = 0u64;
    let io = |e: std::io::Error| StoreError::Io {
        path: url.label(),
        source: e,
    };
    while let Some(row) = rows.next().ctx(file, "reading")? {
        line.clear();
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            let value = row.get_ref(i).ctx(file, "reading")?;
            let id = || row.get::<_, i64>(0).unwrap_or(0);
            put_value(&mut line, value, column.kind).map_err(|what| StoreError::BadRow {
                path: file.to_owned(),
                table: leak_name(&table.name),
                id: id(),
                what: format!("{}: {what}", column.name),
            })?;
        }
        line.push('\n');
        writer.write_all(line.as_bytes()).map_err(io)?;
        count += 1;
    }
    writer.finish().sctx(url, "copying")?;
    Ok(count)
}

/// `StoreError::BadRow` names its table with a `&'static str`; the document's tables are few
/// and fixed, so the known names are matched rather than leaked.
fn leak_name(name: &str) -> &'static str {
    const KNOWN: [&str; 11] = [
        "units",
        "households",
        "workers",
        "cases",
        "case_events",
        "plans",
        "plan_steps",
        "unit_history",
        "gridatlas_meta",
        "gridatlas_accounts",
        "gridatlas_audit",
    ];
    KNOWN.into_iter().find(|k| *k == name).unwrap_or("table")
}

/// One field in COPY's text format: `\N` for NULL, backslash escapes, bytea as `\\x…`,
/// geometry as hex EWKB text (`SRID=4326;…`), which PostGIS's input function reads.
fn put_value(out: &mut String, value: ValueRef, kind: Kind) -> Result<(), String> {
    use std::fmt::Write as _;
    match (value, kind) {
        (ValueRef::Null, _) => out.push_str("\\N"),
        (ValueRef::Blob(b), Kind::Geometry(_)) => {
            out.push_str("SRID=4326;");
            hex(out, blob::wkb_of(b)?);
        }
        (_, Kind::Geometry(_)) => return Err("geometry: not a blob".into()),
        (ValueRef::Integer(i), Kind::Integer) => {
            let _ = write!(out, "{i}");
        }
        (ValueRef::Integer(i), Kind::Real) => {
            let _ = write!(out, "{}", i as f64);
        }
        (ValueRef::Real(f), Kind::Real) => {
            let _ = write!(out, "{f:?}");
        }
        (ValueRef::Blob(b), Kind::Bytes) => {
            out.push_str("\\\\x");
            hex(out, b);
        }
        (ValueRef::Integer(i), Kind::Text) => {
            let _ = write!(out, "{i}");
        }
        (ValueRef::Real(f), Kind::Text) => {
            let _ = write!(out, "{f:?}");
        }
        (ValueRef::Text(t), Kind::Text) => escape(out, &String::from_utf8_lossy(t)),
        (ValueRef::Text(t), Kind::Bytes) => {
            out.push_str("\\\\x");
            hex(out, t);
        }
        (v, k) => {
            return Err(format!(
                "a {:?} value where the table declares {k:?}",
                v.data_type()
            ));
        }
    }
    Ok(())
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
}
