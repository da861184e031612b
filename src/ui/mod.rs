//! Panels and widgets. All user-visible text comes from [`strings`].

pub mod fonts;
pub mod hazard;
pub mod strings;

pub use fonts::{FontStatus, install_cjk_font};
pub use hazard::{HazardMode, HazardTool, hazard_panel_ui};
pub use strings::{Lang, Strings};
