//! The operators' case desk around the map: the list's filter and order, the time slider, the
//! per-case map state derived from them (recomputed only when one of them changes), the drafts
//! of a new case and of the next step, and the steps themselves — checked by `cases`, written by
//! `ledger` (file first), then reflected here.

use crate::cases::{
    CaseFilter, CaseState, CaseTimeline, IndicatorSums, Indicators, NewCase, SortKey, Step,
    case_search_text, case_unit_chains, eligible_handlers, escalate, filter_cases, history_flags,
    sort_cases, transition,
};
use crate::index::SpatialIndex;
use crate::ledger::{LedgerError, write_new_case, write_step};
use crate::model::{
    CaseStatus, CategoryCode, Dataset, TimeZone, Timestamp, UnitId, UnitTree, WorkerId,
};
use crate::store::{CoordinateDatum, WrittenCases};

/// The day slider: the map as it was at the end of any day, and playback over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSlider {
    pub enabled: bool,
    /// Days since `first_day`.
    pub day: i64,
    /// Local midnight (in the document's time zone) of the first day with a case.
    pub first_day: Timestamp,
    pub days: i64,
    /// The zone the days are counted in.
    pub time_zone: TimeZone,
    pub playing: bool,
    /// Seconds of playback not yet turned into days.
    pub pending: f32,
    pub days_per_second: f32,
}

impl TimeSlider {
    /// The end of the chosen day (the map shows everything up to then).
    pub fn time(&self) -> Timestamp {
        self.time_zone
            .days_after(self.first_day, self.day + 1)
            .plus_seconds(-1)
    }

    /// The number of days from `first_day` to the day of `now`, inclusive.
    fn days_to(&self, now: Timestamp) -> i64 {
        (self.time_zone.days_between(self.first_day, now) + 1).max(1)
    }

    /// Advances playback by `dt` seconds; stops at the last day.
    pub fn tick(&mut self, dt: f32) {
        if !self.playing {
            return;
        }
        self.pending += dt * self.days_per_second;
        let whole = self.pending.floor();
        self.pending -= whole;
        self.day = (self.day + whole as i64).min(self.days - 1);
        if self.day >= self.days - 1 {
            self.playing = false;
        }
    }
}

/// A case being reported: where, and what the operator has typed so far.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDraft {
    pub location: geo_types::Point<f64>,
    pub unit: Option<UnitId>,
    pub category: CategoryCode,
    pub title: String,
    pub description: String,
    pub reporter: String,
}

/// What the operator asks the desk to do with the selected case.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseRequest {
    Transition {
        to: CaseStatus,
        handler: Option<WorkerId>,
        note: String,
    },
    Escalate {
        note: String,
    },
    Edit {
        category: CategoryCode,
        title: String,
        description: String,
    },
}

/// The outcome of the last action, shown until the next one.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskMessage {
    Done(crate::app::Message),
    Refused(crate::app::Message),
}

pub struct CaseDesk {
    pub tree: UnitTree,
    pub timeline: CaseTimeline,
    chains: Vec<[Option<UnitId>; 5]>,
    pub filter: CaseFilter,
    pub sort: SortKey,
    pub descending: bool,
    /// Cases passing the filter at the view time, in list order.
    pub list: Vec<usize>,
    /// Per case, how the map shows it (`Absent` when filtered out).
    pub states: Vec<CaseState>,
    /// The cases passing the filter that are open or overdue: what the map
    /// draws unless closed cases are asked for. A few thousand of a city's 200,000, so the map
    /// walks these instead of every case in view.
    pub open: Vec<usize>,
    computed_for: Option<(CaseFilter, SortKey, bool, Timestamp, u64)>,
    search_text: Vec<String>,
    search_version: u64,
    pub slider: TimeSlider,
    pub heatmap: bool,
    pub show_list: bool,
    pub show_charts: bool,
    /// Clicking the map reports a case there.
    pub reporting: bool,
    pub draft: Option<CaseDraft>,
    /// The note and handler of the next step on the selected case.
    pub note: String,
    pub handler: Option<WorkerId>,
    /// The edit form of the selected case (category, title, description), when open.
    pub editing: Option<(usize, CategoryCode, String, String)>,
    pub message: Option<DeskMessage>,
    pub import_path: String,
    pub import_datum: CoordinateDatum,
    pub export_path: String,
    /// Bumped whenever cases change.
    pub version: u64,
    /// The inspector's indicators of one unit, for a period and a version of the cases: the
    /// inspector asks every frame, the answer changes only with these.
    indicator_cache: Option<(UnitId, (Timestamp, Timestamp), u64, Indicators)>,
    /// "Now": the clock (to the minute), or the instant `fixed_clock` holds. Overdue is judged
    /// at it, and "today" is its day in the document's time zone (domain §7).
    pub now: Timestamp,
    /// An instant that replaces the clock: tests and benchmarks that need figures that do not
    /// change from one day to the next (the demo's `as_of`).
    pub fixed_clock: Option<Timestamp>,
    /// The document's time zone, in which times are shown and days counted.
    pub time_zone: TimeZone,
    /// Who is acting (shown in the history).
    pub actor: String,
}

