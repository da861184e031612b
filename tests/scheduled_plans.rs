//! Plans take effect on their date (issue #11): approving with a later 生效日期 asks for
//! confirmation, schedules the plan (待生效) and leaves the live net as it is; the net changes
//! when the day comes, while the window runs. The desk's totals are the live net's, also while
//! a draft is open over it.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gridatlas::edit::Editor;
use gridatlas::ledger::PlanSession;
use gridatlas::model::{Level, Timestamp};
use gridatlas::store;

/// A draft plan in the file that merges two neighbouring micro-grids.
fn a_draft_merge(path: &std::path::Path, name: &str) -> i64 {
    let mut doc = gridatlas::app::Document::open(path.to_owned()).unwrap();
    let plan = store::create_plan(path, name, "2026-10-30T00:00:00Z").unwrap();
    let (a, b) = gridatlas::edit::neighbouring_siblings(&doc.dataset, Level::MicroGrid).unwrap();
    let mut editor = Editor::default();
    editor
        .merge(&mut doc.dataset, &mut doc.index, a, b)
        .unwrap();
    PlanSession {
        path: path.to_owned(),
        plan,
    }
    .keep(&mut doc.dataset, &mut doc.index, &mut editor)
    .unwrap();
    plan
}

fn micro_grids(d: &gridatlas::model::Dataset) -> usize {
    d.units_of_level(Level::MicroGrid).count()
}

#[test]
fn a_plan_approved_for_a_later_date_waits_for_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let plan = a_draft_merge(&path, "合并微网格");
    let live = store::load(&path).unwrap();
    let mut app = common::app_on_file(&path);
    common::hold_clock_at_as_of(&mut app); // 2026-11-01, Beijing
    let mut h = common::window(app);

    h.get_by_label("边界编辑").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "打开").click();
    h.run_steps(3);
    // The draft is in memory, but the desk's totals are the live net's.
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        assert_eq!(micro_grids(&ws.doc.dataset), micro_grids(&live) - 1);
        let counts = ws
            .planning
            .live_unit_counts(&ws.doc.dataset, ws.doc.dataset.unit_counts());
        assert_eq!(counts, live.unit_counts());
    }
    h.get_by_label_contains("现行网格，不含草案");

    common::type_into(&mut h, "生效日期", "2027-01-01");
    h.get_by_role_and_label(Role::Button, "批准生效").click();
    h.run_steps(2);
    // Nothing is written before the planner confirms what will change.
    assert_eq!(store::list_plans(&path).unwrap()[0].status, "draft");
    h.get_by_label_contains("批准后方案待生效");
    h.get_by_role_and_label(Role::Button, "确认批准").click();
    h.run_steps(3);
    let p = store::list_plans(&path)
        .unwrap()
        .into_iter()
        .find(|p| p.id == plan)
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.effective_date.as_deref()),
        ("scheduled", Some("2027-01-01")),
        "{:?}",
        h.state().workspace().unwrap().planning.message
    );
    // The live net is unchanged, in the file and in the window.
    assert_eq!(store::load(&path).unwrap().units, live.units);
    assert_eq!(h.state().workspace().unwrap().doc.dataset.units, live.units);
    h.get_by_label_contains("待生效方案");
    h.get_by_label_contains("已批准，待生效");

    // The eve of the day: still waiting.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .fix_clock(Some(Timestamp::parse("2026-12-31T15:59:00Z").unwrap()));
    h.run_steps(3);
    assert_eq!(
        micro_grids(&store::load(&path).unwrap()),
        micro_grids(&live)
    );
    // Midnight in Beijing (16:00 UTC): the plan takes effect while the window runs.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .fix_clock(Some(Timestamp::parse("2026-12-31T16:00:00Z").unwrap()));
    h.run_steps(3);
    let after = store::load(&path).unwrap();
    assert_eq!(
        micro_grids(&after),
        micro_grids(&live) - 1,
        "{:?}",
        h.state().workspace().unwrap().planning.message
    );
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset.units,
        after.units
    );
    assert_eq!(store::list_plans(&path).unwrap()[0].status, "approved");
    assert!(h.query_by_label_contains("待生效方案已到期生效").is_some());
    assert!(gridatlas::check::check(&after).violations.is_empty());
}

