//! Spatial indexes: R-trees over unit envelopes and point-in-unit assignment.

mod area;
mod point_locator;
mod spatial_index;

pub use area::Area;
pub use point_locator::{
    DEFAULT_BUCKETS_PER_UNIT, PointLocator, Position, position_in, position_in_rings,
};
pub use spatial_index::{Assignment, SpatialIndex};
