//! The open document beside other writers: our writes applied through the one mutation
//! path, other programs' commits followed, and a reload when they changed the net itself.

use crate::app::{CaseDesk, DeskMessage, Document};

use crate::app::workspace::Workspace;

impl Workspace {
    /// A write of cases of ours went to the file: what it wrote is applied to the document
    /// (the one mutation path). Refused, nothing changed; if another program changed the case
    /// meanwhile, its fresh row is fetched at once so the operator sees what is there now.
    pub(crate) fn after_case_write(
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
                let conflict = e.is_conflict()
                    || matches!(
                        e,
                        crate::ledger::LedgerError::Store(crate::store::StoreError::Stale { .. })
                    );
                self.desk.message =
                    Some(DeskMessage::Refused(crate::app::messages::ledger_error(&e)));
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
        let changes = self.doc.others_changes();
        if let Some((case, written)) = self.doc.server().and_then(|s| s.take_resolution()) {
            self.desk.message = Some(if written {
                DeskMessage::Done(crate::app::messages::in_doubt_resolved(&case, true))
            } else {
                DeskMessage::Refused(crate::app::messages::in_doubt_resolved(&case, false))
            });
        }
        match changes {
            Ok(changes) if changes.is_empty() => {}
            Ok(_) if self.is_scoped() => self.start_reload(),
            Ok(changes) => self.apply_others(&changes),
            Err(e) => {
                self.desk.message =
                    Some(DeskMessage::Refused(crate::app::messages::store_error(&e)))
            }
        }
    }

    /// Another program's commit, read from the change log, through the one mutation path: the
    /// document, then the desk's list, the map's states and the statistics follow.
    pub(crate) fn apply_others(&mut self, changes: &crate::store::Changes) {
        let applied = self.doc.apply(changes, None, self.desk.now);
        if applied.needs_reload {
            self.start_reload();
        } else {
            self.others_applied += applied.cases.len();
        }
        self.sync_caches();
    }

    /// Reads the whole document again off the UI thread (another program changed units,
    /// households or workers, or deleted rows); the view, the selection (by id) and an open
    /// plan are kept.
    pub(crate) fn start_reload(&mut self) {
        let path = self.doc.path.clone();
        self.start_loading(path);
    }

