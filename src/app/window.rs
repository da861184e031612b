//! The main window: a loading screen, then the workspace. The only place (with `main`) that
//! knows eframe.

use std::sync::mpsc::Receiver;

use egui::{Color32, RichText, Ui};

use crate::app::layout::workspace_ui;
use crate::app::workspace::Workspace;
use crate::app::{Document, DocumentSource, LoadEvent, start_loading};
use crate::map::{Basemap, init_tls};
use crate::ui::strings::FONT_MISSING;
use crate::ui::{FontStatus, Lang, Strings, install_cjk_font};

enum State {
    Loading {
        events: Receiver<LoadEvent>,
        progress: f32,
        message: String,
    },
    Ready(Box<Workspace>),
    Failed(String),
}

pub struct GridAtlasApp {
    state: State,
    pub lang: Lang,
    font: FontStatus,
    /// The basemap of the last run, applied once a document is open.
    saved_basemap: Option<Basemap>,
    /// `--wall [--monitor N]`: the wall to open once a document is open.
    pub start_wall: Option<WallStart>,
}

/// The wall display asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WallStart {
    pub monitor: Option<usize>,
}

/// Where downloaded tiles are cached: `<cache dir>/GridAtlas`.
pub fn cache_dir() -> std::path::PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("GridAtlas")
}

impl GridAtlasApp {
    /// Starts loading `source` in the background.
    pub fn new(
        ctx: &egui::Context,
        source: DocumentSource,
        lang: Lang,
        basemap: Option<Basemap>,
    ) -> GridAtlasApp {
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
            saved_basemap: basemap,
            start_wall: None,
        }
    }

    /// An app showing an already loaded document (tests, benchmarks).
    pub fn with_document(doc: Document, font: FontStatus) -> GridAtlasApp {
        GridAtlasApp {
            state: State::Ready(Box::new(Workspace::new(doc))),
            lang: Lang::Zh,
            font,
            saved_basemap: None,
            start_wall: None,
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

    fn poll_loading(&mut self, ctx: &egui::Context) {
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
            Some(Ok(doc)) => {
                let mut ws = Workspace::new(*doc);
                if let Some(basemap) = self.saved_basemap.take() {
                    ws.restore_basemap(basemap, ctx);
                }
                if let Some(wall) = self.start_wall.take() {
                    ws.wall.open = true;
                    ws.wall.monitor = wall.monitor;
                }
                self.state = State::Ready(Box::new(ws));
            }
            Some(Err(e)) => self.state = State::Failed(e),
            None => {}
        }
    }

    /// The whole window's contents.
    pub fn root_ui(&mut self, ui: &mut Ui) {
        self.poll_loading(ui.ctx());
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

impl eframe::App for GridAtlasApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.root_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, "lang", &self.lang);
        if let Some(ws) = self.workspace() {
            eframe::set_value(storage, "basemap", &ws.basemap.choice);
        }
    }
}

/// Opens the window on `source` and runs until it is closed.
pub fn run_window(source: DocumentSource, wall: Option<WallStart>) -> anyhow::Result<()> {
    init_tls();
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
            let basemap = cc.storage.and_then(|s| eframe::get_value(s, "basemap"));
            let mut app = GridAtlasApp::new(&cc.egui_ctx, source, lang, basemap);
            app.start_wall = wall;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
