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

/// Per case, the text a keyword is searched in: code, title, description and reporter,
/// lower-cased once (lower-casing per case per keystroke costs more than the rest of a frame).
pub fn case_search_text(d: &Dataset) -> Vec<String> {
    d.cases.iter().map(case_search_line).collect()
}

/// One case's entry of [`case_search_text`].
pub fn case_search_line(c: &crate::model::Case) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        c.code, c.title, c.description, c.reporter
    )
    .to_lowercase()
}

/// The cases that pass `f`, with statuses and overdue as of `at` (the time slider's day, or
/// now), each with its map state at `at`. `search_text` is [`case_search_text`].
pub fn filter_cases(
    d: &Dataset,
    tree: &UnitTree,
    chains: &[[Option<UnitId>; 5]],
    timeline: &CaseTimeline,
    search_text: &[String],
    f: &CaseFilter,
    at: Timestamp,
) -> Vec<(usize, CaseState)> {
    let unit_slot = f
        .unit
        .and_then(|u| tree.level(u).map(|l| (u, l.number() as usize - 1)));
    let text = f.text.trim().to_lowercase();
    let status_pos = |s: CaseStatus| CaseStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
    (0..d.cases.len())
        .filter_map(|i| {
            let c = &d.cases[i];
            if f.major.is_some_and(|m| c.category.major != m)
                || f.handler.is_some_and(|h| c.handler != Some(h))
                || f.from.is_some_and(|t| c.reported_at < t)
                || f.to.is_some_and(|t| c.reported_at >= t)
                || unit_slot.is_some_and(|(u, l)| chains[i][l] != Some(u))
                || c.reported_at > at
                || !(text.is_empty() || search_text[i].contains(&text))
            {
                return None;
            }
            let (status, state) = timeline.status_and_state_at(d, i, at);
            let status = status.unwrap_or(c.status);
            if !f.statuses[status_pos(status)] || (f.overdue_only && state != CaseState::Overdue) {
                return None;
            }
            Some((i, state))
        })
        .collect()
}

/// Sorts case indices by `key`; ties by report time then id, so the order is stable. Sorts
/// compact keys rather than comparing cases in place: 100,000 cases scattered in memory would
/// make every comparison two cache misses.
pub fn sort_cases(d: &Dataset, cases: &mut [usize], key: SortKey, descending: bool) {
    if key == SortKey::Code {
        cases.sort_unstable_by(|&a, &b| {
            let (x, y) = (&d.cases[a], &d.cases[b]);
            let order = x.code.cmp(&y.code).then(x.id.cmp(&y.id));
            if descending { order.reverse() } else { order }
        });
        return;
    }
    let mut keyed: Vec<(i64, i64, i64, usize)> = cases
        .iter()
        .map(|&i| {
            let c = &d.cases[i];
            let primary = match key {
                SortKey::Reported | SortKey::Code => 0,
                SortKey::Due => c.due_at.map_or(i64::MAX, |t| t.0),
                SortKey::Status => CaseStatus::ALL
                    .iter()
                    .position(|s| *s == c.status)
                    .unwrap_or(0) as i64,
                SortKey::Category => c.category.major as i64 * 256 + c.category.minor as i64,
            };
            (primary, c.reported_at.0, c.id.0, i)
        })
        .collect();
    keyed.sort_unstable();
    if descending {
        keyed.reverse();
    }
    for (slot, k) in cases.iter_mut().zip(keyed) {
        *slot = k.3;
    }
}
