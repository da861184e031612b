//! Actions: what panels, menus, shortcuts and the palette ask of the workspace, queued
//! during the frame and carried out once at its end (rerun's `UICommand` pattern), so that no
//! panel changes the document or the view while another is still drawing from it.

use walkers::lon_lat;

use crate::app::CaseRequest;
use crate::app::planning_panel::PlanningAction;
use crate::app::workspace::Workspace;
use crate::map::ScreenTransform;
use crate::model::CaseId;
use crate::model::Permission;
use crate::ui::{Command, HazardMode, Lang, Selection};

/// Everything a person can ask of the workspace outside a gesture in progress (a vertex drag
/// or a line being drawn is the editor's own state, committed through `after_edit`).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command of the menus, keys and palette, with its label and shortcuts in `ui::Command`.
    Command(Command),
    /// Select a unit, household or case and bring it into view.
    Show(Selection),
    /// Select what the map was clicked on (or nothing).
    Select(Option<Selection>),
    /// A step on a case, named by id: rows may move before the queue is drained.
    CaseStep(CaseId, CaseRequest),
    SubmitCaseDraft,
    CancelCaseDraft,
    ImportCases,
    ExportCases {
        geojson: bool,
    },
    FinishHazardPolygon,
    CancelHazard,
    Planning(PlanningAction),
    /// 文件 › 新建 and 导入….
    Import(crate::app::ImportAction),
    /// Show one household's personal data in full, for the reason typed (logged first).
    Reveal(crate::model::HouseholdId),
    /// Unmask the hazard zone's list, for the reason typed (logged first).
    RevealHazardList,
    /// Write the worker form (a new worker, or the one it edits, perhaps moved).
    SaveWorker,
    /// The worker leaves their post (kept for the cases they handled).
    RetireWorker(crate::model::WorkerId),
    /// Link a household to a party member (or to nobody).
    LinkParty(crate::model::HouseholdId, Option<crate::model::WorkerId>),
}

impl Action {
    /// What the signed-in account must be allowed to carry it out (the README's role table).
    fn needs(&self) -> Option<Permission> {
        match self {
            Action::CaseStep(..) | Action::SubmitCaseDraft | Action::ImportCases => {
                Some(Permission::CaseSteps)
            }
            Action::ExportCases { .. } => Some(Permission::ExportMasked),
            Action::FinishHazardPolygon => Some(Permission::HazardLists),
            // Scheduled plans take effect on their date whoever has the window open.
            Action::Planning(PlanningAction::ActivateDuePlans | PlanningAction::ClosePlan) => None,
            Action::Planning(_) => Some(Permission::Plan),
            Action::Import(crate::app::ImportAction::Cancel) => None,
            Action::Import(_) => Some(Permission::Import),
            Action::Reveal(_) | Action::RevealHazardList => Some(Permission::Reveal),
            Action::SaveWorker | Action::RetireWorker(_) | Action::LinkParty(..) => {
                Some(Permission::ManageWorkers)
            }
            Action::Command(c) => c.needs(),
            Action::Show(_)
            | Action::Select(_)
            | Action::CancelCaseDraft
            | Action::CancelHazard => None,
        }
    }

    /// Whether carrying it out writes to the document (refused while the document's outlines
    /// are broken).
    fn writes(&self) -> bool {
        match self {
            Action::SaveWorker | Action::RetireWorker(_) | Action::LinkParty(..) => true,
            Action::CaseStep(..) | Action::SubmitCaseDraft | Action::ImportCases => true,
            Action::Import(a) => *a == crate::app::ImportAction::Commit,
            Action::Planning(a) => !matches!(a, PlanningAction::ClosePlan),
            Action::Command(c) => matches!(c, Command::ReportCase | Command::Planning),
            _ => false,
        }
    }
}

impl Workspace {
    /// Queues an action for the end of the frame.
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Carries out the frame's actions, in the order they were asked for.
    pub fn drain_actions(&mut self, lang: &mut Lang) {
        for action in std::mem::take(&mut self.actions) {
            self.perform(action, lang);
        }
    }

    /// Carries out one action now.
    pub fn perform(&mut self, action: Action, lang: &mut Lang) {
        self.remember_selection();
        if let Some(p) = action.needs()
            && !self.may(p)
        {
            // The tools are not offered to such a role; a key or the palette still lands here.
            self.desk.message = Some(crate::app::DeskMessage::Refused(
                crate::app::messages::not_permitted(),
            ));
            return;
        }
        // Turning boundary editing or reporting off is always allowed.
        let turning_off = matches!(action, Action::Command(Command::Planning)) && self.planning.on
            || matches!(action, Action::Command(Command::ReportCase)) && self.desk.reporting;
        if self.doc.unfit.is_some() && action == Action::Planning(PlanningAction::ActivateDuePlans)
        {
            // Waits for the outlines to be fixed (the reload that brings the fix checks again);
            // the banner says why.
            return;
        }
        if let Some(v) = &self.doc.unfit
            && action.writes()
            && !turning_off
        {
            self.desk.message = Some(crate::app::DeskMessage::Refused(
                crate::app::messages::writes_disabled(v, &self.doc.dataset),
            ));
            return;
        }
        if self.doc.server_down().is_some() && action.writes() && !turning_off {
            if action != Action::Planning(PlanningAction::ActivateDuePlans) {
                self.desk.message = Some(crate::app::DeskMessage::Refused(
                    crate::app::messages::server_away(),
                ));
            }
            return;
        }
        match action {
            Action::Command(c) => self.run(c, lang),
            Action::Show(s) => {
                self.selection_gone = false;
                if Some(s) != self.selection {
                    self.revealed = None;
                }
                self.show(s);
            }
            Action::Select(s) => {
                self.selection_gone = false;
                if s != self.selection {
                    self.revealed = None;
                }
                self.selection = s;
            }
            Action::CaseStep(id, request) => {
                match self.doc.dataset.cases.iter().position(|c| c.id == id) {
                    Some(i) => self.apply_case_request(i, request),
                    None => {
                        self.desk.message = Some(crate::app::DeskMessage::Refused(
                            crate::app::messages::case_gone(),
                        ))
                    }
                }
            }
            Action::SubmitCaseDraft => self.submit_case_draft(),
            Action::CancelCaseDraft => self.desk.draft = None,
            Action::ImportCases => self.import_cases(),
            Action::ExportCases { geojson } => self.export_cases(geojson),
            Action::FinishHazardPolygon => {
                self.hazard
                    .finish_polygon(&self.doc.dataset, &self.doc.index);
            }
            Action::CancelHazard => self.hazard.cancel(),
            Action::Planning(a) => self.run_planning(a),
            Action::Import(a) => self.run_import(a),
            Action::Reveal(id) => self.reveal(id),
            Action::RevealHazardList => self.reveal_hazard_list(),
            Action::SaveWorker => self.save_worker(None),
            Action::RetireWorker(id) => self.save_worker(Some(id)),
            Action::LinkParty(h, w) => self.link_party(h, w),
        }
    }

