//! Case density as a heatmap: the cases shown (after the list's filter, at the slider's day) are
//! binned into screen cells, smoothed, coloured and drawn as one texture — one textured quad
//! whatever the number of cases, instead of a shape per case.
//!
//! Written here rather than taken from a crate: the plotting crates draw heatmaps of a given
//! matrix as one rectangle per cell (egui_plot's `Heatmap`), which is the per-shape cost this
//! layer exists to avoid.

use egui::{Color32, ColorImage, TextureHandle, TextureOptions, Ui};
use walkers::{MapMemory, Plugin, Projector};

use crate::cases::CaseState;
use crate::index::SpatialIndex;
use crate::map::{LocalToScreen, ScreenTransform};
use crate::model::Dataset;

/// Cell size in points.
const CELL: f32 = 6.0;
/// Box-blur radius in cells; three passes approximate a Gaussian.
const RADIUS: usize = 3;

pub struct HeatmapLayer<'a> {
    pub index: &'a SpatialIndex,
    pub states: &'a [CaseState],
    /// The open and overdue cases: walked instead of the index when closed ones are not shown.
    pub open: &'a [usize],
    /// Where the open cases are (the index has only their metres).
    pub dataset: &'a Dataset,
    pub show_closed: bool,
    /// Kept between frames so the texture is updated in place, not re-allocated.
    pub texture: &'a mut Option<TextureHandle>,
}

/// Counts per cell → smoothed density, as an RGBA image (transparent where nothing is).
pub fn density_image(w: usize, h: usize, counts: &[f32]) -> ColorImage {
    let mut a = counts.to_vec();
    let mut b = vec![0.0f32; a.len()];
    for _ in 0..3 {
        blur_rows(&a, &mut b, w, h);
        blur_cols(&b, &mut a, w, h);
    }
    let max = a.iter().copied().fold(0.0f32, f32::max);
    let pixels = a
        .iter()
        .map(|&v| {
            if max <= 0.0 || v <= max * 0.02 {
                return Color32::TRANSPARENT;
            }
            ramp((v / max).sqrt())
        })
        .collect();
    ColorImage::new([w, h], pixels)
}

/// Yellow → orange → red, more opaque where denser.
fn ramp(t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let (r, g, b) = if t < 0.5 {
        let u = t / 0.5;
        (255.0, 237.0 - 90.0 * u, 160.0 - 120.0 * u)
    } else {
        let u = (t - 0.5) / 0.5;
        (255.0 - 50.0 * u, 147.0 - 140.0 * u, 40.0 - 10.0 * u)
    };
    let alpha = 70.0 + 150.0 * t;
    Color32::from_rgba_unmultiplied(r as u8, g as u8, b as u8, alpha as u8)
}

fn blur_rows(src: &[f32], dst: &mut [f32], w: usize, h: usize) {
    let norm = 1.0 / (2 * RADIUS + 1) as f32;
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let mut sum: f32 = row[..RADIUS.min(w)].iter().sum();
        for x in 0..w {
            if x + RADIUS < w {
                sum += row[x + RADIUS];
            }
            if x > RADIUS {
                sum -= row[x - RADIUS - 1];
            }
            dst[y * w + x] = sum * norm;
        }
    }
}

fn blur_cols(src: &[f32], dst: &mut [f32], w: usize, h: usize) {
    let norm = 1.0 / (2 * RADIUS + 1) as f32;
    for x in 0..w {
        let mut sum: f32 = (0..RADIUS.min(h)).map(|y| src[y * w + x]).sum();
        for y in 0..h {
            if y + RADIUS < h {
                sum += src[(y + RADIUS) * w + x];
            }
            if y > RADIUS {
                sum -= src[(y - RADIUS - 1) * w + x];
            }
            dst[y * w + x] = sum * norm;
        }
    }
}

impl Plugin for HeatmapLayer<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &egui::Response,
        projector: &Projector,
        _memory: &MapMemory,
    ) {
        let t = ScreenTransform::new(projector);
        let rect = projector.clip_rect();
        let (w, h) = (
            (rect.width() / CELL).ceil().max(1.0) as usize,
            (rect.height() / CELL).ceil().max(1.0) as usize,
        );
        // Cases a blur radius beyond the edges still warm the edge cells.
        let margin = CELL * RADIUS as f32 * 3.0;
        let outer = rect.expand(margin);
        let (a, b) = (
            t.to_lon_lat(outer.left_bottom()),
            t.to_lon_lat(outer.right_top()),
        );
        let mut counts = vec![0.0f32; w * h];
        let to_screen = LocalToScreen::new(&self.index.frame, &t);
        let mut count = |i: usize, m: [f64; 2]| {
            match self.states.get(i) {
                Some(CaseState::Open | CaseState::Overdue) => {}
                Some(CaseState::Closed) if self.show_closed => {}
                _ => return,
            }
            let p = to_screen.to_screen(m) - rect.min;
            let (x, y) = ((p.x / CELL).floor(), (p.y / CELL).floor());
            if x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h {
                counts[y as usize * w + x as usize] += 1.0;
            }
        };
        if self.show_closed {
            self.index.for_each_case_in_box(a, b, count);
        } else {
            // Off-screen ones fall outside the cells.
            for &i in self.open {
                let m = self.index.frame.forward(self.dataset.cases[i].location.0);
                count(i, [m.x, m.y]);
            }
        }
        let image = density_image(w, h, &counts);
        let texture = match self.texture.as_mut() {
            Some(tex) if tex.size() == [w, h] => {
                tex.set(image, TextureOptions::LINEAR);
                tex
            }
            _ => self.texture.insert(ui.ctx().load_texture(
                "case-heatmap",
                image,
                TextureOptions::LINEAR,
            )),
        };
        let size = egui::vec2(w as f32 * CELL, h as f32 * CELL);
        ui.painter().with_clip_rect(rect).image(
            texture.id(),
            egui::Rect::from_min_size(rect.min, size),
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            Color32::WHITE,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_peaks_where_cases_are_and_is_clear_elsewhere() {
        let (w, h) = (40, 30);
        let mut counts = vec![0.0; w * h];
        counts[10 * w + 10] = 5.0;
        counts[10 * w + 11] = 3.0;
        let img = density_image(w, h, &counts);
        let alpha = |x: usize, y: usize| img.pixels[y * w + x].a();
        assert!(alpha(10, 10) > alpha(14, 10), "denser at the cases");
        assert_eq!(alpha(35, 25), 0, "transparent far away");
        let empty = density_image(w, h, &vec![0.0; w * h]);
        assert!(empty.pixels.iter().all(|p| p.a() == 0));
    }
}
