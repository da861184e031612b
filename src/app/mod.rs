//! The application: owns the open document and drives the window. The only layer (with
//! `main`) that knows eframe.

mod bench_cases;
mod bench_frame;
mod case_desk;
mod case_panels;
mod document;
mod loader;
mod planning;
mod planning_panel;
mod window;
mod workspace;

pub use bench_cases::{CasesReport, run_cases_bench};
pub use bench_frame::{FrameReport, run_frame_bench};
pub use case_desk::{CaseDesk, CaseDraft, CaseRequest, DeskMessage, TimeSlider};
pub use case_panels::{DraftAction, ListAction};
pub use document::{Document, Revision};
pub use loader::{DocumentSource, LoadEvent, default_demo_path, start_loading};
pub use planning::{Planning, Tool};
pub use window::{GridAtlasApp, cache_dir, run_window};
pub use workspace::{BasemapState, Workspace, workspace_ui};
