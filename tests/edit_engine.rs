//! Boundary edits through the editor's command path on the township demo: every committed
//! edit keeps the invariants (`gridatlas check` finds nothing), a refused one changes nothing,
//! and undo restores geometry and assignments exactly.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use geo_types::Coord;
use gridatlas::edit::{EditError, Editor, shared_vertex};
use gridatlas::index::SpatialIndex;
use gridatlas::model::Level;

fn assert_checks(d: &gridatlas::model::Dataset) {
    let report = gridatlas::check::check(d);
    assert!(
        report.violations.is_empty(),
        "{:#?}",
        &report.violations[..report.violations.len().min(5)]
    );
}

#[test]
fn dragging_a_shared_grid_vertex_moves_every_unit_that_uses_it_and_undo_restores_exactly() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::Grid;
    let p = shared_vertex(&d, Level::Grid).expect("a vertex grids share");
    editor.begin_drag(&d, &index, &[p]).unwrap();
    let moved = editor.dragged_units().to_vec();
    let grids = moved
        .iter()
        .filter(|id| {
            d.units
                .iter()
                .any(|u| u.id == **id && u.level == Level::Grid)
        })
        .count();
    assert!(grids >= 2, "a shared vertex belongs to several grids");
    assert!(
        moved.len() > grids,
        "micro-grids at the vertex or on its edges move too"
    );
    // A long drag in small steps: ~40 m.
    let mut live = Vec::new();
    for k in 1..=20 {
        let to = Coord {
            x: p.x + 0.00002 * k as f64,
            y: p.y + 0.00001 * k as f64,
        };
        live = editor.drag_to(&mut d, &index, &[to]).unwrap();
    }
    let change = editor.end_drag(&mut d, &mut index).unwrap().clone();
    assert_eq!(
        change.households.len(),
        live.len(),
        "the live balance predicted the commit"
    );
    assert_checks(&d);
    let after = d.clone();
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(
        d, original,
        "undo restores geometry and assignments exactly"
    );
    editor.redo(&mut d, &mut index).unwrap();
    assert_eq!(d, after, "redo is the edit again");
}

#[test]
fn a_drag_that_folds_a_unit_over_its_neighbour_is_refused_and_changes_nothing() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::Grid;
    let p = shared_vertex(&d, Level::Grid).unwrap();
    editor.begin_drag(&d, &index, &[p]).unwrap();
    // Far across the township: outlines cross.
    let to = Coord {
        x: p.x + 0.05,
        y: p.y + 0.05,
    };
    editor.drag_to(&mut d, &index, &[to]).unwrap();
    let err = editor.end_drag(&mut d, &mut index).unwrap_err();
    match err {
        EditError::Refused(r) => {
            assert!(!r.message.is_empty());
            assert!(r.unit.is_some(), "says where: {r:?}");
        }
        other => panic!("expected a refusal, got {other}"),
    }
    assert_eq!(d, original);
    assert!(!editor.can_undo());
}

#[test]
fn a_vertex_on_the_village_boundary_cannot_be_dragged_at_grid_level() {
    let d = common::township(1);
    let index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::Grid;
    let village = d.units.iter().find(|u| u.level == Level::Village).unwrap();
    let corner = village.geometry.0[0].exterior().0[0];
    let err = editor.begin_drag(&d, &index, &[corner]).unwrap_err();
    assert!(err.to_string().contains("edit that level"), "{err}");
}

/// Two micro-grids of one grid that share an edge (the first with more than one household),
/// as slots in `d.units`.
fn neighbours(d: &gridatlas::model::Dataset) -> (usize, usize) {
    let (a, b) = gridatlas::edit::neighbouring_siblings(d, Level::MicroGrid)
        .expect("no neighbouring micro-grids");
    let slot = |id| d.units.iter().position(|u| u.id == id).unwrap();
    (slot(a), slot(b))
}

