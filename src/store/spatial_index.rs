//! The GeoPackage spatial index (`gpkg_rtree_index`, spec annex F.3) on a feature table: an
//! SQLite R*Tree of every feature's box, kept exact by triggers on the table. QGIS and GDAL use
//! it to read only the features in view, which is what lets QGIS draw 420,000 households fast.
//!
//! The virtual table, the triggers and the `gpkg_extensions` row are written exactly as GDAL
//! writes them (names, quoting, trigger bodies), so that GDAL recognises the index as its own
//! and a file indexed by GDAL and one indexed by us are the same thing. The triggers call
//! `ST_IsEmpty` and `ST_MinX/MaxX/MinY/MaxY`: every connection that writes registers them
//! (`sql_functions`), as GDAL's connections do.

use rusqlite::Connection;

/// The tables we index: every feature table of a document, on its `geom` column.
pub(crate) const INDEXED: [&str; 3] = ["units", "households", "cases"];

/// The R*Tree's name for `table`.`column`, as GDAL names it.
pub(crate) fn rtree_name(table: &str, column: &str) -> String {
    format!("rtree_{table}_{column}")
}

/// Whether `table`.`column` has an index (ours or GDAL's: they are the same).
fn exists(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [rtree_name(table, column)],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Adds the index to `table`.`column` (primary key `id_column`) filled from the rows already
/// there, unless the table has one. Building it once over the rows is much faster than
/// letting the insert trigger fill it row by row, so writers of a whole document create the
/// index after their rows.
pub(crate) fn ensure(
    conn: &Connection,
    table: &str,
    column: &str,
    id_column: &str,
) -> rusqlite::Result<()> {
    if exists(conn, table, column)? {
        return Ok(());
    }
    let rtree = rtree_name(table, column);
    let (t, c, i, r) = (quote(table), quote(column), quote(id_column), quote(&rtree));
    let boxed = |row: &str| {
        format!(
            "{row}.{i},ST_MinX({row}.{c}), ST_MaxX({row}.{c}),ST_MinY({row}.{c}), ST_MaxY({row}.{c})"
        )
    };
    let new_box = boxed("NEW");
    conn.execute_batch(&format!(
        r#"CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO {r} SELECT {all} FROM {t} WHERE {c} NOT NULL AND NOT ST_IsEmpty({c});
CREATE TRIGGER {trig_insert} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN INSERT OR REPLACE INTO {r} VALUES ({new_box}); END;
CREATE TRIGGER {trig_update1} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN INSERT OR REPLACE INTO {r} VALUES ({new_box}); END;
CREATE TRIGGER {trig_update2} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TRIGGER {trig_update3} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {r} VALUES ({new_box}); END;
CREATE TRIGGER {trig_update4} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {trig_delete} AFTER DELETE ON {t} WHEN old.{c} NOT NULL BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT OR REPLACE INTO gpkg_extensions VALUES ({lt}, {lc}, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');"#,
        all = boxed(&t),
        trig_insert = quote(&format!("{rtree}_insert")),
        trig_update1 = quote(&format!("{rtree}_update1")),
        trig_update2 = quote(&format!("{rtree}_update2")),
        trig_update3 = quote(&format!("{rtree}_update3")),
        trig_update4 = quote(&format!("{rtree}_update4")),
        trig_delete = quote(&format!("{rtree}_delete")),
        lt = literal(table),
        lc = literal(column),
    ))
}

/// Indexes every feature table of a document that has no index yet.
pub(crate) fn ensure_all(conn: &Connection) -> rusqlite::Result<()> {
    for table in INDEXED {
        ensure(conn, table, "geom", "id")?;
    }
    Ok(())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::store::sql_functions::register(&conn).unwrap();
        conn.execute_batch("CREATE TABLE pts (id INTEGER PRIMARY KEY, geom BLOB)")
            .unwrap();
        conn
    }

    fn point(x: f64, y: f64) -> Vec<u8> {
        crate::store::encode_point(geo_types::Point::new(x, y)).unwrap()
    }

    fn boxes(conn: &Connection) -> Vec<(i64, f64, f64)> {
        conn.prepare("SELECT id, minx, miny FROM rtree_pts_geom ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn the_index_is_filled_from_existing_rows_and_follows_every_write() {
        let conn = features();
        conn.execute("INSERT INTO pts VALUES (1, ?1)", [point(1.0, 2.0)])
            .unwrap();
        conn.execute("INSERT INTO pts VALUES (2, NULL)", [])
            .unwrap();
        ensure(&conn, "pts", "geom", "id").unwrap();
        assert_eq!(boxes(&conn), vec![(1, 1.0, 2.0)]);
        // Insert, move, clear, renumber, delete: the index follows.
        conn.execute("INSERT INTO pts VALUES (3, ?1)", [point(5.0, 6.0)])
            .unwrap();
        conn.execute("UPDATE pts SET geom = ?1 WHERE id = 1", [point(7.0, 8.0)])
            .unwrap();
        conn.execute("UPDATE pts SET geom = ?1 WHERE id = 2", [point(3.0, 4.0)])
            .unwrap();
        assert_eq!(
            boxes(&conn),
            vec![(1, 7.0, 8.0), (2, 3.0, 4.0), (3, 5.0, 6.0)]
        );
        conn.execute("UPDATE pts SET geom = NULL WHERE id = 2", [])
            .unwrap();
        conn.execute("UPDATE pts SET id = 9 WHERE id = 3", [])
            .unwrap();
        conn.execute("DELETE FROM pts WHERE id = 1", []).unwrap();
        assert_eq!(boxes(&conn), vec![(9, 5.0, 6.0)]);
        // A second call leaves an existing index alone.
        ensure(&conn, "pts", "geom", "id").unwrap();
        let ext: i64 = conn
            .query_row(
                "SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ext, 1);
    }
}
