use std::collections::HashMap;
use std::path::PathBuf;

use crate::index::SpatialIndex;
use crate::ledger::Applied;
use crate::map::MapGeometry;
use crate::model::{CaseId, Dataset, Level, Timestamp};
use crate::stats::Stats;
use crate::store::server::ServerDocument;
use crate::store::{ChangeWatch, Changes, SeqRange, StoreError, Target};

/// How the open document hears of other writers: a file's change watch, or a seat's link to
/// the server the document lives on.
pub enum Link {
    File(ChangeWatch),
    /// Boxed: a seat's two connections are large beside a file's watch.
    Server(Box<ServerDocument>),
}

/// An open document: the data, plus what is derived from it for display.
pub struct Document {
    pub path: PathBuf,
    pub dataset: Dataset,
    pub geometry: MapGeometry,
    pub index: SpatialIndex,
    pub stats: Stats,
    /// Why nothing may be written while the document is as it is: a unit whose outline is
    /// broken (a bowtie, a vertex thrown far away). The window shows it and refuses writes
    /// until another program (QGIS) fixes the file and the window has reloaded it.
    pub unfit: Option<crate::check::Violation>,
    /// The instant `stats` judged overdue at.
    stats_at: Timestamp,
    pub totals: Totals,
    /// Indices into `Dataset::case_events` per case, in time order.
    pub events_by_case: HashMap<CaseId, Vec<usize>>,
    /// Bumped by every change of the data in memory; caches key on it (see ARCHITECTURE.md).
    pub revision: Revision,
    /// Cases changed since [`Document::take_changed_cases`] was last asked.
    changed_cases: Vec<usize>,
    /// Other writers' commits (QGIS, the command line, a second window); `None` for a dataset
    /// that has no file behind it (benchmarks, tests).
    watch: Option<Link>,
    /// What SQLite's check of the file, run in the background after the open, found: asked
    /// with every look for other writers' commits until it has an answer, so that damage is
    /// shown at once and not only when the first write is refused.
    soundness: Option<Result<(), String>>,
}

/// Revisions of what a document holds: caches remember the revision they were built from and
/// rebuild when it moved, so no code that changes data has to know which caches exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Revision {
    /// Cases and their history.
    pub cases: u64,
    /// Unit outlines, their hierarchy, and the units of households, cases and workers.
    pub units: u64,
}

/// Headline figures for the side panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub units: [usize; 5],
    pub households: usize,
    pub persons: u64,
    pub workers: usize,
    pub cases: usize,
    pub open_cases: usize,
}

