//! `gridatlas bench cases`: the frame time of the case desk through the real window code,
//! headless — the case list open at the county view, then (1) a filter change every frame
//! (statuses, category, overdue only, a township's subtree, a date range, text), (2) the time
//! slider moved one day every frame across the whole period, (3) the same with the heatmap.
//! Each measured frame is one whose filter or day changed, so the list, the map states and the
//! layers are all recomputed in it.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::app::bench_frame::{headless_frame, percentile_of};
use crate::app::{Document, GridAtlasApp};
use crate::model::{Level, Timestamp};
use crate::ui::install_cjk_font;

#[derive(Debug, Serialize)]
pub struct Scenario {
    pub name: String,
    pub frames: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Cases listed after the last change (shows the filter really filtered).
    pub listed_last: usize,
}

#[derive(Debug, Serialize)]
pub struct CasesReport {
    pub file: String,
    pub size: String,
    pub cases: usize,
    pub case_events: usize,
    pub load_ms: f64,
    pub scenarios: Vec<Scenario>,
}

fn summarise(name: &str, mut times: Vec<f64>, listed_last: usize) -> Scenario {
    times.sort_by(f64::total_cmp);
    Scenario {
        name: name.into(),
        frames: times.len(),
        p50_ms: percentile_of(&times, 0.5),
        p95_ms: percentile_of(&times, 0.95),
        max_ms: times.last().copied().unwrap_or(0.0),
        listed_last,
    }
}

pub fn run_cases_bench(
    path: &Path,
    width: f32,
    height: f32,
    frames: usize,
) -> Result<CasesReport, String> {
    let started = Instant::now();
    let dataset = crate::store::load(path).map_err(|e| e.to_string())?;
    let doc = Document::new(path.to_owned(), dataset);
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let (cases, case_events) = (doc.dataset.cases.len(), doc.dataset.case_events.len());
    let townships: Vec<_> = doc
        .dataset
        .units_of_level(Level::Township)
        .map(|u| u.id)
        .collect();
    let ctx = egui::Context::default();
    let font = install_cjk_font(&ctx);
    let mut app = GridAtlasApp::with_document(doc, font);
    let size = egui::vec2(width, height);
    let mut clock = 0.0;
    {
        let ws = app.workspace_mut().ok_or("no workspace")?;
        ws.desk.show_list = true;
        // The document's own instant, so the figures do not drift with the calendar.
        let as_of = ws.doc.dataset.meta.as_of;
        ws.fix_clock(Some(as_of));
    }
    for _ in 0..10 {
        headless_frame(&ctx, &mut app, &mut clock, size);
    }
    let mut scenarios = Vec::new();

    // 1. A filter change every frame, cycling through the kinds of filter.
    const KINDS: [&str; 6] = [
        "filter: status",
        "filter: category",
        "filter: overdue only",
        "filter: township subtree",
        "filter: date range",
        "filter: keyword",
    ];
    let mut all = Vec::with_capacity(frames);
    let mut per_kind: Vec<Vec<f64>> = vec![Vec::new(); KINDS.len()];
    let mut listed = [0usize; 6];
    for f in 0..frames {
        let kind = f % KINDS.len();
        let round = f / KINDS.len();
        {
            let ws = app.workspace_mut().ok_or("no workspace")?;
            let desk = &mut ws.desk;
            desk.filter = crate::cases::CaseFilter::default();
            match kind {
                0 => desk.filter.statuses[6 - round % 3] = false,
                1 => desk.filter.major = Some([1, 6, 10, 12][round % 4]),
                2 => desk.filter.overdue_only = true,
                3 => desk.filter.unit = townships.get(round % townships.len().max(1)).copied(),
                4 => {
                    let from = desk
                        .now
                        .plus_seconds(-((round as i64 % 90) + 30) * Timestamp::DAY);
                    desk.filter.from = Some(desk.time_zone.day_start(from));
                    desk.filter.to = Some(desk.time_zone.days_after(from, 14));
                }
                _ => desk.filter.text = ["路灯", "纠纷", "sj2026", "井盖"][round % 4].into(),
            }
        }
        let (ms, _, _) = headless_frame(&ctx, &mut app, &mut clock, size);
        all.push(ms);
        per_kind[kind].push(ms);
        listed[kind] = app.workspace().map_or(0, |ws| ws.desk.list.len());
    }
    scenarios.push(summarise("filter change (all kinds)", all, listed[5]));
    for (k, times) in per_kind.into_iter().enumerate() {
        scenarios.push(summarise(KINDS[k], times, listed[k]));
    }

    // 2 and 3. The slider one day further every frame (wrapping over the period).
    for heatmap in [false, true] {
        {
            let ws = app.workspace_mut().ok_or("no workspace")?;
            ws.desk.filter = crate::cases::CaseFilter::default();
            ws.desk.slider.enabled = true;
            ws.desk.slider.day = 0;
            ws.desk.heatmap = heatmap;
        }
        for _ in 0..3 {
            headless_frame(&ctx, &mut app, &mut clock, size);
        }
        let mut times = Vec::with_capacity(frames);
        for _ in 0..frames {
            {
                let ws = app.workspace_mut().ok_or("no workspace")?;
                let s = &mut ws.desk.slider;
                s.day = (s.day + 1) % s.days;
            }
            let (ms, _, _) = headless_frame(&ctx, &mut app, &mut clock, size);
            times.push(ms);
        }
        let listed = app.workspace().map_or(0, |ws| ws.desk.list.len());
        let name = if heatmap {
            "time slider + heatmap"
        } else {
            "time slider"
        };
        scenarios.push(summarise(name, times, listed));
    }
    // 4. Another seat's step arriving every frame: one case row and one history entry, as
    //    the change log hands them over, applied through the window's path (document, desk,
    //    statistics) and then drawn.
    {
        let ws = app.workspace_mut().ok_or("no workspace")?;
        ws.desk.filter = crate::cases::CaseFilter::default();
        ws.desk.slider.enabled = false;
        ws.desk.heatmap = false;
    }
    let tree = crate::model::UnitTree::new(&app.workspace().ok_or("no workspace")?.doc.dataset);
    let mut times = Vec::with_capacity(frames);
    for f in 0..frames {
        let changes = {
            let ws = app.workspace().ok_or("no workspace")?;
            another_seats_step(&ws.doc.dataset, &tree, f).ok_or("no open case to step")?
        };
        let started = Instant::now();
        app.workspace_mut()
            .ok_or("no workspace")?
            .apply_others(&changes);
        let apply_ms = started.elapsed().as_secs_f64() * 1e3;
        let (ms, _, _) = headless_frame(&ctx, &mut app, &mut clock, size);
        times.push(apply_ms + ms);
    }
    let listed = app.workspace().map_or(0, |ws| ws.desk.list.len());
    scenarios.push(summarise("another seat's step", times, listed));
    Ok(CasesReport {
        file: path.display().to_string(),
        size: format!("{}x{}", width as u32, height as u32),
        cases,
        case_events,
        load_ms,
        scenarios,
    })
}

