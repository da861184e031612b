//! The desk on the screens operators have (issue #11): at 1366×768 and 1920×1080 every panel
//! shows its headings and controls beside the map, never under it; the control that reveals
//! personal data is in view whenever it acts.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui::pos2;
use egui_kittest::kittest::Queryable;

fn hazard_zone_at(width: f32, height: f32) {
    let mut h = common::harness();
    h.set_size(egui::vec2(width, height));
    h.run_steps(3);
    h.get_by_label("画圆形").click();
    h.run_steps(2);
    let map = h.state().workspace().unwrap().map_rect();
    let c = map.center();
    common::click_at(&mut h, c);
    common::click_at(&mut h, pos2(c.x + map.width() * 0.15, c.y));
    assert!(h.state().workspace().unwrap().hazard.report.is_some());
    h.run_steps(2);
    let map = h.state().workspace().unwrap().map_rect();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(width, height));
    let in_view = |what: &str, r: egui::Rect| {
        assert!(
            screen.contains_rect(r) && !map.intersects(r),
            "{what} at {r:?} must be on screen ({screen:?}) and beside the map ({map:?})"
        );
    };
    for heading in h.query_all_by_label("危险区域") {
        // The top bar's menu and the panel's heading.
        assert!(
            screen.contains_rect(heading.rect()) && !map.intersects(heading.rect()),
            "heading at {:?}, map {map:?}",
            heading.rect()
        );
    }
    // Unmasking takes a reason and a button (the reason goes into the audit log).
    let unmask = h.get_by_role_and_label(Role::Button, "显示完整个人信息（需授权）");
    in_view("the unmask button", unmask.rect());
    in_view(
        "the reason field",
        h.get_by_role_and_label(Role::TextInput, "查看原因").rect(),
    );
    in_view("the export button", h.get_by_label("导出名单 CSV").rect());
    for heading in ["户主", "地址", "人数", "标签"] {
        in_view(heading, h.get_by_label(heading).rect());
    }
}

#[test]
fn the_hazard_panel_is_whole_at_1366_by_768() {
    hazard_zone_at(1366.0, 768.0);
}

#[test]
fn the_hazard_panel_is_whole_at_1920_by_1080() {
    hazard_zone_at(1920.0, 1080.0);
}

/// The inspector and the planning panel keep their widths too: whatever they hold, the map
/// ends where they begin.
#[test]
fn side_panels_never_reach_under_the_map_at_1366_by_768() {
    let mut h = common::harness();
    h.set_size(egui::vec2(1366.0, 768.0));
    h.run_steps(3);
    let (at, _) = common::a_village_on_screen(&h);
    common::click_at(&mut h, at);
    h.run_steps(2);
    let inspector_edge = |h: &egui_kittest::Harness<'static, gridatlas::app::GridAtlasApp>| {
        h.state().workspace().unwrap().map_rect().max.x
    };
    assert!(h.state().workspace().unwrap().selection.is_some());
    assert!(
        inspector_edge(&h) <= 1366.0 - 330.0 + 1.0,
        "{}",
        inspector_edge(&h)
    );
    h.get_by_label("边界编辑").click();
    h.run_steps(3);
    assert!(
        inspector_edge(&h) <= 1366.0 - 330.0 + 1.0,
        "{}",
        inspector_edge(&h)
    );
    // Every labelled node of the panels lies on the screen, none under the map.
    let map = h.state().workspace().unwrap().map_rect();
    for node in h.query_all_by_role(Role::Button) {
        let r = node.rect();
        if r.min.x >= map.max.x - 1.0 {
            assert!(r.max.x <= 1366.0 + 0.5, "{node:?} at {r:?}");
        }
    }
}

/// The search's results drop down over the map: typing does not push the window down.
#[test]
fn search_results_do_not_move_the_window() {
    let mut h = common::harness();
    h.set_size(egui::vec2(1366.0, 768.0));
    h.run_steps(3);
    let before = h.state().workspace().unwrap().map_rect();
    common::type_into(&mut h, "搜索", "网格");
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    let first = ws.search_hits.first().expect("results").label.clone();
    assert_eq!(ws.map_rect(), before, "the map did not move");
    let hit = h.get_by_label(first.as_str()).rect();
    let field = h.get_by_role_and_label(Role::TextInput, "搜索").rect();
    assert!(
        hit.min.y >= field.max.y,
        "the results are below the search box {field:?}: {hit:?}"
    );
}
