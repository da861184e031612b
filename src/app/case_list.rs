//! The case list: filters (status, category, unit subtree, dates, overdue, handler, keyword),
//! sorting, and the import and export row. It edits the desk's filter and returns what was asked.

use egui::{Color32, RichText, Ui};

use crate::app::case_desk::CaseDesk;
use crate::cases::{CaseState, SortKey};
use crate::map::pin_style;
use crate::model::{CATEGORIES, CaseStatus, Category, Dataset, TimeZone, Timestamp, UnitId};
use crate::store::CoordinateDatum;
use crate::ui::Strings;

use crate::app::case_panels::day_text;

/// What the list asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListAction {
    Show(usize),
    ExportCsv,
    ExportGeoJson,
    Import,
}

fn sort_name(k: SortKey, s: &Strings) -> &'static str {
    match k {
        SortKey::Reported => s.reported_at,
        SortKey::Due => s.due_at,
        SortKey::Status => s.status,
        SortKey::Category => s.category,
        SortKey::Code => s.code,
    }
}

/// A date field bound to an optional timestamp; red when it cannot be read.
/// Dates are read in the document's time zone (a typed 2026-11-29 is Beijing's midnight).
fn date_field(ui: &mut Ui, label: &str, value: &mut Option<Timestamp>, id: &str, tz: &TimeZone) {
    let text_id = ui.scope_id().with(("date-field", id));
    let mut text = ui
        .data(|m| m.get_temp::<String>(text_id))
        .unwrap_or_else(|| day_text(*value, tz));
    let l = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("YYYY-MM-DD")
                .desired_width(86.0),
        )
        .labelled_by(l.id);
    if response.changed() {
        if text.trim().is_empty() {
            *value = None;
        } else if let Ok(t) = tz.parse(text.trim()) {
            *value = Some(t);
        }
    }
    let bad = !text.trim().is_empty() && tz.parse(text.trim()).is_err();
    if bad {
        ui.painter().rect_stroke(
            response.rect,
            2.0,
            egui::Stroke::new(1.5, Color32::from_rgb(200, 40, 30)),
            egui::StrokeKind::Outside,
        );
    }
    ui.data_mut(|m| m.insert_temp(text_id, text));
}

