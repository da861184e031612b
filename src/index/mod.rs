//! Spatial indexes: R-trees over unit envelopes and point-in-unit assignment.

mod unit_index;

pub use unit_index::UnitIndex;
