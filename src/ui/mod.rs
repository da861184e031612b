//! Panels and widgets. All user-visible text comes from [`strings`].

pub mod access_strings;
pub mod commands;
pub mod export_strings;
pub mod fonts;
pub mod hazard;
pub mod import_strings;
pub mod inspector;
pub mod search;
pub mod staffing_strings;
pub mod strings;

pub use access_strings::AccessStrings;
pub use commands::Command;
pub use export_strings::ExportStrings;
pub use fonts::{FontStatus, install_cjk_font};
pub use hazard::{HazardMode, HazardTool, hazard_panel_ui};
pub use import_strings::ImportStrings;
pub use inspector::{InspectorAction, InspectorContext, Selection, inspector_ui};
pub use search::{HitKind, SearchHit, search};
pub use staffing_strings::StaffingStrings;
pub use strings::{Lang, Strings};
