//! 文件 › 新建 and 导入… in the window (issue #12): a new county made, a boundary file with a
//! defect previewed (refused, the defect ringed, the document untouched), a clean one previewed
//! and imported, and the window showing the imported net.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use gridatlas::app::Preview;
use gridatlas::model::Level;

fn until(
    h: &mut egui_kittest::Harness<'static, gridatlas::app::GridAtlasApp>,
    what: &str,
    done: impl Fn(&gridatlas::app::Workspace) -> bool,
) {
    let started = std::time::Instant::now();
    loop {
        h.run_steps(1);
        if done(h.state().workspace().unwrap()) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} never happened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_new_county_from_files_previewed_with_its_defect_ringed_then_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, src) = common::harness_on_file(dir.path());
    let original = gridatlas::store::load(&src).unwrap();
    let units = dir.path().join("units.geojson");
    let (code, _, err) = common::gridatlas(&[
        "export",
        "units",
        src.to_str().unwrap(),
        "--to",
        units.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // The same file with one micro-grid's corner pushed into its neighbours.
    let bad = dir.path().join("bad.geojson");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&units).unwrap()).unwrap();
    let f = v["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["properties"]["level"] == 5)
        .unwrap();
    let ring = f["geometry"]["coordinates"][0][0].as_array_mut().unwrap();
    let x = ring[1][0].as_f64().unwrap();
    ring[1][0] = serde_json::json!(x + 0.002);
    std::fs::write(&bad, v.to_string()).unwrap();

    // 文件 › 新建…
    let new_doc = dir.path().join("county.gpkg");
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("新建…").click();
    h.run_steps(2);
    common::type_into(&mut h, "新文档路径", new_doc.to_str().unwrap());
    common::type_into(&mut h, "县级代码（6 位）", "430181");
    common::type_into(&mut h, "县名", "浏阳市");
    h.get_by_label("创建并打开").click();
    h.run_steps(2);
    until(&mut h, "opening the new document", |ws| {
        ws.doc.path == new_doc
    });
    assert_eq!(h.state().workspace().unwrap().doc.dataset.units.len(), 1);

    // 文件 › 导入…: the file with a defect is refused and ringed; nothing is written.
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("导入…").click();
    h.run_steps(2);
    h.state_mut().workspace_mut().unwrap().import.datum = gridatlas::store::CoordinateDatum::Wgs84;
    common::type_into(&mut h, "文件路径", bad.to_str().unwrap());
    let before = std::fs::read(&new_doc).unwrap();
    h.get_by_label("预览").click();
    until(&mut h, "the preview", |ws| ws.import.preview.is_some());
    {
        let ws = h.state().workspace().unwrap();
        assert!(matches!(ws.import.preview, Some(Preview::Refused { .. })));
        assert!(
            !ws.import.preview_rings().is_empty(),
            "the defect is ringed on the map"
        );
    }
    h.run_steps(2);
    assert!(h.query_by_label_contains("不能导入").is_some());
    assert_eq!(std::fs::read(&new_doc).unwrap(), before);

    // The clean file: previewed (its outlines on the map), then imported.
    common::type_into(&mut h, "文件路径", units.to_str().unwrap());
    h.get_by_label("预览").click();
    until(&mut h, "the preview", |ws| ws.import.preview.is_some());
    assert!(matches!(
        h.state().workspace().unwrap().import.preview,
        Some(Preview::Units(_))
    ));
    h.run_steps(2);
    h.get_by_label("导入").click();
    until(&mut h, "the import and the reload", |ws| {
        ws.doc.dataset.units_of_level(Level::MicroGrid).count()
            == original.units_of_level(Level::MicroGrid).count()
    });
    let d = gridatlas::store::load(&new_doc).unwrap();
    assert_eq!(d.unit_counts(), original.unit_counts());
}