/// What the change log hands a window when another seat takes a step on an open case: its row
/// after the step, and the history entry. The step goes through the workflow (the first next
/// status the rules allow, with a handler when dispatching), so the row is one a seat can write.
pub(crate) fn another_seats_step(
    d: &crate::model::Dataset,
    tree: &crate::model::UnitTree,
    f: usize,
) -> Option<crate::store::Changes> {
    use crate::cases::{DeadlinePolicy, Step, allowed_transitions, eligible_handlers, transition};
    let open: Vec<usize> = (0..d.cases.len())
        .filter(|&i| d.cases[i].status.is_open())
        .collect();
    let next_id = d.case_events.iter().map(|e| e.id.0).max().unwrap_or(0) + 1;
    (0..open.len()).find_map(|k| {
        let c = &d.cases[open[(f * 7919 + k) % open.len()]];
        let last = crate::cases::last_step_at(d, c);
        let step = Step {
            actor: "席位02",
            at: last.plus_seconds(60),
            note: "已电话回访",
            last_event_at: last,
            event_id: crate::model::CaseEventId(next_id),
            deadlines: DeadlinePolicy {
                overrides: &d.meta.deadline_hours,
            },
        };
        let eligible = eligible_handlers(d, tree, c);
        allowed_transitions(c.status).iter().find_map(|&to| {
            let (row, event) =
                transition(c, to, eligible.first().copied(), &eligible, &step).ok()?;
            Some(crate::store::Changes {
                cases: vec![row],
                case_events: vec![event],
                ..Default::default()
            })
        })
    })
}