pub fn case_list_ui(
    ui: &mut Ui,
    desk: &mut CaseDesk,
    d: &Dataset,
    selected_unit: Option<UnitId>,
    selected_case: Option<usize>,
    s: &Strings,
) -> Option<ListAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(s.case_list).strong());
        ui.separator();
        for (k, status) in CaseStatus::ALL.into_iter().enumerate() {
            ui.checkbox(&mut desk.filter.statuses[k], s.status(status));
        }
        ui.checkbox(&mut desk.filter.overdue_only, s.overdue_only);
        ui.separator();
        let major_name = |m: Option<u8>| {
            m.and_then(|m| CATEGORIES.iter().find(|c| c.major == m))
                .map_or(s.all.to_owned(), |c| {
                    format!("{:02} {}", c.major, c.name_zh)
                })
        };
        egui::ComboBox::from_label(s.category)
            .selected_text(major_name(desk.filter.major))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut desk.filter.major, None, s.all);
                for m in CATEGORIES {
                    ui.selectable_value(
                        &mut desk.filter.major,
                        Some(m.major),
                        major_name(Some(m.major)),
                    );
                }
            });
    });
    ui.horizontal_wrapped(|ui| {
        let unit_name = desk
            .filter
            .unit
            .and_then(|u| d.units.iter().find(|x| x.id == u))
            .map_or(s.all.to_owned(), |u| u.name.clone());
        ui.label(format!("{}: {unit_name}", s.within_unit));
        if ui
            .add_enabled(
                selected_unit.is_some(),
                egui::Button::new(s.use_selected_unit),
            )
            .clicked()
        {
            desk.filter.unit = selected_unit;
        }
        if desk.filter.unit.is_some() && ui.small_button("×").clicked() {
            desk.filter.unit = None;
        }
        ui.separator();
        let tz = desk.time_zone.clone();
        date_field(ui, s.date_from, &mut desk.filter.from, "from", &tz);
        date_field(ui, s.date_to, &mut desk.filter.to, "to", &tz);
        ui.separator();
        let handler_name = desk
            .filter
            .handler
            .and_then(|h| d.workers.iter().find(|w| w.id == h))
            .map_or(s.all.to_owned(), |w| w.name.clone());
        ui.label(format!("{}: {handler_name}", s.handler));
        if desk.filter.handler.is_none()
            && let Some(h) = selected_case.and_then(|i| d.cases[i].handler)
            && ui.small_button(format!("= {}", s.handler)).clicked()
        {
            desk.filter.handler = Some(h);
        }
        if desk.filter.handler.is_some() && ui.small_button("×").clicked() {
            desk.filter.handler = None;
        }
        ui.separator();
        let l = ui.label(s.text_filter);
        ui.add(
            egui::TextEdit::singleline(&mut desk.filter.text)
                .hint_text(s.search_hint)
                .desired_width(120.0),
        )
        .labelled_by(l.id);
    });
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label(s.sort_by)
            .selected_text(sort_name(desk.sort, s))
            .show_ui(ui, |ui| {
                for k in SortKey::ALL {
                    ui.selectable_value(&mut desk.sort, k, sort_name(k, s));
                }
            });
        ui.checkbox(&mut desk.descending, s.descending);
        ui.separator();
        ui.label(RichText::new(format!("{}{}", desk.list.len(), s.cases_suffix)).strong());
        ui.separator();
        if ui.button(s.export_cases_csv).clicked() {
            action = Some(ListAction::ExportCsv);
        }
        if ui.button(s.export_geojson).clicked() {
            action = Some(ListAction::ExportGeoJson);
        }
        let l = ui.label(s.file_path);
        ui.add(
            egui::TextEdit::singleline(&mut desk.export_path)
                .hint_text("~/cases")
                .desired_width(140.0),
        )
        .labelled_by(l.id);
        ui.separator();
        let l = ui.label(s.import_csv);
        ui.add(
            egui::TextEdit::singleline(&mut desk.import_path)
                .hint_text("cases.csv")
                .desired_width(140.0),
        )
        .labelled_by(l.id);
        egui::ComboBox::from_label(s.datum)
            .selected_text(desk.import_datum.label())
            .show_ui(ui, |ui| {
                for datum in CoordinateDatum::ALL {
                    ui.selectable_value(&mut desk.import_datum, datum, datum.label());
                }
            });
        if ui
            .add_enabled(
                !desk.import_path.trim().is_empty(),
                egui::Button::new(s.import_csv),
            )
            .clicked()
        {
            action = Some(ListAction::Import);
        }
    });
    ui.separator();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let now = desk.view_time();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, desk.list.len(), |ui, rows| {
            for &i in &desk.list[rows] {
                let c = &d.cases[i];
                let state = desk.states.get(i).copied().unwrap_or(CaseState::Absent);
                let color = pin_style(state, true).map_or(Color32::GRAY, |(c, _)| c);
                ui.horizontal(|ui| {
                    let (dot, _) =
                        ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter().circle_filled(dot.center(), 4.5, color);
                    let overdue = if state == CaseState::Overdue {
                        s.overdue_mark
                    } else {
                        ""
                    };
                    let text = format!(
                        "{}  {}  {}{}  {}  {}",
                        c.code,
                        desk.time_zone.minute(c.reported_at),
                        // As of the slider's day, like the dot.
                        s.status(desk.timeline.status_at(i, now).unwrap_or(c.status)),
                        overdue,
                        Category::find(c.category).map_or("", |k| k.name_zh),
                        c.title
                    );
                    if ui
                        .selectable_label(selected_case == Some(i), text)
                        .clicked()
                    {
                        action = Some(ListAction::Show(i));
                    }
                    if let Some(due) = c.due_at.filter(|_| c.status.is_open()) {
                        let left = (due.0 - now.0) as f64 / 3600.0;
                        ui.weak(format!("{} {}", s.due_at, desk.time_zone.minute(due)));
                        if left < 0.0 {
                            ui.colored_label(
                                crate::map::OVERDUE_COLOR,
                                format!("{}{:.0}{}", s.overdue_by, -left, s.hours_suffix),
                            );
                        }
                    }
                });
            }
        });
    action
}
