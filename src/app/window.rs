//! The main window: a loading screen, then the workspace. The only place (with `main`) that
//! knows eframe.

use std::sync::mpsc::Receiver;

use egui::{Color32, RichText, Ui};

use crate::app::layout::workspace_ui;
use crate::app::workspace::Workspace;
use crate::app::{Document, DocumentSource, LoadEvent, start_loading, start_signed_loading};
use crate::map::{Basemap, init_tls};
use crate::ui::strings::FONT_MISSING;
use crate::ui::{FontStatus, Lang, Strings, install_cjk_font};

enum State {
    Loading {
        events: Receiver<LoadEvent>,
        progress: f32,
        message: String,
    },
    /// The document has accounts: who is working, before anything is read.
    SignIn(SignInForm),
    Ready(Box<Workspace>),
    Failed(String),
}

/// The sign-in screen's fields.
struct SignInForm {
    path: std::path::PathBuf,
    name: String,
    passphrase: String,
    /// Why the last attempt was refused.
    error: Option<String>,
}

pub struct GridAtlasApp {
    state: State,
    pub lang: Lang,
    font: FontStatus,
    /// The basemap of the last run, applied once a document is open.
    saved_basemap: Option<Basemap>,
    /// `--wall [--monitor N]`: the wall to open once a document is open.
    pub start_wall: Option<WallStart>,
    /// A sign-in under way: the document and the name, to return to the form if refused.
    signing_in: Option<std::path::PathBuf>,
    signing_name: Option<String>,
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
        let mut app = GridAtlasApp::in_state(
            State::Loading {
                events: start_loading(source, move || waker.request_repaint()),
                progress: 0.0,
                message,
            },
            font,
        );
        app.lang = lang;
        app.saved_basemap = basemap;
        app
    }

    fn in_state(state: State, font: FontStatus) -> GridAtlasApp {
        GridAtlasApp {
            state,
            lang: Lang::Zh,
            font,
            saved_basemap: None,
            start_wall: None,
            signing_in: None,
            signing_name: None,
        }
    }

    /// The sign-in screen for the document at `path` (tests; the window reaches it when a
    /// document with accounts is opened).
    pub fn signing_in_to(path: std::path::PathBuf, font: FontStatus) -> GridAtlasApp {
        GridAtlasApp::in_state(
            State::SignIn(SignInForm {
                path,
                name: String::new(),
                passphrase: String::new(),
                error: None,
            }),
            font,
        )
    }

    /// Whether the sign-in screen is showing.
    pub fn is_signing_in(&self) -> bool {
        matches!(self.state, State::SignIn(_))
    }

    /// An app showing an already loaded document (tests, benchmarks).
    pub fn with_document(doc: Document, font: FontStatus) -> GridAtlasApp {
        GridAtlasApp::in_state(State::Ready(Box::new(Workspace::new(doc))), font)
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
        let mut sign_in = None;
        while let Ok(event) = events.try_recv() {
            match event {
                LoadEvent::Progress(p, m) => {
                    *progress = p;
                    *message = m;
                }
                LoadEvent::NeedsSignIn(path) => sign_in = Some(path),
                LoadEvent::Done(result) => finished = Some(result),
            }
        }
        if let Some(path) = sign_in {
            self.state = State::SignIn(SignInForm {
                path,
                name: String::new(),
                passphrase: String::new(),
                error: None,
            });
            return;
        }
        match finished {
            Some(Ok(opened)) => {
                let opened = *opened;
                let mut ws = Workspace::new(opened.doc);
                if let Some(s) = &opened.session {
                    // Case histories and the audit log name the person, not the desk.
                    ws.desk.actor = s.account.name.clone();
                }
                ws.session = opened.session;
                ws.signed_in_automatically = opened.automatic;
                ws.show_own_scope();
                if let Some(basemap) = self.saved_basemap.take() {
                    ws.restore_basemap(basemap, ctx);
                }
                if let Some(wall) = self.start_wall.take() {
                    ws.wall.open = true;
                    ws.wall.monitor = wall.monitor;
                }
                self.state = State::Ready(Box::new(ws));
            }
            // A refused sign-in goes back to the form, saying why.
            Some(Err(e)) if self.signing_in.is_some() => {
                let path = self.signing_in.take().unwrap_or_default();
                self.state = State::SignIn(SignInForm {
                    path,
                    name: self.signing_name.take().unwrap_or_default(),
                    passphrase: String::new(),
                    error: Some(e),
                });
            }
            Some(Err(e)) => self.state = State::Failed(e),
            None => {}
        }
    }

    /// The sign-in screen: 账户 and 口令, then 登录 (Enter works too).
    fn sign_in_ui(&mut self, ui: &mut Ui) {
        let app_name = Strings::get(self.lang).app_name;
        let s = crate::ui::AccessStrings::get(self.lang);
        let State::SignIn(form) = &mut self.state else {
            return;
        };
        let mut submit = false;
        egui::CentralPanel::default().show(ui, |_| {});
        // A small dialog in the middle of the window, as a desktop sign-in is.
        egui::Window::new(app_name)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, -40.0))
            .collapsible(false)
            .resizable(false)
            .show(ui.ctx(), |ui| {
                ui.label(form.path.display().to_string());
                ui.label(s.sign_in_needed);
                ui.add_space(8.0);
                egui::Grid::new("sign-in").num_columns(2).show(ui, |ui| {
                    let l = ui.label(s.account_name);
                    ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(220.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(s.passphrase);
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut form.passphrase)
                                .password(true)
                                .desired_width(220.0),
                        )
                        .labelled_by(l.id);
                    submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.end_row();
                });
                ui.add_space(4.0);
                submit |= ui.button(s.sign_in).clicked();
                if let Some(e) = &form.error {
                    ui.add(
                        egui::Label::new(
                            RichText::new(e.as_str()).color(Color32::from_rgb(200, 60, 50)),
                        )
                        .wrap(),
                    );
                }
            });
        if submit && !form.name.trim().is_empty() {
            let waker = ui.ctx().clone();
            let path = form.path.clone();
            let name = form.name.trim().to_owned();
            let passphrase = std::mem::take(&mut form.passphrase);
            self.signing_in = Some(path.clone());
            self.signing_name = Some(name.clone());
            self.state = State::Loading {
                events: start_signed_loading(path.clone(), name, passphrase, move || {
                    waker.request_repaint()
                }),
                progress: 0.0,
                message: path.display().to_string(),
            };
        }
    }

    /// The whole window's contents.
    pub fn root_ui(&mut self, ui: &mut Ui) {
        self.poll_loading(ui.ctx());
        if matches!(self.state, State::SignIn(_)) {
            self.sign_in_ui(ui);
            return;
        }
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
            State::SignIn(_) => {}
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
