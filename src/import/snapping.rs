//! Absorbing digitising noise: outlines drawn separately (by different surveyors, or traced
//! twice along one road) disagree along their shared borders by centimetres to a metre. Within
//! a tolerance, vertices of the incoming outlines are
//! 1. welded to the vertex of a fixed outline (the parent, siblings already in the document) or
//!    of an earlier incoming one nearby,
//! 2. moved onto a fixed outline's edge when they lie near it, and
//! 3. inserted into every incoming edge that passes near another outline's vertex,
//!
//! so that a border two units share is the same vertex sequence in both — as in the documents
//! GridAtlas generates — and siblings tile their parent without slivers. Everything runs in
//! local metres (the caller's projection); fixed outlines never change.
//!
//! Written here rather than taken from a crate: GEOS's snapping (`GEOSSnap`) snaps one geometry
//! to another, not a set of neighbours to each other and to a frame, and there is no Rust
//! equivalent at all.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};

use crate::geom::Welder;

/// What snapping did, for the import's report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapped {
    /// Vertices that moved (welded to another or pulled onto a fixed edge).
    pub moved: usize,
    /// Vertices added to an edge so that it passes exactly through a neighbour's vertex.
    pub inserted: usize,
}

/// The point of segment a–b nearest to p, and its parameter along the segment.
fn project(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> (Coord<f64>, f64) {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    if len2 == 0.0 {
        return (a, 0.0);
    }
    let t = (((p.x - a.x) * d.x + (p.y - a.y) * d.y) / len2).clamp(0.0, 1.0);
    (a + d * t, t)
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

fn rings_mut(mp: &mut MultiPolygon<f64>, mut f: impl FnMut(&mut LineString<f64>)) {
    for p in &mut mp.0 {
        p.exterior_mut(&mut f);
        p.interiors_mut(|holes| holes.iter_mut().for_each(&mut f));
    }
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Snaps `movable` (in place) to `fixed` and to each other within `tolerance` metres.
pub fn snap(
    fixed: &[&MultiPolygon<f64>],
    movable: &mut [MultiPolygon<f64>],
    tolerance: f64,
) -> Snapped {
    let mut out = Snapped::default();
    // 1. Weld: fixed vertices first, so that they win.
    let mut welder = Welder::nearest(tolerance);
    for f in fixed {
        welder.register(f);
    }
    for mp in movable.iter_mut() {
        for c in rings(mp).flat_map(|r| r.0.iter()) {
            if welder.snap(*c) != *c {
                out.moved += 1;
            }
        }
        *mp = welder.weld(mp);
    }
    // 2. Onto fixed edges.
    let t2 = tolerance * tolerance;
    let fixed_edges: RTree<Line<[f64; 2]>> = RTree::bulk_load(
        fixed
            .iter()
            .flat_map(|f| rings(f))
            .flat_map(|r| r.lines())
            .filter(|l| l.start != l.end)
            .map(|l| Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]))
            .collect(),
    );
    if fixed_edges.size() > 0 {
        for mp in movable.iter_mut() {
            rings_mut(mp, |ring| {
                for c in &mut ring.0 {
                    let best = fixed_edges
                        .locate_within_distance([c.x, c.y], t2)
                        .map(|l| {
                            let a = Coord {
                                x: l.from[0],
                                y: l.from[1],
                            };
                            let b = Coord {
                                x: l.to[0],
                                y: l.to[1],
                            };
                            project(*c, a, b).0
                        })
                        .min_by(|p, q| dist2(*p, *c).total_cmp(&dist2(*q, *c)));
                    // A vertex already on the edge (to a micrometre) stays bit-identical: an
                    // outline that needs no snapping comes through unchanged.
                    if let Some(p) = best
                        && dist2(p, *c) > 1e-12
                    {
                        *c = p;
                        out.moved += 1;
                    }
                }
            });
        }
    }
    // 3. Insert neighbours' vertices into incoming edges that pass near them.
    type Owned = GeomWithData<[f64; 2], usize>;
    let owner_fixed = usize::MAX;
    let vertices: RTree<Owned> = RTree::bulk_load(
        fixed
            .iter()
            .flat_map(|f| rings(f))
            .flat_map(|r| r.0.iter())
            .map(|c| Owned::new([c.x, c.y], owner_fixed))
            .chain(movable.iter().enumerate().flat_map(|(i, mp)| {
                rings(mp)
                    .flat_map(|r| r.0.iter())
                    .map(move |c| Owned::new([c.x, c.y], i))
                    .collect::<Vec<_>>()
            }))
            .collect(),
    );
    for (i, mp) in movable.iter_mut().enumerate() {
        rings_mut(mp, |ring| {
            let mut next: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
            for w in ring.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                next.push(a);
                let envelope = AABB::from_corners(
                    [a.x.min(b.x) - tolerance, a.y.min(b.y) - tolerance],
                    [a.x.max(b.x) + tolerance, a.y.max(b.y) + tolerance],
                );
                let mut on_edge: Vec<(f64, Coord<f64>)> = vertices
                    .locate_in_envelope_intersecting(&envelope)
                    .filter(|v| v.data != i)
                    .map(|v| Coord {
                        x: v.geom()[0],
                        y: v.geom()[1],
                    })
                    .filter(|u| *u != a && *u != b)
                    .filter_map(|u| {
                        let (p, t) = project(u, a, b);
                        (t > 0.0 && t < 1.0 && dist2(p, u) <= t2).then_some((t, u))
                    })
                    .collect();
                on_edge.sort_by(|x, y| x.0.total_cmp(&y.0));
                on_edge.dedup_by(|x, y| x.1 == y.1);
                out.inserted += on_edge.len();
                next.extend(on_edge.into_iter().map(|(_, u)| u));
            }
            if let Some(last) = ring.0.last() {
                next.push(*last);
            }
            *ring = LineString::from(next);
        });
    }
    // Insertion can only add vertices; a ring that welding collapsed was dropped in step 1.
    for mp in movable.iter_mut() {
        mp.0.retain(|p: &Polygon<f64>| p.exterior().0.len() >= 4);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps};
    use geo_types::polygon;

    #[test]
    fn two_noisy_halves_become_an_exact_tiling_of_their_parent() {
        let parent = MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)
        ]]);
        // The shared border at x≈50 drawn twice, 0.4 m apart, with different vertices; the
        // outer corners off by up to 0.3 m.
        let left = MultiPolygon::new(vec![polygon![
            (x: 0.2, y: -0.1), (x: 50.3, y: 0.0), (x: 49.8, y: 40.0), (x: 50.2, y: 100.2),
            (x: 0.0, y: 100.0)
        ]]);
        let right = MultiPolygon::new(vec![polygon![
            (x: 49.9, y: 0.1), (x: 100.0, y: 0.0), (x: 100.3, y: 100.0), (x: 50.0, y: 99.9),
            (x: 50.1, y: 70.0)
        ]]);
        let mut kids = vec![left, right];
        let done = snap(&[&parent], &mut kids, 1.0);
        assert!(done.moved > 0 && done.inserted > 0);
        let union = kids[0].union(&kids[1]);
        assert!((union.unsigned_area() - parent.unsigned_area()).abs() < 1e-6);
        assert!(kids[0].intersection(&kids[1]).unsigned_area() < 1e-6);
    }
}
