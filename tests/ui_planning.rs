//! Boundary editing driven through the window by its labels, on a real file: drag a shared
//! grid vertex with the pointer, undo it with Ctrl+Z, merge two micro-grids by clicking them,
//! paint households into a neighbouring micro-grid. The file is checked after each step.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui::{Event, Modifiers, PointerButton, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use gridatlas::app::GridAtlasApp;
use gridatlas::map::lon_lat_to_mercator;
use gridatlas::model::{Dataset, Level};
use gridatlas::ui::HitKind;

fn screen(h: &Harness<'static, GridAtlasApp>, c: geo_types::Coord<f64>) -> Pos2 {
    h.state()
        .workspace()
        .unwrap()
        .map_transform()
        .to_screen(lon_lat_to_mercator(c.x, c.y))
}

fn drag(h: &mut Harness<'static, GridAtlasApp>, from: Pos2, to: Pos2) {
    h.event(Event::PointerMoved(from));
    h.run_steps(2);
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.run_steps(1);
    for k in 1..=10 {
        let p = from + (to - from) * (k as f32 / 10.0);
        h.event(Event::PointerMoved(p));
        h.run_steps(1);
    }
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run_steps(3);
}

/// Opens boundary editing and starts a plan named `name`; returns its id.
fn start_plan(h: &mut Harness<'static, GridAtlasApp>, path: &std::path::Path, name: &str) -> i64 {
    h.get_by_label("边界编辑").click();
    h.run_steps(2);
    h.get_by_label_contains("先新建或打开一个方案");
    common::type_into(h, "方案名称", name);
    h.get_by_role_and_label(Role::Button, "新建方案").click();
    h.run_steps(3);
    let plans = gridatlas::store::list_plans(path).unwrap();
    let plan = plans
        .iter()
        .find(|p| p.name == name)
        .expect("the plan is in the file");
    assert_eq!(plan.status, "draft");
    plan.id
}

fn steps(path: &std::path::Path, plan: i64) -> usize {
    gridatlas::store::plan_steps(path, plan).unwrap().len()
}

/// Approves the open plan with an effective date through the panel.
/// The date is the window's today (its clock is held at the demo's 2026-11-01), so the plan
/// takes effect at once — after the planner confirmed what will change.
fn approve(h: &mut Harness<'static, GridAtlasApp>, date: &str) {
    common::type_into(h, "生效日期", date);
    h.get_by_role_and_label(Role::Button, "批准生效").click();
    h.run_steps(2);
    h.get_by_label_contains("批准后立即生效");
    h.get_by_role_and_label(Role::Button, "确认批准").click();
    h.run_steps(3);
}

#[test]
fn drag_a_shared_vertex_then_undo_with_ctrl_z() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let original = gridatlas::store::load(&path).unwrap();
    let plan = start_plan(&mut h, &path, "调整安庄片区");
    let v = gridatlas::edit::shared_vertex(&original, Level::Grid).unwrap();
    // Show a grid at that vertex, close enough to see its vertices.
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        assert!(ws.planning.on);
        let g = ws
            .doc
            .index
            .units_near(Level::Grid, v)
            .next()
            .expect("a grid at the vertex");
        ws.show(HitKind::Unit(g));
    }
    h.run_steps(4);
    let from = screen(&h, v);
    let centre = h.state().workspace().unwrap().memory.detached();
    let to = from + vec2(14.0, 9.0);
    drag(&mut h, from, to);
    assert_eq!(
        h.state().workspace().unwrap().memory.detached(),
        centre,
        "the map did not pan"
    );
    // The vertex is where the pointer let go, in every grid that shares it.
    let target = h
        .state()
        .workspace()
        .unwrap()
        .map_transform()
        .to_lon_lat(to);
    let moved_to = |d: &Dataset| {
        d.units
            .iter()
            .filter(|u| u.level == Level::Grid)
            .flat_map(|u| u.geometry.0[0].exterior().0.iter().copied())
            .filter(|c| (c.x - target.x).abs() < 1e-9 && (c.y - target.y).abs() < 1e-9)
            .count()
    };
    {
        let ws = h.state().workspace().unwrap();
        assert!(
            ws.planning.editor.can_undo(),
            "the drag was committed: {:?}",
            ws.planning.message
        );
    }
    // The edit is a step of the plan; the live boundaries are untouched until approval.
    assert_eq!(steps(&path, plan), 1);
    assert_eq!(gridatlas::store::load(&path).unwrap(), original);
    let planned = h.state().workspace().unwrap().doc.dataset.clone();
    assert!(
        moved_to(&planned) >= 2,
        "two or more grids hold the moved vertex"
    );
    common::assert_checks(&planned);
    // The panel names the edit.
    h.get_by_label_contains("已保存编辑：拖动顶点");
    h.key_combination_modifiers(Modifiers::COMMAND, &[egui::Key::Z]);
    h.run_steps(3);
    assert_eq!(steps(&path, plan), 0, "undo removes the step");
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset,
        original,
        "undo restores exactly"
    );
    h.get_by_role_and_label(Role::Button, "重做").click();
    h.run_steps(3);
    assert_eq!(steps(&path, plan), 1);
    // Close and reopen the plan: its edits come back from the file.
    h.get_by_role_and_label(Role::Button, "关闭方案").click();
    h.run_steps(3);
    assert_eq!(h.state().workspace().unwrap().doc.dataset, original);
    h.get_by_role_and_label(Role::Button, "打开").click();
    h.run_steps(3);
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset.units,
        planned.units
    );
    // Approve: now the live boundaries change, and the old versions go to the history.
    approve(&mut h, "2026-11-01");
    let live = gridatlas::store::load(&path).unwrap();
    assert_ne!(live.units, original.units);
    assert!(moved_to(&live) >= 2);
    common::assert_checks(&live);
    let plans = gridatlas::store::list_plans(&path).unwrap();
    assert_eq!(plans[0].status, "approved");
    assert_eq!(plans[0].effective_date.as_deref(), Some("2026-11-01"));
    let conn = common::other_writer(&path);
    let history: i64 = conn
        .query_row(
            "SELECT count(*) FROM unit_history WHERE valid_to = '2026-11-01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        history >= 3,
        "the replaced versions of the grids and micro-grids: {history}"
    );
}

