use std::collections::HashMap;
use std::path::PathBuf;

use crate::index::SpatialIndex;
use crate::map::MapGeometry;
use crate::model::{CaseId, Dataset, Level, Timestamp};
use crate::stats::Stats;

/// An open document: the data, plus what is derived from it for display.
pub struct Document {
    pub path: PathBuf,
    pub dataset: Dataset,
    pub geometry: MapGeometry,
    pub index: SpatialIndex,
    pub stats: Stats,
    pub totals: Totals,
    /// Indices into `Dataset::case_events` per case, in time order.
    pub events_by_case: HashMap<CaseId, Vec<usize>>,
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
        let ((index, stats), shapes) = rayon::join(
            || {
                rayon::join(
                    || SpatialIndex::build(&dataset),
                    || Stats::compute(&dataset, dataset.meta.as_of),
                )
            },
            || MapGeometry::new(&dataset),
        );
        Document {
            events_by_case: events_by_case(&dataset),
            geometry: shapes,
            index,
            stats,
            path,
            dataset,
            totals,
        }
    }

    /// After cases or their history changed: the per-unit case counts (open, overdue at `now`),
    /// the headline totals and the history index.
    pub fn cases_changed(&mut self, now: Timestamp) {
        let d = &self.dataset;
        self.stats = Stats::compute(d, now);
        self.totals.cases = d.cases.len();
        self.totals.open_cases = d.cases.iter().filter(|c| c.status.is_open()).count();
        self.events_by_case = events_by_case(d);
    }

    /// After units changed (a boundary edit or its undo): the map buffers of `levels`, the
    /// statistics and totals.
    pub fn units_changed(&mut self, levels: &[Level], now: Timestamp) {
        self.geometry.rebuild_levels(&self.dataset, levels);
        self.stats = Stats::compute(&self.dataset, now);
        self.totals.units = self.dataset.unit_counts();
    }

    pub fn county_name(&self) -> &str {
        self.dataset
            .units_of_level(Level::County)
            .next()
            .map_or("", |u| u.name.as_str())
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
