//! The main window: a loading screen, then the workspace (map, summary, status bar).

use std::sync::mpsc::Receiver;

use egui::{Color32, RichText, Ui};
use walkers::{Map, MapMemory, lon_lat};

use crate::app::{Document, DocumentSource, LoadEvent, start_loading};
use crate::map::{HazardLayer, ScreenTransform, UnitsLayer, level_for_zoom, mercator_to_lon_lat};
use crate::model::Level;
use crate::ui::strings::FONT_MISSING;
use crate::ui::{
    FontStatus, HazardMode, HazardTool, Lang, Strings, hazard_panel_ui, install_cjk_font,
};

enum State {
    Loading {
        events: Receiver<LoadEvent>,
        progress: f32,
        message: String,
    },
    Ready(Box<Workspace>),
    Failed(String),
}

pub struct Workspace {
    pub doc: Document,
    pub memory: MapMemory,
    pub hazard: HazardTool,
    fitted: bool,
    show_about: bool,
    cursor: Option<geo_types::Coord<f64>>,
}

impl Workspace {
    pub fn new(doc: Document) -> Workspace {
        Workspace {
            doc,
            memory: MapMemory::default(),
            hazard: HazardTool::default(),
            fitted: false,
            show_about: false,
            cursor: None,
        }
    }

    /// Centres the map on the document and picks the zoom at which it fills `size`.
    fn fit(&mut self, size: egui::Vec2) {
        let Some(b) = self.doc.shapes.extent() else {
            return;
        };
        let (lon, lat) = mercator_to_lon_lat([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]);
        self.memory.center_at(lon_lat(lon, lat));
        let span =
            ((b[2] - b[0]) / size.x.max(1.0) as f64).max((b[3] - b[1]) / size.y.max(1.0) as f64);
        // world_pixels(zoom) * span = 1 screen point per … → zoom = log2(1 / (256 span)), with margin.
        let zoom = (1.0 / (256.0 * span.max(1e-12))).log2() - 0.15;
        let _ = self.memory.set_zoom(zoom.clamp(2.0, 19.0));
        self.fitted = true;
    }
}

pub struct GridAtlasApp {
    state: State,
    pub lang: Lang,
    font: FontStatus,
}

impl GridAtlasApp {
    /// Starts loading `source` in the background.
    pub fn new(ctx: &egui::Context, source: DocumentSource, lang: Lang) -> GridAtlasApp {
        let font = install_cjk_font(ctx);
        let waker = ctx.clone();
        let message = match &source {
            DocumentSource::DefaultDemo if !crate::app::default_demo_path().exists() => {
                Strings::get(lang).generating_demo.to_owned()
            }
            DocumentSource::DefaultDemo => crate::app::default_demo_path().display().to_string(),
            DocumentSource::File(p) => p.display().to_string(),
        };
        GridAtlasApp {
            state: State::Loading {
                events: start_loading(source, move || waker.request_repaint()),
                progress: 0.0,
                message,
            },
            lang,
            font,
        }
    }

    /// An app showing an already loaded document (tests, benchmarks).
    pub fn with_document(doc: Document, font: FontStatus) -> GridAtlasApp {
        GridAtlasApp {
            state: State::Ready(Box::new(Workspace::new(doc))),
            lang: Lang::Zh,
            font,
        }
    }

    pub fn workspace(&self) -> Option<&Workspace> {
        match &self.state {
            State::Ready(w) => Some(w),
            _ => None,
        }
    }

    pub fn workspace_mut(&mut self) -> Option<&mut Workspace> {
        match &mut self.state {
            State::Ready(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self.state, State::Loading { .. })
    }

    pub fn error(&self) -> Option<&str> {
        match &self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    fn poll_loading(&mut self) {
        let State::Loading {
            events,
            progress,
            message,
        } = &mut self.state
        else {
            return;
        };
        let mut finished = None;
        while let Ok(event) = events.try_recv() {
            match event {
                LoadEvent::Progress(p, m) => {
                    *progress = p;
                    *message = m;
                }
                LoadEvent::Done(result) => finished = Some(result),
            }
        }
        match finished {
            Some(Ok(doc)) => self.state = State::Ready(Box::new(Workspace::new(*doc))),
            Some(Err(e)) => self.state = State::Failed(e),
            None => {}
        }
    }

    /// The whole window's contents.
    pub fn root_ui(&mut self, ui: &mut Ui) {
        self.poll_loading();
        let s = Strings::get(self.lang);
        if self.font == FontStatus::Missing {
            egui::Panel::top("font_warning").show(ui, |ui| {
                ui.colored_label(Color32::from_rgb(180, 40, 30), FONT_MISSING);
            });
        }
        let lang = &mut self.lang;
        match &mut self.state {
            State::Loading {
                progress, message, ..
            } => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(ui.available_height() * 0.35);
                        ui.heading(s.app_name);
                        ui.label(message.as_str());
                        ui.add(
                            egui::ProgressBar::new(*progress)
                                .desired_width(420.0)
                                .show_percentage(),
                        );
                        ui.spinner();
                    });
                });
            }
            State::Failed(error) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(ui.available_height() * 0.35);
                        ui.heading(s.open_failed);
                        ui.label(
                            RichText::new(error.as_str()).color(Color32::from_rgb(180, 40, 30)),
                        );
                    });
                });
            }
            State::Ready(ws) => workspace_ui(ui, ws, lang),
        }
    }
}

