//! The workspace: the map with its layers, the inspector, search, choropleth and basemap
//! controls, the command palette and the hazard tool, around one open document.

use std::collections::HashMap;

use geo_types::Coord;
use walkers::{MapMemory, Tiles, lon_lat};

use crate::app::{CaseDesk, Document, Planning};
use crate::cases::Indicators;
use crate::map::{
    Basemap, Choropleth, Indicator, lon_lat_to_mercator, make_tiles, mercator_to_lon_lat,
};
use crate::model::{Level, Timestamp, UnitId};
use crate::ui::{HazardTool, HitKind, SearchHit, Selection};

/// Tiles of the current basemap, or why there are none.
pub struct BasemapState {
    pub choice: Basemap,
    pub tiles: Option<Box<dyn Tiles + Send>>,
    pub error: Option<String>,
    /// What the chooser's fields hold before "apply".
    pub draft: Basemap,
}

/// Case indicators per unit of a level, for a period and a version of the cases.
pub(crate) type CaseIndicatorCache = (
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
    /// 文件 › 新建 and 导入…: the dialogs and the work they started.
    pub import: crate::app::ImportSession,
    /// 文件 › 导出简报 / 导出图片.
    pub export: crate::app::ExportDialog,
    /// The wall display (大屏): open or not, its tour, what was pushed to it.
    pub wall: crate::app::WallSession,
    pub(crate) heat_texture: Option<egui::TextureHandle>,
    /// Case indicators per unit of a level over a period, for the choropleth.
    pub(crate) case_indicators: Option<CaseIndicatorCache>,
    /// A normalized Web Mercator box to show as soon as the map's size is known.
    pub(crate) pending_fit: Option<[f64; 4]>,
    pub(crate) unit_slot: HashMap<UnitId, usize>,
    pub(crate) choropleth_cache: Option<Choropleth>,
    pub(crate) map_rect: egui::Rect,
    pub(crate) focus_search: bool,
    /// Actions asked for this frame, carried out at its end.
    pub(crate) actions: Vec<crate::app::actions::Action>,
    /// The document revision the caches were last brought to.
    pub(crate) seen: crate::app::Revision,
    /// When other writers' commits were last looked for.
    pub(crate) last_poll: std::time::Instant,
    /// A reload of the whole document under way (another program changed units).
    pub(crate) reloading: Option<std::sync::mpsc::Receiver<Result<Document, crate::app::Message>>>,
    /// Rows of other programs' commits applied since the window opened (status bar).
    pub others_applied: usize,
    /// The selected unit, household or case no longer exists (status bar).
    pub selection_gone: bool,
    /// The selection by id, as of the start of the frame or action (see `remember_selection`).
    pub(crate) selected_id: Option<(u8, i64)>,
    /// Who is signed in (a document with accounts): their role decides what the window
    /// offers, their key opens the personal data. `None` for a document without accounts.
    pub session: Option<crate::store::SignedIn>,
    /// Signed in without asking (the demo on first start).
    pub signed_in_automatically: bool,
    /// The household whose personal data was revealed, with a reason that is in the audit
    /// log; it is shown in full until another is selected.
    pub revealed: Option<crate::model::HouseholdId>,
    /// The reason typed for a reveal.
    pub reveal_reason: String,
    /// 网格员配备: the staffing list.
    pub staffing: crate::app::staffing_panel::StaffingPanel,
    /// 网格员管理: the form under a selected unit.
    pub worker_form: crate::app::workers_panel::WorkerForm,
}

impl Workspace {
    pub fn new(mut doc: Document) -> Workspace {
        let unit_slot = unit_slots(&doc.dataset);
        let pending_fit = doc.geometry.extent();
        let mut desk = CaseDesk::new(&doc.dataset);
        doc.judge_overdue_at(desk.now);
        desk.refresh(&doc.dataset);
        Workspace {
            desk,
            planning: Planning::default(),
            wall: crate::app::WallSession::default(),
            export: crate::app::ExportDialog::default(),
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
            actions: Vec::new(),
            seen: crate::app::Revision::default(),
            last_poll: std::time::Instant::now(),
            reloading: None,
            import: crate::app::ImportSession::default(),
            others_applied: 0,
            selection_gone: false,
            selected_id: None,
            session: None,
            signed_in_automatically: false,
            revealed: None,
            reveal_reason: String::new(),
            staffing: Default::default(),
            worker_form: Default::default(),
        }
    }

    /// Whether whoever works here may do `p`: a document without accounts has no roles, so
    /// everything is allowed as before.
    pub fn may(&self, p: crate::model::Permission) -> bool {
        self.session.as_ref().is_none_or(|s| s.account.role.may(p))
    }

