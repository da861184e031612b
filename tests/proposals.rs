//! Automatic proposals (#16) on the township demo: partition and rebalance through the
//! editor's commit (every invariant checked, then `check` on the whole document), locks,
//! an infeasible target reported, the command line end to end (partition → plan show →
//! approve → check), and the planning panel's buttons drafting a plan in the window.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gridatlas::edit::Editor;
use gridatlas::index::SpatialIndex;
use gridatlas::model::{Dataset, Level, UnitId};
use gridatlas::propose::{Census, Options, Proposal};

fn apply(d: &mut Dataset, index: &mut SpatialIndex, p: &Proposal) -> Editor {
    let mut editor = Editor::default();
    p.apply(&mut editor, d, index).unwrap();
    editor
}

/// Runs the command line and requires exit 0; its JSON.
fn ok(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = common::gridatlas(args);
    assert_eq!(code, 0, "gridatlas {}: {err}", args.join(" "));
    out
}

fn villages(d: &Dataset) -> Vec<UnitId> {
    d.units_of_level(Level::Village).map(|u| u.id).collect()
}

#[test]
fn every_village_partitioned_is_contiguous_balanced_and_passes_check() {
    let mut d = common::township(1);
    let original = d.clone();
    let mut index = SpatialIndex::build(&d);
    for v in villages(&original) {
        let census = Census::new(&d);
        let p = gridatlas::propose::partition(&d, &census, v, &Options::default()).unwrap();
        let r = p.report();
        assert!(r.contiguous, "{}: {:?}", r.unit_code, r.units);
        if r.feasible {
            assert!(
                r.within_tolerance,
                "{}: worst deviation {} with {:?}",
                r.unit_code, r.worst_deviation, r.units
            );
        }
        // Every unit of the report is within the unit, and households are all counted.
        let total: u32 = r.units.iter().map(|u| u.households).sum();
        assert_eq!(total as u64, r.households_total);
        // Grids are made of whole micro-grids: no household changes micro-grid.
        let before: Vec<Option<UnitId>> = d.households.iter().map(|h| h.unit).collect();
        let mut editor = apply(&mut d, &mut index, &p);
        let after: Vec<Option<UnitId>> = d.households.iter().map(|h| h.unit).collect();
        assert_eq!(before, after, "{}", r.unit_code);
        common::assert_checks(&d);
        editor.undo(&mut d, &mut index);
        assert_eq!(d.units, original.units, "undo restores {}", r.unit_code);
    }
}

#[test]
fn grids_are_cut_into_micro_grids_from_households_cells() {
    let mut d = common::township(2);
    let mut index = SpatialIndex::build(&d);
    let census = Census::new(&d);
    let grid = d.units_of_level(Level::Grid).nth(3).unwrap().id;
    let p = gridatlas::propose::partition(&d, &census, grid, &Options::default()).unwrap();
    let r = p.report();
    assert_eq!(r.into, gridatlas::model::Level::MicroGrid.name_en());
    assert!(r.contiguous, "{:?}", r.units);
    if r.feasible {
        assert!(r.within_tolerance, "{:?}", r.units);
    }
    apply(&mut d, &mut index, &p);
    common::assert_checks(&d);
    // Each new micro-grid holds the households the report gave it.
    let mut counts: Vec<u32> = d
        .units
        .iter()
        .filter(|u| u.parent == Some(grid))
        .map(|u| d.households.iter().filter(|h| h.unit == Some(u.id)).count() as u32)
        .collect();
    let mut reported: Vec<u32> = r.units.iter().map(|u| u.households).collect();
    counts.sort_unstable();
    reported.sort_unstable();
    assert_eq!(counts, reported);
}

#[test]
fn locked_units_are_kept_exactly() {
    let mut d = common::township(1);
    let mut index = SpatialIndex::build(&d);
    let census = Census::new(&d);
    let v = villages(&d)[0];
    let locked = d
        .units
        .iter()
        .find(|u| u.parent == Some(v) && u.level == Level::Grid)
        .unwrap()
        .clone();
    let kids: Vec<_> = d
        .units
        .iter()
        .filter(|u| u.parent == Some(locked.id))
        .cloned()
        .collect();
    let options = Options {
        lock: vec![locked.code.clone()],
        ..Options::default()
    };
    let p = gridatlas::propose::partition(&d, &census, v, &options).unwrap();
    assert!(p.report().units.iter().any(|u| u.locked && !u.changed));
    apply(&mut d, &mut index, &p);
    let now = d.units.iter().find(|u| u.id == locked.id).unwrap();
    assert_eq!(*now, locked);
    for k in kids {
        assert_eq!(d.units.iter().find(|u| u.id == k.id), Some(&k));
    }
    common::assert_checks(&d);
    // A code that is not a child of the unit is refused, naming it.
    let bad = Options {
        lock: vec!["999".into()],
        ..Options::default()
    };
    let e = gridatlas::propose::partition(&d, &census, v, &bad)
        .err()
        .unwrap();
    assert!(e.to_string().contains("--lock 999"), "{e}");
}

