//! Boundary plans between the editor and the file: a plan's steps are the editor's committed
//! edits, stored by id; opening a plan applies them to the dataset in memory, closing takes
//! them out again; approving writes the plan's net effect to the live tables with the
//! replaced versions in the history, after renumbering the codes of the units it touched.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::edit::{Change, Editor};
use crate::index::SpatialIndex;
use crate::ledger::LedgerError;
use crate::model::{Dataset, Unit, UnitId};
use crate::store::{StoredChange, UnitChanges};

/// A change by ids, for the file.
pub fn stored(d: &Dataset, c: &Change) -> StoredChange {
    StoredChange {
        label: c.label.clone(),
        before: c.before.clone(),
        after: c.after.clone(),
        households: c
            .households
            .iter()
            .map(|&(h, a, b)| (d.households[h].id, a, b))
            .collect(),
        cases: c
            .cases
            .iter()
            .map(|&(k, a, b)| (d.cases[k].id, a, b))
            .collect(),
        workers: c
            .workers
            .iter()
            .map(|&(w, a, b)| (d.workers[w].id, a, b))
            .collect(),
    }
}

/// A stored change with indices into `d`. A household, case or worker the step names that
/// is no longer in the document (another program deleted it) is an error naming the step and
/// the row: a plan must not be replayed with part of it silently dropped.
pub fn change_from(d: &Dataset, s: StoredChange) -> Result<Change, LedgerError> {
    fn slots<Id: std::hash::Hash + Eq + Copy + std::fmt::Display, A, B>(
        label: &str,
        table: &str,
        rows: Vec<(Id, A, B)>,
        index: &HashMap<Id, usize>,
    ) -> Result<Vec<(usize, A, B)>, LedgerError> {
        rows.into_iter()
            .map(|(id, a, b)| match index.get(&id) {
                Some(&i) => Ok((i, a, b)),
                None => Err(LedgerError::Plan(format!(
                    "plan step \"{label}\" names {table} id {id}, which is no longer in the document"
                ))),
            })
            .collect()
    }
    let hs: HashMap<_, _> = d
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let cs: HashMap<_, _> = d.cases.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let ws: HashMap<_, _> = d
        .workers
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id, i))
        .collect();
    Ok(Change {
        households: slots(&s.label, "household", s.households, &hs)?,
        cases: slots(&s.label, "case", s.cases, &cs)?,
        workers: slots(&s.label, "worker", s.workers, &ws)?,
        label: s.label,
        before: s.before,
        after: s.after,
    })
}

/// Applies a plan's stored steps to `d` and hands them to the editor (so they can be undone).
/// All or nothing: if a step cannot be replayed, `d` is left as it was.
pub fn open_plan(
    path: &Path,
    plan: i64,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    editor: &mut Editor,
) -> Result<usize, LedgerError> {
    let steps = crate::store::plan_steps(path, plan)?;
    let mut changes: Vec<Change> = Vec::with_capacity(steps.len());
    for s in steps {
        match change_from(d, s) {
            Ok(c) => {
                c.apply(d);
                changes.push(c);
            }
            Err(e) => {
                for c in changes.iter().rev() {
                    c.revert(d);
                }
                return Err(e);
            }
        }
    }
    index.rebuild_units(d);
    let n = changes.len();
    editor.load(changes);
    Ok(n)
}

/// An open plan: the one way its steps reach the file and the dataset, for the window and the
/// benchmark alike. File first: an edit the editor computed and checked is taken back out of
/// memory, written as the plan's next step, and only then applied again — so if the write
/// fails, memory is as it was and nothing needs compensating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSession {
    pub path: std::path::PathBuf,
    pub plan: i64,
}