#[test]
fn merge_two_micro_grids_and_paint_households_by_clicking() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let original = gridatlas::store::load(&path).unwrap();
    let plan = start_plan(&mut h, &path, "合并与划转");
    h.get_by_role_and_label(Role::Button, "合并").click();
    h.run_steps(1);
    // Two neighbouring micro-grids of one grid.
    let (a, b) = {
        let ws = h.state_mut().workspace_mut().unwrap();
        ws.planning.editor.level = Level::MicroGrid;
        let d = &ws.doc.dataset;
        let (a, b) = gridatlas::edit::neighbouring_siblings(d, Level::MicroGrid).unwrap();
        let parent = d.units.iter().find(|u| u.id == a).unwrap().parent.unwrap();
        let grid = d.units.iter().position(|u| u.id == parent).unwrap();
        ws.show(HitKind::Unit(grid));
        (a, b)
    };
    h.run_steps(4);
    for id in [a, b] {
        let p = {
            let ws = h.state().workspace().unwrap();
            let u = ws.doc.dataset.units.iter().find(|u| u.id == id).unwrap();
            geo::InteriorPoint::interior_point(&u.geometry).unwrap().0
        };
        let at = screen(&h, p);
        common::click_at(&mut h, at);
    }
    assert_eq!(h.state().workspace().unwrap().planning.merge, vec![a, b]);
    h.get_by_role_and_label(Role::Button, "合并这两个单元")
        .click();
    h.run_steps(3);
    assert_eq!(
        steps(&path, plan),
        1,
        "{:?}",
        h.state().workspace().unwrap().planning.message
    );
    let merged = h.state().workspace().unwrap().doc.dataset.clone();
    assert!(merged.units.iter().all(|u| u.id != b));
    common::assert_checks(&merged);

    // Paint: two households of the merged micro-grid go to a sibling.
    h.get_by_role_and_label(Role::Button, "划转住户").click();
    h.run_steps(1);
    let (picks, target) = {
        let ws = h.state().workspace().unwrap();
        let d = &ws.doc.dataset;
        let parent = d.units.iter().find(|u| u.id == a).unwrap().parent;
        let target = d
            .units
            .iter()
            .find(|u| u.parent == parent && u.id != a && u.level == Level::MicroGrid)
            .unwrap()
            .id;
        let picks: Vec<usize> = (0..d.households.len())
            .filter(|&k| d.households[k].unit == Some(a))
            .take(2)
            .collect();
        (picks, target)
    };
    // Close in on each household to click it.
    for &k in &picks {
        h.state_mut()
            .workspace_mut()
            .unwrap()
            .show(HitKind::Household(k));
        h.run_steps(4);
        let p = h.state().workspace().unwrap().doc.dataset.households[k]
            .location
            .0;
        let at = screen(&h, p);
        common::click_at(&mut h, at);
    }
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        assert_eq!(ws.planning.painted, picks);
        ws.planning.paint_target = Some(target);
    }
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "划转").click();
    h.run_steps(3);
    assert_eq!(steps(&path, plan), 2);
    // The comparison lists the households that change unit.
    h.get_by_label_contains("变更归属的住户");
    let export = path.with_file_name("plan-合并与划转-assignment.csv");
    h.get_by_role_and_label(Role::Button, "导出住户-单元对照 CSV")
        .click();
    h.run_steps(2);
    let csv = std::fs::read_to_string(&export).expect("the assignment file");
    assert!(csv.contains("household_code,micro_grid_code,grid_code,village_code"));
    assert_eq!(csv.lines().count(), original.households.len() + 1);
    approve(&mut h, "2026-11-01");
    let painted = gridatlas::store::load(&path).unwrap();
    for &k in &picks {
        assert_eq!(
            painted.households[k].unit,
            Some(target),
            "{:?}",
            h.state().workspace().unwrap().planning.message
        );
    }
    common::assert_checks(&painted);
}

