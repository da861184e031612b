//! The panels of the case desk beside the list (`case_list.rs`): the step buttons on a
//! selected case; the new-case form; the time slider; the unit indicators; the charts. They only edit the desk's drafts and return what was asked; the workspace runs it.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::app::case_desk::{CaseDesk, CaseDraft, CaseRequest, DeskMessage};
use crate::cases::{CaseState, allowed_transitions, check_escalation};
use crate::model::{
    CATEGORIES, CaseStatus, Category, CategoryCode, Dataset, TimeZone, Timestamp, UnitId,
};
use crate::ui::Strings;

/// What the new-case form asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftAction {
    Submit,
    Cancel,
}

/// A date as the panels show it (2026-11-29), in the document's time zone.
pub(crate) fn day_text(t: Option<Timestamp>, tz: &TimeZone) -> String {
    t.map_or(String::new(), |t| tz.date(t))
}

/// Step buttons for the selected case: the transitions the workflow allows from its status,
/// a note, the handler for dispatching, escalation, and editing.
pub fn case_actions_ui(
    ui: &mut Ui,
    desk: &mut CaseDesk,
    d: &Dataset,
    i: usize,
    s: &Strings,
) -> Option<CaseRequest> {
    let c = &d.cases[i];
    let mut request = None;
    ui.label(RichText::new(s.actions).strong());
    let next = allowed_transitions(c.status);
    if next.is_empty() && check_escalation(c.status, c.level).is_err() {
        ui.weak(s.state_closed);
        return None;
    }
    if desk.editing.as_ref().is_some_and(|e| e.0 != i) {
        desk.editing = None;
    }
    if let Some((_, category, title, description)) = desk.editing.as_mut() {
        category_ui(ui, category, s);
        let l = ui.label(s.title);
        ui.add(egui::TextEdit::singleline(title).desired_width(f32::INFINITY))
            .labelled_by(l.id);
        let l = ui.label(s.description);
        ui.add(
            egui::TextEdit::multiline(description)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
        let mut cancel = false;
        ui.horizontal(|ui| {
            if ui.button(s.save).clicked() {
                request = Some(CaseRequest::Edit {
                    category: *category,
                    title: title.clone(),
                    description: description.clone(),
                });
            }
            cancel = ui.button(s.cancel).clicked();
        });
        if cancel {
            desk.editing = None;
        }
        return request;
    }
    let l = ui.label(s.note);
    ui.add(
        egui::TextEdit::multiline(&mut desk.note)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id);
    if next.contains(&CaseStatus::Dispatched) {
        let eligible = desk.eligible(d, i);
        let name = |id: crate::model::WorkerId| {
            d.workers
                .iter()
                .find(|w| w.id == id)
                .map_or(String::new(), |w| {
                    format!("{} {}", w.role.name_zh(), w.name)
                })
        };
        if desk.handler.is_none_or(|h| !eligible.contains(&h)) {
            desk.handler = eligible.first().copied();
        }
        egui::ComboBox::from_label(s.choose_handler)
            .selected_text(desk.handler.map_or("—".to_owned(), name))
            .show_ui(ui, |ui| {
                for w in &eligible {
                    ui.selectable_value(&mut desk.handler, Some(*w), name(*w));
                }
            });
    }
    ui.horizontal_wrapped(|ui| {
        for &to in next {
            let label = match (c.status, to) {
                (_, CaseStatus::Accepted) => s.act_accept,
                (_, CaseStatus::Rejected) => s.act_reject,
                (_, CaseStatus::Dispatched) => s.act_dispatch,
                (CaseStatus::Responded, CaseStatus::Handling) => s.act_rework,
                (_, CaseStatus::Handling) => s.act_handle,
                (_, CaseStatus::Responded) => s.act_respond,
                (_, CaseStatus::Closed) => s.act_close,
                (_, CaseStatus::Reported) => continue,
            };
            if ui.button(label).clicked() {
                request = Some(CaseRequest::Transition {
                    to,
                    handler: (to == CaseStatus::Dispatched)
                        .then_some(desk.handler)
                        .flatten(),
                    note: desk.note.clone(),
                });
            }
        }
        if check_escalation(c.status, c.level).is_ok() && ui.button(s.act_escalate).clicked() {
            request = Some(CaseRequest::Escalate {
                note: desk.note.clone(),
            });
        }
        if ui.button(s.edit).clicked() {
            desk.editing = Some((i, c.category, c.title.clone(), c.description.clone()));
        }
    });
    request
}

/// The category chooser shared by the new-case form.
fn category_ui(ui: &mut Ui, category: &mut CategoryCode, s: &Strings) {
    let name = |c: CategoryCode| {
        Category::find(c).map_or(c.to_string(), |k| {
            let major = CATEGORIES
                .iter()
                .find(|m| m.major == c.major)
                .map_or("", |m| m.name_zh);
            format!("{c} {major} / {}", k.name_zh)
        })
    };
    egui::ComboBox::from_label(s.category)
        .selected_text(name(*category))
        .height(360.0)
        .show_ui(ui, |ui| {
            for k in Category::all() {
                ui.selectable_value(category, k.code, name(k.code));
            }
        });
}

pub fn new_case_window(
    ctx: &egui::Context,
    draft: &mut CaseDraft,
    unit_name: Option<&str>,
    s: &Strings,
) -> Option<DraftAction> {
    let mut action = None;
    egui::Window::new(s.new_case)
        .collapsible(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
        .show(ctx, |ui| {
            ui.label(format!(
                "{:.6}, {:.6} · {}",
                draft.location.x(),
                draft.location.y(),
                unit_name.unwrap_or(s.no_unit)
            ));
            category_ui(ui, &mut draft.category, s);
            let l = ui.label(s.title);
            ui.add(egui::TextEdit::singleline(&mut draft.title).desired_width(320.0))
                .labelled_by(l.id);
            let l = ui.label(s.description);
            ui.add(
                egui::TextEdit::multiline(&mut draft.description)
                    .desired_rows(3)
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            let l = ui.label(s.reporter);
            ui.add(egui::TextEdit::singleline(&mut draft.reporter).desired_width(320.0))
                .labelled_by(l.id);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        !draft.title.trim().is_empty(),
                        egui::Button::new(s.submit_report),
                    )
                    .clicked()
                {
                    action = Some(DraftAction::Submit);
                }
                if ui.button(s.cancel).clicked() {
                    action = Some(DraftAction::Cancel);
                }
            });
        });
    action
}

