//! The standard assignment workload: M Voronoi cells tiling a 10 km × 10 km square (planar
//! metres) and N uniform random points.
//!
//! Cells come from spade's Delaunay triangulation: each cell's ring is made of the circumcentres
//! of the triangles around its site, computed once per triangle, so neighbouring cells share
//! bit-identical vertices (a true tiling, no slivers). Four far sites outside the square keep
//! every real cell bounded; cells are then clipped to the square.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spade::handles::FixedVertexHandle;
use spade::{DelaunayTriangulation, Point2, Triangulation};

pub const SIDE_M: f64 = 10_000.0;

pub struct Workload {
    /// Cell `i` has id `i + 1`.
    pub cells: Vec<MultiPolygon<f64>>,
    pub points: Vec<Coord<f64>>,
}

/// Intersection of segment p–q with the vertical or horizontal line `axis = value`, computed
/// from the endpoints in a fixed order so that both cells sharing the segment get the same point.
fn cut(p: Coord<f64>, q: Coord<f64>, vertical: bool, value: f64) -> Coord<f64> {
    let (a, b) = if (p.x, p.y) <= (q.x, q.y) {
        (p, q)
    } else {
        (q, p)
    };
    if vertical {
        let t = (value - a.x) / (b.x - a.x);
        Coord {
            x: value,
            y: a.y + t * (b.y - a.y),
        }
    } else {
        let t = (value - a.y) / (b.y - a.y);
        Coord {
            x: a.x + t * (b.x - a.x),
            y: value,
        }
    }
}

/// Sutherland–Hodgman against the square [0, SIDE_M]² (exact for convex cells).
fn clip_to_square(ring: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    let planes: [(bool, f64, bool); 4] = [
        (true, 0.0, true),
        (true, SIDE_M, false),
        (false, 0.0, true),
        (false, SIDE_M, false),
    ];
    let mut out = ring;
    for (vertical, value, keep_greater) in planes {
        let inside = |c: Coord<f64>| {
            let v = if vertical { c.x } else { c.y };
            if keep_greater { v >= value } else { v <= value }
        };
        let input = std::mem::take(&mut out);
        for i in 0..input.len() {
            let (p, q) = (input[i], input[(i + 1) % input.len()]);
            match (inside(p), inside(q)) {
                (true, true) => out.push(q),
                (true, false) => out.push(cut(p, q, vertical, value)),
                (false, true) => {
                    out.push(cut(p, q, vertical, value));
                    out.push(q);
                }
                (false, false) => {}
            }
        }
        if out.is_empty() {
            break;
        }
    }
    out
}

/// Builds the workload; the same `seed` gives the same cells and points.
pub fn voronoi_square(cells: usize, points: usize, seed: u64) -> Result<Workload, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sites: Vec<Point2<f64>> = (0..cells)
        .map(|_| Point2::new(rng.random_range(0.0..SIDE_M), rng.random_range(0.0..SIDE_M)))
        .collect();
    let far = SIDE_M * 10.0;
    sites.extend([
        Point2::new(-far, -far),
        Point2::new(far + SIDE_M, -far),
        Point2::new(far + SIDE_M, far + SIDE_M),
        Point2::new(-far, far + SIDE_M),
    ]);
    let t: DelaunayTriangulation<Point2<f64>> =
        DelaunayTriangulation::bulk_load_stable(sites).map_err(|e| format!("Delaunay: {e:?}"))?;
    let polygons = (0..cells)
        .map(|i| {
            let v = t.vertex(FixedVertexHandle::from_index(i));
            // out_edges go clockwise; their left faces' circumcentres are the cell's corners.
            let mut ring: Vec<Coord<f64>> = v
                .out_edges()
                .filter_map(|e| e.face().as_inner().map(|f| f.circumcenter()))
                .map(|c| Coord { x: c.x, y: c.y })
                .collect();
            ring.reverse();
            let mut ring = clip_to_square(ring);
            ring.dedup();
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
            MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])])
        })
        .collect();
    let points = (0..points)
        .map(|_| Coord {
            x: rng.random_range(0.0..SIDE_M),
            y: rng.random_range(0.0..SIDE_M),
        })
        .collect();
    Ok(Workload {
        cells: polygons,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn cells_tile_the_square() {
        let w = voronoi_square(300, 10, 1).unwrap();
        let total: f64 = w.cells.iter().map(|c| c.unsigned_area()).sum();
        assert!((total - SIDE_M * SIDE_M).abs() < 1e-3, "{total}");
        assert!(w.cells.iter().all(|c| c.0[0].exterior().0.len() >= 4));
    }
}
