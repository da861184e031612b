use crate::model::{CaseStatus, Level};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a case cannot go from {from} ({from_zh}) to {to} ({to_zh}); allowed next: {allowed}")]
    Transition {
        from: &'static str,
        from_zh: &'static str,
        to: &'static str,
        to_zh: &'static str,
        allowed: String,
    },
    #[error("a {0} case cannot be escalated any more")]
    AlreadyAtCounty(&'static str),
    #[error("a closed or rejected case cannot be escalated")]
    NotOpen,
}

/// The statuses a case in `from` may move to.
///
/// reported → accepted | rejected; accepted → dispatched; dispatched → handling;
/// handling → responded; responded → closed (verification passed) | handling (rework, 返工).
pub fn allowed_transitions(from: CaseStatus) -> &'static [CaseStatus] {
    use CaseStatus::*;
    match from {
        Reported => &[Accepted, Rejected],
        Accepted => &[Dispatched],
        Dispatched => &[Handling],
        Handling => &[Responded],
        Responded => &[Closed, Handling],
        Rejected | Closed => &[],
    }
}

pub fn check_transition(from: CaseStatus, to: CaseStatus) -> Result<(), WorkflowError> {
    let next = allowed_transitions(from);
    if next.contains(&to) {
        return Ok(());
    }
    Err(WorkflowError::Transition {
        from: from.code(),
        from_zh: from.name_zh(),
        to: to.code(),
        to_zh: to.name_zh(),
        allowed: if next.is_empty() {
            "none (the case is finished)".into()
        } else {
            next.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ")
        },
    })
}

/// Escalation moves an open case one level up (micro-grid → grid → … → county).
pub fn check_escalation(status: CaseStatus, level: Level) -> Result<Level, WorkflowError> {
    if !status.is_open() {
        return Err(WorkflowError::NotOpen);
    }
    level
        .parent()
        .ok_or(WorkflowError::AlreadyAtCounty(level.name_en()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    #[test]
    fn every_pair_is_allowed_or_refused_as_the_domain_doc_says() {
        let allowed = [
            (Reported, Accepted),
            (Reported, Rejected),
            (Accepted, Dispatched),
            (Dispatched, Handling),
            (Handling, Responded),
            (Responded, Closed),
            (Responded, Handling),
        ];
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                assert_eq!(
                    check_transition(from, to).is_ok(),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
        }
        let err = check_transition(Reported, Closed).unwrap_err().to_string();
        assert!(err.contains("allowed next: accepted, rejected"), "{err}");
    }

    #[test]
    fn escalation_goes_up_one_level_until_the_county() {
        assert_eq!(
            check_escalation(Handling, Level::MicroGrid),
            Ok(Level::Grid)
        );
        assert_eq!(
            check_escalation(Reported, Level::Township),
            Ok(Level::County)
        );
        assert!(check_escalation(Handling, Level::County).is_err());
        assert_eq!(
            check_escalation(Closed, Level::Grid),
            Err(WorkflowError::NotOpen)
        );
    }
}
