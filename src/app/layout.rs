//! One frame of the workspace: which panels are shown, in which order.

use egui::{RichText, Ui};

use crate::app::case_panels::{
    DraftAction, case_actions_ui, charts_ui, message_ui, new_case_window, unit_indicators_ui,
};
use crate::app::planning_panel::{PanelView, planning_panel_ui};
use crate::ui::{
    Command, HazardMode, HitKind, InspectorAction, InspectorContext, Lang, Strings,
    hazard_panel_ui, inspector_ui,
};

use crate::app::actions::Action;
use crate::app::case_actions::case_desk_ui;
use crate::app::map_view::map_ui;
use crate::app::side_panel::summary_ui;
use crate::app::top_bar::{palette_ui, status_bar_ui, top_bar_ui};
use crate::app::workspace::Workspace;

pub fn workspace_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang) {
    // The import first: once it is written the document is read again, and only then are
    // other programs' commits followed, so that our own import is never taken for one.
    if ws.import.poll() {
        ws.start_reload();
    }
    ws.sync();
    if std::mem::take(&mut ws.import.just_previewed)
        && let Some([x0, y0, x1, y1]) = ws.import.preview_box()
    {
        // Normalized Web Mercator: y grows southwards.
        let a = crate::map::lon_lat_to_mercator(x0, y1);
        let b = crate::map::lon_lat_to_mercator(x1, y0);
        ws.pending_fit = Some([a[0], a[1], b[0], b[1]]);
    }
    if ws.import.is_working() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
    // Other writers' commits show within a second even when nobody touches the window.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(500));
    for command in Command::pressed(ui.ctx()) {
        ws.push(Action::Command(command));
    }
    let s = Strings::get(*lang);
    top_bar_ui(ui, ws, s);
    crate::app::import_panel::import_windows_ui(ui.ctx(), ws, *lang);
    crate::app::staffing_panel::staffing_window_ui(ui.ctx(), ws, *lang);
    crate::app::export_dialog::export_window_ui(ui.ctx(), ws, *lang);
    if let Some(v) = &ws.doc.unfit {
        // Always in view while writes are refused: what is wrong, where, and what to do.
        let text = crate::app::messages::writes_disabled(v, &ws.doc.dataset);
        banner(
            ui,
            "unfit",
            egui::Color32::from_rgb(180, 40, 30),
            text.text(*lang),
        );
    }
    if let Some(what) = ws.doc.damage() {
        // Found by the check started after the open: shown at once, before a write is refused.
        let text = crate::app::messages::file_damaged(what);
        banner(
            ui,
            "damaged",
            egui::Color32::from_rgb(180, 40, 30),
            text.text(*lang),
        );
    }
    if let Some(away) = ws.doc.server_down() {
        // The server is away: what is shown is as it was, and nothing can be written.
        let text = crate::app::messages::server_away_for(away.as_secs());
        banner(
            ui,
            "server_away",
            egui::Color32::from_rgb(190, 110, 0),
            text.text(*lang),
        );
    }
    status_bar_ui(ui, ws, s);
    egui::Panel::left("summary")
        .default_size(230.0)
        .show(ui, |ui| summary_ui(ui, ws, s));
    ws.desk.refresh(&ws.doc.dataset);
    if ws.desk.show_list || ws.desk.slider.enabled {
        egui::Panel::bottom("case-desk")
            .resizable(true)
            .default_size(if ws.desk.show_list { 300.0 } else { 40.0 })
            .show(ui, |ui| case_desk_ui(ui, ws, s));
    }
    if ws.desk.slider.enabled && ws.desk.slider.playing {
        ui.ctx().request_repaint();
    }
    if ws.planning.on {
        let live = ws.live_counts();
        let view = {
            let t = ws.map_transform();
            let (a, b) = (
                t.to_lon_lat(ws.map_rect.left_bottom()),
                t.to_lon_lat(ws.map_rect.right_top()),
            );
            Some([a.x, a.y, b.x, b.y])
        };
        let action = egui::Panel::right("planning")
            .exact_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| {
                        planning_panel_ui(
                            ui,
                            &mut ws.planning,
                            &PanelView {
                                dataset: &ws.doc.dataset,
                                index: &ws.doc.index,
                                stats: &ws.doc.stats,
                                view,
                                live_counts: &live,
                                selected_unit: match ws.selection {
                                    Some(crate::ui::HitKind::Unit(i)) => {
                                        ws.doc.dataset.units.get(i).map(|u| u.id)
                                    }
                                    _ => None,
                                },
                            },
                            s,
                        )
                    })
                    .inner
            })
            .inner;
        if let Some(a) = action {
            ws.push(Action::Planning(a));
        }
    } else if ws.hazard.mode != HazardMode::Off {
        if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            ws.push(Action::FinishHazardPolygon);
        }
        egui::Panel::right("hazard")
            .exact_size(380.0)
            .show(ui, |ui| {
                let may_reveal = ws.may(crate::model::Permission::Reveal);
                hazard_panel_ui(ui, &mut ws.hazard, &ws.doc.dataset, s, may_reveal);
                if std::mem::take(&mut ws.hazard.unmask_requested) {
                    ws.push(Action::RevealHazardList);
                }
            });
    } else {
        egui::Panel::right("inspector")
            .exact_size(330.0)
            .show(ui, |ui| {
                message_ui(ui, &ws.desk, s);
                let mut request = None;
                // The steps of a selected case stay at the top, where the buttons do not move
                // as its history grows.
                if let Some(HitKind::Case(i)) = ws.selection
                    && ws.may(crate::model::Permission::CaseSteps)
                {
                    request =
                        case_actions_ui(ui, &mut ws.desk, &ws.doc.dataset, i, s).map(|r| (i, r));
                    ui.separator();
                }
                egui::ScrollArea::vertical().show(ui, |ui| match ws.selection {
                    Some(sel) => {
                        if let Some(InspectorAction::Show(next)) = inspector_ui(
                            ui,
                            &ws.doc.dataset,
                            &InspectorContext {
                                stats: &ws.doc.stats,
                                unit_slot: &ws.unit_slot,
                                events_by_case: &ws.doc.events_by_case,
                                now: ws.desk.now,
                                time_zone: &ws.desk.time_zone,
                                case_chains: ws.desk.case_chains(),
                                revealed: ws.revealed,
                                see_tags: ws.may(crate::model::Permission::SeeTags),
                            },
                            sel,
                            s,
                        ) {
                            ws.push(Action::Show(next));
                        }
                        match sel {
                            HitKind::Unit(u) => {
                                let id = ws.doc.dataset.units[u].id;
                                unit_indicators_ui(ui, &mut ws.desk, &ws.doc.dataset, id, s);
                                if ws.may(crate::model::Permission::ManageWorkers) {
                                    crate::app::workers_panel::workers_editor_ui(
                                        ui,
                                        ws,
                                        u,
                                        s.lang(),
                                    );
                                }
                            }
                            HitKind::Household(i) => {
                                reveal_ui(ui, ws, i, s);
                                if ws.may(crate::model::Permission::ManageWorkers) {
                                    crate::app::workers_panel::party_contact_ui(
                                        ui,
                                        ws,
                                        i,
                                        s.lang(),
                                    );
                                }
                            }
                            HitKind::Case(_) => {}
                        }
                    }
                    None => {
                        ui.heading(s.inspector);
                        ui.label(s.nothing_selected);
                    }
                });
                if let Some((i, r)) = request {
                    let id = ws.doc.dataset.cases[i].id;
                    ws.push(Action::CaseStep(id, r));
                }
            });
    }
    map_ui(ui, ws, s);
    if let Some(draft) = ws.desk.draft.as_mut() {
        let unit_name = draft
            .unit
            .and_then(|u| ws.unit_slot.get(&u))
            .map(|&k| ws.doc.dataset.units[k].name.as_str());
        match new_case_window(ui.ctx(), draft, unit_name, s) {
            Some(DraftAction::Submit) => ws.push(Action::SubmitCaseDraft),
            Some(DraftAction::Cancel) => ws.push(Action::CancelCaseDraft),
            None => {}
        }
    }
    if ws.desk.show_charts {
        let mut open = true;
        egui::Window::new(s.charts)
            .open(&mut open)
            .default_width(520.0)
            .show(ui.ctx(), |ui| charts_ui(ui, &ws.desk, &ws.doc.dataset, s));
        ws.desk.show_charts = open;
    }
    palette_ui(ui, ws, lang);
    if ws.show_about {
        let mut open = true;
        egui::Window::new(s.about)
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                if let Some(note) = crate::app::side_panel::demo_note(&ws.doc, s) {
                    ui.label(note);
                    ui.separator();
                }
                ui.label(RichText::new(s.provenance).strong());
                ui.label(ws.doc.dataset.meta.provenance.as_str());
            });
        ws.show_about = open;
    }
    // What the panels asked for this frame, now that none of them is drawing any more.
    ws.drain_actions(lang);
    // The wall after the desk's actions: a case closed this frame is struck off at once.
    let now = ws.desk.now;
    crate::app::wall_session::show_wall(ui.ctx(), &mut ws.wall, &ws.doc, now);
}

