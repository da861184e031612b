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
    /// Households per worker at their post (staffing: "1+3+N"); none where nobody is.
    HouseholdsPerWorker,
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
            Indicator::HouseholdsPerWorker if t.workers == 0 => return None,
            Indicator::HouseholdsPerWorker => f64::from(t.households) / f64::from(t.workers),
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
    /// Each unit's value (same order as `colors`), for the map's tooltip.
    pub values: Vec<Option<f64>>,
    /// (colour, range text, units in the class) from low to high; only classes that hold a
    /// unit, each named by the lowest and highest value it holds.
    pub legend: Vec<(Color32, String, usize)>,
    /// Units of the level without a value (no case due in the period, say), drawn grey.
    pub no_value: usize,
}

impl Choropleth {
    /// A value as the legend writes it: rates in percent, hours with one decimal.
    pub fn format(&self, v: f64) -> String {
        format_value(self.indicator, v)
    }
}

fn format_value(indicator: Indicator, v: f64) -> String {
    if indicator.is_rate() {
        format!("{:.1}%", v * 100.0)
    } else if indicator == Indicator::MeanHandlingHours {
        format!("{v:.1}")
    } else if indicator == Indicator::Deviation {
        format!("{:+.0}%", v * 100.0)
    } else {
        format!("{v:.0}")
    }
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
    let no_value = values.iter().filter(|v| v.is_none()).count();
    if indicator == Indicator::Deviation {
        let colors = values
            .iter()
            .map(|v| v.map_or(NO_DATA, |v| DIVERGING[class_of(v, &DIVERGING_BREAKS)]))
            .collect();
        let count = |class: usize| {
            values
                .iter()
                .flatten()
                .filter(|v| class_of(**v, &DIVERGING_BREAKS) == class)
                .count()
        };
        let pct = |v: f64| format!("{:+.0}%", v * 100.0);
        // Fixed breaks (the grid standard's tolerance bands), so every class is listed, with
        // how many units it holds.
        let mut legend = vec![(
            DIVERGING[0],
            format!("< {}", pct(DIVERGING_BREAKS[0])),
            count(0),
        )];
        for i in 1..DIVERGING.len() - 1 {
            legend.push((
                DIVERGING[i],
                format!(
                    "{} … {}",
                    pct(DIVERGING_BREAKS[i - 1]),
                    pct(DIVERGING_BREAKS[i])
                ),
                count(i),
            ));
        }
        legend.push((
            DIVERGING[6],
            format!("> {}", pct(DIVERGING_BREAKS[5])),
            count(6),
        ));
        return Some(Choropleth {
            indicator,
            level,
            colors,
            values,
            legend,
            no_value,
        });
    }
    let (colors, legend) = sequential(indicator, &values);
    Some(Choropleth {
        indicator,
        level,
        colors,
        values,
        legend,
        no_value,
    })
}

/// Colours and legend of a sequential indicator: quintile classes over the values there are.
#[allow(clippy::type_complexity)] // (colours, legend) of one level
fn sequential(
    indicator: Indicator,
    values: &[Option<f64>],
) -> (Vec<Color32>, Vec<(Color32, String, usize)>) {
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    if sorted.is_empty() {
        return (vec![NO_DATA; values.len()], Vec::new());
    }
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let max = sorted[sorted.len() - 1];
    // Quintile breaks, each the highest value of its class: a value repeated across quintiles
    // (many rates of exactly 0 % or 100 %) makes one class, and no class is left empty.
    let quintiles: Vec<f64> = (1..5).map(|i| q(i as f64 / 5.0)).collect();
    let mut breaks = quintiles.clone();
    // A value that fills a whole quintile (grid-level rates: 0 % or 100 %) is a class of its
    // own: the value just below it closes the class before.
    for &b in quintiles.iter().chain(std::iter::once(&max)) {
        let copies = sorted.iter().filter(|v| **v == b).count();
        if copies * 5 >= sorted.len()
            && let Some(below) = sorted.iter().rev().find(|v| **v < b)
        {
            breaks.push(*below);
        }
    }
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    breaks.retain(|b| *b < max);
    if breaks.len() > 4 {
        breaks = quintiles;
        breaks.dedup();
        breaks.retain(|b| *b < max);
    }
    // Classes spread over the palette's five colours, low to high.
    let classes = breaks.len() + 1;
    let palette = |class: usize| {
        let step = if classes > 1 {
            (class * 4 + (classes - 1) / 2) / (classes - 1)
        } else {
            2
        };
        let step = step.min(4);
        SEQUENTIAL[if indicator.higher_is_better() {
            4 - step
        } else {
            step
        }]
    };
    let colors = values
        .iter()
        .map(|v| v.map_or(NO_DATA, |v| palette(class_of(v, &breaks))))
        .collect();
    let fmt = |v: f64| format_value(indicator, v);
    let mut legend = Vec::new();
    for class in 0..=breaks.len() {
        let members: Vec<f64> = sorted
            .iter()
            .copied()
            .filter(|v| class_of(*v, &breaks) == class)
            .collect();
        let (Some(lo), Some(hi)) = (members.first(), members.last()) else {
            continue;
        };
        let text = if fmt(*lo) == fmt(*hi) {
            fmt(*lo)
        } else {
            format!("{} – {}", fmt(*lo), fmt(*hi))
        };
        legend.push((palette(class), text, members.len()));
    }
    (colors, legend)
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

    /// Grid-level closure rates are mostly exactly 0 % or 100 %: the legend had
    /// "0.0%–0.0%, 0.0%–50.0%, 50.0%–100.0%, 100.0%–100.0%". Now each value repeated across
    /// quintiles is one class, named once, with its count, and every class holds a unit.
    #[test]
    fn repeated_values_make_one_class_each_and_none_is_empty() {
        let mut values = vec![Some(0.0); 40];
        values.extend([Some(0.5), Some(0.25)]);
        values.extend(vec![Some(1.0); 50]);
        values.extend(vec![None; 30]);
        let (colors, legend) = sequential(Indicator::ClosureRate, &values);
        let texts: Vec<(&str, usize)> = legend.iter().map(|(_, t, n)| (t.as_str(), *n)).collect();
        assert_eq!(texts, [("0.0%", 40), ("25.0% – 50.0%", 2), ("100.0%", 50)]);
        assert_eq!(colors.iter().filter(|c| **c == NO_DATA).count(), 30);
        let distinct: std::collections::HashSet<_> = legend.iter().map(|(c, _, _)| *c).collect();
        assert_eq!(distinct.len(), 3, "a colour per class");
    }
}
