//! Per-unit statistics aggregated up the hierarchy, the grid standard, incremental updates
//! when boundaries move, and area reports for emergencies.

mod area_report;
mod region;
mod staffing;
mod standard;
mod unit_indicators;
mod unit_stats;

pub use area_report::{AreaReport, HouseholdRow, area_report};
pub use region::{Move, reassign_cases_region, reassign_region};
pub use staffing::{GridStaffing, StaffingReport, staffing};
pub use standard::{Deviation, GridStandard};
pub use unit_indicators::{UnitIndicators, unit_indicators};
pub use unit_stats::{Stats, UnitTotals};
