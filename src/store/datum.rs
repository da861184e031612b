//! The datum of coordinates in a file we read or write. Stored data is WGS84.
//!
//! Chinese web maps (Gaode, Tencent) and most exported case systems use GCJ-02; Baidu's maps
//! BD-09; surveyors and the national standard CGCS2000; GPS receivers WGS84. CGCS2000 and WGS84
//! differ by centimetres (the two frames agree to a few cm in China), far below what a grid
//! boundary or a household point means, so CGCS2000 is read as WGS84.

use crate::geom::{bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoordinateDatum {
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
}

impl CoordinateDatum {
    pub const ALL: [CoordinateDatum; 4] = [
        CoordinateDatum::Gcj02,
        CoordinateDatum::Wgs84,
        CoordinateDatum::Cgcs2000,
        CoordinateDatum::Bd09,
    ];

    /// The name users see (GCJ-02, WGS84, CGCS2000, BD-09).
    pub fn label(self) -> &'static str {
        match self {
            CoordinateDatum::Wgs84 => "WGS84",
            CoordinateDatum::Cgcs2000 => "CGCS2000",
            CoordinateDatum::Gcj02 => "GCJ-02",
            CoordinateDatum::Bd09 => "BD-09",
        }
    }

    /// (lon, lat) in this datum to WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            CoordinateDatum::Wgs84 | CoordinateDatum::Cgcs2000 => (lon, lat),
            CoordinateDatum::Gcj02 => gcj02_to_wgs84(lon, lat),
            CoordinateDatum::Bd09 => {
                let (x, y) = bd09_to_gcj02(lon, lat);
                gcj02_to_wgs84(x, y)
            }
        }
    }

    /// (lon, lat) in WGS84 to this datum (to name a place in the input's own coordinates).
    pub fn from_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            CoordinateDatum::Wgs84 | CoordinateDatum::Cgcs2000 => (lon, lat),
            CoordinateDatum::Gcj02 => wgs84_to_gcj02(lon, lat),
            CoordinateDatum::Bd09 => {
                let (x, y) = wgs84_to_gcj02(lon, lat);
                gcj02_to_bd09(x, y)
            }
        }
    }
}
