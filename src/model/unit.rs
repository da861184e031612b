use geo_types::MultiPolygon;

use crate::model::{Level, UnitId};

/// One cell of the net at any level, with its outline in EPSG:4326 (lon/lat degrees).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: UnitId,
    pub level: Level,
    /// `None` only for the county.
    pub parent: Option<UnitId>,
    /// GB/T-style code, see [`crate::model::UnitCode`].
    pub code: String,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}
