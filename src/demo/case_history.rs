//! About 20,000 cases over the 180 days before `as_of`, each with a history that follows the
//! workflow in `crate::cases`: most closed, some still open, some overdue, some reworked, a few
//! escalated, a few rejected. Events after `as_of` have not happened yet and are cut off, so
//! recent cases are naturally still open.

use std::collections::HashMap;

use geo_types::{Coord, Point};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};

use crate::cases::{check_escalation, check_transition, due_at, handling_window_hours};
use crate::geom::LocalMetres;
use crate::index::PointLocator;
use crate::model::{
    CATEGORIES, Case, CaseAction, CaseEvent, CaseEventId, CaseId, CaseStatus, CategoryCode,
    Household, Level, Timestamp, Unit, UnitId, Worker, WorkerId, WorkerRole,
};

/// Relative frequency of each major category (by its `major` code).
const MAJOR_WEIGHTS: &[(u8, f64)] = &[
    (11, 20.0),
    (6, 15.0),
    (1, 14.0),
    (9, 12.0),
    (10, 10.0),
    (5, 8.0),
    (7, 6.0),
    (8, 4.0),
    (2, 3.0),
    (3, 3.0),
    (12, 3.0),
    (4, 1.0),
    (99, 1.0),
];

fn pick_category(rng: &mut impl Rng) -> CategoryCode {
    let total: f64 = MAJOR_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0.0..total);
    let mut major = 99;
    for &(m, w) in MAJOR_WEIGHTS {
        if x < w {
            major = m;
            break;
        }
        x -= w;
    }
    let minors = CATEGORIES
        .iter()
        .find(|c| c.major == major)
        .map_or(&[][..], |c| c.minors);
    minors.get(rng.random_range(0..minors.len().max(1))).map_or(
        CategoryCode {
            major: 99,
            minor: 1,
        },
        |c| c.code,
    )
}

/// One planned step of a case's life.
struct Step {
    at: Timestamp,
    to: CaseStatus,
    escalate_to: Option<Level>,
    actor: String,
    note: String,
}

