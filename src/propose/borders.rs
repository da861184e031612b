//! Which blocks are neighbours, and how long a border they share, from their outlines alone.
//!
//! Our own rather than a crate's: a shared border here is any pair of collinear, overlapping
//! edges, whether or not the two outlines have the same vertices along it — a micro-grid's
//! corner often lies in the middle of the neighbouring grid's micro-grid edge (a T-junction),
//! so matching identical segments (as a topology builder would) misses real neighbours. Blocks
//! are few (hundreds per unit) and small, so candidate pairs come from a sweep over bounding
//! boxes and each pair compares its edges directly.

use geo::BoundingRect;
use geo_types::{Coord, MultiPolygon};

/// Two edges closer than this (m) to one line count as one border.
const ON_LINE_M: f64 = 0.05;

fn edges(mp: &MultiPolygon<f64>) -> Vec<(Coord<f64>, Coord<f64>)> {
    let mut out = Vec::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                if w[0] != w[1] {
                    out.push((w[0], w[1]));
                }
            }
        }
    }
    out
}

/// Length of the part of `t` that lies along `s`.
fn overlap(s: (Coord<f64>, Coord<f64>), t: (Coord<f64>, Coord<f64>)) -> f64 {
    let d = s.1 - s.0;
    let len = (d.x * d.x + d.y * d.y).sqrt();
    if len <= 0.0 {
        return 0.0;
    }
    let u = Coord {
        x: d.x / len,
        y: d.y / len,
    };
    let off = |p: Coord<f64>| {
        let v = p - s.0;
        ((u.x * v.y - u.y * v.x).abs(), u.x * v.x + u.y * v.y)
    };
    let (dc, pc) = off(t.0);
    let (dd, pd) = off(t.1);
    if dc > ON_LINE_M || dd > ON_LINE_M {
        return 0.0;
    }
    (pc.max(pd).min(len) - pc.min(pd).max(0.0)).max(0.0)
}

/// Perimeter of an outline (m, for outlines in metres).
pub fn perimeter(mp: &MultiPolygon<f64>) -> f64 {
    edges(mp)
        .iter()
        .map(|(a, b)| ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt())
        .sum()
}

/// For each outline, its neighbours and the length of border they share (≥ `min_m`).
pub fn shared_borders(shapes: &[MultiPolygon<f64>], min_m: f64) -> Vec<Vec<(usize, f64)>> {
    let boxes: Vec<Option<[f64; 4]>> = shapes
        .iter()
        .map(|s| {
            s.bounding_rect().map(|r| {
                [
                    r.min().x - ON_LINE_M,
                    r.min().y - ON_LINE_M,
                    r.max().x + ON_LINE_M,
                    r.max().y + ON_LINE_M,
                ]
            })
        })
        .collect();
    let all_edges: Vec<Vec<(Coord<f64>, Coord<f64>)>> = shapes.iter().map(edges).collect();
    let mut order: Vec<usize> = (0..shapes.len()).filter(|&i| boxes[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        let (Some(ba), Some(bb)) = (boxes[a], boxes[b]) else {
            return std::cmp::Ordering::Equal;
        };
        ba[0].total_cmp(&bb[0])
    });
    let mut out = vec![Vec::new(); shapes.len()];
    for (oi, &i) in order.iter().enumerate() {
        let Some(bi) = boxes[i] else { continue };
        for &j in &order[oi + 1..] {
            let Some(bj) = boxes[j] else { continue };
            if bj[0] > bi[2] {
                break;
            }
            if bj[1] > bi[3] || bj[3] < bi[1] {
                continue;
            }
            let mut shared = 0.0;
            for &s in &all_edges[i] {
                for &t in &all_edges[j] {
                    shared += overlap(s, t);
                }
            }
            if shared >= min_m {
                out[i].push((j, shared));
                out[j].push((i, shared));
            }
        }
    }
    for n in &mut out {
        n.sort_by_key(|&(j, _)| j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn square(x: f64, y: f64, side: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: x, y: y),
            (x: x + side, y: y),
            (x: x + side, y: y + side),
            (x: x, y: y + side),
            (x: x, y: y),
        ]])
    }

    #[test]
    fn a_t_junction_still_makes_neighbours() {
        // One 20 m square beside two 10 m squares: the middle vertex is only on the right.
        let shapes = [
            square(0.0, 0.0, 20.0),
            square(20.0, 0.0, 10.0),
            square(20.0, 10.0, 10.0),
        ];
        let n = shared_borders(&shapes, 0.5);
        assert_eq!(n[0].len(), 2);
        assert!((n[0][0].1 - 10.0).abs() < 1e-9);
        assert!((n[1].iter().find(|x| x.0 == 2).map_or(0.0, |x| x.1) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn touching_at_a_corner_is_not_a_border() {
        let shapes = [square(0.0, 0.0, 10.0), square(10.0, 10.0, 10.0)];
        assert!(shared_borders(&shapes, 0.5)[0].is_empty());
        assert!((perimeter(&shapes[0]) - 40.0).abs() < 1e-9);
    }
}
