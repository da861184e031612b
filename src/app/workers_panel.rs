//! 网格员管理: add, edit, move (by typing the unit's code) and retire the workers of the selected
//! unit, and link a household to the party member who keeps in touch with it (党员联户). Each
//! change is written to the file first, with its audit entry, and only then shown; a row
//! another seat changed meanwhile is refused and nothing is written.

use crate::app::actions::Action;
use crate::app::workspace::Workspace;
use crate::model::{HouseholdId, Level, Worker, WorkerId, WorkerRole};
use crate::ui::StaffingStrings;

/// The form: which worker (none: a new one) and the fields as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerForm {
    /// The unit the form was filled for (a new selection refills it).
    pub unit: Option<crate::model::UnitId>,
    pub editing: Option<WorkerId>,
    pub name: String,
    pub phone: String,
    pub role: WorkerRole,
    pub party_member: bool,
    pub unit_code: String,
}

impl Default for WorkerForm {
    fn default() -> Self {
        WorkerForm {
            unit: None,
            editing: None,
            name: String::new(),
            phone: String::new(),
            role: WorkerRole::PartTime,
            party_member: false,
            unit_code: String::new(),
        }
    }
}

impl WorkerForm {
    fn fill(&mut self, w: &Worker, unit_code: &str) {
        self.editing = Some(w.id);
        self.name.clone_from(&w.name);
        self.phone.clone_from(&w.phone);
        self.role = w.role;
        self.party_member = w.party_member;
        unit_code.clone_into(&mut self.unit_code);
    }

    pub(crate) fn clear(&mut self, unit_code: &str) {
        *self = WorkerForm {
            unit: self.unit,
            unit_code: unit_code.to_owned(),
            ..WorkerForm::default()
        };
    }
}

/// The form under a selected unit (for a role that may manage workers).
pub(crate) fn workers_editor_ui(
    ui: &mut egui::Ui,
    ws: &mut Workspace,
    unit_index: usize,
    lang: crate::ui::Lang,
) {
    let t = StaffingStrings::get(lang);
    let Some(unit) = ws.doc.dataset.units.get(unit_index).cloned() else {
        return;
    };
    if ws.worker_form.unit != Some(unit.id) {
        ws.worker_form.unit = Some(unit.id);
        ws.worker_form.clear(&unit.code);
    }
    let workers: Vec<Worker> = ws
        .doc
        .dataset
        .workers
        .iter()
        .filter(|w| w.unit == unit.id && w.is_active())
        .cloned()
        .collect();
    ui.separator();
    ui.strong(t.manage);
    let f = &mut ws.worker_form;
    let label = |w: &Worker| format!("{} {}", w.role.name_zh(), w.name);
    let current = f
        .editing
        .and_then(|id| workers.iter().find(|w| w.id == id))
        .map_or_else(|| t.new_worker.to_owned(), label);
    let mut pick = None;
    egui::ComboBox::from_label(t.which)
        .selected_text(current)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(f.editing.is_none(), t.new_worker)
                .clicked()
            {
                pick = Some(None);
            }
            for w in &workers {
                if ui
                    .selectable_label(f.editing == Some(w.id), label(w))
                    .clicked()
                {
                    pick = Some(Some(w.clone()));
                }
            }
        });
    match pick {
        Some(Some(w)) => f.fill(&w, &unit.code),
        Some(None) => f.clear(&unit.code),
        None => {}
    }
    egui::Grid::new("worker-form")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(t.name);
            ui.add(egui::TextEdit::singleline(&mut f.name).desired_width(160.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t.phone);
            ui.add(egui::TextEdit::singleline(&mut f.phone).desired_width(160.0))
                .labelled_by(l.id);
            ui.end_row();
            ui.label(t.post);
            egui::ComboBox::from_id_salt("worker-role")
                .selected_text(f.role.name_zh())
                .show_ui(ui, |ui| {
                    for r in WorkerRole::ALL {
                        ui.selectable_value(&mut f.role, r, r.name_zh());
                    }
                });
            ui.end_row();
            let l = ui.label(t.unit_code);
            ui.add(egui::TextEdit::singleline(&mut f.unit_code).desired_width(160.0))
                .labelled_by(l.id);
            ui.end_row();
        });
    ui.checkbox(&mut f.party_member, t.party_member);
    let ready = !f.name.trim().is_empty() && !f.unit_code.trim().is_empty();
    let editing = f.editing;
    let mut asked = None;
    ui.horizontal(|ui| {
        if ui.add_enabled(ready, egui::Button::new(t.save)).clicked() {
            asked = Some(Action::SaveWorker);
        }
        if let Some(id) = editing
            && ui.button(t.retire).clicked()
        {
            asked = Some(Action::RetireWorker(id));
        }
    });
    if let Some(a) = asked {
        ws.push(a);
    }
}

