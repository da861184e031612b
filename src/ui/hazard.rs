//! The hazard-zone tool (平战转换): draw a polygon or a circle on the map and list at once the
//! households inside, their vulnerable and special members, and who is answerable.

use std::path::PathBuf;

use egui::{Color32, RichText, Ui};
use geo_types::{Coord, LineString, Polygon};

use crate::geom::haversine_m;
use crate::index::{Area, SpatialIndex};
use crate::model::{Dataset, Tag, Timestamp, mask_phone};
use crate::stats::{AreaReport, HouseholdRow, area_report};
use crate::ui::Strings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HazardMode {
    #[default]
    Off,
    Polygon,
    Circle,
}

/// The tool's state: what is being drawn, the finished zone and its report.
#[derive(Default)]
pub struct HazardTool {
    pub mode: HazardMode,
    /// Polygon corners placed so far (lon, lat).
    pub vertices: Vec<Coord<f64>>,
    pub circle_centre: Option<Coord<f64>>,
    pub zone: Option<Area>,
    pub report: Option<AreaReport>,
    /// Personal data is masked unless the operator unmasks it explicitly, with a reason that
    /// the window writes to the audit log first (`unmask_requested` asks it to).
    pub unmasked: bool,
    pub unmask_reason: String,
    pub unmask_requested: bool,
    pub last_export: Option<Result<PathBuf, String>>,
    /// Where "export" writes; [`export_dir`] when not set.
    pub export_dir: Option<PathBuf>,
}

impl HazardTool {
    pub fn start(&mut self, mode: HazardMode) {
        let export_dir = self.export_dir.take();
        *self = HazardTool {
            mode,
            export_dir,
            ..Default::default()
        };
    }

    pub fn cancel(&mut self) {
        self.start(HazardMode::Off);
    }

    pub fn is_drawing(&self) -> bool {
        self.mode != HazardMode::Off && self.zone.is_none()
    }

    /// A click on the map at (lon, lat) while drawing.
    pub fn click(&mut self, at: Coord<f64>, d: &Dataset, index: &SpatialIndex) {
        match self.mode {
            HazardMode::Polygon => self.vertices.push(at),
            HazardMode::Circle => match self.circle_centre {
                None => self.circle_centre = Some(at),
                Some(centre) => {
                    let radius_m = haversine_m((centre.x, centre.y), (at.x, at.y));
                    self.finish(Area::Circle { centre, radius_m }, d, index);
                }
            },
            HazardMode::Off => {}
        }
    }

    /// Closes the polygon being drawn (needs three corners).
    pub fn finish_polygon(&mut self, d: &Dataset, index: &SpatialIndex) -> bool {
        if self.mode != HazardMode::Polygon || self.vertices.len() < 3 {
            return false;
        }
        let mut ring = self.vertices.clone();
        ring.push(ring[0]);
        self.finish(
            Area::Polygon(Polygon::new(LineString::from(ring), vec![])),
            d,
            index,
        );
        true
    }

    pub fn finish(&mut self, area: Area, d: &Dataset, index: &SpatialIndex) {
        self.report = Some(area_report(d, index, &area));
        self.zone = Some(area);
    }

    /// The list as exported: masked unless unmasked.
    pub fn rows(&self, d: &Dataset) -> Vec<HouseholdRow> {
        let Some(report) = &self.report else {
            return Vec::new();
        };
        let names: std::collections::HashMap<_, _> =
            d.units.iter().map(|u| (u.id, u.name.as_str())).collect();
        report
            .households
            .iter()
            .map(|&i| {
                let h = &d.households[i];
                HouseholdRow::new(
                    h,
                    h.unit.and_then(|u| names.get(&u)).copied().unwrap_or(""),
                    self.unmasked,
                )
            })
            .collect()
    }

    /// Writes the list to `dir`/危险区域名单-<time>.csv (-2, -3… when that name is taken: two
    /// exports in one second must not overwrite each other, least of all a masked list with an
    /// unmasked one).
    pub fn export(&mut self, d: &Dataset, dir: &std::path::Path) {
        let stamp = d.meta.time_zone.file_stamp(Timestamp::now());
        let mut path = dir.join(format!("危险区域名单-{stamp}.csv"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("危险区域名单-{stamp}-{n}.csv"));
            n += 1;
        }
        // An unmasked list carries when and why on its first line.
        let mark = format!("{stamp} · {}", self.unmask_reason.trim());
        let written = crate::store::export_csv_titled(
            &path,
            self.unmasked.then_some(mark.as_str()),
            &self.rows(d),
        );
        self.last_export = Some(written.map(|()| path).map_err(|e| e.to_string()));
    }
}