    /// Whether the open document is a grid worker's part of the file: others' rows cannot be
    /// applied to it one by one (they may lie outside), so it reloads instead.
    fn is_scoped(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.account.scope.is_some())
    }

    /// Opens the document at `path` in the background; it replaces the open one when read (a
    /// new document made with 文件 › 新建, or the same one after a change).
    pub(crate) fn start_loading(&mut self, path: std::path::PathBuf) {
        if self.reloading.is_some() {
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let session = self.session.clone();
        std::thread::spawn(move || {
            let _ = tx.send(
                Document::open_as(path, session.as_ref())
                    .map_err(|e| crate::app::messages::store_error(&e)),
            );
        });
        self.reloading = Some(rx);
    }

    /// A reload finished: the new document replaces the old one.
    pub(crate) fn finish_reload(&mut self) {
        let Some(rx) = &self.reloading else { return };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err(crate::app::messages::reload_failed())
            }
        };
        self.reloading = None;
        self.staffing.invalidate();
        let doc = match result {
            Ok(doc) => doc,
            Err(e) => {
                self.desk.message = Some(DeskMessage::Refused(e));
                return;
            }
        };
        self.remember_selection();
        let other_file = doc.path != self.doc.path;
        let selected = self.selected_id;
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
        desk.fix_clock(self.desk.fixed_clock);
        self.doc.judge_overdue_at(desk.now);
        // The reloaded document may have plans due (or outlines fixed): check the day again.
        self.planning.today.clear();
        self.desk = desk;
        self.seen = crate::app::Revision::default();
        self.seen.units = u64::MAX;
        self.sync_caches();
        self.reselect(selected);
        if other_file {
            self.pending_fit = self.doc.geometry.extent();
            return;
        }
        if let Some((id, _)) = plan {
            self.refresh_plans();
            self.open_plan(id);
        }
        self.others_applied += 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::app::bench_cases::another_seats_step;
    use crate::app::{CaseDesk, Document, GridAtlasApp};
    use crate::cases::CaseTimeline;
    use crate::stats::Stats;

    /// A headless window on a township demo with `cases` cases (reported before today).
    fn township_window(seed: u64, cases: usize) -> GridAtlasApp {
        let d = crate::demo::generate(
            &crate::demo::DemoParams {
                scale: crate::demo::Scale::Township,
                seed,
                as_of: crate::model::Timestamp(1_780_000_000),
                cases: Some(cases),
            },
            &|_, _| {},
        )
        .unwrap();
        let font = crate::ui::install_cjk_font(&egui::Context::default());
        GridAtlasApp::with_document(Document::new("t.gpkg".into(), d), font)
    }

    /// A step taken this second shows in the list at once, though the desk's clock moves by
    /// the minute.
    #[test]
    fn a_step_just_taken_shows_at_once() {
        let mut app = township_window(4, 500);
        let ws = app.workspace_mut().unwrap();
        assert!(ws.desk.fixed_clock.is_none(), "the running clock");
        ws.desk.refresh(&ws.doc.dataset);
        let tree = crate::model::UnitTree::new(&ws.doc.dataset);
        let mut changes = another_seats_step(&ws.doc.dataset, &tree, 0).unwrap();
        let now = crate::model::Timestamp::now();
        changes.case_events[0].at = now;
        let to = changes.case_events[0].to_status;
        let id = changes.cases[0].id;
        ws.apply_others(&changes);
        ws.desk.tick_clock();
        ws.desk.refresh(&ws.doc.dataset);
        let i = ws
            .doc
            .dataset
            .cases
            .iter()
            .position(|c| c.id == id)
            .unwrap();
        assert_eq!(ws.desk.timeline.status_at(i, ws.desk.view_time()), Some(to));
        assert!(ws.desk.now >= now, "now {} before the step", ws.desk.now.0);
    }

    /// Steps of another seat, applied one by one the incremental way, leave the document and
    /// the desk exactly as building them afresh from the same data would.
    #[test]
    fn another_seats_steps_applied_one_by_one_equal_a_fresh_build() {
        // Enough open cases for forty steps.
        let mut app = township_window(3, 3000);
        let ws = app.workspace_mut().unwrap();
        let as_of = ws.doc.dataset.meta.as_of;
        ws.desk.fix_clock(Some(as_of));
        let tree = crate::model::UnitTree::new(&ws.doc.dataset);
        ws.desk.refresh(&ws.doc.dataset);
        for f in 0..40 {
            let mut changes = another_seats_step(&ws.doc.dataset, &tree, f).unwrap();
            if f % 5 == 0 {
                // Now and then a new report, with its history entry.
                let mut c = changes.cases[0].clone();
                c.id = crate::model::CaseId(ws.doc.dataset.cases.len() as i64 * 10 + 7);
                c.code = format!("NEW{f}");
                let mut e = changes.case_events[0].clone();
                e.id = crate::model::CaseEventId(e.id.0 + 1);
                e.case_id = c.id;
                changes.cases.push(c);
                changes.case_events.push(e);
            }
            ws.apply_others(&changes);
            if f % 3 == 0 {
                ws.desk.refresh(&ws.doc.dataset);
            }
        }
        ws.desk.refresh(&ws.doc.dataset);
        let d = &ws.doc.dataset;
        let stats_at = ws.doc.stats.as_of;
        assert_eq!(ws.doc.stats, Stats::compute(d, stats_at));
        let fresh = Document::new("t.gpkg".into(), d.clone());
        assert_eq!(ws.doc.events_by_case, fresh.events_by_case);
        assert_eq!(ws.doc.totals, fresh.totals);
        assert_eq!(ws.desk.timeline, CaseTimeline::new(d));
        let mut desk = CaseDesk::new(d);
        desk.fix_clock(Some(as_of));
        desk.refresh(d);
        assert_eq!(ws.desk.list, desk.list);
        assert_eq!(ws.desk.states, desk.states);
        assert_eq!(ws.desk.open, desk.open);
        assert!(ws.others_applied >= 40);
    }
}
