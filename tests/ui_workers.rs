//! 网格员管理 in the window (issue #14): a worker added to a grid, moved to another, retired,
//! and a household linked to a party member — each written to the file first (with its audit
//! entry), then shown. The form sits below the unit's figures in the inspector's scroll area,
//! so its widgets are pressed through accessibility actions, not at a screen position.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui_kittest::kittest::Queryable;
use gridatlas::app::Action;
use gridatlas::model::Level;
use gridatlas::ui::HitKind;

#[test]
fn a_worker_is_added_moved_and_retired_and_a_household_gets_its_party_contact() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let d = gridatlas::store::load(&path).unwrap();
    let grids: Vec<_> = d.units_of_level(Level::Grid).take(2).cloned().collect();
    let slot = d.units.iter().position(|u| u.id == grids[0].id).unwrap();
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::Show(HitKind::Unit(slot)));
    h.run_steps(4);

    // Added: the new worker is in the file, then in the window.
    common::type_into(&mut h, "姓名", "新网格员甲");
    common::type_into(&mut h, "联系电话", "139-0000 1111");
    h.get_by_label("党员").click_accesskit();
    h.run_steps(2);
    h.get_by_label("保存网格员").click_accesskit();
    h.run_steps(3);
    let file = gridatlas::store::load(&path).unwrap();
    let added = file
        .workers
        .iter()
        .find(|w| w.name == "新网格员甲")
        .unwrap()
        .clone();
    assert_eq!(
        (added.unit, added.phone.as_str(), added.party_member),
        (grids[0].id, "13900001111", true)
    );
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .doc
            .dataset
            .workers
            .contains(&added)
    );
    // The statistics count them: households per worker on the map follows.
    let before_stats = gridatlas::stats::Stats::compute(&d, d.meta.as_of);
    let t = *h
        .state()
        .workspace()
        .unwrap()
        .doc
        .stats
        .get(grids[0].id)
        .unwrap();
    assert_eq!(
        t.workers,
        before_stats.get(grids[0].id).unwrap().workers + 1
    );
    assert_eq!(
        gridatlas::map::Indicator::HouseholdsPerWorker.value(&t, Level::Grid),
        Some(f64::from(t.households) / f64::from(t.workers))
    );

    // Moved to the second grid by its code.
    common::type_into(&mut h, "所属单元编码", &grids[1].code);
    h.get_by_label("保存网格员").click_accesskit();
    h.run_steps(3);
    let moved = gridatlas::store::load(&path)
        .unwrap()
        .workers
        .into_iter()
        .find(|w| w.id == added.id)
        .unwrap();
    assert_eq!(moved.unit, grids[1].id);

    // Linked to a household of the second grid as its party contact.
    let tree = gridatlas::model::UnitTree::new(&file);
    let hh = file
        .households
        .iter()
        .position(|x| x.unit.is_some_and(|u| tree.is_within(u, grids[1].id)))
        .unwrap();
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::Show(HitKind::Household(hh)));
    h.run_steps(4);
    h.get_by_label("联户党员").click_accesskit();
    h.run_steps(2);
    h.get_by_label("兼职网格员 新网格员甲").click_accesskit();
    h.run_steps(3);
    let linked = gridatlas::store::load(&path).unwrap().households[hh].party_contact;
    assert_eq!(linked, Some(added.id));

    // Retired from the second grid: kept in the file, no longer counted, and no longer anybody's
    // party contact.
    let slot2 = d.units.iter().position(|u| u.id == grids[1].id).unwrap();
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::Show(HitKind::Unit(slot2)));
    h.run_steps(4);
    h.get_by_label("选择网格员").click_accesskit();
    h.run_steps(2);
    h.get_by_label("兼职网格员 新网格员甲").click_accesskit();
    h.run_steps(2);
    h.get_by_label("离任").click_accesskit();
    h.run_steps(3);
    let after = gridatlas::store::load(&path).unwrap();
    let retired = after.workers.iter().find(|w| w.id == added.id).unwrap();
    assert!(retired.retired_at.is_some());
    assert_eq!(after.households[hh].party_contact, None);
    let staffing = gridatlas::stats::staffing(&after);
    let before = gridatlas::stats::staffing(&d);
    let row = |r: &gridatlas::stats::StaffingReport| {
        r.rows
            .iter()
            .find(|g| g.code == grids[1].code)
            .unwrap()
            .workers
    };
    assert_eq!(
        row(&staffing),
        row(&before),
        "a retired worker is not counted"
    );
    // Every change is in the audit log.
    let log = gridatlas::store::audit::list(&path, None, None).unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "worker_change").count(),
        4,
        "{log:?}"
    );
}
