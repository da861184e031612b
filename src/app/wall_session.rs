//! The wall display from the desk's side: whether it is open and on which monitor, its tour and
//! indicator, what was pushed to it (推送到大屏), and its view, rebuilt from the document when
//! the document changes (a case closed at the desk is struck off at the wall's next frame).
//!
//! The wall is a second egui viewport, drawn in the same frame as the desk: it needs no copy of
//! the document, and a backend that cannot open a second window (tests) shows it embedded.

use egui::{Frame, ViewportBuilder, ViewportCommand, ViewportId};

use crate::app::Document;
use crate::app::Revision;
use crate::app::wall_feed::{WallFigures, WallShapes, wall_case, wall_view};
use crate::model::{Tag, Timestamp, UnitTree};
use crate::ui::Selection;
use crate::wall::{
    BACKGROUND, Tour, WallFocus, WallFrame, WallIndicator, WallUnit, WallView, wall_ui,
};

#[derive(Default)]
pub struct WallSession {
    pub open: bool,
    /// The monitor to go fullscreen on (`--monitor N`); a window when None.
    pub monitor: Option<usize>,
    pub tour: Tour,
    pub indicator: WallIndicator,
    /// The wall's clock at its last frame (a push starts then).
    pub time_s: f64,
    shapes: Option<(u64, WallShapes)>,
    view: Option<(Revision, i64, WallView)>,
    pushed: Vec<WallUnit>,
}

impl WallSession {
    fn shapes(&mut self, doc: &Document) -> &WallShapes {
        if self
            .shapes
            .as_ref()
            .is_some_and(|(r, _)| *r != doc.revision.units)
        {
            // The net changed: what was pushed may be gone.
            self.shapes = None;
            self.pushed.clear();
            self.tour.clear_focus();
        }
        &self
            .shapes
            .get_or_insert_with(|| (doc.revision.units, WallShapes::new(&doc.dataset)))
            .1
    }

    /// The view at `now`: rebuilt when the document changed or the minute turned.
    pub fn view(&mut self, doc: &Document, now: Timestamp) -> &WallView {
        let minute = now.0.div_euclid(60);
        let stale = self
            .view
            .as_ref()
            .is_none_or(|(r, m, _)| *r != doc.revision || *m != minute);
        let stale = stale
            || self
                .shapes
                .as_ref()
                .is_none_or(|(r, _)| *r != doc.revision.units);
        let view = match self.view.take() {
            Some(v) if !stale => v,
            _ => {
                let mut view = wall_view(doc, self.shapes(doc), now);
                view.focus_units = self.pushed.clone();
                (doc.revision, minute, view)
            }
        };
        &self.view.insert(view).2
    }

    /// 推送到大屏: the desk's selection, or the hazard zone's totals. A household is never
    /// pushed: its micro-grid is, as figures.
    pub fn push(
        &mut self,
        doc: &Document,
        selection: Option<Selection>,
        zone: Option<&crate::stats::AreaReport>,
        now: Timestamp,
    ) -> bool {
        let d = &doc.dataset;
        let micro_grid_of = |i: usize| {
            d.households
                .get(i)
                .and_then(|h| h.unit)
                .and_then(|u| d.units.iter().find(|x| x.id == u))
        };
        let focus = match selection {
            Some(Selection::Case(i)) => d
                .cases
                .get(i)
                .map(|c| WallFocus::Case(wall_case(d, &UnitTree::new(d), c, now))),
            Some(Selection::Unit(i)) => d.units.get(i).map(|u| self.push_unit(doc, u, now)),
            Some(Selection::Household(i)) => micro_grid_of(i).map(|u| self.push_unit(doc, u, now)),
            None => zone.map(|report| WallFocus::Zone {
                label: crate::wall::HAZARD_ZONE.into(),
                households: report.households.len() as u32,
                persons: report.persons,
                // Vulnerable groups only: special populations never go on a wall.
                by_tag: Tag::ALL
                    .into_iter()
                    .filter(|t| t.is_vulnerable() && report.by_tag[*t as usize] > 0)
                    .map(|t| (t.name_zh().to_owned(), report.by_tag[t as usize]))
                    .collect(),
            }),
        };
        let Some(focus) = focus else {
            return false;
        };
        self.tour.push(focus, self.time_s);
        true
    }

