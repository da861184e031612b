//! Cases on the map ("问题挂图销号": the map is the ledger). Pins coloured by status: open blue,
//! overdue red and larger (visibly urgent), closed small grey (struck off), rejected hidden.
//! When pins would crowd (many in view), they are gathered into screen-space clusters drawn as
//! one circle with the count, red when any case in it is overdue.

use std::collections::HashMap;

use egui::{Align2, Color32, FontId, Stroke, Ui};
use walkers::{MapMemory, Plugin, Projector};

use crate::cases::CaseState;
use crate::index::SpatialIndex;
use crate::map::{ScreenTransform, lon_lat_to_mercator};
use crate::model::Dataset;

/// Above this many cases in view, pins are clustered.
const CLUSTER_ABOVE: usize = 400;
/// Cluster cell size in points.
const CELL: f32 = 48.0;

pub const OPEN: Color32 = Color32::from_rgb(30, 100, 210);
pub const OVERDUE: Color32 = Color32::from_rgb(215, 30, 30);
pub const CLOSED: Color32 = Color32::from_rgb(150, 150, 150);

/// How a case in `state` looks on the map, or `None` when it is not shown.
pub fn pin_style(state: CaseState, show_closed: bool) -> Option<(Color32, f32)> {
    match state {
        CaseState::Absent => None,
        CaseState::Closed if !show_closed => None,
        CaseState::Closed => Some((CLOSED, 3.0)),
        CaseState::Overdue => Some((OVERDUE, 6.5)),
        CaseState::Open => Some((OPEN, 5.0)),
    }
}

pub struct CasesLayer<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a SpatialIndex,
    /// Per case, its state at the view time after the list's filter (the case desk's).
    pub states: &'a [CaseState],
    /// Show closed cases too (struck off, grey).
    pub show_closed: bool,
    pub selected: Option<usize>,
    pub visible: bool,
}

impl Plugin for CasesLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        if !self.visible {
            return;
        }
        let t = ScreenTransform::new(projector);
        let rect = projector.clip_rect();
        let (a, b) = (
            t.to_lon_lat(rect.left_bottom()),
            t.to_lon_lat(rect.right_top()),
        );
        let visible: Vec<(usize, Color32, f32)> = self
            .index
            .cases_in_box(a, b)
            .into_iter()
            .filter_map(|i| {
                let state = self.states.get(i).copied()?;
                pin_style(state, self.show_closed).map(|(color, r)| (i, color, r))
            })
            .collect();
        let painter = ui.painter().with_clip_rect(rect);
        let at = |i: usize| {
            let c = &self.dataset.cases[i];
            t.to_screen(lon_lat_to_mercator(c.location.x(), c.location.y()))
        };
        if visible.len() > CLUSTER_ABOVE {
            // (cell) -> (count, any overdue, sum of positions)
            let mut cells: HashMap<(i32, i32), (u32, bool, egui::Vec2)> = HashMap::new();
            for &(i, color, _) in &visible {
                let p = at(i);
                let key = ((p.x / CELL).floor() as i32, (p.y / CELL).floor() as i32);
                let e = cells.entry(key).or_insert((0, false, egui::Vec2::ZERO));
                e.0 += 1;
                e.1 |= color == OVERDUE;
                e.2 += p.to_vec2();
            }
            let font = FontId::proportional(11.0);
            for (n, overdue, sum) in cells.into_values() {
                let centre = (sum / n as f32).to_pos2();
                let r = 8.0 + (n as f32).sqrt().min(14.0);
                let fill = if overdue { OVERDUE } else { OPEN };
                painter.circle(
                    centre,
                    r,
                    fill.gamma_multiply(0.85),
                    Stroke::new(1.5, Color32::WHITE),
                );
                painter.text(
                    centre,
                    Align2::CENTER_CENTER,
                    n.to_string(),
                    font.clone(),
                    Color32::WHITE,
                );
            }
        } else {
            // Closed first, open above, overdue on top.
            let mut order = visible;
            order.sort_by_key(|(_, color, _)| {
                if *color == CLOSED {
                    0
                } else if *color == OPEN {
                    1
                } else {
                    2
                }
            });
            for (i, color, r) in order {
                let p = at(i);
                painter.circle(p, r, color, Stroke::new(1.0, Color32::WHITE));
                if color == CLOSED {
                    // Struck off.
                    painter.line_segment(
                        [p + egui::vec2(-r, r), p + egui::vec2(r, -r)],
                        Stroke::new(1.0, Color32::from_gray(80)),
                    );
                }
            }
        }
        if let Some(i) = self.selected {
            painter.circle_stroke(
                at(i),
                10.0,
                Stroke::new(2.5, Color32::from_rgb(255, 190, 0)),
            );
        }
    }
}