#[test]
fn rebalancing_a_balanced_unit_changes_nothing_and_an_unbalanced_one_moves_few() {
    let mut d = common::township(1);
    let mut index = SpatialIndex::build(&d);
    let v = villages(&d)[1];
    // Partition first: the result is balanced, so a rebalance leaves it alone.
    let census = Census::new(&d);
    let p = gridatlas::propose::partition(&d, &census, v, &Options::default()).unwrap();
    assert!(p.report().within_tolerance);
    apply(&mut d, &mut index, &p);
    let census = Census::new(&d);
    let r = gridatlas::propose::rebalance(&d, &census, v, &Options::default()).unwrap();
    assert!(!r.changes_anything());
    assert_eq!(r.report().households_moved, 0);
    assert!(r.parts().iter().all(|part| part.geometry.is_none()));
    // A tighter band: rebalance moves border micro-grids, far fewer households than a
    // fresh partition would.
    let tight = Options {
        tolerance: 0.05,
        ..Options::default()
    };
    let r = gridatlas::propose::rebalance(&d, &census, v, &tight).unwrap();
    let fresh = gridatlas::propose::partition(&d, &census, v, &tight).unwrap();
    let report = r.report();
    assert!(report.contiguous);
    assert!(
        report.households_outside_band <= {
            let w = r
                .blocks
                .graph
                .weights(&r.blocks.home, r.blocks.existing.len());
            w.iter().map(|&x| r.band.violation(x as i64)).sum::<i64>()
        }
    );
    if r.changes_anything() {
        assert!(report.households_moved <= fresh.report().households_moved.max(1));
        apply(&mut d, &mut index, &r);
        common::assert_checks(&d);
    }
}

#[test]
fn an_infeasible_target_is_reported_with_the_best_found() {
    let d = common::township(1);
    let census = Census::new(&d);
    let v = villages(&d)[0];
    let grids = d
        .units
        .iter()
        .filter(|u| u.parent == Some(v) && u.level == Level::Grid)
        .count();
    let households: u64 = {
        let p = gridatlas::propose::rebalance(&d, &census, v, &Options::default()).unwrap();
        p.blocks.graph.total_households()
    };
    // Half the village's average per grid: the grids there are cannot all reach it.
    let target = (households / grids as u64 / 2).max(1) as u32;
    let options = Options {
        households: Some(target),
        ..Options::default()
    };
    let r = gridatlas::propose::rebalance(&d, &census, v, &options)
        .unwrap()
        .report();
    assert!(!r.feasible);
    assert!(!r.within_tolerance);
    let why = r.infeasible_reason.unwrap();
    assert!(why.contains("cannot make"), "{why}");
    assert!(r.contiguous);
}

