//! Incremental re-assignment after some units' outlines changed: only the households that lie
//! in the old or new envelope of a changed unit are looked at, against only the micro-grids that
//! can hold them. The editor calls this every frame of a drag.

use geo::BoundingRect;
use geo_types::Coord;

use crate::index::{Area, Position, SpatialIndex, position_in};
use crate::model::{Dataset, Level, UnitId};

/// A household whose micro-grid changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// Index into `Dataset::households`.
    pub household: usize,
    pub from: Option<UnitId>,
    pub to: Option<UnitId>,
}

/// Re-assigns the households near `changed` micro-grids. `old_envelopes` are lon/lat boxes
/// [min_x, min_y, max_x, max_y] covering everywhere the changed units have been since `index`
/// was last built (during a drag: the union over its frames, which the caller accumulates).
/// `index` may hold stale envelopes and locator for the changed units only: their outlines are
/// read from `d`. After a committed edit, call `SpatialIndex::rebuild_units`.
pub fn reassign_region(
    d: &Dataset,
    index: &SpatialIndex,
    changed: &[UnitId],
    old_envelopes: &[[f64; 4]],
) -> Vec<Move> {
    relocate(d, index, changed, old_envelopes, Points::Households)
}

/// As [`reassign_region`], for cases (`Move::household` is then an index into
/// `Dataset::cases`).
pub fn reassign_cases_region(
    d: &Dataset,
    index: &SpatialIndex,
    changed: &[UnitId],
    old_envelopes: &[[f64; 4]],
) -> Vec<Move> {
    relocate(d, index, changed, old_envelopes, Points::Cases)
}

#[derive(Clone, Copy, PartialEq)]
enum Points {
    Households,
    Cases,
}

fn relocate(
    d: &Dataset,
    index: &SpatialIndex,
    changed: &[UnitId],
    old_envelopes: &[[f64; 4]],
    kind: Points,
) -> Vec<Move> {
    let changed_slots: Vec<usize> = d
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| changed.contains(&u.id) && u.level == Level::MicroGrid)
        .map(|(i, _)| i)
        .collect();
    let mut boxes: Vec<[f64; 4]> = old_envelopes.to_vec();
    for &i in &changed_slots {
        if let Some(r) = d.units[i].geometry.bounding_rect() {
            boxes.push([r.min().x, r.min().y, r.max().x, r.max().y]);
        }
    }
    let mut points: Vec<usize> = Vec::new();
    for b in &boxes {
        let ring = geo_types::LineString::from(vec![
            (b[0], b[1]),
            (b[2], b[1]),
            (b[2], b[3]),
            (b[0], b[3]),
            (b[0], b[1]),
        ]);
        let area = Area::Polygon(geo_types::Polygon::new(ring, vec![]));
        points.extend(match kind {
            Points::Households => index.households_in(&area),
            Points::Cases => index.cases_in(&area),
        });
    }
    points.sort_unstable();
    points.dedup();

    let mut moves = Vec::new();
    for h in points {
        let (p, from): (Coord<f64>, Option<UnitId>) = match kind {
            Points::Households => (d.households[h].location.0, d.households[h].unit),
            Points::Cases => (d.cases[h].location.0, d.cases[h].unit),
        };
        // Candidates: unchanged micro-grids whose (still valid) envelope holds p, and the
        // changed ones with their new outlines.
        let mut candidates: Vec<usize> = index
            .units_near(Level::MicroGrid, p)
            .filter(|i| !changed_slots.contains(i) && *i < d.units.len())
            .collect();
        candidates.extend(changed_slots.iter().copied());
        let mut inside: Option<UnitId> = None;
        let mut boundary: Option<UnitId> = None;
        for i in candidates {
            let unit = &d.units[i];
            if unit.level != Level::MicroGrid {
                continue;
            }
            match position_in(&unit.geometry, p) {
                Position::Inside => inside = Some(inside.map_or(unit.id, |u| u.min(unit.id))),
                Position::Boundary => boundary = Some(boundary.map_or(unit.id, |u| u.min(unit.id))),
                Position::Outside => {}
            }
        }
        let to = inside.or(boundary);
        if to != from {
            moves.push(Move {
                household: h,
                from,
                to,
            });
        }
    }
    moves
}
