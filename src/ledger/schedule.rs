//! Plans approved for a later date (待生效). Approving with a future effective date only marks
//! the plan `scheduled`; the live net is unchanged until the day comes. Then the plan is
//! replayed on the live net and approved exactly as an approval on the day would be (same
//! conflict checks, same codes rule) — when the window opens or its clock passes into the day,
//! and before a command writes.

use std::path::Path;

use crate::edit::Editor;
use crate::index::SpatialIndex;
use crate::ledger::plans::approve_from;
use crate::ledger::{Approval, LedgerError, open_plan};
use crate::model::Dataset;
use crate::store::PlanInfo;

/// A scheduled plan that has now taken effect.
#[derive(Debug)]
pub struct Activated {
    pub plan: PlanInfo,
    pub approval: Approval,
}

impl Activated {
    /// "name · date", as the window and the command line report it.
    pub fn label(&self) -> String {
        format!(
            "{} · {}",
            self.plan.name,
            self.plan.effective_date.as_deref().unwrap_or("")
        )
    }
}

/// What `activate_due_plans` did: the plans that took effect, and the error that stopped the
/// rest (they stay scheduled).
#[derive(Debug, Default)]
pub struct Activation {
    pub done: Vec<Activated>,
    pub stopped: Option<LedgerError>,
}

/// Approves `plan` for `effective_date` (a local day, `YYYY-MM-DD`): nothing in the live net
/// changes now. The caller takes the plan's edits out of memory (they stay in the file).
pub fn schedule(
    path: &Path,
    plan: i64,
    effective_date: &str,
    approved_at: &str,
) -> Result<(), LedgerError> {
    Ok(crate::store::schedule_plan(
        path,
        plan,
        effective_date,
        approved_at,
    )?)
}

/// Puts every scheduled plan whose day (`today` or earlier, local days) has come into effect,
/// earliest first, on `d` and in the file. The first that cannot take effect (another program
/// changed a unit it replaces) stops the rest, which stay scheduled; the error names it.
/// The caller updates what is derived from the units when any took effect.
pub fn activate_due_plans(
    path: &Path,
    today: &str,
    approved_at: &str,
    d: &mut Dataset,
    index: &mut SpatialIndex,
) -> Activation {
    let mut done = Vec::new();
    let due = match crate::store::due_plans(path, today) {
        Ok(due) => due,
        Err(e) => {
            return Activation {
                done,
                stopped: Some(e.into()),
            };
        }
    };
    for plan in due {
        let date = plan.effective_date.clone().unwrap_or_default();
        let mut editor = Editor::default();
        let named = |e: LedgerError| {
            LedgerError::Plan(format!(
                "plan {:?} (effective {date}) could not take effect: {e}",
                plan.name
            ))
        };
        if let Err(e) = open_plan(path, plan.id, d, index, &mut editor) {
            return Activation {
                done,
                stopped: Some(named(e)),
            };
        }
        match approve_from(
            path,
            plan.id,
            d,
            index,
            &mut editor,
            &date,
            approved_at,
            "scheduled",
        ) {
            Ok(approval) => done.push(Activated { plan, approval }),
            Err(e) => {
                // Its steps come back out of memory; the plan stays scheduled in the file.
                editor.revert_all(d, index);
                return Activation {
                    done,
                    stopped: Some(named(e)),
                };
            }
        }
    }
    Activation {
        done,
        stopped: None,
    }
}
