//! What operators do to a case — report, accept or reject, dispatch, handle, respond, verify,
//! escalate, edit — as pure functions from a case to its next state plus the history entry that
//! records the step. The caller persists both together (one transaction in `store`), so the
//! ledger and its history never disagree. Every rule is checked here, not in widgets.

use geo_types::Point;

use crate::cases::{DeadlinePolicy, WorkflowError, check_escalation, check_transition};
use crate::model::{
    Case, CaseAction, CaseEvent, CaseEventId, CaseId, CaseStatus, CategoryCode, Dataset, Level,
    TimeZone, Timestamp, UnitId, UnitTree, WorkerId,
};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Workflow(#[from] WorkflowError),
    #[error("{0} needs a reason (note)")]
    NoteRequired(&'static str),
    #[error("dispatching needs a handler")]
    HandlerRequired,
    #[error("worker {0} does not belong to the unit handling this case")]
    HandlerNotEligible(i64),
    #[error("the step at {at} is earlier than the case's last event at {last}")]
    BeforeLastEvent { at: String, last: String },
    #[error("a case needs a title")]
    TitleRequired,
    #[error("category {0} is unknown")]
    UnknownCategory(String),
}

/// A newly reported case, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub category: CategoryCode,
    pub title: String,
    pub description: String,
    pub reporter: String,
    pub location: Point<f64>,
    /// The micro-grid holding `location` (from the spatial index), `None` outside the county.
    pub unit: Option<UnitId>,
    pub reported_at: Timestamp,
}

/// The case code of the demo and of new cases: `SJ` + report date (in the document's time
/// zone: a case reported at 07:31 Beijing time on the 29th is a case of the 29th) + id.
pub fn case_code(id: CaseId, reported_at: Timestamp, tz: &TimeZone) -> String {
    format!("SJ{}{:06}", tz.date(reported_at).replace('-', ""), id.0)
}

/// 上报: a new case in `reported`, at the micro-grid level, and its creating event.
pub fn report(
    new: NewCase,
    id: CaseId,
    event_id: CaseEventId,
    actor: &str,
    tz: &TimeZone,
) -> Result<(Case, CaseEvent), CaseError> {
    if new.title.trim().is_empty() {
        return Err(CaseError::TitleRequired);
    }
    if crate::model::Category::find(new.category).is_none() {
        return Err(CaseError::UnknownCategory(new.category.to_string()));
    }
    let case = Case {
        id,
        code: case_code(id, new.reported_at, tz),
        category: new.category,
        title: new.title.trim().to_owned(),
        description: new.description,
        status: CaseStatus::Reported,
        level: Level::MicroGrid,
        reporter: new.reporter,
        handler: None,
        reported_at: new.reported_at,
        accepted_at: None,
        due_at: None,
        closed_at: None,
        unit: new.unit,
        location: new.location,
    };
    let event = CaseEvent {
        id: event_id,
        case_id: id,
        at: new.reported_at,
        actor: actor.to_owned(),
        action: CaseAction::Transition,
        from_status: None,
        to_status: CaseStatus::Reported,
        from_level: Level::MicroGrid,
        to_level: Level::MicroGrid,
        note: String::new(),
    };
    Ok((case, event))
}

/// One step of the loop.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub actor: &'a str,
    pub at: Timestamp,
    pub note: &'a str,
    /// When the case's history last moved (a step may not go back in time).
    pub last_event_at: Timestamp,
    pub event_id: CaseEventId,
    /// The document's deadlines.
    pub deadlines: DeadlinePolicy<'a>,
}

impl Step<'_> {
    fn check_time(&self) -> Result<(), CaseError> {
        if self.at < self.last_event_at {
            return Err(CaseError::BeforeLastEvent {
                at: self.at.to_iso(),
                last: self.last_event_at.to_iso(),
            });
        }
        Ok(())
    }

    fn event(&self, c: &Case, action: CaseAction, to: CaseStatus, to_level: Level) -> CaseEvent {
        CaseEvent {
            id: self.event_id,
            case_id: c.id,
            at: self.at,
            actor: self.actor.to_owned(),
            action,
            from_status: Some(c.status),
            to_status: to,
            from_level: c.level,
            to_level,
            note: self.note.trim().to_owned(),
        }
    }
}

/// Moves a case to `to`. Rejection (不予立案) and failed verification (返工) need a note saying
/// why; dispatching needs a handler from `eligible` (the workers of the case's unit). Accepting
/// sets the deadline by category and level; closing stamps `closed_at`.
pub fn transition(
    c: &Case,
    to: CaseStatus,
    handler: Option<WorkerId>,
    eligible: &[WorkerId],
    step: &Step,
) -> Result<(Case, CaseEvent), CaseError> {
    check_transition(c.status, to)?;
    step.check_time()?;
    let rework = c.status == CaseStatus::Responded && to == CaseStatus::Handling;
    if step.note.trim().is_empty() {
        if to == CaseStatus::Rejected {
            return Err(CaseError::NoteRequired("不予立案 rejection"));
        }
        if rework {
            return Err(CaseError::NoteRequired("返工 rework"));
        }
    }
    let mut next = c.clone();
    next.status = to;
    match to {
        CaseStatus::Accepted => {
            next.accepted_at = Some(step.at);
            next.due_at = Some(step.deadlines.due_at(c.category, c.level, step.at));
        }
        CaseStatus::Dispatched => {
            let h = handler.ok_or(CaseError::HandlerRequired)?;
            if !eligible.contains(&h) {
                return Err(CaseError::HandlerNotEligible(h.0));
            }
            next.handler = Some(h);
        }
        CaseStatus::Closed => next.closed_at = Some(step.at),
        _ => {}
    }
    let event = step.event(c, CaseAction::Transition, to, c.level);
    Ok((next, event))
}

