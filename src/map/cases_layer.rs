//! Cases on the map ("问题挂图销号": the map is the ledger). Pins coloured by status: open blue,
//! overdue red and larger (visibly urgent), closed small grey (struck off), rejected hidden.
//! When pins would crowd (many in view), they are gathered into screen-space clusters drawn as
//! one circle with the count, red when any case in it is overdue.

use egui::{Align2, Color32, FontId, Stroke, Ui};
use walkers::{MapMemory, Plugin, Projector};

use crate::cases::CaseState;
use crate::index::SpatialIndex;
use crate::map::{LocalToScreen, ScreenTransform, lon_lat_to_mercator};
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

/// The cluster cells covering a view: squares of [`CELL`] points counted from the world's
/// corner, so that the same cases share a cell wherever the view is.
struct ClusterCells {
    /// The first cell's top-left corner on screen.
    first: egui::Pos2,
    columns: usize,
    rows: usize,
}

impl ClusterCells {
    fn over(t: &ScreenTransform, rect: egui::Rect) -> ClusterCells {
        // The world's corner on screen, in f64: at street zooms it is 10⁸ points away.
        let corner = t.to_screen_f64([0.0, 0.0]);
        let cell = CELL as f64;
        let first_x = ((rect.min.x as f64 - corner[0]) / cell).floor() * cell + corner[0];
        let first_y = ((rect.min.y as f64 - corner[1]) / cell).floor() * cell + corner[1];
        ClusterCells {
            first: egui::pos2(first_x as f32, first_y as f32),
            columns: ((rect.max.x - first_x as f32) / CELL).ceil().max(1.0) as usize,
            rows: ((rect.max.y - first_y as f32) / CELL).ceil().max(1.0) as usize,
        }
    }

    fn len(&self) -> usize {
        self.columns * self.rows
    }

    /// The cell of a screen point, if it is in view.
    fn of(&self, p: egui::Pos2) -> Option<usize> {
        let (x, y) = ((p - self.first) / CELL).into();
        (x >= 0.0 && y >= 0.0 && (x as usize) < self.columns && (y as usize) < self.rows)
            .then(|| y as usize * self.columns + x as usize)
    }
}

pub struct CasesLayer<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a SpatialIndex,
    /// Per case, its state at the view time after the list's filter (the case desk's).
    pub states: &'a [CaseState],
    /// The cases whose state is open or overdue: walked instead of the index when closed
    /// cases are not shown (they are most of a year's cases).
    pub open: &'a [usize],
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
        let painter = ui.painter().with_clip_rect(rect);
        let at = |i: usize| {
            let c = &self.dataset.cases[i];
            t.to_screen(lon_lat_to_mercator(c.location.x(), c.location.y()))
        };
        // One pass over the cases in view bins them into cells anchored to the world (not the
        // screen, so a cluster keeps its members while the map pans), and keeps them as pins
        // too until there are more than pins can show.
        let to_screen = LocalToScreen::new(&self.index.frame, &t);
        let cells = ClusterCells::over(&t, rect);
        let mut bins = vec![(0u32, false, egui::Vec2::ZERO); cells.len()];
        let mut pins: Vec<(usize, Color32, f32)> = Vec::new();
        let mut shown = 0usize;
        let mut take = |i: usize, m: [f64; 2]| {
            let Some((color, r)) = self
                .states
                .get(i)
                .and_then(|s| pin_style(*s, self.show_closed))
            else {
                return;
            };
            shown += 1;
            if shown <= CLUSTER_ABOVE {
                pins.push((i, color, r));
            }
            let p = to_screen.to_screen(m);
            if let Some(k) = cells.of(p) {
                let e = &mut bins[k];
                e.0 += 1;
                e.1 |= color == OVERDUE;
                e.2 += p.to_vec2();
            }
        };
        if self.show_closed {
            self.index.for_each_case_in_box(a, b, take);
        } else {
            let (lo, hi) = (self.index.frame.forward(a), self.index.frame.forward(b));
            for &i in self.open {
                let m = self.index.frame.forward(self.dataset.cases[i].location.0);
                if m.x >= lo.x && m.x <= hi.x && m.y >= lo.y && m.y <= hi.y {
                    take(i, [m.x, m.y]);
                }
            }
        }
        if shown > CLUSTER_ABOVE {
            let font = FontId::proportional(11.0);
            for &(n, overdue, sum) in bins.iter().filter(|b| b.0 > 0) {
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
            let mut order = pins;
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
