//! Spatial indexes: R-trees over unit envelopes and point-in-unit assignment.

mod point_locator;
mod unit_index;

pub use point_locator::{DEFAULT_BUCKETS_PER_UNIT, PointLocator, Position};
pub use unit_index::UnitIndex;
