//! Which unit of a level contains a point.
//!
//! Ownership rule for points on a shared edge or vertex, deterministic and documented:
//! a point strictly inside a unit belongs to it; a point on the boundary of several units
//! belongs to the one with the smallest id among those whose closed outline contains it.

use geo::{BoundingRect, CoordinatePosition, coordinate_position::CoordPos};
use geo_types::{Coord, MultiPolygon};
use rstar::{AABB, RTree, RTreeObject};

use crate::model::{Level, Unit, UnitId};

struct Entry {
    envelope: AABB<[f64; 2]>,
    slot: usize,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// An R-tree over the envelopes of the units of one level.
pub struct UnitIndex {
    tree: RTree<Entry>,
    ids: Vec<UnitId>,
    shapes: Vec<MultiPolygon<f64>>,
}

impl UnitIndex {
    /// Indexes every unit of `level` in `units`.
    pub fn new<'a>(units: impl IntoIterator<Item = &'a Unit>, level: Level) -> UnitIndex {
        let mut ids = Vec::new();
        let mut shapes = Vec::new();
        let mut entries = Vec::new();
        for unit in units.into_iter().filter(|u| u.level == level) {
            let Some(rect) = unit.geometry.bounding_rect() else {
                continue;
            };
            entries.push(Entry {
                envelope: AABB::from_corners(
                    [rect.min().x, rect.min().y],
                    [rect.max().x, rect.max().y],
                ),
                slot: ids.len(),
            });
            ids.push(unit.id);
            shapes.push(unit.geometry.clone());
        }
        UnitIndex {
            tree: RTree::bulk_load(entries),
            ids,
            shapes,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The unit containing `c` by the ownership rule in the module docs, or `None` when the
    /// point lies in no unit of this level.
    pub fn locate(&self, c: Coord<f64>) -> Option<UnitId> {
        let mut on_boundary: Option<UnitId> = None;
        for entry in self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([c.x, c.y]))
        {
            match self.shapes[entry.slot].coordinate_position(&c) {
                CoordPos::Inside => return Some(self.ids[entry.slot]),
                CoordPos::OnBoundary => {
                    let id = self.ids[entry.slot];
                    on_boundary = Some(on_boundary.map_or(id, |b| b.min(id)));
                }
                CoordPos::Outside => {}
            }
        }
        on_boundary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon};

    fn square(id: i64, x0: f64) -> Unit {
        Unit {
            id: UnitId(id),
            level: Level::Grid,
            parent: None,
            code: String::new(),
            name: String::new(),
            geometry: MultiPolygon::new(vec![Polygon::new(
                LineString::from(vec![(x0, 0.0), (x0 + 1.0, 0.0), (x0 + 1.0, 1.0), (x0, 1.0)]),
                vec![],
            )]),
        }
    }

    #[test]
    fn shared_edges_go_to_the_smaller_id() {
        let units = [square(7, 0.0), square(3, 1.0)];
        let index = UnitIndex::new(&units, Level::Grid);
        assert_eq!(index.locate(Coord { x: 0.5, y: 0.5 }), Some(UnitId(7)));
        assert_eq!(index.locate(Coord { x: 1.5, y: 0.5 }), Some(UnitId(3)));
        assert_eq!(index.locate(Coord { x: 1.0, y: 0.5 }), Some(UnitId(3)));
        assert_eq!(index.locate(Coord { x: 1.0, y: 1.0 }), Some(UnitId(3)));
        assert_eq!(index.locate(Coord { x: 0.0, y: 0.5 }), Some(UnitId(7)));
        assert_eq!(index.locate(Coord { x: 2.5, y: 0.5 }), None);
    }
}
