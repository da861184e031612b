//! The spatial engine against brute force: area queries, nearest households, and incremental
//! statistics against a full recomputation after random boundary changes.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use geo::{Area as _, BoundingRect, Validation};
use geo_types::{Coord, LineString, Polygon};
use gridatlas::index::{Area, SpatialIndex};
use gridatlas::model::{Dataset, Level, UnitId};
use gridatlas::stats::{Stats, area_report, reassign_region};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random star-shaped (often concave) polygon around a household.
fn random_polygon(d: &Dataset, rng: &mut ChaCha8Rng) -> Polygon<f64> {
    let c = d.households[rng.random_range(0..d.households.len())]
        .location
        .0;
    let n = rng.random_range(5..12);
    let mut ring: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = rng.random_range(0.002..0.02);
            Coord {
                x: c.x + r * a.cos(),
                y: c.y + r * a.sin() * 0.9,
            }
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString::from(ring), vec![])
}

#[test]
fn area_queries_equal_brute_force() {
    let d = common::township(1);
    let index = SpatialIndex::build(&d);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut non_empty = 0;
    for _ in 0..40 {
        let polygon = random_polygon(&d, &mut rng);
        let got = index.households_in(&Area::Polygon(polygon.clone()));
        // Brute force: geo's own predicate on the lon/lat polygon, every household.
        let expected: Vec<usize> = d
            .households
            .iter()
            .enumerate()
            .filter(|(_, h)| geo::Intersects::intersects(&polygon, &h.location))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, expected);
        non_empty += usize::from(!got.is_empty());

        let centre = d.households[rng.random_range(0..d.households.len())]
            .location
            .0;
        let radius_m = rng.random_range(50.0..3000.0);
        let got = index.households_in(&Area::Circle { centre, radius_m });
        let c = index.frame.forward(centre);
        let expected: Vec<usize> = d
            .households
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let m = index.frame.forward(h.location.0);
                (m.x - c.x).hypot(m.y - c.y) <= radius_m
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, expected, "circle r={radius_m}");
    }
    assert!(non_empty > 20, "queries must hit households ({non_empty})");
}

#[test]
fn nearest_households_equal_brute_force() {
    let d = common::township(2);
    let index = SpatialIndex::build(&d);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..20 {
        let p = d.households[rng.random_range(0..d.households.len())]
            .location
            .0;
        let p = Coord {
            x: p.x + rng.random_range(-0.01..0.01),
            y: p.y + rng.random_range(-0.01..0.01),
        };
        let got = index.nearest_households(p, 15);
        let m = index.frame.forward(p);
        let mut all: Vec<(f64, usize)> = d
            .households
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let q = index.frame.forward(h.location.0);
                ((q.x - m.x).hypot(q.y - m.y), i)
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let got_d: Vec<f64> = got.iter().map(|(_, dist)| *dist).collect();
        let want_d: Vec<f64> = all[..15].iter().map(|(dist, _)| *dist).collect();
        for (a, b) in got_d.iter().zip(&want_d) {
            assert!((a - b).abs() < 1e-6, "{got_d:?} vs {want_d:?}");
        }
    }
}

#[test]
fn area_report_lists_people_tags_units_and_workers() {
    let d = common::township(1);
    let index = SpatialIndex::build(&d);
    let centre = d.households[100].location.0;
    let report = area_report(
        &d,
        &index,
        &Area::Circle {
            centre,
            radius_m: 800.0,
        },
    );
    assert!(!report.households.is_empty());
    let persons: u32 = report
        .households
        .iter()
        .map(|&i| d.households[i].members as u32)
        .sum();
    assert_eq!(report.persons, persons);
    let in_units: u32 = report.micro_grids.values().sum();
    assert_eq!(in_units as usize, report.households.len());
    // Every micro-grid in the report has its leader among the workers answerable.
    for m in report.micro_grids.keys() {
        assert!(
            report
                .workers
                .iter()
                .any(|w| d.workers.iter().any(|x| x.id == *w && x.unit == *m)),
            "no worker for {m}"
        );
    }
}

/// The units a vertex move changed, their envelopes before it, and where the vertex is now.
type VertexMove = (Vec<UnitId>, Vec<[f64; 4]>, Coord<f64>);

