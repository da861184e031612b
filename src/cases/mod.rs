//! The case workflow (GB/T 30428's seven stages): which transitions are allowed, deadlines by
//! category and level, escalation, what operators do to a case, the list's filters and the
//! history by day. The only place these rules live; widgets and generators ask here.

mod deadline;
mod filter;
mod indicators;
mod operations;
mod timeline;
mod workflow;

pub use deadline::{DeadlinePolicy, due_at, handling_window_hours};
pub use filter::{
    CaseFilter, SortKey, case_search_line, case_search_text, case_unit_chains, filter_cases,
    sort_cases,
};
pub use indicators::{
    CaseHistoryFlags, IndicatorSums, Indicators, RATE_CLASSES, history_flags, rate_class,
};
pub use operations::{
    CaseError, NewCase, Step, case_code, edit, eligible_handlers, escalate, last_step_at, report,
    responsible_unit, transition,
};
pub use timeline::{CaseState, CaseTimeline};
pub use workflow::{WorkflowError, allowed_transitions, check_escalation, check_transition};
