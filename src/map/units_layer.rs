//! Draws unit outlines on the walkers map: the level that suits the zoom (townships when the
//! county fills the screen, then villages, grids, micro-grids), its parent level thicker,
//! culled to the viewport and decimated to the pixel, with names placed without overlap.

use egui::{Color32, FontId, Pos2, Rect, Shape, Stroke, Ui, vec2};
use walkers::{MapMemory, Plugin, Projector};

use crate::map::{ScreenTransform, UnitShape, UnitShapes};
use crate::model::Level;

/// The finest level drawn at a zoom.
pub fn level_for_zoom(zoom: f64) -> Level {
    match zoom {
        z if z < 10.5 => Level::Township,
        z if z < 12.5 => Level::Village,
        z if z < 14.5 => Level::Grid,
        _ => Level::MicroGrid,
    }
}

pub struct UnitsLayer<'a> {
    pub shapes: &'a UnitShapes,
}

fn style(level: Level, emphasis: bool) -> Stroke {
    let (width, color) = match level {
        Level::County => (2.5, Color32::from_rgb(150, 60, 40)),
        Level::Township => (1.8, Color32::from_rgb(90, 80, 150)),
        Level::Village => (1.2, Color32::from_rgb(60, 110, 150)),
        Level::Grid => (0.9, Color32::from_rgb(40, 130, 110)),
        Level::MicroGrid => (0.6, Color32::from_rgb(120, 150, 90)),
    };
    Stroke::new(if emphasis { width * 1.6 } else { width }, color)
}

/// Screen points of a ring, dropping vertices closer than half a point to the last kept one.
fn ring_points(ring: &[[f64; 2]], t: &ScreenTransform) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(ring.len());
    for &m in ring {
        let p = t.to_screen(m);
        if out.last().is_none_or(|q| (p - *q).length_sq() > 0.25) {
            out.push(p);
        }
    }
    out
}

fn visible(shape: &UnitShape, view: [f64; 4]) -> bool {
    shape.bbox[0] <= view[2]
        && shape.bbox[2] >= view[0]
        && shape.bbox[1] <= view[3]
        && shape.bbox[3] >= view[1]
}

impl Plugin for UnitsLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let t = ScreenTransform::new(projector);
        let rect = projector.clip_rect();
        let (a, b) = (t.to_mercator(rect.min), t.to_mercator(rect.max));
        let view = [a[0], a[1], b[0], b[1]];
        let painter = ui.painter().with_clip_rect(rect);
        let finest = level_for_zoom(projector.zoom());
        let mut shapes = Vec::new();
        let mut levels = vec![Level::County];
        if let Some(parent) = finest.parent().filter(|p| *p != Level::County) {
            levels.push(parent);
        }
        levels.push(finest);
        // Finer levels first, so that coarser, thicker outlines are drawn on top.
        for &level in levels.iter().rev() {
            let stroke = style(level, level != finest && level != Level::County);
            for shape in self.shapes.level(level).iter().filter(|s| visible(s, view)) {
                for ring in &shape.rings {
                    let points = ring_points(ring, &t);
                    if points.len() >= 3 {
                        shapes.push(Shape::closed_line(points, stroke));
                    }
                }
            }
        }
        painter.extend(shapes);

        // Names of the finest level that still has room, placed without overlap.
        let label_level = if finest == Level::MicroGrid {
            Level::Grid
        } else {
            finest
        };
        let font = FontId::proportional(if label_level == Level::Township {
            15.0
        } else {
            12.0
        });
        let mut placed: Vec<Rect> = Vec::new();
        for shape in self
            .shapes
            .level(label_level)
            .iter()
            .filter(|s| visible(s, view))
        {
            let at = t.to_screen(shape.label_at);
            if !rect.contains(at) {
                continue;
            }
            let galley =
                painter.layout_no_wrap(shape.name.clone(), font.clone(), Color32::from_gray(30));
            let label = Rect::from_center_size(at, galley.size() + vec2(4.0, 2.0));
            if placed.iter().any(|r| r.intersects(label)) {
                continue;
            }
            placed.push(label);
            painter.rect_filled(label, 2.0, Color32::from_white_alpha(170));
            painter.galley(label.min + vec2(2.0, 1.0), galley, Color32::from_gray(30));
        }
    }
}
