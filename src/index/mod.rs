//! Spatial indexes: a static grid over households, R-trees over cases and unit envelopes, and
//! point-in-unit assignment.

mod area;
mod point_grid;
mod point_locator;
mod spatial_index;

pub use area::Area;
pub use point_locator::{
    DEFAULT_BUCKETS_PER_UNIT, PointLocator, Position, position_in, position_in_rings,
};
pub use spatial_index::{Assignment, SpatialIndex};
