//! The top bar (search, tools, language), the status bar and the command palette.

use egui::{Color32, RichText, Ui};

use crate::map::level_for_zoom;
use crate::model::Permission;
use crate::ui::{Command, HazardMode, Lang, Strings, search};

use crate::app::actions::Action;
use crate::app::workspace::Workspace;

pub(crate) fn top_bar_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    egui::Panel::top("menu").show(ui, |ui| {
        let mut search_box = egui::Rect::NOTHING;
        ui.horizontal(|ui| {
            ui.label(RichText::new(s.app_name).strong());
            crate::app::import_panel::file_menu_ui(ui, ws, s.lang());
            ui.separator();
            let label = ui.label(s.command(Command::FocusSearch));
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut ws.search_text)
                        .hint_text(s.search_hint)
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            search_box = response.rect;
            if ws.focus_search {
                response.request_focus();
                ws.focus_search = false;
            }
            if response.changed() {
                ws.search_hits = search(&ws.doc.dataset, &ws.search_text, 12);
            }
            if response.lost_focus()
                && ui.input(|i| i.key_pressed(egui::Key::Enter))
                && let Some(hit) = ws.search_hits.first()
            {
                let kind = hit.kind;
                ws.push(Action::Show(kind));
                ws.search_hits.clear();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(s.switch_language).clicked() {
                    ws.push(Action::Command(Command::ToggleLanguage));
                }
                if ui.button(s.about).clicked() {
                    ws.push(Action::Command(Command::About));
                }
                if ui.button(format!("{} Ctrl+K", s.palette)).clicked() {
                    ws.push(Action::Command(Command::CommandPalette));
                }
            });
        });
        // The tools row: drawing a hazard zone, and the case desk. A tool the signed-in
        // role may not use is not offered at all.
        ui.horizontal(|ui| {
            if ws.may(Permission::HazardLists) {
                hazard_tools_ui(ui, ws, s);
                ui.separator();
            }
            if ws.may(Permission::CaseSteps) {
                if ui
                    .selectable_label(ws.desk.reporting, s.report_case)
                    .clicked()
                {
                    ws.push(Action::Command(Command::ReportCase));
                }
                if ws.desk.reporting {
                    ui.colored_label(Color32::from_rgb(30, 100, 210), s.report_case_hint);
                }
            }
            if ui
                .selectable_label(ws.desk.show_list, s.case_list)
                .clicked()
            {
                ws.push(Action::Command(Command::CaseList));
            }
            if ui
                .selectable_label(ws.desk.slider.enabled, s.time_slider)
                .clicked()
            {
                ws.push(Action::Command(Command::TimeSlider));
            }
            if ui.selectable_label(ws.desk.show_charts, s.charts).clicked() {
                ws.push(Action::Command(Command::Charts));
            }
            let staffing = crate::ui::StaffingStrings::get(s.lang()).title;
            if ui.selectable_label(ws.staffing.open, staffing).clicked() {
                ws.staffing.open = !ws.staffing.open;
            }
            ui.separator();
            if ws.may(Permission::Plan) {
                if ui.selectable_label(ws.planning.on, s.planning).clicked() {
                    ws.push(Action::Command(Command::Planning));
                }
                ui.separator();
            }
            wall_menu_ui(ui, ws, s);
        });
        if !ws.search_hits.is_empty()
            || (!ws.search_text.trim().is_empty() && ui.memory(|m| m.focused().is_some()))
        {
            search_results_ui(ui, ws, s, search_box);
        }
    });
}

/// 危险区域: polygon or circle, then 完成 / 取消.
fn hazard_tools_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    {
        {
            ui.label(s.hazard_zone);
            if ui
                .selectable_label(ws.hazard.mode == HazardMode::Polygon, s.hazard_polygon)
                .clicked()
            {
                ws.push(Action::Command(Command::HazardPolygon));
            }
            if ui
                .selectable_label(ws.hazard.mode == HazardMode::Circle, s.hazard_circle)
                .clicked()
            {
                ws.push(Action::Command(Command::HazardCircle));
            }
            if ws.hazard.mode == HazardMode::Polygon
                && ws.hazard.zone.is_none()
                && ui
                    .add_enabled(ws.hazard.vertices.len() >= 3, egui::Button::new(s.finish))
                    .clicked()
            {
                ws.push(Action::FinishHazardPolygon);
            }
            if ws.hazard.mode != HazardMode::Off && ui.button(s.cancel).clicked() {
                ws.push(Action::CancelHazard);
            }
        }
    }
}

