//! The planner's side panel: level and tool, the steps of the active tool, undo and redo, the
//! outcome of the last edit, and the balance — the live counts of a drag, the units of the
//! edited level in view that are outside the standard, households in no micro-grid, and units
//! that are in several pieces.

use egui::{Color32, RichText, Ui};

use crate::app::planning::EditOutcome;
use crate::app::{Planning, Tool};
use crate::map::balance_color;
use crate::model::{Dataset, Level, UnitId};
use crate::stats::{GridStandard, Stats};
use crate::ui::Strings;

/// What the panel asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanningAction {
    NewPlan,
    OpenPlan(i64),
    ClosePlan,
    Approve,
    /// Put scheduled plans whose day has come into effect (the window opened, the day
    /// changed, or the plan that was open here closed).
    ActivateDuePlans,
    ExportAssignment,
    Undo,
    Redo,
    FinishSplit,
    FinishCarve,
    Merge,
    Paint,
    Partition,
    Rebalance,
}

/// What the panel reads of the open document.
pub struct PanelView<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a crate::index::SpatialIndex,
    pub stats: &'a Stats,
    /// The map's view, [min lon, min lat, max lon, max lat].
    pub view: Option<[f64; 4]>,
    pub live_counts: &'a std::collections::HashMap<UnitId, crate::map::LiveCount>,
    /// The unit selected on the map, if any (it fills in the proposal's unit).
    pub selected_unit: Option<UnitId>,
}

pub fn planning_panel_ui(
    ui: &mut Ui,
    p: &mut Planning,
    doc: &PanelView,
    s: &Strings,
) -> Option<PlanningAction> {
    let (d, stats) = (doc.dataset, doc.stats);
    let mut action = None;
    ui.heading(s.planning);
    if !plan_ui(ui, p, d, stats, s, &mut action) {
        return action;
    }
    let before = (p.tool, p.editor.level);
    egui::ComboBox::from_label(s.edit_level)
        .selected_text(s.level(p.editor.level))
        .show_ui(ui, |ui| {
            for l in [Level::Village, Level::Grid, Level::MicroGrid] {
                ui.selectable_value(&mut p.editor.level, l, s.level(l));
            }
        });
    ui.horizontal_wrapped(|ui| {
        for (tool, label) in [
            (Tool::Drag, s.tool_drag),
            (Tool::Split, s.tool_split),
            (Tool::Merge, s.tool_merge),
            (Tool::Paint, s.tool_paint),
            (Tool::Carve, s.tool_carve),
            (Tool::Propose, s.tool_propose),
        ] {
            ui.selectable_value(&mut p.tool, tool, label);
        }
    });
    if (p.tool, p.editor.level) != before {
        p.reset_tool();
    }
    ui.horizontal(|ui| {
        let undo = p.editor.undo_label().map(|l| format!("{} {l}", s.undo));
        if ui
            .add_enabled(undo.is_some(), egui::Button::new(s.undo))
            .on_hover_text(undo.unwrap_or_default())
            .clicked()
        {
            action = Some(PlanningAction::Undo);
        }
        let redo = p.editor.redo_label().map(|l| format!("{} {l}", s.redo));
        if ui
            .add_enabled(redo.is_some(), egui::Button::new(s.redo))
            .on_hover_text(redo.unwrap_or_default())
            .clicked()
        {
            action = Some(PlanningAction::Redo);
        }
    });
    ui.separator();
    match p.tool {
        Tool::Drag => {
            ui.weak(s.drag_hint);
        }
        Tool::Split => {
            ui.weak(s.split_hint);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(p.line.len() >= 2, egui::Button::new(s.finish_split))
                    .clicked()
                {
                    action = Some(PlanningAction::FinishSplit);
                }
                if ui.button(s.clear).clicked() {
                    p.line.clear();
                }
            });
        }
        Tool::Carve => {
            ui.weak(s.carve_hint);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(p.line.len() >= 3, egui::Button::new(s.finish_carve))
                    .clicked()
                {
                    action = Some(PlanningAction::FinishCarve);
                }
                if ui.button(s.clear).clicked() {
                    p.line.clear();
                }
            });
        }
        Tool::Merge => {
            ui.weak(s.merge_hint);
            for id in &p.merge {
                if let Ok(i) = d.units.binary_search_by_key(id, |u| u.id) {
                    ui.label(format!("{} {}", d.units[i].code, d.units[i].name));
                }
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(p.merge.len() == 2, egui::Button::new(s.merge_now))
                    .clicked()
                {
                    action = Some(PlanningAction::Merge);
                }
                if ui.button(s.clear).clicked() {
                    p.merge.clear();
                }
            });
        }
        Tool::Paint => {
            ui.weak(s.paint_hint);
            ui.label(format!("{}: {}", s.selected_households, p.painted.len()));
            // Targets: the micro-grids of the grid of the first picked household.
            let grid = p
                .painted
                .first()
                .and_then(|&h| d.households[h].unit)
                .and_then(|u| d.units.binary_search_by_key(&u, |x| x.id).ok())
                .and_then(|i| d.units[i].parent);
            let targets: Vec<&crate::model::Unit> = d
                .units
                .iter()
                .filter(|u| grid.is_some() && u.parent == grid)
                .collect();
            let name = |id: Option<UnitId>| {
                id.and_then(|id| targets.iter().find(|u| u.id == id))
                    .map_or("—".to_owned(), |u| u.name.clone())
            };
            egui::ComboBox::from_label(s.paint_to)
                .selected_text(name(p.paint_target))
                .show_ui(ui, |ui| {
                    for u in &targets {
                        let n = stats.get(u.id).map_or(0, |t| t.households);
                        ui.selectable_value(
                            &mut p.paint_target,
                            Some(u.id),
                            format!("{} ({n}{})", u.name, s.households_suffix),
                        );
                    }
                });
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        !p.painted.is_empty() && p.paint_target.is_some(),
                        egui::Button::new(s.paint_now),
                    )
                    .clicked()
                {
                    action = Some(PlanningAction::Paint);
                }
                if ui.button(s.clear).clicked() {
                    p.painted.clear();
                    p.paint_target = None;
                }
            });
        }
        Tool::Propose => propose_ui(ui, p, doc, s, &mut action),
    }
    outcome_ui(ui, p, s);
    ui.separator();
    balance_ui(ui, p, doc, s);
    action
}