#[test]
fn partition_show_approve_and_check_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let file = path.to_str().unwrap();
    let d = gridatlas::store::load(&path).unwrap();
    let village = d
        .units_of_level(Level::Village)
        .next()
        .unwrap()
        .code
        .clone();
    let out = ok(&[
        "partition",
        file,
        "--unit",
        &village,
        "--into",
        "grid",
        "--plan",
        "自动划分测试",
    ]);
    assert_eq!(out["plan"]["name"], "自动划分测试");
    assert!(out["contiguous"].as_bool().unwrap());
    assert!(out["polsby_popper_min"].as_f64().unwrap() > 0.0);
    assert!(
        out["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["code"].is_string())
    );
    // The plan is a draft with one step; the live net is untouched.
    let (code, list, _) = common::gridatlas(&["plan", "list", file]);
    assert_eq!(code, 0);
    let plan = &list["plans"][0];
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["steps"], 1);
    assert_eq!(gridatlas::store::load(&path).unwrap().units, d.units);
    let shown = ok(&["plan", "show", file, "--plan", "自动划分测试"]);
    assert!(shown["units"].as_array().unwrap().len() > 1);
    assert!(shown["households_changing_grid"].as_u64().unwrap() > 0);
    assert_eq!(shown["households_changing_micro_grid"], 0);
    let (code, approved, err) =
        common::gridatlas(&["plan", "approve", file, "--plan", "自动划分测试"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(approved["status"], "approved");
    let (code, _, err) = common::gridatlas(&["check", file]);
    assert_eq!(code, 0, "check after approval: {err}");
    // A dry run writes nothing; a second approval is refused.
    let (code, dry, _) = common::gridatlas(&["rebalance", file, "--unit", &village, "--dry-run"]);
    assert_eq!(code, 0);
    assert!(dry["plan"].is_null());
    let (code, _, err) = common::gridatlas(&["plan", "approve", file, "--plan", "自动划分测试"]);
    assert_eq!(code, 2);
    assert!(err.contains("only a draft"), "{err}");
    // A grid into micro-grids, approved, checks too.
    let d = gridatlas::store::load(&path).unwrap();
    let grid = d.units_of_level(Level::Grid).nth(2).unwrap().code.clone();
    let out = ok(&[
        "partition",
        file,
        "--unit",
        &grid,
        "--into",
        "micro_grid",
        "--plan",
        "微网格",
    ]);
    assert!(out["contiguous"].as_bool().unwrap());
    ok(&["plan", "approve", file, "--plan", "微网格"]);
    ok(&["check", file]);
    // Bad input: one line naming what is wrong, nothing written.
    let (code, _, err) = common::gridatlas(&["partition", file, "--unit", &grid, "--into", "grid"]);
    assert_eq!(code, 2);
    assert!(err.contains("--into grid"), "{err}");
    let (code, _, err) =
        common::gridatlas(&["partition", file, "--unit", "4301", "--into", "grid"]);
    assert_eq!(code, 2);
    assert!(err.contains("--unit 4301"), "{err}");
    // A server that does not answer: one line saying so, nothing written.
    let url = "postgresql://ops@127.0.0.1:1/county";
    let (code, _, err) = common::gridatlas(&["plan", "list", url]);
    assert_eq!(code, 2);
    assert!(err.contains("unreachable"), "{err}");
    let (code, _, err) = common::gridatlas(&["rebalance", url, "--unit", &village]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing was written"), "{err}");
}

#[test]
fn a_township_is_partitioned_village_by_village_in_one_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let file = path.to_str().unwrap();
    let d = gridatlas::store::load(&path).unwrap();
    let township = d
        .units_of_level(Level::Township)
        .next()
        .unwrap()
        .code
        .clone();
    let villages = d.units_of_level(Level::Village).count();
    let out = ok(&[
        "partition",
        file,
        "--unit",
        &township,
        "--into",
        "grid",
        "--plan",
        "全镇划分",
    ]);
    assert_eq!(out["villages"], villages);
    assert_eq!(out["contiguous"], true);
    assert_eq!(out["villages_within_tolerance"], out["villages_feasible"]);
    let steps = out["plan"]["steps"].as_u64().unwrap();
    assert!(steps >= 1 && steps <= villages as u64);
    ok(&["plan", "approve", file, "--plan", "全镇划分"]);
    ok(&["check", file]);
    // Micro-grids into a township: refused, naming the options.
    let (code, _, err) = common::gridatlas(&[
        "partition",
        file,
        "--unit",
        &township,
        "--into",
        "micro_grid",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--into micro_grid"), "{err}");
}

#[test]
fn the_panel_drafts_a_partition_and_shows_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let d = gridatlas::store::load(&path).unwrap();
    let village = d
        .units_of_level(Level::Village)
        .next()
        .unwrap()
        .code
        .clone();
    h.get_by_label("边界编辑").click();
    h.run_steps(2);
    common::type_into(&mut h, "方案名称", "面板自动划分");
    h.get_by_role_and_label(Role::Button, "新建方案").click();
    h.run_steps(3);
    let plan = gridatlas::store::list_plans(&path)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "面板自动划分")
        .unwrap();
    h.get_by_label("自动方案").click();
    h.run_steps(2);
    common::type_into(&mut h, "单元编码", &village);
    h.get_by_role_and_label(Role::Button, "自动划分").click();
    h.run_steps(4);
    assert_eq!(
        gridatlas::store::plan_steps(&path, plan.id).unwrap().len(),
        1
    );
    h.get_by_label_contains("方案评估");
    h.get_by_label_contains("最大偏差");
    let ws = h.state().workspace().unwrap();
    let report = ws.planning.proposal.as_ref().unwrap();
    assert_eq!(report.unit_code, village);
    assert!(report.contiguous);
    common::assert_checks(&ws.doc.dataset);
    // The compare view highlights the households that change grid.
    let diff = &ws.planning.diff.as_ref().unwrap().1;
    assert!(!diff.regrouped_households.is_empty());
    // Rebalancing right after: already balanced, nothing drafted.
    h.get_by_role_and_label(Role::Button, "均衡调整").click();
    h.run_steps(4);
    assert_eq!(
        gridatlas::store::plan_steps(&path, plan.id).unwrap().len(),
        1
    );
    h.get_by_label_contains("无需调整");
}

/// A proposal is drafted, then another program (as QGIS or sqlite3 would) changes what it
/// replaces before the approval: the approval is refused whole, the other program's change is
/// kept, and nothing it deleted comes back.
#[test]
fn another_writer_meanwhile_refuses_the_approval_and_keeps_its_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let file = path.to_str().unwrap();
    let d = gridatlas::store::load(&path).unwrap();
    let village = d.units_of_level(Level::Village).next().unwrap().clone();
    ok(&[
        "partition",
        file,
        "--unit",
        &village.code,
        "--into",
        "grid",
        "--plan",
        "甲",
    ]);
    // QGIS renames one of the village's grids meanwhile.
    let other = common::other_writer(&path);
    let grid = d
        .units
        .iter()
        .find(|u| u.parent == Some(village.id) && u.level == Level::Grid)
        .unwrap()
        .clone();
    other
        .execute(
            "UPDATE units SET name = '别人改的名字' WHERE id = ?1",
            [grid.id.0],
        )
        .unwrap();
    let (code, _, err) = common::gridatlas(&["plan", "approve", file, "--plan", "甲"]);
    assert_eq!(code, 2);
    assert!(err.contains("another program"), "{err}");
    let now = gridatlas::store::load(&path).unwrap();
    for u in &d.units {
        let kept = now.units.iter().find(|n| n.id == u.id).unwrap();
        if u.id == grid.id {
            assert_eq!(kept.name, "别人改的名字");
            assert_eq!(kept.geometry, u.geometry);
        } else {
            assert_eq!(kept, u, "the refused approval wrote {}", u.code);
        }
    }
    assert_eq!(now.units.len(), d.units.len());
    let plans = gridatlas::store::list_plans(&path).unwrap();
    assert_eq!(plans[0].status, "draft");

    // Micro-grids from households' cells: a household the plan moves is deleted elsewhere.
    let grid = d.units_of_level(Level::Grid).nth(5).unwrap().code.clone();
    ok(&[
        "partition",
        file,
        "--unit",
        &grid,
        "--into",
        "micro_grid",
        "--plan",
        "乙",
    ]);
    let plan = gridatlas::store::list_plans(&path)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "乙")
        .unwrap();
    let mut planned = gridatlas::store::load(&path).unwrap();
    let before = planned.clone();
    let mut index = SpatialIndex::build(&planned);
    let mut editor = Editor::default();
    gridatlas::ledger::open_plan(&path, plan.id, &mut planned, &mut index, &mut editor).unwrap();
    let diff = gridatlas::ledger::diff(&planned, editor.changes());
    let moved = planned.households[diff.households[0].0].id;
    other
        .execute("DELETE FROM households WHERE id = ?1", [moved.0])
        .unwrap();
    let (code, _, err) = common::gridatlas(&["plan", "approve", file, "--plan", "乙"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("household id {}", moved.0)) && err.contains("no longer"),
        "{err}"
    );
    let now = gridatlas::store::load(&path).unwrap();
    assert_eq!(now.households.len(), before.households.len() - 1);
    assert!(now.households.iter().all(|h| h.id != moved));
    assert_eq!(
        now.units, before.units,
        "nothing of the refused plan was written"
    );
    for h in &now.households {
        let was = before.households.iter().find(|b| b.id == h.id).unwrap();
        assert_eq!(h.unit, was.unit);
    }
}