/// 显示个人信息: for a role that may, a reason and the button; the reveal is logged first.
fn reveal_ui(ui: &mut egui::Ui, ws: &mut Workspace, i: usize, s: &crate::ui::Strings) {
    let Some(id) = ws.doc.dataset.households.get(i).map(|h| h.id) else {
        return;
    };
    let a = crate::ui::AccessStrings::get(s.lang());
    ui.separator();
    if ws.revealed == Some(id) {
        ui.weak(a.revealed);
        return;
    }
    if !ws.may(crate::model::Permission::Reveal) {
        return;
    }
    let l = ui.label(a.reveal_reason);
    ui.add(egui::TextEdit::singleline(&mut ws.reveal_reason).desired_width(260.0))
        .labelled_by(l.id);
    if ui
        .add_enabled(
            !ws.reveal_reason.trim().is_empty(),
            egui::Button::new(a.reveal),
        )
        .on_disabled_hover_text(a.reveal_needs_reason)
        .clicked()
    {
        ws.push(Action::Reveal(id));
    }
}

/// A strip across the top of the window that stays in view while its condition lasts.
fn banner(ui: &mut Ui, id: &'static str, fill: egui::Color32, text: &str) {
    egui::Panel::top(id)
        .frame(egui::Frame::new().fill(fill).inner_margin(6.0))
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(RichText::new(text).color(egui::Color32::WHITE).strong()).wrap(),
            );
        });
}
