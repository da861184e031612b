//! Cutting a parent into k children that tile it: sites by k-means over the households inside
//! (so that dense places get small cells and each child holds a similar number of households),
//! then the Voronoi cells of the sites clipped to the parent. Works in planar metres.

use geo::{Area, BoundingRect, Contains};
use geo_types::{Coord, MultiPolygon, Point};
use rand::Rng;

use crate::geom::{Welder, voronoi_cells};

/// Vertices of sibling outlines closer than this (metres) are made one vertex.
const WELD_TOLERANCE_M: f64 = 0.001;

/// A child: its outline and the indices of the points inside it.
pub struct Piece {
    pub geometry: MultiPolygon<f64>,
    pub members: Vec<usize>,
    pub site: Coord<f64>,
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

fn nearest(sites: &[Coord<f64>], p: Coord<f64>) -> usize {
    let mut best = 0;
    let mut best_d = f64::INFINITY;
    for (i, s) in sites.iter().enumerate() {
        let d = dist2(*s, p);
        if d < best_d {
            best_d = d;
            best = i;
        }
    }
    best
}

/// k-means++ seeding then Lloyd iterations over `points[members]`.
fn kmeans(
    points: &[Coord<f64>],
    members: &[usize],
    k: usize,
    rng: &mut impl Rng,
) -> Vec<Coord<f64>> {
    let mut centres = vec![points[members[rng.random_range(0..members.len())]]];
    let mut d2: Vec<f64> = members
        .iter()
        .map(|&i| dist2(points[i], centres[0]))
        .collect();
    while centres.len() < k {
        let total: f64 = d2.iter().sum();
        let next = if total <= 0.0 {
            members[rng.random_range(0..members.len())]
        } else {
            let mut target = rng.random_range(0.0..total);
            let mut chosen = members[members.len() - 1];
            for (j, &i) in members.iter().enumerate() {
                target -= d2[j];
                if target <= 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        let c = points[next];
        centres.push(c);
        for (j, &i) in members.iter().enumerate() {
            d2[j] = d2[j].min(dist2(points[i], c));
        }
    }
    for _ in 0..12 {
        let mut sums = vec![(0.0, 0.0, 0usize); k];
        for &i in members {
            let c = nearest(&centres, points[i]);
            sums[c].0 += points[i].x;
            sums[c].1 += points[i].y;
            sums[c].2 += 1;
        }
        let mut moved = 0.0f64;
        for (c, (sx, sy, n)) in centres.iter_mut().zip(sums) {
            if n > 0 {
                let new = Coord {
                    x: sx / n as f64,
                    y: sy / n as f64,
                };
                moved = moved.max(dist2(*c, new));
                *c = new;
            }
        }
        if moved < 1.0 {
            break;
        }
    }
    centres
}

/// Best-candidate sampling: of `tries` random points in `shape` that `keep` accepts, the one
/// whose nearest point of `placed` is farthest (points spread evenly without a grid).
pub fn best_candidate(
    shape: &MultiPolygon<f64>,
    placed: &[Coord<f64>],
    tries: usize,
    keep: impl Fn(&Coord<f64>) -> bool,
    rng: &mut impl Rng,
) -> Option<Coord<f64>> {
    (0..tries)
        .filter_map(|_| random_point_in(shape, rng))
        .filter(|c| keep(c))
        .map(|c| {
            let d = placed
                .iter()
                .map(|s| (s.x - c.x).powi(2) + (s.y - c.y).powi(2))
                .fold(f64::INFINITY, f64::min);
            (c, d)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// A random point inside `shape` (rejection sampling in its bounding box).
pub fn random_point_in(shape: &MultiPolygon<f64>, rng: &mut impl Rng) -> Option<Coord<f64>> {
    let rect = shape.bounding_rect()?;
    for _ in 0..10_000 {
        let c = Coord {
            x: rng.random_range(rect.min().x..=rect.max().x),
            y: rng.random_range(rect.min().y..=rect.max().y),
        };
        if shape.contains(&Point::from(c)) {
            return Some(c);
        }
    }
    None
}

/// Splits `parent` into (up to) `k` pieces that tile it. Cells smaller than 1/2000 of the
/// parent, or left empty by a concave parent, are dropped and the rest recomputed, so every
/// piece has real area.
pub fn partition(
    parent: &MultiPolygon<f64>,
    points: &[Coord<f64>],
    members: &[usize],
    k: usize,
    rng: &mut impl Rng,
) -> Vec<Piece> {
    let whole = |site| {
        vec![Piece {
            geometry: parent.clone(),
            members: members.to_vec(),
            site,
        }]
    };
    let fallback_site = members
        .first()
        .map(|&i| points[i])
        .or_else(|| parent.bounding_rect().map(|r| r.center()))
        .unwrap_or(Coord { x: 0.0, y: 0.0 });
    if k <= 1 {
        return whole(fallback_site);
    }
    let mut sites = if members.len() >= k * 2 {
        kmeans(points, members, k, rng)
    } else {
        // Too few households to cluster (mountains): spread the sites over the area.
        (0..k)
            .filter_map(|_| random_point_in(parent, rng))
            .collect()
    };
    let parent_area = parent.unsigned_area();
    let cells = loop {
        if sites.len() <= 1 {
            return whole(fallback_site);
        }
        let cells = voronoi_cells(&sites, parent);
        let keep: Vec<bool> = cells
            .iter()
            .map(|c| c.unsigned_area() > parent_area / 2000.0)
            .collect();
        if keep.iter().all(|k| *k) {
            break cells;
        }
        let mut i = 0;
        sites.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    };
    // Shared edges must be identical, not merely within a snapping grid of each other.
    let mut welder = Welder::new(WELD_TOLERANCE_M);
    welder.register(parent);
    let mut pieces: Vec<Piece> = cells
        .iter()
        .map(|c| welder.weld(c))
        .zip(&sites)
        .map(|(geometry, &site)| Piece {
            geometry,
            members: Vec::new(),
            site,
        })
        .collect();
    for &i in members {
        pieces[nearest(&sites, points[i])].members.push(i);
    }
    pieces
}

/// Orders pieces west→east within rows north→south (the GB/T numbering rule).
pub fn reading_order(pieces: &mut [Piece], parent: &MultiPolygon<f64>) {
    let Some(rect) = parent.bounding_rect() else {
        return;
    };
    let rows = (pieces.len() as f64).sqrt().round().max(1.0);
    let row_height = (rect.height() / rows).max(1e-9);
    let key = |p: &Piece| {
        let c = geo::InteriorPoint::interior_point(&p.geometry)
            .map(|pt| pt.0)
            .unwrap_or(p.site);
        (((rect.max().y - c.y) / row_height).floor() as i64, c.x)
    };
    pieces.sort_by(|a, b| {
        let (ra, xa) = key(a);
        let (rb, xb) = key(b);
        ra.cmp(&rb).then(xa.total_cmp(&xb))
    });
}
