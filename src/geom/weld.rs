//! Welding: snap every vertex of a set of outlines to one canonical vertex per neighbourhood,
//! so that edges shared by neighbours are bit-for-bit identical.
//!
//! Why: each boolean operation snaps its output to an integer grid centred on its own inputs,
//! so two clips that produce the "same" shared edge disagree by a fraction of a millimetre,
//! which adds up to square metres of slivers along a county's borders. Welding the children of
//! a parent to the parent's vertices first, then to each other, removes them.

use std::collections::HashMap;

use geo::Area;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// Canonical vertices in a hash grid of cell size `tolerance`.
pub struct Welder {
    tolerance: f64,
    cells: HashMap<(i64, i64), Vec<Coord<f64>>>,
    /// Snap to the nearest canonical vertex rather than the first found (an import of clean
    /// data must leave a vertex that exists exactly where it is, even when another lies
    /// within the tolerance). The generator keeps "first found": its output is fixed by seed.
    nearest: bool,
}

impl Welder {
    pub fn new(tolerance: f64) -> Welder {
        Welder {
            tolerance,
            cells: HashMap::new(),
            nearest: false,
        }
    }

    /// A welder that snaps each vertex to the nearest canonical vertex within `tolerance`.
    pub fn nearest(tolerance: f64) -> Welder {
        Welder {
            nearest: true,
            ..Welder::new(tolerance)
        }
    }

    fn cell(&self, c: Coord<f64>) -> (i64, i64) {
        (
            (c.x / self.tolerance).floor() as i64,
            (c.y / self.tolerance).floor() as i64,
        )
    }

    /// The canonical vertex within `tolerance` of `c`, registering `c` if there is none.
    pub fn snap(&mut self, c: Coord<f64>) -> Coord<f64> {
        let (cx, cy) = self.cell(c);
        let t2 = self.tolerance * self.tolerance;
        if self.nearest {
            let d2 = |p: &Coord<f64>| (p.x - c.x).powi(2) + (p.y - c.y).powi(2);
            let best = (-1..=1)
                .flat_map(|dx| (-1..=1).map(move |dy| (cx + dx, cy + dy)))
                .filter_map(|k| self.cells.get(&k))
                .flatten()
                .filter(|p| d2(p) <= t2)
                .min_by(|a, b| d2(a).total_cmp(&d2(b)))
                .copied();
            if let Some(found) = best {
                return found;
            }
            self.cells.entry((cx, cy)).or_default().push(c);
            return c;
        }
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(found) = self.cells.get(&(cx + dx, cy + dy)).and_then(|v| {
                    v.iter()
                        .find(|p| (p.x - c.x).powi(2) + (p.y - c.y).powi(2) <= t2)
                }) {
                    return *found;
                }
            }
        }
        self.cells.entry((cx, cy)).or_default().push(c);
        c
    }

    /// Registers every vertex of `mp` as canonical (used for the parent, which must not move).
    pub fn register(&mut self, mp: &MultiPolygon<f64>) {
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for c in &ring.0 {
                    self.snap(*c);
                }
            }
        }
    }

    /// Snaps every vertex of `mp`; drops repeated vertices and rings or polygons that collapse.
    pub fn weld(&mut self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let mut ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
            let mut out: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
            for c in &ls.0 {
                let s = self.snap(*c);
                if out.last() != Some(&s) {
                    out.push(s);
                }
            }
            if out.len() >= 4 && out.first() == out.last() {
                Some(LineString::from(out))
            } else {
                None
            }
        };
        MultiPolygon::new(
            mp.0.iter()
                .filter_map(|p| {
                    let exterior = ring(p.exterior())?;
                    let interiors = p.interiors().iter().filter_map(&mut ring).collect();
                    let poly = Polygon::new(exterior, interiors);
                    (poly.unsigned_area() > 0.0).then_some(poly)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_vertices_become_identical_and_the_first_wins() {
        let mut w = Welder::new(0.001);
        let a = Coord { x: 10.0, y: 5.0 };
        assert_eq!(w.snap(a), a);
        assert_eq!(
            w.snap(Coord {
                x: 10.0004,
                y: 4.9997
            }),
            a
        );
        let far = Coord { x: 10.01, y: 5.0 };
        assert_eq!(w.snap(far), far);
    }
}
