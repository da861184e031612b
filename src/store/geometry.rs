//! GeoPackage geometry blobs (GeoPackage header + WKB), through geozero — after a structural
//! check of our own (`wkb_bounds`), since geozero trusts the counts in a blob.

use geo::BoundingRect;
use geo_types::{Geometry, MultiPolygon, Point};
use geozero::{CoordDimensions, ToGeo, ToWkb, wkb::GpkgWkb};

pub fn encode_point(p: Point<f64>) -> Result<Vec<u8>, String> {
    // Points carry no envelope (GeoPackage §2.1.3: it would only repeat the point).
    Geometry::Point(p)
        .to_gpkg_wkb(CoordDimensions::xy(), Some(4326), Vec::new())
        .map_err(|e| e.to_string())
}

pub fn encode_multipolygon(mp: &MultiPolygon<f64>) -> Result<Vec<u8>, String> {
    // Envelope order in the header is [min_x, max_x, min_y, max_y].
    let envelope = mp
        .bounding_rect()
        .map(|r| vec![r.min().x, r.max().x, r.min().y, r.max().y])
        .unwrap_or_default();
    Geometry::MultiPolygon(mp.clone())
        .to_gpkg_wkb(CoordDimensions::xy(), Some(4326), envelope)
        .map_err(|e| e.to_string())
}

pub fn decode_point(blob: &[u8]) -> Result<Point<f64>, String> {
    crate::store::wkb_bounds::check(blob)?;
    match GpkgWkb(blob)
        .to_geo()
        .map_err(|e| format!("geometry: {e}"))?
    {
        Geometry::Point(p) if p.x().is_finite() && p.y().is_finite() => Ok(p),
        Geometry::Point(_) => Err("geometry: point has no finite coordinates".into()),
        other => Err(format!(
            "geometry: expected a POINT, found {}",
            type_name(&other)
        )),
    }
}

/// Accepts POLYGON too: QGIS users may save a single polygon into the layer.
pub fn decode_multipolygon(blob: &[u8]) -> Result<MultiPolygon<f64>, String> {
    crate::store::wkb_bounds::check(blob)?;
    match GpkgWkb(blob)
        .to_geo()
        .map_err(|e| format!("geometry: {e}"))?
    {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        other => Err(format!(
            "geometry: expected a MULTIPOLYGON, found {}",
            type_name(&other)
        )),
    }
}

fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "POINT",
        Geometry::Line(_) | Geometry::LineString(_) => "LINESTRING",
        Geometry::Polygon(_) => "POLYGON",
        Geometry::MultiPoint(_) => "MULTIPOINT",
        Geometry::MultiLineString(_) => "MULTILINESTRING",
        Geometry::MultiPolygon(_) => "MULTIPOLYGON",
        Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
        Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon};

    #[test]
    fn blobs_round_trip() {
        let p = Point::new(113.6, 28.1);
        assert_eq!(decode_point(&encode_point(p).unwrap()).unwrap(), p);
        let mp = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            vec![],
        )]);
        let blob = encode_multipolygon(&mp).unwrap();
        assert_eq!(&blob[..2], b"GP");
        assert_eq!(decode_multipolygon(&blob).unwrap(), mp);
        assert!(
            decode_point(&blob)
                .unwrap_err()
                .contains("expected a POINT")
        );
        assert!(decode_point(b"GP\0\0junk").is_err());
    }
}