#[allow(clippy::too_many_arguments)]
pub fn generate(
    count: usize,
    as_of: Timestamp,
    households: &[Household],
    units: &[Unit],
    workers: &[Worker],
    micro_index: &PointLocator,
    proj: &LocalMetres,
    rng: &mut impl Rng,
) -> (Vec<Case>, Vec<CaseEvent>) {
    if households.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let parent: HashMap<UnitId, UnitId> = units
        .iter()
        .filter_map(|u| u.parent.map(|p| (u.id, p)))
        .collect();
    let mut grid_staff: HashMap<UnitId, (Vec<&Worker>, Vec<&Worker>)> = HashMap::new();
    for w in workers {
        let entry = grid_staff.entry(w.unit).or_default();
        match w.role {
            WorkerRole::FullTime | WorkerRole::PartTime => entry.0.push(w),
            WorkerRole::GridLeader => entry.1.push(w),
            _ => {}
        }
    }
    let unit_name: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let jitter = Normal::new(0.0, 40.0).expect("valid sigma");
    let effort = LogNormal::new((0.45f64).ln(), 0.6).expect("valid sigma");
    let start = as_of.0 - 180 * Timestamp::DAY;
    let hours = |h: f64| (h * Timestamp::HOUR as f64) as i64;

    // Plan every case, then sort by report time so that ids and codes follow time.
    struct Planned {
        location: Coord<f64>,
        unit: Option<UnitId>,
        category: CategoryCode,
        reported_at: Timestamp,
        reporter: String,
        handler: Option<WorkerId>,
        steps: Vec<Step>,
    }
    let mut planned: Vec<Planned> = (0..count)
        .map(|_| {
            let h = &households[rng.random_range(0..households.len())];
            let near = proj.forward(h.location.0);
            let moved = proj.inverse(Coord {
                x: near.x + jitter.sample(rng),
                y: near.y + jitter.sample(rng),
            });
            let (location, unit) = match micro_index.locate(moved) {
                Some(u) => (moved, Some(UnitId(u))),
                None => (h.location.0, h.unit),
            };
            let grid = unit.and_then(|u| parent.get(&u).copied());
            let (staff, leaders) = grid
                .and_then(|g| grid_staff.get(&g))
                .map_or((&[][..], &[][..]), |(s, l)| (&s[..], &l[..]));
            let handler = staff.first().copied();
            let category = pick_category(rng);
            let reported_at = Timestamp(rng.random_range(start..as_of.0 - 600));
            let reporter = match rng.random_range(0..10) {
                0..=6 => staff
                    .get(rng.random_range(0..staff.len().max(1)))
                    .map_or("网格员".to_owned(), |w| w.name.clone()),
                7 | 8 => "居民来电".to_owned(),
                _ => "巡查发现".to_owned(),
            };
            let handler_name = handler.map_or("网格员".to_owned(), |w| w.name.clone());
            let leader_name = leaders
                .first()
                .map_or("网格长".to_owned(), |w| w.name.clone());
            let mut steps = Vec::new();
            let mut t = reported_at.0;
            if rng.random_bool(0.04) {
                t += hours(rng.random_range(1.0..8.0));
                steps.push(Step {
                    at: Timestamp(t),
                    to: CaseStatus::Rejected,
                    escalate_to: None,
                    actor: "指挥中心".into(),
                    note: "不属于网格事项，已告知当事人向相关部门反映".into(),
                });
            } else {
                let window = handling_window_hours(category, Level::MicroGrid) as f64;
                t += hours(rng.random_range(0.3..6.0));
                steps.push(Step {
                    at: Timestamp(t),
                    to: CaseStatus::Accepted,
                    escalate_to: None,
                    actor: "指挥中心".into(),
                    note: String::new(),
                });
                t += hours(rng.random_range(0.2..3.0));
                steps.push(Step {
                    at: Timestamp(t),
                    to: CaseStatus::Dispatched,
                    escalate_to: None,
                    actor: "指挥中心".into(),
                    note: format!("派遣至{handler_name}"),
                });
                t += hours(rng.random_range(0.2..4.0));
                steps.push(Step {
                    at: Timestamp(t),
                    to: CaseStatus::Handling,
                    escalate_to: None,
                    actor: handler_name.clone(),
                    note: String::new(),
                });
                let mut level = Level::MicroGrid;
                let escalations = match rng.random_range(0..100) {
                    0..=1 => 2,
                    2..=6 => 1,
                    _ => 0,
                };
                for _ in 0..escalations {
                    t += hours(rng.random_range(2.0..24.0));
                    let Ok(up) = check_escalation(CaseStatus::Handling, level) else {
                        break;
                    };
                    steps.push(Step {
                        at: Timestamp(t),
                        to: CaseStatus::Handling,
                        escalate_to: Some(up),
                        actor: leader_name.clone(),
                        note: format!("本级无法解决，上报{}", up.name_zh()),
                    });
                    level = up;
                }
                let stuck = if rng.random_bool(0.03) { 6.0 } else { 1.0 };
                let mut rounds = 0;
                loop {
                    t += hours(window * effort.sample(rng) * stuck / (rounds + 1) as f64);
                    steps.push(Step {
                        at: Timestamp(t),
                        to: CaseStatus::Responded,
                        escalate_to: None,
                        actor: handler_name.clone(),
                        note: "已处置，请核查".into(),
                    });
                    t += hours(rng.random_range(1.0..16.0));
                    let rework =
                        rounds < 2 && rng.random_bool(if rounds == 0 { 0.08 } else { 0.25 });
                    if rework {
                        steps.push(Step {
                            at: Timestamp(t),
                            to: CaseStatus::Handling,
                            escalate_to: None,
                            actor: "核查员".into(),
                            note: "核查未通过，返工".into(),
                        });
                        rounds += 1;
                    } else {
                        steps.push(Step {
                            at: Timestamp(t),
                            to: CaseStatus::Closed,
                            escalate_to: None,
                            actor: "核查员".into(),
                            note: "核查通过，结案".into(),
                        });
                        break;
                    }
                }
            }
            Planned {
                location,
                unit,
                category,
                reported_at,
                reporter,
                handler: handler.map(|w| w.id),
                steps,
            }
        })
        .collect();
    planned.sort_by_key(|p| p.reported_at);

    let mut cases = Vec::with_capacity(count);
    let mut events = Vec::new();
    for (i, p) in planned.into_iter().enumerate() {
        let id = CaseId(i as i64 + 1);
        let mut case = Case {
            id,
            // The demo's county works in Beijing time, as its meta says.
            code: crate::cases::case_code(id, p.reported_at, &crate::model::TimeZone::beijing()),
            category: p.category,
            title: String::new(),
            description: String::new(),
            status: CaseStatus::Reported,
            level: Level::MicroGrid,
            reporter: p.reporter.clone(),
            handler: None,
            reported_at: p.reported_at,
            accepted_at: None,
            due_at: None,
            closed_at: None,
            unit: p.unit,
            location: Point::from(p.location),
        };
        let cat = crate::model::Category::find(p.category);
        let place = p
            .unit
            .and_then(|u| unit_name.get(&u))
            .copied()
            .unwrap_or("辖区");
        case.title = format!("{}（{place}）", cat.map_or("事件", |c| c.name_zh));
        case.description = format!(
            "{}在{place}发现{}，请及时处置。",
            p.reporter,
            cat.map_or("问题", |c| c.name_zh)
        );
        let push = |events: &mut Vec<CaseEvent>,
                    at,
                    action,
                    from,
                    to,
                    from_level,
                    to_level,
                    actor: &str,
                    note: &str| {
            events.push(CaseEvent {
                id: CaseEventId(events.len() as i64 + 1),
                case_id: id,
                at,
                actor: actor.to_owned(),
                action,
                from_status: from,
                to_status: to,
                from_level,
                to_level,
                note: note.to_owned(),
            });
        };
        push(
            &mut events,
            p.reported_at,
            CaseAction::Transition,
            None,
            CaseStatus::Reported,
            Level::MicroGrid,
            Level::MicroGrid,
            &p.reporter,
            "",
        );
        for step in p.steps.iter().take_while(|s| s.at <= as_of) {
            if let Some(up) = step.escalate_to {
                push(
                    &mut events,
                    step.at,
                    CaseAction::Escalate,
                    Some(case.status),
                    case.status,
                    case.level,
                    up,
                    &step.actor,
                    &step.note,
                );
                case.level = up;
                continue;
            }
            // The generator obeys the same rules as the UI: a plan that breaks them is a bug.
            debug_assert!(
                check_transition(case.status, step.to).is_ok(),
                "{:?} → {:?}",
                case.status,
                step.to
            );
            push(
                &mut events,
                step.at,
                CaseAction::Transition,
                Some(case.status),
                step.to,
                case.level,
                case.level,
                &step.actor,
                &step.note,
            );
            match step.to {
                CaseStatus::Accepted => {
                    case.accepted_at = Some(step.at);
                    case.due_at = Some(due_at(p.category, Level::MicroGrid, step.at));
                }
                CaseStatus::Dispatched => case.handler = p.handler,
                CaseStatus::Closed => case.closed_at = Some(step.at),
                _ => {}
            }
            case.status = step.to;
        }
        cases.push(case);
    }
    (cases, events)
}
