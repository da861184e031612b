//! The case list's filters and sorting: status, category, unit subtree, report date range,
//! overdue only, handler, free text. One pass over the cases with precomputed unit chains.

use crate::cases::{CaseState, CaseTimeline};
use crate::model::{CaseStatus, Dataset, Timestamp, UnitId, UnitTree, WorkerId};

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFilter {
    /// Shown statuses, by position in `CaseStatus::ALL`.
    pub statuses: [bool; 7],
    /// Category major code (e.g. 10 安全隐患), or all.
    pub major: Option<u8>,
    /// Only cases in this unit's subtree.
    pub unit: Option<UnitId>,
    /// Reported in [from, to).
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub overdue_only: bool,
    pub handler: Option<WorkerId>,
    /// Matches code, title, description or reporter.
    pub text: String,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            statuses: [true; 7],
            major: None,
            unit: None,
            from: None,
            to: None,
            overdue_only: false,
            handler: None,
            text: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Reported,
    Due,
    Status,
    Category,
    Code,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Reported,
        SortKey::Due,
        SortKey::Status,
        SortKey::Category,
        SortKey::Code,
    ];
}

/// Per case, the chain of units from the county to its micro-grid (`Level::number() - 1`).
pub fn case_unit_chains(d: &Dataset, tree: &UnitTree) -> Vec<[Option<UnitId>; 5]> {
    d.cases
        .iter()
        .map(|c| c.unit.map_or([None; 5], |u| tree.ancestors(u)))
        .collect()
}

/// Indices of the cases that pass `f`, with statuses and overdue as of `at` (the time slider's
/// day, or now).
pub fn filter_cases(
    d: &Dataset,
    tree: &UnitTree,
    chains: &[[Option<UnitId>; 5]],
    timeline: &CaseTimeline,
    f: &CaseFilter,
    at: Timestamp,
) -> Vec<usize> {
    let unit_slot = f
        .unit
        .and_then(|u| tree.level(u).map(|l| (u, l.number() as usize - 1)));
    let text = f.text.trim().to_lowercase();
    let status_pos = |s: CaseStatus| CaseStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
    (0..d.cases.len())
        .filter(|&i| {
            let c = &d.cases[i];
            if f.major.is_some_and(|m| c.category.major != m)
                || f.handler.is_some_and(|h| c.handler != Some(h))
                || f.from.is_some_and(|t| c.reported_at < t)
                || f.to.is_some_and(|t| c.reported_at >= t)
                || unit_slot.is_some_and(|(u, l)| chains[i][l] != Some(u))
                || c.reported_at > at
            {
                return false;
            }
            let Some(status) = timeline.status_at(i, at).or(Some(c.status)) else {
                return false;
            };
            if !f.statuses[status_pos(status)] {
                return false;
            }
            if f.overdue_only && timeline.state_at(d, i, at) != CaseState::Overdue {
                return false;
            }
            text.is_empty()
                || c.code.to_lowercase().contains(&text)
                || c.title.to_lowercase().contains(&text)
                || c.description.to_lowercase().contains(&text)
                || c.reporter.to_lowercase().contains(&text)
        })
        .collect()
}

/// Sorts case indices by `key`; ties by report time then id, so the order is stable.
pub fn sort_cases(d: &Dataset, cases: &mut [usize], key: SortKey, descending: bool) {
    let c = |i: usize| &d.cases[i];
    cases.sort_unstable_by(|&a, &b| {
        let (x, y) = (c(a), c(b));
        let primary = match key {
            SortKey::Reported => std::cmp::Ordering::Equal,
            SortKey::Due => x
                .due_at
                .map_or(i64::MAX, |t| t.0)
                .cmp(&y.due_at.map_or(i64::MAX, |t| t.0)),
            SortKey::Status => x.status.cmp(&y.status),
            SortKey::Category => x.category.cmp(&y.category),
            SortKey::Code => x.code.cmp(&y.code),
        };
        let order = primary.then((x.reported_at, x.id).cmp(&(y.reported_at, y.id)));
        if descending { order.reverse() } else { order }
    });
}
