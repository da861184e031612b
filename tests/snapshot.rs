//! An image snapshot of a map view: a fixed township demo coloured by households, rendered
//! headless and compared with `tests/snapshots/map_view.png`.
//!
//! egui_kittest's snapshots need a wgpu renderer (a large build, and a Vulkan driver on CI), so
//! the egui output is rasterized here on the CPU: texture deltas applied (the font atlas
//! included), every triangle filled with barycentric colour and nearest texel, premultiplied
//! alpha blending. Set `UPDATE_SNAPSHOTS=1` to rewrite the reference after a deliberate change.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::collections::HashMap;

use egui::epaint::{ClippedPrimitive, Primitive};
use egui::{Color32, ColorImage, TextureId};
use gridatlas::app::{Document, GridAtlasApp};
use gridatlas::map::Indicator;
use gridatlas::ui::{FontStatus, install_cjk_font};

const W: usize = 900;
const H: usize = 560;

struct Canvas {
    pixels: Vec<[f32; 4]>,
    textures: HashMap<TextureId, ColorImage>,
}

impl Canvas {
    fn apply(&mut self, delta: &egui::TexturesDelta) {
        for (id, deltas) in &delta.set {
            for d in deltas {
                let egui::ImageData::Color(image) = &d.image;
                match d.pos {
                    None => {
                        self.textures.insert(*id, (**image).clone());
                    }
                    Some([x0, y0]) => {
                        let Some(target) = self.textures.get_mut(id) else {
                            continue;
                        };
                        for y in 0..image.size[1] {
                            for x in 0..image.size[0] {
                                target.pixels[(y0 + y) * target.size[0] + x0 + x] =
                                    image.pixels[y * image.size[0] + x];
                            }
                        }
                    }
                }
            }
        }
    }

    fn sample(&self, id: TextureId, u: f32, v: f32) -> [f32; 4] {
        let Some(t) = self.textures.get(&id) else {
            return [1.0; 4];
        };
        let x = ((u * t.size[0] as f32) as usize).min(t.size[0] - 1);
        let y = ((v * t.size[1] as f32) as usize).min(t.size[1] - 1);
        let c = t.pixels[y * t.size[0] + x];
        [
            c.r() as f32 / 255.0,
            c.g() as f32 / 255.0,
            c.b() as f32 / 255.0,
            c.a() as f32 / 255.0,
        ]
    }

    fn draw(&mut self, prims: &[ClippedPrimitive]) {
        for p in prims {
            let Primitive::Mesh(mesh) = &p.primitive else {
                continue;
            };
            let clip = p.clip_rect;
            for tri in mesh.indices.chunks_exact(3) {
                let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| mesh.vertices[i as usize]);
                let area =
                    (b.pos - a.pos).x * (c.pos - a.pos).y - (b.pos - a.pos).y * (c.pos - a.pos).x;
                if area.abs() < 1e-6 {
                    continue;
                }
                let min_x = a
                    .pos
                    .x
                    .min(b.pos.x)
                    .min(c.pos.x)
                    .max(clip.min.x)
                    .max(0.0)
                    .floor() as usize;
                let max_x = a
                    .pos
                    .x
                    .max(b.pos.x)
                    .max(c.pos.x)
                    .min(clip.max.x)
                    .min(W as f32 - 1.0)
                    .ceil() as usize;
                let min_y = a
                    .pos
                    .y
                    .min(b.pos.y)
                    .min(c.pos.y)
                    .max(clip.min.y)
                    .max(0.0)
                    .floor() as usize;
                let max_y = a
                    .pos
                    .y
                    .max(b.pos.y)
                    .max(c.pos.y)
                    .min(clip.max.y)
                    .min(H as f32 - 1.0)
                    .ceil() as usize;
                for y in min_y..=max_y.min(H - 1) {
                    for x in min_x..=max_x.min(W - 1) {
                        let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                        if px < clip.min.x || px > clip.max.x || py < clip.min.y || py > clip.max.y
                        {
                            continue;
                        }
                        let w0 = ((b.pos.x - px) * (c.pos.y - py)
                            - (b.pos.y - py) * (c.pos.x - px))
                            / area;
                        let w1 = ((c.pos.x - px) * (a.pos.y - py)
                            - (c.pos.y - py) * (a.pos.x - px))
                            / area;
                        let w2 = 1.0 - w0 - w1;
                        if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                            continue;
                        }
                        let lerp = |f: fn(&egui::epaint::Vertex) -> f32| {
                            w0 * f(&a) + w1 * f(&b) + w2 * f(&c)
                        };
                        let (u, v) = (lerp(|v| v.uv.x), lerp(|v| v.uv.y));
                        let tex = self.sample(mesh.texture_id, u, v);
                        let ch = |f: fn(Color32) -> u8| {
                            w0 * f(a.color) as f32 / 255.0
                                + w1 * f(b.color) as f32 / 255.0
                                + w2 * f(c.color) as f32 / 255.0
                        };
                        let src = [
                            ch(|c| c.r()) * tex[0],
                            ch(|c| c.g()) * tex[1],
                            ch(|c| c.b()) * tex[2],
                            ch(|c| c.a()) * tex[3],
                        ];
                        let dst = &mut self.pixels[y * W + x];
                        for k in 0..4 {
                            dst[k] = src[k] + dst[k] * (1.0 - src[3]);
                        }
                    }
                }
            }
        }
    }

    fn rgba(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|p| p.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
            .collect()
    }
}

