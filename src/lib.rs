//! GridAtlas: a desktop GIS for grid governance (网格化管理). See README.md for the module map
//! and ARCHITECTURE.md for the layering rules.

#![forbid(unsafe_code)]

pub mod app;
pub mod bench;
pub mod briefing;
pub mod cases;
pub mod check;
pub mod cli;
pub mod demo;
pub mod edit;
pub mod geom;
pub mod import;
pub mod index;
pub mod ledger;
pub mod map;
pub mod model;
pub mod propose;
pub mod stats;
pub mod store;
pub mod ui;
pub mod wall;