/// The proposal tool: the unit, the target and tolerance, locks, the two buttons, and the
/// report of the last proposal (per unit its households, deviation and compactness).
fn propose_ui(
    ui: &mut Ui,
    p: &mut Planning,
    doc: &PanelView,
    s: &Strings,
    action: &mut Option<PlanningAction>,
) {
    ui.weak(s.propose_hint);
    // The selected village or grid fills in the unit (a micro-grid: its grid).
    if let Some(id) = doc.selected_unit
        && let Ok(i) = doc.dataset.units.binary_search_by_key(&id, |u| u.id)
    {
        let u = &doc.dataset.units[i];
        let target = match u.level {
            Level::Village | Level::Grid => Some(u.code.clone()),
            Level::MicroGrid => u
                .parent
                .and_then(|g| doc.dataset.units.binary_search_by_key(&g, |x| x.id).ok())
                .map(|g| doc.dataset.units[g].code.clone()),
            _ => None,
        };
        if let Some(code) = target
            && p.propose.unit_code.is_empty()
        {
            p.propose.unit_code = code;
        }
    }
    egui::Grid::new("propose_fields")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, text) in [
                (s.propose_unit, &mut p.propose.unit_code),
                (s.propose_households, &mut p.propose.households),
                (s.propose_tolerance, &mut p.propose.tolerance),
            ] {
                let l = ui.label(label);
                ui.add(egui::TextEdit::singleline(text).desired_width(150.0))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    let l = ui.label(s.propose_lock);
    ui.add(egui::TextEdit::singleline(&mut p.propose.lock).desired_width(300.0))
        .labelled_by(l.id);
    ui.horizontal(|ui| {
        let ready = !p.propose.unit_code.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new(s.partition_now))
            .clicked()
        {
            *action = Some(PlanningAction::Partition);
        }
        if ui
            .add_enabled(ready, egui::Button::new(s.rebalance_now))
            .clicked()
        {
            *action = Some(PlanningAction::Rebalance);
        }
    });
    let Some(r) = &p.proposal else {
        return;
    };
    ui.separator();
    ui.label(
        RichText::new(format!(
            "{} · {} {}",
            s.proposal_heading, r.unit_code, r.unit_name
        ))
        .strong(),
    );
    if let Some(_why) = &r.infeasible_reason {
        ui.colored_label(Color32::from_rgb(200, 120, 40), s.proposal_infeasible);
    }
    ui.label(format!(
        "{}: {:+.1}% · {}: {}–{}",
        s.worst_deviation,
        r.worst_deviation * 100.0,
        s.propose_tolerance,
        r.band.low,
        r.band.high
    ));
    ui.label(format!(
        "{}: {:.3} / {:.3}",
        s.compactness_mean_min, r.polsby_popper_mean, r.polsby_popper_min
    ));
    ui.label(format!(
        "{}: {} / {}",
        s.households_moved, r.households_moved, r.households_total
    ));
    egui::Grid::new("proposal_units")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for u in &r.units {
                let color = if u.within_tolerance {
                    Color32::from_rgb(90, 170, 90)
                } else if u.deviation < 0.0 {
                    Color32::from_rgb(80, 130, 210)
                } else {
                    Color32::from_rgb(210, 80, 70)
                };
                ui.label(u.code.as_deref().unwrap_or(s.new_unit));
                ui.label(format!("{}{}", u.households, s.households_suffix));
                ui.colored_label(color, format!("{:+.0}%", u.deviation * 100.0));
                if u.contiguous {
                    ui.label(format!("{:.2}", u.polsby_popper));
                } else {
                    ui.colored_label(Color32::from_rgb(210, 80, 70), s.unit_in_pieces);
                }
                ui.end_row();
            }
        });
}