pub fn message_ui(ui: &mut Ui, desk: &CaseDesk, s: &Strings) {
    match &desk.message {
        Some(DeskMessage::Done(m)) => {
            ui.colored_label(
                Color32::from_rgb(30, 130, 60),
                format!("{}：{}", s.saved, m.text(s.lang())),
            );
        }
        Some(DeskMessage::Refused(m)) => {
            ui.colored_label(
                Color32::from_rgb(200, 40, 30),
                format!("{}：{}", s.refused, m.text(s.lang())),
            );
        }
        None => {}
    }
}

/// The day slider with play/pause. Returns whether playback wants another frame soon.
pub fn time_slider_ui(ui: &mut Ui, desk: &mut CaseDesk, s: &Strings) -> bool {
    let dt = ui.input(|i| i.stable_dt).min(0.2);
    desk.slider.tick(dt);
    ui.horizontal(|ui| {
        ui.checkbox(&mut desk.slider.enabled, s.time_slider);
        ui.add_enabled_ui(desk.slider.enabled, |ui| {
            let label = if desk.slider.playing { s.pause } else { s.play };
            if ui.button(label).clicked() {
                if !desk.slider.playing && desk.slider.day >= desk.slider.days - 1 {
                    desk.slider.day = 0;
                }
                desk.slider.playing = !desk.slider.playing;
            }
            let last = desk.slider.days - 1;
            ui.spacing_mut().slider_width = (ui.available_width() - 260.0).max(200.0);
            ui.add(egui::Slider::new(&mut desk.slider.day, 0..=last).show_value(false));
            ui.label(
                RichText::new(day_text(Some(desk.slider.time()), &desk.time_zone))
                    .strong()
                    .monospace(),
            );
            ui.add(
                egui::DragValue::new(&mut desk.slider.days_per_second)
                    .range(0.5..=30.0)
                    .suffix(" d/s"),
            );
        });
    });
    desk.slider.enabled && desk.slider.playing
}

