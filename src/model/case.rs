use geo_types::Point;

use crate::model::{CaseEventId, CaseId, CategoryCode, Level, Timestamp, UnitId, WorkerId};

/// The stored status codes of the domain doc (`cases.status`, `case_events.from_status` /
/// `to_status`). The allowed transitions live in [`crate::cases`], not here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    /// 上报
    Reported,
    /// 立案
    Accepted,
    /// 不予立案
    Rejected,
    /// 派遣
    Dispatched,
    /// 处置
    Handling,
    /// 反馈 (waiting for verification)
    Responded,
    /// 结案
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Reported,
        CaseStatus::Accepted,
        CaseStatus::Rejected,
        CaseStatus::Dispatched,
        CaseStatus::Handling,
        CaseStatus::Responded,
        CaseStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Reported => "reported",
            CaseStatus::Accepted => "accepted",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Dispatched => "dispatched",
            CaseStatus::Handling => "handling",
            CaseStatus::Responded => "responded",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CaseStatus::Reported => "上报",
            CaseStatus::Accepted => "立案",
            CaseStatus::Rejected => "不予立案",
            CaseStatus::Dispatched => "派遣",
            CaseStatus::Handling => "处置",
            CaseStatus::Responded => "反馈",
            CaseStatus::Closed => "结案",
        }
    }

    /// Still in the loop: neither closed nor rejected.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Closed | CaseStatus::Rejected)
    }
}

/// A case (事件).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: CaseId,
    pub code: String,
    pub category: CategoryCode,
    pub title: String,
    pub description: String,
    pub status: CaseStatus,
    /// The level handling it now: 5 micro-grid … 1 county; escalation lowers the number.
    pub level: Level,
    /// Who reported it (a worker's name, "居民", "巡查").
    pub reporter: String,
    pub handler: Option<WorkerId>,
    pub reported_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The micro-grid containing `location`.
    pub unit: Option<UnitId>,
    pub location: Point<f64>,
}

impl Case {
    /// 超期 at `now`: accepted, not rejected, past its deadline and not closed by then.
    pub fn is_overdue_at(&self, now: Timestamp) -> bool {
        self.accepted_at.is_some()
            && self.status != CaseStatus::Rejected
            && self.due_at.is_some_and(|due| due < now)
            && self.closed_at.is_none_or(|closed| closed >= now)
    }
}

/// What a history entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseAction {
    /// A status change `from_status` → `to_status`.
    Transition,
    /// A change of `cases.level` (`from_level` → `to_level`); the status stays.
    Escalate,
}

impl CaseAction {
    pub fn code(self) -> &'static str {
        match self {
            CaseAction::Transition => "transition",
            CaseAction::Escalate => "escalate",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseAction> {
        match code {
            "transition" => Some(CaseAction::Transition),
            "escalate" => Some(CaseAction::Escalate),
            _ => None,
        }
    }
}

/// One entry of a case's history (`case_events`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub id: CaseEventId,
    pub case_id: CaseId,
    pub at: Timestamp,
    pub actor: String,
    pub action: CaseAction,
    /// `None` for the creating event (→ reported).
    pub from_status: Option<CaseStatus>,
    pub to_status: CaseStatus,
    pub from_level: Level,
    pub to_level: Level,
    pub note: String,
}

impl CaseEvent {
    /// 返工: verification failed and the case went back to handling.
    pub fn is_rework(&self) -> bool {
        self.from_status == Some(CaseStatus::Responded) && self.to_status == CaseStatus::Handling
    }
}
