//! `gridatlas bench wall`: the wall's frame time through the real code (the tour's view, its
//! drawing and egui's tessellation), headless, at each stop of the tour: the county, then every
//! township. The view is built before the first timed frame, as the window has it by then.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::app::Document;
use crate::app::bench_frame::percentile_of;
use crate::app::wall_session::{WallSession, wall_frame_ui};
use crate::ui::install_cjk_font;

#[derive(Debug, Serialize)]
pub struct WallStop {
    pub name: String,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Mesh vertices of the stop's frame after tessellation (what was drawn).
    pub vertices: usize,
}

#[derive(Debug, Serialize)]
pub struct WallReport {
    pub size: String,
    pub file: String,
    pub frames_per_stop: usize,
    /// Building the view from the document (after a change of its cases).
    pub view_build_ms: f64,
    pub stops: Vec<WallStop>,
    /// Over every frame of every stop.
    pub p95_ms: f64,
    pub max_ms: f64,
}

pub fn run_wall_bench(
    path: &Path,
    width: f32,
    height: f32,
    frames: usize,
) -> Result<WallReport, String> {
    let dataset = crate::store::load(path).map_err(|e| e.to_string())?;
    let now = dataset.meta.as_of;
    let doc = Document::new(path.to_owned(), dataset);
    let ctx = egui::Context::default();
    install_cjk_font(&ctx);
    let mut wall = WallSession::default();
    wall.open = true;
    wall.tour.paused = true;
    let started = Instant::now();
    let names: Vec<String> = wall
        .view(&doc, now)
        .townships
        .iter()
        .map(|t| format!("{} {}", t.code, t.name))
        .collect();
    let townships = names.len();
    let view_build_ms = started.elapsed().as_secs_f64() * 1e3;
    let size = egui::vec2(width, height);
    let mut clock = 0.0;
    let mut stops = Vec::new();
    let mut all = Vec::new();
    for stop in 0..=townships {
        let name = match stop {
            0 => "county".to_owned(),
            i => format!("township {}", names[i - 1]),
        };
        let mut times = Vec::with_capacity(frames);
        let mut vertices = 0;
        // One frame to lay the stop out (fonts, galleys), then the timed ones.
        for f in 0..=frames {
            clock += 1.0 / 60.0;
            let input = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
                time: Some(clock),
                ..Default::default()
            };
            let t = Instant::now();
            let out = ctx.run_ui(input, |ui| wall_frame_ui(ui, &mut wall, &doc, now));
            let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
            vertices = prims
                .iter()
                .map(|p| match &p.primitive {
                    egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                    egui::epaint::Primitive::Callback(_) => 0,
                })
                .sum();
            if f > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        times.sort_by(f64::total_cmp);
        all.extend_from_slice(&times);
        stops.push(WallStop {
            name,
            p50_ms: percentile_of(&times, 0.5),
            p95_ms: percentile_of(&times, 0.95),
            max_ms: *times.last().unwrap_or(&0.0),
            vertices,
        });
        wall.tour.next(townships);
    }
    all.sort_by(f64::total_cmp);
    Ok(WallReport {
        size: format!("{width}x{height}"),
        file: path.display().to_string(),
        frames_per_stop: frames,
        view_build_ms,
        stops,
        p95_ms: percentile_of(&all, 0.95),
        max_ms: *all.last().unwrap_or(&0.0),
    })
}