impl CaseDesk {
    pub fn new(d: &Dataset) -> CaseDesk {
        let tree = UnitTree::new(d);
        let timeline = CaseTimeline::new(d);
        let chains = case_unit_chains(d, &tree);
        let now = wall_clock();
        let tz = d.meta.time_zone.clone();
        let first_day = tz.day_start(d.cases.iter().map(|c| c.reported_at).min().unwrap_or(now));
        let days = (tz.days_between(first_day, now) + 1).max(1);
        CaseDesk {
            tree,
            timeline,
            chains,
            filter: CaseFilter::default(),
            sort: SortKey::Reported,
            descending: true,
            list: Vec::new(),
            states: vec![CaseState::Absent; d.cases.len()],
            open: Vec::new(),
            computed_for: None,
            search_text: Vec::new(),
            search_version: u64::MAX,
            slider: TimeSlider {
                enabled: false,
                day: days - 1,
                first_day,
                days,
                playing: false,
                pending: 0.0,
                days_per_second: 4.0,
                time_zone: tz.clone(),
            },
            heatmap: false,
            show_list: false,
            show_charts: false,
            reporting: false,
            draft: None,
            note: String::new(),
            handler: None,
            editing: None,
            message: None,
            import_path: String::new(),
            import_datum: CoordinateDatum::Gcj02,
            export_path: String::new(),
            version: 0,
            indicator_cache: None,
            now,
            fixed_clock: None,
            time_zone: tz,
            actor: "指挥中心值班员".into(),
        }
    }

    /// Follows the clock: called every frame, it changes "now" once a minute (and the list's
    /// overdue states with it). Returns whether "now" moved.
    pub fn tick_clock(&mut self) -> bool {
        // The running clock never goes back: a step just taken may have moved "now" to its
        // second (see `catch_up_with`), ahead of the minute.
        let now = self
            .fixed_clock
            .unwrap_or_else(|| wall_clock().max(self.now));
        if now == self.now {
            return false;
        }
        self.now = now;
        self.follow_today();
        true
    }

    /// A step just taken (here or at another seat) lies after "now", which moves by the
    /// minute: the list and the map would show the case as it was before it for up to a
    /// minute. "Now" moves to the latest of the `changed` cases' steps, never past the wall
    /// clock (another machine's clock may run ahead). A fixed clock stays where it is.
    fn catch_up_with(&mut self, changed: &[usize]) {
        if self.fixed_clock.is_some() {
            return;
        }
        let latest = changed
            .iter()
            .filter_map(|&i| self.timeline.last_event_at(i))
            .max()
            .map(|t| t.min(Timestamp::now()));
        if let Some(t) = latest.filter(|t| *t > self.now) {
            self.now = t;
            self.follow_today();
        }
    }

    /// Holds "now" at `at` instead of the clock (tests, benchmarks), or lets the clock run.
    pub fn fix_clock(&mut self, at: Option<Timestamp>) {
        self.fixed_clock = at;
        self.tick_clock();
    }

    /// The slider's span ends today; a slider showing "today" keeps showing today.
    fn follow_today(&mut self) {
        let at_end = self.slider.day >= self.slider.days - 1;
        self.slider.days = self.slider.days_to(self.now);
        self.slider.day = if at_end {
            self.slider.days - 1
        } else {
            self.slider.day.min(self.slider.days - 1)
        };
    }

    /// The instant the map and the list show: the slider's day, or now.
    pub fn view_time(&self) -> Timestamp {
        if self.slider.enabled {
            self.slider.time()
        } else {
            self.now
        }
    }

