//! The case workflow (GB/T 30428's seven stages): which transitions are allowed, deadlines by
//! category and level, escalation. The only place these rules live; widgets and generators ask
//! here.

mod deadline;
mod indicators;
mod workflow;

pub use deadline::{due_at, handling_window_hours};
pub use indicators::{CaseHistoryFlags, IndicatorSums, Indicators, history_flags};
pub use workflow::{WorkflowError, allowed_transitions, check_escalation, check_transition};
