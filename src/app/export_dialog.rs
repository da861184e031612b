//! 文件 › 导出简报 (the monthly bulletin, the grid-meeting sheet) and 导出图片 (the map in view as
//! a PNG of a chosen size): one small dialog each, the same code as `gridatlas briefing`.
//! Typesetting takes a fifth of a second on a county, so it runs in the frame that asks.

use std::path::PathBuf;

use egui::Color32;

use crate::app::workspace::Workspace;
use crate::map::level_for_zoom;
use crate::ui::{ExportStrings, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Monthly,
    GridSheet,
    MapImage,
}

#[derive(Debug, Default)]
pub struct ExportDialog {
    pub open: Option<ExportKind>,
    pub month: String,
    pub unit: String,
    pub out: String,
    pub width: u32,
    pub height: u32,
    pub last: Option<Result<PathBuf, String>>,
}

/// The entries of the 文件 menu.
pub(crate) fn export_menu_items(ui: &mut egui::Ui, ws: &mut Workspace, lang: Lang) {
    let t = ExportStrings::get(lang);
    for (kind, label) in [
        (ExportKind::Monthly, t.monthly),
        (ExportKind::GridSheet, t.grid_sheet),
        (ExportKind::MapImage, t.map_image),
    ] {
        if ui.button(label).clicked() {
            open_dialog(ws, kind);
            ui.close();
        }
    }
}

/// Fills the dialog with what the desk shows: last month, the selected unit, a file beside
/// the document.
fn open_dialog(ws: &mut Workspace, kind: ExportKind) {
    let d = &ws.doc.dataset;
    let tz = &d.meta.time_zone;
    let now = ws.desk.now;
    let last_month = tz.month_start(tz.month_start(now).plus_seconds(-1));
    let selected = match ws.selection {
        Some(crate::ui::HitKind::Unit(i)) => d.units.get(i),
        _ => None,
    };
    let e = &mut ws.export;
    e.open = Some(kind);
    e.last = None;
    if e.month.is_empty() {
        e.month = tz.date(last_month).chars().take(7).collect();
    }
    e.unit = selected.map(|u| u.code.clone()).unwrap_or_default();
    if e.width == 0 {
        (e.width, e.height) = (4961, 3508);
    }
    let dir = ws.doc.folder();
    let name = match kind {
        ExportKind::Monthly => format!("bulletin-{}.pdf", e.month),
        ExportKind::GridSheet => format!("grid-sheet-{}.pdf", e.unit),
        ExportKind::MapImage => format!("map-{}.png", tz.file_stamp(now)),
    };
    e.out = dir.join(name).display().to_string();
}

/// Runs the export the dialog describes.
fn run(ws: &Workspace, kind: ExportKind, lang: Lang) -> Result<PathBuf, String> {
    let e = &ws.export;
    let d = &ws.doc.dataset;
    let now = ws.desk.now;
    let bytes = match kind {
        ExportKind::Monthly => {
            let unit = Some(e.unit.trim()).filter(|u| !u.is_empty());
            crate::briefing::monthly_pdf(d, unit, &e.month, None, now)?
        }
        ExportKind::GridSheet => crate::briefing::grid_pdf(d, &e.unit, None, now)?,
        ExportKind::MapImage => map_image(ws, lang, e.width, e.height)?,
    };
    let out = PathBuf::from(e.out.trim());
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, &out))
        .map_err(|err| format!("{}: {err}", out.display()))?;
    Ok(out)
}

