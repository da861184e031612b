//! The application: owns the open document and drives the window. The only layer (with
//! `main`) that knows eframe.

mod document;
mod loader;
mod window;

pub use document::Document;
pub use loader::{DocumentSource, LoadEvent, default_demo_path, start_loading};
pub use window::{GridAtlasApp, run_window};
