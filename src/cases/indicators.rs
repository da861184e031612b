//! The indicators of grid governance, with the exact definitions of the domain doc, for the
//! cases of one unit's subtree and a period [from, to):
//! - 应结案数 due: `accepted_at` set, not `rejected`, `due_at` in [from, to);
//! - 结案率 closure rate: of those due, the ones with `closed_at` < to, over due;
//! - 按期结案率 on-time rate: of those due, the ones with `closed_at` ≤ `due_at`, over due;
//! - 返工率 rework rate: of those due, the ones with at least one rework event, over the ones
//!   (of those due) that reached `responded` at least once;
//! - 超期 overdue: `accepted_at` set, not `rejected`, `due_at` < to, `closed_at` unset or ≥ to;
//! - 平均处置时长 mean handling time: mean of `closed_at` − `accepted_at`, in hours, over cases with
//!   `closed_at` in [from, to).
//!
//! A rate whose denominator is zero is `None` (null), never 0 or 100 %.

use std::collections::HashMap;

use crate::model::{Case, CaseEvent, CaseId, CaseStatus, Timestamp};

/// What a case's history says, for the indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseHistoryFlags {
    pub reworked: bool,
    pub reached_responded: bool,
}

/// Flags per case from the event log (one pass).
pub fn history_flags(events: &[CaseEvent]) -> HashMap<CaseId, CaseHistoryFlags> {
    let mut flags: HashMap<CaseId, CaseHistoryFlags> = HashMap::new();
    for e in events {
        let f = flags.entry(e.case_id).or_default();
        f.reworked |= e.is_rework();
        f.reached_responded |= e.to_status == CaseStatus::Responded;
    }
    flags
}

/// The classes a rate is shown in, on a map or a page: below 60 %, 60–75 %, 75–85 %, 85–95 %,
/// from 95 %. One definition, so the wall, the bulletin and its legend agree.
pub const RATE_CLASSES: [(f64, &str); 5] = [
    (0.0, "<60%"),
    (0.6, "60–75%"),
    (0.75, "75–85%"),
    (0.85, "85–95%"),
    (0.95, "≥95%"),
];

/// The class (0–4) of a rate, per [`RATE_CLASSES`].
pub fn rate_class(rate: f64) -> usize {
    RATE_CLASSES
        .iter()
        .rposition(|(from, _)| rate >= *from)
        .unwrap_or(0)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Indicators {
    pub due: u32,
    pub closure_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub rework_rate: Option<f64>,
    pub overdue: u32,
    pub mean_handling_hours: Option<f64>,
}

/// Running sums; `finish` turns them into [`Indicators`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IndicatorSums {
    pub due: u32,
    pub closed_by_end: u32,
    pub on_time: u32,
    pub reworked: u32,
    pub responded: u32,
    pub overdue: u32,
    pub handled: u32,
    pub handling_seconds: i64,
}

impl IndicatorSums {
    /// Adds one case of the unit's subtree.
    pub fn add(&mut self, c: &Case, flags: CaseHistoryFlags, from: Timestamp, to: Timestamp) {
        let live = c.accepted_at.is_some() && c.status != CaseStatus::Rejected;
        if live && c.due_at.is_some_and(|d| from <= d && d < to) {
            self.due += 1;
            if c.closed_at.is_some_and(|t| t < to) {
                self.closed_by_end += 1;
            }
            if let (Some(closed), Some(due)) = (c.closed_at, c.due_at)
                && closed <= due
            {
                self.on_time += 1;
            }
            if flags.reached_responded {
                self.responded += 1;
                if flags.reworked {
                    self.reworked += 1;
                }
            }
        }
        if live && c.due_at.is_some_and(|d| d < to) && c.closed_at.is_none_or(|t| t >= to) {
            self.overdue += 1;
        }
        if let (Some(closed), Some(accepted)) = (c.closed_at, c.accepted_at)
            && from <= closed
            && closed < to
        {
            self.handled += 1;
            self.handling_seconds += closed.0 - accepted.0;
        }
    }

    pub fn merge(&mut self, o: &IndicatorSums) {
        self.due += o.due;
        self.closed_by_end += o.closed_by_end;
        self.on_time += o.on_time;
        self.reworked += o.reworked;
        self.responded += o.responded;
        self.overdue += o.overdue;
        self.handled += o.handled;
        self.handling_seconds += o.handling_seconds;
    }

    pub fn finish(&self) -> Indicators {
        let rate = |n: u32, d: u32| (d > 0).then(|| n as f64 / d as f64);
        Indicators {
            due: self.due,
            closure_rate: rate(self.closed_by_end, self.due),
            on_time_rate: rate(self.on_time, self.due),
            rework_rate: rate(self.reworked, self.responded),
            overdue: self.overdue,
            mean_handling_hours: (self.handled > 0)
                .then(|| self.handling_seconds as f64 / 3600.0 / self.handled as f64),
        }
    }
}
