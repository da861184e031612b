//! Cases in and out: CSV import through the command line (GCJ-02 or WGS84, errors that name the
//! line and the field, all or nothing, the file untouched on error) and the export formats.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use std::process::Command;

use gridatlas::geom::wgs84_to_gcj02;
use gridatlas::store::{CaseRow, CoordinateDatum, export_cases_geojson, read_cases_csv};

fn gridatlas(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn demo(dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("t.gpkg");
    let (code, _, err) = gridatlas(&[
        "demo",
        "--out",
        file.to_str().unwrap(),
        "--scale",
        "township",
    ]);
    assert_eq!(code, 0, "{err}");
    file
}

#[test]
fn a_bad_row_names_line_and_field_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let csv = dir.path().join("cases.csv");
    std::fs::write(
        &csv,
        "category,title,reported_at,longitude,latitude,reporter\n\
         06.02,路灯不亮,2026-10-30T08:00:00+08:00,113.6,28.1,居民\n\
         06.02,井盖松动,2026-10-30,1130.2,28.1,居民\n\
         99.99,未知,2026-10-30,113.6,28.1,居民\n\
         06.02,,yesterday,113.6,28.1,居民\n",
    )
    .unwrap();
    let before = std::fs::read(&file).unwrap();
    let (code, _, err) = gridatlas(&[
        "import-cases",
        file.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cases.csv line 3: longitude 1130.2 is out of range"),
        "{err}"
    );
    assert!(
        err.contains("cases.csv line 4: category \"99.99\""),
        "{err}"
    );
    assert!(err.contains("cases.csv line 5: title is empty"), "{err}");
    assert!(
        err.contains("cases.csv line 5: reported_at \"yesterday\""),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the document is untouched"
    );

    std::fs::write(&csv, "title,longitude\n路灯,113.6\n").unwrap();
    let (code, _, err) = gridatlas(&[
        "import-cases",
        file.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1: missing column(s) category, reported_at, latitude"),
        "{err}"
    );
}

#[test]
fn gcj02_rows_land_where_the_wgs84_ones_do_and_in_their_micro_grid() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let d = gridatlas::store::load(&file).unwrap();
    let before = d.cases.len();
    // Two households' places: one given in WGS84, one shifted into GCJ-02 as a web map shows it.
    let (a, b) = (&d.households[10], &d.households[20]);
    let (gx, gy) = wgs84_to_gcj02(b.location.x(), b.location.y());
    let wgs = dir.path().join("wgs.csv");
    let gcj = dir.path().join("gcj.csv");
    // A byte-order mark, as Excel writes it.
    std::fs::write(
        &wgs,
        format!(
            "\u{feff}category,title,description,reporter,reported_at,longitude,latitude\n\
             06.02,路灯不亮,\"夜间无照明, 已两天\",居民,2026-10-30T08:00:00Z,{},{}\n",
            a.location.x(),
            a.location.y()
        ),
    )
    .unwrap();
    std::fs::write(
        &gcj,
        format!(
            "category,title,reported_at,longitude,latitude\n10.01,井盖松动,2026-10-31,{gx},{gy}\n"
        ),
    )
    .unwrap();
    for (csv, datum) in [(&wgs, "wgs84"), (&gcj, "gcj02")] {
        let (code, out, err) = gridatlas(&[
            "import-cases",
            file.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--datum",
            datum,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out["imported"], 1);
    }
    let d = gridatlas::store::load(&file).unwrap();
    assert_eq!(d.cases.len(), before + 2);
    let (ca, cb) = (&d.cases[before], &d.cases[before + 1]);
    assert_eq!(ca.description, "夜间无照明, 已两天");
    assert_eq!(ca.unit, a.unit);
    assert_eq!(cb.unit, b.unit);
    // GCJ-02 → WGS84 lands within a few centimetres of the household.
    assert!((cb.location.x() - b.location.x()).abs() < 1e-6);
    assert!((cb.location.y() - b.location.y()).abs() < 1e-6);
    let report = gridatlas::check::check(&d);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    // The same file, parsed in-process with the wrong datum, lands hundreds of metres away.
    let wrong = read_cases_csv(
        &gcj,
        CoordinateDatum::Wgs84,
        &gridatlas::model::TimeZone::beijing(),
    )
    .unwrap();
    assert!((wrong[0].location.x() - b.location.x()).abs() > 1e-3);
}

#[test]
fn geojson_export_is_a_feature_collection_in_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let d = gridatlas::store::load(&file).unwrap();
    let rows: Vec<CaseRow> = d
        .cases
        .iter()
        .take(5)
        .map(|c| CaseRow::new(c, None, d.meta.as_of))
        .collect();
    let out = dir.path().join("cases.geojson");
    export_cases_geojson(&out, &rows).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    let f = &v["features"][0];
    assert_eq!(f["geometry"]["type"], "Point");
    assert_eq!(f["geometry"]["coordinates"][0], d.cases[0].location.x());
    assert_eq!(f["properties"]["code"], d.cases[0].code.as_str());
    assert_eq!(f["properties"]["status"], d.cases[0].status.code());
    assert_eq!(v["features"].as_array().unwrap().len(), 5);
}

#[test]
fn deadlines_are_listed_set_and_reset_per_document() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path());
    let f = file.to_str().unwrap();
    let hours_of = |rows: &serde_json::Value, code: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["category"] == code)
            .map(|r| (r["hours"].as_u64().unwrap(), r["own"].as_bool().unwrap()))
            .unwrap()
    };
    let (code, rows, err) = gridatlas(&["deadline", f]);
    assert_eq!(code, 0, "{err}");
    let default = hours_of(&rows, "11.01");
    assert_eq!(default, (48, false), "ordinary requests: 48 h");
    let (code, rows, err) = gridatlas(&["deadline", f, "--category", "11.01", "--hours", "24"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(hours_of(&rows, "11.01"), (24, true));
    let (code, _, err) = gridatlas(&["deadline", f, "--category", "11.01", "--hours", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--hours: 0 is out of range"), "{err}");
    let (code, _, err) = gridatlas(&["deadline", f, "--category", "77.01", "--hours", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a known category"), "{err}");
    let (code, rows, err) = gridatlas(&["deadline", f, "--category", "11.01", "--reset"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(hours_of(&rows, "11.01"), default);
}
