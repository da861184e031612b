//! A local equirectangular projection in metres around a reference point: good to well under
//! 1 % over a county (≈100 km), and affine, so that shared vertices stay shared and straight
//! edges stay straight when converting back. Used where planar metres are needed (generation,
//! tolerances), never for storage.

use geo_types::{Coord, MultiPolygon};

const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalMetres {
    lon0: f64,
    lat0: f64,
    metres_per_deg_lon: f64,
    metres_per_deg_lat: f64,
}

impl LocalMetres {
    pub fn new(lon0: f64, lat0: f64) -> LocalMetres {
        let metres_per_deg_lat = EARTH_RADIUS_M.to_radians();
        LocalMetres {
            lon0,
            lat0,
            metres_per_deg_lat,
            metres_per_deg_lon: metres_per_deg_lat * lat0.to_radians().cos(),
        }
    }

    /// (lon, lat) degrees → (x east, y north) metres.
    pub fn forward(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.metres_per_deg_lon,
            y: (c.y - self.lat0) * self.metres_per_deg_lat,
        }
    }

    /// (x, y) metres → (lon, lat) degrees.
    pub fn inverse(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.lon0 + c.x / self.metres_per_deg_lon,
            y: self.lat0 + c.y / self.metres_per_deg_lat,
        }
    }

    pub fn forward_multipolygon(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        use geo::MapCoords;
        mp.map_coords(|c| self.forward(c))
    }

    pub fn inverse_multipolygon(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        use geo::MapCoords;
        mp.map_coords(|c| self.inverse(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scale() {
        let p = LocalMetres::new(113.6, 28.2);
        let c = Coord { x: 113.7, y: 28.3 };
        let m = p.forward(c);
        let back = p.inverse(m);
        assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
        // 0.1° of latitude is about 11.1 km.
        assert!((m.y - 11_119.5).abs() < 5.0, "{}", m.y);
    }
}