#[test]
fn merging_two_micro_grids_keeps_every_household_and_undoes_exactly() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    let (a, b) = neighbours(&d);
    let (ida, idb) = (d.units[a].id, d.units[b].id);
    let n = |d: &gridatlas::model::Dataset, id| {
        d.households.iter().filter(|h| h.unit == Some(id)).count()
    };
    let total = n(&d, ida) + n(&d, idb);
    editor.merge(&mut d, &mut index, ida, idb).unwrap();
    assert!(d.units.iter().all(|u| u.id != idb));
    assert_eq!(n(&d, ida), total, "the absorbed unit's households follow");
    assert_checks(&d);
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(d, original);
}

#[test]
fn splitting_a_grid_splits_the_micro_grids_the_line_crosses() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    // The grid with the most micro-grids, cut west → east through its middle.
    let g = (0..d.units.len())
        .filter(|&i| d.units[i].level == Level::Grid)
        .max_by_key(|&i| {
            d.units
                .iter()
                .filter(|u| u.parent == Some(d.units[i].id))
                .count()
        })
        .unwrap();
    let id = d.units[g].id;
    let r = geo::BoundingRect::bounding_rect(&d.units[g].geometry).unwrap();
    let y = (r.min().y + r.max().y) / 2.0;
    let line = [
        Coord {
            x: r.min().x - 0.001,
            y,
        },
        Coord {
            x: r.max().x + 0.001,
            y: y + 0.0003,
        },
    ];
    let units_before = d.units.len();
    let change = editor.split(&mut d, &mut index, id, &line).unwrap().clone();
    assert!(
        d.units.len() > units_before + 1,
        "a new grid and split micro-grids"
    );
    assert!(change.added().count() >= 2);
    assert_checks(&d);
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(d, original);
    // A line that misses the unit is refused.
    let miss = [
        Coord {
            x: r.min().x - 0.01,
            y: r.max().y + 0.01,
        },
        Coord {
            x: r.max().x + 0.01,
            y: r.max().y + 0.011,
        },
    ];
    assert!(editor.split(&mut d, &mut index, id, &miss).is_err());
    assert_eq!(d, original);
}

#[test]
fn painting_households_moves_them_and_reshapes_only_the_two_micro_grids() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    let (a, b) = neighbours(&d);
    let (ida, idb) = (d.units[a].id, d.units[b].id);
    // The five households of A nearest to B's first vertex.
    let corner = d.units[b].geometry.0[0].exterior().0[0];
    let mut of_a: Vec<usize> = (0..d.households.len())
        .filter(|&h| d.households[h].unit == Some(ida))
        .collect();
    of_a.sort_by(|&x, &y| {
        let dist = |h: usize| {
            let p = d.households[h].location;
            (p.x() - corner.x).powi(2) + (p.y() - corner.y).powi(2)
        };
        dist(x).total_cmp(&dist(y))
    });
    // Up to five, and never all: a micro-grid left empty is refused (tested below).
    let keep_one = of_a.len() - 1;
    let all_of_a = of_a.clone();
    let chosen: Vec<usize> = of_a.into_iter().take(keep_one.min(5)).collect();
    assert!(!chosen.is_empty());
    let change = editor
        .paint(&mut d, &mut index, &chosen, idb)
        .unwrap()
        .clone();
    for &h in &chosen {
        assert_eq!(d.households[h].unit, Some(idb));
    }
    let mut touched: Vec<_> = change.after.iter().map(|u| u.id).collect();
    touched.sort();
    let mut expected = vec![ida, idb];
    expected.sort();
    assert_eq!(touched, expected, "only the two micro-grids change");
    assert_checks(&d);
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(d, original);
    // Emptying a micro-grid is refused, and nothing changes.
    let err = editor
        .paint(&mut d, &mut index, &all_of_a, idb)
        .unwrap_err();
    assert!(err.to_string().contains("merge it instead"), "{err}");
    assert_eq!(d, original);
    // Emptying a micro-grid is refused, and nothing changes.
    let err = editor
        .paint(&mut d, &mut index, &all_of_a, idb)
        .unwrap_err();
    assert!(err.to_string().contains("merge it instead"), "{err}");
    assert_eq!(d, original);
}