/// "新增单元 2 · 删除单元 1 · 修改单元 3": what a plan does to the units.
fn units_summary(diff: &crate::ledger::PlanDiff, s: &Strings) -> String {
    format!(
        "{} {} · {} {} · {} {}",
        s.units_created,
        diff.created.len(),
        s.units_removed,
        diff.removed.len(),
        s.units_changed,
        diff.changed.len()
    )
}

fn outcome_ui(ui: &mut Ui, p: &Planning, s: &Strings) {
    let green = Color32::from_rgb(30, 130, 60);
    match &p.message {
        Some(EditOutcome::Done(m)) => {
            ui.colored_label(green, format!("{}：{}", s.edit_done, m.text(s.lang())));
        }
        Some(EditOutcome::Undone(m)) => {
            ui.colored_label(green, format!("{}：{}", s.undo, m.text(s.lang())));
        }
        Some(EditOutcome::Redone(m)) => {
            ui.colored_label(green, format!("{}：{}", s.redo, m.text(s.lang())));
        }
        Some(EditOutcome::Refused(m)) => {
            ui.colored_label(
                Color32::from_rgb(200, 40, 30),
                format!("{}：{}", s.edit_refused, m.text(s.lang())),
            );
        }
        None => {}
    }
}

/// The plan chooser, or the open plan with its comparison and approval. Returns whether a plan
/// is open (the tools are shown only then).
fn plan_ui(
    ui: &mut Ui,
    p: &mut Planning,
    d: &Dataset,
    stats: &Stats,
    s: &Strings,
    action: &mut Option<PlanningAction>,
) -> bool {
    let Some((_, name)) = p.plan.clone() else {
        ui.weak(s.no_plan_hint);
        // The outcome of the last approval (or of a refused plan action).
        outcome_ui(ui, p, s);
        ui.horizontal(|ui| {
            let l = ui.label(s.plan_name);
            ui.add(egui::TextEdit::singleline(&mut p.new_plan_name).desired_width(140.0))
                .labelled_by(l.id);
            if ui
                .add_enabled(
                    !p.new_plan_name.trim().is_empty(),
                    egui::Button::new(s.new_plan),
                )
                .clicked()
            {
                *action = Some(PlanningAction::NewPlan);
            }
        });
        ui.label(RichText::new(s.drafts).strong());
        for plan in p.plans.iter().filter(|x| x.status == "draft") {
            ui.horizontal(|ui| {
                ui.label(format!("{} ({} {})", plan.name, plan.steps, s.steps));
                if ui.small_button(s.open_plan).clicked() {
                    *action = Some(PlanningAction::OpenPlan(plan.id));
                }
            });
        }
        let scheduled: Vec<_> = p.plans.iter().filter(|x| x.status == "scheduled").collect();
        if !scheduled.is_empty() {
            ui.label(RichText::new(s.scheduled_plans).strong());
            for plan in scheduled {
                ui.label(format!(
                    "{} · {} {}",
                    plan.name,
                    s.effective_date,
                    plan.effective_date.as_deref().unwrap_or("")
                ));
            }
        }
        let approved: Vec<_> = p.plans.iter().filter(|x| x.status == "approved").collect();
        if !approved.is_empty() {
            ui.label(RichText::new(s.approved_plans).strong());
            for plan in approved {
                ui.weak(format!(
                    "{} · {} {}",
                    plan.name,
                    s.effective_date,
                    plan.effective_date.as_deref().unwrap_or("")
                ));
            }
        }
        return false;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{}：{name}", s.plan)).strong());
        if ui.small_button(s.close_plan).clicked() {
            *action = Some(PlanningAction::ClosePlan);
        }
    });
    // The comparison, recomputed when the plan's steps change.
    let steps = p.editor.changes().len();
    p.current_diff(d);
    if let Some((_, diff)) = &p.diff {
        egui::CollapsingHeader::new(s.compare)
            .default_open(true)
            .show(ui, |ui| {
                ui.label(units_summary(diff, s));
                ui.label(format!(
                    "{}: {}",
                    s.households_changing,
                    diff.households.len()
                ));
                if !diff.regrouped_households.is_empty() {
                    ui.label(format!(
                        "{}: {}",
                        s.households_changing_grid,
                        diff.regrouped_households.len()
                    ));
                }
                let code = |u: Option<UnitId>| {
                    u.and_then(|u| d.units.binary_search_by_key(&u, |x| x.id).ok())
                        .map_or("—".to_owned(), |i| d.units[i].name.clone())
                };
                egui::ScrollArea::vertical()
                    .id_salt("plan-households")
                    .max_height(120.0)
                    .show(ui, |ui| {
                        for &(h, from, to) in diff.households.iter().take(300) {
                            let from_name = from
                                .and_then(|f| diff.replaced.iter().find(|u| u.id == f))
                                .map_or_else(|| code(from), |u| u.name.clone());
                            ui.weak(format!(
                                "{} {} → {}",
                                d.households[h].code,
                                from_name,
                                code(to)
                            ));
                        }
                    });
                // Balance before → after of the units of the edited level that changed.
                ui.label(s.before_after);
                let level = p.editor.level;
                let moved_out = |id: UnitId| {
                    diff.households
                        .iter()
                        .filter(|(_, f, _)| *f == Some(id))
                        .count() as i64
                };
                let moved_in = |id: UnitId| {
                    diff.households
                        .iter()
                        .filter(|(_, _, t)| *t == Some(id))
                        .count() as i64
                };
                for id in diff.changed.iter().chain(&diff.created) {
                    let Ok(i) = d.units.binary_search_by_key(id, |u| u.id) else {
                        continue;
                    };
                    let u = &d.units[i];
                    if u.level != level || level != Level::MicroGrid {
                        continue;
                    }
                    let after = stats.get(*id).map_or(0, |t| t.households);
                    let persons = stats.get(*id).map_or(0, |t| t.persons);
                    let before = after as i64 - moved_in(*id) + moved_out(*id);
                    ui.horizontal(|ui| {
                        let (r, _) =
                            ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                        ui.painter()
                            .rect_filled(r, 2.0, balance_color(u.level, after, persons));
                        ui.label(format!(
                            "{} {before} → {after}{}",
                            u.name, s.households_suffix
                        ));
                    });
                }
            });
    }
    if ui.button(s.export_assignment).clicked() {
        *action = Some(PlanningAction::ExportAssignment);
    }
    let date = ui
        .horizontal(|ui| {
            let l = ui.label(s.effective_date);
            ui.add(
                egui::TextEdit::singleline(&mut p.effective_date)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
            // A day in the document's time zone.
            let date = d
                .meta
                .time_zone
                .parse(p.effective_date.trim())
                .ok()
                .map(|t| d.meta.time_zone.date(t));
            if ui
                .add_enabled(
                    date.is_some() && steps > 0 && !p.confirming,
                    egui::Button::new(s.approve),
                )
                .clicked()
            {
                p.confirming = true;
            }
            if date.is_none() {
                p.confirming = false;
            }
            date
        })
        .inner;
    // Nothing changes in the net before the planner has seen what will.
    if let (true, Some(date), Some((_, diff))) = (p.confirming, date, &p.diff) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(RichText::new(format!("{} · {date}", s.confirm_approval)).strong());
            ui.label(format!(
                "{} · {} {} · {} {}",
                units_summary(diff, s),
                s.households_changing,
                diff.households.len(),
                s.households_changing_grid,
                diff.regrouped_households.len()
            ));
            let later = date.as_str() > p.today.as_str();
            ui.label(if later {
                s.approve_later_note
            } else {
                s.approve_now_note
            });
            ui.horizontal(|ui| {
                if ui.button(s.confirm_approval).clicked() {
                    p.confirming = false;
                    *action = Some(PlanningAction::Approve);
                }
                if ui.button(s.cancel).clicked() {
                    p.confirming = false;
                }
            });
        });
    }
    ui.separator();
    true
}

