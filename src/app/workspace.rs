//! The workspace: the map with its layers, the inspector, search, choropleth and basemap
//! controls, the command palette and the hazard tool, around one open document.

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};
use geo_types::Coord;
use walkers::{Map, MapMemory, Tiles, lon_lat};

use crate::app::Document;
use crate::map::{
    Basemap, CasesLayer, Choropleth, HOUSEHOLDS_ZOOM, HazardLayer, HouseholdsLayer, Indicator,
    ScreenTransform, UnitsLayer, choropleth, level_for_zoom, lon_lat_to_mercator, make_tiles,
    mercator_to_lon_lat,
};
use crate::model::{Level, Tag, UnitId};
use crate::ui::{
    Command, HazardMode, HazardTool, HitKind, InspectorAction, InspectorContext, Lang, SearchHit,
    Selection, Strings, hazard_panel_ui, inspector_ui, search,
};

/// Tiles of the current basemap, or why there are none.
pub struct BasemapState {
    pub choice: Basemap,
    pub tiles: Option<Box<dyn Tiles + Send>>,
    pub error: Option<String>,
    /// What the chooser's fields hold before "apply".
    pub draft: Basemap,
}

pub struct Workspace {
    pub doc: Document,
    pub memory: MapMemory,
    pub hazard: HazardTool,
    pub selection: Option<Selection>,
    pub hovered: Option<Selection>,
    pub indicator: Indicator,
    /// `None`: the level the zoom shows.
    pub indicator_level: Option<Level>,
    pub search_text: String,
    pub search_hits: Vec<SearchHit>,
    pub palette_open: bool,
    pub palette_filter: String,
    pub basemap: BasemapState,
    pub show_about: bool,
    /// Case pins on the map (open and overdue), and closed ones too.
    pub show_cases: bool,
    pub show_closed_cases: bool,
    pub cursor: Option<Coord<f64>>,
    /// A normalized Web Mercator box to show as soon as the map's size is known.
    pending_fit: Option<[f64; 4]>,
    unit_slot: HashMap<UnitId, usize>,
    choropleth_cache: Option<Choropleth>,
    map_rect: egui::Rect,
    focus_search: bool,
}

