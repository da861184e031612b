//! Boundary edits through the editor's command path on the township demo: every committed
//! edit keeps the invariants (`gridatlas check` finds nothing), a refused one changes nothing,
//! and undo restores geometry and assignments exactly.

mod common;

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
