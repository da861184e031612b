//! GDAL (and so QGIS) reads what we write: `ogrinfo` lists the three feature layers with the
//! right counts and geometry types, and raises no warning. CI installs gdal-bin; on a
//! developer machine without it the test says so and passes, but never under CI.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

mod common;

use std::process::Command;

use gridatlas::store;

#[test]
fn ogrinfo_reads_the_document() {
    if !common::tool_available(
        Command::new("ogrinfo").arg("--version").output().is_ok(),
        "gdal-bin (ogrinfo)",
    ) {
        return;
    }
    let dataset = common::township(1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    store::create(&path, &dataset, false).unwrap();
    let before = std::fs::read(&path).unwrap();

    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("Warning") && !stderr.contains("ERROR"),
        "GDAL complained: {stderr}"
    );
    let layer = |name: &str| {
        let start = stdout
            .find(&format!("Layer name: {name}\n"))
            .unwrap_or_else(|| panic!("no layer {name}:\n{stdout}"));
        let rest = &stdout[start..];
        let end = rest[1..].find("Layer name:").map_or(rest.len(), |i| i + 1);
        rest[..end].to_owned()
    };
    let units = layer("units");
    assert!(units.contains("Geometry: Multi Polygon"), "{units}");
    assert!(
        units.contains(&format!("Feature Count: {}", dataset.units.len())),
        "{units}"
    );
    assert!(units.contains("WGS 84"), "{units}");
    let households = layer("households");
    assert!(households.contains("Geometry: Point"));
    assert!(households.contains("Feature Count: 5000"), "{households}");
    assert!(households.contains("tags: String"), "{households}");
    let cases = layer("cases");
    assert!(
        cases.contains(&format!("Feature Count: {}", dataset.cases.len())),
        "{cases}"
    );

    // A real geometry, read back by GDAL: the first household's point.
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", "-where", "id = 1"])
        .arg(&path)
        .arg("households")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let wkt = text
        .split("POINT (")
        .nth(1)
        .and_then(|t| t.split(')').next())
        .unwrap_or_else(|| panic!("no point in:\n{text}"));
    let xy: Vec<f64> = wkt.split_whitespace().map(|v| v.parse().unwrap()).collect();
    let h = &dataset.households[0];
    assert!(
        (xy[0] - h.location.x()).abs() < 1e-9 && (xy[1] - h.location.y()).abs() < 1e-9,
        "{xy:?} vs {:?}",
        h.location
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "ogrinfo -ro must not change the file"
    );
}

/// GDAL (QGIS's engine) edits the document while the window has it open: the window applies
/// the edit through its change log, and its next step does not undo it.
#[test]
fn an_edit_made_with_gdal_reaches_the_open_window_and_survives_its_steps() {
    if !common::tool_available(
        Command::new("ogrinfo").arg("--version").output().is_ok(),
        "gdal-bin (ogrinfo)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let mut doc = gridatlas::app::Document::open(path.clone()).unwrap();
    let mut desk = gridatlas::app::CaseDesk::new(&doc.dataset);
    let i = doc
        .dataset
        .cases
        .iter()
        .position(|c| c.status == gridatlas::model::CaseStatus::Dispatched)
        .expect("a dispatched case");
    let id = doc.dataset.cases[i].id.0;
    let out = Command::new("ogrinfo")
        .arg(&path)
        .args([
            "-sql",
            &format!("UPDATE cases SET description = 'GDAL 补充说明' WHERE id = {id}"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let changes = doc.others_changes().unwrap();
    doc.apply(&changes, None, desk.now);
    assert_eq!(doc.dataset.cases[i].description, "GDAL 补充说明");
    let written = desk
        .apply(
            &path,
            &doc.dataset,
            i,
            gridatlas::app::CaseRequest::Transition {
                to: gridatlas::model::CaseStatus::Handling,
                handler: None,
                note: String::new(),
            },
        )
        .unwrap();
    doc.apply(&written.clone().into(), Some(written.log), desk.now);
    let file = store::load(&path).unwrap();
    assert_eq!(file.cases[i].description, "GDAL 补充说明");
    assert_eq!(file.cases[i].status, gridatlas::model::CaseStatus::Handling);
    assert_eq!(file.cases[i], doc.dataset.cases[i]);
}