fn balance_ui(ui: &mut Ui, p: &mut Planning, doc: &PanelView, s: &Strings) {
    let (d, index, stats, view, live_counts) =
        (doc.dataset, doc.index, doc.stats, doc.view, doc.live_counts);
    ui.label(RichText::new(s.balance).strong());
    let level = p.editor.level;
    let standard = GridStandard::for_level(level);
    if let Some(st) = standard {
        ui.weak(format!(
            "{} {}{} ±{:.0}%",
            s.standard,
            st.households,
            s.households_suffix,
            st.tolerance * 100.0
        ));
    }
    let row = |ui: &mut Ui, u: &crate::model::Unit, n: crate::map::LiveCount, live: bool| {
        ui.horizontal(|ui| {
            let (r, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(r, 2.0, balance_color(u.level, n.households, n.persons));
            ui.label(format!(
                "{} {}{} {}{}{}",
                u.name,
                n.households,
                s.households_suffix,
                n.persons,
                s.persons_suffix,
                if live { s.live } else { "" }
            ));
        });
    };
    // Live: the units a drag moves.
    for id in p.editor.dragged_units() {
        if let Ok(i) = d.units.binary_search_by_key(id, |u| u.id)
            && d.units[i].level == level
        {
            row(
                ui,
                &d.units[i],
                live_counts.get(id).copied().unwrap_or_default(),
                true,
            );
        }
    }
    if let (Some(st), Some(v)) = (standard, view) {
        ui.label(s.outside_tolerance);
        let (min, max) = (
            geo_types::Coord { x: v[0], y: v[1] },
            geo_types::Coord { x: v[2], y: v[3] },
        );
        let mut outside: Vec<(&crate::model::Unit, crate::map::LiveCount, f64)> = index
            .units_in_box(level, min, max)
            .map(|i| &d.units[i])
            .filter_map(|u| {
                let t = stats.get(u.id)?;
                let dev = st.deviation(t.households, t.persons);
                let n = crate::map::LiveCount {
                    households: t.households,
                    persons: t.persons,
                };
                (!dev.within).then_some((u, n, dev.households_rel.abs()))
            })
            .collect();
        outside.sort_by(|a, b| b.2.total_cmp(&a.2));
        egui::ScrollArea::vertical()
            .id_salt("outside")
            .max_height(220.0)
            .show(ui, |ui| {
                for (u, n, _) in outside.iter().take(200) {
                    row(ui, u, *n, false);
                }
                if outside.is_empty() {
                    ui.weak(s.none_word);
                }
            });
    }
    // Whole-document scans, redone only when the units change or the level does.
    let key = (p.units_version, level);
    if p.summary.as_ref().is_none_or(|(k, ..)| *k != key) {
        let unassigned = d.households.iter().filter(|h| h.unit.is_none()).count();
        let pieces: Vec<String> = d
            .units
            .iter()
            .filter(|u| u.level == level && u.geometry.0.len() > 1)
            .map(|u| format!("{} {}", u.code, u.name))
            .collect();
        p.summary = Some((key, unassigned, pieces));
    }
    if let Some((_, unassigned, pieces)) = &p.summary {
        ui.label(format!("{}: {unassigned}", s.unassigned));
        ui.label(format!("{}: {}", s.not_contiguous, pieces.len()));
        for line in pieces.iter().take(20) {
            ui.weak(line.as_str());
        }
    }
}