impl PlanSession {
    /// Keeps the edit the editor just committed in memory (its last change).
    pub fn keep(
        &self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        editor: &mut Editor,
    ) -> Result<Change, LedgerError> {
        let Some(change) = editor.last_change().cloned() else {
            return Err(LedgerError::Plan("no edit to keep".into()));
        };
        let step = stored(d, &change);
        // Back to the state the file holds, while it is written.
        change.revert(d);
        match crate::store::push_plan_step(&self.path, self.plan, &step) {
            Ok(()) => {
                change.apply(d);
                Ok(change)
            }
            Err(e) => {
                editor.discard_last();
                index.rebuild_units(d);
                Err(e.into())
            }
        }
    }

    /// Undoes the plan's last step: removed from the file, then from memory.
    pub fn undo(
        &self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        editor: &mut Editor,
    ) -> Result<Option<Change>, LedgerError> {
        if !editor.can_undo() {
            return Ok(None);
        }
        crate::store::pop_plan_step(&self.path, self.plan)?;
        Ok(editor.undo(d, index))
    }

    /// Redoes the last undone step: written to the file, then applied in memory.
    pub fn redo(
        &self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        editor: &mut Editor,
    ) -> Result<Option<Change>, LedgerError> {
        let Some(next) = editor.next_redo() else {
            return Ok(None);
        };
        // The step as it will be once applied: indices do not move, so it is stored as is.
        crate::store::push_plan_step(&self.path, self.plan, &stored(d, next))?;
        Ok(editor.redo(d, index))
    }
}

/// The net effect of a plan's edits against the live state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanDiff {
    /// Live versions of units the plan changes or removes.
    pub replaced: Vec<Unit>,
    pub created: Vec<UnitId>,
    pub removed: Vec<UnitId>,
    pub changed: Vec<UnitId>,
    /// (household index, live unit, planned unit), only where they differ.
    pub households: Vec<(usize, Option<UnitId>, Option<UnitId>)>,
    pub cases: Vec<(usize, Option<UnitId>, Option<UnitId>)>,
    pub workers: Vec<(usize, UnitId, UnitId)>,
    /// Households that keep their micro-grid while the plan moves that micro-grid to another
    /// grid (a regrouping): they change grid, and the compare view shows them too.
    pub regrouped_households: Vec<usize>,
}

fn unit_in(d: &Dataset, id: UnitId) -> Option<&Unit> {
    d.units
        .binary_search_by_key(&id, |u| u.id)
        .ok()
        .map(|i| &d.units[i])
}

/// Compares the plan state (`d`, with the editor's edits applied) with the live state.
pub fn diff(d: &Dataset, changes: &[Change]) -> PlanDiff {
    let mut live: BTreeMap<UnitId, Option<Unit>> = BTreeMap::new();
    for c in changes {
        for u in &c.before {
            live.entry(u.id).or_insert_with(|| Some(u.clone()));
        }
        for u in &c.after {
            live.entry(u.id).or_insert(None);
        }
    }
    let mut out = PlanDiff::default();
    for (id, was) in &live {
        match (was, unit_in(d, *id)) {
            (None, Some(_)) => out.created.push(*id),
            (Some(w), None) => {
                out.removed.push(*id);
                out.replaced.push(w.clone());
            }
            (Some(w), Some(now)) if w != now => {
                out.changed.push(*id);
                out.replaced.push(w.clone());
            }
            _ => {}
        }
    }
    let mut hh: BTreeMap<usize, (Option<UnitId>, Option<UnitId>)> = BTreeMap::new();
    let mut cs: BTreeMap<usize, (Option<UnitId>, Option<UnitId>)> = BTreeMap::new();
    let mut ws: BTreeMap<usize, (UnitId, UnitId)> = BTreeMap::new();
    for c in changes {
        for &(h, a, b) in &c.households {
            hh.entry(h).or_insert((a, b)).1 = b;
        }
        for &(k, a, b) in &c.cases {
            cs.entry(k).or_insert((a, b)).1 = b;
        }
        for &(w, a, b) in &c.workers {
            ws.entry(w).or_insert((a, b)).1 = b;
        }
    }
    out.households = hh
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(h, (a, b))| (h, a, b))
        .collect();
    out.cases = cs
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(k, (a, b))| (k, a, b))
        .collect();
    out.workers = ws
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(w, (a, b))| (w, a, b))
        .collect();
    let moved_micro_grids: std::collections::HashSet<UnitId> = out
        .replaced
        .iter()
        .filter(|was| was.level == crate::model::Level::MicroGrid)
        .filter(|was| unit_in(d, was.id).is_some_and(|now| now.parent != was.parent))
        .map(|was| was.id)
        .collect();
    if !moved_micro_grids.is_empty() {
        out.regrouped_households = d
            .households
            .iter()
            .enumerate()
            .filter(|(_, h)| h.unit.is_some_and(|u| moved_micro_grids.contains(&u)))
            .map(|(i, _)| i)
            .collect();
    }
    out
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub units_written: usize,
    pub history_rows: usize,
    pub renumbered: usize,
    pub households_moved: usize,
    /// The change-log entries the approval wrote (the window has applied them already).
    pub log: crate::store::SeqRange,
}

