//! The dialogs of 文件 › 新建 and 导入…: choose the files (浏览… opens an in-window chooser that
//! works offline, under test and on locked-down desktops where a system file chooser may be
//! unavailable; paths may also be typed or pasted), the layer of a GeoPackage that has
//! several, the datum and the options; 预览 checks everything and draws it on the map;
//! 导入 writes, 取消 forgets.

use egui::{Color32, RichText};

use crate::app::actions::Action;
use crate::app::file_picker::PickFor;
use crate::app::import_session::{Done, ImportKind, Outcome, Preview};
use crate::app::workspace::Workspace;
use crate::store::CoordinateDatum;
use crate::ui::{ImportStrings, Lang};

/// What the dialogs ask the workspace to do (through the action queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Preview,
    Commit,
    Cancel,
    CreateDocument,
    Template(crate::import::TemplateKind),
}

/// The 文件 menu's entries (in the top bar).
pub(crate) fn file_menu_ui(ui: &mut egui::Ui, ws: &mut Workspace, lang: Lang) {
    let t = ImportStrings::get(lang);
    ui.menu_button(t.file_menu, |ui| {
        // New documents and imports are an admin's (or, without accounts, anyone's).
        if ws.may(crate::model::Permission::Import) {
            if ui.button(t.new_document).clicked() {
                ws.import.new_open = true;
                ui.close();
            }
            if ui.button(t.import).clicked() {
                ws.import.open = true;
                ui.close();
            }
            ui.separator();
        }
        if ui.button(t.template_households).clicked() {
            ws.push(Action::Import(ImportAction::Template(
                crate::import::TemplateKind::Households,
            )));
            ui.close();
        }
        if ui.button(t.template_workers).clicked() {
            ws.push(Action::Import(ImportAction::Template(
                crate::import::TemplateKind::Workers,
            )));
            ui.close();
        }
        ui.separator();
        crate::app::export_dialog::export_menu_items(ui, ws, lang);
    });
}

fn outcome_ui(ui: &mut egui::Ui, outcome: &Outcome, t: &ImportStrings) {
    match outcome {
        Outcome::Imported(done) => {
            let text = match *done {
                Done::Units {
                    added,
                    replaced,
                    households_moved,
                } => format!(
                    "{} {} {added} · {} {replaced} · {} {households_moved}",
                    t.imported, t.units_added, t.units_replaced, t.households_moved
                ),
                Done::Roster { added, changed } => format!(
                    "{} {} {added} · {} {changed}",
                    t.imported, t.rows_added, t.rows_changed
                ),
            };
            ui.colored_label(Color32::from_rgb(20, 130, 60), text);
        }
        Outcome::Created(path) => {
            ui.colored_label(
                Color32::from_rgb(20, 130, 60),
                format!("{} {}", t.created, path.display()),
            );
        }
        Outcome::Template(path) => {
            ui.label(format!("{} {}", t.template_written, path.display()));
        }
        Outcome::Failed(e) => {
            ui.colored_label(Color32::from_rgb(190, 30, 30), e);
        }
    }
}