/// Escalates an open case one level up (小事不出格 … 问题不上交). The new level has its own
/// handling window, counted from the escalation; the handler is cleared because the case now
/// belongs to the level above, which dispatches again.
pub fn escalate(c: &Case, step: &Step) -> Result<(Case, CaseEvent), CaseError> {
    let up = check_escalation(c.status, c.level)?;
    step.check_time()?;
    if step.note.trim().is_empty() {
        return Err(CaseError::NoteRequired("上报上级 escalation"));
    }
    let mut next = c.clone();
    next.level = up;
    if c.accepted_at.is_some() {
        next.due_at = Some(step.deadlines.due_at(c.category, up, step.at));
    }
    let event = step.event(c, CaseAction::Escalate, c.status, up);
    Ok((next, event))
}

/// Edits what the reporter said: category, title, description. A deadline already set follows
/// a new category's window from the acceptance time.
pub fn edit(
    c: &Case,
    category: CategoryCode,
    title: &str,
    description: &str,
    deadlines: DeadlinePolicy,
) -> Result<Case, CaseError> {
    if title.trim().is_empty() {
        return Err(CaseError::TitleRequired);
    }
    if crate::model::Category::find(category).is_none() {
        return Err(CaseError::UnknownCategory(category.to_string()));
    }
    let mut next = c.clone();
    next.category = category;
    next.title = title.trim().to_owned();
    next.description = description.to_owned();
    if let Some(accepted) = c.accepted_at
        && c.level == Level::MicroGrid
    {
        next.due_at = Some(deadlines.due_at(category, c.level, accepted));
    }
    Ok(next)
}

/// The unit responsible for a case now: at the micro-grid level its grid (a micro-grid's
/// 网格员 belongs to the grid), above that its ancestor at the case's level.
pub fn responsible_unit(tree: &UnitTree, c: &Case) -> Option<UnitId> {
    tree.ancestor_at(c.unit?, c.level.min(Level::Grid))
}

/// The workers a case may be dispatched to: those of the responsible unit and its subtree who
/// are still at their post.
/// When case `c`'s history last moved, from the dataset (its report time when it has none):
/// what a step must not go back before. A window asks its desk's timeline instead.
pub fn last_step_at(d: &Dataset, c: &Case) -> Timestamp {
    d.case_events
        .iter()
        .filter(|e| e.case_id == c.id)
        .map(|e| e.at)
        .max()
        .unwrap_or(c.reported_at)
}

