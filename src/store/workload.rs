//! Writing a benchmark workload as a GeoPackage (planar metres, SRS "undefined cartesian"), so
//! that an independent tool (GEOS via shapely, PostGIS, QGIS) can run the same work and compare.

use std::path::Path;

use geo_types::{Coord, Geometry, MultiPolygon, Point};
use geozero::{CoordDimensions, ToWkb};
use rusqlite::{Connection, params};

use crate::store::StoreError;
use crate::store::error::SqliteContext;

/// Writes layers `cells(id, geom)` and `points(id, cell_id, geom)`. Cell `i` has id `i + 1`;
/// `assignment[j]` is point `j`'s cell id (NULL when outside). Replaces `path`.
pub fn write_workload(
    path: &Path,
    cells: &[MultiPolygon<f64>],
    points: &[Coord<f64>],
    assignment: &[Option<i64>],
) -> Result<(), StoreError> {
    let _ = std::fs::remove_file(path);
    let mut conn = Connection::open(path).ctx(path, "creating the workload")?;
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        .ctx(path, "configuring")?;
    let tx = conn.transaction().ctx(path, "starting the write")?;
    tx.pragma_update(
        None,
        "application_id",
        crate::store::GPKG_APPLICATION_ID as i32,
    )
    .ctx(path, "header")?;
    tx.pragma_update(None, "user_version", crate::store::GPKG_USER_VERSION)
        .ctx(path, "header")?;
    tx.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'planar metres of the benchmark square'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]', 'WGS 84');
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
           z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
         CREATE TABLE cells (id INTEGER PRIMARY KEY, geom POLYGON);
         CREATE TABLE points (id INTEGER PRIMARY KEY, cell_id INTEGER, geom POINT);
         INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('cells', 'features', 'cells', -1), ('points', 'features', 'points', -1);
         INSERT INTO gpkg_geometry_columns VALUES ('cells', 'geom', 'POLYGON', -1, 0, 0), ('points', 'geom', 'POINT', -1, 0, 0);",
    )
    .ctx(path, "creating tables")?;
    let blob = |g: Geometry<f64>| {
        g.to_gpkg_wkb(CoordDimensions::xy(), Some(-1), Vec::new())
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.to_string().into()))
    };
    {
        let mut stmt = tx
            .prepare("INSERT INTO cells VALUES (?1, ?2)")
            .ctx(path, "writing cells")?;
        for (i, cell) in cells.iter().enumerate() {
            let g = match cell.0.as_slice() {
                [one] => Geometry::Polygon(one.clone()),
                _ => Geometry::MultiPolygon(cell.clone()),
            };
            stmt.execute(params![i as i64 + 1, blob(g).ctx(path, "encoding a cell")?])
                .ctx(path, "writing cells")?;
        }
        let mut stmt = tx
            .prepare("INSERT INTO points VALUES (?1, ?2, ?3)")
            .ctx(path, "writing points")?;
        for (j, p) in points.iter().enumerate() {
            stmt.execute(params![
                j as i64 + 1,
                assignment.get(j).copied().flatten(),
                blob(Geometry::Point(Point::from(*p))).ctx(path, "encoding a point")?
            ])
            .ctx(path, "writing points")?;
        }
    }
    tx.commit().ctx(path, "committing")?;
    Ok(())
}
