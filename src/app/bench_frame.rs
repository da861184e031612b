//! `gridatlas bench frame`: a scripted tour through the real window code, headless — the whole
//! county, a township, a village, a grid, a micro-grid, with pans at each — timing the CPU side
//! of each frame: building the shapes (`root_ui`) plus egui's tessellation.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::app::{Document, GridAtlasApp};
use crate::bench::median;
use crate::map::{Indicator, lon_lat_to_mercator, mercator_to_lon_lat};
use crate::model::{Dataset, Level};
use crate::ui::{HitKind, install_cjk_font};

#[derive(Debug, Serialize)]
pub struct Stop {
    pub name: String,
    pub zoom: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Clipped primitives after tessellation.
    pub shapes: usize,
    /// Vertices of all meshes after tessellation.
    pub vertices: usize,
}

#[derive(Debug, Serialize)]
pub struct FrameReport {
    pub size: String,
    pub file: String,
    pub frames_per_stop: usize,
    pub choropleth: String,
    pub stops: Vec<Stop>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The unit of `level` with the most households (the busiest place to draw).
fn busiest(d: &Dataset, doc: &Document, level: Level) -> Option<usize> {
    d.units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.level == level)
        .max_by_key(|(_, u)| doc.stats.get(u.id).map_or(0, |t| t.households))
        .map(|(i, _)| i)
}

/// One frame of the real window code, headless: `root_ui` plus tessellation. Returns the CPU
/// time in ms, the clipped primitives and the mesh vertices.
pub(crate) fn headless_frame(
    ctx: &egui::Context,
    app: &mut GridAtlasApp,
    clock: &mut f64,
    size: egui::Vec2,
) -> (f64, usize, usize) {
    *clock += 1.0 / 60.0;
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
        time: Some(*clock),
        ..Default::default()
    };
    let started = Instant::now();
    let out = ctx.run_ui(input, |ui| app.root_ui(ui));
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let vertices = prims
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum();
    (ms, prims.len(), vertices)
}

pub(crate) fn percentile_of(sorted: &[f64], p: f64) -> f64 {
    percentile(sorted, p)
}

pub fn run_frame_bench(
    path: &Path,
    width: f32,
    height: f32,
    frames: usize,
    indicator: Indicator,
    only: Option<&str>,
) -> Result<FrameReport, String> {
    const STOPS: [&str; 5] = ["county", "township", "village", "grid", "micro-grid"];
    if let Some(o) = only.filter(|o| !STOPS.contains(o)) {
        return Err(format!(
            "no stop named {o}: the stops are {}",
            STOPS.join(", ")
        ));
    }
    let dataset = crate::store::load(path).map_err(|e| e.to_string())?;
    let doc = Document::new(path.to_owned(), dataset);
    let stops: Vec<(String, Option<usize>)> = std::iter::once(("county".to_owned(), None))
        .chain(
            [
                Level::Township,
                Level::Village,
                Level::Grid,
                Level::MicroGrid,
            ]
            .into_iter()
            .filter_map(|l| {
                busiest(&doc.dataset, &doc, l).map(|i| {
                    (
                        format!("{} {}", l.name_en(), doc.dataset.units[i].code),
                        Some(i),
                    )
                })
            }),
        )
        .filter(|(name, _)| only.is_none_or(|o| name.split(' ').next() == Some(o)))
        .collect();
    let ctx = egui::Context::default();
    let font = install_cjk_font(&ctx);
    let mut app = GridAtlasApp::with_document(doc, font.clone());
    if let Some(ws) = app.workspace_mut() {
        ws.indicator = indicator;
    }
    let mut clock = 0.0;
    let frame = |app: &mut GridAtlasApp, clock: &mut f64| {
        headless_frame(&ctx, app, clock, egui::vec2(width, height))
    };
    // Warm up: font atlas, galley caches, the first fit.
    for _ in 0..10 {
        frame(&mut app, &mut clock);
    }
    let mut report = Vec::new();
    for (name, unit) in stops {
        if let Some(ws) = app.workspace_mut() {
            match unit {
                Some(i) => ws.show(HitKind::Unit(i)),
                None => ws.run(crate::ui::Command::FitCounty, &mut crate::ui::Lang::Zh),
            }
            ws.selection = None;
        }
        for _ in 0..3 {
            frame(&mut app, &mut clock);
        }
        let (zoom, centre) = app.workspace().map_or((0.0, [0.5, 0.5]), |ws| {
            let c = ws
                .memory
                .detached()
                .map_or([0.5, 0.5], |p| lon_lat_to_mercator(p.x(), p.y()));
            (ws.memory.zoom(), c)
        });
        let world = crate::map::world_pixels(zoom);
        let (mut times, mut shapes, mut vertices) = (Vec::new(), 0, 0);
        for f in 0..frames {
            // Pan along a circle of a quarter of the view, one step a frame.
            let a = f as f64 / frames as f64 * std::f64::consts::TAU;
            let r = (width.min(height) as f64 * 0.25) / world;
            let (lon, lat) =
                mercator_to_lon_lat([centre[0] + r * a.cos(), centre[1] + r * a.sin()]);
            if let Some(ws) = app.workspace_mut() {
                ws.memory.center_at(walkers::lon_lat(lon, lat));
            }
            let (ms, s, v) = frame(&mut app, &mut clock);
            times.push(ms);
            shapes = shapes.max(s);
            vertices = vertices.max(v);
        }
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        report.push(Stop {
            name,
            zoom: (zoom * 100.0).round() / 100.0,
            p50_ms: median(&mut times),
            p95_ms: percentile(&sorted, 0.95),
            max_ms: sorted.last().copied().unwrap_or(0.0),
            shapes,
            vertices,
        });
    }
    Ok(FrameReport {
        size: format!("{}x{}", width as u32, height as u32),
        file: path.display().to_string(),
        frames_per_stop: frames,
        choropleth: format!("{indicator:?}"),
        stops: report,
    })
}
