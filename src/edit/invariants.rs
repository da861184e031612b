//! The invariants every committed edit must keep, checked on the units it touched and their
//! parents: valid polygons (geo's `Validation`), every unit inside its parent, the children of
//! each parent tiling it with no gap and no overlap, every household in exactly one micro-grid.
//! A violated rule refuses the edit with the rule, the unit and the spot.

use geo::Validation;
use geo_types::Coord;

use crate::check::tiling;
use crate::model::{Dataset, Level, Unit, UnitId};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{rule}: {message}")]
pub struct Refusal {
    pub rule: crate::check::Rule,
    pub unit: Option<UnitId>,
    /// Where to look on the map (lon, lat).
    pub at: Option<Coord<f64>>,
    pub message: String,
}

impl Refusal {
    pub fn new(
        rule: crate::check::Rule,
        unit: Option<UnitId>,
        message: impl Into<String>,
    ) -> Refusal {
        Refusal {
            rule,
            unit,
            at: None,
            message: message.into(),
        }
    }
}

fn unit(d: &Dataset, id: UnitId) -> Option<&Unit> {
    d.units
        .binary_search_by_key(&id, |u| u.id)
        .ok()
        .map(|i| &d.units[i])
}

/// Checks the units `changed` (those still present) and every parent whose children changed.
pub fn check_units(d: &Dataset, changed: &[UnitId]) -> Result<(), Refusal> {
    let mut parents: Vec<UnitId> = Vec::new();
    for &id in changed {
        let Some(u) = unit(d, id) else { continue };
        if u.geometry.0.is_empty() {
            return Err(Refusal::new(
                crate::check::Rule::ValidPolygon,
                Some(id),
                format!("{} {} would have no area left", u.level.name_en(), u.code),
            ));
        }
        if let Err(e) = u.geometry.check_validation() {
            let mut r = Refusal::new(
                crate::check::Rule::ValidPolygon,
                Some(id),
                format!(
                    "{} {} would not be a valid polygon: {e}",
                    u.level.name_en(),
                    u.code
                ),
            );
            r.at = u.geometry.0[0].exterior().0.first().copied();
            return Err(r);
        }
        parents.extend(u.parent);
        if u.level != Level::MicroGrid {
            parents.push(id);
        }
    }
    parents.sort_unstable();
    parents.dedup();
    for p in parents {
        let Some(parent) = unit(d, p) else { continue };
        let kids: Vec<&Unit> = d.units.iter().filter(|u| u.parent == Some(p)).collect();
        if kids.is_empty() {
            continue;
        }
        if let Some(v) = tiling(parent, &kids).into_iter().next() {
            return Err(Refusal {
                rule: v.rule,
                unit: Some(UnitId(v.id)),
                at: v.at.map(|[x, y]| Coord { x, y }),
                message: v.message,
            });
        }
    }
    Ok(())
}
