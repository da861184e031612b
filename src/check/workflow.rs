//! The case workflow: each case's history follows the allowed transitions and agrees with
//! its row.

use std::collections::HashMap;

use crate::cases::check_transition;
use crate::check::{Rule, Violation, v};
use crate::model::{CaseAction, CaseStatus, Dataset, Level};

/// Each case's history follows the workflow and agrees with the case row.
pub(super) fn workflow(d: &Dataset, out: &mut Vec<Violation>) {
    let mut events: HashMap<_, Vec<_>> = HashMap::new();
    for e in &d.case_events {
        events.entry(e.case_id).or_insert_with(Vec::new).push(e);
    }
    for c in &d.cases {
        let mut history = events.remove(&c.id).unwrap_or_default();
        history.sort_by_key(|e| (e.at, e.id));
        let mut status: Option<CaseStatus> = None;
        let mut level = Level::MicroGrid;
        let mut problem = None;
        for e in &history {
            match e.action {
                CaseAction::Transition => {
                    let ok = match (status, e.from_status) {
                        (None, None) => e.to_status == CaseStatus::Reported,
                        (Some(s), Some(f)) => s == f && check_transition(s, e.to_status).is_ok(),
                        _ => false,
                    };
                    if !ok {
                        problem = Some(format!(
                            "event {} goes {} → {} but the case was {}",
                            e.id,
                            e.from_status.map_or("(new)", |s| s.code()),
                            e.to_status.code(),
                            status.map_or("(new)", |s| s.code())
                        ));
                        break;
                    }
                    status = Some(e.to_status);
                }
                CaseAction::Escalate => {
                    if e.from_level != level || e.from_level.parent() != Some(e.to_level) {
                        problem = Some(format!(
                            "event {} escalates {} → {} from level {}",
                            e.id,
                            e.from_level.number(),
                            e.to_level.number(),
                            level.number()
                        ));
                        break;
                    }
                    level = e.to_level;
                }
            }
        }
        let problem = problem.or_else(|| {
            if status != Some(c.status) {
                Some(format!(
                    "status is {} but its history ends at {}",
                    c.status.code(),
                    status.map_or("nothing", |s| s.code())
                ))
            } else if level != c.level {
                Some(format!(
                    "level is {} but its history ends at {}",
                    c.level.number(),
                    level.number()
                ))
            } else if (c.status == CaseStatus::Closed) != c.closed_at.is_some() {
                Some("closed_at must be set exactly when the status is closed".into())
            } else if c.accepted_at.is_some() != c.due_at.is_some() {
                Some("accepted_at and due_at must be set together".into())
            } else {
                None
            }
        });
        if let Some(message) = problem {
            out.push(v(
                Rule::CaseWorkflow,
                "cases",
                c.id.0,
                Some(c.location.0),
                message,
            ));
        }
    }
}
