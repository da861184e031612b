//! Codes are what other systems hold (issue #11): an approved split or merge changes the codes
//! of the units it creates or moves, no others; a new unit takes the next number its parent
//! never used and a name in its siblings' pattern; a retired code is never given again.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use geo::{BoundingRect, Intersects};
use geo_types::Coord;
use gridatlas::app::Document;
use gridatlas::edit::Editor;
use gridatlas::ledger::{PlanSession, approve};
use gridatlas::model::{Dataset, Level, Unit, UnitId};
use gridatlas::store;

fn seq(u: &Unit) -> u32 {
    u.code[u.code.len() - 3..].parse().unwrap()
}

/// A line across the middle of a unit, a little tilted.
fn across(u: &Unit) -> [Coord<f64>; 2] {
    let r = u.geometry.bounding_rect().unwrap();
    let y = (r.min().y + r.max().y) / 2.0;
    let w = r.max().x - r.min().x;
    [
        Coord {
            x: r.min().x - w * 0.1,
            y,
        },
        Coord {
            x: r.max().x + w * 0.1,
            y: y + w * 0.02,
        },
    ]
}

/// Runs one edit as a plan of its own and approves it.
fn plan_and_approve(doc: &mut Document, name: &str, edit: impl FnOnce(&mut Editor, &mut Document)) {
    let plan = store::create_plan(&doc.path, name, "2026-11-01T00:00:00Z").unwrap();
    let session = PlanSession {
        path: doc.path.clone(),
        plan,
    };
    let mut editor = Editor::default();
    edit(&mut editor, doc);
    session
        .keep(&mut doc.dataset, &mut doc.index, &mut editor)
        .unwrap();
    let path = doc.path.clone();
    approve(
        &path,
        plan,
        &mut doc.dataset,
        &mut doc.index,
        &mut editor,
        "2026-12-01",
        "2026-11-29T12:00:00Z",
    )
    .unwrap();
}

fn codes(d: &Dataset) -> std::collections::HashMap<UnitId, (String, String)> {
    d.units
        .iter()
        .map(|u| (u.id, (u.code.clone(), u.name.clone())))
        .collect()
}

#[test]
fn a_split_and_a_merge_change_only_the_codes_they_must_and_never_reuse_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.gpkg");
    store::create(&path, &common::township(1), false).unwrap();
    let mut doc = Document::open(path.clone()).unwrap();

    // 1. Merge away the highest-numbered grid of a village into a neighbour.
    let village = doc
        .dataset
        .units
        .iter()
        .find(|u| u.level == Level::Village)
        .unwrap()
        .id;
    let grids: Vec<Unit> = doc
        .dataset
        .units
        .iter()
        .filter(|u| u.parent == Some(village))
        .cloned()
        .collect();
    let last = grids.iter().max_by_key(|u| seq(u)).unwrap().clone();
    let keep = grids
        .iter()
        .find(|u| u.id != last.id && u.geometry.intersects(&last.geometry))
        .unwrap()
        .clone();
    let before = codes(&doc.dataset);
    plan_and_approve(&mut doc, "合并", |editor, doc| {
        editor
            .merge(&mut doc.dataset, &mut doc.index, keep.id, last.id)
            .unwrap();
    });
    let after = codes(&store::load(&path).unwrap());
    for (id, (code, name)) in &after {
        let Some((code0, name0)) = before.get(id) else {
            panic!("a merge creates no unit: {code} {name}")
        };
        let moved = doc
            .dataset
            .units
            .iter()
            .any(|u| u.id == *id && u.parent == Some(keep.id))
            && !code0.starts_with(&keep.code);
        if !moved {
            assert_eq!(
                (code, name),
                (code0, name0),
                "unit {id:?} kept its code and name"
            );
        }
    }
    assert!(store::retired_codes(&path).unwrap().contains(&last.code));

    // 2. Split the kept grid: the new grid is numbered after every number the village ever
    // had — not the retired one — and named in its siblings' pattern; nothing else changes.
    let before = codes(&doc.dataset);
    let target = doc
        .dataset
        .units
        .iter()
        .find(|u| u.id == keep.id)
        .unwrap()
        .clone();
    plan_and_approve(&mut doc, "切分", |editor, doc| {
        editor
            .split(
                &mut doc.dataset,
                &mut doc.index,
                target.id,
                &across(&target),
            )
            .unwrap();
    });
    let live = store::load(&path).unwrap();
    let new_grid = live
        .units
        .iter()
        .find(|u| u.parent == Some(village) && !before.contains_key(&u.id))
        .expect("the split made a grid");
    assert_eq!(seq(new_grid), seq(&last) + 1, "{}", new_grid.code);
    assert_ne!(new_grid.code, last.code);
    let village_name = &live.units.iter().find(|u| u.id == village).unwrap().name;
    assert_eq!(
        new_grid.name,
        format!("{village_name}第{}网格", seq(new_grid)),
        "named like its siblings"
    );
    for u in live.units.iter().filter(|u| u.level <= Level::Grid) {
        if let Some((code0, name0)) = before.get(&u.id) {
            assert_eq!(
                (&u.code, &u.name),
                (code0, name0),
                "{} kept its code",
                u.code
            );
        }
    }
    let report = gridatlas::check::check(&live);
    assert_eq!(report.violation_count, 0, "{:?}", report.violations);
}
