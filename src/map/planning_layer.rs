//! What boundary editing draws over the map: the vertices that can be dragged, the units a
//! drag moves (filled by their live deviation from the standard, with their live household
//! count), the split line being drawn, the units picked for a merge, the households picked for
//! painting, a selection box, and the spot of the last refused edit.

use std::collections::HashMap;

use egui::{Align2, Color32, FontId, Shape, Stroke, Ui};
use geo::TriangulateEarcut;
use geo_types::Coord;
use walkers::{MapMemory, Plugin, Projector};

use crate::index::SpatialIndex;
use crate::map::{ScreenTransform, lon_lat_to_mercator};
use crate::model::{Dataset, Level, UnitId};
use crate::stats::GridStandard;

/// Above this many vertices in view, they are not drawn (zoom in to edit).
const MAX_VERTICES: usize = 6000;

pub struct PlanningLayer<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a SpatialIndex,
    pub level: Level,
    pub hover: Option<Coord<f64>>,
    pub hover_edge: Option<(Coord<f64>, Coord<f64>)>,
    /// Units a drag in progress moves, with their live household counts.
    pub moving: &'a [UnitId],
    pub live_counts: &'a HashMap<UnitId, LiveCount>,
    pub line: &'a [Coord<f64>],
    /// Draw `line` closed (an outline being drawn, a lasso) rather than open (a split line).
    pub closed: bool,
    pub merge: &'a [UnitId],
    pub painted: &'a [usize],
    /// Households the open plan moves to another unit (the comparison's highlight).
    pub changed_households: &'a [usize],
    pub refusal_at: Option<Coord<f64>>,
    pub selection_box: Option<egui::Rect>,
}

/// A unit's households and persons as a drag would leave them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveCount {
    pub households: u32,
    pub persons: u32,
}

/// Green within the standard's tolerance (households and persons), blue below it, red above.
pub fn balance_color(level: Level, households: u32, persons: u32) -> Color32 {
    match GridStandard::for_level(level) {
        Some(s) => {
            let dev = s.deviation(households, persons);
            let rel = if dev.households_rel.abs() >= dev.persons_rel.abs() {
                dev.households_rel
            } else {
                dev.persons_rel
            };
            if dev.within {
                Color32::from_rgb(90, 170, 90)
            } else if rel < 0.0 {
                Color32::from_rgb(70, 120, 200)
            } else {
                Color32::from_rgb(210, 70, 50)
            }
        }
        None => Color32::from_rgb(160, 160, 160),
    }
}

impl Plugin for PlanningLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let t = ScreenTransform::new(projector);
        let rect = projector.clip_rect();
        let painter = ui.painter().with_clip_rect(rect);
        let at = |c: Coord<f64>| t.to_screen(lon_lat_to_mercator(c.x, c.y));
        let slot = |id: UnitId| self.dataset.units.binary_search_by_key(&id, |u| u.id).ok();
        let fill_unit = |i: usize, color: Color32, stroke: Stroke| {
            let u = &self.dataset.units[i];
            for poly in &u.geometry.0 {
                let tri = poly.earcut_triangles_raw();
                let vertices: Vec<egui::Pos2> = tri
                    .vertices
                    .iter()
                    .map(|v| at(Coord { x: v[0], y: v[1] }))
                    .collect();
                let mut mesh = egui::Mesh::default();
                for p in &vertices {
                    mesh.colored_vertex(*p, color);
                }
                mesh.indices = tri.triangle_indices.iter().map(|&i| i as u32).collect();
                painter.add(Shape::mesh(mesh));
                let ring: Vec<egui::Pos2> = poly.exterior().0.iter().map(|c| at(*c)).collect();
                painter.add(Shape::line(ring, stroke));
            }
        };
        // Units picked for a merge.
        for id in self.merge {
            if let Some(i) = slot(*id) {
                fill_unit(
                    i,
                    Color32::from_rgba_unmultiplied(255, 190, 0, 70),
                    Stroke::new(2.5, Color32::from_rgb(230, 150, 0)),
                );
            }
        }
        // Units a drag moves, by their live balance.
        let font = FontId::proportional(12.0);
        for id in self.moving {
            let Some(i) = slot(*id) else { continue };
            let u = &self.dataset.units[i];
            let n = self.live_counts.get(id).copied().unwrap_or_default();
            let thick = if u.level == self.level { 3.0 } else { 1.2 };
            let color = balance_color(u.level, n.households, n.persons);
            let fill = if u.level == self.level {
                color.gamma_multiply(0.35)
            } else {
                Color32::TRANSPARENT
            };
            fill_unit(i, fill, Stroke::new(thick, color));
            if u.level == self.level
                && let Some(c) = geo::InteriorPoint::interior_point(&u.geometry)
            {
                painter.text(
                    at(c.0),
                    Align2::CENTER_CENTER,
                    format!("{}户 {}人", n.households, n.persons),
                    font.clone(),
                    Color32::BLACK,
                );
            }
        }
        // Draggable vertices.
        let (a, b) = (
            t.to_lon_lat(rect.left_bottom()),
            t.to_lon_lat(rect.right_top()),
        );
        let mut vertices: Vec<Coord<f64>> = Vec::new();
        for u in self.index.units_in_box(self.level, a, b) {
            for poly in &self.dataset.units[u].geometry.0 {
                vertices.extend(poly.exterior().0.iter().skip(1).copied());
            }
            if vertices.len() > MAX_VERTICES {
                break;
            }
        }
        if vertices.len() <= MAX_VERTICES {
            for v in vertices {
                let p = at(v);
                if rect.contains(p) {
                    painter.rect(
                        egui::Rect::from_center_size(p, egui::vec2(5.0, 5.0)),
                        0.0,
                        Color32::WHITE,
                        Stroke::new(1.0, Color32::from_gray(60)),
                        egui::StrokeKind::Middle,
                    );
                }
            }
        }
        if let Some((a, b)) = self.hover_edge {
            painter.line_segment(
                [at(a), at(b)],
                Stroke::new(4.0, Color32::from_rgb(230, 120, 0)),
            );
        }
        if let Some(h) = self.hover {
            painter.circle_stroke(at(h), 7.0, Stroke::new(2.5, Color32::from_rgb(230, 120, 0)));
        }
        // The split line.
        if !self.line.is_empty() {
            let mut pts: Vec<egui::Pos2> = self.line.iter().map(|c| at(*c)).collect();
            if self.closed && pts.len() > 2 {
                pts.push(pts[0]);
            }
            painter.add(Shape::line(
                pts.clone(),
                Stroke::new(2.5, Color32::from_rgb(200, 30, 120)),
            ));
            for p in pts {
                painter.circle_filled(p, 4.0, Color32::from_rgb(200, 30, 120));
            }
        }
        for &h in self.changed_households {
            let p = at(self.dataset.households[h].location.0);
            painter.circle_stroke(p, 6.0, Stroke::new(2.0, Color32::from_rgb(150, 40, 200)));
        }
        for &h in self.painted {
            let p = at(self.dataset.households[h].location.0);
            painter.circle(
                p,
                5.0,
                Color32::from_rgb(255, 150, 0),
                Stroke::new(1.5, Color32::BLACK),
            );
        }
        if let Some(r) = self.selection_box {
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(1.5, Color32::from_rgb(255, 150, 0)),
                egui::StrokeKind::Middle,
            );
        }
        if let Some(c) = self.refusal_at {
            painter.circle_stroke(
                at(c),
                14.0,
                Stroke::new(3.0, Color32::from_rgb(220, 20, 20)),
            );
        }
    }
}
