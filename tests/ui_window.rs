//! The window's widgets driven headless by egui_kittest, by their labels.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use gridatlas::app::{Document, GridAtlasApp};
use gridatlas::ui::{FontStatus, Lang, install_cjk_font};

fn app() -> GridAtlasApp {
    let dataset = common::township(1);
    GridAtlasApp::with_document(
        Document::new("demo.gpkg".into(), dataset),
        FontStatus::Found("test".into()),
    )
}

#[test]
fn workspace_shows_the_county_and_switches_language() {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_context_setup(|ctx| {
            assert!(
                matches!(install_cjk_font(ctx), FontStatus::Found(_)),
                "install fonts-noto-cjk (see .ci/run)"
            )
        })
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app());
    harness.run_steps(3);
    harness.get_by_label("浏阳市");
    harness.get_by_label("村（社区）");
    harness.get_by_label("5000");
    assert!(
        harness.state().workspace().unwrap().memory.zoom() > 10.0,
        "fitted to a township"
    );

    harness.get_by_label("English").click();
    harness.run_steps(2);
    assert_eq!(harness.state().lang, Lang::En);
    harness.get_by_label("Households");
    harness.get_by_label("中文").click();
    harness.run_steps(2);
    assert_eq!(harness.state().lang, Lang::Zh);
}

#[test]
fn about_says_what_is_real_and_what_is_synthetic() {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_context_setup(|ctx| {
            assert!(
                matches!(install_cjk_font(ctx), FontStatus::Found(_)),
                "install fonts-noto-cjk (see .ci/run)"
            )
        })
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app());
    harness.run_steps(2);
    harness.get_by_label("关于").click();
    // The click is queued and carried out at the end of its frame; a new window then needs a
    // sizing frame before it is shown.
    harness.run_steps(3);
    let provenance = harness
        .state()
        .workspace()
        .unwrap()
        .doc
        .dataset
        .meta
        .provenance
        .clone();
    assert!(provenance.contains("synthetic"));
    harness.get_by_label(provenance.as_str());
}

#[test]
fn missing_font_is_said_in_ascii() {
    let dataset = common::township(1);
    let app = GridAtlasApp::with_document(
        Document::new("demo.gpkg".into(), dataset),
        FontStatus::Missing,
    );
    // Without a CJK font the Chinese labels are boxes; the warning itself must be readable.
    let mut harness = Harness::builder()
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app);
    harness.run_steps(2);
    harness.get_by_label(gridatlas::ui::strings::FONT_MISSING);
}

#[test]
fn a_document_of_several_counties_is_headed_by_its_title_not_its_first_county() {
    let mut d = common::township(1);
    let county = d
        .units
        .iter()
        .find(|u| u.level == gridatlas::model::Level::County)
        .unwrap()
        .clone();
    let next_id = d.units.iter().map(|u| u.id.0).max().unwrap() + 1;
    d.units.push(gridatlas::model::Unit {
        id: gridatlas::model::UnitId(next_id),
        code: "430182000000".into(),
        name: "宁乡市".into(),
        ..county.clone()
    });
    d.meta.title = "长沙市（测试）".into();
    let doc = Document::new("city.gpkg".into(), d.clone());
    assert_eq!(doc.net_name(Lang::Zh), "长沙市（测试）");
    // The demo's note says that only one county outline of several is real.
    let h = common::window(GridAtlasApp::with_document(
        doc,
        FontStatus::Found("test".into()),
    ));
    h.get_by_label_contains("仅浏阳市县界为真实数据");
    assert!(h.query_by_label_contains("县域边界为真实数据").is_none());
    d.meta.title = String::new();
    let doc = Document::new("city.gpkg".into(), d.clone());
    assert_eq!(
        doc.net_name(Lang::Zh),
        format!("{}等 2 个县市区", county.name)
    );
    assert_eq!(
        doc.net_name(Lang::En),
        format!("{} and 1 more county", county.name)
    );
    // A centre's own data says where it came from, in its own words, and nothing of a demo.
    d.meta.provenance = "长沙市网格化服务管理中心 2026 年 11 月".into();
    let mut h = common::window(GridAtlasApp::with_document(
        Document::new("city.gpkg".into(), d),
        FontStatus::Found("test".into()),
    ));
    h.get_by_label("长沙市网格化服务管理中心 2026 年 11 月");
    h.get_by_label("关于").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("演示数据说明").is_none());
    // One county: its own name, whatever the title.
    let doc = Document::new("demo.gpkg".into(), common::township(1));
    assert_eq!(doc.net_name(Lang::Zh), county.name);
}
