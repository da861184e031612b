//! The workspace: the map with its layers, the inspector, search, choropleth and basemap
//! controls, the command palette and the hazard tool, around one open document.

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};
use geo_types::Coord;
use walkers::{Map, MapMemory, Tiles, lon_lat};

use crate::app::case_panels::{
    DraftAction, ListAction, case_actions_ui, case_list_ui, charts_ui, message_ui, new_case_window,
    time_slider_ui, unit_indicators_ui,
};
use crate::app::planning::{EditOutcome, levels_of};
use crate::app::planning_panel::{PanelView, planning_panel_ui};
use crate::app::{CaseDesk, CaseDraft, CaseRequest, DeskMessage, Document, Planning, Tool};
use crate::cases::Indicators;
use crate::edit::{Change, EditError};
use crate::map::{
    Basemap, CasesLayer, Choropleth, HOUSEHOLDS_ZOOM, HazardLayer, HeatmapLayer, HouseholdsLayer,
    Indicator, PlanningLayer, ScreenTransform, UnitsLayer, choropleth, level_for_zoom,
    lon_lat_to_mercator, make_tiles, mercator_to_lon_lat,
};
use crate::model::{CategoryCode, Level, Tag, Timestamp, UnitId};
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

/// Case indicators per unit of a level, for a period and a version of the cases.
type CaseIndicatorCache = (
    Level,
    (Timestamp, Timestamp),
    u64,
    HashMap<UnitId, Indicators>,
);

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
    /// The case list, time slider, drafts and steps.
    pub desk: CaseDesk,
    /// Boundary editing.
    pub planning: Planning,
    heat_texture: Option<egui::TextureHandle>,
    /// Case indicators per unit of a level over a period, for the choropleth.
    case_indicators: Option<CaseIndicatorCache>,
    /// A normalized Web Mercator box to show as soon as the map's size is known.
    pending_fit: Option<[f64; 4]>,
    unit_slot: HashMap<UnitId, usize>,
    choropleth_cache: Option<Choropleth>,
    map_rect: egui::Rect,
    focus_search: bool,
    /// The document revision the caches were last brought to.
    seen: crate::app::Revision,
    /// When other writers' commits were last looked for.
    last_poll: std::time::Instant,
    /// A reload of the whole document under way (another program changed units).
    reloading: Option<std::sync::mpsc::Receiver<Result<Document, String>>>,
    /// Rows of other programs' commits applied since the window opened (status bar).
    pub others_applied: usize,
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
        let mut desk = CaseDesk::new(&doc.dataset);
        desk.refresh(&doc.dataset);
        Workspace {
            desk,
            planning: Planning::default(),
            heat_texture: None,
            case_indicators: None,
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
            seen: crate::app::Revision::default(),
            last_poll: std::time::Instant::now(),
            reloading: None,
            others_applied: 0,
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
                } else if self.planning.editor.is_dragging() {
                    let d = &mut self.doc.dataset;
                    self.planning.editor.cancel_drag(d);
                    self.planning.live.clear();
                } else if self.planning.on
                    && (!self.planning.line.is_empty()
                        || !self.planning.merge.is_empty()
                        || !self.planning.painted.is_empty())
                {
                    self.planning.reset_tool();
                } else if self.desk.reporting || self.desk.draft.is_some() {
                    self.desk.reporting = false;
                    self.desk.draft = None;
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
            Command::ReportCase => {
                self.desk.reporting = !self.desk.reporting;
                self.desk.draft = None;
            }
            Command::CaseList => self.desk.show_list = !self.desk.show_list,
            Command::TimeSlider => {
                let s = &mut self.desk.slider;
                s.enabled = !s.enabled;
                if s.enabled && !s.playing {
                    // Start from today: the map does not jump when the slider appears.
                    s.day = s.days - 1;
                }
            }
            Command::Charts => self.desk.show_charts = !self.desk.show_charts,
            Command::Planning => {
                self.planning.on = !self.planning.on;
                self.planning.reset_tool();
                if self.planning.on {
                    self.desk.reporting = false;
                    self.hazard.cancel();
                    self.refresh_plans();
                } else {
                    self.close_plan();
                }
            }
            Command::Undo => self.undo_edit(),
            Command::Redo => self.redo_edit(),
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
        let period = self.desk.period();
        let version = self.desk.version;
        let cases_fresh = self
            .case_indicators
            .as_ref()
            .is_some_and(|(l, p, v, _)| *l == level && *p == period && *v == version);
        if self.indicator.is_case_indicator() && !cases_fresh {
            let values =
                crate::stats::unit_indicators(&self.doc.dataset, level, period.0, period.1)
                    .into_iter()
                    .map(|u| (UnitId(u.unit_id), u.indicators))
                    .collect();
            self.case_indicators = Some((level, period, version, values));
        }
        let fresh = fresh && (!self.indicator.is_case_indicator() || cases_fresh);
        if self.indicator == Indicator::None {
            self.choropleth_cache = None;
        } else if !fresh {
            self.choropleth_cache = choropleth(
                self.indicator,
                level,
                self.doc.geometry.level(level),
                &self.doc.stats,
                self.case_indicators.as_ref().map(|c| &c.3),
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
            let shown = |i: &usize| {
                self.desk
                    .states
                    .get(*i)
                    .is_some_and(|st| crate::map::pin_style(*st, self.show_closed_cases).is_some())
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

    /// Runs a step on case `i` (file first) and reports the outcome in the desk.
    pub fn apply_case_request(&mut self, i: usize, request: CaseRequest) {
        let written = self
            .desk
            .apply(&self.doc.path, &self.doc.dataset, i, request);
        if self.after_case_write(written).is_some() {
            let c = &self.doc.dataset.cases[i];
            self.desk.message = Some(DeskMessage::Done(format!(
                "{} → {}",
                c.code,
                c.status.name_zh()
            )));
        }
    }

    /// Starts a new case at a map location (reporting mode).
    pub fn start_case_at(&mut self, at: Coord<f64>, s: &Strings) {
        let unit = self.doc.index.micro_grid_at(at);
        if unit.is_none() {
            self.desk.message = Some(DeskMessage::Refused(s.no_unit.into()));
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
        let written = self.desk.submit_draft(&self.doc.path);
        if let Some(applied) = self.after_case_write(written)
            && let Some(&i) = applied.cases.first()
        {
            self.desk.message = Some(DeskMessage::Done(self.doc.dataset.cases[i].code.clone()));
            self.selection = Some(HitKind::Case(i));
        }
    }

    /// A write of cases of ours went to the file: what it wrote is applied to the document
    /// (the one mutation path). Refused, nothing changed; if another program changed the case
    /// meanwhile, its fresh row is fetched at once so the operator sees what is there now.
    fn after_case_write(
        &mut self,
        written: Result<crate::store::WrittenCases, crate::ledger::LedgerError>,
    ) -> Option<crate::ledger::Applied> {
        match written {
            Ok(w) => {
                let own = w.log;
                let applied = self.doc.apply(&w.into(), Some(own), self.desk.now);
                if applied.needs_reload {
                    self.start_reload();
                }
                self.sync_caches();
                Some(applied)
            }
            Err(e) => {
                let conflict = e.is_conflict();
                self.desk.message = Some(DeskMessage::Refused(e.to_string()));
                if conflict {
                    self.follow_others();
                }
                None
            }
        }
    }

    /// Applies other programs' commits (QGIS, the command line, a second window) through the
    /// same path as our own writes; changes that move units or households reload the document
    /// in the background.
    pub fn follow_others(&mut self) {
        if self.reloading.is_some() {
            return;
        }
        match self.doc.others_changes() {
            Ok(changes) if changes.is_empty() => {}
            Ok(changes) => {
                let applied = self.doc.apply(&changes, None, self.desk.now);
                if applied.needs_reload {
                    self.start_reload();
                } else {
                    self.others_applied += applied.cases.len();
                }
                self.sync_caches();
            }
            Err(e) => self.desk.message = Some(DeskMessage::Refused(e.to_string())),
        }
    }

    /// Reads the whole document again off the UI thread (another program changed units,
    /// households or workers, or deleted rows); the view, the selection (by id) and an open
    /// plan are kept.
    fn start_reload(&mut self) {
        if self.reloading.is_some() {
            return;
        }
        let path = self.doc.path.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(Document::open(path).map_err(|e| e.to_string()));
        });
        self.reloading = Some(rx);
    }

    /// A reload finished: the new document replaces the old one.
    fn finish_reload(&mut self) {
        let Some(rx) = &self.reloading else { return };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err("reload failed".into()),
        };
        self.reloading = None;
        let doc = match result {
            Ok(doc) => doc,
            Err(e) => {
                self.desk.message = Some(DeskMessage::Refused(e));
                return;
            }
        };
        let selected = self.selection.as_ref().map(|s| self.selection_key(s));
        let plan = self.planning.plan.take();
        self.planning.editor = crate::edit::Editor::default();
        self.planning.diff = None;
        self.doc = doc;
        let mut desk = CaseDesk::new(&self.doc.dataset);
        desk.filter = std::mem::take(&mut self.desk.filter);
        desk.sort = self.desk.sort;
        desk.descending = self.desk.descending;
        desk.show_list = self.desk.show_list;
        desk.show_charts = self.desk.show_charts;
        desk.heatmap = self.desk.heatmap;
        desk.actor = std::mem::take(&mut self.desk.actor);
        desk.now = desk.now.max(self.desk.now);
        self.desk = desk;
        self.seen = crate::app::Revision::default();
        self.seen.units = u64::MAX;
        self.sync_caches();
        self.selection = selected.and_then(|k| self.selection_from_key(&k));
        if let Some((id, _)) = plan {
            self.refresh_plans();
            self.open_plan(id);
        }
        self.others_applied += 1;
    }

    /// The id behind a selection (rows may move when the document is reloaded).
    fn selection_key(&self, s: &Selection) -> (u8, i64) {
        let d = &self.doc.dataset;
        match s {
            HitKind::Unit(i) => (0, d.units.get(*i).map_or(-1, |u| u.id.0)),
            HitKind::Household(i) => (1, d.households.get(*i).map_or(-1, |h| h.id.0)),
            HitKind::Case(i) => (2, d.cases.get(*i).map_or(-1, |c| c.id.0)),
        }
    }

    fn selection_from_key(&self, (kind, id): &(u8, i64)) -> Option<Selection> {
        let d = &self.doc.dataset;
        match kind {
            0 => d
                .units
                .iter()
                .position(|u| u.id.0 == *id)
                .map(HitKind::Unit),
            1 => d
                .households
                .iter()
                .position(|h| h.id.0 == *id)
                .map(HitKind::Household),
            _ => d
                .cases
                .iter()
                .position(|c| c.id.0 == *id)
                .map(HitKind::Case),
        }
    }

    /// Once a frame, before anything is drawn: other writers' commits, a finished reload, and
    /// the caches keyed on the document's revisions.
    pub fn sync(&mut self) {
        self.finish_reload();
        if self.last_poll.elapsed() >= std::time::Duration::from_millis(250) {
            self.last_poll = std::time::Instant::now();
            self.follow_others();
        }
        self.sync_caches();
    }

    /// Whether a reload of the document is under way.
    pub fn is_reloading(&self) -> bool {
        self.reloading.is_some()
    }

    /// Caches derived from the document are rebuilt when the revision they were made from
    /// moved — the only place that knows which depend on what.
    fn sync_caches(&mut self) {
        let now = self.doc.revision;
        if now.units != self.seen.units {
            self.planning.units_version += 1;
            self.unit_slot = self
                .doc
                .dataset
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| (u.id, i))
                .collect();
            self.desk.units_changed(&self.doc.dataset);
            self.choropleth_cache = None;
            self.case_indicators = None;
            self.hovered = None;
        }
        if now.cases != self.seen.cases {
            self.desk.cases_changed(&self.doc.dataset, self.desk.now);
            self.choropleth_cache = None;
        }
        self.seen = now;
    }

    /// The open plan, as the ledger writes it.
    fn plan_session(&self) -> Option<crate::ledger::PlanSession> {
        self.planning
            .plan
            .as_ref()
            .map(|(plan, _)| crate::ledger::PlanSession {
                path: self.doc.path.clone(),
                plan: *plan,
            })
    }

    /// After the editor computed and checked an edit: the plan keeps it (file first, see
    /// `ledger::PlanSession`), then what is derived from the units follows.
    pub fn after_edit(&mut self, result: Result<Change, EditError>) {
        let mut write_failed = false;
        let result = result.and_then(|change| {
            let Some(session) = self.plan_session() else {
                return Ok(change);
            };
            let (d, index) = (&mut self.doc.dataset, &mut self.doc.index);
            session
                .keep(d, index, &mut self.planning.editor)
                .map_err(|e| {
                    write_failed = true;
                    EditError::Refused(crate::edit::Refusal::new(
                        "write",
                        None,
                        format!("the file could not be written, nothing changed: {e}"),
                    ))
                })
        });
        self.planning.report(&result);
        self.planning.live.clear();
        if let Ok(change) = &result {
            self.units_changed(&levels_of(change));
        } else if write_failed {
            // The edit was taken back out of memory: redraw what it had touched.
            self.units_changed(&Level::ALL);
        }
    }

    fn units_changed(&mut self, levels: &[Level]) {
        // Indices into the units may shift: the selection follows the unit's id.
        let selected = self.selection.as_ref().map(|s| self.selection_key(s));
        self.doc.units_changed(levels, self.desk.now);
        self.sync_caches();
        self.selection = selected.and_then(|k| self.selection_from_key(&k));
    }

    pub fn undo_edit(&mut self) {
        self.step_history(true);
    }

    pub fn redo_edit(&mut self) {
        self.step_history(false);
    }

    /// Undo (or redo) one edit of the open plan: in the file, then in memory.
    fn step_history(&mut self, undo: bool) {
        let Some(session) = self.plan_session() else {
            return;
        };
        let (d, index, editor) = (
            &mut self.doc.dataset,
            &mut self.doc.index,
            &mut self.planning.editor,
        );
        let applied = if undo {
            session.undo(d, index, editor)
        } else {
            session.redo(d, index, editor)
        };
        match applied {
            Ok(None) => {}
            Ok(Some(applied)) => {
                self.planning.message = Some(if undo {
                    EditOutcome::Undone(applied.label.clone())
                } else {
                    EditOutcome::Redone(applied.label.clone())
                });
                self.units_changed(&levels_of(&applied));
            }
            Err(e) => {
                self.planning.message = Some(EditOutcome::Refused(format!(
                    "not written, nothing changed: {e}"
                )));
            }
        }
    }

    fn refresh_plans(&mut self) {
        match crate::store::list_plans(&self.doc.path) {
            Ok(plans) => self.planning.plans = plans,
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.to_string())),
        }
    }

    fn new_plan(&mut self) {
        let name = self.planning.new_plan_name.trim().to_owned();
        let now = self.desk.now.max(Timestamp::now()).to_iso();
        match crate::store::create_plan(&self.doc.path, &name, &now) {
            Ok(id) => {
                self.planning.new_plan_name.clear();
                self.refresh_plans();
                self.open_plan(id);
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.to_string())),
        }
    }

    fn open_plan(&mut self, id: i64) {
        self.close_plan();
        let name = self
            .planning
            .plans
            .iter()
            .find(|p| p.id == id)
            .map_or(String::new(), |p| p.name.clone());
        let d = &mut self.doc.dataset;
        match crate::ledger::open_plan(
            &self.doc.path,
            id,
            d,
            &mut self.doc.index,
            &mut self.planning.editor,
        ) {
            Ok(steps) => {
                self.planning.plan = Some((id, name));
                self.planning.diff = None;
                if steps > 0 {
                    self.units_changed(&Level::ALL);
                }
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.to_string())),
        }
    }

    /// Takes the open plan's edits out of the window (they stay in the file).
    fn close_plan(&mut self) {
        if self.planning.plan.take().is_none() {
            return;
        }
        let had = !self.planning.editor.changes().is_empty();
        let d = &mut self.doc.dataset;
        self.planning.editor.revert_all(d, &mut self.doc.index);
        self.planning.diff = None;
        self.planning.reset_tool();
        if had {
            self.units_changed(&Level::ALL);
        }
        self.refresh_plans();
    }

    fn approve_plan(&mut self) {
        let Some((plan, name)) = self.planning.plan.clone() else {
            return;
        };
        let date = match Timestamp::parse(self.planning.effective_date.trim()) {
            Ok(t) => t.to_iso()[..10].to_owned(),
            Err(e) => {
                self.planning.message = Some(EditOutcome::Refused(e.to_string()));
                return;
            }
        };
        let now = self.desk.now.max(Timestamp::now()).to_iso();
        let d = &mut self.doc.dataset;
        match crate::ledger::approve(
            &self.doc.path,
            plan,
            d,
            &mut self.doc.index,
            &mut self.planning.editor,
            &date,
            &now,
        ) {
            Ok(a) => {
                self.doc.own_write(a.log);
                self.planning.plan = None;
                self.planning.diff = None;
                self.planning.message = Some(EditOutcome::Done(format!(
                    "{name} · {date} · {} units, {} households",
                    a.units_written, a.households_moved
                )));
                self.units_changed(&Level::ALL);
                self.refresh_plans();
            }
            Err(e) => self.planning.message = Some(EditOutcome::Refused(e.to_string())),
        }
    }

    fn export_assignment(&mut self) {
        let Some((_, name)) = self.planning.plan.clone() else {
            return;
        };
        let diff = crate::ledger::diff(&self.doc.dataset, self.planning.editor.changes());
        let rows = crate::ledger::assignment_rows(&self.doc.dataset, &diff);
        let safe: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        let path = self
            .doc
            .path
            .with_file_name(format!("plan-{safe}-assignment.csv"));
        self.planning.message = Some(match crate::store::export_csv(&path, &rows) {
            Ok(()) => EditOutcome::Done(path.display().to_string()),
            Err(e) => EditOutcome::Refused(e.to_string()),
        });
    }

    /// Household counts of the units a drag moves, as they would be if it ended now.
    pub fn live_counts(&self) -> HashMap<UnitId, crate::map::LiveCount> {
        let moving = self.planning.editor.dragged_units();
        let mut counts: HashMap<UnitId, crate::map::LiveCount> = moving
            .iter()
            .map(|id| {
                let t = self.doc.stats.get(*id);
                (
                    *id,
                    crate::map::LiveCount {
                        households: t.map_or(0, |t| t.households),
                        persons: t.map_or(0, |t| t.persons),
                    },
                )
            })
            .collect();
        for m in &self.planning.live {
            let members = self.doc.dataset.households[m.household].members as i64;
            for (unit, sign) in [(m.from, -1i64), (m.to, 1)] {
                let Some(u) = unit else { continue };
                for a in self.desk.tree.ancestors(u).into_iter().flatten() {
                    if let Some(n) = counts.get_mut(&a) {
                        n.households = (n.households as i64 + sign).max(0) as u32;
                        n.persons = (n.persons as i64 + sign * members).max(0) as u32;
                    }
                }
            }
        }
        counts
    }

    fn run_planning(&mut self, action: crate::app::planning_panel::PlanningAction) {
        use crate::app::planning_panel::PlanningAction as A;
        let d = &mut self.doc.dataset;
        let index = &mut self.doc.index;
        let editor = &mut self.planning.editor;
        let result = match action {
            A::NewPlan => return self.new_plan(),
            A::OpenPlan(id) => return self.open_plan(id),
            A::ClosePlan => return self.close_plan(),
            A::Approve => return self.approve_plan(),
            A::ExportAssignment => return self.export_assignment(),
            A::Undo => return self.undo_edit(),
            A::Redo => return self.redo_edit(),
            A::FinishSplit => {
                let line = self.planning.line.clone();
                // The unit under the middle of the line.
                let mid = line[line.len() / 2 - usize::from(line.len().is_multiple_of(2))];
                let next = line[(line.len() / 2).min(line.len() - 1)];
                let m = geo_types::Coord {
                    x: (mid.x + next.x) / 2.0,
                    y: (mid.y + next.y) / 2.0,
                };
                match index.unit_at(d, editor.level, m) {
                    Some(u) => {
                        let id = d.units[u].id;
                        editor.split(d, index, id, &line).cloned()
                    }
                    None => Err(EditError::Refused(crate::edit::Refusal::new(
                        "split",
                        None,
                        "draw the line across a unit of the edited level",
                    ))),
                }
            }
            A::FinishCarve => {
                let outline = self.planning.line.clone();
                editor.carve(d, index, &outline).cloned()
            }
            A::Merge => {
                let pair = self.planning.merge.clone();
                editor.merge(d, index, pair[0], pair[1]).cloned()
            }
            A::Paint => {
                let households = self.planning.painted.clone();
                let target = self.planning.paint_target;
                match target {
                    Some(t) => editor.paint(d, index, &households, t).cloned(),
                    None => return,
                }
            }
        };
        // What was drawn or picked stays when the edit is refused, so it can be corrected.
        if result.is_ok() {
            self.planning.reset_tool();
        }
        self.after_edit(result);
    }

    /// Writes the listed cases to `<path>.csv` or `<path>.geojson`.
    pub fn export_cases(&mut self, geojson: bool) {
        let base = if self.desk.export_path.trim().is_empty() {
            self.doc.path.with_file_name("cases-export")
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
            Ok(()) => DeskMessage::Done(format!("{} ({} )", path.display(), rows.len())),
            Err(e) => DeskMessage::Refused(e.to_string()),
        });
    }

    pub fn import_cases(&mut self, s: &Strings) {
        let written = self.desk.import(&self.doc.path, &self.doc.index);
        if let Some(applied) = self.after_case_write(written) {
            self.desk.message = Some(DeskMessage::Done(format!(
                "{} {}{}",
                s.imported, applied.new_cases, s.cases_suffix
            )));
        }
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
    ws.sync();
    // Other writers' commits show within a second even when nobody touches the window.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(500));
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
    ws.desk.refresh(&ws.doc.dataset);
    if ws.desk.show_list || ws.desk.slider.enabled {
        egui::Panel::bottom("case-desk")
            .resizable(true)
            .default_size(if ws.desk.show_list { 300.0 } else { 40.0 })
            .show(ui, |ui| case_desk_ui(ui, ws, s));
    }
    if ws.desk.slider.enabled && ws.desk.slider.playing {
        ui.ctx().request_repaint();
    }
    if ws.planning.on {
        let live = ws.live_counts();
        let view = {
            let t = ws.map_transform();
            let (a, b) = (
                t.to_lon_lat(ws.map_rect.left_bottom()),
                t.to_lon_lat(ws.map_rect.right_top()),
            );
            Some([a.x, a.y, b.x, b.y])
        };
        let action = egui::Panel::right("planning")
            .exact_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| {
                        planning_panel_ui(
                            ui,
                            &mut ws.planning,
                            &PanelView {
                                dataset: &ws.doc.dataset,
                                index: &ws.doc.index,
                                stats: &ws.doc.stats,
                                view,
                                live_counts: &live,
                            },
                            s,
                        )
                    })
                    .inner
            })
            .inner;
        if let Some(a) = action {
            ws.run_planning(a);
        }
    } else if ws.hazard.mode != HazardMode::Off {
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
                message_ui(ui, &ws.desk, s);
                let mut request = None;
                // The steps of a selected case stay at the top, where the buttons do not move
                // as its history grows.
                if let Some(HitKind::Case(i)) = ws.selection {
                    request =
                        case_actions_ui(ui, &mut ws.desk, &ws.doc.dataset, i, s).map(|r| (i, r));
                    ui.separator();
                }
                egui::ScrollArea::vertical().show(ui, |ui| match ws.selection {
                    Some(sel) => {
                        if let Some(InspectorAction::Show(next)) = inspector_ui(
                            ui,
                            &ws.doc.dataset,
                            &InspectorContext {
                                stats: &ws.doc.stats,
                                unit_slot: &ws.unit_slot,
                                events_by_case: &ws.doc.events_by_case,
                                now: ws.desk.now,
                                case_chains: ws.desk.case_chains(),
                            },
                            sel,
                            s,
                        ) {
                            ws.show(next);
                        }
                        match sel {
                            HitKind::Unit(u) => {
                                let id = ws.doc.dataset.units[u].id;
                                unit_indicators_ui(ui, &mut ws.desk, &ws.doc.dataset, id, s);
                            }
                            HitKind::Household(_) | HitKind::Case(_) => {}
                        }
                    }
                    None => {
                        ui.heading(s.inspector);
                        ui.label(s.nothing_selected);
                    }
                });
                if let Some((i, r)) = request {
                    ws.apply_case_request(i, r);
                }
            });
    }
    map_ui(ui, ws, s);
    if let Some(draft) = ws.desk.draft.as_mut() {
        let unit_name = draft
            .unit
            .and_then(|u| ws.unit_slot.get(&u))
            .map(|&k| ws.doc.dataset.units[k].name.as_str());
        match new_case_window(ui.ctx(), draft, unit_name, s) {
            Some(DraftAction::Submit) => ws.submit_case_draft(),
            Some(DraftAction::Cancel) => ws.desk.draft = None,
            None => {}
        }
    }
    if ws.desk.show_charts {
        let mut open = true;
        egui::Window::new(s.charts)
            .open(&mut open)
            .default_width(520.0)
            .show(ui.ctx(), |ui| charts_ui(ui, &ws.desk, &ws.doc.dataset, s));
        ws.desk.show_charts = open;
    }
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
        // The tools row: drawing a hazard zone, and the case desk.
        ui.horizontal(|ui| {
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
            ui.separator();
            if ui
                .selectable_label(ws.desk.reporting, s.report_case)
                .clicked()
            {
                ws.run(Command::ReportCase, lang);
            }
            if ws.desk.reporting {
                ui.colored_label(Color32::from_rgb(30, 100, 210), s.report_case_hint);
            }
            if ui
                .selectable_label(ws.desk.show_list, s.case_list)
                .clicked()
            {
                ws.run(Command::CaseList, lang);
            }
            if ui
                .selectable_label(ws.desk.slider.enabled, s.time_slider)
                .clicked()
            {
                ws.run(Command::TimeSlider, lang);
            }
            if ui.selectable_label(ws.desk.show_charts, s.charts).clicked() {
                ws.run(Command::Charts, lang);
            }
            ui.separator();
            if ui.selectable_label(ws.planning.on, s.planning).clicked() {
                ws.run(Command::Planning, lang);
            }
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
            if ws.is_reloading() {
                ui.separator();
                ui.spinner();
                ui.label(s.reloading);
            } else if ws.others_applied > 0 {
                ui.separator();
                ui.label(format!("{}: {}", s.others_changes, ws.others_applied));
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
    ui.add_enabled(
        ws.show_cases,
        egui::Checkbox::new(&mut ws.desk.heatmap, s.heatmap),
    );
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
        Indicator::ClosureRate => s.closure_rate.into(),
        Indicator::OnTimeRate => s.on_time_rate.into(),
        Indicator::ReworkRate => s.rework_rate.into(),
        Indicator::PeriodOverdue => format!("{}（{}）", s.overdue_period, s.period),
        Indicator::MeanHandlingHours => s.mean_handling.into(),
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
    options.extend([
        Indicator::OpenCases,
        Indicator::OverdueCases,
        Indicator::ClosureRate,
        Indicator::OnTimeRate,
        Indicator::ReworkRate,
        Indicator::PeriodOverdue,
        Indicator::MeanHandlingHours,
    ]);
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
    if ws.indicator.is_case_indicator() {
        let (from, to) = ws.desk.period();
        ui.weak(format!(
            "{} {} – {}",
            s.period,
            &from.to_iso()[..10],
            &to.plus_seconds(-1).to_iso()[..10]
        ));
    }
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
            let live = ws.live_counts();
            let changed_households: Vec<usize> = ws
                .planning
                .diff
                .as_ref()
                .map(|(_, diff)| diff.households.iter().map(|h| h.0).collect())
                .unwrap_or_default();
            let mut map = Map::new(None, &mut ws.memory, centre);
            if let Some(tiles) = ws.basemap.tiles.as_deref_mut() {
                map = map.with_layer(tiles, 1.0);
            }
            let heatmap = (ws.desk.heatmap && ws.show_cases).then_some(HeatmapLayer {
                dataset: &ws.doc.dataset,
                index: &ws.doc.index,
                states: &ws.desk.states,
                show_closed: ws.show_closed_cases,
                texture: &mut ws.heat_texture,
            });
            let editing = ws.planning.on;
            let shift = ui.input(|i| i.modifiers.shift);
            // A press on a vertex drags it, not the map; Shift+drag draws a selection box.
            let grabbing = editing
                && ((ws.planning.tool == Tool::Drag
                    && (ws.planning.hover.is_some()
                        || ws.planning.hover_edge.is_some()
                        || ws.planning.editor.is_dragging()))
                    || (ws.planning.tool == Tool::Paint
                        && (shift
                            || ui.input(|i| i.modifiers.command)
                            || ws.planning.box_start.is_some()
                            || !ws.planning.lasso.is_empty())));
            let selection_box = ws
                .planning
                .box_start
                .zip(ui.input(|i| i.pointer.latest_pos()))
                .map(|(a, b)| egui::Rect::from_two_pos(a, b));
            let planning_layer = editing.then_some(PlanningLayer {
                dataset: &ws.doc.dataset,
                index: &ws.doc.index,
                level: ws.planning.editor.level,
                hover: ws.planning.hover,
                hover_edge: ws.planning.hover_edge.map(|(a, b, _)| (a, b)),
                moving: ws.planning.editor.dragged_units(),
                live_counts: &live,
                closed: matches!(ws.planning.tool, Tool::Paint | Tool::Carve),
                line: if ws.planning.tool == Tool::Paint {
                    &ws.planning.lasso
                } else {
                    &ws.planning.line
                },
                merge: &ws.planning.merge,
                painted: &ws.planning.painted,
                changed_households: &changed_households,
                refusal_at: ws.planning.refusal_at,
                selection_box,
            });
            let response = ui.add(
                map.with_plugin(UnitsLayer {
                    geometry: &ws.doc.geometry,
                    stats: &ws.doc.stats,
                    choropleth: ws.choropleth_cache.as_ref(),
                    selected: as_unit(ws.selection, &ws.doc.dataset),
                    hovered: as_unit(ws.hovered, &ws.doc.dataset),
                    households_suffix: s.households_suffix,
                })
                .with_plugin(OptionalPlugin(heatmap))
                .with_plugin(CasesLayer {
                    dataset: &ws.doc.dataset,
                    index: &ws.doc.index,
                    states: &ws.desk.states,
                    show_closed: ws.show_closed_cases,
                    selected: selected_case,
                    visible: ws.show_cases && !ws.desk.heatmap,
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
                .with_plugin(OptionalPlugin(planning_layer))
                .zoom_with_ctrl(false)
                .drag_pan_buttons(if grabbing {
                    // The primary button drags the vertex (or the box); the middle one still pans.
                    egui::DragPanButtons::MIDDLE
                } else {
                    egui::DragPanButtons::PRIMARY | egui::DragPanButtons::MIDDLE
                })
                .double_click_to_zoom(!ws.hazard.is_drawing() && !editing),
            );
            let t = ScreenTransform::from_memory(&ws.memory, centre, rect);
            ws.cursor = response.hover_pos().map(|p| t.to_lon_lat(p));
            if ws.desk.reporting && response.hovered() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
            }
            if let Some(draft) = &ws.desk.draft {
                let m = lon_lat_to_mercator(draft.location.x(), draft.location.y());
                let p = t.to_screen(m);
                ui.painter().circle(
                    p,
                    7.0,
                    crate::map::OPEN_COLOR,
                    egui::Stroke::new(2.0, Color32::from_rgb(255, 190, 0)),
                );
            }
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
                        let overdue =
                            if ws.desk.states.get(i) == Some(&crate::cases::CaseState::Overdue) {
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
            if editing {
                planning_pointer(ws, &response, &t);
            } else if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                if ws.hazard.is_drawing() {
                    ws.hazard
                        .click(t.to_lon_lat(p), &ws.doc.dataset, &ws.doc.index);
                } else if ws.desk.reporting {
                    ws.start_case_at(t.to_lon_lat(p), s);
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

/// A walkers plugin that may be absent this frame.
struct OptionalPlugin<P>(Option<P>);

impl<P: walkers::Plugin> walkers::Plugin for OptionalPlugin<P> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        response: &egui::Response,
        projector: &walkers::Projector,
        memory: &MapMemory,
    ) {
        if let Some(p) = self.0 {
            Box::new(p).run(ui, response, projector, memory);
        }
    }
}

/// The bottom panel: time slider and, when open, the case list.
fn case_desk_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
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
        Some(ListAction::Show(i)) => ws.show(HitKind::Case(i)),
        Some(ListAction::ExportCsv) => ws.export_cases(false),
        Some(ListAction::ExportGeoJson) => ws.export_cases(true),
        Some(ListAction::Import) => ws.import_cases(s),
        None => {}
    }
}

/// Pointer handling on the map while editing boundaries.
fn planning_pointer(ws: &mut Workspace, response: &egui::Response, t: &ScreenTransform) {
    let pointer = response.hover_pos().or(response.interact_pointer_pos());
    let radius_deg = |p: egui::Pos2| {
        let (a, b) = (t.to_lon_lat(p), t.to_lon_lat(p + egui::vec2(8.0, 0.0)));
        (b.x - a.x).abs()
    };
    match ws.planning.tool {
        Tool::Drag => {
            if !ws.planning.editor.is_dragging() {
                let near = pointer.map(|p| (t.to_lon_lat(p), radius_deg(p)));
                ws.planning.hover = near.and_then(|(at, r)| {
                    ws.planning
                        .nearest_vertex(&ws.doc.dataset, &ws.doc.index, at, r)
                });
                ws.planning.hover_edge = match (ws.planning.hover, near) {
                    (None, Some((at, r))) => {
                        ws.planning
                            .nearest_edge(&ws.doc.dataset, &ws.doc.index, at, r * 0.75)
                    }
                    _ => None,
                };
            }
            // Right-click a vertex: delete it. Double-click an edge: insert one.
            if response.secondary_clicked()
                && let Some(v) = ws.planning.hover
            {
                let d = &mut ws.doc.dataset;
                let result = ws
                    .planning
                    .editor
                    .delete_vertex(d, &mut ws.doc.index, v)
                    .cloned();
                ws.planning.hover = None;
                ws.after_edit(result);
                return;
            }
            if response.double_clicked()
                && let Some((_, _, at)) = ws.planning.hover_edge
            {
                let d = &mut ws.doc.dataset;
                let result = ws
                    .planning
                    .editor
                    .insert_vertex(d, &mut ws.doc.index, at)
                    .cloned();
                ws.planning.hover_edge = None;
                ws.after_edit(result);
                return;
            }
            if response.drag_started() {
                let anchors = match (ws.planning.hover, ws.planning.hover_edge) {
                    (Some(v), _) => vec![v],
                    // A whole edge: both its ends move together.
                    (None, Some((a, b, _))) => vec![a, b],
                    _ => Vec::new(),
                };
                if !anchors.is_empty() {
                    let d = &ws.doc.dataset;
                    match ws.planning.editor.begin_drag(d, &ws.doc.index, &anchors) {
                        Ok(()) => {
                            // From where the button went down: egui starts a drag only
                            // after the pointer moved a few points.
                            let origin = response.ctx.input(|i| i.pointer.press_origin());
                            ws.planning.drag_from = origin.or(pointer).map(|p| t.to_lon_lat(p));
                            ws.planning.anchors = anchors;
                        }
                        Err(e) => ws.planning.report(&Err(e)),
                    }
                }
            }
            if ws.planning.editor.is_dragging()
                && response.dragged()
                && let (Some(p), Some(from)) =
                    (response.interact_pointer_pos(), ws.planning.drag_from)
            {
                let at = t.to_lon_lat(p);
                let to: Vec<geo_types::Coord<f64>> = if ws.planning.anchors.len() == 1 {
                    // A vertex sits under the pointer, snapped to a neighbour's vertex or edge
                    // within a few points (hold Alt to place it freely).
                    let free = response.ctx.input(|i| i.modifiers.alt);
                    let snapped = (!free)
                        .then(|| {
                            ws.planning.snap(
                                &ws.doc.dataset,
                                &ws.doc.index,
                                at,
                                radius_deg(p) * 0.75,
                            )
                        })
                        .flatten();
                    vec![snapped.unwrap_or(at)]
                } else {
                    ws.planning
                        .anchors
                        .iter()
                        .map(|a| geo_types::Coord {
                            x: a.x + at.x - from.x,
                            y: a.y + at.y - from.y,
                        })
                        .collect()
                };
                let d = &mut ws.doc.dataset;
                if let Ok(live) = ws.planning.editor.drag_to(d, &ws.doc.index, &to) {
                    ws.planning.live = live;
                }
                ws.planning.hover = to.first().copied().filter(|_| to.len() == 1);
            }
            if response.drag_stopped() && ws.planning.editor.is_dragging() {
                let d = &mut ws.doc.dataset;
                let result = ws.planning.editor.end_drag(d, &mut ws.doc.index).cloned();
                ws.planning.hover = None;
                ws.planning.hover_edge = None;
                ws.planning.anchors.clear();
                ws.after_edit(result);
            }
        }
        Tool::Split | Tool::Carve => {
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                ws.planning.line.push(t.to_lon_lat(p));
            }
        }
        Tool::Merge => {
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
                && let Some(u) =
                    ws.doc
                        .index
                        .unit_at(&ws.doc.dataset, ws.planning.editor.level, t.to_lon_lat(p))
            {
                let id = ws.doc.dataset.units[u].id;
                let picks = &mut ws.planning.merge;
                if let Some(k) = picks.iter().position(|x| *x == id) {
                    picks.remove(k);
                } else {
                    if picks.len() == 2 {
                        picks.pop();
                    }
                    picks.push(id);
                }
            }
        }
        Tool::Paint => {
            let (shift, command) = response
                .ctx
                .input(|i| (i.modifiers.shift, i.modifiers.command));
            if response.drag_started() && command {
                ws.planning.lasso = pointer.map(|p| t.to_lon_lat(p)).into_iter().collect();
            } else if response.drag_started() && shift {
                ws.planning.box_start = response.interact_pointer_pos();
            }
            if !ws.planning.lasso.is_empty()
                && response.dragged()
                && let Some(p) = pointer
            {
                ws.planning.lasso.push(t.to_lon_lat(p));
            }
            if response.drag_stopped() && ws.planning.lasso.len() >= 3 {
                let mut ring: Vec<geo_types::Coord<f64>> = std::mem::take(&mut ws.planning.lasso);
                ring.push(ring[0]);
                let found = ws.doc.index.households_in(&crate::index::Area::Polygon(
                    geo_types::Polygon::new(geo_types::LineString::from(ring), vec![]),
                ));
                for h in found {
                    if !ws.planning.painted.contains(&h) {
                        ws.planning.painted.push(h);
                    }
                }
            } else if response.drag_stopped() {
                ws.planning.lasso.clear();
            }
            if response.drag_stopped()
                && let (Some(a), Some(b)) = (ws.planning.box_start.take(), pointer)
            {
                let (p, q) = (t.to_lon_lat(a), t.to_lon_lat(b));
                let ring = geo_types::LineString::from(vec![
                    (p.x, p.y),
                    (q.x, p.y),
                    (q.x, q.y),
                    (p.x, q.y),
                    (p.x, p.y),
                ]);
                let found = ws.doc.index.households_in(&crate::index::Area::Polygon(
                    geo_types::Polygon::new(ring, vec![]),
                ));
                for h in found {
                    if !ws.planning.painted.contains(&h) {
                        ws.planning.painted.push(h);
                    }
                }
            }
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
                && let Some(&(h, metres)) =
                    ws.doc.index.nearest_households(t.to_lon_lat(p), 1).first()
                && metres * t.points_per_metre() <= 8.0
            {
                if let Some(k) = ws.planning.painted.iter().position(|x| *x == h) {
                    ws.planning.painted.remove(k);
                } else {
                    ws.planning.painted.push(h);
                }
            }
        }
    }
}
