//! 网格员管理: add, edit, move (by typing the unit's code) and retire the workers of the selected
//! unit, and link a household to the party member who keeps in touch with it (党员联户). Each
//! change is written to the file first, with its audit entry, and only then shown; a row
//! another seat changed meanwhile is refused and nothing is written.

use crate::app::actions::Action;
use crate::app::workspace::Workspace;
use crate::model::{HouseholdId, Level, UnitTree, Worker, WorkerId, WorkerRole};
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
    let tree = UnitTree::new(d);
    let Some(grid) = h.unit.and_then(|u| tree.ancestor_at(u, Level::Grid)) else {
        return;
    };
    let members: Vec<(WorkerId, String)> = d
        .workers
        .iter()
        .filter(|w| w.party_member && w.is_active() && tree.is_within(w.unit, grid))
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