fn workspace_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang) {
    let s = Strings::get(*lang);
    egui::Panel::top("menu").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(s.app_name).strong());
            ui.separator();
            ui.label(ws.doc.dataset.meta.title.as_str());
            ui.separator();
            ui.label(s.hazard_zone);
            if ui
                .selectable_label(ws.hazard.mode == HazardMode::Polygon, s.hazard_polygon)
                .clicked()
            {
                ws.hazard.start(HazardMode::Polygon);
            }
            if ui
                .selectable_label(ws.hazard.mode == HazardMode::Circle, s.hazard_circle)
                .clicked()
            {
                ws.hazard.start(HazardMode::Circle);
            }
            if ws.hazard.mode == HazardMode::Polygon
                && ws.hazard.zone.is_none()
                && ui
                    .add_enabled(ws.hazard.vertices.len() >= 3, egui::Button::new(s.finish))
                    .clicked()
            {
                ws.hazard.finish_polygon(&ws.doc.dataset, &ws.doc.index);
            }
            if ws.hazard.mode != HazardMode::Off && ui.button(s.cancel).clicked() {
                ws.hazard.cancel();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(s.switch_language).clicked() {
                    *lang = if *lang == Lang::Zh {
                        Lang::En
                    } else {
                        Lang::Zh
                    };
                }
                if ui.button(s.about).clicked() {
                    ws.show_about = !ws.show_about;
                }
            });
        });
    });
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(format!("{}: {}", s.file, ws.doc.path.display()));
            ui.separator();
            ui.label(format!("{}: {:.1}", s.zoom, ws.memory.zoom()));
            ui.separator();
            ui.label(format!(
                "{}: {}",
                s.showing_level,
                s.level(level_for_zoom(ws.memory.zoom()))
            ));
            if let Some(c) = ws.cursor {
                ui.separator();
                ui.monospace(format!("{:.5}, {:.5}", c.x, c.y));
            }
        });
    });
    egui::Panel::left("summary")
        .default_size(210.0)
        .show(ui, |ui| {
            let t = &ws.doc.totals;
            ui.heading(ws.doc.county_name());
            egui::Grid::new("totals")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for level in Level::ALL.into_iter().skip(1) {
                        ui.label(s.level(level));
                        ui.label(t.units[level.number() as usize - 1].to_string());
                        ui.end_row();
                    }
                    for (label, value) in [
                        (s.households, t.households.to_string()),
                        (s.persons, t.persons.to_string()),
                        (s.workers, t.workers.to_string()),
                        (s.cases, t.cases.to_string()),
                        (s.open_cases, t.open_cases.to_string()),
                    ] {
                        ui.label(label);
                        ui.label(value);
                        ui.end_row();
                    }
                });
            ui.add_space(8.0);
            ui.small(s.about_synthetic);
        });
    if ws.hazard.mode != HazardMode::Off {
        ui.input(|i| {
            if i.key_pressed(egui::Key::Escape) {
                ws.hazard.cancel();
            }
        });
        if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            ws.hazard.finish_polygon(&ws.doc.dataset, &ws.doc.index);
        }
    }
    if ws.hazard.mode != HazardMode::Off {
        egui::Panel::right("hazard")
            .exact_size(380.0)
            .show(ui, |ui| {
                hazard_panel_ui(ui, &mut ws.hazard, &ws.doc.dataset, s);
            });
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::new().fill(Color32::from_rgb(244, 241, 232)))
        .show(ui, |ui| {
            if !ws.fitted {
                ws.fit(ui.available_size());
            }
            let centre = ws.memory.detached().unwrap_or(lon_lat(113.7, 28.2));
            let inside: Vec<geo_types::Coord<f64>> = ws
                .hazard
                .report
                .as_ref()
                .map(|r| {
                    r.households
                        .iter()
                        .map(|&i| ws.doc.dataset.households[i].location.0)
                        .collect()
                })
                .unwrap_or_default();
            let rect = ui.available_rect_before_wrap();
            let response = ui.add(
                Map::new(None, &mut ws.memory, centre)
                    .with_plugin(UnitsLayer {
                        shapes: &ws.doc.shapes,
                    })
                    .with_plugin(HazardLayer {
                        vertices: &ws.hazard.vertices,
                        circle_centre: ws.hazard.circle_centre,
                        zone: ws.hazard.zone.as_ref(),
                        pointer: ws.cursor,
                        inside,
                    })
                    .zoom_with_ctrl(false)
                    .double_click_to_zoom(!ws.hazard.is_drawing()),
            );
            let transform = ScreenTransform::from_memory(&ws.memory, centre, rect);
            ws.cursor = response.hover_pos().map(|p| transform.to_lon_lat(p));
            if ws.hazard.is_drawing()
                && response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                ws.hazard
                    .click(transform.to_lon_lat(p), &ws.doc.dataset, &ws.doc.index);
            }
        });
    if ws.show_about {
        let mut open = true;
        egui::Window::new(s.about)
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                ui.label(s.about_synthetic);
                ui.separator();
                ui.label(RichText::new(s.provenance).strong());
                ui.label(ws.doc.dataset.meta.provenance.as_str());
            });
        ws.show_about = open;
    }
}

impl eframe::App for GridAtlasApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.root_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, "lang", &self.lang);
    }
}

/// Opens the window on `source` and runs until it is closed.
pub fn run_window(source: DocumentSource) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("GridAtlas 网格图")
            .with_inner_size([1400.0, 900.0]),
        ..Default::default()
    };
    eframe::run_native(
        "GridAtlas",
        options,
        Box::new(|cc| {
            let lang = cc
                .storage
                .and_then(|s| eframe::get_value(s, "lang"))
                .unwrap_or_default();
            Ok(Box::new(GridAtlasApp::new(&cc.egui_ctx, source, lang)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