/// Where exports go: the user's documents folder, else the data directory.
pub fn export_dir() -> PathBuf {
    dirs::document_dir()
        .or_else(dirs::data_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("GridAtlas")
}

/// The side panel with the report of the finished zone, or drawing instructions.
/// `may_reveal`: whether the signed-in role may unmask the list (with a reason).
pub fn hazard_panel_ui(
    ui: &mut Ui,
    tool: &mut HazardTool,
    d: &Dataset,
    s: &Strings,
    may_reveal: bool,
) {
    ui.heading(s.hazard_zone);
    let Some(report) = &tool.report else {
        ui.label(match (tool.mode, tool.circle_centre.is_some()) {
            (HazardMode::Polygon, _) => s.hazard_polygon_help,
            (HazardMode::Circle, false) => s.hazard_circle_help_centre,
            (HazardMode::Circle, true) => s.hazard_circle_help_radius,
            (HazardMode::Off, _) => "",
        });
        ui.label(format!("{}: {}", s.corners, tool.vertices.len()));
        return;
    };
    egui::Grid::new("hazard_totals")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label(s.households);
            ui.label(RichText::new(report.households.len().to_string()).strong());
            ui.end_row();
            ui.label(s.persons);
            ui.label(RichText::new(report.persons.to_string()).strong());
            ui.end_row();
            ui.label(s.micro_grids);
            ui.label(report.micro_grids.len().to_string());
            ui.end_row();
            ui.label(s.workers_answerable);
            ui.label(report.workers.len().to_string());
            ui.end_row();
        });
    // What reveals personal data and what writes it out stay at the top, in view whenever the
    // list they act on is.
    ui.separator();
    if tool.unmasked {
        // Masking again needs no reason.
        ui.checkbox(&mut tool.unmasked, s.unmask);
    } else if may_reveal {
        let a = crate::ui::AccessStrings::get(s.lang());
        ui.horizontal(|ui| {
            let l = ui.label(a.reveal_reason);
            ui.add(egui::TextEdit::singleline(&mut tool.unmask_reason).desired_width(160.0))
                .labelled_by(l.id);
        });
        if ui
            .add_enabled(
                !tool.unmask_reason.trim().is_empty(),
                egui::Button::new(s.unmask),
            )
            .on_disabled_hover_text(a.reveal_needs_reason)
            .clicked()
        {
            tool.unmask_requested = true;
        }
    }
    let export = ui.button(s.export_csv).clicked();
    match &tool.last_export {
        Some(Ok(path)) => {
            ui.add(egui::Label::new(format!("{} {}", s.exported_to, path.display())).wrap());
        }
        Some(Err(e)) => {
            ui.colored_label(Color32::from_rgb(180, 40, 30), e.as_str());
        }
        None => {}
    }
    ui.separator();
    // The rest scrolls inside the panel: however long an address, the panel never grows over
    // the map.
    let rows = tool.rows(d);
    egui::ScrollArea::both()
        .id_salt("hazard_details")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new(s.by_tag).strong());
            // Two tags a row: the list below stays in view on a 768-pixel screen.
            egui::Grid::new("hazard_tags")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    let tags: Vec<Tag> = Tag::ALL
                        .into_iter()
                        .filter(|t| t.is_vulnerable() || t.is_special())
                        .collect();
                    for pair in tags.chunks(2) {
                        for &tag in pair {
                            let n = report.by_tag[tag as usize];
                            let label = if tag.is_special() {
                                RichText::new(tag.name_zh()).color(Color32::from_rgb(170, 60, 40))
                            } else {
                                RichText::new(tag.name_zh())
                            };
                            ui.label(label);
                            ui.label(n.to_string());
                        }
                        ui.end_row();
                    }
                });
            egui::CollapsingHeader::new(format!(
                "{} ({})",
                s.workers_answerable,
                report.workers.len()
            ))
            .id_salt("hazard_workers")
            .default_open(false)
            .show(ui, |ui| {
                for w in d
                    .workers
                    .iter()
                    .filter(|w| report.workers.binary_search(&w.id).is_ok())
                    .take(200)
                {
                    ui.label(format!(
                        "{} {} {}",
                        w.role.name_zh(),
                        w.name,
                        mask_phone(&w.phone)
                    ));
                }
            });
            ui.separator();
            egui::Grid::new("hazard_list")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    for heading in [s.head, s.address, s.members, s.tags] {
                        ui.label(RichText::new(heading).strong());
                    }
                    ui.end_row();
                    for row in rows.iter().take(500) {
                        ui.label(&row.head);
                        ui.label(&row.address);
                        ui.label(row.members.to_string());
                        ui.label(&row.tags);
                        ui.end_row();
                    }
                });
            if rows.len() > 500 {
                ui.label(format!("… {} {}", rows.len() - 500, s.more_in_export));
            }
        });
    if export {
        let dir = tool.export_dir.clone().unwrap_or_else(export_dir);
        tool.export(d, &dir);
    }
}