/// 联户党员 under a selected household: the party members at their post in its grid.
pub(crate) fn party_contact_ui(
    ui: &mut egui::Ui,
    ws: &mut Workspace,
    household_index: usize,
    lang: crate::ui::Lang,
) {
    let t = StaffingStrings::get(lang);
    let d = &ws.doc.dataset;
    let Some(h) = d.households.get(household_index) else {
        return;
    };
    // Drawn every frame while a household is selected: the unit slots the workspace keeps,
    // not a tree of the whole county.
    let unit = |u: crate::model::UnitId| ws.unit_slot.get(&u).map(|&i| &d.units[i]);
    let grid_of = |u: crate::model::UnitId| {
        let x = unit(u)?;
        match x.level {
            Level::Grid => Some(x.id),
            Level::MicroGrid => x.parent,
            _ => None,
        }
    };
    let Some(grid) = h.unit.and_then(grid_of) else {
        return;
    };
    let members: Vec<(WorkerId, String)> = d
        .workers
        .iter()
        .filter(|w| w.party_member && w.is_active() && grid_of(w.unit) == Some(grid))
        .map(|w| (w.id, format!("{} {}", w.role.name_zh(), w.name)))
        .collect();
    let current = h.party_contact;
    let id: HouseholdId = h.id;
    let shown = current
        .and_then(|c| members.iter().find(|(w, _)| *w == c))
        .map_or(t.nobody, |(_, n)| n.as_str());
    let mut chosen = None;
    ui.separator();
    egui::ComboBox::from_label(t.party_contact)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            if ui.selectable_label(current.is_none(), t.nobody).clicked() {
                chosen = Some(None);
            }
            for (w, name) in &members {
                if ui.selectable_label(current == Some(*w), name).clicked() {
                    chosen = Some(Some(*w));
                }
            }
        });
    if let Some(next) = chosen.filter(|n| *n != current) {
        ws.push(Action::LinkParty(id, next));
    }
}

impl Workspace {
    fn worker_audit(&self, target: String, detail: String) -> crate::store::AuditEvent {
        crate::store::AuditEvent {
            at: self.desk.step_time(),
            actor: self.desk.actor.clone(),
            action: crate::store::AuditAction::WorkerChange,
            target,
            reason: String::new(),
            detail,
        }
    }

    /// Writes the worker form (`retire`: the worker it names leaves instead), then shows what
    /// the file holds.
    pub(crate) fn save_worker(&mut self, retire: Option<crate::model::WorkerId>) {
        let d = &self.doc.dataset;
        let f = &self.worker_form;
        let seen = retire
            .or(f.editing)
            .and_then(|id| d.workers.iter().find(|w| w.id == id))
            .cloned();
        let next = match (retire, &seen) {
            (Some(_), Some(w)) => crate::model::Worker {
                retired_at: Some(self.desk.step_time()),
                ..w.clone()
            },
            (Some(_), None) => return,
            (None, _) => {
                let code = f.unit_code.trim();
                let Some(unit) = d.units.iter().find(|u| u.code == code) else {
                    self.desk.message = Some(crate::app::DeskMessage::Refused(
                        crate::app::messages::no_unit_with_code(code),
                    ));
                    return;
                };
                let phone = match f.phone.trim() {
                    "" => String::new(),
                    typed => match crate::import::normalise::phone(typed) {
                        Some(p) => p,
                        None => {
                            self.desk.message = Some(crate::app::DeskMessage::Refused(
                                crate::app::messages::bad_phone(typed),
                            ));
                            return;
                        }
                    },
                };
                crate::model::Worker {
                    id: seen.as_ref().map_or(crate::model::WorkerId(0), |w| w.id),
                    name: f.name.trim().to_owned(),
                    phone,
                    role: f.role,
                    unit: unit.id,
                    party_member: f.party_member,
                    retired_at: None,
                }
            }
        };
        let detail = match (retire, &seen) {
            (Some(_), _) => "retired".to_owned(),
            (None, None) => format!("added {} to {}", next.role.code(), f.unit_code.trim()),
            (None, Some(_)) => format!("{} at {}", next.role.code(), f.unit_code.trim()),
        };
        let audit = self.worker_audit(next.name.clone(), detail);
        let key = self.session.as_ref().map(|s| &s.key);
        match crate::store::save_worker(&self.doc.path, seen.as_ref(), &next, key, &audit) {
            Ok((written, range)) => {
                self.doc.own_write(range);
                let d = &mut self.doc.dataset;
                match d.workers.iter_mut().find(|w| w.id == written.id) {
                    Some(w) => *w = written.clone(),
                    None => d.workers.push(written.clone()),
                }
                if !written.is_active() {
                    for h in &mut d.households {
                        if h.party_contact == Some(written.id) {
                            h.party_contact = None;
                        }
                    }
                    let code = self.worker_form.unit_code.clone();
                    self.worker_form.clear(&code);
                } else {
                    self.worker_form.editing = Some(written.id);
                }
                self.staffing.invalidate();
                // Households per worker on the map follows.
                self.doc.workers_changed();
                self.choropleth_cache = None;
            }
            Err(e) => {
                self.desk.message = Some(crate::app::DeskMessage::Refused(
                    crate::app::messages::store_error(&e),
                ));
                if matches!(e, crate::store::StoreError::Conflict { .. }) {
                    self.start_reload();
                }
            }
        }
    }

    /// Links a household to a party member (or to nobody), file first.
    pub(crate) fn link_party(
        &mut self,
        household: crate::model::HouseholdId,
        next: Option<crate::model::WorkerId>,
    ) {
        let Some(h) = self
            .doc
            .dataset
            .households
            .iter()
            .find(|h| h.id == household)
        else {
            return;
        };
        let seen = h.party_contact;
        let audit = self.worker_audit(
            h.code.clone(),
            next.map_or_else(
                || "party contact: none".to_owned(),
                |w| format!("party contact: worker {}", w.0),
            ),
        );
        match crate::store::link_party_contact(&self.doc.path, household, seen, next, &audit) {
            Ok(range) => {
                self.doc.own_write(range);
                if let Some(h) = self
                    .doc
                    .dataset
                    .households
                    .iter_mut()
                    .find(|h| h.id == household)
                {
                    h.party_contact = next;
                }
            }
            Err(e) => {
                self.desk.message = Some(crate::app::DeskMessage::Refused(
                    crate::app::messages::store_error(&e),
                ));
            }
        }
    }
}
