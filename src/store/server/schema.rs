//! The document's schema on the server: the GeoPackage's own tables and columns (so the same
//! SQL, codes and names serve both, and QGIS sees the same layers), geometry as PostGIS
//! `geometry(…, 4326)` with GiST indexes, plus what many seats need and one file does not:
//! a version on every live row and a change log that tells every open window at once.

use rusqlite::Connection;

use crate::store::change_log::LOGGED_TABLES;

/// The advisory lock every writing transaction takes (the change log's trigger takes it for
/// other programs' writes too): writers one at a time, so change-log numbers are handed out in
/// commit order and a reader that has seen entry N has seen everything before it. Writes are
/// short (a case step is one row and one entry), so seats queue for milliseconds.
pub(crate) const WRITE_LOCK: i64 = 0x4752_4944; // "GRID"

/// The notification channel (`LISTEN gridatlas`); the payload is the table's name.
pub(crate) const CHANNEL: &str = "gridatlas";

/// What a column holds, on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
    /// PostGIS geometry of this type ("POINT", "MULTIPOLYGON"), SRID 4326.
    Geometry(&'static str),
}

impl Kind {
    fn sql(self) -> String {
        match self {
            Kind::Integer => "bigint".into(),
            Kind::Real => "double precision".into(),
            Kind::Text => "text".into(),
            Kind::Bytes => "bytea".into(),
            Kind::Geometry(t) => format!("geometry({},4326)", postgis_type(t)),
        }
    }
}

fn postgis_type(t: &str) -> &'static str {
    match t {
        "POINT" => "Point",
        "MULTIPOLYGON" => "MultiPolygon",
        "POLYGON" => "Polygon",
        _ => "Geometry",
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub kind: Kind,
    pub not_null: bool,
    pub primary_key: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| quoted(&c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The document's tables as the GeoPackage declares them: every table of ours (not GeoPackage
/// bookkeeping, not the R-tree, not the file's change log, which the server keeps its own way).
pub(crate) fn document_tables(conn: &Connection) -> rusqlite::Result<Vec<Table>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
               AND name NOT LIKE 'gpkg%' AND name NOT LIKE 'rtree_%' AND name NOT LIKE 'sqlite_%'
               AND name <> 'gridatlas_changes' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let geometry: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT table_name, column_name, upper(geometry_type_name) FROM gpkg_geometry_columns",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut tables = Vec::new();
    for name in names {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quoted(&name)))?;
        let columns = stmt
            .query_map([], |r| {
                let column: String = r.get(1)?;
                let declared: String = r.get::<_, Option<String>>(2)?.unwrap_or_default();
                Ok(Column {
                    kind: match geometry.iter().find(|(t, c, _)| *t == name && *c == column) {
                        Some((_, _, t)) => Kind::Geometry(match t.as_str() {
                            "POINT" => "POINT",
                            "MULTIPOLYGON" => "MULTIPOLYGON",
                            "POLYGON" => "POLYGON",
                            _ => "GEOMETRY",
                        }),
                        None => affinity(&declared),
                    },
                    name: column,
                    not_null: r.get::<_, i64>(3)? != 0,
                    primary_key: r.get::<_, i64>(5)? != 0,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// SQLite's type affinity rules (§3.1 of its datatype page), which decide what a declared type
/// stores.
fn affinity(declared: &str) -> Kind {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Kind::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Kind::Text
    } else if t.contains("BLOB") || t.is_empty() {
        Kind::Bytes
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Kind::Real
    } else {
        Kind::Text
    }
}

/// `CREATE TABLE`s for the server (before the rows are copied: no indexes or triggers yet).
pub(crate) fn create_tables_sql(tables: &[Table]) -> String {
    let mut sql = String::new();
    for t in tables {
        let mut columns: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                let mut def = format!("{} {}", quoted(&c.name), c.kind.sql());
                if c.primary_key {
                    def.push_str(" PRIMARY KEY");
                } else if c.not_null {
                    def.push_str(" NOT NULL");
                }
                def
            })
            .collect();
        if LOGGED_TABLES.contains(&t.name.as_str()) {
            columns.push("row_version bigint NOT NULL DEFAULT 1".into());
        }
        sql.push_str(&format!(
            "CREATE TABLE {} ({});\n",
            quoted(&t.name),
            columns.join(", ")
        ));
    }
    sql
}

/// Indexes, the row versions and the change log, created after the rows are in (building an
/// index once is faster than growing it row by row, and the log starts empty).
pub(crate) fn finish_sql(tables: &[Table]) -> String {
    let mut sql = String::from(
        "CREATE SEQUENCE gridatlas_changes_seq;
         CREATE TABLE gridatlas_changes (
           seq bigint PRIMARY KEY,
           table_name text NOT NULL,
           row_id bigint NOT NULL,
           UNIQUE (table_name, row_id));
         CREATE FUNCTION gridatlas_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           NEW.row_version := OLD.row_version + 1;
           RETURN NEW;
         END $$;",
    );
    sql.push_str(&format!(
        "CREATE FUNCTION gridatlas_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM pg_advisory_xact_lock({WRITE_LOCK});
           IF TG_OP <> 'INSERT' THEN
             INSERT INTO gridatlas_changes VALUES (nextval('gridatlas_changes_seq'), TG_TABLE_NAME, OLD.id)
               ON CONFLICT (table_name, row_id) DO UPDATE SET seq = excluded.seq;
           END IF;
           IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.id IS DISTINCT FROM NEW.id) THEN
             INSERT INTO gridatlas_changes VALUES (nextval('gridatlas_changes_seq'), TG_TABLE_NAME, NEW.id)
               ON CONFLICT (table_name, row_id) DO UPDATE SET seq = excluded.seq;
           END IF;
           PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
           RETURN NULL;
         END $$;\n"
    ));
    for t in tables {
        let name = quoted(&t.name);
        for c in &t.columns {
            let index = format!("{}_{}", t.name, c.name);
            match c.kind {
                Kind::Geometry(_) => sql.push_str(&format!(
                    "CREATE INDEX {} ON {name} USING GIST ({});\n",
                    quoted(&index),
                    quoted(&c.name)
                )),
                _ if [
                    "unit_id",
                    "parent_id",
                    "case_id",
                    "code",
                    "status",
                    "plan_id",
                ]
                .contains(&c.name.as_str()) =>
                {
                    sql.push_str(&format!(
                        "CREATE INDEX {} ON {name} ({});\n",
                        quoted(&index),
                        quoted(&c.name)
                    ))
                }
                _ => {}
            }
        }
        if LOGGED_TABLES.contains(&t.name.as_str()) {
            sql.push_str(&format!(
                "CREATE TRIGGER gridatlas_version BEFORE UPDATE ON {name}
                   FOR EACH ROW EXECUTE FUNCTION gridatlas_bump_version();
                 CREATE TRIGGER gridatlas_log AFTER INSERT OR UPDATE OR DELETE ON {name}
                   FOR EACH ROW EXECUTE FUNCTION gridatlas_log_change();\n"
            ));
        }
    }
    sql
}

/// Schema steps on the server, keyed on `gridatlas_meta.schema_version` like the file's
/// (`store::schema::MIGRATIONS`). The server schema begins at version 7, the version a
/// document must have to be published, so there is no step yet; a later version adds its
/// step here and to the file's list together.
pub(crate) const SERVER_MIGRATIONS: &[(i64, &str)] = &[];
