//! The domain of grid governance (网格化管理) as plain data: units on five levels, households,
//! workers, cases and their history. No I/O, no drawing: every other layer builds on this one.

mod case;
mod category;
mod code;
mod dataset;
mod household;
mod ids;
mod level;
mod role;
mod sealed;
mod tag;
mod time_zone;
mod timestamp;
mod unit;
mod unit_tree;
mod worker;

pub use case::{Case, CaseAction, CaseEvent, CaseStatus};
pub use category::{CATEGORIES, Category, CategoryCode, MajorCategory};
pub use code::{UnitCode, UnitCodeError};
pub use dataset::{Dataset, DatasetMeta};
pub use household::{Household, mask_address, mask_id_number, mask_name, mask_phone};
pub use ids::{CaseEventId, CaseId, HouseholdId, UnitId, WorkerId};
pub use level::Level;
pub use role::{Permission, Role};
pub use sealed::{SEALED_PREFIX, is_sealed};
pub use tag::{Tag, TagParseError, TagSet};
pub use time_zone::{LocalTime, TimeZone, TimeZoneError};
pub use timestamp::{Timestamp, TimestampError};
pub use unit::Unit;
pub use unit_tree::UnitTree;
pub use worker::{Worker, WorkerRole};