impl Workspace {
    pub fn new(doc: Document) -> Workspace {
        let unit_slot = doc
            .dataset
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        let pending_fit = doc.geometry.extent();
        Workspace {
            doc,
            memory: MapMemory::default(),
            hazard: HazardTool::default(),
            selection: None,
            hovered: None,
            indicator: Indicator::None,
            indicator_level: None,
            search_text: String::new(),
            search_hits: Vec::new(),
            palette_open: false,
            palette_filter: String::new(),
            basemap: BasemapState {
                choice: Basemap::None,
                tiles: None,
                error: None,
                draft: Basemap::None,
            },
            show_about: false,
            show_cases: true,
            show_closed_cases: false,
            cursor: None,
            pending_fit,
            unit_slot,
            choropleth_cache: None,
            map_rect: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1200.0, 800.0)),
            focus_search: false,
        }
    }

    /// Shows a normalized Web Mercator box, with a margin, in a map of `size` points.
    pub fn fit_box(&mut self, b: [f64; 4], size: egui::Vec2) {
        let (lon, lat) = mercator_to_lon_lat([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]);
        self.memory.center_at(lon_lat(lon, lat));
        let span =
            ((b[2] - b[0]) / size.x.max(1.0) as f64).max((b[3] - b[1]) / size.y.max(1.0) as f64);
        let zoom = (1.0 / (256.0 * span.max(1e-12))).log2() - 0.15;
        let _ = self.memory.set_zoom(zoom.clamp(2.0, 19.0));
    }

    /// Selects a unit or household and brings it into view.
    pub fn show(&mut self, selection: Selection) {
        self.selection = Some(selection);
        let b = match selection {
            HitKind::Unit(i) => {
                let u = &self.doc.dataset.units[i];
                self.doc.geometry.find(u.level, u.id).map(|g| g.bbox)
            }
            HitKind::Household(i) | HitKind::Case(i) => {
                let p = match selection {
                    HitKind::Case(_) => self.doc.dataset.cases[i].location,
                    _ => self.doc.dataset.households[i].location,
                };
                let m = lon_lat_to_mercator(p.x(), p.y());
                // About 300 m around it, so its neighbours show too.
                let d = 300.0 / 40_075_016.0;
                Some([m[0] - d, m[1] - d, m[0] + d, m[1] + d])
            }
        };
        self.pending_fit = b;
    }

    pub fn run(&mut self, command: Command, lang: &mut Lang) {
        let pan = |ws: &mut Workspace, dx: f32, dy: f32| {
            let t = ScreenTransform::from_memory(&ws.memory, lon_lat(113.7, 28.2), ws.map_rect);
            let c =
                t.to_lon_lat(ws.map_rect.center() + egui::vec2(dx, dy) * ws.map_rect.size() * 0.2);
            ws.memory.center_at(lon_lat(c.x, c.y));
        };
        match command {
            Command::ZoomIn => {
                let _ = self.memory.zoom_in();
            }
            Command::ZoomOut => {
                let _ = self.memory.zoom_out();
            }
            Command::PanLeft => pan(self, -1.0, 0.0),
            Command::PanRight => pan(self, 1.0, 0.0),
            Command::PanUp => pan(self, 0.0, -1.0),
            Command::PanDown => pan(self, 0.0, 1.0),
            Command::FitCounty => self.pending_fit = self.doc.geometry.extent(),
            Command::ClearSelection => {
                if self.palette_open {
                    self.palette_open = false;
                } else if self.hazard.mode != HazardMode::Off {
                    self.hazard.cancel();
                } else {
                    self.selection = None;
                    self.search_hits.clear();
                }
            }
            Command::CommandPalette => {
                self.palette_open = !self.palette_open;
                self.palette_filter.clear();
            }
            Command::FocusSearch => self.focus_search = true,
            Command::ToggleLanguage => {
                *lang = if *lang == Lang::Zh {
                    Lang::En
                } else {
                    Lang::Zh
                }
            }
            Command::HazardPolygon => self.hazard.start(HazardMode::Polygon),
            Command::HazardCircle => self.hazard.start(HazardMode::Circle),
            Command::About => self.show_about = !self.show_about,
        }
    }

    /// The mapping between the map's screen area and the world as of the last frame.
    pub fn map_transform(&self) -> ScreenTransform {
        ScreenTransform::from_memory(&self.memory, lon_lat(113.7, 28.2), self.map_rect)
    }

    /// The level the choropleth colours now.
    pub fn choropleth_level(&self) -> Level {
        self.indicator_level
            .unwrap_or_else(|| level_for_zoom(self.memory.zoom()).max(Level::Township))
    }

    fn refresh_choropleth(&mut self) {
        let level = self.choropleth_level();
        let fresh = self
            .choropleth_cache
            .as_ref()
            .is_some_and(|c| c.indicator == self.indicator && c.level == level);
        if self.indicator == Indicator::None {
            self.choropleth_cache = None;
        } else if !fresh {
            self.choropleth_cache = choropleth(
                self.indicator,
                level,
                self.doc.geometry.level(level),
                &self.doc.stats,
            );
        }
    }

    pub fn choropleth(&self) -> Option<&Choropleth> {
        self.choropleth_cache.as_ref()
    }

    /// What is under a screen point: a household (when their points are shown) or a unit of
    /// the finest level shown.
    fn pick(&self, t: &ScreenTransform, p: egui::Pos2) -> Option<Selection> {
        let at = t.to_lon_lat(p);
        // The nearest case that is drawn: closed ones are hidden unless asked for, and a hidden
        // case next to a pin must not stand in its way.
        if self.show_cases {
            let d = &self.doc.dataset;
            let shown = |i: &usize| {
                let c = &d.cases[*i];
                crate::map::pin_style(c, d.meta.as_of).is_some()
                    && (self.show_closed_cases || c.status.is_open())
            };
            if let Some((i, _)) = self
                .doc
                .index
                .cases_near(at, 7.0 / t.points_per_metre())
                .into_iter()
                .find(|(i, _)| shown(i))
            {
                return Some(HitKind::Case(i));
            }
        }
        if self.memory.zoom() >= HOUSEHOLDS_ZOOM - 0.3
            && let Some(&(i, metres)) = self.doc.index.nearest_households(at, 1).first()
            && metres * t.points_per_metre() <= 6.0
        {
            return Some(HitKind::Household(i));
        }
        let level = level_for_zoom(self.memory.zoom());
        self.doc
            .index
            .unit_at(&self.doc.dataset, level, at)
            .map(HitKind::Unit)
    }

    fn set_basemap(&mut self, choice: Basemap, ctx: &egui::Context) {
        let cache = crate::app::cache_dir().join("tiles");
        match make_tiles(&choice, ctx, &cache) {
            Ok(tiles) => {
                self.basemap.tiles = tiles;
                self.basemap.error = None;
                self.basemap.choice = choice.clone();
                self.basemap.draft = choice;
            }
            Err(e) => self.basemap.error = Some(e),
        }
    }

    /// Applies a persisted basemap choice at start.
    pub fn restore_basemap(&mut self, choice: Basemap, ctx: &egui::Context) {
        self.set_basemap(choice, ctx);
    }
}