#[test]
fn a_dragged_vertex_snaps_to_a_neighbours_vertex_then_edge() {
    let d = common::township(1);
    let index = gridatlas::index::SpatialIndex::build(&d);
    let mut p = gridatlas::app::Planning::default();
    p.editor.level = Level::Grid;
    let g = d.units.iter().find(|u| u.level == Level::Grid).unwrap();
    let ring = &g.geometry.0[0].exterior().0;
    let (v, w) = (ring[0], ring[1]);
    let r = 1e-4;
    // Near a vertex: onto it.
    let near_v = geo_types::Coord {
        x: v.x + r / 3.0,
        y: v.y,
    };
    assert_eq!(p.snap(&d, &index, near_v, r), Some(v));
    // Near the middle of an edge, far from vertices: onto the edge.
    let mid = geo_types::Coord {
        x: (v.x + w.x) / 2.0 + r / 4.0,
        y: (v.y + w.y) / 2.0,
    };
    let s = p.snap(&d, &index, mid, r).expect("an edge nearby");
    let (dx, dy) = (w.x - v.x, w.y - v.y);
    let cross = ((s.x - v.x) * dy - (s.y - v.y) * dx).abs() / dx.hypot(dy);
    assert!(cross < 1e-12, "on the edge's line");
    // Far from everything: free.
    assert_eq!(
        p.snap(&d, &index, geo_types::Coord { x: 0.0, y: 0.0 }, r),
        None
    );
}

#[test]
fn a_lasso_picks_the_households_it_encircles() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    start_plan(&mut h, &path, "套索");
    h.get_by_role_and_label(Role::Button, "划转住户").click();
    h.run_steps(1);
    let k = 7;
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .show(HitKind::Household(k));
    h.run_steps(4);
    let centre = {
        let p = h.state().workspace().unwrap().doc.dataset.households[k]
            .location
            .0;
        screen(&h, p)
    };
    let before = h.state().workspace().unwrap().memory.detached();
    // Ctrl held, a circle drawn around the household.
    h.event(Event::ModifiersChanged(Modifiers::COMMAND));
    let at = |a: f32| centre + vec2(a.cos(), a.sin()) * 12.0;
    h.event(Event::PointerMoved(at(0.0)));
    h.run_steps(1);
    h.event(Event::PointerButton {
        pos: at(0.0),
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::COMMAND,
    });
    h.run_steps(1);
    for s in 1..=24 {
        h.event(Event::PointerMoved(at(
            s as f32 / 24.0 * std::f32::consts::TAU
        )));
        h.run_steps(1);
    }
    h.event(Event::PointerButton {
        pos: at(0.0),
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::COMMAND,
    });
    h.run_steps(1);
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    assert!(
        ws.planning.painted.contains(&k),
        "{:?}",
        ws.planning.painted
    );
    assert_eq!(
        ws.memory.detached(),
        before,
        "drawing the lasso does not pan the map"
    );
}

/// Selections are by id: an edit that removes rows before the selected unit keeps it selected;
/// a unit merged away clears the selection and the status bar says so.
#[test]
fn a_selection_survives_an_edit_and_clears_with_a_message_when_its_unit_is_gone() {
    use gridatlas::app::{Action, PlanningAction};
    use gridatlas::ui::{Command, HitKind, Lang};
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = common::harness_on_file(dir.path());
    let mut lang = Lang::Zh;
    let ws = h.state_mut().workspace_mut().unwrap();
    let (a, b) = gridatlas::edit::neighbouring_siblings(&ws.doc.dataset, Level::MicroGrid).unwrap();
    // A unit after `b` in the table: its row moves up when `b` is removed.
    let later = ws.doc.dataset.units.last().unwrap().id;
    let slot = |ws: &gridatlas::app::Workspace, id| {
        ws.doc
            .dataset
            .units
            .iter()
            .position(|u| u.id == id)
            .unwrap()
    };
    ws.perform(Action::Command(Command::Planning), &mut lang);
    ws.planning.new_plan_name = "选择".into();
    ws.perform(Action::Planning(PlanningAction::NewPlan), &mut lang);
    let later_slot = slot(ws, later);
    ws.perform(Action::Select(Some(HitKind::Unit(later_slot))), &mut lang);
    ws.planning.merge = vec![a, b];
    ws.perform(Action::Planning(PlanningAction::Merge), &mut lang);
    assert!(
        !ws.doc.dataset.units.iter().any(|u| u.id == b),
        "{:?}",
        ws.planning.message
    );
    assert_eq!(ws.selection, Some(HitKind::Unit(slot(ws, later))));
    assert_ne!(slot(ws, later), later_slot, "the row moved");
    assert!(!ws.selection_gone);

    // Undo brings `b` back; select it, then redo merges it away again.
    ws.perform(Action::Command(Command::Undo), &mut lang);
    let b_slot = slot(ws, b);
    ws.perform(Action::Select(Some(HitKind::Unit(b_slot))), &mut lang);
    ws.perform(Action::Command(Command::Redo), &mut lang);
    assert_eq!(ws.selection, None);
    assert!(ws.selection_gone);
    h.run_steps(2);
    h.get_by_label_contains("所选对象已不存在");
}