/// Moves one vertex shared by micro-grids inside a grid (not on the grid's own outline) in all
/// of them, so they still tile the grid. Returns the changed units and their old envelopes, or
/// None when the move would make an outline invalid.
fn move_shared_vertex(
    d: &mut Dataset,
    rng: &mut ChaCha8Rng,
    from: Option<Coord<f64>>,
    to: Coord<f64>,
) -> Option<VertexMove> {
    let v = match from {
        Some(v) => v,
        None => {
            let grids: Vec<usize> = d
                .units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.level == Level::Grid)
                .map(|(i, _)| i)
                .collect();
            let g = &d.units[grids[rng.random_range(0..grids.len())]];
            let outline: Vec<Coord<f64>> = g
                .geometry
                .0
                .iter()
                .flat_map(|p| p.exterior().0.clone())
                .collect();
            let kids: Vec<&gridatlas::model::Unit> =
                d.units.iter().filter(|u| u.parent == Some(g.id)).collect();
            let mut shared: Vec<Coord<f64>> = Vec::new();
            for k in &kids {
                for c in k.geometry.0.iter().flat_map(|p| p.exterior().0.iter()) {
                    let users = kids
                        .iter()
                        .filter(|o| o.geometry.0.iter().any(|p| p.exterior().0.contains(c)))
                        .count();
                    if users >= 2 && !outline.contains(c) && !shared.contains(c) {
                        shared.push(*c);
                    }
                }
            }
            *shared.get(rng.random_range(0..shared.len().max(1)))?
        }
    };
    let target = Coord {
        x: v.x + to.x,
        y: v.y + to.y,
    };
    let mut changed = Vec::new();
    let mut envelopes = Vec::new();
    let before = d.units.clone();
    for u in d.units.iter_mut().filter(|u| u.level == Level::MicroGrid) {
        if u.geometry.0.iter().any(|p| p.exterior().0.contains(&v)) {
            let r = u.geometry.bounding_rect().unwrap();
            envelopes.push([r.min().x, r.min().y, r.max().x, r.max().y]);
            for p in u.geometry.0.iter_mut() {
                p.exterior_mut(|ring| {
                    for c in ring.0.iter_mut() {
                        if *c == v {
                            *c = target;
                        }
                    }
                });
            }
            changed.push(u.id);
        }
    }
    // Still a tiling: every outline valid, and the children of each touched grid still sum to
    // its area (an overlap with a neighbour that does not share the vertex adds area).
    let parents: Vec<UnitId> = d
        .units
        .iter()
        .filter(|u| changed.contains(&u.id))
        .filter_map(|u| u.parent)
        .collect();
    let tiles = parents.iter().all(|g| {
        let grid = d
            .units
            .iter()
            .find(|u| u.id == *g)
            .unwrap()
            .geometry
            .unsigned_area();
        let kids: f64 = d
            .units
            .iter()
            .filter(|u| u.parent == Some(*g))
            .map(|u| u.geometry.unsigned_area())
            .sum();
        (kids - grid).abs() <= grid * 1e-9
    });
    if !tiles
        || d.units
            .iter()
            .filter(|u| changed.contains(&u.id))
            .any(|u| !u.geometry.is_valid())
    {
        d.units = before;
        return None;
    }
    Some((changed, envelopes, target))
}

#[test]
fn incremental_statistics_equal_full_recomputation() {
    let mut d = common::township(6);
    let mut index = SpatialIndex::build(&d);
    let as_of = d.meta.as_of;
    let mut stats = Stats::compute(&d, as_of);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (mut drags, mut moved_households) = (0, 0);
    // Bounded: if valid drags stopped being found, the test fails instead of spinning.
    let mut attempts = 0;
    while drags < 25 {
        attempts += 1;
        assert!(
            attempts < 2_000,
            "only {drags} valid drags in {attempts} attempts"
        );
        // One drag: several frames moving the same vertex, the region accumulated.
        let Some((changed, mut region, mut at)) =
            move_shared_vertex(&mut d, &mut rng, None, Coord { x: 0.0, y: 0.0 })
        else {
            continue;
        };
        for _ in 0..4 {
            let step = Coord {
                x: rng.random_range(-3e-4..3e-4),
                y: rng.random_range(-3e-4..3e-4),
            };
            let Some((_, envelopes, new_at)) = move_shared_vertex(&mut d, &mut rng, Some(at), step)
            else {
                continue;
            };
            at = new_at;
            region.extend(envelopes);
            for u in d.units.iter().filter(|u| changed.contains(&u.id)) {
                let r = u.geometry.bounding_rect().unwrap();
                region.push([r.min().x, r.min().y, r.max().x, r.max().y]);
            }
            for m in reassign_region(&d, &index, &changed, &region) {
                let h = d.households[m.household].clone();
                stats.move_household(&h, m.from, m.to);
                d.households[m.household].unit = m.to;
                moved_households += 1;
            }
            // The incremental result equals a full recomputation (fresh index), every frame.
            let full = SpatialIndex::build(&d).assign_all(&d);
            for (h, unit) in d.households.iter().zip(&full.households) {
                assert_eq!(h.unit, *unit, "household {} after drag {drags}", h.id);
            }
            assert!(
                stats == Stats::compute(&d, as_of),
                "statistics differ after drag {drags}"
            );
        }
        index.rebuild_units(&d);
        drags += 1;
    }
    assert!(
        moved_households > 5,
        "the drags must move households ({moved_households})"
    );
}