/// The case indicators of a unit's subtree over the desk's period.
pub fn unit_indicators_ui(
    ui: &mut Ui,
    desk: &mut CaseDesk,
    d: &Dataset,
    unit: UnitId,
    s: &Strings,
) {
    let (from, to) = desk.period();
    let ind = desk.unit_indicators(d, unit);
    ui.separator();
    ui.label(RichText::new(s.indicators).strong());
    ui.weak(format!(
        "{} {} – {}",
        s.period,
        day_text(Some(from), &desk.time_zone),
        day_text(Some(to.plus_seconds(-1)), &desk.time_zone)
    ));
    let pct = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{:.2}%", v * 100.0));
    egui::Grid::new("unit-indicators")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (label, value) in [
                (s.due_cases, ind.due.to_string()),
                (s.closure_rate, pct(ind.closure_rate)),
                (s.on_time_rate, pct(ind.on_time_rate)),
                (s.rework_rate, pct(ind.rework_rate)),
                (s.overdue_period, ind.overdue.to_string()),
                (
                    s.mean_handling,
                    ind.mean_handling_hours
                        .map_or("—".to_owned(), |h| format!("{h:.1}{}", s.hours_suffix)),
                ),
            ] {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
}

/// Cases reported per day by current state, and the handling-time distribution, over the
/// listed cases.
pub fn charts_ui(ui: &mut Ui, desk: &CaseDesk, d: &Dataset, s: &Strings) {
    let first = desk.slider.first_day;
    let tz = desk.time_zone.clone();
    let day_of = |t: Timestamp| tz.days_between(first, t).max(0) as usize;
    let days = desk.slider.days.max(1) as usize;
    // closed, open, overdue per day
    let mut per_day = vec![[0u32; 3]; days];
    let mut hours = Vec::new();
    for &i in &desk.list {
        let c = &d.cases[i];
        let k = match desk.states.get(i) {
            Some(CaseState::Closed) => 0,
            Some(CaseState::Overdue) => 2,
            Some(CaseState::Open) => 1,
            _ => continue,
        };
        if let Some(row) = per_day.get_mut(day_of(c.reported_at)) {
            row[k] += 1;
        }
        if let (Some(a), Some(cl)) = (c.accepted_at, c.closed_at) {
            hours.push((cl.0 - a.0) as f64 / 3600.0);
        }
    }
    ui.label(RichText::new(s.cases_per_day).strong());
    let series = |k: usize, name: &str, color: Color32| {
        BarChart::new(
            name.to_owned(),
            per_day
                .iter()
                .enumerate()
                .map(|(x, row)| Bar::new(x as f64, row[k] as f64).width(0.9))
                .collect(),
        )
        .color(color)
    };
    let closed = series(0, s.state_closed, crate::map::CLOSED_COLOR);
    let open = series(1, s.state_open, crate::map::OPEN_COLOR).stack_on(&[&closed]);
    let overdue = series(2, s.overdue_cases, crate::map::OVERDUE_COLOR).stack_on(&[&closed, &open]);
    Plot::new("cases-per-day")
        .height(180.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            tz.month_day(tz.days_after(first, mark.value.round() as i64))
        })
        .show(ui, |p| {
            p.bar_chart(closed);
            p.bar_chart(open);
            p.bar_chart(overdue);
        });
    ui.label(RichText::new(s.handling_time_dist).strong());
    const BIN: f64 = 6.0;
    let max_bin = 24usize; // 0–144 h, the last bin holds everything longer
    let mut bins = vec![0u32; max_bin + 1];
    for h in &hours {
        bins[((h / BIN).floor().max(0.0) as usize).min(max_bin)] += 1;
    }
    let chart = BarChart::new(
        s.handling_hours.to_owned(),
        bins.iter()
            .enumerate()
            .map(|(k, n)| Bar::new(k as f64 * BIN + BIN / 2.0, *n as f64).width(BIN * 0.9))
            .collect(),
    )
    .color(Color32::from_rgb(90, 120, 190));
    Plot::new("handling-hours")
        .height(160.0)
        .allow_scroll(false)
        .x_axis_label(s.handling_hours)
        .y_axis_label(s.count)
        .show(ui, |p| p.bar_chart(chart));
}
