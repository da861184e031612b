//! Conversion between WGS84 (GPS, CGCS2000 to about a metre), GCJ-02 (AMap, Tencent) and BD-09
//! (Baidu). The forward formulas are the published ones; the inverses are not closed-form, so
//! they are solved by fixed-point iteration on the forward formula until the residual is below
//! 1e-9° (≈0.1 mm), far better than the "subtract the forward offset" approximation (1–2 m).
//!
//! Written here rather than taken from a crate: the crates on crates.io that do this
//! (e.g. `coord_transforms`, `eviltransform`) only offer the approximate inverse.
//! All functions take and return (longitude, latitude) in degrees.

use std::f64::consts::PI;

/// Krasovsky 1940 semi-major axis and eccentricity squared, as used by GCJ-02.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;
/// Residual at which the inverse iterations stop, in degrees (≈0.1 mm).
const INVERSE_TOLERANCE_DEG: f64 = 1e-9;
const MAX_ITERATIONS: usize = 30;

/// GCJ-02 applies no offset outside this box (the published rule).
pub fn is_outside_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// The GCJ-02 offset (dlon, dlat) in degrees at a WGS84 position.
fn gcj_offset(lon: f64, lat: f64) -> (f64, f64) {
    let dlat = offset_lat(lon - 105.0, lat - 35.0);
    let dlon = offset_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    (
        (dlon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI),
        (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI),
    )
}

/// WGS84 → GCJ-02.
///
/// ```
/// let (lon, lat) = gridatlas::geom::wgs84_to_gcj02(113.64, 28.16);
/// assert!((lon - 113.64).abs() > 0.003, "Hunan is offset by hundreds of metres");
/// ```
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if is_outside_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = gcj_offset(lon, lat);
    (lon + dlon, lat + dlat)
}

/// Solves `forward(x) = target` for x by fixed-point iteration, starting at `target`.
/// Converges because each forward offset varies slowly with position.
fn invert(target: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut lon, mut lat) = target;
    for _ in 0..MAX_ITERATIONS {
        let (flon, flat) = forward(lon, lat);
        let (elon, elat) = (flon - target.0, flat - target.1);
        lon -= elon;
        lat -= elat;
        if elon.abs() < INVERSE_TOLERANCE_DEG && elat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
    }
    (lon, lat)
}

/// GCJ-02 → WGS84, accurate to well under a millimetre (see module docs).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if is_outside_china(lon, lat) {
        return (lon, lat);
    }
    invert((lon, lat), wgs84_to_gcj02)
}

/// GCJ-02 → BD-09 (Baidu).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02, by iterating the forward formula (the usual closed form is off by up to
/// a metre).
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert((lon, lat), gcj02_to_bd09)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::haversine_m;

    #[test]
    fn liuyang_offset_is_hundreds_of_metres() {
        // The county seat of Liuyang.
        let (lon, lat) = (113.6433, 28.1631);
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        let offset = haversine_m((lon, lat), (glon, glat));
        assert!((300.0..800.0).contains(&offset), "offset {offset} m");
    }

    #[test]
    fn round_trips_are_far_below_a_metre() {
        let mut worst_gcj: f64 = 0.0;
        let mut worst_bd: f64 = 0.0;
        // A grid over China, including Hunan and Zhejiang.
        for i in 0..40 {
            for j in 0..30 {
                let lon = 74.0 + i as f64 * 1.6;
                let lat = 18.0 + j as f64 * 1.2;
                let (glon, glat) = wgs84_to_gcj02(lon, lat);
                let back = gcj02_to_wgs84(glon, glat);
                worst_gcj = worst_gcj.max(haversine_m((lon, lat), back));
                let (blon, blat) = gcj02_to_bd09(lon, lat);
                let back = bd09_to_gcj02(blon, blat);
                worst_bd = worst_bd.max(haversine_m((lon, lat), back));
            }
        }
        eprintln!("worst round-trip error: GCJ-02 {worst_gcj:.2e} m, BD-09 {worst_bd:.2e} m");
        assert!(worst_gcj < 0.01, "GCJ-02 round trip {worst_gcj} m");
        assert!(worst_bd < 0.01, "BD-09 round trip {worst_bd} m");
    }

    #[test]
    fn outside_china_is_unchanged() {
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
        assert_eq!(gcj02_to_wgs84(2.35, 48.85), (2.35, 48.85));
    }
}