pub fn workspace_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang) {
    for command in Command::pressed(ui.ctx()) {
        ws.run(command, lang);
    }
    let s = Strings::get(*lang);
    top_bar_ui(ui, ws, lang, s);
    let s = Strings::get(*lang);
    status_bar_ui(ui, ws, s);
    egui::Panel::left("summary")
        .default_size(230.0)
        .show(ui, |ui| summary_ui(ui, ws, s));
    if ws.hazard.mode != HazardMode::Off {
        if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            ws.hazard.finish_polygon(&ws.doc.dataset, &ws.doc.index);
        }
        egui::Panel::right("hazard")
            .exact_size(380.0)
            .show(ui, |ui| {
                hazard_panel_ui(ui, &mut ws.hazard, &ws.doc.dataset, s);
            });
    } else {
        egui::Panel::right("inspector")
            .exact_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| match ws.selection {
                    Some(sel) => {
                        if let Some(InspectorAction::Show(next)) = inspector_ui(
                            ui,
                            &ws.doc.dataset,
                            &InspectorContext {
                                stats: &ws.doc.stats,
                                unit_slot: &ws.unit_slot,
                                events_by_case: &ws.doc.events_by_case,
                            },
                            sel,
                            s,
                        ) {
                            ws.show(next);
                        }
                    }
                    None => {
                        ui.heading(s.inspector);
                        ui.label(s.nothing_selected);
                    }
                });
            });
    }
    map_ui(ui, ws, s);
    palette_ui(ui, ws, lang);
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

fn top_bar_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang, s: &Strings) {
    egui::Panel::top("menu").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(s.app_name).strong());
            ui.separator();
            let label = ui.label(s.command(Command::FocusSearch));
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut ws.search_text)
                        .hint_text(s.search_hint)
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            if ws.focus_search {
                response.request_focus();
                ws.focus_search = false;
            }
            if response.changed() {
                ws.search_hits = search(&ws.doc.dataset, &ws.search_text, 12);
            }
            if response.lost_focus()
                && ui.input(|i| i.key_pressed(egui::Key::Enter))
                && let Some(hit) = ws.search_hits.first()
            {
                let kind = hit.kind;
                ws.show(kind);
                ws.search_hits.clear();
            }
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
                    ws.run(Command::ToggleLanguage, lang);
                }
                if ui.button(s.about).clicked() {
                    ws.show_about = !ws.show_about;
                }
                if ui.button(format!("{} Ctrl+K", s.palette)).clicked() {
                    ws.run(Command::CommandPalette, lang);
                }
            });
        });
        if !ws.search_hits.is_empty()
            || (!ws.search_text.trim().is_empty() && ui.memory(|m| m.focused().is_some()))
        {
            search_results_ui(ui, ws, s);
        }
    });
}

fn search_results_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        if ws.search_hits.is_empty() {
            ui.weak(s.no_results);
        }
        for hit in &ws.search_hits {
            if ui.button(&hit.label).clicked() {
                chosen = Some(hit.kind);
            }
        }
    });
    if let Some(kind) = chosen {
        ws.show(kind);
        ws.search_hits.clear();
    }
}

fn status_bar_ui(ui: &mut Ui, ws: &Workspace, s: &Strings) {
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
            if let Some(tiles) = &ws.basemap.tiles {
                ui.separator();
                ui.label(tiles.attribution().text);
            }
        });
    });
}

fn summary_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
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
    ui.separator();
    ui.horizontal(|ui| {
        ui.checkbox(&mut ws.show_cases, s.show_cases);
        ui.add_enabled(
            ws.show_cases,
            egui::Checkbox::new(&mut ws.show_closed_cases, s.show_closed_cases),
        );
    });
    ui.separator();
    indicator_ui(ui, ws, s);
    ui.separator();
    basemap_ui(ui, ws, s);
    ui.separator();
    ui.small(s.about_synthetic);
}

fn indicator_name(i: Indicator, s: &Strings) -> String {
    match i {
        Indicator::None => s.indicator_none.into(),
        Indicator::Households => s.households.into(),
        Indicator::Persons => s.persons.into(),
        Indicator::Deviation => s.indicator_deviation.into(),
        Indicator::Tag(_) => i.tag().map_or(String::new(), |t| t.name_zh().to_owned()),
        Indicator::OpenCases => s.open_cases.into(),
        Indicator::OverdueCases => s.overdue_cases.into(),
    }
}

