//! `gridatlas bench seats`: operators at many seats on one server document. Each seat is a
//! thread with its own connections and its own copy of the dataset and index, taking the
//! steps an operator takes (accept, dispatch, handle, respond, close, reject, rework) through
//! the window's write path (`ledger::write_step` to the server), some on the same cases at
//! once, and following the others through LISTEN/NOTIFY and `ledger::apply`, as the window
//! does. Afterwards the history is recounted from the server.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::cases::{DeadlinePolicy, Step, eligible_handlers, transition};
use crate::index::SpatialIndex;
use crate::model::{CaseEventId, CaseStatus, Dataset, UnitTree};
use crate::store::server::{ServerDocument, ServerUrl};
use crate::store::{StoreError, Target};

#[derive(Debug, Serialize)]
pub struct SeatsBench {
    pub url: String,
    pub seats: usize,
    pub seconds: f64,
    pub steps_committed: usize,
    pub steps_per_second: f64,
    pub conflicts_refused: usize,
    pub propagation_samples: usize,
    pub propagation_p50_ms: f64,
    pub propagation_p95_ms: f64,
    pub propagation_max_ms: f64,
    /// Committed steps missing from `case_events` or found twice, history rows nobody
    /// committed, and cases whose history does not replay to their row through the workflow.
    pub lost_updates: usize,
    pub cases_replayed: usize,
}

/// Commit instants of the history entries the seats wrote, by id.
type Commits = Arc<Mutex<HashMap<i64, Instant>>>;

struct SeatResult {
    committed: Vec<i64>,
    conflicts: usize,
    propagation_ms: Vec<f64>,
}

pub fn run_seats(
    url: &ServerUrl,
    seats: usize,
    seconds: f64,
    seed: u64,
) -> Result<SeatsBench, StoreError> {
    let (initial, _) = crate::store::server::load_with_seq(url)?;
    let first_new_event = initial
        .case_events
        .iter()
        .map(|e| e.id.0)
        .max()
        .unwrap_or(0)
        + 1;
    // A few cases everyone is on at once (the morning's hot cases): where conflicts come from.
    let hot: Vec<i64> = initial
        .cases
        .iter()
        .filter(|c| c.status.is_open())
        .take(8)
        .map(|c| c.id.0)
        .collect();
    drop(initial);
    let commits: Commits = Arc::default();
    // Every seat opens the document first, then all start work together: the operators of a
    // duty room have their windows open before the morning's steps, and what is measured is a
    // step reaching the other open windows. (Starting the clock before the seats had loaded
    // counted a seat still opening the county, catching up afterwards, as propagation.)
    let ready = Arc::new(Barrier::new(seats + 1));
    let run_for = Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..seats)
        .map(|s| {
            let (url, commits, hot, ready) =
                (url.clone(), commits.clone(), hot.clone(), ready.clone());
            std::thread::spawn(move || seat(&url, s, seed, &hot, &commits, run_for, &ready))
        })
        .collect();
    ready.wait();
    let start = Instant::now();
    let mut results = Vec::new();
    for h in handles {
        results.push(h.join().expect("a seat panicked")?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let committed: Vec<i64> = results.iter().flat_map(|r| r.committed.clone()).collect();
    let mut propagation: Vec<f64> = results
        .iter()
        .flat_map(|r| r.propagation_ms.clone())
        .collect();
    propagation.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if propagation.is_empty() {
            0.0
        } else {
            propagation[((propagation.len() - 1) as f64 * p).round() as usize]
        }
    };
    let (lost_updates, cases_replayed) = recount(url, first_new_event, &committed)?;
    Ok(SeatsBench {
        url: url.redacted(),
        seats,
        seconds: elapsed,
        steps_committed: committed.len(),
        steps_per_second: committed.len() as f64 / elapsed,
        conflicts_refused: results.iter().map(|r| r.conflicts).sum(),
        propagation_samples: propagation.len(),
        propagation_p50_ms: pct(0.5),
        propagation_p95_ms: pct(0.95),
        propagation_max_ms: propagation.last().copied().unwrap_or(0.0),
        lost_updates,
        cases_replayed,
    })
}