pub fn eligible_handlers(d: &Dataset, tree: &UnitTree, c: &Case) -> Vec<WorkerId> {
    let Some(root) = responsible_unit(tree, c) else {
        return Vec::new();
    };
    d.workers
        .iter()
        .filter(|w| w.is_active() && tree.is_within(w.unit, root))
        .map(|w| w.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_case() -> NewCase {
        NewCase {
            category: CategoryCode::parse("11.01").unwrap(),
            title: "路灯不亮".into(),
            description: String::new(),
            reporter: "居民".into(),
            location: Point::new(113.6, 28.1),
            unit: Some(UnitId(7)),
            reported_at: Timestamp::parse("2026-05-03T20:00:00Z").unwrap(),
        }
    }

    static NO_OVERRIDES: std::collections::BTreeMap<CategoryCode, u32> =
        std::collections::BTreeMap::new();

    fn step(at: &str, note: &'static str, last: Timestamp) -> Step<'static> {
        Step {
            actor: "值班员",
            at: Timestamp::parse(at).unwrap(),
            note,
            last_event_at: last,
            event_id: CaseEventId(99),
            deadlines: DeadlinePolicy {
                overrides: &NO_OVERRIDES,
            },
        }
    }

    #[test]
    fn the_whole_loop_sets_deadline_handler_and_closure() {
        let (c, e) = report(
            new_case(),
            CaseId(1),
            CaseEventId(1),
            "居民",
            &TimeZone::beijing(),
        )
        .unwrap();
        // Reported at 20:00 UTC on the 3rd: 04:00 on the 4th in Beijing, a case of the 4th.
        assert_eq!(c.code, "SJ20260504000001");
        assert_eq!((e.from_status, e.to_status), (None, CaseStatus::Reported));
        let t0 = c.reported_at;
        let (c, _) = transition(
            &c,
            CaseStatus::Accepted,
            None,
            &[],
            &step("2026-05-03T21:00:00Z", "", t0),
        )
        .unwrap();
        assert_eq!(c.due_at.unwrap().to_iso(), "2026-05-05T21:00:00Z");
        let t1 = c.accepted_at.unwrap();
        let s = step("2026-05-03T22:00:00Z", "", t1);
        assert_eq!(
            transition(&c, CaseStatus::Dispatched, None, &[WorkerId(5)], &s),
            Err(CaseError::HandlerRequired)
        );
        assert_eq!(
            transition(
                &c,
                CaseStatus::Dispatched,
                Some(WorkerId(6)),
                &[WorkerId(5)],
                &s
            ),
            Err(CaseError::HandlerNotEligible(6))
        );
        let (c, e) = transition(
            &c,
            CaseStatus::Dispatched,
            Some(WorkerId(5)),
            &[WorkerId(5)],
            &s,
        )
        .unwrap();
        assert_eq!(c.handler, Some(WorkerId(5)));
        assert_eq!(e.from_status, Some(CaseStatus::Accepted));
        let (c, _) = transition(&c, CaseStatus::Handling, None, &[], &s).unwrap();
        let (c, _) = transition(&c, CaseStatus::Responded, None, &[], &s).unwrap();
        assert_eq!(
            transition(&c, CaseStatus::Handling, None, &[], &s),
            Err(CaseError::NoteRequired("返工 rework"))
        );
        let rework = step("2026-05-04T08:00:00Z", "井盖仍松动", t1);
        let (c, e) = transition(&c, CaseStatus::Handling, None, &[], &rework).unwrap();
        assert!(e.is_rework());
        let (c, _) = transition(&c, CaseStatus::Responded, None, &[], &rework).unwrap();
        let (c, _) = transition(&c, CaseStatus::Closed, None, &[], &rework).unwrap();
        assert_eq!(c.closed_at.unwrap().to_iso(), "2026-05-04T08:00:00Z");
        assert!(!c.is_overdue_at(Timestamp::parse("2026-06-01T00:00:00Z").unwrap()));
        assert!(transition(&c, CaseStatus::Handling, None, &[], &rework).is_err());
    }

    #[test]
    fn rejection_needs_a_reason_and_steps_cannot_go_back_in_time() {
        let (c, _) = report(
            new_case(),
            CaseId(1),
            CaseEventId(1),
            "居民",
            &TimeZone::beijing(),
        )
        .unwrap();
        let t0 = c.reported_at;
        assert_eq!(
            transition(
                &c,
                CaseStatus::Rejected,
                None,
                &[],
                &step("2026-05-04T00:00:00Z", " ", t0)
            ),
            Err(CaseError::NoteRequired("不予立案 rejection"))
        );
        let (r, e) = transition(
            &c,
            CaseStatus::Rejected,
            None,
            &[],
            &step("2026-05-04T00:00:00Z", "重复上报", t0),
        )
        .unwrap();
        assert_eq!(e.note, "重复上报");
        assert!(escalate(&r, &step("2026-05-04T01:00:00Z", "x", t0)).is_err());
        assert!(matches!(
            transition(
                &c,
                CaseStatus::Accepted,
                None,
                &[],
                &step("2026-05-03T19:00:00Z", "", t0)
            ),
            Err(CaseError::BeforeLastEvent { .. })
        ));
        assert_eq!(
            report(
                NewCase {
                    title: " ".into(),
                    ..new_case()
                },
                CaseId(2),
                CaseEventId(2),
                "x",
                &TimeZone::beijing()
            ),
            Err(CaseError::TitleRequired)
        );
    }

    #[test]
    fn escalation_restarts_the_clock_with_the_new_levels_window() {
        let (c, _) = report(
            new_case(),
            CaseId(1),
            CaseEventId(1),
            "居民",
            &TimeZone::beijing(),
        )
        .unwrap();
        let t0 = c.reported_at;
        let (c, _) = transition(
            &c,
            CaseStatus::Accepted,
            None,
            &[],
            &step("2026-05-03T21:00:00Z", "", t0),
        )
        .unwrap();
        let (c, e) = escalate(&c, &step("2026-05-06T00:00:00Z", "本级无法解决", t0)).unwrap();
        assert_eq!(
            (c.level, e.from_level, e.to_level),
            (Level::Grid, Level::MicroGrid, Level::Grid)
        );
        assert_eq!(e.action, CaseAction::Escalate);
        assert_eq!(c.due_at.unwrap().to_iso(), "2026-05-08T00:00:00Z");
        let (c, _) = escalate(&c, &step("2026-05-06T01:00:00Z", "上报村", t0)).unwrap();
        // Villages get one and a half windows.
        assert_eq!(c.due_at.unwrap().to_iso(), "2026-05-09T01:00:00Z");
        assert_eq!(
            escalate(&c, &step("2026-05-06T02:00:00Z", "", t0)),
            Err(CaseError::NoteRequired("上报上级 escalation"))
        );
    }
}
