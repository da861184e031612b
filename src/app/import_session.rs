//! 文件 › 新建 and 导入…: the state of the dialogs, and the work they start. Reading and
//! checking (which takes seconds for a county) and writing run on a thread; the window stays
//! responsive and shows what is under way. A unit import is previewed on the map — the
//! outlines it brings and every defect ringed — before the user says 导入.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use geo_types::{Coord, MultiPolygon};

use crate::import::{
    self, FieldChoice, ImportFailure, LayerChoice, PreparedUnits, RosterMode, UnitImportOptions,
};
use crate::store::CoordinateDatum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Units,
    Households,
    Workers,
}

/// What a preview found.
pub enum Preview {
    /// A unit import, checked and ready: its outlines are drawn on the map.
    Units(Box<PreparedUnits>),
    /// A roster that passed every check (a dry run's figures).
    Roster(import::RosterReport),
    /// Refused: the lines to show, and the places to ring (WGS84).
    Refused {
        lines: Vec<String>,
        rings: Vec<Coord<f64>>,
        /// The outlines the files bring, as read (WGS84), to see the defects among them.
        outlines: Vec<MultiPolygon<f64>>,
    },
}

/// Something done that the dialog reports.
pub enum Outcome {
    Imported(Done),
    Created(PathBuf),
    Template(PathBuf),
    Failed(String),
}

pub struct ImportSession {
    pub open: bool,
    pub kind: ImportKind,
    pub paths: String,
    pub datum: CoordinateDatum,
    pub snap_m: f64,
    pub repair: bool,
    pub update: bool,
    pub new_open: bool,
    pub new_path: String,
    pub new_code: String,
    pub new_name: String,
    /// The GeoPackages among the sources that hold several polygon layers, each with the
    /// layer chosen (the first until the user picks another).
    pub layer_menus: Vec<LayerMenu>,
    /// The `paths` text `layer_menus` was built from.
    layers_of: String,
    /// The in-window file chooser (浏览…).
    pub(crate) picker: crate::app::file_picker::FilePicker,
    pub preview: Option<Preview>,
    pub outcome: Option<Outcome>,
    /// A preview or a write under way, and when it started.
    pub(crate) working: Option<(Receiver<Work>, std::time::Instant)>,
    /// A preview arrived this frame: the map goes to it.
    pub(crate) just_previewed: bool,
    /// The box of each preview outline (lon/lat), computed once when the preview arrives: the
    /// map draws only those in view, every frame, and a county brings 36,000.
    boxes: Vec<geo_types::Rect<f64>>,
}

/// A GeoPackage source with several polygon layers, and the one to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerMenu {
    pub path: PathBuf,
    pub layers: Vec<String>,
    pub chosen: String,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy)]
pub enum Done {
    Units {
        added: usize,
        replaced: usize,
        households_moved: usize,
    },
    Roster {
        added: usize,
        changed: usize,
    },
}

/// What a background job hands back.
pub(crate) enum Work {
    Previewed(Preview),
    Written(Result<Done, String>),
}

impl Default for ImportSession {
    fn default() -> Self {
        ImportSession {
            open: false,
            kind: ImportKind::Units,
            paths: String::new(),
            datum: CoordinateDatum::Gcj02,
            snap_m: 1.0,
            repair: false,
            update: false,
            new_open: false,
            new_path: String::new(),
            new_code: String::new(),
            new_name: String::new(),
            layer_menus: Vec::new(),
            layers_of: String::new(),
            picker: crate::app::file_picker::FilePicker::default(),
            preview: None,
            outcome: None,
            working: None,
            just_previewed: false,
            boxes: Vec::new(),
        }
    }
}

fn refused(e: ImportFailure, outlines: impl FnOnce() -> Vec<MultiPolygon<f64>>) -> Preview {
    match e {
        ImportFailure::Defects(d) => Preview::Refused {
            rings: d
                .iter()
                .filter_map(|d| d.at_wgs84.map(|[x, y]| Coord { x, y }))
                .collect(),
            lines: d.into_iter().map(|d| d.message).collect(),
            outlines: outlines(),
        },
        other => Preview::Refused {
            lines: other.to_string().lines().map(str::to_owned).collect(),
            rings: Vec::new(),
            outlines: Vec::new(),
        },
    }
}

/// The outlines of `sources` as read, in WGS84 (nothing for a file that cannot be read).
fn outlines_of(
    sources: &[PathBuf],
    layers: &LayerChoice,
    datum: CoordinateDatum,
) -> Vec<MultiPolygon<f64>> {
    sources
        .iter()
        .filter_map(|p| import::read_layer(p, layers.for_file(p), None).ok())
        .filter_map(|l| import::incoming_units(&l, &FieldChoice::default(), datum).ok())
        .flatten()
        .map(|u| u.geometry)
        .collect()
}