fn seat(
    url: &ServerUrl,
    number: usize,
    seed: u64,
    hot: &[i64],
    commits: &Commits,
    run_for: Duration,
    ready: &Barrier,
) -> Result<SeatResult, StoreError> {
    let mut rng =
        rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ ((number as u64 + 1) * 0x9e37_79b9));
    let opened = (|| {
        let (d, seq) = crate::store::server::load_with_seq(url)?;
        let link = ServerDocument::open(url, seq, d.meta.time_zone.clone())?;
        Ok::<_, StoreError>((SpatialIndex::build(&d), UnitTree::new(&d), d, link))
    })();
    // Wait for the others even when this seat failed to open, or they would wait forever.
    ready.wait();
    let (mut index, tree, mut d, mut link) = opened?;
    let deadline = Instant::now() + run_for;
    let actor = format!("席位{:02}", number + 1);
    let mut out = SeatResult {
        committed: Vec::new(),
        conflicts: 0,
        propagation_ms: Vec::new(),
    };
    let follow = |d: &mut Dataset,
                  index: &mut SpatialIndex,
                  changes: crate::store::Changes,
                  out: &mut SeatResult| {
        let now = Instant::now();
        {
            let commits = commits.lock().expect("commit map");
            for e in &changes.case_events {
                if let Some(at) = commits.get(&e.id.0) {
                    out.propagation_ms
                        .push(now.saturating_duration_since(*at).as_secs_f64() * 1e3);
                }
            }
        }
        crate::ledger::apply(d, index, &changes);
    };
    while Instant::now() < deadline {
        // An operator reads the screen between steps; meanwhile the others' commits arrive.
        let think = Duration::from_millis(rng.random_range(5..40));
        let changes = link.wait(think)?;
        if !changes.is_empty() {
            follow(&mut d, &mut index, changes, &mut out);
        }
        let open: Vec<usize> = (0..d.cases.len())
            .filter(|&i| d.cases[i].status.is_open())
            .collect();
        // New reports keep coming in (上报), so the desk never runs out of work.
        if open.len() < 50 || rng.random_bool(0.15) {
            let h = &d.households[rng.random_range(0..d.households.len())];
            let new = crate::cases::NewCase {
                category: crate::model::CategoryCode { major: 6, minor: 2 },
                title: "路灯不亮".into(),
                description: String::new(),
                reporter: "居民".into(),
                location: h.location,
                unit: h.unit,
                reported_at: crate::model::Timestamp::now(),
            };
            let tz = d.meta.time_zone.clone();
            match crate::ledger::write_new_case(Target::Server(&mut link), new, &actor, &tz) {
                Ok(written) => {
                    record(commits, &written.events);
                    out.committed.extend(written.events.iter().map(|e| e.id.0));
                    crate::ledger::apply(&mut d, &mut index, &written.into());
                }
                Err(crate::ledger::LedgerError::Store(e)) => return Err(e),
                Err(_) => {}
            }
            continue;
        }
        let i = if rng.random_bool(0.3) && !hot.is_empty() {
            let id = hot[rng.random_range(0..hot.len())];
            match d
                .cases
                .iter()
                .position(|c| c.id.0 == id && c.status.is_open())
            {
                Some(i) => i,
                None => open[rng.random_range(0..open.len())],
            }
        } else {
            open[rng.random_range(0..open.len())]
        };
        let c = d.cases[i].clone();
        let (to, note) = next_step(c.status, &mut rng);
        let last = crate::cases::last_step_at(&d, &c);
        let eligible = eligible_handlers(&d, &tree, &c);
        let handler = eligible.first().copied();
        if to == CaseStatus::Dispatched && handler.is_none() {
            continue;
        }
        let step = Step {
            actor: &actor,
            at: crate::ledger::step_time(last),
            note,
            last_event_at: last,
            event_id: CaseEventId(0),
            deadlines: DeadlinePolicy {
                overrides: &d.meta.deadline_hours,
            },
        };
        let Ok((next, event)) = transition(&c, to, handler, &eligible, &step) else {
            continue;
        };
        match crate::ledger::write_step(Target::Server(&mut link), &c, &next, &[event]) {
            Ok(written) => {
                record(commits, &written.events);
                out.committed.extend(written.events.iter().map(|e| e.id.0));
                crate::ledger::apply(&mut d, &mut index, &written.into());
            }
            Err(crate::ledger::LedgerError::Store(
                StoreError::Stale { .. } | StoreError::Conflict { .. },
            )) => {
                out.conflicts += 1;
                let changes = link.poll()?;
                follow(&mut d, &mut index, changes, &mut out);
            }
            Err(crate::ledger::LedgerError::Store(e)) => return Err(e),
            Err(_) => {}
        }
    }
    // The last commits of the others still arrive for a moment after the run.
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        let changes = link.wait(Duration::from_millis(100))?;
        if !changes.is_empty() {
            follow(&mut d, &mut index, changes, &mut out);
        }
    }
    Ok(out)
}

