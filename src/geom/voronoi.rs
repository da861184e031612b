//! Voronoi cells of a few sites, clipped to a boundary, as MultiPolygons.
//!
//! Written here rather than using geo's `Voronoi`: when clipped to a concave boundary that
//! returns one `Polygon` per site, which cannot hold a cell that the boundary cuts into two
//! pieces; a unit's outline must be a MultiPolygon then. Sites are few (≤ a few hundred per
//! parent), so each cell is the bounding box cut by the bisector half-planes, O(k²), and then
//! intersected with the boundary by geo's BooleanOps.

use geo::{BooleanOps, BoundingRect};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// Clips a convex polygon (as a ring of coordinates, not closed) by the half-plane
/// `(p - m) · n <= 0`.
fn clip_half_plane(ring: &[Coord<f64>], m: Coord<f64>, n: Coord<f64>) -> Vec<Coord<f64>> {
    let side = |p: Coord<f64>| (p.x - m.x) * n.x + (p.y - m.y) * n.y;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for i in 0..ring.len() {
        let a = ring[i];
        let b = ring[(i + 1) % ring.len()];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push(Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            });
        }
    }
    out
}

/// One cell per site: the part of `boundary` closer to that site than to any other.
/// Cells of coincident sites are split arbitrarily (the first wins). A site far outside the
/// boundary may get an empty cell.
pub fn voronoi_cells(sites: &[Coord<f64>], boundary: &MultiPolygon<f64>) -> Vec<MultiPolygon<f64>> {
    let Some(rect) = boundary.bounding_rect() else {
        return vec![MultiPolygon::new(vec![]); sites.len()];
    };
    // A box that holds the boundary and every site, with margin.
    let (mut min, mut max) = (rect.min(), rect.max());
    for s in sites {
        min = Coord {
            x: min.x.min(s.x),
            y: min.y.min(s.y),
        };
        max = Coord {
            x: max.x.max(s.x),
            y: max.y.max(s.y),
        };
    }
    let margin = (max.x - min.x).max(max.y - min.y) * 0.1 + 1.0;
    let bbox = vec![
        Coord {
            x: min.x - margin,
            y: min.y - margin,
        },
        Coord {
            x: max.x + margin,
            y: min.y - margin,
        },
        Coord {
            x: max.x + margin,
            y: max.y + margin,
        },
        Coord {
            x: min.x - margin,
            y: max.y + margin,
        },
    ];
    sites
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let mut ring = bbox.clone();
            for (j, &o) in sites.iter().enumerate() {
                if i == j || ring.is_empty() {
                    continue;
                }
                if o == s {
                    if j < i {
                        ring.clear();
                    }
                    continue;
                }
                let m = Coord {
                    x: (s.x + o.x) / 2.0,
                    y: (s.y + o.y) / 2.0,
                };
                let n = Coord {
                    x: o.x - s.x,
                    y: o.y - s.y,
                };
                ring = clip_half_plane(&ring, m, n);
            }
            if ring.len() < 3 {
                return MultiPolygon::new(vec![]);
            }
            let cell = Polygon::new(LineString::from(ring), vec![]);
            cell.intersection(boundary)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains, Intersects};

    #[test]
    fn cells_tile_the_boundary_and_hold_their_site() {
        let boundary = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]),
            vec![],
        )]);
        let sites = [
            Coord { x: 2.0, y: 2.0 },
            Coord { x: 8.0, y: 3.0 },
            Coord { x: 5.0, y: 8.0 },
            Coord { x: 1.0, y: 9.0 },
        ];
        let cells = voronoi_cells(&sites, &boundary);
        let total: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
        assert!((total - 100.0).abs() < 1e-9, "{total}");
        for (cell, site) in cells.iter().zip(sites) {
            assert!(cell.contains(&geo::Point::from(site)));
        }
        // A point is in the cell of its nearest site.
        let p = geo::Point::new(7.0, 7.0);
        assert!(cells[2].intersects(&p));
    }

    #[test]
    fn concave_boundary_can_split_a_cell() {
        // A U shape: one site in the middle of the gap gets both arms' tips.
        let boundary = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (9.0, 0.0),
                (9.0, 9.0),
                (6.0, 9.0),
                (6.0, 3.0),
                (3.0, 3.0),
                (3.0, 9.0),
                (0.0, 9.0),
            ]),
            vec![],
        )]);
        let sites = [Coord { x: 4.5, y: 1.0 }, Coord { x: 4.5, y: 8.0 }];
        let cells = voronoi_cells(&sites, &boundary);
        assert_eq!(cells[1].0.len(), 2, "the upper cell is the two arm tips");
    }
}
