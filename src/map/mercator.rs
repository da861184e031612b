//! Normalized Web Mercator (0..1 over the world, y down), the projection of the tile pyramid.
//! Outlines are cached in it once, so a frame maps them to the screen with one multiply-add
//! per vertex instead of trigonometry.

use std::f64::consts::PI;

/// (lon, lat) degrees → normalized Web Mercator.
pub fn lon_lat_to_mercator(lon: f64, lat: f64) -> [f64; 2] {
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - lat.to_radians().tan().asinh() / PI) / 2.0;
    [x, y]
}

/// Normalized Web Mercator → (lon, lat) degrees.
pub fn mercator_to_lon_lat(m: [f64; 2]) -> (f64, f64) {
    let lon = m[0] * 360.0 - 180.0;
    let lat = ((1.0 - 2.0 * m[1]) * PI).sinh().atan().to_degrees();
    (lon, lat)
}

/// Size of the whole world in screen points at a walkers zoom level (256 px tiles).
pub fn world_pixels(zoom: f64) -> f64 {
    256.0 * 2f64.powf(zoom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = lon_lat_to_mercator(113.64, 28.16);
        let (lon, lat) = mercator_to_lon_lat(m);
        assert!((lon - 113.64).abs() < 1e-12 && (lat - 28.16).abs() < 1e-12);
    }
}
