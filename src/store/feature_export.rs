//! Exports other GIS programs open as layers: a Shapefile (UTF-8 attributes with a .cpg that
//! says so, and a .prj: WGS84) and a one-layer GeoPackage. Attributes come from the same serde
//! records as the CSV and Excel exports; a column whose every value is a number Excel and
//! dBase keep exactly becomes a number field, everything else (codes above all) text.

use std::path::{Path, PathBuf};

use geo_types::{Geometry, MultiPolygon};
use geozero::{CoordDimensions, ToWkb};
use rusqlite::{Connection, params};
use shapefile::dbase;

use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::xlsx_export::{as_exact_number, is_code_column, table_of};

const WGS84_PRJ: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

fn other(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Whether every non-empty value of column `c` is an exact number.
fn numeric_column(rows: &[Vec<String>], c: usize) -> bool {
    let mut any = false;
    for r in rows {
        let v = r.get(c).map_or("", String::as_str);
        if v.is_empty() {
            continue;
        }
        if as_exact_number(v).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// Whether every value of column `c` is a whole number.
fn integral_column(rows: &[Vec<String>], c: usize) -> bool {
    rows.iter()
        .filter_map(|r| r.get(c).and_then(|v| as_exact_number(v)))
        .all(|x| x.fract() == 0.0)
}

/// dBase field names: at most 10 bytes, unique.
fn field_names(header: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in header {
        let mut name = String::new();
        for ch in h.chars() {
            if name.len() + ch.len_utf8() > 10 {
                break;
            }
            name.push(ch);
        }
        let mut n = 1;
        let base = name.clone();
        while out.contains(&name) {
            let suffix = n.to_string();
            let mut cut = base.clone();
            while cut.len() + suffix.len() > 10 {
                cut.pop();
            }
            name = format!("{cut}{suffix}");
            n += 1;
        }
        out.push(name);
    }
    out
}

fn shapefile_shape(g: &Geometry<f64>) -> Option<shapefile::Shape> {
    let ring = |ls: &geo_types::LineString<f64>| -> Vec<shapefile::Point> {
        ls.0.iter()
            .map(|c| shapefile::Point::new(c.x, c.y))
            .collect()
    };
    let polygons = |mp: &MultiPolygon<f64>| {
        let rings =
            mp.0.iter()
                .flat_map(|p| {
                    std::iter::once(shapefile::PolygonRing::Outer(ring(p.exterior()))).chain(
                        p.interiors()
                            .iter()
                            .map(|h| shapefile::PolygonRing::Inner(ring(h))),
                    )
                })
                .collect();
        shapefile::Shape::Polygon(shapefile::Polygon::with_rings(rings))
    };
    match g {
        Geometry::Point(p) => Some(shapefile::Shape::Point(shapefile::Point::new(p.x(), p.y()))),
        Geometry::MultiPolygon(mp) => Some(polygons(mp)),
        Geometry::Polygon(p) => Some(polygons(&MultiPolygon::new(vec![p.clone()]))),
        _ => None,
    }
}

fn with_suffix(path: &Path, ext: &str) -> PathBuf {
    path.with_extension(ext)
}

/// Writes `rows` (records with their geometries, all points or all polygons) as a Shapefile:
/// .shp, .shx, .dbf (UTF-8), .cpg and .prj. Written under a temporary name and renamed.
pub fn export_shapefile<T: serde::Serialize>(
    path: &Path,
    rows: &[(T, Geometry<f64>)],
) -> Result<(), StoreError> {
    let records: Vec<&T> = rows.iter().map(|(r, _)| r).collect();
    let (header, cells) = table_of(&records).map_err(|e| other(path, e))?;
    let names = field_names(&header);
    let numeric: Vec<bool> = (0..header.len())
        .map(|c| !is_code_column(&header[c]) && numeric_column(&cells, c))
        .collect();
    let mut builder = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(
        encoding_rs::UTF_8,
    ));
    for (c, name) in names.iter().enumerate() {
        let field = dbase::FieldName::try_from(name.as_str()).map_err(|e| other(path, e))?;
        builder = if numeric[c] {
            builder.add_numeric_field(field, 20, if integral_column(&cells, c) { 0 } else { 8 })
        } else {
            let width = cells
                .iter()
                .map(|r| r.get(c).map_or(0, String::len))
                .max()
                .unwrap_or(1)
                .clamp(1, 254);
            builder.add_character_field(field, u8::try_from(width).unwrap_or(254))
        };
    }
    let stem = path
        .file_stem()
        .map_or("export".into(), |s| s.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{stem}.partial.shp"));
    {
        let mut writer = shapefile::Writer::from_path(&tmp, builder).map_err(|e| other(path, e))?;
        for ((_, g), row) in rows.iter().zip(&cells) {
            let shape = shapefile_shape(g)
                .ok_or_else(|| other(path, "only points and polygons can be written"))?;
            let mut record = dbase::Record::default();
            for (c, name) in names.iter().enumerate() {
                let v = row.get(c).cloned().unwrap_or_default();
                let value = if numeric[c] {
                    dbase::FieldValue::Numeric(as_exact_number(&v))
                } else {
                    dbase::FieldValue::Character(Some(v))
                };
                record.insert(name.clone(), value);
            }
            match shape {
                shapefile::Shape::Point(p) => writer.write_shape_and_record(&p, &record),
                shapefile::Shape::Polygon(p) => writer.write_shape_and_record(&p, &record),
                _ => Ok(()),
            }
            .map_err(|e| other(path, e))?;
        }
    }
    std::fs::write(with_suffix(&tmp, "cpg"), "UTF-8").map_err(|e| other(path, e))?;
    std::fs::write(with_suffix(&tmp, "prj"), WGS84_PRJ).map_err(|e| other(path, e))?;
    for ext in ["dbf", "shx", "cpg", "prj", "shp"] {
        // The .shp last: a reader that finds it finds the rest.
        std::fs::rename(with_suffix(&tmp, ext), with_suffix(path, ext))
            .map_err(|e| other(path, e))?;
    }
    Ok(())
}

/// Writes `rows` as the one feature layer `layer` of a new GeoPackage (replacing `path`
/// through a temporary file); `watermark` becomes the layer's description (QGIS shows it in
/// the layer's properties).
pub fn export_gpkg<T: serde::Serialize>(
    path: &Path,
    layer: &str,
    rows: &[(T, Geometry<f64>)],
    watermark: Option<&str>,
) -> Result<(), StoreError> {
    let records: Vec<&T> = rows.iter().map(|(r, _)| r).collect();
    let (header, cells) = table_of(&records).map_err(|e| other(path, e))?;
    let numeric: Vec<bool> = (0..header.len())
        .map(|c| !is_code_column(&header[c]) && numeric_column(&cells, c))
        .collect();
    let kind = match rows.first().map(|(_, g)| g) {
        Some(Geometry::Point(_)) => "POINT",
        _ => "MULTIPOLYGON",
    };
    let tmp = path.with_extension("gpkg.partial");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut conn = Connection::open(&tmp).ctx(&tmp, "creating the export")?;
        crate::store::sql_functions::register(&conn).ctx(&tmp, "registering SQL functions")?;
        let tx = conn.transaction().ctx(&tmp, "starting the export")?;
        tx.pragma_update(
            None,
            "application_id",
            crate::store::GPKG_APPLICATION_ID as i32,
        )
        .ctx(&tmp, "header")?;
        tx.pragma_update(None, "user_version", crate::store::GPKG_USER_VERSION)
            .ctx(&tmp, "header")?;
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let columns: String = header
            .iter()
            .zip(&numeric)
            .enumerate()
            .map(|(c, (h, n))| {
                let ty = match (n, integral_column(&cells, c)) {
                    (true, true) => "INTEGER",
                    (true, false) => "REAL",
                    _ => "TEXT",
                };
                format!(", {} {ty}", q(h))
            })
            .collect();
        tx.execute_batch(&format!(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
               organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
             INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
               ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
               ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]', 'WGS 84');
             CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
               last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
             CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
               z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
             CREATE TABLE {t} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {kind}{columns});
             INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('{l}', 'features', '{l}', 4326);
             INSERT INTO gpkg_geometry_columns VALUES ('{l}', 'geom', '{kind}', 4326, 0, 0);",
            t = q(layer),
            l = layer.replace('\'', "''"),
        ))
        .ctx(&tmp, "creating the layer")?;
        if let Some(m) = watermark {
            tx.execute(
                "UPDATE gpkg_contents SET description = ?1 WHERE table_name = ?2",
                rusqlite::params![m, layer],
            )
            .ctx(&tmp, "writing the watermark")?;
        }
        let placeholders: String = (0..header.len()).map(|i| format!(", ?{}", i + 2)).collect();
        let names: String = header.iter().map(|h| format!(", {}", q(h))).collect();
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO {} (geom{names}) VALUES (?1{placeholders})",
                q(layer)
            ))
            .ctx(&tmp, "writing features")?;
        let mut extent: Option<[f64; 4]> = None;
        for ((_, g), row) in rows.iter().zip(&cells) {
            if let Some(r) = geo::BoundingRect::bounding_rect(g) {
                let e = [r.min().x, r.min().y, r.max().x, r.max().y];
                extent = Some(extent.map_or(e, |a| {
                    [
                        a[0].min(e[0]),
                        a[1].min(e[1]),
                        a[2].max(e[2]),
                        a[3].max(e[3]),
                    ]
                }));
            }
            let g = match g {
                Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon::new(vec![p.clone()])),
                other => other.clone(),
            };
            let blob = g
                .to_gpkg_wkb(CoordDimensions::xy(), Some(4326), Vec::new())
                .map_err(|e| other(path, e))?;
            let mut values: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Blob(blob)];
            for (c, n) in numeric.iter().enumerate() {
                let v = row.get(c).cloned().unwrap_or_default();
                values.push(match (n, as_exact_number(&v)) {
                    (true, Some(x)) if x.fract() == 0.0 => {
                        rusqlite::types::Value::Integer(x as i64)
                    }
                    (true, Some(x)) => rusqlite::types::Value::Real(x),
                    (true, None) => rusqlite::types::Value::Null,
                    (false, _) => rusqlite::types::Value::Text(v),
                });
            }
            stmt.execute(rusqlite::params_from_iter(values))
                .ctx(&tmp, "writing features")?;
        }
        drop(stmt);
        if let Some([a, b, c, d]) = extent {
            tx.execute(
                "UPDATE gpkg_contents SET min_x = ?1, min_y = ?2, max_x = ?3, max_y = ?4",
                params![a, b, c, d],
            )
            .ctx(&tmp, "writing the extent")?;
        }
        // Indexed as GDAL would, so QGIS draws a large export fast.
        crate::store::spatial_index::ensure(&tx, layer, "geom", "fid")
            .ctx(&tmp, "indexing the layer")?;
        tx.commit().ctx(&tmp, "committing")?;
    }
    std::fs::rename(&tmp, path).map_err(|e| other(path, e))
}