/// When each history entry was committed (for the other seats' propagation times).
fn record(commits: &Commits, events: &[crate::model::CaseEvent]) {
    let at = Instant::now();
    let mut commits = commits.lock().expect("commit map");
    for e in events {
        commits.insert(e.id.0, at);
    }
}

/// A realistic next step from `status`, with the note the rules ask for.
fn next_step(status: CaseStatus, rng: &mut impl Rng) -> (CaseStatus, &'static str) {
    match status {
        CaseStatus::Reported if rng.random_bool(0.1) => (CaseStatus::Rejected, "不属于受理范围"),
        CaseStatus::Reported => (CaseStatus::Accepted, ""),
        CaseStatus::Accepted => (CaseStatus::Dispatched, ""),
        CaseStatus::Dispatched => (CaseStatus::Handling, ""),
        CaseStatus::Handling => (CaseStatus::Responded, "已处置"),
        CaseStatus::Responded if rng.random_bool(0.15) => {
            (CaseStatus::Handling, "核查未通过，返工")
        }
        _ => (CaseStatus::Closed, "核查通过"),
    }
}

/// Every committed step is in `case_events` exactly once, nothing else was added, and every
/// case's history replays through the workflow to the case's row. Returns (lost, cases).
fn recount(
    url: &ServerUrl,
    first_new_event: i64,
    committed: &[i64],
) -> Result<(usize, usize), StoreError> {
    let (d, _) = crate::store::server::load_with_seq(url)?;
    let stored: Vec<i64> = d
        .case_events
        .iter()
        .map(|e| e.id.0)
        .filter(|id| *id >= first_new_event)
        .collect();
    let stored_set: HashSet<i64> = stored.iter().copied().collect();
    let committed_set: HashSet<i64> = committed.iter().copied().collect();
    let mut lost = committed_set.difference(&stored_set).count()
        + stored_set.difference(&committed_set).count()
        + (committed.len() - committed_set.len())
        + (stored.len() - stored_set.len());
    let mut by_case: HashMap<_, Vec<_>> = HashMap::new();
    for e in &d.case_events {
        by_case.entry(e.case_id).or_default().push(e);
    }
    for c in &d.cases {
        let mut events = by_case.remove(&c.id).unwrap_or_default();
        events.sort_by_key(|e| (e.at, e.id));
        let mut status: Option<CaseStatus> = None;
        let mut level = None;
        let mut ok = true;
        for e in events {
            let allowed = match (status, e.action) {
                (None, _) => e.to_status == CaseStatus::Reported,
                (Some(s), crate::model::CaseAction::Transition) => {
                    e.from_status == Some(s)
                        && crate::cases::check_transition(s, e.to_status).is_ok()
                }
                (Some(s), crate::model::CaseAction::Escalate) => {
                    e.from_status == Some(s) && e.to_status == s
                }
            };
            ok &= allowed && level.is_none_or(|l| l == e.from_level);
            status = Some(e.to_status);
            level = Some(e.to_level);
        }
        if !(ok && status == Some(c.status) && level.is_none_or(|l| l == c.level)) {
            lost += 1;
        }
    }
    Ok((lost, d.cases.len()))
}
