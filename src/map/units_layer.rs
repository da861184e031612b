//! Draws the units on the walkers map: each level fades in as the zoom reaches it (townships
//! when the county fills the screen, then villages, grids, micro-grids) instead of popping; the
//! choropleth fills; outlines with shared borders drawn once, culled to the viewport and
//! decimated to the pixel; and names (with household counts) placed without overlap.

use egui::epaint::{PathStroke, Vertex};
use egui::{Color32, FontId, Mesh, Pos2, Rect, Shape, Ui, vec2};
use walkers::{MapMemory, Plugin, Projector};

use crate::map::{Choropleth, LabelPlacer, LevelGeometry, MapGeometry, ScreenTransform, UnitGeom};
use crate::model::{Dataset, Level, UnitId};
use crate::stats::Stats;

/// The zoom at which a level is fully shown; it fades in over the [`FADE`] zoom before it.
pub fn level_zoom(level: Level) -> f64 {
    match level {
        Level::County | Level::Township => 0.0,
        Level::Village => 10.5,
        Level::Grid => 12.5,
        Level::MicroGrid => 14.5,
    }
}

/// Zoom range over which a level fades in.
pub const FADE: f64 = 0.6;

/// How visible a level is at a zoom, 0–1.
pub fn level_alpha(level: Level, zoom: f64) -> f32 {
    ((zoom - (level_zoom(level) - FADE)) / FADE).clamp(0.0, 1.0) as f32
}

/// The finest level shown at a zoom.
pub fn level_for_zoom(zoom: f64) -> Level {
    Level::ALL
        .into_iter()
        .rev()
        .find(|l| level_alpha(*l, zoom) >= 0.5)
        .unwrap_or(Level::Township)
}

pub struct UnitsLayer<'a> {
    pub geometry: &'a MapGeometry,
    /// The units' outlines, for a label's place the first time it is drawn.
    pub dataset: &'a Dataset,
    pub stats: &'a Stats,
    pub choropleth: Option<&'a Choropleth>,
    pub selected: Option<(Level, UnitId)>,
    pub hovered: Option<(Level, UnitId)>,
    /// Household counts in labels, e.g. 青溪村 1,234户.
    pub households_suffix: &'a str,
}

fn style(level: Level) -> (f32, Color32) {
    match level {
        Level::County => (2.6, Color32::from_rgb(150, 60, 40)),
        Level::Township => (2.0, Color32::from_rgb(90, 80, 150)),
        Level::Village => (1.4, Color32::from_rgb(60, 110, 150)),
        Level::Grid => (1.0, Color32::from_rgb(40, 130, 110)),
        Level::MicroGrid => (0.7, Color32::from_rgb(120, 150, 90)),
    }
}

/// Screen points of a polyline, dropping vertices within half a point of the last kept one.
fn decimated(line: &[[f64; 2]], t: &ScreenTransform, out: &mut Vec<Pos2>) {
    out.clear();
    for (i, &m) in line.iter().enumerate() {
        let p = t.to_screen(m);
        if i + 1 == line.len() || out.last().is_none_or(|q| (p - *q).length_sq() > 0.25) {
            out.push(p);
        }
    }
}

