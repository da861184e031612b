//! Bad input: every broken file gets a one-line error that says what is wrong, and the file
//! stays byte-identical.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::{Path, PathBuf};

use gridatlas::store::{self, StoreError};

fn demo_file(dir: &Path, name: &str) -> PathBuf {
    let dataset = common::township(7);
    let path = dir.join(name);
    store::create(&path, &dataset, false).unwrap();
    path
}

/// Opens `path`, expects an error containing `expected`, and checks the bytes did not change.
fn refuses(path: &Path, expected: &str) -> StoreError {
    let before = std::fs::read(path).unwrap();
    let err = store::load(path).expect_err("a bad file must be refused");
    let message = err.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.contains(expected),
        "'{message}' should say '{expected}'"
    );
    assert!(
        message.contains(&path.display().to_string()),
        "names the file: {message}"
    );
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "{} was modified",
        path.display()
    );
    err
}

/// Structural damage (not row contents) is refused by `info` as well.
fn info_refuses(path: &Path) {
    let before = std::fs::read(path).unwrap();
    assert!(store::read_info(path).is_err());
    assert_eq!(std::fs::read(path).unwrap(), before);
}

fn sql(path: &Path, statements: &str) {
    let conn = common::other_writer(path);
    conn.execute_batch(statements).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
}

#[test]
fn not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("households.csv");
    std::fs::write(&path, "id,lon,lat\n1,113.6,28.1\n").unwrap();
    refuses(&path, "not a GeoPackage or SQLite file");
    info_refuses(&path);
    let empty = dir.path().join("empty.gpkg");
    std::fs::write(&empty, b"").unwrap();
    refuses(&empty, "not a GeoPackage or SQLite file");
}

#[test]
fn truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path(), "cut.gpkg");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    refuses(&path, "truncated");
    info_refuses(&path);
    // Cut in the middle of a page too.
    std::fs::write(&path, &bytes[..bytes.len() / 3 + 100]).unwrap();
    refuses(&path, "truncated");
}

#[test]
fn newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path(), "future.gpkg");
    sql(
        &path,
        "UPDATE gridatlas_meta SET value = '99' WHERE key = 'schema_version';",
    );
    refuses(&path, "schema version 99");
    info_refuses(&path);
}

#[test]
fn missing_table_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path(), "no-cases.gpkg");
    sql(&path, "DROP TABLE case_events;");
    refuses(&path, "table 'case_events' is missing");
    info_refuses(&path);
    let path = demo_file(dir.path(), "no-tags.gpkg");
    sql(&path, "ALTER TABLE households DROP COLUMN tags;");
    refuses(&path, "table 'households' has no column 'tags'");
}

#[test]
fn plain_geopackage_from_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path(), "other.gpkg");
    sql(&path, "DROP TABLE gridatlas_meta;");
    refuses(&path, "not a GridAtlas document");
    let path = dir.path().join("plain.sqlite");
    sql(&path, "CREATE TABLE t (x);");
    refuses(&path, "not a GeoPackage");
}

#[test]
fn bad_rows_name_the_row_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    // An unknown tag no longer refuses the document: it is a `check` finding (tests/trust.rs).
    let path = demo_file(dir.path(), "status.gpkg");
    sql(
        &path,
        "PRAGMA ignore_check_constraints = 1; UPDATE cases SET status = 'done' WHERE id = 3;",
    );
    refuses(&path, "cases row id 3: status 'done' is unknown");
    let path = demo_file(dir.path(), "time.gpkg");
    sql(
        &path,
        "UPDATE cases SET reported_at = 'yesterday' WHERE id = 5;",
    );
    refuses(
        &path,
        "cases row id 5: reported_at: 'yesterday' is not an ISO 8601",
    );
    // A household whose point was written with a longitude of 1130.2 (a typo for 113.02).
    let path = demo_file(dir.path(), "lon.gpkg");
    let conn = common::other_writer(&path);
    let mut blob: Vec<u8> = conn
        .query_row("SELECT geom FROM households WHERE id = 17", [], |r| {
            r.get(0)
        })
        .unwrap();
    // GeoPackage header (8 bytes, no envelope) + WKB byte order (1) + type (4) + x (8) + y (8).
    let x_at = 8 + 1 + 4;
    let little = blob[8] == 1;
    let bytes = if little {
        1130.2f64.to_le_bytes()
    } else {
        1130.2f64.to_be_bytes()
    };
    blob[x_at..x_at + 8].copy_from_slice(&bytes);
    conn.execute("UPDATE households SET geom = ?1 WHERE id = 17", [blob])
        .unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    refuses(
        &path,
        "households row id 17: longitude 1130.2 is out of range",
    );
}

#[test]
fn create_refuses_to_overwrite_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path(), "keep.gpkg");
    let before = std::fs::read(&path).unwrap();
    let dataset = store::load(&path).unwrap();
    let err = store::create(&path, &dataset, false).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