    /// Recomputes the list and the map states when the filter, order, time or cases changed.
    /// Returns whether anything was recomputed.
    pub fn refresh(&mut self, d: &Dataset) -> bool {
        let at = self.view_time();
        let key = (
            self.filter.clone(),
            self.sort,
            self.descending,
            at,
            self.version,
        );
        if self.computed_for.as_ref() == Some(&key) {
            return false;
        }
        if self.search_text.len() != d.cases.len() || self.search_version != self.version {
            self.search_text = case_search_text(d);
            self.search_version = self.version;
        }
        let passed = filter_cases(
            d,
            &self.tree,
            &self.chains,
            &self.timeline,
            &self.search_text,
            &self.filter,
            at,
        );
        self.states.clear();
        self.states.resize(d.cases.len(), CaseState::Absent);
        let mut list = Vec::with_capacity(passed.len());
        for (i, state) in passed {
            self.states[i] = state;
            list.push(i);
        }
        self.open = list
            .iter()
            .copied()
            .filter(|&i| matches!(self.states[i], CaseState::Open | CaseState::Overdue))
            .collect();
        sort_cases(d, &mut list, self.sort, self.descending);
        self.list = list;
        self.computed_for = Some(key);
        true
    }

    /// The indicator period: the list's report-date range when set, else the 30 days to now
    /// (local days). It never ends after the shown instant: a case due later today is not
    /// overdue yet.
    pub fn period(&self) -> (Timestamp, Timestamp) {
        let at = self.view_time();
        let day_end = self.time_zone.days_after(at, 1);
        let to = self.filter.to.unwrap_or(day_end).min(at);
        let from = self
            .filter
            .from
            .unwrap_or_else(|| self.time_zone.days_after(at, -29));
        (from, to)
    }

    /// The indicators of one unit's subtree over the period (recomputed only when the unit,
    /// the period or the cases change).
    pub fn unit_indicators(&mut self, d: &Dataset, unit: UnitId) -> Indicators {
        let period = self.period();
        if let Some((u, p, v, ind)) = self.indicator_cache
            && (u, p, v) == (unit, period, self.version)
        {
            return ind;
        }
        let ind = self.compute_unit_indicators(d, unit, period);
        self.indicator_cache = Some((unit, period, self.version, ind));
        ind
    }

    fn compute_unit_indicators(
        &self,
        d: &Dataset,
        unit: UnitId,
        (from, to): (Timestamp, Timestamp),
    ) -> Indicators {
        let Some(level) = self.tree.level(unit) else {
            return Indicators::default();
        };
        let slot = level.number() as usize - 1;
        let flags = history_flags(&d.case_events);
        let mut sums = IndicatorSums::default();
        for (i, c) in d.cases.iter().enumerate() {
            if self.chains[i][slot] == Some(unit) {
                sums.add(c, flags.get(&c.id).copied().unwrap_or_default(), from, to);
            }
        }
        sums.finish()
    }

    /// Per case, its units from the county down.
    pub fn case_chains(&self) -> &[[Option<UnitId>; 5]] {
        &self.chains
    }

    /// Workers the case may be dispatched to.
    pub fn eligible(&self, d: &Dataset, case: usize) -> Vec<WorkerId> {
        eligible_handlers(d, &self.tree, &d.cases[case])
    }

    /// After boundary edits: units and the cases' micro-grids may have changed.
    pub fn units_changed(&mut self, d: &Dataset) {
        self.tree = UnitTree::new(d);
        self.changed(d);
    }

    fn changed(&mut self, d: &Dataset) {
        self.timeline = CaseTimeline::new(d);
        self.chains = case_unit_chains(d, &self.tree);
        self.follow_today();
        self.version += 1;
    }

    /// The time of a step: the wall clock, or the fixed clock.
    pub fn step_time(&self) -> Timestamp {
        self.fixed_clock.unwrap_or_else(Timestamp::now)
    }

