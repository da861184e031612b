//! Points: every household and case lies in exactly one micro-grid and its `unit_id` names it,
//! found by descending from the county with exact point-in-polygon tests.

use std::collections::HashMap;

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, CoordinatePosition};
use geo_types::{Coord, Rect};

use crate::check::{Rule, Violation, v};
use crate::model::{Dataset, Level, Unit, UnitId};

/// Finds the micro-grids containing a point by walking down from the county.
pub(super) struct Descent<'a> {
    roots: Vec<(&'a Unit, Rect<f64>)>,
    children: HashMap<UnitId, Vec<(&'a Unit, Rect<f64>)>>,
}

impl<'a> Descent<'a> {
    pub(super) fn new(
        d: &'a Dataset,
        children: &HashMap<Option<UnitId>, Vec<&'a Unit>>,
    ) -> Descent<'a> {
        let with_rect = |units: &Vec<&'a Unit>| {
            units
                .iter()
                .filter_map(|u| u.geometry.bounding_rect().map(|r| (*u, r)))
                .collect::<Vec<_>>()
        };
        Descent {
            roots: d
                .units
                .iter()
                .filter(|u| u.level == Level::County)
                .filter_map(|u| u.geometry.bounding_rect().map(|r| (u, r)))
                .collect(),
            children: children
                .iter()
                .filter_map(|(p, kids)| p.map(|p| (p, with_rect(kids))))
                .collect(),
        }
    }

    pub(super) fn verify(
        &self,
        table: &'static str,
        id: i64,
        at: Coord<f64>,
        unit: Option<UnitId>,
    ) -> Option<Violation> {
        let contains = |r: &Rect<f64>| {
            at.x >= r.min().x && at.x <= r.max().x && at.y >= r.min().y && at.y <= r.max().y
        };
        // (unit, strictly inside?) at the current level; boundary points follow every owner.
        let mut current: Vec<(&Unit, bool)> = self
            .roots
            .iter()
            .filter(|(_, r)| contains(r))
            .filter_map(|(u, _)| match u.geometry.coordinate_position(&at) {
                CoordPos::Outside => None,
                pos => Some((*u, pos == CoordPos::Inside)),
            })
            .collect();
        while current.iter().any(|(u, _)| u.level != Level::MicroGrid) {
            let next: Vec<(&Unit, bool)> = current
                .iter()
                .flat_map(|(u, _)| self.children.get(&u.id).into_iter().flatten())
                .filter(|(_, r)| contains(r))
                .filter_map(|(u, _)| match u.geometry.coordinate_position(&at) {
                    CoordPos::Outside => None,
                    pos => Some((*u, pos == CoordPos::Inside)),
                })
                .collect();
            if next.is_empty() {
                break;
            }
            current = next;
        }
        let micro: Vec<&(&Unit, bool)> = current
            .iter()
            .filter(|(u, _)| u.level == Level::MicroGrid)
            .collect();
        let inside: Vec<&&(&Unit, bool)> = micro.iter().filter(|(_, inside)| *inside).collect();
        if inside.len() > 1 {
            let codes: Vec<&str> = inside.iter().map(|(u, _)| u.code.as_str()).collect();
            return Some(v(
                Rule::OneMicroGrid,
                table,
                id,
                Some(at),
                format!(
                    "lies inside {} micro-grids at once: {}",
                    inside.len(),
                    codes.join(", ")
                ),
            ));
        }
        match (unit, micro.is_empty()) {
            // The README's promise: every household and case lies in a micro-grid. One outside
            // the net (a GPS fix in another province, a coordinate typed wrong) is a finding.
            (None, true) => Some(v(
                Rule::InMicroGrid,
                table,
                id,
                Some(at),
                format!(
                    "lies in no micro-grid ({:.5}, {:.5}{})",
                    at.x,
                    at.y,
                    current
                        .first()
                        .map_or(", outside the county".into(), |(c, _)| format!(
                            ", reached {} {}",
                            c.level.name_en(),
                            c.code
                        ))
                ),
            )),
            (None, false) => Some(v(
                Rule::UnitId,
                table,
                id,
                Some(at),
                format!(
                    "unit_id is empty but it lies in micro-grid {}",
                    micro[0].0.code
                ),
            )),
            (Some(u), true) => Some(v(
                Rule::InMicroGrid,
                table,
                id,
                Some(at),
                format!(
                    "unit_id says {u} but it lies in no micro-grid (reached {})",
                    current.first().map_or("no county".into(), |(c, _)| format!(
                        "{} {}",
                        c.level.name_en(),
                        c.code
                    ))
                ),
            )),
            (Some(u), false) if micro.iter().any(|(m, _)| m.id == u) => None,
            (Some(u), false) => Some(v(
                Rule::UnitId,
                table,
                id,
                Some(at),
                format!(
                    "unit_id says {u} but it lies in micro-grid {} (id {})",
                    micro[0].0.code, micro[0].0.id
                ),
            )),
        }
    }
}