fn indicator_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    let mut options = vec![
        Indicator::None,
        Indicator::Households,
        Indicator::Persons,
        Indicator::Deviation,
    ];
    options.extend(
        Tag::ALL
            .iter()
            .filter(|t| t.is_vulnerable() || t.is_special())
            .map(|t| Indicator::Tag(*t as u8)),
    );
    options.extend([Indicator::OpenCases, Indicator::OverdueCases]);
    egui::ComboBox::from_label(s.indicator)
        .selected_text(indicator_name(ws.indicator, s))
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(&mut ws.indicator, o, indicator_name(o, s));
            }
        });
    let level_text = ws.indicator_level.map_or(s.level_auto, |l| s.level(l));
    egui::ComboBox::from_label(s.indicator_level)
        .selected_text(level_text)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut ws.indicator_level, None, s.level_auto);
            for l in Level::ALL.into_iter().skip(1) {
                ui.selectable_value(&mut ws.indicator_level, Some(l), s.level(l));
            }
        });
    ws.refresh_choropleth();
    if let Some(c) = ws.choropleth() {
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                s.legend,
                indicator_name(c.indicator, s),
                s.level(c.level)
            ))
            .strong(),
        );
        for (color, text) in &c.legend {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(18.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, *color);
                ui.label(text);
            });
        }
    }
}

fn basemap_name(b: &Basemap, s: &Strings) -> &'static str {
    match b {
        Basemap::None => s.basemap_none,
        Basemap::OpenStreetMap => s.basemap_osm,
        Basemap::TiandituVector { .. } => s.basemap_tianditu_vec,
        Basemap::TiandituImagery { .. } => s.basemap_tianditu_img,
        Basemap::Xyz { .. } => s.basemap_xyz,
        Basemap::MbTiles { .. } => s.basemap_mbtiles,
        Basemap::PmTiles { .. } => s.basemap_pmtiles,
    }
}

fn basemap_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    let kinds = [
        Basemap::None,
        Basemap::OpenStreetMap,
        Basemap::TiandituVector { key: String::new() },
        Basemap::TiandituImagery { key: String::new() },
        Basemap::Xyz {
            template: "http://".into(),
            attribution: String::new(),
        },
        Basemap::MbTiles {
            path: Default::default(),
        },
        Basemap::PmTiles {
            path: Default::default(),
        },
    ];
    let mut draft = ws.basemap.draft.clone();
    egui::ComboBox::from_label(s.basemap)
        .selected_text(basemap_name(&draft, s))
        .show_ui(ui, |ui| {
            for k in kinds {
                if ui
                    .selectable_label(draft.kind() == k.kind(), basemap_name(&k, s))
                    .clicked()
                    && draft.kind() != k.kind()
                {
                    draft = k;
                }
            }
        });
    match &mut draft {
        Basemap::TiandituVector { key } | Basemap::TiandituImagery { key } => {
            let label = ui.label(s.tianditu_key);
            ui.add(egui::TextEdit::singleline(key).hint_text(s.tianditu_key))
                .labelled_by(label.id);
        }
        Basemap::Xyz { template, .. } => {
            let label = ui.label(s.url_template);
            ui.add(egui::TextEdit::singleline(template).hint_text(s.url_template))
                .labelled_by(label.id);
        }
        Basemap::MbTiles { path } | Basemap::PmTiles { path } => {
            let label = ui.label(s.file_path);
            let mut text = path.display().to_string();
            if ui
                .add(egui::TextEdit::singleline(&mut text).hint_text(s.file_path))
                .labelled_by(label.id)
                .changed()
            {
                *path = text.into();
            }
        }
        Basemap::None | Basemap::OpenStreetMap => {}
    }
    let changed = draft != ws.basemap.choice;
    ws.basemap.draft = draft;
    if ui
        .add_enabled(changed, egui::Button::new(s.apply))
        .clicked()
    {
        let choice = ws.basemap.draft.clone();
        ws.set_basemap(choice, ui.ctx());
    }
    if let Some(e) = &ws.basemap.error {
        ui.colored_label(Color32::from_rgb(190, 40, 30), e.as_str());
    }
}

