//! Reading one feature layer of any GeoPackage — a boundary layer a GIS officer drew in QGIS,
//! or another GridAtlas document's `units` — as attributes (text) and polygons. Read-only.

use std::path::Path;

use geo_types::MultiPolygon;
use rusqlite::types::ValueRef;

use crate::store::error::SqliteContext;
use crate::store::{StoreError, geometry};

/// One feature: its attributes as text (numbers as written, NULL as empty) and its outline.
pub struct ForeignFeature {
    /// The feature's number in the layer (1-based, in the layer's primary-key order).
    pub number: usize,
    pub fields: Vec<(String, String)>,
    pub geometry: MultiPolygon<f64>,
}

pub struct ForeignLayer {
    pub name: String,
    /// The layer's `srs_id` (4326 WGS84, 4490 CGCS2000, …) as the file declares it.
    pub srs_id: i64,
    /// Attribute columns that hold numbers (REAL/INTEGER), by name: an 18-digit code stored
    /// as a number has lost digits, and the caller must say so.
    pub numeric_columns: Vec<String>,
    pub features: Vec<ForeignFeature>,
}

/// The feature layers of the GeoPackage at `path` that can hold outlines (polygon,
/// multipolygon or any geometry), by name: what the import dialog offers to choose from when
/// a file has several.
pub fn polygon_layers(path: &Path) -> Result<Vec<String>, StoreError> {
    crate::store::file_header::check(path)?;
    let conn = crate::store::access::open_for_reading(path).ctx(path, "opening")?;
    let types: Vec<(String, String)> = conn
        .prepare(
            "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns ORDER BY table_name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(|e| bad(path, format!("not a GeoPackage with feature layers ({e})")))?;
    Ok(types
        .into_iter()
        .filter(|(_, t)| {
            matches!(
                t.to_ascii_uppercase().as_str(),
                "POLYGON" | "MULTIPOLYGON" | "GEOMETRY" | "CURVEPOLYGON" | "MULTISURFACE"
            )
        })
        .map(|(name, _)| name)
        .collect())
}

/// Every feature layer: table, geometry column, `srs_id`.
fn geometry_columns(
    conn: &rusqlite::Connection,
    path: &Path,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    conn.prepare(
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name",
    )
    .and_then(|mut s| {
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect()
    })
    .map_err(|e| bad(path, format!("not a GeoPackage with feature layers ({e})")))
}

fn bad(path: &Path, what: String) -> StoreError {
    StoreError::NotGridAtlas {
        path: path.to_owned(),
        what,
    }
}

/// Reads the polygon layer `layer` of the GeoPackage at `path`. Without a name: the only
/// feature layer, or `units` when the file is a GridAtlas document; otherwise the error lists
/// the layers to choose from.
pub fn read_foreign_layer(path: &Path, layer: Option<&str>) -> Result<ForeignLayer, StoreError> {
    crate::store::file_header::check(path)?;
    let conn = crate::store::access::open_for_reading(path).ctx(path, "opening")?;
    let layers = geometry_columns(&conn, path)?;
    let names = || {
        layers
            .iter()
            .map(|l| l.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match layer {
        Some(name) => layers.iter().find(|l| l.0 == name).ok_or_else(|| {
            bad(
                path,
                format!("has no feature layer '{name}' (its layers: {})", names()),
            )
        })?,
        None => match layers.as_slice() {
            [one] => one,
            [] => return Err(bad(path, "has no feature layer".into())),
            many => many.iter().find(|l| l.0 == "units").ok_or_else(|| {
                bad(
                    path,
                    format!(
                        "has several feature layers ({}); choose one with --layer",
                        names()
                    ),
                )
            })?,
        },
    };
    let (table, geom_column, srs_id) = chosen.clone();
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let columns: Vec<(String, String, bool)> = conn
        .prepare(&format!("PRAGMA table_info({})", quoted(&table)))
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(5)? > 0,
                ))
            })?
            .collect()
        })
        .ctx(path, "reading the layer's columns")?;
    let attributes: Vec<&(String, String, bool)> = columns
        .iter()
        .filter(|(name, _, pk)| !pk && *name != geom_column)
        .collect();
    let numeric_columns = attributes
        .iter()
        .filter(|(_, ty, _)| {
            let ty = ty.to_uppercase();
            ty.contains("INT") || ty.contains("REAL") || ty.contains("DOUBLE") || ty == "FLOAT"
        })
        .map(|(name, _, _)| name.clone())
        .collect();
    let order = columns
        .iter()
        .find(|c| c.2)
        .map_or("rowid".to_owned(), |c| quoted(&c.0));
    let select = std::iter::once(quoted(&geom_column))
        .chain(attributes.iter().map(|c| quoted(&c.0)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {select} FROM {} ORDER BY {order}",
            quoted(&table)
        ))
        .ctx(path, "reading the layer")?;
    let mut rows = stmt.query([]).ctx(path, "reading the layer")?;
    let mut features = Vec::new();
    while let Some(row) = rows.next().ctx(path, "reading the layer")? {
        let number = features.len() + 1;
        let blob: Option<Vec<u8>> = row.get(0).ctx(path, "reading the layer")?;
        let geometry = match blob {
            Some(b) => geometry::decode_multipolygon(&b)
                .map_err(|e| bad(path, format!("layer {table} feature {number}: {e}")))?,
            None => MultiPolygon::new(Vec::new()),
        };
        let mut fields = Vec::with_capacity(attributes.len());
        for (i, (name, _, _)) in attributes.iter().enumerate() {
            let text = match row.get_ref(i + 1).ctx(path, "reading the layer")? {
                ValueRef::Null | ValueRef::Blob(_) => String::new(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            };
            fields.push((name.clone(), text));
        }
        features.push(ForeignFeature {
            number,
            fields,
            geometry,
        });
    }
    Ok(ForeignLayer {
        name: table,
        srs_id,
        numeric_columns,
        features,
    })
}