/// A GeoPackage like one a GIS officer keeps in QGIS: the exported net as `units`, the
/// townships alone as `乡镇`, and a point layer that can hold no outline.
fn several_layers(src: &std::path::Path, out: &std::path::Path) {
    let (code, _, err) = common::gridatlas(&[
        "export",
        "units",
        src.to_str().unwrap(),
        "--to",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let conn = rusqlite::Connection::open(out).unwrap();
    conn.execute_batch(
        "CREATE TABLE \"乡镇\" AS SELECT * FROM units WHERE level = 2;
         INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
           VALUES ('乡镇', 'features', '乡镇', 4326);
         INSERT INTO gpkg_geometry_columns VALUES ('乡镇', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
         CREATE TABLE pois (fid INTEGER PRIMARY KEY, geom BLOB);
         INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
           VALUES ('pois', 'features', 'pois', 4326);
         INSERT INTO gpkg_geometry_columns VALUES ('pois', 'geom', 'POINT', 4326, 0, 0);",
    )
    .unwrap();
}

#[test]
fn files_are_chosen_in_the_window_and_a_layer_of_a_geopackage_picked() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, src) = common::harness_on_file(dir.path());
    let original = gridatlas::store::load(&src).unwrap();
    let net = dir.path().join("net.gpkg");
    several_layers(&src, &net);

    // 文件 › 新建…: 浏览… chooses where, in the document's folder, under the offered name.
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("新建…").click();
    h.run_steps(2);
    // A window sizes itself over its first frames; click once it has settled.
    h.run_steps(4);
    h.get_by_label("浏览…").click();
    h.run_steps(5);
    assert!(h.state().workspace().unwrap().import.picker_is_open());
    h.get_by_label("保存").click();
    h.run_steps(5);
    let new_doc = dir.path().join("county.gpkg");
    assert_eq!(
        h.state().workspace().unwrap().import.new_path,
        new_doc.display().to_string()
    );
    common::type_into(&mut h, "县级代码（6 位）", "430181");
    common::type_into(&mut h, "县名", "浏阳市");
    h.get_by_label("创建并打开").click();
    h.run_steps(2);
    until(&mut h, "opening the new document", |ws| {
        ws.doc.path == new_doc
    });

    // 文件 › 导入…: 浏览… lists the folder; the GeoPackage is picked and opened.
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("导入…").click();
    h.run_steps(6);
    h.state_mut().workspace_mut().unwrap().import.datum = gridatlas::store::CoordinateDatum::Wgs84;
    h.get_by_label("浏览…").click();
    h.run_steps(5);
    h.get_by_label("🗋 net.gpkg").click();
    h.run_steps(3);
    h.get_by_label("打开").click();
    h.run_steps(5);
    {
        let s = &h.state().workspace().unwrap().import;
        assert_eq!(s.sources(), vec![net.clone()]);
        // Two layers can hold outlines (the point layer cannot): a menu, on `units` first.
        assert_eq!(s.layer_menus.len(), 1);
        assert_eq!(s.layer_menus[0].layers, vec!["units", "乡镇"]);
        assert_eq!(s.layer_menus[0].chosen, "units");
    }
    // The townships' layer is chosen from the menu.
    h.get_by_label("图层 · net.gpkg").click();
    h.run_steps(3);
    h.get_by_label("乡镇").click();
    h.run_steps(3);
    assert_eq!(
        h.state().workspace().unwrap().import.layer_menus[0].chosen,
        "乡镇"
    );
    h.get_by_label("预览").click();
    until(&mut h, "the preview", |ws| ws.import.preview.is_some());
    assert!(
        matches!(
            h.state().workspace().unwrap().import.preview,
            Some(Preview::Units(_))
        ),
        "the townships' layer previews cleanly"
    );
    h.run_steps(2);
    h.get_by_label("导入").click();
    let townships = original.units_of_level(Level::Township).count();
    until(&mut h, "the import and the reload", |ws| {
        ws.doc.dataset.units_of_level(Level::Township).count() == townships
    });
    let d = gridatlas::store::load(&new_doc).unwrap();
    assert_eq!(
        d.units.len(),
        1 + townships,
        "only the chosen layer came in"
    );
}