/// Random sequences of drags, merges and paints: after every committed edit the invariants
/// hold (check finds nothing); refused edits change nothing; undoing everything gives back the
/// original exactly.
#[test]
fn random_edit_sequences_keep_the_invariants_and_undo_exactly() {
    use rand::{Rng, SeedableRng};
    let base = common::township(1);
    for seed in 0..3u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut d = base.clone();
        let mut index = SpatialIndex::build(&d);
        let mut editor = Editor::default();
        let (mut committed, mut refused) = (0, 0);
        for _ in 0..8 {
            let before = d.clone();
            let result = match rng.random_range(0..3) {
                0 => {
                    editor.level = if rng.random_bool(0.5) {
                        Level::Grid
                    } else {
                        Level::MicroGrid
                    };
                    // A random vertex the level's units share.
                    let units: Vec<usize> = (0..d.units.len())
                        .filter(|&i| d.units[i].level == editor.level)
                        .collect();
                    let u = units[rng.random_range(0..units.len())];
                    let ring = &d.units[u].geometry.0[0].exterior().0;
                    let p = ring[rng.random_range(0..ring.len() - 1)];
                    match editor.begin_drag(&d, &index, &[p]) {
                        Err(_) => continue, // on a coarser boundary: not draggable
                        Ok(()) => {
                            let to = Coord {
                                x: p.x + rng.random_range(-0.0004..0.0004),
                                y: p.y + rng.random_range(-0.0004..0.0004),
                            };
                            editor.drag_to(&mut d, &index, &[to]).unwrap();
                            editor.end_drag(&mut d, &mut index).map(|_| ())
                        }
                    }
                }
                1 => {
                    let (a, b) = neighbours(&d);
                    let (a, b) = (d.units[a].id, d.units[b].id);
                    editor.merge(&mut d, &mut index, a, b).map(|_| ())
                }
                _ => {
                    let (a, b) = neighbours(&d);
                    let (ida, idb) = (d.units[a].id, d.units[b].id);
                    let of_a: Vec<usize> = (0..d.households.len())
                        .filter(|&h| d.households[h].unit == Some(ida))
                        .collect();
                    let n = rng.random_range(1..of_a.len().max(2));
                    let pick: Vec<usize> = of_a.into_iter().take(n).collect();
                    editor.paint(&mut d, &mut index, &pick, idb).map(|_| ())
                }
            };
            match result {
                Ok(()) => {
                    committed += 1;
                    assert_checks(&d);
                }
                Err(_) => {
                    refused += 1;
                    assert_eq!(d, before, "a refused edit changes nothing");
                }
            }
        }
        assert!(
            committed > 0,
            "seed {seed}: nothing committed ({refused} refused)"
        );
        while editor.can_undo() {
            editor.undo(&mut d, &mut index).unwrap();
        }
        assert_eq!(d, base, "seed {seed}: undo of everything restores exactly");
    }
}

#[test]
fn inserting_and_deleting_a_vertex_on_a_shared_edge() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::Grid;
    let p = shared_vertex(&d, Level::Grid).unwrap();
    // The midpoint of an edge from p in some grid's ring.
    let g = d
        .units
        .iter()
        .find(|u| u.level == Level::Grid && u.geometry.0[0].exterior().0.contains(&p))
        .unwrap();
    let ring = &g.geometry.0[0].exterior().0;
    let k = ring.iter().position(|c| *c == p).unwrap();
    let q = ring[k + 1];
    let mid = Coord {
        x: (p.x + q.x) / 2.0,
        y: (p.y + q.y) / 2.0,
    };
    let change = editor
        .insert_vertex(&mut d, &mut index, mid)
        .unwrap()
        .clone();
    let grids_with_mid = d
        .units
        .iter()
        .filter(|u| u.level == Level::Grid && u.geometry.0[0].exterior().0.contains(&mid))
        .count();
    assert_eq!(
        grids_with_mid, 2,
        "both grids along the edge get the vertex"
    );
    assert!(change.households.is_empty(), "no outline moved");
    assert_checks(&d);
    // Drag the new vertex a little, then delete it: the edge is straight again.
    editor.begin_drag(&d, &index, &[mid]).unwrap();
    let moved = Coord {
        x: mid.x + 0.0001,
        y: mid.y - 0.0001,
    };
    editor.drag_to(&mut d, &index, &[moved]).unwrap();
    editor.end_drag(&mut d, &mut index).unwrap();
    assert_checks(&d);
    editor.delete_vertex(&mut d, &mut index, moved).unwrap();
    assert!(
        d.units
            .iter()
            .filter(|u| u.level == Level::Grid)
            .all(|u| !u.geometry.0[0].exterior().0.contains(&moved)),
        "gone from every grid"
    );
    assert_checks(&d);
    // A junction cannot be deleted.
    assert!(editor.delete_vertex(&mut d, &mut index, p).is_err());
    while editor.can_undo() {
        editor.undo(&mut d, &mut index).unwrap();
    }
    assert_eq!(d, original);
}

