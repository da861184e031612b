//! Geometry operations, one per file: datum conversion, local projection, Voronoi tiling,
//! measures. Pure functions over geo-types; no I/O.

mod china_datum;
mod local_metres;
mod measure;
mod voronoi;
mod weld;

pub use china_datum::{
    bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, is_outside_china, wgs84_to_gcj02,
};
pub use local_metres::LocalMetres;
pub use measure::{area_m2, haversine_m};
pub use voronoi::voronoi_cells;
pub use weld::Welder;
