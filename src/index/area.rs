//! An area drawn on the map for an emergency: a polygon (a flood line, a lockdown area) or a
//! circle (around a landslide), in lon/lat.

use geo_types::{Coord, Polygon};

#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Polygon(Polygon<f64>),
    Circle { centre: Coord<f64>, radius_m: f64 },
}
