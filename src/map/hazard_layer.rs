//! Draws the hazard zone being drawn or finished, and the households inside it.

use egui::{Color32, Shape, Stroke, Ui};
use geo_types::Coord;
use walkers::{MapMemory, Plugin, Projector};

use crate::index::Area;
use crate::map::{ScreenTransform, lon_lat_to_mercator};

pub struct HazardLayer<'a> {
    pub vertices: &'a [Coord<f64>],
    pub circle_centre: Option<Coord<f64>>,
    pub zone: Option<&'a Area>,
    /// Where the pointer is (lon, lat), to preview the next corner or the radius.
    pub pointer: Option<Coord<f64>>,
    /// Households inside the finished zone (lon, lat).
    pub inside: Vec<Coord<f64>>,
}

const LINE: Color32 = Color32::from_rgb(200, 30, 30);

impl Plugin for HazardLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let t = ScreenTransform::new(projector);
        let painter = ui.painter().with_clip_rect(projector.clip_rect());
        let screen = |c: Coord<f64>| t.to_screen(lon_lat_to_mercator(c.x, c.y));
        let stroke = Stroke::new(2.5, LINE);
        match self.zone {
            Some(Area::Polygon(p)) => {
                let points: Vec<_> = p.exterior().0.iter().map(|c| screen(*c)).collect();
                painter.add(Shape::closed_line(points, stroke));
            }
            Some(Area::Circle { centre, radius_m }) => {
                let r = (*radius_m * t.points_per_metre()) as f32;
                painter.circle(
                    screen(*centre),
                    r,
                    Color32::from_rgba_unmultiplied(200, 30, 30, 30),
                    stroke,
                );
            }
            None => {
                let mut points: Vec<_> = self.vertices.iter().map(|c| screen(*c)).collect();
                for p in &points {
                    painter.circle_filled(*p, 4.0, LINE);
                }
                if let Some(pointer) = self.pointer {
                    points.push(screen(pointer));
                }
                if points.len() >= 2 {
                    painter.add(Shape::line(points, Stroke::new(2.0, LINE)));
                }
                if let (Some(centre), Some(pointer)) = (self.circle_centre, self.pointer) {
                    let (c, p) = (screen(centre), screen(pointer));
                    painter.circle_filled(c, 4.0, LINE);
                    painter.circle_stroke(c, (p - c).length(), Stroke::new(2.0, LINE));
                }
            }
        }
        for c in &self.inside {
            painter.circle_filled(screen(*c), 2.5, Color32::from_rgb(230, 120, 0));
        }
    }
}
