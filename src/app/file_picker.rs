//! The in-window file chooser of 文件 › 新建 and 导入…: egui_file's dialog, drawn by egui
//! itself, so it works offline, on locked-down intranet desktops without a system portal, and
//! under test (kittest clicks its entries by label). One chooser is open at a time; what it
//! picks goes to the dialog that opened it. Typing or pasting paths keeps working beside it.

use std::path::{Path, PathBuf};

use egui_file::{DialogType, FileDialog, State};

use crate::app::import_session::ImportKind;
use crate::ui::{ImportStrings, Lang};

/// Which field the chosen paths fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// The import's sources (several files may be chosen).
    ImportSources,
    /// Where 新建 writes the new document.
    NewDocument,
}

/// What a chooser handed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub target: PickFor,
    pub paths: Vec<PathBuf>,
}

#[derive(Default)]
pub struct FilePicker {
    open: Option<(PickFor, FileDialog)>,
    /// The folder of the last pick: the next chooser starts there.
    last_dir: Option<PathBuf>,
}

/// The extensions a chooser lists for an import of `kind` (folders are always listed).
fn extensions(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Units => &["shp", "geojson", "json", "gpkg"],
        ImportKind::Households | ImportKind::Workers => &["xlsx", "csv"],
    }
}

fn has_extension(path: &Path, wanted: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| wanted.iter().any(|w| e.eq_ignore_ascii_case(w)))
}

fn labelled(dialog: FileDialog, t: &ImportStrings) -> FileDialog {
    dialog
        .open_button_text(t.pick_open.into())
        .save_button_text(t.pick_save.into())
        .cancel_button_text(t.pick_cancel.into())
        .parent_folder_button_hover_text(t.pick_up.into())
        .refresh_button_hover_text(t.pick_refresh.into())
        .file_label_text(t.pick_file_name.into())
        .show_hidden_checkbox_text(t.pick_hidden.into())
        .new_folder_button_text(t.pick_new_folder.into())
        .rename_button_text(t.pick_rename.into())
        .show_rename(false)
        .default_size([520.0, 380.0])
        .keep_on_top(true)
}

impl FilePicker {
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Opens a chooser of files to import, starting in `dir`.
    pub fn open_sources(&mut self, kind: ImportKind, dir: &Path, lang: Lang) {
        let t = ImportStrings::get(lang);
        let wanted = extensions(kind);
        let dialog = labelled(FileDialog::open_file(), t)
            .title(t.pick_files)
            .initial_path(dir)
            .multi_select(true)
            .show_new_folder(false)
            .show_files_filter(Box::new(move |p: &Path| has_extension(p, wanted)));
        self.start(PickFor::ImportSources, dialog);
    }

    /// Opens a chooser of where the new document goes, starting in `dir`.
    pub fn open_new_document(&mut self, dir: &Path, lang: Lang) {
        let t = ImportStrings::get(lang);
        let dialog = labelled(FileDialog::save_file(), t)
            .title(t.pick_new)
            .initial_path(dir)
            .default_filename("county.gpkg")
            .show_new_folder(true)
            .show_files_filter(Box::new(|p: &Path| has_extension(p, &["gpkg"])));
        self.start(PickFor::NewDocument, dialog);
    }

    /// Where a chooser starts: the last pick's folder, else `fallback` (the document's).
    pub fn start_dir(&self, fallback: &Path) -> PathBuf {
        self.last_dir
            .clone()
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| fallback.to_owned())
    }

    fn start(&mut self, target: PickFor, mut dialog: FileDialog) {
        dialog.open();
        self.open = Some((target, dialog));
    }

    /// Draws the open chooser; the paths once the user confirms (nothing when cancelled).
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Picked> {
        let (target, dialog) = self.open.as_mut()?;
        let target = *target;
        let state = dialog.show(ctx).state();
        match state {
            State::Open => None,
            State::Closed | State::Cancelled => {
                self.open = None;
                None
            }
            State::Selected => {
                let mut paths: Vec<PathBuf> = if dialog.dialog_type() == DialogType::OpenFile {
                    dialog.selection().into_iter().map(Path::to_owned).collect()
                } else {
                    Vec::new()
                };
                if paths.is_empty() {
                    paths.extend(dialog.path().map(Path::to_owned));
                }
                if target == PickFor::ImportSources {
                    // Several entries may be selected; a folder among them is not a source.
                    paths.retain(|p| !p.is_dir());
                }
                if target == PickFor::NewDocument {
                    // A name typed without its extension still makes a GeoPackage.
                    for p in &mut paths {
                        if !has_extension(p, &["gpkg"]) {
                            p.set_extension("gpkg");
                        }
                    }
                }
                self.open = None;
                if let Some(dir) = paths.first().and_then(|p| p.parent()) {
                    self.last_dir = Some(dir.to_owned());
                }
                Some(Picked { target, paths })
            }
        }
    }
}
