//! Colouring units by an indicator from the engine, with a legend: a sequential palette in five
//! quantile classes for counts, a diverging palette with fixed breaks for the deviation from the
//! grid standard (so that "within tolerance" is always the neutral middle).

use egui::Color32;

use crate::map::LevelGeometry;
use crate::model::{Level, Tag};
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
        })
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
) -> Option<Choropleth> {
    let values: Vec<Option<f64>> = geometry
        .units
        .iter()
        .map(|u| stats.get(u.id).and_then(|t| indicator.value(t, level)))
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
    let colors = values
        .iter()
        .map(|v| v.map_or(NO_DATA, |v| SEQUENTIAL[class_of(v, &breaks).min(4)]))
        .collect();
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let mut legend = Vec::new();
    let mut low = min;
    for (i, b) in breaks.iter().chain(std::iter::once(&max)).enumerate() {
        legend.push((SEQUENTIAL[i.min(4)], format!("{low:.0} – {b:.0}")));
        low = *b;
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
