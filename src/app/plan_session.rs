//! The planner's session: the open plan's lifecycle (new, open, close, approve, export), its
//! edits kept and undone through `ledger::PlanSession`, and the live balance of a drag.

use std::collections::HashMap;

use crate::app::planning::{EditOutcome, levels_of};
use crate::app::{Explain, Message};
use crate::edit::{Change, EditError};
use crate::model::{Level, Timestamp, UnitId};

use crate::app::workspace::Workspace;

impl Workspace {
    /// The open plan, as the ledger writes it.
    pub(crate) fn plan_session(&self) -> Option<crate::ledger::PlanSession> {
        self.planning
            .plan
            .as_ref()
            .map(|(plan, _)| crate::ledger::PlanSession {
                path: self.doc.path.clone(),
                plan: *plan,
            })
    }

    /// After the editor computed and checked an edit: the plan keeps it (file first, see
    /// `ledger::PlanSession`), then what is derived from the units follows.
    pub fn after_edit(&mut self, result: Result<Change, EditError>) {
        let mut write_failed = false;
        if let (Some(v), Ok(change)) = (&self.doc.unfit, &result) {
            // Not kept while the document's outlines are broken (the banner says which): the
            // edit leaves memory as a refused write would.
            let message = crate::app::messages::writes_disabled(v, &self.doc.dataset);
            change.revert(&mut self.doc.dataset);
            self.planning.editor.discard_last();
            self.doc.index.rebuild_units(&self.doc.dataset);
            self.planning.message = Some(EditOutcome::Refused(message));
            self.units_changed(&Level::ALL);
            return;
        }
        let result = result.and_then(|change| {
            let Some(session) = self.plan_session() else {
                return Ok(change);
            };
            let (d, index) = (&mut self.doc.dataset, &mut self.doc.index);
            session
                .keep(d, index, &mut self.planning.editor)
                .map_err(|e| {
                    write_failed = true;
                    EditError::Refused(crate::edit::Refusal::new(
                        crate::check::Rule::Write,
                        None,
                        // Rule::Write says it in the user's language; SQLite's words follow.
                        e.to_string(),
                    ))
                })
        });
        self.planning.report(&result, &self.doc.dataset);
        self.planning.live.clear();
        if let Ok(change) = &result {
            self.units_changed(&levels_of(change));
        } else if write_failed {
            // The edit was taken back out of memory: redraw what it had touched.
            self.units_changed(&Level::ALL);
        }
    }

    pub fn undo_edit(&mut self) {
        self.step_history(true);
    }

    pub fn redo_edit(&mut self) {
        self.step_history(false);
    }

    /// Undo (or redo) one edit of the open plan: in the file, then in memory.
    pub(crate) fn step_history(&mut self, undo: bool) {
        let Some(session) = self.plan_session() else {
            return;
        };
        let (d, index, editor) = (
            &mut self.doc.dataset,
            &mut self.doc.index,
            &mut self.planning.editor,
        );
        let applied = if undo {
            session.undo(d, index, editor)
        } else {
            session.redo(d, index, editor)
        };
        match applied {
            Ok(None) => {}
            Ok(Some(applied)) => {
                self.planning.message = Some(if undo {
                    EditOutcome::Undone(Message::data(applied.label.clone()))
                } else {
                    EditOutcome::Redone(Message::data(applied.label.clone()))
                });
                self.units_changed(&levels_of(&applied));
            }
            Err(e) => {
                self.planning.message = Some(EditOutcome::Refused(e.explain()));
            }
        }
    }