fn render() -> Vec<u8> {
    let dataset = common::township(1);
    let ctx = egui::Context::default();
    assert!(
        matches!(install_cjk_font(&ctx), FontStatus::Found(_)),
        "install fonts-noto-cjk (see .ci/run)"
    );
    let mut app = GridAtlasApp::with_document(
        Document::new("demo.gpkg".into(), dataset),
        FontStatus::Found("test".into()),
    );
    app.workspace_mut().unwrap().indicator = Indicator::Households;
    let mut canvas = Canvas {
        pixels: vec![[0.0, 0.0, 0.0, 1.0]; W * H],
        textures: HashMap::new(),
    };
    let input = |t: f64| egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(W as f32, H as f32),
        )),
        time: Some(t),
        ..Default::default()
    };
    let mut last = Vec::new();
    for frame in 0..6 {
        let out = ctx.run_ui(input(frame as f64 / 60.0), |ui| app.root_ui(ui));
        canvas.apply(&out.textures_delta);
        last = ctx.tessellate(out.shapes, out.pixels_per_point);
    }
    canvas
        .pixels
        .iter_mut()
        .for_each(|p| *p = [0.0, 0.0, 0.0, 1.0]);
    canvas.draw(&last);
    canvas.rgba()
}

#[test]
fn map_view_matches_the_snapshot() {
    let rgba = render();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/map_view.png");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        image::RgbaImage::from_raw(W as u32, H as u32, rgba)
            .unwrap()
            .save(&path)
            .unwrap();
        assert!(
            std::env::var_os("UPDATE_SNAPSHOTS").is_some(),
            "{} was missing; written now: look at it and commit it",
            path.display()
        );
        return;
    }
    let reference = image::open(&path).unwrap().to_rgba8();
    assert_eq!(
        (reference.width() as usize, reference.height() as usize),
        (W, H)
    );
    let differing = reference
        .as_raw()
        .chunks_exact(4)
        .zip(rgba.chunks_exact(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    let share = differing as f64 / (W * H) as f64;
    if share > 0.005 {
        let new = path.with_file_name("map_view.new.png");
        image::RgbaImage::from_raw(W as u32, H as u32, rgba)
            .unwrap()
            .save(&new)
            .unwrap();
        panic!(
            "{:.2}% of pixels differ from {}; the new rendering is {}",
            share * 100.0,
            path.display(),
            new.display()
        );
    }
}