/// Approves the open plan: unchanged units keep their codes (a created unit whose code was
/// retired gets a fresh one), writes the net change and the history in one transaction, and
/// clears the editor (the dataset is the new live state).
pub fn approve(
    path: &Path,
    plan: i64,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    editor: &mut Editor,
    effective_date: &str,
    approved_at: &str,
) -> Result<Approval, LedgerError> {
    approve_from(
        path,
        plan,
        d,
        index,
        editor,
        effective_date,
        approved_at,
        "draft",
    )
}

/// `approve` for a plan in state `expected` (`draft` when a planner approves, `scheduled` when
/// its day comes): a plan another seat approved or scheduled meanwhile is refused, not
/// approved again over that decision.
#[allow(clippy::too_many_arguments)] // approve's arguments and the state it must find
pub(crate) fn approve_from(
    path: &Path,
    plan: i64,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    editor: &mut Editor,
    effective_date: &str,
    approved_at: &str,
    expected: &'static str,
) -> Result<Approval, LedgerError> {
    let mut net = diff(d, editor.changes());
    // Codes are what other systems hold: units the plan did not create keep theirs. A created
    // unit whose code was retired (in the history, or removed by this plan) takes the next
    // number no unit of its parent ever had.
    let mut retired: std::collections::HashSet<String> =
        crate::store::retired_codes(path)?.into_iter().collect();
    retired.extend(
        net.replaced
            .iter()
            .filter(|u| net.removed.contains(&u.id))
            .map(|u| u.code.clone()),
    );
    let mut renumbered = 0;
    // What re-coding replaced in memory, to put back if the file refuses the approval.
    let mut before_renumbering: Vec<Unit> = Vec::new();
    let mut created: Vec<(crate::model::Level, UnitId)> = net
        .created
        .iter()
        .filter_map(|id| unit_in(d, *id).map(|u| (u.level, u.id)))
        .collect();
    created.sort();
    for (_, id) in created {
        let Some(u) = unit_in(d, id).cloned() else {
            continue;
        };
        let taken = |code: &str| {
            retired.contains(code) || d.units.iter().any(|o| o.id != id && o.code == code)
        };
        if !taken(&u.code) {
            continue;
        }
        let Some(parent) = u.parent.and_then(|p| unit_in(d, p)).map(|p| p.code.clone()) else {
            continue;
        };
        let used = |code: &str| code.len() == parent.len() + 3 && code.starts_with(&parent);
        let highest = d
            .units
            .iter()
            .map(|o| o.code.as_str())
            .chain(retired.iter().map(String::as_str))
            .filter(|c| used(c))
            .filter_map(|c| c[parent.len()..].parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        let mut old = Vec::new();
        crate::edit::recode_subtree(d, id, format!("{parent}{:03}", highest + 1), &mut old);
        // Its name carried the number its code had: it follows.
        let was: u32 = u.code[parent.len()..].parse().unwrap_or(0);
        if let Ok(i) = d.units.binary_search_by_key(&id, |x| x.id) {
            d.units[i].name = crate::edit::renumbered_name(&u.name, was, highest + 1);
        }
        for o in old {
            renumbered += 1;
            before_renumbering.push(o.clone());
            if !net.replaced.iter().any(|u| u.id == o.id) && !net.created.contains(&o.id) {
                net.changed.push(o.id);
                net.replaced.push(o);
            }
        }
    }
    let upsert: Vec<Unit> = net
        .created
        .iter()
        .chain(&net.changed)
        .filter_map(|id| unit_in(d, *id).cloned())
        .collect();
    let mut removed: Vec<&Unit> = net
        .replaced
        .iter()
        .filter(|u| net.removed.contains(&u.id))
        .collect();
    removed.sort_by_key(|u| std::cmp::Reverse((u.level, u.id)));
    let delete: Vec<UnitId> = removed.iter().map(|u| u.id).collect();
    let households: Vec<_> = net
        .households
        .iter()
        .map(|&(h, from, to)| (d.households[h].id, from, to))
        .collect();
    let cases: Vec<_> = net
        .cases
        .iter()
        .map(|&(k, from, to)| (d.cases[k].id, from, to))
        .collect();
    let workers: Vec<_> = net
        .workers
        .iter()
        .map(|&(w, from, to)| (d.workers[w].id, from, to))
        .collect();
    let written = crate::store::approve_plan(
        path,
        plan,
        expected,
        effective_date,
        approved_at,
        &net.replaced,
        &UnitChanges {
            upsert: &upsert,
            delete: &delete,
            households: &households,
            cases: &cases,
            workers: &workers,
        },
    );
    let log = match written {
        Ok(log) => log,
        Err(e) => {
            // The plan stays open and as it was: codes back to the plan's own.
            for old in before_renumbering.into_iter().rev() {
                if let Ok(i) = d.units.binary_search_by_key(&old.id, |u| u.id) {
                    d.units[i] = old;
                }
            }
            return Err(e.into());
        }
    };
    editor.clear();
    index.rebuild_units(d);
    Ok(Approval {
        units_written: upsert.len() + delete.len(),
        history_rows: net.replaced.len(),
        renumbered,
        households_moved: households.len(),
        log,
    })
}

/// A plan's household-to-unit assignment (the redistricting "block assignment file"): every
/// household with its micro-grid, grid and village codes, and whether the plan moved it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AssignmentRow {
    pub household_code: String,
    pub micro_grid_code: String,
    pub grid_code: String,
    pub village_code: String,
    pub live_micro_grid_code: String,
    pub changed: bool,
}

pub fn assignment_rows(d: &Dataset, net: &PlanDiff) -> Vec<AssignmentRow> {
    let tree = crate::model::UnitTree::new(d);
    let code: HashMap<UnitId, &str> = d.units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let live_code: HashMap<UnitId, &str> = net
        .replaced
        .iter()
        .map(|u| (u.id, u.code.as_str()))
        .collect();
    let moved: HashMap<usize, Option<UnitId>> = net
        .households
        .iter()
        .map(|&(h, from, _)| (h, from))
        .collect();
    let name = |u: Option<UnitId>| {
        u.and_then(|u| code.get(&u))
            .map_or(String::new(), |c| c.to_string())
    };
    d.households
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let chain = h.unit.map_or([None; 5], |u| tree.ancestors(u));
            let live = moved.get(&i).copied().unwrap_or(h.unit);
            AssignmentRow {
                household_code: h.code.clone(),
                micro_grid_code: name(chain[4]),
                grid_code: name(chain[3]),
                village_code: name(chain[2]),
                live_micro_grid_code: live
                    .and_then(|u| live_code.get(&u).or(code.get(&u)))
                    .map_or(String::new(), |c| c.to_string()),
                changed: moved.contains_key(&i),
            }
        })
        .collect()
}
