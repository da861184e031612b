//! The case desk's actions on the open document: steps, new cases, import and export, and
//! the bottom panel (time slider and case list).

use std::collections::HashMap;

use egui::Ui;
use geo_types::Coord;

use crate::app::case_list::{ListAction, case_list_ui};
use crate::app::case_panels::time_slider_ui;
use crate::app::{CaseDraft, CaseRequest, DeskMessage};
use crate::model::{CategoryCode, UnitId};
use crate::ui::{HitKind, Strings};

use crate::app::actions::Action;
use crate::app::workspace::Workspace;

impl Workspace {
    /// Runs a step on case `i` (file first) and reports the outcome in the desk.
    pub fn apply_case_request(&mut self, i: usize, request: CaseRequest) {
        let (target, dataset) = self.doc.target();
        let written = self.desk.apply(target, dataset, i, request);
        if self.after_case_write(written).is_some() {
            let c = &self.doc.dataset.cases[i];
            let (code, status) = (c.code.clone(), c.status);
            self.desk.message = Some(DeskMessage::Done(crate::app::Message::new(|s| {
                format!("{code} → {}", s.status(status))
            })));
        }
    }

    /// Starts a new case at a map location (reporting mode).
    pub fn start_case_at(&mut self, at: Coord<f64>) {
        let unit = self.doc.index.micro_grid_at(at);
        if unit.is_none() {
            self.desk.message = Some(DeskMessage::Refused(crate::app::Message::new(|s| {
                s.no_unit.to_owned()
            })));

            return;
        }
        let category = self
            .desk
            .draft
            .as_ref()
            .map_or(CategoryCode { major: 6, minor: 2 }, |d| d.category);
        self.desk.draft = Some(CaseDraft {
            location: geo_types::Point(at),
            unit,
            category,
            title: String::new(),
            description: String::new(),
            reporter: String::new(),
        });
    }

    /// Reports the drafted case and selects it.
    pub fn submit_case_draft(&mut self) {
        let written = self.desk.submit_draft(self.doc.target().0);
        if let Some(applied) = self.after_case_write(written)
            && let Some(&i) = applied.cases.first()
        {
            self.desk.message = Some(DeskMessage::Done(crate::app::Message::data(
                self.doc.dataset.cases[i].code.clone(),
            )));
            self.selection = Some(HitKind::Case(i));
        }
    }

    /// Writes the listed cases to `<path>.csv` or `<path>.geojson`.
    pub fn export_cases(&mut self, geojson: bool) {
        let base = if self.desk.export_path.trim().is_empty() {
            self.doc.folder().join("cases-export")
        } else {
            std::path::PathBuf::from(self.desk.export_path.trim())
        };
        let path = base.with_extension(if geojson { "geojson" } else { "csv" });
        let d = &self.doc.dataset;
        let code_of: HashMap<UnitId, &str> =
            d.units.iter().map(|u| (u.id, u.code.as_str())).collect();
        let now = self.desk.view_time();
        let rows: Vec<crate::store::CaseRow> = self
            .desk
            .list
            .iter()
            .map(|&i| {
                let c = &d.cases[i];
                crate::store::CaseRow::new(
                    c,
                    c.unit.and_then(|u| code_of.get(&u)).map(|s| s.to_string()),
                    now,
                )
            })
            .collect();
        let result = if geojson {
            crate::store::export_cases_geojson(&path, &rows)
        } else {
            crate::store::export_cases_csv(&path, &rows)
        };
        self.desk.message = Some(match result {
            Ok(()) => DeskMessage::Done(crate::app::Message::new(|s| {
                format!(
                    "{} {} ({}{})",
                    s.exported_to,
                    path.display(),
                    rows.len(),
                    s.cases_suffix
                )
            })),
            Err(e) => DeskMessage::Refused(crate::app::messages::store_error(&e)),
        });
    }

    pub fn import_cases(&mut self) {
        let (target, index) = self.doc.target_and_index();
        let written = self.desk.import(target, index);
        if let Some(applied) = self.after_case_write(written) {
            let n = applied.new_cases;
            self.desk.message = Some(DeskMessage::Done(crate::app::Message::new(|s| {
                format!("{} {n}{}", s.imported, s.cases_suffix)
            })));
        }
    }
}

/// The bottom panel: time slider and, when open, the case list.
pub(crate) fn case_desk_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    time_slider_ui(ui, &mut ws.desk, s);
    if !ws.desk.show_list {
        return;
    }
    ui.separator();
    let selected_unit = match ws.selection {
        Some(HitKind::Unit(i)) => Some(ws.doc.dataset.units[i].id),
        _ => None,
    };
    let selected_case = match ws.selection {
        Some(HitKind::Case(i)) => Some(i),
        _ => None,
    };
    match case_list_ui(
        ui,
        &mut ws.desk,
        &ws.doc.dataset,
        selected_unit,
        selected_case,
        s,
    ) {
        Some(ListAction::Show(i)) => ws.push(Action::Show(HitKind::Case(i))),
        Some(ListAction::ExportCsv) => ws.push(Action::ExportCases { geojson: false }),
        Some(ListAction::ExportGeoJson) => ws.push(Action::ExportCases { geojson: true }),
        Some(ListAction::Import) => ws.push(Action::ImportCases),
        None => {}
    }
}
