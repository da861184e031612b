//! Panels and widgets. All user-visible text comes from [`strings`].

pub mod fonts;
pub mod strings;

pub use fonts::{FontStatus, install_cjk_font};
pub use strings::{Lang, Strings};
