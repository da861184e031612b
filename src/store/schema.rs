//! The GeoPackage schema of a GridAtlas document (documented for users in the README).
//!
//! Versions: `PRAGMA user_version` belongs to the GeoPackage standard (it holds the GeoPackage
//! version, 10200 = 1.2; GDAL warns "unrecognized user_version" for anything else), so the
//! GridAtlas schema version lives in `gridatlas_meta.schema_version`. See ARCHITECTURE.md.

use rusqlite::{Connection, params};

/// 'GPKG' as a big-endian integer (GeoPackage §1.1.1.1.1).
pub const GPKG_APPLICATION_ID: u32 = 0x4750_4B47;
/// GeoPackage 1.2: every GDAL from 2.2 on reads it without a warning.
pub const GPKG_USER_VERSION: i64 = 10200;
/// The GridAtlas schema this program writes and reads.
pub const SCHEMA_VERSION: i64 = 7;

/// Steps that bring a file from version `n` to `n + 1` (their SQL), run in one transaction when
/// the file is first opened for writing (reading an older file needs no change: it has no plans
/// and no change log). A file from a newer version is refused, never modified.
/// One migration step, run inside the migration's transaction.
pub(crate) type MigrationStep = fn(&Connection) -> rusqlite::Result<()>;

pub(crate) const MIGRATIONS: &[(i64, MigrationStep)] = &[
    (1, |c| c.execute_batch(PLAN_TABLES)),
    (2, |c| {
        c.execute_batch(&crate::store::change_log::change_log_sql())
    }),
    (3, |c| c.execute_batch(SCHEDULED_PLANS)),
    // Version 5: the GeoPackage spatial index on units, households and cases (tables GDAL
    // already indexed keep their index).
    (4, crate::store::spatial_index::ensure_all),
    // Version 6: accounts with their key slots, and the hash-chained audit log.
    (5, |c| c.execute_batch(&people_tables(PEOPLE_CONTENTS_NOW))),
    // Version 7: a worker can leave their post (`retired_at`), and a household names the
    // party member who keeps in touch with it (`party_member_id`, 党员联户).
    (6, add_worker_columns),
];

/// Version 7's columns, added where they are missing (SQLite has no ADD COLUMN IF NOT EXISTS).
fn add_worker_columns(c: &Connection) -> rusqlite::Result<()> {
    for (table, column, ty) in [
        ("workers", "retired_at", "TEXT"),
        (
            "households",
            "party_member_id",
            "INTEGER REFERENCES workers(id)",
        ),
    ] {
        let present: Vec<String> = c
            .prepare(&format!("PRAGMA table_info({table})"))?
            .query_map([], |r| r.get(1))?
            .collect::<rusqlite::Result<_>>()?;
        if !present.iter().any(|p| p == column) {
            c.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))?;
        }
    }
    Ok(())
}

/// `last_change` of the audit log's `gpkg_contents` row when a migration adds it.
const PEOPLE_CONTENTS_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// Version 6: accounts (kept out of `gpkg_contents`: QGIS has no business listing passphrase
/// hashes) and the audit log (listed, so that QGIS can show it). Idempotent: a file whose
/// version number was set back (by hand, or by an older GridAtlas's restore) keeps its rows.
fn people_tables(last_change_sql: &str) -> String {
    format!(
        "{}{}INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
           VALUES ('gridatlas_audit', 'attributes', 'gridatlas_audit',
                   'Audit log: who did what, when and why, hash-chained', {last_change_sql});",
        crate::store::accounts::ACCOUNTS_TABLE,
        crate::store::audit::AUDIT_TABLE
    )
}

/// Version 4: a plan may be `scheduled` (approved for a later date, 待生效). SQLite cannot
/// change a CHECK constraint in place: the table is rebuilt with its rows and ids
/// (`plan_steps` and `unit_history` refer to it by name, so they follow the rename).
const SCHEDULED_PLANS: &str = "
CREATE TABLE plans_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft','scheduled','approved')),
  effective_date TEXT,
  approved_at TEXT);
INSERT INTO plans_v4 (id, name, created_at, status, effective_date, approved_at)
  SELECT id, name, created_at, status, effective_date, approved_at FROM plans;
DROP TABLE plans;
ALTER TABLE plans_v4 RENAME TO plans;
";

/// Version 2: boundary plans (named drafts of edits), their steps, and the history of unit
/// versions that approved plans replaced.
pub(crate) const PLAN_TABLES: &str = "
CREATE TABLE plans (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft','scheduled','approved')),
  effective_date TEXT,
  approved_at TEXT);
CREATE TABLE plan_steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  seq INTEGER NOT NULL,
  label TEXT NOT NULL,
  change TEXT NOT NULL,
  UNIQUE (plan_id, seq));
CREATE TABLE unit_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom MULTIPOLYGON,
  unit_id INTEGER NOT NULL,
  level INTEGER NOT NULL,
  parent_id INTEGER,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  plan_id INTEGER NOT NULL REFERENCES plans(id));
