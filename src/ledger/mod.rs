//! The case ledger of an open document: operators' steps, new cases and imports written to the
//! file, and what the file then holds applied to the dataset in memory. The file is written
//! first, in one transaction, and only if the rows are still as they were read; memory changes
//! only through [`apply`] — with our own writes and with other programs' alike — so what the
//! window shows is always what is on disk. Used by the window and the command line alike.

mod plans;
mod schedule;

use std::collections::HashMap;
use std::path::Path;

pub use plans::{
    Approval, AssignmentRow, PlanDiff, PlanSession, approve, assignment_rows, change_from, diff,
    open_plan, stored,
};
pub use schedule::{Activated, Activation, activate_due_plans, schedule};

use crate::cases::{CaseError, NewCase, report};
use crate::index::SpatialIndex;
use crate::model::{Case, CaseEvent, Dataset, TimeZone, Timestamp};
use crate::store::{
    Changes, CoordinateDatum, ImportError, StoreError, Target, WrittenCases, read_cases_csv,
};
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{0}")]
    Rule(#[from] CaseError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Import(#[from] ImportError),
    /// A plan that cannot be replayed or written as asked.
    #[error("{0}")]
    Plan(String),
}

impl LedgerError {
    /// Another program changed what the step was based on (the fresh row is worth showing).
    pub fn is_conflict(&self) -> bool {
        matches!(self, LedgerError::Store(StoreError::Conflict { .. }))
    }
}

/// Writes a step on a case: `next` (with its new history entries) replaces `seen`, if the file
/// still holds `seen`. Memory is not touched: apply the result with [`apply`].
pub fn write_step(
    mut target: Target,
    seen: &Case,
    next: &Case,
    events: &[CaseEvent],
) -> Result<WrittenCases, LedgerError> {
    Ok(target.save_case_step(seen, next, events)?)
}

/// Reports a new case; its id, code and event id are taken inside the write.
pub fn write_new_case(
    mut target: Target,
    new: NewCase,
    actor: &str,
    tz: &TimeZone,
) -> Result<WrittenCases, LedgerError> {
    target.insert_new_cases(|id, event_id| {
        let (c, e) = report(new, id, event_id, actor, tz)?;
        Ok::<_, LedgerError>((vec![c], vec![e]))
    })
}

/// Imports every case of a CSV file as newly reported cases, located in their micro-grids —
/// all of them in one transaction, or none when any row is bad.
pub fn import_cases(
    mut target: Target,
    index: &SpatialIndex,
    csv: &Path,
    datum: CoordinateDatum,
    actor: &str,
    tz: &TimeZone,
) -> Result<WrittenCases, LedgerError> {
    let rows = read_cases_csv(csv, datum, tz)?;
    let csv_name = csv
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    // Every case belongs to a micro-grid: one outside the net (Paris, a swapped latitude, a
    // GCJ-02 file read as WGS84 at the county's edge) is refused, not stored without a unit.
    let outside: Vec<String> = rows
        .iter()
        .filter(|r| index.micro_grid_at(r.location.0).is_none())
        .map(|r| {
            format!(
                "{csv_name} line {}: longitude/latitude ({:.6}, {:.6}) lies outside every micro-grid of this document",
                r.line,
                r.location.x(),
                r.location.y()
            )
        })
        .collect();
    if !outside.is_empty() {
        let more = outside.len().saturating_sub(20);
        return Err(LedgerError::Import(ImportError {
            problems: outside.into_iter().take(20).collect(),
            more,
        }));
    }
    target.insert_new_cases(|mut id, mut event_id| {
        let mut cases = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let (c, e) = report(
                NewCase {
                    category: row.category,
                    title: row.title,
                    description: row.description,
                    reporter: row.reporter,
                    location: row.location,
                    unit: index.micro_grid_at(row.location.0),
                    reported_at: row.reported_at,
                },
                id,
                event_id,
                actor,
                tz,
            )
            .map_err(|e| {
                LedgerError::Import(ImportError {
                    problems: vec![format!("{csv_name} line {}: {e}", row.line)],
                    more: 0,
                })
            })?;
            cases.push(c);
            events.push(e);
            id.0 += 1;
            event_id.0 += 1;
        }
        Ok((cases, events))
    })
}

/// What [`apply`] did to the dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Indices in `Dataset::cases` of the cases inserted or changed.
    pub cases: Vec<usize>,
    /// How many of them are new.
    pub new_cases: usize,
    /// Indices in `Dataset::case_events` of the history entries inserted or changed.
    pub events: Vec<usize>,
    /// Rows were deleted: positions in the dataset would shift, so the caller must reload the
    /// document instead (deletions are rare: another program removed a case).
    pub needs_reload: bool,
}

/// The one way cases and their history change in memory: rows as the file now holds them
/// (our own write, or another program's commit) replace or join those in `d`, by id; the index
/// follows. Deletions are not applied in place (see [`Applied::needs_reload`]).
pub fn apply(d: &mut Dataset, index: &mut SpatialIndex, changes: &Changes) -> Applied {
    let mut applied = Applied {
        needs_reload: !changes.deleted_cases.is_empty()
            || !changes.deleted_case_events.is_empty()
            || !changes.cases_only(),
        ..Applied::default()
    };
    if applied.needs_reload {
        return applied;
    }
    let slots = slots_of(&d.cases, |c| c.id, changes.cases.iter().map(|c| c.id));
    for c in &changes.cases {
        match slots.get(&c.id) {
            Some(&i) => {
                if d.cases[i].location != c.location {
                    index.move_case(i, d.cases[i].location.0, c.location.0);
                }
                d.cases[i] = c.clone();
                applied.cases.push(i);
            }
            None => {
                index.insert_case(d.cases.len(), c.location.0);
                applied.cases.push(d.cases.len());
                applied.new_cases += 1;
                d.cases.push(c.clone());
            }
        }
    }
    let event_slots = slots_of(
        &d.case_events,
        |e| e.id,
        changes.case_events.iter().map(|e| e.id),
    );
    for e in &changes.case_events {
        match event_slots.get(&e.id) {
            Some(&i) => {
                d.case_events[i] = e.clone();
                applied.events.push(i);
            }
            None => {
                applied.events.push(d.case_events.len());
                d.case_events.push(e.clone());
            }
        }
    }
    applied
}

/// The positions in `rows` of the rows with the `wanted` ids: one pass over the rows, however
/// many are wanted (an import brings thousands).
fn slots_of<T, Id: std::hash::Hash + Eq + Copy>(
    rows: &[T],
    id: impl Fn(&T) -> Id,
    wanted: impl Iterator<Item = Id>,
) -> HashMap<Id, usize> {
    let wanted: std::collections::HashSet<Id> = wanted.collect();
    rows.iter()
        .enumerate()
        .filter(|(_, r)| wanted.contains(&id(r)))
        .map(|(i, r)| (id(r), i))
        .collect()
}

impl From<WrittenCases> for Changes {
    fn from(w: WrittenCases) -> Changes {
        Changes {
            cases: w.cases,
            case_events: w.events,
            ..Changes::default()
        }
    }
}

/// "Now" for an operator's step: the wall clock, but never before the case's last event (a
/// demo document's clock may run ahead of this machine's).
pub fn step_time(last_event_at: Timestamp) -> Timestamp {
    Timestamp::now().max(last_event_at)
}