fn map_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    egui::CentralPanel::default()
        .frame(egui::Frame::new().fill(Color32::from_rgb(244, 241, 232)))
        .show(ui, |ui| {
            let rect = ui.available_rect_before_wrap();
            ws.map_rect = rect;
            if let Some(b) = ws.pending_fit.take() {
                ws.fit_box(b, rect.size());
            }
            ws.refresh_choropleth();
            let centre = ws.memory.detached().unwrap_or(lon_lat(113.7, 28.2));
            let inside: Vec<Coord<f64>> = ws
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
            let as_unit = |sel: Option<Selection>, d: &crate::model::Dataset| match sel {
                Some(HitKind::Unit(i)) => Some((d.units[i].level, d.units[i].id)),
                _ => None,
            };
            let selected_case = match ws.selection {
                Some(HitKind::Case(i)) => Some(i),
                _ => None,
            };
            let selected_household = match ws.selection {
                Some(HitKind::Household(i)) => Some(i),
                _ => None,
            };
            let mut map = Map::new(None, &mut ws.memory, centre);
            if let Some(tiles) = ws.basemap.tiles.as_deref_mut() {
                map = map.with_layer(tiles, 1.0);
            }
            let response = ui.add(
                map.with_plugin(UnitsLayer {
                    geometry: &ws.doc.geometry,
                    stats: &ws.doc.stats,
                    choropleth: ws.choropleth_cache.as_ref(),
                    selected: as_unit(ws.selection, &ws.doc.dataset),
                    hovered: as_unit(ws.hovered, &ws.doc.dataset),
                    households_suffix: s.households_suffix,
                })
                .with_plugin(CasesLayer {
                    dataset: &ws.doc.dataset,
                    index: &ws.doc.index,
                    show_closed: ws.show_closed_cases,
                    selected: selected_case,
                    visible: ws.show_cases,
                })
                .with_plugin(HouseholdsLayer {
                    dataset: &ws.doc.dataset,
                    index: &ws.doc.index,
                    selected: selected_household,
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
            let t = ScreenTransform::from_memory(&ws.memory, centre, rect);
            ws.cursor = response.hover_pos().map(|p| t.to_lon_lat(p));
            ws.hovered = response.hover_pos().and_then(|p| ws.pick(&t, p));
            if let Some(hovered) = ws.hovered {
                let text = match hovered {
                    HitKind::Unit(i) => {
                        let u = &ws.doc.dataset.units[i];
                        let n = ws.doc.stats.get(u.id).map_or(0, |t| t.households);
                        format!(
                            "{} · {}\n{} {}\n{n}{}",
                            u.name,
                            s.level(u.level),
                            s.code,
                            u.code,
                            s.households_suffix
                        )
                    }
                    HitKind::Case(i) => {
                        let c = &ws.doc.dataset.cases[i];
                        let overdue = if c.is_overdue_at(ws.doc.dataset.meta.as_of) {
                            s.overdue_mark
                        } else {
                            ""
                        };
                        format!("{}\n{} · {}{overdue}", c.title, c.code, c.status.name_zh())
                    }
                    HitKind::Household(i) => {
                        let h = &ws.doc.dataset.households[i];
                        format!(
                            "{} · {}{}\n{}",
                            crate::model::mask_name(&h.head_name),
                            h.members,
                            s.persons_suffix,
                            h.address
                        )
                    }
                };
                response.clone().on_hover_text_at_pointer(text);
            }
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                if ws.hazard.is_drawing() {
                    ws.hazard
                        .click(t.to_lon_lat(p), &ws.doc.dataset, &ws.doc.index);
                } else {
                    ws.selection = ws.pick(&t, p);
                }
            }
        });
}

fn palette_ui(ui: &mut Ui, ws: &mut Workspace, lang: &mut Lang) {
    if !ws.palette_open {
        return;
    }
    let s = Strings::get(*lang);
    let mut run = None;
    egui::Window::new(s.palette)
        .collapsible(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ui.ctx(), |ui| {
            let response = ui.add(
                egui::TextEdit::singleline(&mut ws.palette_filter)
                    .hint_text(s.palette_filter)
                    .desired_width(360.0),
            );
            response.request_focus();
            let filter = ws.palette_filter.to_lowercase();
            let matching: Vec<Command> = Command::ALL
                .into_iter()
                .filter(|c| {
                    *c != Command::CommandPalette && s.command(*c).to_lowercase().contains(&filter)
                })
                .collect();
            for c in &matching {
                let shortcut = c
                    .shortcut()
                    .map(|sc| ui.ctx().format_shortcut(&sc))
                    .unwrap_or_default();
                ui.horizontal(|ui| {
                    if ui.button(s.command(*c)).clicked() {
                        run = Some(*c);
                    }
                    ui.weak(shortcut);
                });
            }
            if ui.input(|i| i.key_pressed(egui::Key::Enter))
                && let Some(first) = matching.first()
            {
                run = Some(*first);
            }
        });
    if let Some(c) = run {
        ws.palette_open = false;
        ws.run(c, lang);
    }
}
