//! Household points when zoomed in, queried from the R-tree for the viewport only and drawn as
//! one mesh of small squares coloured by tag. At lower zooms the map shows per-unit counts (in
//! labels and the choropleth) instead of hundreds of thousands of dots.

use egui::{Color32, Mesh, Shape, Ui, epaint::Vertex, vec2};
use walkers::{MapMemory, Plugin, Projector};

use crate::index::SpatialIndex;
use crate::map::{LocalToScreen, ScreenTransform, lon_lat_to_mercator};
use crate::model::{Dataset, Household, Tag, TagSet};

/// Zoom at which household points are fully shown (they fade in over the 0.6 before).
pub const HOUSEHOLDS_ZOOM: f64 = 15.5;
/// Beyond about this many in view, points are thinned to keep the frame budget: the index
/// hands over an even sample, the same households while the map pans.
const MAX_POINTS: usize = 40_000;

pub fn household_color(h: &Household) -> Color32 {
    tags_color(h.tags)
}

/// A household's dot colour by its tags: special populations, then the vulnerable, then party
/// members, then everyone else.
pub fn tags_color(tags: TagSet) -> Color32 {
    if tags.iter().any(Tag::is_special) {
        Color32::from_rgb(200, 30, 30)
    } else if tags.iter().any(Tag::is_vulnerable) {
        Color32::from_rgb(235, 130, 0)
    } else if tags.contains(Tag::PartyMember) {
        Color32::from_rgb(200, 0, 120)
    } else {
        Color32::from_rgb(70, 70, 90)
    }
}

pub struct HouseholdsLayer<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a SpatialIndex,
    pub selected: Option<usize>,
}

impl Plugin for HouseholdsLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let alpha = ((projector.zoom() - (HOUSEHOLDS_ZOOM - 0.6)) / 0.6).clamp(0.0, 1.0) as f32;
        if alpha <= 0.0 {
            return;
        }
        let t = ScreenTransform::new(projector);
        let rect = projector.clip_rect();
        let (a, b) = (
            t.to_lon_lat(rect.left_bottom()),
            t.to_lon_lat(rect.right_top()),
        );
        let to_screen = LocalToScreen::new(&self.index.frame, &t);
        let half = if projector.zoom() > 17.0 { 3.5 } else { 2.5 };
        let mut mesh = Mesh::default();
        // The index keeps the sample to about MAX_POINTS (one in a whole step, so a little more).
        let expected = self
            .index
            .households_about_in_box(a, b)
            .min(MAX_POINTS + MAX_POINTS / 4);
        mesh.vertices.reserve(expected * 4);
        mesh.indices.reserve(expected * 6);
        self.index
            .for_each_household_in_box(a, b, MAX_POINTS, |_, m, tags| {
                let p = to_screen.to_screen(m);
                let color = tags_color(tags).gamma_multiply(alpha);
                let base = mesh.vertices.len() as u32;
                for d in [
                    vec2(-half, -half),
                    vec2(half, -half),
                    vec2(half, half),
                    vec2(-half, half),
                ] {
                    mesh.vertices.push(Vertex {
                        pos: p + d,
                        uv: egui::epaint::WHITE_UV,
                        color,
                    });
                }
                mesh.indices
                    .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
            });
        let painter = ui.painter().with_clip_rect(rect);
        painter.add(Shape::mesh(mesh));
        if let Some(i) = self.selected {
            let h = &self.dataset.households[i];
            let p = t.to_screen(lon_lat_to_mercator(h.location.x(), h.location.y()));
            painter.circle_stroke(
                p,
                7.0,
                egui::Stroke::new(2.5, Color32::from_rgb(255, 190, 0)),
            );
        }
    }
}
