//! Draws an import's preview: the outlines it brings, and a ring around every defect (refused)
//! or repair (accepted) so that the eye finds each at any zoom.

use egui::{Color32, Shape, Stroke, Ui};
use geo_types::{Coord, MultiPolygon};
use walkers::{MapMemory, Plugin, Projector};

use crate::map::{ScreenTransform, lon_lat_to_mercator};

pub struct ImportPreviewLayer<I> {
    /// Outlines with their boxes (lon/lat): only those in view and larger than a few pixels
    /// are drawn.
    pub outlines: I,
    pub rings: Vec<Coord<f64>>,
    /// Red for defects (nothing imported), amber for repairs.
    pub defects: bool,
}

const OUTLINE: Color32 = Color32::from_rgb(20, 110, 220);

impl<'a, I> Plugin for ImportPreviewLayer<I>
where
    I: Iterator<Item = (&'a MultiPolygon<f64>, geo_types::Rect<f64>)>,
{
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let t = ScreenTransform::new(projector);
        let painter = ui.painter().with_clip_rect(projector.clip_rect());
        let screen = |c: &Coord<f64>| t.to_screen(lon_lat_to_mercator(c.x, c.y));
        let stroke = Stroke::new(1.2, OUTLINE);
        let clip = projector.clip_rect();
        let (nw, se) = (
            t.to_lon_lat(clip.left_top()),
            t.to_lon_lat(clip.right_bottom()),
        );
        for (mp, b) in self.outlines {
            let (lo, hi) = (screen(&b.min()), screen(&b.max()));
            let visible =
                b.max().x >= nw.x && b.min().x <= se.x && b.max().y >= se.y && b.min().y <= nw.y;
            if !visible || (hi - lo).length() < 3.0 {
                continue;
            }
            for p in &mp.0 {
                let points: Vec<_> = p.exterior().0.iter().map(screen).collect();
                painter.add(Shape::closed_line(points, stroke));
            }
        }
        let colour = if self.defects {
            Color32::from_rgb(220, 20, 20)
        } else {
            Color32::from_rgb(230, 150, 0)
        };
        for c in &self.rings {
            let p = screen(c);
            painter.circle_stroke(p, 14.0, Stroke::new(3.0, colour));
            painter.circle_stroke(p, 22.0, Stroke::new(1.5, colour));
        }
    }
}