    pub(crate) fn refresh_plans(&mut self) {
        match crate::store::list_plans(&self.doc.path) {
            Ok(plans) => self.planning.plans = plans,
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.explain())),
        }
    }

    pub(crate) fn new_plan(&mut self) {
        let name = self.planning.new_plan_name.trim().to_owned();
        let now = Timestamp::now().to_iso();
        match crate::store::create_plan(&self.doc.path, &name, &now) {
            Ok(id) => {
                self.planning.new_plan_name.clear();
                self.refresh_plans();
                self.open_plan(id);
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.explain())),
        }
    }

    pub(crate) fn open_plan(&mut self, id: i64) {
        self.close_plan();
        let name = self
            .planning
            .plans
            .iter()
            .find(|p| p.id == id)
            .map_or(String::new(), |p| p.name.clone());
        let d = &mut self.doc.dataset;
        match crate::ledger::open_plan(
            &self.doc.path,
            id,
            d,
            &mut self.doc.index,
            &mut self.planning.editor,
        ) {
            Ok(steps) => {
                self.planning.plan = Some((id, name));
                self.planning.diff = None;
                if steps > 0 {
                    self.units_changed(&Level::ALL);
                }
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.explain())),
        }
    }

    /// Takes the open plan's edits out of the window (they stay in the file).
    pub(crate) fn close_plan(&mut self) {
        if self.planning.plan.take().is_none() {
            return;
        }
        let had = !self.planning.editor.changes().is_empty();
        let d = &mut self.doc.dataset;
        self.planning.editor.revert_all(d, &mut self.doc.index);
        self.planning.diff = None;
        self.planning.reset_tool();
        if had {
            self.units_changed(&Level::ALL);
        }
        self.refresh_plans();
        // A plan that came due while this one was open takes effect now.
        self.push(crate::app::Action::Planning(
            crate::app::PlanningAction::ActivateDuePlans,
        ));
    }

    pub(crate) fn approve_plan(&mut self) {
        let Some((plan, name)) = self.planning.plan.clone() else {
            return;
        };
        let tz = self.doc.dataset.meta.time_zone.clone();
        let date = match tz.parse(self.planning.effective_date.trim()) {
            Ok(t) => tz.date(t),
            Err(e) => {
                self.planning.message = Some(EditOutcome::Refused(e.explain()));
                return;
            }
        };
        let now = self.desk.step_time().to_iso();
        if date > tz.date(self.desk.now) {
            // A later date: the plan waits for its day, the live net stays as it is.
            match crate::ledger::schedule(&self.doc.path, plan, &date, &now) {
                Ok(()) => {
                    self.record_approval(&name, &date);
                    self.close_plan();
                    self.planning.message = Some(EditOutcome::Done(Message::new(|s| {
                        format!("{name} · {} {date}", s.plan_scheduled)
                    })));
                }
                Err(e) => self.planning.message = Some(EditOutcome::Refused(e.explain())),
            }
            return;
        }
        let d = &mut self.doc.dataset;
        match crate::ledger::approve(
            &self.doc.path,
            plan,
            d,
            &mut self.doc.index,
            &mut self.planning.editor,
            &date,
            &now,
        ) {
            Ok(a) => {
                self.doc.own_write(a.log);
                self.record_approval(&name, &date);
                self.planning.plan = None;
                self.planning.diff = None;
                self.planning.message = Some(EditOutcome::Done(Message::new(|s| {
                    format!(
                        "{name} · {date} · {} · {}{} · {}{}",
                        s.plan_in_effect,
                        a.units_written,
                        s.units_suffix,
                        a.households_moved,
                        s.households_suffix
                    )
                })));
                self.units_changed(&Level::ALL);
                self.refresh_plans();
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.explain())),
        }
    }

    /// The approval in the audit log, right after it was written (a kill between the two
    /// leaves an approval without its entry, never an entry without its approval).
    fn record_approval(&mut self, name: &str, date: &str) {
        let event = crate::store::AuditEvent {
            at: self.desk.step_time(),
            actor: self.desk.actor.clone(),
            action: crate::store::AuditAction::PlanApproval,
            target: name.to_owned(),
            reason: String::new(),
            detail: format!("effective {date}"),
        };
        if let Err(e) = crate::store::audit::record(&self.doc.path, &event) {
            self.desk.message = Some(crate::app::DeskMessage::Refused(
                crate::app::messages::store_error(&e),
            ));
        }
    }

    /// Scheduled plans whose day has come take effect. Not while a plan is open here (its
    /// edits are in memory, over the live net): closing it asks again.
    pub(crate) fn activate_due_plans(&mut self) {
        if self.planning.plan.is_some() || (!self.doc.is_on_server() && !self.doc.path.exists()) {
            return;
        }
        let today = self.doc.dataset.meta.time_zone.date(self.desk.now);
        let now = self.desk.step_time().to_iso();
        let (d, index) = (&mut self.doc.dataset, &mut self.doc.index);
        let crate::ledger::Activation {
            done,
            stopped: error,
        } = crate::ledger::activate_due_plans(&self.doc.path, &today, &now, d, index);
        for a in &done {
            self.doc.own_write(a.approval.log);
        }
        if !done.is_empty() {
            let names: Vec<String> = done.iter().map(crate::ledger::Activated::label).collect();
            let names = names.join("；");
            self.planning.message = Some(EditOutcome::Done(Message::new(|s| {
                format!("{}：{names}", s.plan_took_effect)
            })));
            self.units_changed(&Level::ALL);
            self.refresh_plans();
        }
        if let Some(e) = error {
            self.planning.message = Some(EditOutcome::Refused(e.explain()));
        }
    }

    pub(crate) fn export_assignment(&mut self) {
        let Some((_, name)) = self.planning.plan.clone() else {
            return;
        };
        let diff = crate::ledger::diff(&self.doc.dataset, self.planning.editor.changes());
        let rows = crate::ledger::assignment_rows(&self.doc.dataset, &diff);
        let safe: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        let path = self
            .doc
            .path
            .with_file_name(format!("plan-{safe}-assignment.csv"));
        self.planning.message = Some(match crate::store::export_csv(&path, &rows) {
            Ok(()) => EditOutcome::Done(Message::data(path.display().to_string())),
            Err(e) => EditOutcome::Refused(e.explain()),
        });
    }

    /// Household counts of the units a drag moves, as they would be if it ended now.
    pub fn live_counts(&self) -> HashMap<UnitId, crate::map::LiveCount> {
        let moving = self.planning.editor.dragged_units();
        let mut counts: HashMap<UnitId, crate::map::LiveCount> = moving
            .iter()
            .map(|id| {
                let t = self.doc.stats.get(*id);
                (
                    *id,
                    crate::map::LiveCount {
                        households: t.map_or(0, |t| t.households),
                        persons: t.map_or(0, |t| t.persons),
                    },
                )
            })
            .collect();
        for m in &self.planning.live {
            let members = self.doc.dataset.households[m.household].members as i64;
            for (unit, sign) in [(m.from, -1i64), (m.to, 1)] {
                let Some(u) = unit else { continue };
                for a in self.desk.tree.ancestors(u).into_iter().flatten() {
                    if let Some(n) = counts.get_mut(&a) {
                        n.households = (n.households as i64 + sign).max(0) as u32;
                        n.persons = (n.persons as i64 + sign * members).max(0) as u32;
                    }
                }
            }
        }
        counts
    }

    pub(crate) fn run_planning(&mut self, action: crate::app::planning_panel::PlanningAction) {
        use crate::app::planning_panel::PlanningAction as A;
        let d = &mut self.doc.dataset;
        let index = &mut self.doc.index;
        let editor = &mut self.planning.editor;
        let result = match action {
            A::NewPlan => return self.new_plan(),
            A::OpenPlan(id) => return self.open_plan(id),
            A::ClosePlan => return self.close_plan(),
            A::Approve => return self.approve_plan(),
            A::ActivateDuePlans => return self.activate_due_plans(),
            A::ExportAssignment => return self.export_assignment(),
            A::Undo => return self.undo_edit(),
            A::Redo => return self.redo_edit(),
            A::FinishSplit => {
                let line = self.planning.line.clone();
                // The unit under the middle of the line.
                let mid = line[line.len() / 2 - usize::from(line.len().is_multiple_of(2))];
                let next = line[(line.len() / 2).min(line.len() - 1)];
                let m = geo_types::Coord {
                    x: (mid.x + next.x) / 2.0,
                    y: (mid.y + next.y) / 2.0,
                };
                match index.unit_at(d, editor.level, m) {
                    Some(u) => {
                        let id = d.units[u].id;
                        editor.split(d, index, id, &line).cloned()
                    }
                    None => Err(EditError::Refused(crate::edit::Refusal::new(
                        crate::check::Rule::Split,
                        None,
                        "draw the line across a unit of the edited level",
                    ))),
                }
            }
            A::FinishCarve => {
                let outline = self.planning.line.clone();
                editor.carve(d, index, &outline).cloned()
            }
            A::Merge => {
                let pair = self.planning.merge.clone();
                editor.merge(d, index, pair[0], pair[1]).cloned()
            }
            A::Partition | A::Rebalance => {
                let f = &self.planning.propose;
                let made =
                    crate::propose::Options::from_fields(&f.households, &f.tolerance, &f.lock)
                        .and_then(|options| {
                            let unit = crate::propose::unit_by_code(d, &f.unit_code)?;
                            let census = crate::propose::Census::new(d);
                            if action == A::Partition {
                                crate::propose::partition(d, &census, unit, &options)
                            } else {
                                crate::propose::rebalance(d, &census, unit, &options)
                            }
                        });
                match made {
                    Err(e) => Err(EditError::Refused(crate::edit::Refusal::new(
                        crate::check::Rule::Propose,
                        None,
                        e.to_string(),
                    ))),
                    Ok(proposal) => {
                        self.planning.proposal = Some(proposal.report());
                        if !proposal.changes_anything() {
                            self.planning.message =
                                Some(EditOutcome::Done(crate::app::Message::new(|s| {
                                    s.proposal_unchanged.to_owned()
                                })));
                            return;
                        }
                        let made = proposal.apply(editor, d, index).cloned();
                        // New units have their codes now: the report names them.
                        if let (Ok(change), Some(report)) = (&made, &mut self.planning.proposal) {
                            report.name_new_units(change, proposal.blocks.level);
                        }
                        made
                    }
                }
            }
            A::Paint => {
                let households = self.planning.painted.clone();
                let target = self.planning.paint_target;
                match target {
                    Some(t) => editor.paint(d, index, &households, t).cloned(),
                    None => return,
                }
            }
        };
        // What was drawn or picked stays when the edit is refused, so it can be corrected.
        if result.is_ok() {
            self.planning.reset_tool();
        }
        self.after_edit(result);
    }
}