/// A scheduled plan whose day has come takes effect when the window opens, and before a
/// command writes.
#[test]
fn a_due_plan_takes_effect_on_open_and_before_a_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let live = micro_grids(&store::load(&path).unwrap());
    let plan = a_draft_merge(&path, "第一次合并");
    store::schedule_plan(&path, plan, "2026-11-20", "2026-11-01T00:00:00Z").unwrap();
    // `info` lists it as scheduled, with its date.
    let (_, info, _) = common::gridatlas(&["info", path.to_str().unwrap()]);
    assert_eq!(info["plans"][0]["status"], "scheduled", "{info}");
    assert_eq!(info["plans"][0]["effective_date"], "2026-11-20");
    // A window whose day is before the date: nothing happens.
    let mut app = common::app_on_file(&path);
    common::hold_clock_at_as_of(&mut app);
    let mut h = common::window(app);
    h.run_steps(2);
    assert_eq!(micro_grids(&store::load(&path).unwrap()), live);
    drop(h);
    // A window opened on a later day (the real clock: 2026-11-20 has passed) puts it in effect.
    let mut h = common::window(common::app_on_file(&path));
    h.run_steps(3);
    assert_eq!(micro_grids(&store::load(&path).unwrap()), live - 1);
    assert_eq!(
        micro_grids(&h.state().workspace().unwrap().doc.dataset),
        live - 1
    );
    drop(h);

    // `assign` puts a due plan in effect before it writes, and says so.
    let plan = a_draft_merge(&path, "第二次合并");
    store::schedule_plan(&path, plan, "2026-11-21", "2026-11-01T00:00:00Z").unwrap();
    let (code, out, err) = common::gridatlas(&["assign", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out["plans_taking_effect"][0], "第二次合并 · 2026-11-21",
        "{out}"
    );
    assert_eq!(micro_grids(&store::load(&path).unwrap()), live - 2);
    assert!(
        store::list_plans(&path)
            .unwrap()
            .iter()
            .all(|p| p.status == "approved")
    );
}

/// Another program changes a unit a scheduled plan replaces before the plan's day, and another
/// seat approves a draft that this window has open: neither write is lost or overwritten. The
/// scheduled plan stays scheduled (the window says why), QGIS's outline stays in the file, and
/// the window's approval is refused.
#[test]
fn other_writers_are_not_overwritten_by_plans() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let plan = a_draft_merge(&path, "被改过的合并");
    let replaced = store::plan_steps(&path, plan).unwrap()[0].before[0].clone();
    store::schedule_plan(&path, plan, "2026-11-20", "2026-11-01T00:00:00Z").unwrap();
    // QGIS renames that unit before the plan's day.
    common::other_writer(&path)
        .execute(
            "UPDATE units SET name = name || '（QGIS 改名）' WHERE id = ?1",
            [replaced.id.0],
        )
        .unwrap();
    let before = store::load(&path).unwrap().units;
    // A window opened after the day: the plan cannot take effect over QGIS's edit.
    let mut h = common::window(common::app_on_file(&path));
    h.run_steps(3);
    assert_eq!(
        store::load(&path).unwrap().units,
        before,
        "QGIS's outline stays"
    );
    assert_eq!(store::list_plans(&path).unwrap()[0].status, "scheduled");
    assert!(matches!(
        h.state().workspace().unwrap().planning.message,
        Some(gridatlas::app::EditOutcome::Refused(_))
    ));
    drop(h);

    // A draft open in a window is approved at another seat meanwhile: this window's approval
    // is refused and writes nothing.
    let second = a_draft_merge(&path, "另一席位已批准");
    let mut app = common::app_on_file(&path);
    common::hold_clock_at_as_of(&mut app);
    let mut h = common::window(app);
    h.get_by_label("边界编辑").click();
    h.run_steps(2);
    let open = h.get_all_by_role_and_label(Role::Button, "打开").count();
    assert_eq!(open, 1, "one draft");
    h.get_by_role_and_label(Role::Button, "打开").click();
    h.run_steps(3);
    store::schedule_plan(&path, second, "2027-03-01", "2026-11-01T00:00:00Z").unwrap();
    let file_before = std::fs::read(&path).unwrap();
    common::type_into(&mut h, "生效日期", "2026-11-01");
    h.get_by_role_and_label(Role::Button, "批准生效").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "确认批准").click();
    h.run_steps(3);
    let p = store::list_plans(&path)
        .unwrap()
        .into_iter()
        .find(|p| p.id == second)
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.effective_date.as_deref()),
        ("scheduled", Some("2027-03-01")),
        "the other seat's approval stands"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        file_before,
        "nothing written"
    );
}