impl ImportSession {
    pub fn sources(&self) -> Vec<PathBuf> {
        self.paths
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect()
    }

    /// Lists the layers of every GeoPackage source when the paths changed (a few small reads,
    /// only then): a file with several polygon layers gets a menu, keeping an earlier choice.
    pub fn refresh_layer_menus(&mut self) {
        if self.layers_of == self.paths {
            return;
        }
        self.layers_of.clone_from(&self.paths);
        let before = std::mem::take(&mut self.layer_menus);
        for path in self.sources() {
            let is_gpkg = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"));
            if !is_gpkg || !path.is_file() {
                continue;
            }
            let Ok(layers) = crate::store::polygon_layers(&path) else {
                continue; // the preview names what is wrong with the file
            };
            if layers.len() < 2 {
                continue;
            }
            let chosen = before
                .iter()
                .find(|m| m.path == path && m.layers.contains(&m.chosen))
                .map(|m| m.chosen.clone())
                .or_else(|| layers.iter().find(|l| *l == "units").cloned())
                .unwrap_or_else(|| layers[0].clone());
            self.layer_menus.push(LayerMenu {
                path,
                layers,
                chosen,
            });
        }
    }

    /// The layers chosen in the menus.
    pub fn layer_choice(&self) -> LayerChoice {
        LayerChoice {
            everywhere: None,
            per_file: self
                .layer_menus
                .iter()
                .map(|m| (m.path.clone(), m.chosen.clone()))
                .collect(),
        }
    }

    /// Adds picked files to the sources, one per line, skipping those already named.
    pub fn add_sources(&mut self, picked: &[PathBuf]) {
        let have = self.sources();
        for p in picked {
            if have.contains(p) {
                continue;
            }
            if !self.paths.trim().is_empty() && !self.paths.ends_with('\n') {
                self.paths.push('\n');
            }
            self.paths.push_str(&p.display().to_string());
        }
        self.preview = None;
    }

    /// Whether the in-window file chooser is open.
    pub fn picker_is_open(&self) -> bool {
        self.picker.is_open()
    }

    pub fn is_working(&self) -> bool {
        self.working.is_some()
    }

