//! The wall display (大屏模式): a second window, fullscreen on its own monitor, for leaders
//! watching a briefing from across the room. It draws a [`WallView`] — aggregates, names and
//! codes of units, and cases by category, status, place and time — and nothing else.

mod tour;
mod view;
mod wall_ui;

pub use tour::{Stop, Tour};
pub use view::{HAZARD_ZONE, WallCase, WallFocus, WallIndicator, WallTiles, WallUnit, WallView};
pub use wall_ui::{BACKGROUND, WallFrame, wall_ui};
