//! Roles in the window (issue #14), driven by label: signing in (the wrong passphrase refused
//! on the form), a grid worker who sees and finds nothing outside their grid, a leader who is
//! offered no tool that changes anything, and an operator who reveals one household with a
//! reason that lands in the audit log.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use gridatlas::app::GridAtlasApp;
use gridatlas::model::{Level, UnitTree};
use gridatlas::ui::{FontStatus, HitKind, install_cjk_font};

/// The township demo with the demo's accounts (one per role), encrypted.
fn document_with_accounts(dir: &std::path::Path) -> std::path::PathBuf {
    let path = common::document(dir);
    let d = gridatlas::store::load(&path).unwrap();
    gridatlas::store::install_accounts(
        &path,
        &gridatlas::demo::demo_accounts(&d),
        d.meta.as_of,
        gridatlas::store::KeySource::Seeded(1),
    )
    .unwrap();
    path
}

fn sign_in_screen(path: &std::path::Path) -> Harness<'static, GridAtlasApp> {
    let app = GridAtlasApp::signing_in_to(path.to_owned(), FontStatus::Found("test".into()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_context_setup(|ctx| {
            install_cjk_font(ctx);
        })
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app);
    h.run_steps(3);
    h
}

/// Types the account and passphrase, presses 登录 and waits for the sign-in to end (in the
/// workspace, or back on the form).
fn sign_in(h: &mut Harness<'static, GridAtlasApp>, name: &str, passphrase: &str) {
    common::type_into(h, "账户", name);
    // The passphrase field is a password field to accessibility tools too.
    h.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "口令")
        .focus();
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "口令")
        .type_text(passphrase);
    h.run_steps(2);
    h.get_by_label("登录").click();
    let started = std::time::Instant::now();
    loop {
        h.run_steps(1);
        let app = h.state();
        if app.workspace().is_some()
            || (app.is_signing_in() && started.elapsed() > Duration::from_millis(200))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "sign-in never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    h.run_steps(3);
}

fn hold_clock(h: &mut Harness<'static, GridAtlasApp>) {
    common::hold_clock_at_as_of(h.state_mut());
    h.run_steps(2);
}

#[test]
fn the_wrong_passphrase_is_refused_on_the_form_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = document_with_accounts(dir.path());
    let before = std::fs::read(&path).unwrap();
    let mut h = sign_in_screen(&path);
    sign_in(&mut h, "操作员", "not it");
    assert!(h.state().is_signing_in());
    assert!(
        h.query_by_label_contains("wrong passphrase for 操作员; nothing was changed")
            .is_some()
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_grid_worker_sees_and_finds_nothing_outside_their_grid() {
    let dir = tempfile::tempdir().unwrap();
    let path = document_with_accounts(dir.path());
    let full = {
        let key = gridatlas::store::verify_passphrase(&path, "管理员", "gridatlas-admin")
            .unwrap()
            .key;
        gridatlas::store::load_unlocked(&path, &key).unwrap()
    };
    let mut h = sign_in_screen(&path);
    sign_in(&mut h, "网格员", "gridatlas-worker");
    hold_clock(&mut h);
    let ws = h.state().workspace().expect("signed in");
    let scope = ws.session.as_ref().unwrap().account.scope.clone().unwrap();
    let tree = UnitTree::new(&full);
    let root = full.units.iter().find(|u| u.code == scope).unwrap().id;
    let inside = |u: Option<gridatlas::model::UnitId>| u.is_some_and(|u| tree.is_within(u, root));
    let d = &ws.doc.dataset;
    assert!(!d.households.is_empty());
    assert!(d.households.iter().all(|x| inside(x.unit)));
    assert_eq!(
        d.households.len(),
        full.households.iter().filter(|x| inside(x.unit)).count(),
        "every household of the grid, and no other"
    );
    assert!(d.cases.iter().all(|c| inside(c.unit)));
    assert!(d.workers.iter().all(|w| inside(Some(w.unit))));
    assert_eq!(d.units_of_level(Level::Grid).count(), 1, "their grid alone");
    // Their households are shown in full to the map, masked in the inspector; a household
    // of another grid cannot be found.
    let outside = full.households.iter().find(|x| !inside(x.unit)).unwrap();
    common::type_into(&mut h, "搜索", &outside.code);
    h.run_steps(3);
    assert!(h.state().workspace().unwrap().search_hits.is_empty());
    let own = full.households.iter().find(|x| inside(x.unit)).unwrap();
    common::type_into(&mut h, "搜索", &own.code);
    h.run_steps(3);
    assert_eq!(h.state().workspace().unwrap().search_hits.len(), 1);
    // A grid worker reports and handles cases, and plans nothing.
    assert!(h.query_by_label("上报事件").is_some());
    assert!(h.query_by_label("边界编辑").is_none());
    assert!(h.query_by_label("画多边形").is_none());
    assert!(
        h.query_by_label_contains("已登录： 网格员（网格员） 范围")
            .is_some()
    );
}

#[test]
fn a_leader_is_offered_nothing_that_changes_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = document_with_accounts(dir.path());
    let mut h = sign_in_screen(&path);
    sign_in(&mut h, "领导", "gridatlas-leader");
    hold_clock(&mut h);
    assert!(h.state().workspace().is_some(), "signed in");
    for tool in ["上报事件", "边界编辑", "画多边形"] {
        assert!(
            h.query_by_label(tool).is_none(),
            "{tool} is offered to a leader"
        );
    }
    // Looking is allowed: the case list and the wall.
    assert!(h.query_by_label("事件列表").is_some());
    h.get_by_label("文件").click();
    h.run_steps(2);
    assert!(h.query_by_label("导入…").is_none());
    assert!(h.query_by_label("新建…").is_none());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    // A case selected shows its history but no step to take.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(gridatlas::app::Action::Show(HitKind::Case(0)));
    h.run_steps(3);
    assert!(h.query_by_label("立案").is_none());
    // A key or the palette that asks anyway is refused, and nothing is written.
    let before = std::fs::read(&path).unwrap();
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(gridatlas::app::Action::Command(
            gridatlas::ui::Command::Planning,
        ));
    h.run_steps(3);
    assert!(!h.state().workspace().unwrap().planning.on);
    assert!(h.query_by_label_contains("无权执行此操作").is_some());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Tags are not for a leader's eyes.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(gridatlas::app::Action::Show(HitKind::Household(0)));
    h.run_steps(3);
    assert!(h.query_by_label("（当前角色不可见）").is_some());
    assert!(h.query_by_label("显示个人信息").is_none());
}

