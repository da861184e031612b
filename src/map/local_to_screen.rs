//! Points of the spatial index (its local metres) straight to the screen, for layers that draw
//! or bin hundreds of thousands of points a frame (households, case clusters, the heatmap).
//!
//! The exact way — metres → lon/lat → Web Mercator → screen — costs a `tan` and an `asinh` per
//! point, which at 200,000 cases in view is most of a 4K frame. Both frames are affine in
//! longitude, so x is exact; in latitude Mercator is smooth, so y is its Taylor series to the
//! third order around the view's centre. The error is y''''Δφ⁴/24 of the world: at a whole
//! prefecture city in a 4K window (Δφ ≈ 1°) about 0.001 px, at 10° still under a pixel.

use egui::Pos2;
use geo_types::Coord;

use crate::geom::LocalMetres;
use crate::map::{ScreenTransform, lon_lat_to_mercator};

/// Index metres → screen points for one frame.
#[derive(Clone, Copy)]
pub struct LocalToScreen {
    /// screen x = x0 + kx · metres east.
    x0: f64,
    kx: f64,
    /// Latitude (radians) = lat_a + lat_b · metres north.
    lat_a: f64,
    lat_b: f64,
    /// The view centre's latitude (radians) and screen y.
    lat_c: f64,
    y_c: f64,
    /// Screen points per radian of Mercator y: world pixels / 2π, y down.
    k_y: f64,
    /// sec φc, sec φc·tan φc / 2, sec φc·(2 tan² φc + 1) / 6: the series' coefficients.
    c1: f64,
    c2: f64,
    c3: f64,
}

impl LocalToScreen {
    pub fn new(frame: &LocalMetres, t: &ScreenTransform) -> LocalToScreen {
        // The frame is affine: read its coefficients off three points.
        let o = frame.inverse(Coord { x: 0.0, y: 0.0 });
        let e = frame.inverse(Coord { x: 1.0, y: 0.0 });
        let n = frame.inverse(Coord { x: 0.0, y: 1.0 });
        let scale = t.scale();
        let at_lon0 = t.to_screen(lon_lat_to_mercator(o.x, 0.0)).x as f64;
        let kx = (e.x - o.x) / 360.0 * scale;
        let centre = t.centre_lon_lat();
        let lat_c = centre.y.to_radians();
        let (sec, tan) = (1.0 / lat_c.cos(), lat_c.tan());
        LocalToScreen {
            x0: at_lon0,
            kx,
            lat_a: o.y.to_radians(),
            lat_b: (n.y - o.y).to_radians(),
            lat_c,
            y_c: t.to_screen(lon_lat_to_mercator(centre.x, centre.y)).y as f64,
            k_y: scale / (2.0 * std::f64::consts::PI),
            c1: sec,
            c2: sec * tan / 2.0,
            c3: sec * (2.0 * tan * tan + 1.0) / 6.0,
        }
    }

    pub fn to_screen(&self, [x, y]: [f64; 2]) -> Pos2 {
        let d = self.lat_a + self.lat_b * y - self.lat_c;
        let merc = d * (self.c1 + d * (self.c2 + d * self.c3));
        Pos2::new(
            (self.x0 + self.kx * x) as f32,
            (self.y_c - self.k_y * merc) as f32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the exact path over a whole city in a 4K window and at a street.
    #[test]
    fn agrees_with_the_exact_projection_to_a_hundredth_of_a_point() {
        let frame = LocalMetres::new(113.4, 28.2);
        for (zoom, span_deg) in [(8.5, 1.5), (10.5, 0.6), (17.0, 0.01)] {
            let t = ScreenTransform::at(
                (113.6, 28.3),
                zoom,
                egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(3840.0, 2160.0)),
            );
            let fast = LocalToScreen::new(&frame, &t);
            for i in 0..=20 {
                for j in 0..=20 {
                    let lon = 113.6 + span_deg * (i as f64 / 10.0 - 1.0);
                    let lat = 28.3 + span_deg * (j as f64 / 10.0 - 1.0) / 2.0;
                    let exact = t.to_screen(lon_lat_to_mercator(lon, lat));
                    let m = frame.forward(Coord { x: lon, y: lat });
                    let p = fast.to_screen([m.x, m.y]);
                    assert!(
                        (p - exact).length() < 0.01,
                        "zoom {zoom} at {lon},{lat}: {p:?} vs {exact:?}"
                    );
                }
            }
        }
    }
}