/// The results drop down under the search box, over the map: typing never moves the rest of
/// the window.
pub(crate) fn search_results_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings, below: egui::Rect) {
    let mut chosen = None;
    egui::Area::new(egui::Id::unique("search-results"))
        .order(egui::Order::Foreground)
        .fixed_pos(below.left_bottom() + egui::vec2(0.0, 2.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_min_width(below.width().max(260.0));
                if ws.search_hits.is_empty() {
                    ui.weak(s.no_results);
                }
                for hit in &ws.search_hits {
                    if ui.selectable_label(false, &hit.label).clicked() {
                        chosen = Some(hit.kind);
                    }
                }
            });
        });
    if let Some(kind) = chosen {
        ws.push(Action::Show(kind));
        ws.search_hits.clear();
    }
}

pub(crate) fn status_bar_ui(ui: &mut Ui, ws: &Workspace, s: &Strings) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(session) = &ws.session {
                let a = crate::ui::AccessStrings::get(s.lang());
                let who = &session.account;
                let mut text = format!("{} {}（{}）", a.signed_in_as, who.name, a.role(who.role));
                if let Some(scope) = &who.scope {
                    text.push_str(&format!(" {} {scope}", a.scope));
                }
                if ws.signed_in_automatically {
                    text.push_str(a.signed_in_automatically);
                }
                ui.label(RichText::new(text).strong());
                ui.separator();
            }
            ui.label(format!("{}: {}", s.file, ws.doc.display_name()));
            ui.separator();
            ui.label(format!("{}: {:.1}", s.zoom, ws.memory.zoom()));
            ui.separator();
            ui.label(format!(
                "{}: {}",
                s.showing_level,
                s.level(level_for_zoom(ws.memory.zoom()))
            ));
            if let Some(c) = ws.cursor {
                ui.separator();
                ui.monospace(format!("{:.5}, {:.5}", c.x, c.y));
            }
            if let Some(tiles) = &ws.basemap.tiles {
                ui.separator();
                ui.label(tiles.attribution().text);
            }
            if ws.selection_gone {
                ui.separator();
                ui.colored_label(Color32::from_rgb(190, 60, 40), s.selection_gone);
            }
            if ws.is_reloading() {
                ui.separator();
                ui.spinner();
                ui.label(s.reloading);
            } else if ws.others_applied > 0 {
                ui.separator();
                ui.label(format!("{}: {}", s.others_changes, ws.others_applied));
            }
        });
    });
}

pub(crate) fn palette_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang) {
    if !ws.palette_open {
        return;
    }
    let s = Strings::get(*lang);
    let mut run = None;
    egui::Window::new(s.palette)
        .collapsible(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ui.ctx(), |ui| {
            let response = ui.add(
                egui::TextEdit::singleline(&mut ws.palette_filter)
                    .hint_text(s.palette_filter)
                    .desired_width(360.0),
            );
            response.request_focus();
            let filter = ws.palette_filter.to_lowercase();
            let matching: Vec<Command> = Command::ALL
                .into_iter()
                .filter(|c| {
                    *c != Command::CommandPalette && s.command(*c).to_lowercase().contains(&filter)
                })
                .collect();
            for c in &matching {
                let shortcut = c
                    .shortcut()
                    .map(|sc| ui.ctx().format_shortcut(&sc))
                    .unwrap_or_default();
                ui.horizontal(|ui| {
                    if ui
                        .button(s.command(*c))
                        .on_hover_text(c.tooltip(*lang))
                        .clicked()
                    {
                        run = Some(*c);
                    }
                    ui.weak(shortcut);
                });
            }
            if ui.input(|i| i.key_pressed(egui::Key::Enter))
                && let Some(first) = matching.first()
            {
                run = Some(*first);
            }
        });
    if let Some(c) = run {
        ws.palette_open = false;
        ws.push(Action::Command(c));
    }
}

/// The wall's controls on the desk: open it, push the selection, pause or move its tour,
/// choose what colours its map and how long each township stays.
fn wall_menu_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    ui.menu_button(s.command(Command::WallDisplay), |ui| {
        for c in [
            Command::WallDisplay,
            Command::PushToWall,
            Command::WallTourPause,
            Command::WallNext,
        ] {
            let on = match c {
                Command::WallDisplay => ws.wall.open,
                Command::WallTourPause => ws.wall.tour.paused,
                _ => false,
            };
            if ui.selectable_label(on, s.command(c)).clicked() {
                ws.push(Action::Command(c));
            }
        }
        ui.separator();
        ui.label(s.wall_indicator);
        for i in crate::wall::WallIndicator::ALL {
            let name = match s.lang() {
                Lang::Zh => i.name_zh(),
                Lang::En => i.name_en(),
            };
            ui.radio_value(&mut ws.wall.indicator, i, name);
        }
        ui.separator();
        ui.add(
            egui::Slider::new(&mut ws.wall.tour.interval_s, 5.0..=120.0)
                .step_by(5.0)
                .text(s.wall_interval),
        );
    });
}