impl Document {
    pub fn new(path: PathBuf, dataset: Dataset) -> Document {
        let totals = Totals {
            units: dataset.unit_counts(),
            households: dataset.households.len(),
            persons: dataset.households.iter().map(|h| h.members as u64).sum(),
            workers: dataset.workers.len(),
            cases: dataset.cases.len(),
            open_cases: dataset.cases.iter().filter(|c| c.status.is_open()).count(),
        };
        // Overdue is judged at the clock; the workspace moves it with its own "now".
        let stats_at = Timestamp::now();
        let (((index, stats), shapes), unfit) = rayon::join(
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || SpatialIndex::build(&dataset),
                            || Stats::compute(&dataset, stats_at),
                        )
                    },
                    || MapGeometry::new(&dataset),
                )
            },
            || crate::check::unfit_to_write(&dataset),
        );
        Document {
            revision: Revision::default(),
            changed_cases: Vec::new(),
            watch: None,
            soundness: None,
            events_by_case: events_by_case(&dataset),
            geometry: shapes,
            index,
            stats,
            unfit,
            stats_at,
            path,
            dataset,
            totals,
        }
    }

    /// Opens the document at `path`: a consistent snapshot, and a watch on other writers that
    /// starts where the snapshot ends. An older file is first brought to this schema (so it
    /// has the change log other writers' commits are read from); a file that cannot be
    /// written (read-only media) is still opened, and then reloads whenever another program
    /// commits.
    pub fn open(path: PathBuf) -> Result<Document, StoreError> {
        Document::open_as(path, None)
    }

    /// Opens the document as `session` sees it: its key opens the personal data, and a grid
    /// worker's document holds only their grid (the units above it for its place), so that
    /// nothing outside can be shown, searched or counted.
    pub fn open_as(
        path: PathBuf,
        session: Option<&crate::store::SignedIn>,
    ) -> Result<Document, StoreError> {
        if let Some(url) = crate::store::server::as_server(&path) {
            let (dataset, seq) = match session {
                Some(s) => crate::store::server::load_as(&url, s)?,
                None => crate::store::server::load_with_seq(&url)?,
            };
            let link = ServerDocument::open(&url, seq, dataset.meta.time_zone.clone())?;
            let mut doc = Document::new(path, dataset);
            doc.watch = Some(Link::Server(Box::new(link)));
            return Ok(doc);
        }
        crate::store::prepare_for_sharing(&path)?;
        let (dataset, seq) = match session {
            Some(s) => crate::store::load_as(&path, s)?,
            None => crate::store::load_with_seq(&path)?,
        };
        let watch = ChangeWatch::open(&path, seq)?;
        let mut doc = Document::new(path, dataset);
        // Whether SQLite finds the file sound is asked before our first write into it; asked
        // now, beside the window rather than before it (a city's file takes 6 s to check).
        crate::store::check_soundness_in_background(&doc.path);
        doc.watch = Some(Link::File(watch));
        Ok(doc)
    }

    /// The one way data changes in memory: rows as the file now holds them — from a write of
    /// ours (`own` is its range of the change log, so the watch does not apply it twice) or
    /// from another program's commit — replace or join the dataset's, by id; then what is
    /// derived is updated and the revision moves. When `Applied::needs_reload` is set nothing
    /// was changed and the caller must reload the document.
    pub fn apply(&mut self, changes: &Changes, own: Option<SeqRange>, now: Timestamp) -> Applied {
        if let Some(range) = own {
            self.own_write(range);
        }
        let events_before = self.dataset.case_events.len();
        let applied = crate::ledger::apply(&mut self.dataset, &mut self.index, changes);
        if !applied.needs_reload && (!applied.cases.is_empty() || !applied.events.is_empty()) {
            // An entry rewritten in place (another program edited the history) may have moved
            // to another case: index them all again. New entries are indexed one by one.
            if applied.events.iter().any(|&i| i < events_before) {
                self.events_by_case = events_by_case(&self.dataset);
            }
            self.cases_changed(now, &applied.events);
            self.changed_cases.extend(&applied.cases);
            self.revision.cases += 1;
        }
        applied
    }

    /// Judges overdue at `now` (the clock moved): the statistics are recomputed only when a
    /// deadline of an open case lies between the old instant and the new. Returns whether
    /// they were.
    pub fn judge_overdue_at(&mut self, now: Timestamp) -> bool {
        if now == self.stats_at {
            return false;
        }
        let (a, b) = (self.stats_at.min(now), self.stats_at.max(now));
        self.stats_at = now;
        let crossed = self
            .dataset
            .cases
            .iter()
            .any(|c| c.status.is_open() && c.due_at.is_some_and(|due| due >= a && due <= b));
        if crossed {
            self.stats.recount_cases(&self.dataset, now);
        }
        crossed
    }

    /// A write of ours that memory reflects already (a plan approval): the watch skips it.
    pub fn own_write(&mut self, range: SeqRange) {
        match self.watch.as_mut() {
            Some(Link::File(w)) => w.own_write(range),
            Some(Link::Server(s)) => s.own_write(range),
            None => {}
        }
    }

    /// What other programs committed since the last look (cheap when nothing: one pragma,
    /// or a look at the server's notifications).
    pub fn others_changes(&mut self) -> Result<Changes, StoreError> {
        match self.watch.as_mut() {
            Some(Link::File(w)) => {
                if self.soundness.is_none() {
                    self.soundness = crate::store::background_soundness_verdict(&self.path);
                }
                w.poll()
            }
            Some(Link::Server(s)) => s.poll(),
            None => Ok(Changes::default()),
        }
    }

    /// Where case writes go, beside the dataset they are computed from.
    pub fn target(&mut self) -> (Target<'_>, &Dataset) {
        (write_target(&mut self.watch, &self.path), &self.dataset)
    }

    /// Where case writes go, beside the index new cases are located with.
    pub fn target_and_index(&mut self) -> (Target<'_>, &SpatialIndex) {
        (write_target(&mut self.watch, &self.path), &self.index)
    }

    /// The document's name as the window shows it: its path, or its server's URL without the
    /// password.
    pub fn display_name(&self) -> String {
        crate::store::server::location_name(&self.path)
    }

    /// Where files made from the document go by default: beside the file, or the working
    /// folder for a document on a server.
    pub fn folder(&self) -> PathBuf {
        if self.is_on_server() {
            return PathBuf::new();
        }
        self.path.parent().map(PathBuf::from).unwrap_or_default()
    }

    /// The server link, when the document lives on a server.
    pub fn server(&mut self) -> Option<&mut ServerDocument> {
        match self.watch.as_mut() {
            Some(Link::Server(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether the document lives on a server (the writes only a file supports yet are
    /// refused with a message rather than attempted).
    pub fn is_on_server(&self) -> bool {
        matches!(self.watch, Some(Link::Server(_)))
    }

    /// What SQLite reports damaged in the file, once its check in the background has found it:
    /// the window shows the document, and every write is refused.
    pub fn damage(&self) -> Option<&str> {
        self.soundness
            .as_ref()
            .and_then(|v| v.as_ref().err())
            .map(String::as_str)
    }

    /// The server is away: the window shows what it has, read-only, until it is back.
    pub fn server_down(&self) -> Option<std::time::Duration> {
        match &self.watch {
            Some(Link::Server(s)) => match s.state() {
                crate::store::server::LinkState::Down { since, .. } => Some(since.elapsed()),
                crate::store::server::LinkState::Connected => None,
            },
            _ => None,
        }
    }

    /// After cases or their history changed: the per-unit case counts (open, overdue at `now`),
    /// the headline totals and the history index.
    /// After a worker was added, moved or retired: the statistics count workers too.
    pub fn workers_changed(&mut self) {
        self.stats = Stats::compute(&self.dataset, self.stats_at);
    }

    /// Only what cases feed is counted again, and only the changed entries' cases are indexed
    /// again: a step applied from another seat must not cost a count of every household.
    fn cases_changed(&mut self, now: Timestamp, events: &[usize]) {
        let d = &self.dataset;
        self.stats.recount_cases(d, now);
        self.stats_at = now;
        self.totals.cases = d.cases.len();
        self.totals.open_cases = d.cases.iter().filter(|c| c.status.is_open()).count();
        for &i in events {
            let list = self
                .events_by_case
                .entry(d.case_events[i].case_id)
                .or_default();
            if !list.contains(&i) {
                list.push(i);
            }
            list.sort_by_key(|&k| (d.case_events[k].at, d.case_events[k].id));
        }
    }

    /// The cases changed in memory since the caches last looked (indices into
    /// `Dataset::cases`), for caches that follow them one by one instead of rebuilding.
    pub fn take_changed_cases(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.changed_cases)
    }

    /// After units changed (a boundary edit or its undo): the map buffers of `levels`, the
    /// statistics and totals.
    pub fn units_changed(&mut self, levels: &[Level], now: Timestamp) {
        self.geometry.rebuild_levels(&self.dataset, levels);
        self.stats = Stats::compute(&self.dataset, now);
        self.stats_at = now;
        self.totals.units = self.dataset.unit_counts();
        self.revision.units += 1;
    }

    /// What the summary is headed with: the county's name, or for a document of several
    /// counties (a prefecture city's centre) its title, since the totals beneath are the
    /// whole document's; without a title, the first county's name and how many there are.
    pub fn net_name(&self, lang: crate::ui::Lang) -> String {
        let mut counties = self.dataset.units_of_level(Level::County);
        let first = counties.next().map_or("", |u| u.name.as_str());
        match counties.count() {
            0 => first.to_owned(),
            _ if !self.dataset.meta.title.trim().is_empty() => self.dataset.meta.title.clone(),
            more => crate::app::messages::counties(first, more + 1)
                .text(lang)
                .to_owned(),
        }
    }
}

/// The server a document lives on, else its file (fields apart, so that the dataset or index
/// can be borrowed beside it).
fn write_target<'a>(watch: &'a mut Option<Link>, path: &'a std::path::Path) -> Target<'a> {
    match watch {
        Some(Link::Server(s)) => Target::Server(s),
        _ => Target::File(path),
    }
}

/// Indices into `Dataset::case_events` per case, in time order.
fn events_by_case(d: &Dataset) -> HashMap<CaseId, Vec<usize>> {
    let mut by_case: HashMap<CaseId, Vec<usize>> = HashMap::new();
    for (i, e) in d.case_events.iter().enumerate() {
        by_case.entry(e.case_id).or_default().push(i);
    }
    for list in by_case.values_mut() {
        list.sort_by_key(|&i| (d.case_events[i].at, d.case_events[i].id));
    }
    by_case
}
