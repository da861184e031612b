//! Every integration test, in one binary: each file of `tests/` is a module here.
//!
//! One binary rather than one per file: each links the whole egui/typst stack (130 MB), and
//! 42 of them made a clean build's `target/` outgrow CI's disk and spent minutes linking.
//! Tests share nothing global beyond the process (temporary files, their own windows and
//! their own database names), so running side by side in one process is what they did
//! inside each file already.

mod common;

mod accounts;
mod assign_engine;
mod bad_files;
mod basemaps;
mod briefing;
mod case_interchange;
mod cli;
mod demo_data;
mod edit_engine;
mod export;
mod fuzz_document;
mod geos_agreement;
mod import_rosters;
mod import_units;
mod indicators;
mod interop_gdal;
mod layering;
mod plan_codes;
mod properties;
mod proposals;
mod scheduled_plans;
mod server_seats;
mod server_writes;
mod shared_document;
mod shared_people;
mod snapshot;
mod spatial_engine;
mod string_tables;
mod time_and_now;
mod trust;
mod ui_case_desk;
mod ui_cases;
mod ui_hazard;
mod ui_import;
mod ui_map_zoom;
mod ui_planning;
mod ui_roles;
mod ui_small_screens;
mod ui_window;
mod ui_workers;
mod ui_workspace;
mod wall;