    /// Where the map is centred until someone moves it: the middle of the document (walkers
    /// calls it "my position").
    pub fn home(&self) -> walkers::Position {
        self.doc
            .geometry
            .extent()
            .map_or(lon_lat(113.7, 28.2), |b| {
                let (lon, lat) = mercator_to_lon_lat([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]);
                lon_lat(lon, lat)
            })
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

    /// A grid worker starts on their grid, selected, rather than on the county around it.
    pub fn show_own_scope(&mut self) {
        let Some(scope) = self.session.as_ref().and_then(|s| s.account.scope.clone()) else {
            return;
        };
        if let Some(i) = self.doc.dataset.units.iter().position(|u| u.code == scope) {
            self.show(HitKind::Unit(i));
        }
    }

    /// The id behind a selection (rows may move when the document is reloaded).
    pub(crate) fn selection_key(&self, s: &Selection) -> (u8, i64) {
        let d = &self.doc.dataset;
        match s {
            HitKind::Unit(i) => (0, d.units.get(*i).map_or(-1, |u| u.id.0)),
            HitKind::Household(i) => (1, d.households.get(*i).map_or(-1, |h| h.id.0)),
            HitKind::Case(i) => (2, d.cases.get(*i).map_or(-1, |c| c.id.0)),
        }
    }

    /// Selects again, by id, what was selected before rows moved; if it is gone (merged away,
    /// deleted by another program) the selection clears and the status bar says why.
    pub(crate) fn reselect(&mut self, key: Option<(u8, i64)>) {
        self.selection = key.and_then(|k| self.selection_from_key(&k));
        self.selection_gone = key.is_some() && self.selection.is_none();
        self.selected_id = key.filter(|_| self.selection.is_some());
    }

    /// Notes the id of what is selected now, while row positions still mean what they meant
    /// when it was selected (before anything in this frame or action changes the data).
    pub(crate) fn remember_selection(&mut self) {
        let now = self.selection.as_ref().map(|s| self.selection_key(s));
        if now != self.selected_id {
            // A refusal is about what was selected: it goes when the selection changes.
            if matches!(self.desk.message, Some(crate::app::DeskMessage::Refused(_))) {
                self.desk.message = None;
            }
            if matches!(
                self.planning.message,
                Some(crate::app::planning::EditOutcome::Refused(_))
            ) {
                self.planning.message = None;
                self.planning.refusal_at = None;
            }
        }
        self.selected_id = now;
    }

    pub(crate) fn selection_from_key(&self, (kind, id): &(u8, i64)) -> Option<Selection> {
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
        self.remember_selection();
        self.finish_reload();
        if self.last_poll.elapsed() >= std::time::Duration::from_millis(250) {
            self.last_poll = std::time::Instant::now();
            self.follow_others();
        }
        let minute_passed = self.desk.tick_clock();
        if minute_passed && self.doc.judge_overdue_at(self.desk.now) {
            self.choropleth_cache = None;
        }
        // A new day (or the first frame, a moved clock, a reload): scheduled plans whose day
        // it is take effect. The day can only change with the minute, so the frames in
        // between do no calendar work.
        if minute_passed || self.planning.today.is_empty() {
            let today = self.doc.dataset.meta.time_zone.date(self.desk.now);
            if self.planning.today != today {
                self.planning.today = today;
                self.push(crate::app::Action::Planning(
                    crate::app::PlanningAction::ActivateDuePlans,
                ));
            }
        }
        self.sync_caches();
    }

    /// Holds "now" at `at` instead of the clock (tests and benchmarks that need the demo's
    /// fixed figures), or lets the clock run again with `None`.
    pub fn fix_clock(&mut self, at: Option<Timestamp>) {
        self.desk.fix_clock(at);
        self.doc.judge_overdue_at(self.desk.now);
        self.planning.today.clear();
        self.desk.version += 1;
        self.choropleth_cache = None;
    }

    /// Whether a reload of the document is under way.
    pub fn is_reloading(&self) -> bool {
        self.reloading.is_some()
    }

    /// Caches derived from the document are rebuilt when the revision they were made from
    /// moved — the only place that knows which depend on what.
    pub(crate) fn sync_caches(&mut self) {
        let now = self.doc.revision;
        if now.units != self.seen.units {
            self.planning.units_version += 1;
            self.unit_slot = unit_slots(&self.doc.dataset);
            self.desk.units_changed(&self.doc.dataset);
            self.choropleth_cache = None;
            self.case_indicators = None;
            self.hovered = None;
        }
        if now.cases != self.seen.cases {
            let changed = self.doc.take_changed_cases();
            self.desk.cases_changed(&self.doc.dataset, &changed);
            self.choropleth_cache = None;
        }
        self.seen = now;
    }

    pub(crate) fn units_changed(&mut self, levels: &[Level]) {
        // Indices into the units may have shifted (the edit is already in memory): the
        // selection follows the id it had before.
        let selected = self.selected_id;
        self.doc.units_changed(levels, self.desk.now);
        self.sync_caches();
        self.reselect(selected);
    }

    pub(crate) fn set_basemap(&mut self, choice: Basemap, ctx: &egui::Context) {
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

/// Each unit's position in `Dataset::units`.
fn unit_slots(d: &crate::model::Dataset) -> HashMap<UnitId, usize> {
    d.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect()
}