#[test]
fn dragging_a_whole_shared_edge_moves_both_ends_together() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::Grid;
    let p = shared_vertex(&d, Level::Grid).unwrap();
    // An edge from p whose other end can move too (not on the village boundary).
    let ends: Vec<Coord> = d
        .units
        .iter()
        .filter(|u| u.level == Level::Grid)
        .filter_map(|u| {
            let r = &u.geometry.0[0].exterior().0;
            r.iter().position(|c| *c == p).map(|k| r[k + 1])
        })
        .collect();
    let q = ends
        .into_iter()
        .find(|q| editor.begin_drag(&d, &index, &[p, *q]).is_ok())
        .expect("an edge with two movable ends");
    let (dx, dy) = (0.00015, -0.0001);
    let to = [
        Coord {
            x: p.x + dx,
            y: p.y + dy,
        },
        Coord {
            x: q.x + dx,
            y: q.y + dy,
        },
    ];
    editor.drag_to(&mut d, &index, &to).unwrap();
    editor.end_drag(&mut d, &mut index).unwrap();
    let holding = |c: Coord| {
        d.units
            .iter()
            .filter(|u| u.level == Level::Grid && u.geometry.0[0].exterior().0.contains(&c))
            .count()
    };
    assert!(
        holding(to[0]) >= 2 && holding(to[1]) >= 2,
        "both ends moved in every grid"
    );
    assert_eq!(holding(p), 0);
    assert_checks(&d);
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(d, original);
}

#[test]
fn carving_a_new_micro_grid_out_of_its_siblings() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    editor.level = Level::MicroGrid;
    // A small square around a corner several micro-grids of one grid share.
    let p = shared_vertex(&d, Level::MicroGrid).unwrap();
    let r = 0.0003;
    let square = [
        Coord {
            x: p.x - r,
            y: p.y - r,
        },
        Coord {
            x: p.x + r,
            y: p.y - r,
        },
        Coord {
            x: p.x + r,
            y: p.y + r,
        },
        Coord {
            x: p.x - r,
            y: p.y + r,
        },
    ];
    let micro_before = d
        .units
        .iter()
        .filter(|u| u.level == Level::MicroGrid)
        .count();
    let change = editor.carve(&mut d, &mut index, &square).unwrap().clone();
    assert_eq!(
        d.units
            .iter()
            .filter(|u| u.level == Level::MicroGrid)
            .count(),
        micro_before + 1
    );
    assert!(change.before.len() >= 2, "it takes from several siblings");
    let new = change.added().next().unwrap();
    let outline = &d.units.iter().find(|u| u.id == new).unwrap().geometry;
    // Every household strictly inside the new outline now belongs to it, and only those moved.
    let inside: Vec<usize> = (0..d.households.len())
        .filter(|&h| geo::Contains::contains(outline, &d.households[h].location))
        .collect();
    assert!(!inside.is_empty(), "the square holds households");
    for &h in &inside {
        assert_eq!(d.households[h].unit, Some(new));
    }
    let mut moved: Vec<usize> = change.households.iter().map(|m| m.0).collect();
    moved.sort_unstable();
    assert_eq!(moved, inside);
    assert_checks(&d);
    editor.undo(&mut d, &mut index).unwrap();
    assert_eq!(d, original);
}
