//! The assignment engine agrees with brute force: every point tested against every polygon with
//! geo's exact `coordinate_position`, applying the documented ownership rule (strictly inside
//! wins; on boundaries only, the smallest id). Includes points exactly on shared edges and
//! vertices, on the outer border, and outside.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use geo::CoordinatePosition;
use geo::coordinate_position::CoordPos;
use geo_types::{Coord, MultiPolygon};
use gridatlas::bench::voronoi_square;
use gridatlas::index::{DEFAULT_BUCKETS_PER_UNIT, PointLocator};
use gridatlas::model::Level;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn brute_force(polygons: &[(i64, &MultiPolygon<f64>)], p: Coord<f64>) -> Option<i64> {
    let mut inside: Option<i64> = None;
    let mut boundary: Option<i64> = None;
    for (id, mp) in polygons {
        match mp.coordinate_position(&p) {
            CoordPos::Inside => inside = Some(inside.map_or(*id, |i| i.min(*id))),
            CoordPos::OnBoundary => boundary = Some(boundary.map_or(*id, |b| b.min(*id))),
            CoordPos::Outside => {}
        }
    }
    inside.or(boundary)
}

/// Random points plus the hard ones: every vertex, points on edges, on the border, outside.
fn probe_points(
    polygons: &[(i64, &MultiPolygon<f64>)],
    rng: &mut ChaCha8Rng,
    random: usize,
) -> Vec<Coord<f64>> {
    let mut xs = Vec::new();
    let (mut min, mut max) = (
        Coord {
            x: f64::MAX,
            y: f64::MAX,
        },
        Coord {
            x: f64::MIN,
            y: f64::MIN,
        },
    );
    for (_, mp) in polygons {
        for poly in &mp.0 {
            let ring = &poly.exterior().0;
            for w in ring.windows(2) {
                xs.push(w[0]);
                // A point exactly on the edge when the edge is axis-parallel; otherwise
                // within rounding of it — both sides of the predicate get exercised.
                xs.push(Coord {
                    x: (w[0].x + w[1].x) / 2.0,
                    y: (w[0].y + w[1].y) / 2.0,
                });
                xs.push(Coord {
                    x: w[0].x + (w[1].x - w[0].x) * 0.25,
                    y: w[0].y + (w[1].y - w[0].y) * 0.25,
                });
                min = Coord {
                    x: min.x.min(w[0].x),
                    y: min.y.min(w[0].y),
                };
                max = Coord {
                    x: max.x.max(w[0].x),
                    y: max.y.max(w[0].y),
                };
            }
        }
    }
    let (w, h) = (max.x - min.x, max.y - min.y);
    for _ in 0..random {
        xs.push(Coord {
            x: min.x - 0.05 * w + rng.random::<f64>() * 1.1 * w,
            y: min.y - 0.05 * h + rng.random::<f64>() * 1.1 * h,
        });
    }
    // Exactly on the extent's edges and corners.
    for t in [0.0, 0.3, 0.5, 1.0] {
        xs.push(Coord {
            x: min.x + t * w,
            y: min.y,
        });
        xs.push(Coord {
            x: min.x + t * w,
            y: max.y,
        });
        xs.push(Coord {
            x: min.x,
            y: min.y + t * h,
        });
        xs.push(Coord {
            x: max.x,
            y: min.y + t * h,
        });
    }
    xs.push(Coord {
        x: f64::NAN,
        y: min.y,
    });
    xs
}

fn agree(polygons: &[(i64, &MultiPolygon<f64>)], points: &[Coord<f64>]) {
    for density in [1.0, DEFAULT_BUCKETS_PER_UNIT, 40.0] {
        let locator = PointLocator::new(polygons.iter().map(|(id, mp)| (*id, *mp)), density);
        let all = locator.locate_all(points);
        let mut on_boundary = 0;
        for (i, p) in points.iter().enumerate() {
            let expected = if p.x.is_nan() {
                None
            } else {
                brute_force(polygons, *p)
            };
            assert_eq!(
                locator.locate(*p),
                expected,
                "point {i} {p:?} (density {density})"
            );
            assert_eq!(
                all[i], expected,
                "locate_all, point {i} {p:?} (density {density})"
            );
            if expected.is_some()
                && polygons
                    .iter()
                    .any(|(_, mp)| mp.coordinate_position(p) == CoordPos::OnBoundary)
            {
                on_boundary += 1;
            }
        }
        assert!(
            on_boundary > 100,
            "the probe must exercise boundaries ({on_boundary})"
        );
    }
}

#[test]
fn voronoi_tiling_matches_brute_force() {
    let w = voronoi_square(400, 0, 11).unwrap();
    let polygons: Vec<(i64, &MultiPolygon<f64>)> = w
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (i as i64 + 1, c))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let points = probe_points(&polygons, &mut rng, 20_000);
    agree(&polygons, &points);
}

#[test]
fn ids_need_not_follow_input_order() {
    // Reverse ids so that "smallest id" differs from "first in the input".
    let w = voronoi_square(150, 0, 3).unwrap();
    let polygons: Vec<(i64, &MultiPolygon<f64>)> = w
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (1000 - i as i64, c))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let points = probe_points(&polygons, &mut rng, 5_000);
    agree(&polygons, &points);
}

#[test]
fn real_micro_grids_match_brute_force() {
    // Multi-part outlines along a real county border, in lon/lat.
    let d = common::township(1);
    let polygons: Vec<(i64, &MultiPolygon<f64>)> = d
        .units_of_level(Level::MicroGrid)
        .map(|u| (u.id.0, &u.geometry))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut points = probe_points(&polygons, &mut rng, 3_000);
    points.extend(d.households.iter().map(|h| h.location.0));
    agree(&polygons, &points);
}
