//! 网格员配备: the staffing list — grids without a 网格长 or a 专职网格员, micro-grids without a
//! 微网格长, and the grids (those with a gap first) whose workers answer for the most households. Computed when opened
//! and again when the document changes (`stats::staffing`, the function behind `gridatlas
//! staffing`); a click on a grid shows it.

use egui::{Color32, RichText};

use crate::app::actions::Action;
use crate::app::workspace::Workspace;
use crate::stats::StaffingReport;
use crate::ui::{HitKind, StaffingStrings};

/// The open list and the revision it was computed at.
#[derive(Default)]
pub struct StaffingPanel {
    pub open: bool,
    report: Option<(crate::app::Revision, StaffingReport)>,
}

impl StaffingPanel {
    /// Forgets the list (a reload brought another document, whose revisions start again).
    pub fn invalidate(&mut self) {
        self.report = None;
    }
}

/// How many grids the list shows at most (the busiest first).
const LISTED: usize = 40;

pub(crate) fn staffing_window_ui(ctx: &egui::Context, ws: &mut Workspace, lang: crate::ui::Lang) {
    if !ws.staffing.open {
        return;
    }
    let t = StaffingStrings::get(lang);
    let revision = ws.doc.revision;
    if ws
        .staffing
        .report
        .as_ref()
        .is_none_or(|(r, _)| *r != revision)
    {
        ws.staffing.report = Some((revision, crate::stats::staffing(&ws.doc.dataset)));
    }
    let mut open = true;
    let mut show = None;
    egui::Window::new(t.title)
        .open(&mut open)
        .default_width(460.0)
        .show(ctx, |ui| {
            let Some((_, r)) = &ws.staffing.report else {
                return;
            };
            let warn = |ui: &mut egui::Ui, n: usize, label: &str| {
                let text = format!("{label} {n}");
                if n > 0 {
                    ui.colored_label(Color32::from_rgb(200, 60, 40), text);
                } else {
                    ui.label(text);
                }
            };
            ui.label(format!("{} {}", t.grids, r.grids));
            warn(ui, r.grids_without_grid_leader.len(), t.without_leader);
            warn(ui, r.grids_without_full_time.len(), t.without_full_time);
            warn(
                ui,
                r.micro_grids_without_leader.len(),
                t.micro_without_leader,
            );
            ui.separator();
            ui.label(RichText::new(t.busiest).strong());
            let mut rows: Vec<_> = r.rows.iter().collect();
            // Grids with a gap first (what the centre must act on), then the heaviest load.
            let gap = |g: &crate::stats::GridStaffing| !(g.grid_leader && g.full_time);
            rows.sort_by(|a, b| {
                gap(b).cmp(&gap(a)).then(
                    b.households_per_worker
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&a.households_per_worker.unwrap_or(f64::INFINITY)),
                )
            });
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    egui::Grid::new("staffing")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            ui.strong(t.grid);
                            ui.strong(t.households);
                            ui.strong(t.workers);
                            ui.strong(t.per_worker);
                            ui.end_row();
                            for g in rows.into_iter().take(LISTED) {
                                if ui.link(&g.name).clicked() {
                                    show = Some(g.code.clone());
                                }
                                ui.label(g.households.to_string());
                                ui.label(g.workers.to_string());
                                ui.label(
                                    g.households_per_worker
                                        .map_or_else(|| "—".to_owned(), |x| format!("{x:.0}")),
                                );
                                ui.end_row();
                            }
                        });
                });
        });
    ws.staffing.open = open;
    if let Some(code) = show
        && let Some(i) = ws.doc.dataset.units.iter().position(|u| u.code == code)
    {
        ws.push(Action::Show(HitKind::Unit(i)));
    }
}
