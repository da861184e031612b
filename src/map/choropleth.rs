//! Colouring units by an indicator from the engine, with a legend: a sequential palette in five
//! quantile classes for counts, a diverging palette with fixed breaks for the deviation from the
//! grid standard (so that "within tolerance" is always the neutral middle).

use std::collections::HashMap;

use egui::Color32;

use crate::cases::Indicators;

use crate::map::LevelGeometry;
use crate::model::{Level, Tag, UnitId};
use crate::stats::{GridStandard, Stats, UnitTotals};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Indicator {
    #[default]
    None,
    Households,
    Persons,
    /// Households relative to the level's standard (100 per grid, 10–30 per micro-grid).
    Deviation,
    /// Households with a tag, by `Tag as usize`.
    Tag(u8),
    OpenCases,
    OverdueCases,
    /// The case indicators of the domain doc over the case desk's period, per unit subtree.
    ClosureRate,
    OnTimeRate,
    ReworkRate,
    PeriodOverdue,
    MeanHandlingHours,
}

impl Indicator {
    pub fn value(self, t: &UnitTotals, level: Level) -> Option<f64> {
        Some(match self {
            Indicator::None => return None,
            Indicator::Households => t.households as f64,
            Indicator::Persons => t.persons as f64,
            Indicator::Deviation => {
                GridStandard::for_level(level)?
                    .deviation(t.households, t.persons)
                    .households_rel
            }
            Indicator::Tag(i) => *t.tags.get(i as usize)? as f64,
            Indicator::OpenCases => t.open_cases as f64,
            Indicator::OverdueCases => t.overdue_cases as f64,
            _ => return None,
        })
    }

    /// The value from a unit's case indicators, for the case-indicator variants.
    pub fn case_value(self, i: &Indicators) -> Option<f64> {
        match self {
            Indicator::ClosureRate => i.closure_rate,
            Indicator::OnTimeRate => i.on_time_rate,
            Indicator::ReworkRate => i.rework_rate,
            Indicator::PeriodOverdue => Some(i.overdue as f64),
            Indicator::MeanHandlingHours => i.mean_handling_hours,
            _ => None,
        }
    }

    pub fn is_case_indicator(self) -> bool {
        matches!(
            self,
            Indicator::ClosureRate
                | Indicator::OnTimeRate
                | Indicator::ReworkRate
                | Indicator::PeriodOverdue
                | Indicator::MeanHandlingHours
        )
    }

    /// Rates where higher is better: coloured with the palette reversed, so red stays "bad".
    fn higher_is_better(self) -> bool {
        matches!(self, Indicator::ClosureRate | Indicator::OnTimeRate)
    }

    fn is_rate(self) -> bool {
        matches!(
            self,
            Indicator::ClosureRate | Indicator::OnTimeRate | Indicator::ReworkRate
        )
    }

    pub fn tag(self) -> Option<Tag> {
        match self {
            Indicator::Tag(i) => Tag::ALL.get(i as usize).copied(),
            _ => None,
        }
    }
}

const SEQUENTIAL: [Color32; 5] = [
    Color32::from_rgb(255, 255, 178),
    Color32::from_rgb(254, 204, 92),
    Color32::from_rgb(253, 141, 60),
    Color32::from_rgb(240, 59, 32),
    Color32::from_rgb(189, 0, 38),
];
const DIVERGING: [Color32; 7] = [
    Color32::from_rgb(33, 102, 172),
    Color32::from_rgb(103, 169, 207),
    Color32::from_rgb(209, 229, 240),
    Color32::from_rgb(247, 247, 247),
    Color32::from_rgb(253, 219, 199),
    Color32::from_rgb(239, 138, 98),
    Color32::from_rgb(178, 24, 43),
];
const DIVERGING_BREAKS: [f64; 6] = [-0.4, -0.2, -0.1, 0.1, 0.2, 0.4];
pub const NO_DATA: Color32 = Color32::from_rgb(210, 210, 210);

/// Colours for one level's units (in `LevelGeometry::units` order) and the legend.
pub struct Choropleth {
    pub indicator: Indicator,
    pub level: Level,
    pub colors: Vec<Color32>,
    /// (colour, range text) from low to high.
    pub legend: Vec<(Color32, String)>,
}

fn class_of(v: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|b| v > **b).count()
}

pub fn choropleth(
    indicator: Indicator,
    level: Level,
    geometry: &LevelGeometry,
    stats: &Stats,
    cases: Option<&HashMap<UnitId, Indicators>>,
) -> Option<Choropleth> {
    let values: Vec<Option<f64>> = geometry
        .units
        .iter()
        .map(|u| {
            if indicator.is_case_indicator() {
                cases?.get(&u.id).and_then(|i| indicator.case_value(i))
            } else {
                stats.get(u.id).and_then(|t| indicator.value(t, level))
            }
        })
        .collect();
    if indicator == Indicator::None || values.iter().all(Option::is_none) {
        return None;
    }
    if indicator == Indicator::Deviation {
        let colors = values
            .iter()
            .map(|v| v.map_or(NO_DATA, |v| DIVERGING[class_of(v, &DIVERGING_BREAKS)]))
            .collect();
        let pct = |v: f64| format!("{:+.0}%", v * 100.0);
        let mut legend = vec![(DIVERGING[0], format!("< {}", pct(DIVERGING_BREAKS[0])))];
        for i in 1..DIVERGING.len() - 1 {
            legend.push((
                DIVERGING[i],
                format!(
                    "{} … {}",
                    pct(DIVERGING_BREAKS[i - 1]),
                    pct(DIVERGING_BREAKS[i])
                ),
            ));
        }
        legend.push((DIVERGING[6], format!("> {}", pct(DIVERGING_BREAKS[5]))));
        return Some(Choropleth {
            indicator,
            level,
            colors,
            legend,
        });
    }
    // Quantile breaks over this level's values.
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let mut breaks: Vec<f64> = (1..5).map(|i| q(i as f64 / 5.0)).collect();
    breaks.dedup();
    let palette = |class: usize| {
        let class = class.min(4);
        SEQUENTIAL[if indicator.higher_is_better() {
            4 - class
        } else {
            class
        }]
    };
    let colors = values
        .iter()
        .map(|v| v.map_or(NO_DATA, |v| palette(class_of(v, &breaks))))
        .collect();
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let fmt = |v: f64| {
        if indicator.is_rate() {
            format!("{:.1}%", v * 100.0)
        } else if indicator == Indicator::MeanHandlingHours {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    };
    let mut legend = Vec::new();
    let mut low = min;
    for (i, b) in breaks.iter().chain(std::iter::once(&max)).enumerate() {
        legend.push((palette(i), format!("{} – {}", fmt(low), fmt(*b))));
        low = *b;
    }
    if values.iter().any(Option::is_none) {
        legend.push((NO_DATA, "—".into()));
    }
    Some(Choropleth {
        indicator,
        level,
        colors,
        legend,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_breaks() {
        assert_eq!(class_of(-0.5, &DIVERGING_BREAKS), 0);
        assert_eq!(
            class_of(0.0, &DIVERGING_BREAKS),
            3,
            "within ±10% is the neutral middle"
        );
        assert_eq!(class_of(0.25, &DIVERGING_BREAKS), 5);
        assert_eq!(class_of(9.0, &DIVERGING_BREAKS), 6);
    }
}