    /// After cases changed in the document (ours or another program's): the timeline, the
    /// unit chains, the search text and the slider's span follow, for the `changed` cases
    /// only (indices into `d.cases`) or, when none are named, for all; the list is recomputed
    /// at the next refresh.
    pub fn cases_changed(&mut self, d: &Dataset, changed: &[usize]) {
        self.states.resize(d.cases.len(), CaseState::Absent);
        let incremental = !changed.is_empty()
            && self.chains.len() <= d.cases.len()
            && self.search_text.len() <= d.cases.len()
            && self.search_version == self.version;
        // The slider may need to start earlier (an import of older cases).
        if let Some(first) = d.cases.iter().map(|c| c.reported_at).min() {
            let first = self.time_zone.day_start(first);
            if first < self.slider.first_day {
                self.slider.day += self.time_zone.days_between(first, self.slider.first_day);
                self.slider.first_day = first;
            }
        }
        if !incremental {
            self.changed(d);
            self.catch_up_with(changed);
            return;
        }
        self.timeline.update(d, changed);
        for &i in changed {
            let chain = d.cases[i]
                .unit
                .map_or([None; 5], |u| self.tree.ancestors(u));
            let line = crate::cases::case_search_line(&d.cases[i]);
            match i.cmp(&self.chains.len()) {
                std::cmp::Ordering::Less => self.chains[i] = chain,
                _ => self.chains.resize(i + 1, chain),
            }
            match i.cmp(&self.search_text.len()) {
                std::cmp::Ordering::Less => self.search_text[i] = line,
                _ => self.search_text.resize(i + 1, line),
            }
        }
        self.follow_today();
        self.catch_up_with(changed);
        self.version += 1;
        self.search_version = self.version;
    }

    /// Reports the draft as a new case: written to the file (its id and code are taken there);
    /// the caller applies the result to the document.
    pub fn submit_draft(
        &mut self,
        target: crate::store::Target,
    ) -> Result<WrittenCases, LedgerError> {
        let Some(draft) = self.draft.clone() else {
            return Err(LedgerError::Rule(crate::cases::CaseError::TitleRequired));
        };
        let at = self.step_time();
        let written = write_new_case(
            target,
            NewCase {
                category: draft.category,
                title: draft.title,
                description: draft.description,
                reporter: if draft.reporter.trim().is_empty() {
                    self.actor.clone()
                } else {
                    draft.reporter
                },
                location: draft.location,
                unit: draft.unit,
                reported_at: at,
            },
            &self.actor,
            &self.time_zone,
        )?;
        self.draft = None;
        self.reporting = false;
        Ok(written)
    }

    /// Writes a step on case `i` to the file, if the file still holds the case as `d` does;
    /// the caller applies the result to the document.
    pub fn apply(
        &mut self,
        target: crate::store::Target,
        d: &Dataset,
        i: usize,
        request: CaseRequest,
    ) -> Result<WrittenCases, LedgerError> {
        let c = d.cases[i].clone();
        let last_event_at = self.timeline.last_event_at(i).unwrap_or(c.reported_at);
        let at = self.step_time().max(last_event_at);
        // A placeholder: the file gives history entries their ids inside the write.
        let event_id = crate::model::CaseEventId(0);
        let actor = self.actor.clone();
        let overrides = d.meta.deadline_hours.clone();
        let deadlines = crate::cases::DeadlinePolicy {
            overrides: &overrides,
        };
        let step = |note| Step {
            actor: &actor,
            at,
            note,
            last_event_at,
            event_id,
            deadlines,
        };
        let (next, events) = match &request {
            CaseRequest::Transition { to, handler, note } => {
                let eligible = self.eligible(d, i);
                let (n, e) = transition(&c, *to, *handler, &eligible, &step(note.as_str()))?;
                (n, vec![e])
            }
            CaseRequest::Escalate { note } => {
                let (n, e) = escalate(&c, &step(note.as_str()))?;
                (n, vec![e])
            }
            CaseRequest::Edit {
                category,
                title,
                description,
            } => (
                crate::cases::edit(&c, *category, title, description, deadlines)?,
                Vec::new(),
            ),
        };
        let written = write_step(target, &c, &next, &events)?;
        self.note.clear();
        self.editing = None;
        Ok(written)
    }

    /// Imports a CSV of cases (all or nothing) into the file; the caller applies the result.
    pub fn import(
        &mut self,
        target: crate::store::Target,
        index: &SpatialIndex,
    ) -> Result<WrittenCases, LedgerError> {
        let csv = std::path::PathBuf::from(self.import_path.trim());
        let written = crate::ledger::import_cases(
            target,
            index,
            &csv,
            self.import_datum,
            &self.actor,
            &self.time_zone,
        )?;
        Ok(written)
    }
}

/// The wall clock to the minute: "now" moves once a minute, so the list and the map's overdue
/// states are recomputed once a minute, not every frame.
fn wall_clock() -> Timestamp {
    let t = Timestamp::now();
    Timestamp(t.0 - t.0.rem_euclid(60))
}