    fn push_unit(
        &mut self,
        doc: &Document,
        unit: &crate::model::Unit,
        now: Timestamp,
    ) -> WallFocus {
        let figures = WallFigures::new(&doc.dataset, now, &[unit.level]);
        let mut w = self.shapes(doc).of(unit);
        w.tiles = figures.tiles_of(doc, unit);
        self.pushed.push(w);
        self.view = None;
        WallFocus::Unit(self.pushed.len() - 1)
    }

    /// The townships the tour goes through.
    fn stops(&self) -> usize {
        self.view.as_ref().map_or(0, |(_, _, v)| v.townships.len())
    }
}

/// One frame of the wall in `ui`: the tour moves on, the view follows the document, and it is
/// drawn. The window and `bench wall` both run this.
pub(crate) fn wall_frame_ui(
    ui: &mut egui::Ui,
    wall: &mut WallSession,
    doc: &Document,
    now: Timestamp,
) {
    let time_s = ui.input(|i| i.time);
    wall.time_s = time_s;
    wall.view(doc, now);
    let stops = wall.stops();
    wall.tour.advance(time_s, stops);
    let (tour, indicator) = (wall.tour.clone(), wall.indicator);
    let view = wall.view(doc, now);
    egui::CentralPanel::default()
        .frame(Frame::NONE.fill(BACKGROUND))
        .show(ui, |ui| {
            wall_ui(
                ui,
                &WallFrame {
                    view,
                    tour: &tour,
                    indicator,
                    time_s,
                },
            );
        });
}

/// Shows the wall's viewport for this frame (when it is open).
pub fn show_wall(ctx: &egui::Context, wall: &mut WallSession, doc: &Document, now: Timestamp) {
    if !wall.open {
        return;
    }
    let mut builder = ViewportBuilder::default()
        .with_title("GridAtlas 大屏")
        .with_inner_size([1280.0, 720.0]);
    if let Some(m) = wall.monitor {
        builder = builder.with_monitor(m);
    }
    let id = ViewportId::from_hash_of("gridatlas-wall");
    ctx.show_viewport_immediate(id, builder, |ui, _class| {
        wall_frame_ui(ui, wall, doc, now);
        if ui.input(|i| i.key_pressed(egui::Key::F11)) {
            let full = ui.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ui.send_viewport_cmd(ViewportCommand::Fullscreen(!full));
        }
        if ui.input(|i| i.viewport().close_requested()) {
            wall.open = false;
        }
        // Pulses and the tour move on their own: about 30 frames a second.
        ui.request_repaint_after(std::time::Duration::from_millis(33));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    #[test]
    fn a_pushed_household_goes_to_the_wall_as_its_micro_grid() {
        let d = crate::demo::generate(
            &crate::demo::DemoParams {
                scale: crate::demo::Scale::Township,
                seed: 1,
                as_of: Timestamp::parse("2026-11-01").unwrap_or(Timestamp(0)),
                cases: None,
            },
            &|_, _| {},
        )
        .expect("demo");
        let doc = Document::new(std::path::PathBuf::from("t.gpkg"), d);
        let mut wall = WallSession::default();
        let now = doc.dataset.meta.as_of;
        assert!(wall.push(&doc, Some(Selection::Household(0)), None, now));
        let micro = doc.dataset.households[0].unit.expect("assigned");
        let view = wall.view(&doc, now);
        let pushed = &view.focus_units[0];
        let unit = doc
            .dataset
            .units
            .iter()
            .find(|u| u.id == micro)
            .expect("unit");
        assert_eq!(
            (pushed.code.as_str(), unit.level),
            (unit.code.as_str(), Level::MicroGrid)
        );
        assert_eq!(
            pushed.tiles.households,
            doc.stats.get(micro).map_or(0, |t| t.households)
        );
    }
}
