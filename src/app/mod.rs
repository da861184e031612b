//! The application: owns the open document and drives the window. The only layer (with
//! `main`) that knows eframe.

pub(crate) mod actions;
mod bench_cases;
mod bench_frame;
mod bench_wall;
mod case_actions;
mod case_desk;
mod case_list;
mod case_panels;
mod document;
mod document_sync;
mod export_dialog;
mod file_picker;
mod import_panel;
mod import_session;
mod layout;
mod loader;
mod map_view;
pub mod messages;
mod plan_session;
mod planning;
mod planning_input;
mod planning_panel;
mod side_panel;
mod staffing_panel;
mod top_bar;
mod wall_feed;
mod wall_session;
mod window;
mod workers_panel;
mod workspace;

pub use actions::Action;
pub use bench_cases::{CasesReport, run_cases_bench};
pub use bench_frame::{FrameReport, run_frame_bench};
pub use bench_wall::{WallReport, run_wall_bench};
pub use case_desk::{CaseDesk, CaseDraft, CaseRequest, DeskMessage, TimeSlider};
pub use case_list::ListAction;
pub use case_panels::DraftAction;
pub use document::{Document, Revision};
pub use export_dialog::{ExportDialog, ExportKind};
pub use file_picker::{PickFor, Picked};
pub use import_panel::ImportAction;
pub use import_session::{ImportKind, ImportSession, LayerMenu, Outcome, Preview};
pub use layout::workspace_ui;
pub use loader::{
    DocumentSource, LoadEvent, Opened, default_demo_path, start_loading, start_signed_loading,
};
pub use messages::{Explain, Message};
pub use planning::{EditOutcome, Planning, Tool};
pub use planning_panel::PlanningAction;
pub use wall_session::WallSession;
pub use window::{GridAtlasApp, WallStart, cache_dir, run_window};
pub use workspace::{BasemapState, Workspace};
