//! The map workspace driven by its labels: inspector and breadcrumb, search, the basemap
//! chooser, the command palette, hover and keys.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use gridatlas::app::GridAtlasApp;
use gridatlas::map::Basemap;
use gridatlas::model::Level;
use gridatlas::ui::HitKind;

use common::type_into;

fn selection(h: &Harness<'static, GridAtlasApp>) -> Option<HitKind> {
    h.state().workspace().unwrap().selection
}

#[test]
fn click_a_unit_then_walk_up_the_breadcrumb() {
    let mut h = common::harness();
    let (at, village_code) = common::a_village_on_screen(&h);
    common::click_at(&mut h, at);
    let Some(HitKind::Unit(i)) = selection(&h) else {
        panic!("a click on the map selects a unit: {:?}", selection(&h))
    };
    let d = &h.state().workspace().unwrap().doc.dataset;
    // The unit under the pointer: that village or one of its grids and micro-grids.
    assert!(d.units[i].code.starts_with(&village_code));
    let (unit, village) = (
        d.units[i].clone(),
        d.units
            .iter()
            .find(|u| u.level == Level::Village && d.units[i].code.starts_with(&u.code))
            .unwrap()
            .clone(),
    );
    assert!(unit.level >= Level::Village, "{:?}", unit.level);
    // The inspector shows it, with its code and household count.
    h.get_by_label(
        format!(
            "{} · 编码 {}",
            if unit.level == Level::Grid {
                "网格"
            } else {
                "村（社区）"
            },
            unit.code
        )
        .as_str(),
    );
    // The breadcrumb's village link selects the village.
    if unit.level != Level::Village {
        h.get_by_role_and_label(Role::Link, &village.name).click();
        h.run_steps(3);
        assert_eq!(
            selection(&h),
            Some(HitKind::Unit(d_index(&h, &village.code)))
        );
    }
    // …and the county link the county.
    h.get_by_role_and_label(Role::Link, "浏阳市").click();
    h.run_steps(3);
    assert_eq!(selection(&h), Some(HitKind::Unit(d_index(&h, "430181"))));
    // Esc clears the selection.
    h.key_down(Key::Escape);
    h.key_up(Key::Escape);
    h.run_steps(2);
    assert_eq!(selection(&h), None);
}

fn d_index(h: &Harness<'static, GridAtlasApp>, code: &str) -> usize {
    h.state()
        .workspace()
        .unwrap()
        .doc
        .dataset
        .units
        .iter()
        .position(|u| u.code == code)
        .unwrap()
}

#[test]
fn search_by_name_and_by_household_code_zooms_to_the_result() {
    let mut h = common::harness();
    let (grid_name, household_code) = {
        let d = &h.state().workspace().unwrap().doc.dataset;
        (
            d.units
                .iter()
                .find(|u| u.level == Level::Grid)
                .unwrap()
                .name
                .clone(),
            d.households[42].code.clone(),
        )
    };
    let zoom_before = h.state().workspace().unwrap().memory.zoom();
    type_into(&mut h, "搜索", &grid_name);
    let label = {
        let ws = h.state().workspace().unwrap();
        ws.search_hits.first().expect("results").label.clone()
    };
    h.get_by_label(label.as_str()).click();
    h.run_steps(4);
    let Some(HitKind::Unit(i)) = selection(&h) else {
        panic!("selected")
    };
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset.units[i].name,
        grid_name
    );
    let ws = h.state().workspace().unwrap();
    assert!(ws.memory.zoom() > zoom_before, "zoomed in to the grid");
    let centre = ws.memory.detached().unwrap();
    let bbox = geo::BoundingRect::bounding_rect(&ws.doc.dataset.units[i].geometry).unwrap();
    assert!(
        geo::Intersects::intersects(
            &bbox,
            &geo_types::Coord {
                x: centre.x(),
                y: centre.y()
            }
        ),
        "the map is centred on it"
    );

    type_into(&mut h, "搜索", &household_code);
    h.key_down(Key::Enter);
    h.key_up(Key::Enter);
    h.run_steps(4);
    assert_eq!(selection(&h), Some(HitKind::Household(42)));
    h.get_by_label("户籍档案");
}

#[test]
fn basemap_chooser_applies_a_file_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.mbtiles");
    let conn = common::other_writer(&path);
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         INSERT INTO metadata VALUES ('name', 'test'), ('attribution', 'Test tiles');",
    )
    .unwrap();
    drop(conn);
    let mut h = common::harness();
    h.get_by_label("底图").click();
    h.run_steps(2);
    h.get_by_label("MBTiles 文件").click();
    h.run_steps(2);
    type_into(&mut h, "文件路径", path.to_str().unwrap());
    h.get_by_label("应用").click();
    h.run_steps(3);
    assert_eq!(
        h.state().workspace().unwrap().basemap.choice,
        Basemap::MbTiles { path: path.clone() }
    );
    h.get_by_label("Test tiles"); // the attribution in the status bar

    // A file that is not there: an error, and the basemap stays as it was.
    type_into(&mut h, "文件路径", "/nonexistent/x.mbtiles");
    h.get_by_label("应用").click();
    h.run_steps(3);
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .basemap
            .error
            .as_deref()
            .unwrap_or("")
            .contains("/nonexistent/x.mbtiles")
    );
    assert_eq!(
        h.state().workspace().unwrap().basemap.choice,
        Basemap::MbTiles { path }
    );
}

#[test]
fn palette_lists_commands_with_shortcuts_and_runs_them() {
    let mut h = common::harness();
    let zoom = h.state().workspace().unwrap().memory.zoom();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::K]);
    h.run_steps(2);
    assert!(h.state().workspace().unwrap().palette_open);
    h.get_by_label("全县视图");
    h.get_by_label("放大").click();
    h.run_steps(2);
    assert!(!h.state().workspace().unwrap().palette_open);
    assert!((h.state().workspace().unwrap().memory.zoom() - zoom - 1.0).abs() < 1e-6);
    // Map keys: minus zooms out, an arrow pans.
    let centre = h.state().workspace().unwrap().memory.detached();
    h.key_down(Key::ArrowRight);
    h.key_up(Key::ArrowRight);
    h.run_steps(2);
    assert_ne!(h.state().workspace().unwrap().memory.detached(), centre);
    h.key_down(Key::Minus);
    h.key_up(Key::Minus);
    h.run_steps(2);
    assert!((h.state().workspace().unwrap().memory.zoom() - zoom).abs() < 1e-6);
}

#[test]
fn hovering_a_unit_shows_what_it_is() {
    let mut h = common::harness();
    let (at, village_code) = common::a_village_on_screen(&h);
    h.event(Event::PointerMoved(at));
    h.run_steps(3);
    let Some(HitKind::Unit(i)) = h.state().workspace().unwrap().hovered else {
        panic!("hover picks a unit")
    };
    let code = h.state().workspace().unwrap().doc.dataset.units[i]
        .code
        .clone();
    assert!(code.starts_with(&village_code), "{code} under the pointer");
    assert!(
        h.query_all_by_label_contains(&code).next().is_some(),
        "a tooltip names {code}"
    );
}