/// Appends one unit's triangles, mapped to the screen, to `mesh`.
fn push_unit(
    g: &LevelGeometry,
    u: &UnitGeom,
    color: Color32,
    t: &ScreenTransform,
    mesh: &mut Mesh,
) {
    let tri = &g.indices[u.tri.0..u.tri.1];
    // A unit's vertices are contiguous: map them by their offset from its first one.
    let Some(&first) = tri.iter().min() else {
        return;
    };
    let last = tri.iter().copied().max().unwrap_or(first);
    let base = mesh.vertices.len() as u32;
    for v in &g.vertices[first as usize..=last as usize] {
        mesh.vertices.push(Vertex {
            pos: t.to_screen(*v),
            uv: egui::epaint::WHITE_UV,
            color,
        });
    }
    mesh.indices.extend(tri.iter().map(|i| base + (i - first)));
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
        let zoom = projector.zoom();

        let mut shapes = Vec::new();
        if let Some(chor) = self.choropleth {
            let g = self.geometry.level(chor.level);
            let mut mesh = Mesh::default();
            for (k, u) in g.units_in(view) {
                if let Some(color) = chor.colors.get(k) {
                    push_unit(g, u, color.gamma_multiply(0.75), &t, &mut mesh);
                }
            }
            shapes.push(Shape::mesh(mesh));
        }
        for (which, color) in [
            (
                self.hovered,
                Color32::from_rgba_unmultiplied(255, 255, 255, 60),
            ),
            (
                self.selected,
                Color32::from_rgba_unmultiplied(255, 200, 0, 70),
            ),
        ] {
            if let Some((level, id)) = which
                && let Some(u) = self.geometry.find(level, id)
            {
                let mut mesh = Mesh::default();
                push_unit(self.geometry.level(level), u, color, &t, &mut mesh);
                shapes.push(Shape::mesh(mesh));
            }
        }

        // Outlines, finer levels first so coarser, thicker ones are on top: stroked here, with
        // egui's own path stroker, into one mesh. As a `Shape::line` each, a city view's
        // thousands of pieces cost an allocation and a shape apiece, and grew the frame's mesh
        // piece by piece; this mesh is handed over whole.
        let pixels_per_point = ui.ctx().pixels_per_point();
        let feathering = ui.ctx().tessellation_options(|o| {
            if o.feathering {
                o.feathering_size_in_pixels / pixels_per_point
            } else {
                0.0
            }
        });
        let mut outlines = Mesh::default();
        let (mut points, mut path) = (Vec::new(), egui::epaint::tessellator::Path::default());
        for level in Level::ALL.into_iter().rev() {
            let alpha = level_alpha(level, zoom);
            if alpha <= 0.0 {
                continue;
            }
            let (width, color) = style(level);
            let stroke = PathStroke::new(width, color.gamma_multiply(alpha));
            let g = self.geometry.level(level);
            for line in g.lines_in(view) {
                decimated(line, &t, &mut points);
                if points.len() >= 2 {
                    path.clear();
                    path.add_open_points(&points);
                    path.stroke_open(feathering, &stroke, &mut outlines);
                }
            }
        }
        shapes.push(Shape::mesh(outlines));
        painter.extend(shapes);

        // Names, with household counts, of the finest level whose units are big enough on screen.
        let label_level = Level::ALL
            .into_iter()
            .rev()
            .find(|l| level_alpha(*l, zoom) >= 0.99 && *l != Level::County)
            .unwrap_or(Level::Township);
        let font = FontId::proportional(if label_level == Level::Township {
            14.0
        } else {
            12.0
        });
        let mut placer = LabelPlacer::new(rect);
        for (_, u) in self.geometry.level(label_level).units_in(view) {
            let at = t.to_screen(u.label_at(self.dataset));
            let (lo, hi) = (
                t.to_screen([u.bbox[0], u.bbox[1]]),
                t.to_screen([u.bbox[2], u.bbox[3]]),
            );
            if !rect.contains(at) || (hi.x - lo.x) < 40.0 || placer.is_taken(at) {
                continue;
            }
            let households = self.stats.get(u.id).map_or(0, |s| s.households);
            let text = format!("{}\n{households}{}", u.name, self.households_suffix);
            let galley = painter.layout(text, font.clone(), Color32::from_gray(25), 200.0);
            let label = Rect::from_center_size(at, galley.size() + vec2(6.0, 2.0));
            if !placer.place(label) {
                continue;
            }
            painter.rect_filled(label, 3.0, Color32::from_white_alpha(180));
            painter.galley(label.min + vec2(3.0, 1.0), galley, Color32::from_gray(25));
        }
    }
}