/// The units in view at the level the map shows, coloured as the map colours them.
fn map_image(ws: &Workspace, lang: Lang, width: u32, height: u32) -> Result<Vec<u8>, String> {
    let t = ExportStrings::get(lang);
    let d = &ws.doc.dataset;
    let transform = ws.map_transform();
    let rect = ws.map_rect();
    let (a, b) = (
        transform.to_mercator(rect.left_top()),
        transform.to_mercator(rect.right_bottom()),
    );
    let choropleth = ws.choropleth_cache.as_ref();
    let level = choropleth.map_or_else(|| level_for_zoom(ws.memory.zoom()), |c| c.level);
    let geometry = ws.doc.geometry.level(level);
    let hex = |c: Color32| format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b());
    let areas: Vec<crate::briefing::Area> = geometry
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.bbox[0] <= b[0] && u.bbox[2] >= a[0] && u.bbox[1] <= b[1] && u.bbox[3] >= a[1]
        })
        .map(|(i, u)| crate::briefing::Area {
            geometry: &d.units[u.unit].geometry,
            fill: choropleth
                .and_then(|c| c.colors.get(i).copied())
                .map_or_else(|| "#f4f1e8".to_owned(), hex),
            label: u.name.clone(),
        })
        .collect();
    let legend: Vec<crate::briefing::Key> = choropleth.map_or_else(
        || vec![("#f4f1e8".to_owned(), t.outlines_only.to_owned())],
        |c| {
            c.legend
                .iter()
                .map(|(colour, text, _)| (hex(*colour), text.clone()))
                .collect()
        },
    );
    let title = format!(
        "{} · {}",
        d.units
            .iter()
            .find(|u| u.parent.is_none())
            .map_or("", |u| u.name.as_str()),
        t.map_title
    );
    let subtitle = format!(
        "{} · {}",
        level.name_zh(),
        d.meta.time_zone.minute(ws.desk.now)
    );
    let today = d
        .meta
        .time_zone
        .local(ws.desk.now)
        .map_or((2026, 1, 1), |l| {
            (i32::from(l.year), l.month as u8, l.day as u8)
        });
    crate::briefing::map_png(&title, &subtitle, &areas, &legend, width, height, today)
}

/// The dialog, when one is open.
pub(crate) fn export_window_ui(ctx: &egui::Context, ws: &mut Workspace, lang: Lang) {
    let Some(kind) = ws.export.open else {
        return;
    };
    let t = ExportStrings::get(lang);
    let title = match kind {
        ExportKind::Monthly => t.monthly,
        ExportKind::GridSheet => t.grid_sheet,
        ExportKind::MapImage => t.map_image,
    };
    let mut open = true;
    let mut go = false;
    egui::Window::new(title)
        .open(&mut open)
        .resizable(false)
        .show(ctx, |ui| {
            let e = &mut ws.export;
            egui::Grid::new("export").num_columns(2).show(ui, |ui| {
                if kind == ExportKind::Monthly {
                    let l = ui.label(t.month);
                    ui.add(egui::TextEdit::singleline(&mut e.month).desired_width(90.0))
                        .labelled_by(l.id);
                    ui.end_row();
                }
                if kind != ExportKind::MapImage {
                    let l = ui.label(t.unit);
                    let hint = if kind == ExportKind::Monthly {
                        t.unit_hint
                    } else {
                        t.grid_hint
                    };
                    ui.add(
                        egui::TextEdit::singleline(&mut e.unit)
                            .hint_text(hint)
                            .desired_width(180.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                } else {
                    ui.label(t.size);
                    ui.horizontal(|ui| {
                        ui.add(egui::DragValue::new(&mut e.width).range(200..=20_000));
                        ui.label("×");
                        ui.add(egui::DragValue::new(&mut e.height).range(200..=20_000));
                    });
                    ui.end_row();
                }
                let l = ui.label(t.out);
                ui.add(egui::TextEdit::singleline(&mut e.out).desired_width(360.0))
                    .labelled_by(l.id);
                ui.end_row();
            });
            go = ui.button(t.export).clicked();
            match &e.last {
                Some(Ok(path)) => {
                    ui.colored_label(
                        Color32::from_rgb(20, 130, 60),
                        format!("{} {}", t.written, path.display()),
                    );
                }
                Some(Err(err)) => {
                    ui.colored_label(
                        Color32::from_rgb(180, 40, 30),
                        format!("{} {err}", t.failed),
                    );
                }
                None => {}
            }
        });
    if go {
        ws.export.last = Some(run(ws, kind, lang));
    }
    if !open {
        ws.export.open = None;
    }
}