/// The two dialogs, when open.
pub(crate) fn import_windows_ui(ctx: &egui::Context, ws: &mut Workspace, lang: Lang) {
    let t = ImportStrings::get(lang);
    let doc_dir = ws
        .doc
        .path
        .parent()
        .map(std::path::Path::to_owned)
        .unwrap_or_default();
    if let Some(picked) = ws.import.picker.show(ctx) {
        match picked.target {
            PickFor::ImportSources => ws.import.add_sources(&picked.paths),
            PickFor::NewDocument => {
                if let Some(p) = picked.paths.first() {
                    ws.import.new_path = p.display().to_string();
                }
            }
        }
    }
    if ws.import.new_open {
        let mut open = true;
        egui::Window::new(t.new_document)
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("new-document")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let l = ui.label(t.new_path);
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut ws.import.new_path)
                                    .desired_width(280.0),
                            )
                            .labelled_by(l.id);
                            if ui.button(t.browse).clicked() {
                                let dir = ws.import.picker.start_dir(&doc_dir);
                                ws.import.picker.open_new_document(&dir, lang);
                            }
                        });
                        ui.end_row();
                        let l = ui.label(t.county_code);
                        ui.add(
                            egui::TextEdit::singleline(&mut ws.import.new_code).desired_width(80.0),
                        )
                        .labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label(t.county_name);
                        ui.add(
                            egui::TextEdit::singleline(&mut ws.import.new_name)
                                .desired_width(160.0),
                        )
                        .labelled_by(l.id);
                        ui.end_row();
                    });
                if ui.button(t.create).clicked() {
                    ws.push(Action::Import(ImportAction::CreateDocument));
                }
                if let Some(o) = &ws.import.outcome {
                    outcome_ui(ui, o, t);
                }
            });
        ws.import.new_open &= open;
    }
    if !ws.import.open {
        return;
    }
    let mut open = true;
    egui::Window::new(t.import)
        .open(&mut open)
        .default_width(460.0)
        .show(ctx, |ui| {
            let s = &mut ws.import;
            ui.horizontal_wrapped(|ui| {
                for (kind, label) in [
                    (ImportKind::Units, t.kind_units),
                    (ImportKind::Households, t.kind_households),
                    (ImportKind::Workers, t.kind_workers),
                ] {
                    if ui.radio(s.kind == kind, label).clicked() && s.kind != kind {
                        s.kind = kind;
                        s.preview = None;
                    }
                }
            });
            let l = ui
                .horizontal(|ui| {
                    let l = ui.label(t.paths);
                    if ui.button(t.browse).clicked() {
                        let dir = s.picker.start_dir(&doc_dir);
                        s.picker.open_sources(s.kind, &dir, lang);
                    }
                    l
                })
                .inner;
            ui.add(
                egui::TextEdit::multiline(&mut s.paths)
                    .hint_text(t.paths_hint)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
            if s.kind == ImportKind::Units {
                s.refresh_layer_menus();
                layer_menus_ui(ui, s, t);
            }
            ui.horizontal(|ui| {
                if s.kind != ImportKind::Workers {
                    egui::ComboBox::from_label(t.datum)
                        .selected_text(s.datum.label())
                        .show_ui(ui, |ui| {
                            for d in CoordinateDatum::ALL {
                                ui.selectable_value(&mut s.datum, d, d.label());
                            }
                        });
                }
                if s.kind == ImportKind::Units {
                    let l = ui.label(t.snap);
                    ui.add(
                        egui::DragValue::new(&mut s.snap_m)
                            .range(0.0..=50.0)
                            .speed(0.1),
                    )
                    .labelled_by(l.id);
                    ui.checkbox(&mut s.repair, t.repair);
                }
                if s.kind == ImportKind::Households {
                    ui.checkbox(&mut s.update, t.update_mode);
                }
            });
            ui.horizontal(|ui| {
                let busy = s.is_working();
                if ui
                    .add_enabled(
                        !busy && !s.sources().is_empty(),
                        egui::Button::new(t.preview),
                    )
                    .clicked()
                {
                    ws.actions.push(Action::Import(ImportAction::Preview));
                }
                let ready = matches!(s.preview, Some(Preview::Units(_) | Preview::Roster(_)));
                if ui
                    .add_enabled(
                        !busy && ready,
                        egui::Button::new(RichText::new(t.import_now).strong()),
                    )
                    .clicked()
                {
                    ws.actions.push(Action::Import(ImportAction::Commit));
                }
                if ui.add_enabled(!busy, egui::Button::new(t.cancel)).clicked() {
                    ws.actions.push(Action::Import(ImportAction::Cancel));
                }
                if let Some((_, since)) = &s.working {
                    ui.spinner();
                    ui.label(format!(
                        "{} {:.0} s",
                        t.working,
                        since.elapsed().as_secs_f32()
                    ));
                }
            });
            ui.separator();
            preview_ui(ui, &ws.import, t);
        });
    if !open {
        ws.push(Action::Import(ImportAction::Cancel));
        ws.import.open = false;
    }
}

/// A menu per GeoPackage with several polygon layers: which one holds the units.
fn layer_menus_ui(
    ui: &mut egui::Ui,
    s: &mut crate::app::import_session::ImportSession,
    t: &ImportStrings,
) {
    let mut changed = false;
    for menu in &mut s.layer_menus {
        let file = menu
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        egui::ComboBox::from_label(format!("{} · {file}", t.layer))
            .selected_text(menu.chosen.as_str())
            .show_ui(ui, |ui| {
                for layer in &menu.layers {
                    changed |= ui
                        .selectable_value(&mut menu.chosen, layer.clone(), layer.as_str())
                        .changed();
                }
            });
    }
    if changed {
        s.preview = None;
    }
}

fn preview_ui(ui: &mut egui::Ui, s: &crate::app::import_session::ImportSession, t: &ImportStrings) {
    if let Some(o) = &s.outcome {
        outcome_ui(ui, o, t);
    }
    match &s.preview {
        None => {}
        Some(Preview::Refused { lines, rings, .. }) => {
            ui.colored_label(
                Color32::from_rgb(190, 30, 30),
                RichText::new(t.refused).strong(),
            );
            if !rings.is_empty() {
                ui.label(t.defects_ringed);
            }
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .show(ui, |ui| {
                    for line in lines {
                        ui.add(egui::Label::new(RichText::new(line).small()).wrap());
                    }
                });
        }
        Some(Preview::Units(p)) => {
            let r = &p.report;
            ui.colored_label(
                Color32::from_rgb(20, 130, 60),
                RichText::new(t.ready).strong(),
            );
            ui.label(format!(
                "{} {} · {} {} · {} {} · {} {}",
                t.units_added,
                r.added,
                t.units_replaced,
                r.replaced,
                t.snapped,
                r.snapped_vertices,
                t.households_moved,
                r.households_moved
            ));
            if !r.repairs.is_empty() {
                ui.label(format!("{} {}", t.repairs, r.repairs.len()));
                egui::ScrollArea::vertical()
                    .max_height(200.0)
                    .show(ui, |ui| {
                        for rep in &r.repairs {
                            ui.add(egui::Label::new(RichText::new(&rep.message).small()).wrap());
                        }
                    });
            }
        }
        Some(Preview::Roster(r)) => {
            ui.colored_label(
                Color32::from_rgb(20, 130, 60),
                RichText::new(t.ready).strong(),
            );
            ui.label(format!(
                "{} · {} {} · {} {}",
                r.file, t.rows_added, r.added, t.rows_changed, r.changed
            ));
        }
    }
}
