//! The case ledger of an open document: operators' steps and imports applied to the file and
//! to the dataset in memory together. The file is written first, in one transaction; memory
//! changes only when that succeeded, so what the window shows is always what is on disk.
//! Used by the window and the command line alike.

mod plans;

use std::path::Path;

pub use plans::{
    Approval, AssignmentRow, PlanDiff, approve, assignment_rows, change_from, diff, open_plan,
    stored,
};

use crate::cases::{CaseError, NewCase, report};
use crate::index::SpatialIndex;
use crate::model::{Case, CaseEvent, CaseEventId, CaseId, Dataset, Timestamp};
use crate::store::{CoordinateDatum, ImportError, StoreError, read_cases_csv, save_cases};

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{0}")]
    Rule(#[from] CaseError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Import(#[from] ImportError),
}

/// The next free case and event ids.
pub fn next_ids(d: &Dataset) -> (CaseId, CaseEventId) {
    (
        CaseId(d.cases.iter().map(|c| c.id.0).max().unwrap_or(0) + 1),
        CaseEventId(d.case_events.iter().map(|e| e.id.0).max().unwrap_or(0) + 1),
    )
}

/// Writes a changed or new case with its new history entries, then updates `d` (and the index
/// for a new case). Returns the case's index in `d.cases`.
pub fn commit(
    path: &Path,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    case: Case,
    events: Vec<CaseEvent>,
) -> Result<usize, LedgerError> {
    save_cases(path, std::slice::from_ref(&case), &events)?;
    let slot = match d.cases.iter().position(|c| c.id == case.id) {
        Some(i) => {
            d.cases[i] = case;
            i
        }
        None => {
            index.insert_case(d.cases.len(), case.location.0);
            d.cases.push(case);
            d.cases.len() - 1
        }
    };
    d.case_events.extend(events);
    Ok(slot)
}

/// Imports every case of a CSV file as newly reported cases, located in their micro-grids —
/// all of them in one transaction, or none when any row is bad. Returns their indices.
pub fn import_cases(
    path: &Path,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    csv: &Path,
    datum: CoordinateDatum,
    actor: &str,
) -> Result<Vec<usize>, LedgerError> {
    let rows = read_cases_csv(csv, datum)?;
    let (mut id, mut event_id) = next_ids(d);
    let mut cases = Vec::with_capacity(rows.len());
    let mut events = Vec::with_capacity(rows.len());
    let csv_name = csv
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
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
    save_cases(path, &cases, &events)?;
    let first = d.cases.len();
    for c in cases {
        index.insert_case(d.cases.len(), c.location.0);
        d.cases.push(c);
    }
    d.case_events.extend(events);
    Ok((first..d.cases.len()).collect())
}

/// "Now" for an operator's step: the wall clock, but never before the case's last event (a
/// demo document's clock may run ahead of this machine's).
pub fn step_time(last_event_at: Timestamp) -> Timestamp {
    Timestamp::now().max(last_event_at)
}
