//! The SQL functions GDAL's GeoPackage triggers call. When QGIS or `ogrinfo` adds a spatial
//! index (`gpkg_rtree_index`), it installs triggers on the table that call `ST_IsEmpty` and
//! `ST_MinX/MaxX/MinY/MaxY` on every insert and update; GDAL registers them on its own
//! connections, SQLite has none, so our writes failed with "no such function: ST_IsEmpty"
//! and the file could no longer be written by us. We register them on every connection
//! that writes, so the index QGIS relies on stays exact.
//!
//! Written here rather than taken from a crate: they are five small readers of the GeoPackage
//! header (spec §2.1.3), and the envelope it usually carries; without one the geometry is
//! decoded (bounds-checked first, as every blob we read).

use geo::BoundingRect;
use geozero::ToGeo;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// min x, max x, min y, max y of a GeoPackage geometry blob; None when it is empty or not one.
fn envelope(blob: &[u8]) -> Option<[f64; 4]> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return None;
    }
    let flags = blob[3];
    if flags & 0x10 != 0 {
        return None; // the empty-geometry flag
    }
    let little = flags & 0x01 == 1;
    let read = |at: usize| -> Option<f64> {
        let bytes: [u8; 8] = blob.get(at..at + 8)?.try_into().ok()?;
        Some(if little {
            f64::from_le_bytes(bytes)
        } else {
            f64::from_be_bytes(bytes)
        })
    };
    match (flags >> 1) & 0x07 {
        // [minx, maxx, miny, maxy] first, whatever the dimensions that follow.
        1..=4 => Some([read(8)?, read(16)?, read(24)?, read(32)?]),
        _ => {
            crate::store::wkb_bounds::check(blob).ok()?;
            let r = geozero::wkb::GpkgWkb(blob).to_geo().ok()?.bounding_rect()?;
            Some([r.min().x, r.max().x, r.min().y, r.max().y])
        }
    }
}

fn is_empty(blob: &[u8]) -> bool {
    if blob.len() >= 4 && &blob[..2] == b"GP" && blob[3] & 0x10 != 0 {
        return true;
    }
    envelope(blob).is_none()
}

/// Registers ST_IsEmpty and ST_MinX/MaxX/MinY/MaxY (GDAL's names and meanings: NULL for a
/// NULL or unreadable geometry).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        Ok(ctx
            .get::<Option<Vec<u8>>>(0)?
            .map(|b| i64::from(is_empty(&b))))
    })?;
    for (name, k) in [
        ("ST_MinX", 0),
        ("ST_MaxX", 1),
        ("ST_MinY", 2),
        ("ST_MaxY", 3),
    ] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            Ok(ctx
                .get::<Option<Vec<u8>>>(0)?
                .and_then(|b| envelope(&b))
                .map(|e| e[k]))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_of_points_and_polygons() {
        let p = crate::store::encode_point(geo_types::Point::new(113.5, 28.2)).unwrap();
        assert_eq!(envelope(&p), Some([113.5, 113.5, 28.2, 28.2]));
        assert!(!is_empty(&p));
        let mp = geo_types::MultiPolygon::new(vec![geo_types::Polygon::new(
            geo_types::LineString::from(vec![(1.0, 2.0), (3.0, 2.0), (3.0, 5.0), (1.0, 2.0)]),
            vec![],
        )]);
        let b = crate::store::encode_multipolygon(&mp).unwrap();
        assert_eq!(envelope(&b), Some([1.0, 3.0, 2.0, 5.0]));
        assert!(is_empty(b"GP\0\x11\0\0\0\0"));
        assert!(is_empty(b"not a geometry"));
    }
}