CREATE INDEX unit_history_unit ON unit_history(unit_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
  VALUES ('plans', 'attributes', 'plans', 'Boundary plans: named drafts of edits, approved with a date', strftime('%Y-%m-%dT%H:%M:%fZ','now'));
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
  VALUES ('plan_steps', 'attributes', 'plan_steps', 'The edits of each plan, in order (JSON)', strftime('%Y-%m-%dT%H:%M:%fZ','now'));
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
  VALUES ('unit_history', 'features', 'unit_history', 'Unit versions replaced by approved plans, with their end date', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 4326);
INSERT INTO gpkg_geometry_columns VALUES ('unit_history', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
";

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// The GeoPackage core tables (GeoPackage 1.2 §1.1.2, §1.1.3, §2.1.5).
const GPKG_CORE: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
";

/// The GridAtlas tables. Timestamps are ISO 8601 UTC text; statuses use the domain doc's codes.
pub(crate) const GRIDATLAS_TABLES: &str = "
CREATE TABLE gridatlas_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom MULTIPOLYGON,
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  parent_id INTEGER REFERENCES units(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_code ON units(code);
CREATE TABLE workers (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('grid_leader','full_time','part_time','instructor','micro_grid_leader','volunteer')),
  unit_id INTEGER NOT NULL REFERENCES units(id),
  party_member INTEGER NOT NULL DEFAULT 0,
  retired_at TEXT);
CREATE INDEX workers_unit ON workers(unit_id);
CREATE TABLE households (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT,
  code TEXT NOT NULL,
  address TEXT NOT NULL,
  head_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  members INTEGER NOT NULL CHECK (members >= 0),
  tags TEXT NOT NULL DEFAULT '',
  unit_id INTEGER REFERENCES units(id),
  party_member_id INTEGER REFERENCES workers(id));
CREATE INDEX households_unit ON households(unit_id);
CREATE TABLE cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT,
  code TEXT NOT NULL,
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('reported','accepted','rejected','dispatched','handling','responded','closed')),
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  reporter TEXT NOT NULL DEFAULT '',
  handler_id INTEGER REFERENCES workers(id),
  reported_at TEXT NOT NULL,
  accepted_at TEXT,
  due_at TEXT,
  closed_at TEXT,
  unit_id INTEGER REFERENCES units(id));
CREATE INDEX cases_unit ON cases(unit_id);
CREATE INDEX cases_status ON cases(status);
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL CHECK (action IN ('transition','escalate')),
  from_status TEXT,
  to_status TEXT NOT NULL,
  from_level INTEGER NOT NULL,
  to_level INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX case_events_case ON case_events(case_id);
";

/// Tables and the columns a reader needs, checked on open.
pub(crate) const REQUIRED: &[(&str, &[&str])] = &[
    ("gridatlas_meta", &["key", "value"]),
    (
        "units",
        &["id", "geom", "level", "parent_id", "code", "name"],
    ),
    (
        "households",
        &[
            "id",
            "geom",
            "code",
            "address",
            "head_name",
            "phone",
            "members",
            "tags",
            "unit_id",
        ],
    ),
    (
        "workers",
        &["id", "name", "phone", "role", "unit_id", "party_member"],
    ),
    (
        "cases",
        &[
            "id",
            "geom",
            "code",
            "category",
            "title",
            "description",
            "status",
            "level",
            "reporter",
            "handler_id",
            "reported_at",
            "accepted_at",
            "due_at",
            "closed_at",
            "unit_id",
        ],
    ),
    (
        "case_events",
        &[
            "id",
            "case_id",
            "at",
            "actor",
            "action",
            "from_status",
            "to_status",
            "from_level",
            "to_level",
            "note",
        ],
    ),
];

/// Feature tables: (table, geometry type, description).
pub(crate) const FEATURE_TABLES: &[(&str, &str, &str)] = &[
    (
        "units",
        "MULTIPOLYGON",
        "Units of the net: county, townships, villages, grids, micro-grids",
    ),
    (
        "households",
        "POINT",
        "Households (一户一档); personal data, handle with care",
    ),
    ("cases", "POINT", "Cases (事件) and their current status"),
];

/// Attribute tables: (table, description).
pub(crate) const ATTRIBUTE_TABLES: &[(&str, &str)] = &[
    (
        "workers",
        "Grid workers and the unit each is answerable for",
    ),
    (
        "case_events",
        "Every transition and escalation of every case",
    ),
];

/// Creates an empty document in a fresh database. `last_change` is fixed by the caller so
/// that the same data gives the same file.
pub(crate) fn create_empty(
    conn: &Connection,
    last_change: &str,
    bounds: &crate::store::write::Bounds,
) -> rusqlite::Result<()> {
    conn.pragma_update(None, "application_id", GPKG_APPLICATION_ID as i32)?;
    conn.pragma_update(None, "user_version", GPKG_USER_VERSION)?;
    conn.execute_batch(GPKG_CORE)?;
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
          ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
          ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
          ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        params![WGS84_WKT],
    )?;
    conn.execute_batch(GRIDATLAS_TABLES)?;
    for (table, geometry_type, description) in FEATURE_TABLES {
        let extent = match *table {
            "units" => bounds.units,
            "households" => bounds.households,
            _ => bounds.cases,
        };
        let [min_x, min_y, max_x, max_y] = extent.map_or([None; 4], |b| b.map(Some));
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
             VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 4326)",
            params![table, description, last_change, min_x, min_y, max_x, max_y],
        )?;
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
            params![table, geometry_type],
        )?;
    }
    for (table, description) in ATTRIBUTE_TABLES {
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
             VALUES (?1, 'attributes', ?1, ?2, ?3)",
            params![table, description, last_change],
        )?;
    }
    conn.execute(
        "INSERT INTO gridatlas_meta VALUES ('schema_version', ?1)",
        params![SCHEMA_VERSION.to_string()],
    )?;
    // The plan tables, with this document's fixed time (the same data gives the same file).
    conn.execute_batch(&PLAN_TABLES.replace(
        "strftime('%Y-%m-%dT%H:%M:%fZ','now')",
        &format!("'{last_change}'"),
    ))?;
    conn.execute_batch(&people_tables(&format!("'{last_change}'")))?;
    Ok(())
}
