//! The case indicators of every unit of a level (each over its whole subtree), for a period.

use std::collections::HashMap;

use crate::cases::{IndicatorSums, Indicators, history_flags};
use crate::model::{Dataset, Level, Timestamp, UnitId};

/// One row of `gridatlas stats` (a public interface: see README).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitIndicators {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub indicators: Indicators,
}

/// Indicators of every unit of `level`, in unit order, for [from, to). Each case counts for the
/// unit whose subtree holds its micro-grid.
pub fn unit_indicators(
    d: &Dataset,
    level: Level,
    from: Timestamp,
    to: Timestamp,
) -> Vec<UnitIndicators> {
    let parent: HashMap<UnitId, (Option<UnitId>, Level)> = d
        .units
        .iter()
        .map(|u| (u.id, (u.parent, u.level)))
        .collect();
    let flags = history_flags(&d.case_events);
    let mut sums: HashMap<UnitId, IndicatorSums> = HashMap::new();
    for c in &d.cases {
        // The ancestor of the case's micro-grid at `level`.
        let mut at = c.unit;
        while let Some(u) = at {
            match parent.get(&u) {
                Some((_, l)) if *l == level => break,
                Some((p, _)) => at = *p,
                None => at = None,
            }
        }
        if let Some(u) = at {
            sums.entry(u).or_default().add(
                c,
                flags.get(&c.id).copied().unwrap_or_default(),
                from,
                to,
            );
        }
    }
    d.units
        .iter()
        .filter(|u| u.level == level)
        .map(|u| UnitIndicators {
            unit_id: u.id.0,
            code: u.code.clone(),
            name: u.name.clone(),
            indicators: sums.get(&u.id).copied().unwrap_or_default().finish(),
        })
        .collect()
}