    /// Unmasks the hazard list once its reason is in the audit log.
    fn reveal_hazard_list(&mut self) {
        let reason = self.hazard.unmask_reason.trim().to_owned();
        let Some(report) = &self.hazard.report else {
            return;
        };
        if reason.is_empty() {
            self.desk.message = Some(crate::app::DeskMessage::Refused(
                crate::app::messages::reveal_needs_reason(),
            ));
            return;
        }
        let event = crate::store::AuditEvent {
            at: self.desk.now.max(crate::model::Timestamp::now()),
            actor: self.desk.actor.clone(),
            action: crate::store::AuditAction::Reveal,
            target: format!("hazard zone: {} households", report.households.len()),
            reason,
            detail: "hazard list".into(),
        };
        match crate::store::audit::record(&self.doc.path, &event) {
            Ok(_) => self.hazard.unmasked = true,
            Err(e) => {
                self.desk.message = Some(crate::app::DeskMessage::Refused(
                    crate::app::messages::store_error(&e),
                ))
            }
        }
    }

    /// Reveals one household, once its reason is in the audit log (refused without a reason,
    /// or when the log cannot be written: no reveal goes unrecorded).
    fn reveal(&mut self, id: crate::model::HouseholdId) {
        let reason = self.reveal_reason.trim().to_owned();
        if reason.is_empty() {
            self.desk.message = Some(crate::app::DeskMessage::Refused(
                crate::app::messages::reveal_needs_reason(),
            ));
            return;
        }
        let Some(h) = self.doc.dataset.households.iter().find(|h| h.id == id) else {
            return;
        };
        let event = crate::store::AuditEvent {
            at: self.desk.now.max(crate::model::Timestamp::now()),
            actor: self.desk.actor.clone(),
            action: crate::store::AuditAction::Reveal,
            target: h.code.clone(),
            reason,
            detail: "household".into(),
        };
        match crate::store::audit::record(&self.doc.path, &event) {
            Ok(_) => {
                self.revealed = Some(id);
                self.reveal_reason.clear();
            }
            Err(e) => {
                self.desk.message = Some(crate::app::DeskMessage::Refused(
                    crate::app::messages::store_error(&e),
                ))
            }
        }
    }

    /// Carries out a command now (the queue calls this; tests and benchmarks may too).
    pub fn run(&mut self, command: Command, lang: &mut Lang) {
        let pan = |ws: &mut Workspace, dx: f32, dy: f32| {
            let t = ScreenTransform::from_memory(&ws.memory, ws.home(), ws.map_rect);
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
            Command::WallDisplay => self.wall.open = !self.wall.open,
            Command::PushToWall => {
                self.wall.open = true;
                let report = self.hazard.report.as_ref();
                if !self
                    .wall
                    .push(&self.doc, self.selection, report, self.desk.now)
                {
                    self.desk.message = Some(crate::app::DeskMessage::Refused(
                        crate::app::messages::nothing_to_push(),
                    ));
                }
            }
            Command::WallTourPause => self.wall.tour.paused = !self.wall.tour.paused,
            Command::WallNext => {
                let n = self.doc.dataset.unit_counts()[1];
                self.wall.tour.next(n);
            }
            Command::About => self.show_about = !self.show_about,
        }
    }
}

impl Workspace {
    fn run_import(&mut self, a: crate::app::ImportAction) {
        use crate::app::ImportAction;
        match a {
            ImportAction::Preview => self
                .import
                .start_preview(self.doc.path.clone(), self.session.clone()),
            ImportAction::Commit => self
                .import
                .start_commit(self.doc.path.clone(), self.session.clone()),
            ImportAction::Cancel => {
                self.import.preview = None;
                self.import.outcome = None;
            }
            ImportAction::CreateDocument => {
                if let Some(path) = self.import.create_document() {
                    // A new document has no accounts: whoever was signed in here is not.
                    self.session = None;
                    self.start_loading(path);
                }
            }
            ImportAction::Template(kind) => {
                let dir = self
                    .doc
                    .path
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or_default();
                self.import.write_template(&dir, kind);
                self.import.open = true;
            }
        }
    }
}
