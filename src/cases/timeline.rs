//! Every case's history as flat arrays, so that "what was this case's status on day D" is a
//! binary search — the time slider asks it for 100,000 cases per frame.

use crate::model::{CaseStatus, Dataset, Timestamp};

/// A case as the map shows it at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseState {
    /// Not yet reported, or rejected (不予立案 cases are not on the ledger).
    Absent,
    Open,
    /// 超期: open, accepted, past its deadline.
    Overdue,
    /// 结案: struck off.
    Closed,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseTimeline {
    /// Events of case `i` are `start[i]..start[i + 1]`, in time order.
    start: Vec<u32>,
    at: Vec<i64>,
    status: Vec<CaseStatus>,
}

impl CaseTimeline {
    pub fn new(d: &Dataset) -> CaseTimeline {
        let slot: std::collections::HashMap<_, _> =
            d.cases.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let mut per_case: Vec<Vec<(i64, i64, CaseStatus)>> = vec![Vec::new(); d.cases.len()];
        for e in &d.case_events {
            if let Some(&i) = slot.get(&e.case_id) {
                per_case[i].push((e.at.0, e.id.0, e.to_status));
            }
        }
        let mut t = CaseTimeline {
            start: Vec::with_capacity(d.cases.len() + 1),
            ..Default::default()
        };
        for mut list in per_case {
            list.sort_unstable_by_key(|&(at, id, _)| (at, id));
            t.start.push(t.at.len() as u32);
            for (at, _, status) in list {
                t.at.push(at);
                t.status.push(status);
            }
        }
        t.start.push(t.at.len() as u32);
        t
    }

    /// After the cases at `changed` (indices into `d.cases`; new ones at the end) changed or
    /// gained history: their events are read again, everyone else's are copied across. One
    /// pass over the history for the changed cases' entries, no map over every case.
    pub fn update(&mut self, d: &Dataset, changed: &[usize]) {
        let wanted: std::collections::HashMap<_, _> =
            changed.iter().map(|&i| (d.cases[i].id, i)).collect();
        let mut fresh: std::collections::HashMap<usize, Vec<(i64, i64, CaseStatus)>> =
            changed.iter().map(|&i| (i, Vec::new())).collect();
        for e in &d.case_events {
            if let Some(&i) = wanted.get(&e.case_id) {
                fresh
                    .entry(i)
                    .or_default()
                    .push((e.at.0, e.id.0, e.to_status));
            }
        }
        let old = std::mem::take(self);
        self.start.reserve(d.cases.len() + 1);
        for i in 0..d.cases.len() {
            self.start.push(self.at.len() as u32);
            match fresh.get_mut(&i) {
                Some(list) => {
                    list.sort_unstable_by_key(|&(at, id, _)| (at, id));
                    for &(at, _, status) in list.iter() {
                        self.at.push(at);
                        self.status.push(status);
                    }
                }
                None if i + 1 < old.start.len() => {
                    let (a, b) = (old.start[i] as usize, old.start[i + 1] as usize);
                    self.at.extend_from_slice(&old.at[a..b]);
                    self.status.extend_from_slice(&old.status[a..b]);
                }
                None => {}
            }
        }
        self.start.push(self.at.len() as u32);
    }

    /// The status of case `i` at `t`: that of its last event at or before `t`.
    pub fn status_at(&self, i: usize, t: Timestamp) -> Option<CaseStatus> {
        let (a, b) = (self.start[i] as usize, self.start[i + 1] as usize);
        let n = self.at[a..b].partition_point(|&at| at <= t.0);
        (n > 0).then(|| self.status[a + n - 1])
    }

    /// When case `i`'s history last moved.
    pub fn last_event_at(&self, i: usize) -> Option<Timestamp> {
        let (a, b) = (self.start[i] as usize, self.start[i + 1] as usize);
        (b > a).then(|| Timestamp(self.at[b - 1]))
    }

    /// What the map shows for case `i` at `t`. A case with no history (imported bare) counts
    /// from its report time with its current status.
    pub fn state_at(&self, d: &Dataset, i: usize, t: Timestamp) -> CaseState {
        self.status_and_state_at(d, i, t).1
    }

    /// The status at `t` (if reported by then) and what the map shows, with one search.
    pub fn status_and_state_at(
        &self,
        d: &Dataset,
        i: usize,
        t: Timestamp,
    ) -> (Option<CaseStatus>, CaseState) {
        let c = &d.cases[i];
        let status = match self.status_at(i, t) {
            Some(s) => s,
            None if self.start[i] == self.start[i + 1] && c.reported_at <= t => c.status,
            None => return (None, CaseState::Absent),
        };
        let state = match status {
            CaseStatus::Rejected => CaseState::Absent,
            CaseStatus::Closed => CaseState::Closed,
            _ if c.accepted_at.is_some_and(|a| a <= t) && c.due_at.is_some_and(|d| d < t) => {
                CaseState::Overdue
            }
            _ => CaseState::Open,
        };
        (Some(status), state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{NewCase, Step, report, transition};
    use crate::model::{CaseEventId, CaseId, CategoryCode, DatasetMeta, UnitId};

    #[test]
    fn status_and_overdue_on_any_day() {
        let ts = |s: &str| Timestamp::parse(s).unwrap();
        let (c, e0) = report(
            NewCase {
                category: CategoryCode::parse("11.01").unwrap(),
                title: "x".into(),
                description: String::new(),
                reporter: String::new(),
                location: geo_types::Point::new(0.0, 0.0),
                unit: Some(UnitId(1)),
                reported_at: ts("2026-05-01T10:00:00Z"),
            },
            CaseId(1),
            CaseEventId(1),
            "a",
            &crate::model::TimeZone::beijing(),
        )
        .unwrap();
        let overrides = std::collections::BTreeMap::new();
        let step = |at: &str, id| Step {
            actor: "a",
            at: ts(at),
            note: "",
            last_event_at: ts("2026-05-01T10:00:00Z"),
            event_id: CaseEventId(id),
            deadlines: crate::cases::DeadlinePolicy {
                overrides: &overrides,
            },
        };
        let (c, e1) = transition(
            &c,
            CaseStatus::Accepted,
            None,
            &[],
            &step("2026-05-01T12:00:00Z", 2),
        )
        .unwrap();
        let d = Dataset {
            meta: DatasetMeta {
                title: String::new(),
                provenance: String::new(),
                as_of: ts("2026-06-01T00:00:00Z"),
                time_zone: crate::model::TimeZone::beijing(),
                deadline_hours: Default::default(),
            },
            units: vec![],
            households: vec![],
            workers: vec![],
            cases: vec![c],
            // Out of order on purpose: the timeline sorts.
            case_events: vec![e1, e0],
        };
        let t = CaseTimeline::new(&d);
        assert_eq!(
            t.state_at(&d, 0, ts("2026-05-01T09:59:59Z")),
            CaseState::Absent
        );
        assert_eq!(
            t.status_at(0, ts("2026-05-01T11:00:00Z")),
            Some(CaseStatus::Reported)
        );
        assert_eq!(
            t.state_at(&d, 0, ts("2026-05-03T12:00:00Z")),
            CaseState::Open
        );
        // Due 2026-05-03T12:00 (48 h): overdue one second later, across the day boundary too.
        assert_eq!(
            t.state_at(&d, 0, ts("2026-05-03T12:00:01Z")),
            CaseState::Overdue
        );
        assert_eq!(
            t.state_at(&d, 0, ts("2026-05-04T00:00:00Z")),
            CaseState::Overdue
        );
    }
}