    /// Outlines the previewed import brings, with their boxes (for the map).
    pub fn preview_shapes(
        &self,
    ) -> impl Iterator<Item = (&MultiPolygon<f64>, geo_types::Rect<f64>)> {
        let outlines: Box<dyn Iterator<Item = &MultiPolygon<f64>> + '_> = match &self.preview {
            Some(Preview::Units(p)) => Box::new(p.plan.upsert.iter().map(|u| &u.geometry)),
            Some(Preview::Refused { outlines, .. }) => Box::new(outlines.iter()),
            _ => Box::new(std::iter::empty()),
        };
        outlines.zip(self.boxes.iter().copied())
    }

    /// Outlines the previewed import brings.
    pub fn preview_outlines(&self) -> Vec<&MultiPolygon<f64>> {
        match &self.preview {
            Some(Preview::Units(p)) => p.plan.upsert.iter().map(|u| &u.geometry).collect(),
            Some(Preview::Refused { outlines, .. }) => outlines.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The box (lon/lat: min x, min y, max x, max y) around the preview's outlines and rings.
    pub fn preview_box(&self) -> Option<[f64; 4]> {
        use geo::BoundingRect;
        self.preview_outlines()
            .into_iter()
            .filter_map(|m| m.bounding_rect())
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .chain(self.preview_rings().iter().map(|c| [c.x, c.y, c.x, c.y]))
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }

    /// Places to ring on the map: defects of a refused preview, repairs of an accepted one.
    pub fn preview_rings(&self) -> Vec<Coord<f64>> {
        match &self.preview {
            Some(Preview::Refused { rings, .. }) => rings.clone(),
            Some(Preview::Units(p)) => p
                .plan
                .repairs
                .iter()
                .filter_map(|r| r.at_wgs84.map(|[x, y]| Coord { x, y }))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Starts reading and checking the chosen files against the document at `doc`, as
    /// `signed` (whose key opens and seals personal data in a document with accounts).
    pub fn start_preview(&mut self, doc: PathBuf, signed: Option<crate::store::SignedIn>) {
        let (tx, rx) = std::sync::mpsc::channel();
        self.refresh_layer_menus();
        let sources = self.sources();
        let layers = self.layer_choice();
        let (kind, datum, repair, update) = (self.kind, self.datum, self.repair, self.update);
        let snap_m = self.snap_m.clamp(0.0, 50.0);
        std::thread::spawn(move || {
            let preview = match kind {
                ImportKind::Units => import::prepare_units(
                    &doc,
                    &sources,
                    &layers,
                    None,
                    &FieldChoice::default(),
                    UnitImportOptions {
                        snap_m,
                        repair,
                        datum,
                    },
                )
                .map_or_else(
                    |e| refused(e, || outlines_of(&sources, &layers, datum)),
                    |p| Preview::Units(Box::new(p)),
                ),
                ImportKind::Households | ImportKind::Workers => {
                    let Some(from) = sources.first() else {
                        return;
                    };
                    let mode = if update {
                        RosterMode::Update
                    } else {
                        RosterMode::Add
                    };
                    let result = if kind == ImportKind::Households {
                        import::import_households(
                            &doc,
                            from,
                            None,
                            datum,
                            mode,
                            false,
                            import::ImportAs {
                                dry_run: true,
                                by: signed.as_ref(),
                            },
                        )
                    } else {
                        import::import_workers(
                            &doc,
                            from,
                            None,
                            import::ImportAs {
                                dry_run: true,
                                by: signed.as_ref(),
                            },
                        )
                    };
                    result.map_or_else(|e| refused(e, Vec::new), Preview::Roster)
                }
            };
            let _ = tx.send(Work::Previewed(preview));
        });
        self.preview = None;
        self.outcome = None;
        self.working = Some((rx, std::time::Instant::now()));
    }

    /// Writes what the preview accepted (on a thread), as `signed`.
    pub fn start_commit(&mut self, doc: PathBuf, signed: Option<crate::store::SignedIn>) {
        let Some(preview) = self.preview.take() else {
            return;
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let sources = self.sources();
        let (kind, datum, update) = (self.kind, self.datum, self.update);
        std::thread::spawn(move || {
            let written = match preview {
                Preview::Units(p) => import::commit_units(&p)
                    .map(|()| Done::Units {
                        added: p.report.added,
                        replaced: p.report.replaced,
                        households_moved: p.report.households_moved,
                    })
                    .map_err(|e| e.to_string()),
                Preview::Roster(_) => {
                    let from = sources.first().cloned().unwrap_or_default();
                    let mode = if update {
                        RosterMode::Update
                    } else {
                        RosterMode::Add
                    };
                    let result = if kind == ImportKind::Households {
                        import::import_households(
                            &doc,
                            &from,
                            None,
                            datum,
                            mode,
                            false,
                            import::ImportAs {
                                dry_run: false,
                                by: signed.as_ref(),
                            },
                        )
                    } else {
                        import::import_workers(
                            &doc,
                            &from,
                            None,
                            import::ImportAs {
                                dry_run: false,
                                by: signed.as_ref(),
                            },
                        )
                    };
                    result
                        .map(|r| Done::Roster {
                            added: r.added,
                            changed: r.changed,
                        })
                        .map_err(|e| e.to_string())
                }
                Preview::Refused { .. } => return,
            };
            let _ = tx.send(Work::Written(written));
        });
        self.working = Some((rx, std::time::Instant::now()));
    }

    /// Takes a finished job's result; `true` when the document was written (the caller reloads).
    pub(crate) fn poll(&mut self) -> bool {
        let Some((rx, _)) = &self.working else {
            return false;
        };
        let work = match rx.try_recv() {
            Ok(w) => w,
            Err(std::sync::mpsc::TryRecvError::Empty) => return false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.working = None;
                return false;
            }
        };
        self.working = None;
        match work {
            Work::Previewed(p) => {
                self.preview = Some(p);
                self.just_previewed = true;
                self.boxes = self
                    .preview_outlines()
                    .iter()
                    .map(|m| {
                        geo::BoundingRect::bounding_rect(*m)
                            .unwrap_or(geo_types::Rect::new((0.0, 0.0), (0.0, 0.0)))
                    })
                    .collect();
                false
            }
            Work::Written(Ok(done)) => {
                self.outcome = Some(Outcome::Imported(done));
                true
            }
            Work::Written(Err(e)) => {
                self.outcome = Some(Outcome::Failed(e));
                false
            }
        }
    }

    /// Creates the new document the dialog describes.
    pub fn create_document(&mut self) -> Option<PathBuf> {
        let path = PathBuf::from(self.new_path.trim());
        match import::new_document(
            &path,
            self.new_code.trim(),
            &self.new_name,
            import::DEFAULT_TIME_ZONE,
        ) {
            Ok(_) => {
                self.outcome = Some(Outcome::Created(path.clone()));
                self.new_open = false;
                Some(path)
            }
            Err(e) => {
                self.outcome = Some(Outcome::Failed(e));
                None
            }
        }
    }

    /// Writes a roster template next to the document.
    pub fn write_template(&mut self, dir: &std::path::Path, kind: import::TemplateKind) {
        let name = match kind {
            import::TemplateKind::Households => "households-template.xlsx",
            import::TemplateKind::Workers => "workers-template.xlsx",
        };
        let path = dir.join(name);
        self.outcome = Some(match import::write_template(&path, kind) {
            Ok(()) => Outcome::Template(path),
            Err(e) => Outcome::Failed(e),
        });
    }
}
