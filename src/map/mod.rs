//! The map: walkers integration and the layers drawn on it.

mod hazard_layer;
mod mercator;
mod screen_transform;
mod unit_shapes;
mod units_layer;

pub use hazard_layer::HazardLayer;
pub use mercator::{lon_lat_to_mercator, mercator_to_lon_lat, world_pixels};
pub use screen_transform::ScreenTransform;
pub use unit_shapes::{UnitShape, UnitShapes};
pub use units_layer::{UnitsLayer, level_for_zoom};