#[test]
fn an_operator_reveals_one_household_with_a_reason_that_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let path = document_with_accounts(dir.path());
    let mut h = sign_in_screen(&path);
    sign_in(&mut h, "操作员", "gridatlas-operator");
    hold_clock(&mut h);
    let phone = h.state().workspace().unwrap().doc.dataset.households[0]
        .phone
        .clone();
    let code = h.state().workspace().unwrap().doc.dataset.households[0]
        .code
        .clone();
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(gridatlas::app::Action::Show(HitKind::Household(0)));
    h.run_steps(3);
    assert!(h.query_by_label(&phone).is_none(), "masked by default");
    assert!(
        h.query_by_label(&gridatlas::model::mask_phone(&phone))
            .is_some()
    );
    common::type_into(&mut h, "查看原因", "核实低保申请");
    h.get_by_label("显示个人信息").click();
    h.run_steps(3);
    assert!(h.query_by_label(&phone).is_some(), "revealed");
    let entries = gridatlas::store::audit::list(&path, None, None).unwrap();
    let reveal = entries
        .iter()
        .find(|e| e.action == "reveal")
        .expect("the reveal is logged");
    assert_eq!(
        (
            reveal.actor.as_str(),
            reveal.target.as_str(),
            reveal.reason.as_str()
        ),
        ("操作员", code.as_str(), "核实低保申请")
    );
    assert!(gridatlas::store::audit::verify(&path).unwrap().is_empty());
    // Another selection masks it again.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(gridatlas::app::Action::Show(HitKind::Household(1)));
    h.run_steps(3);
    assert!(h.query_by_label(&phone).is_none());
}

#[test]
fn the_staffing_list_names_the_gaps_and_shows_a_grid() {
    let mut d = common::township(1);
    // One grid loses its 网格长.
    let grid = d.units_of_level(Level::Grid).next().unwrap().clone();
    d.workers
        .retain(|w| !(w.unit == grid.id && w.role == gridatlas::model::WorkerRole::GridLeader));
    let mut h = common::harness_with(d);
    h.get_by_label("网格员配备").click();
    h.run_steps(4);
    assert!(h.query_by_label("缺网格长的网格 1").is_some());
    assert!(h.query_by_label("缺专职网格员的网格 0").is_some());
    // The busiest grids are listed; a click shows one.
    h.get_by_label(&grid.name).click();
    h.run_steps(3);
    let ws = h.state().workspace().unwrap();
    match ws.selection {
        Some(HitKind::Unit(i)) => assert_eq!(ws.doc.dataset.units[i].code, grid.code),
        other => panic!("{other:?}"),
    }
}
