//! The batch commands as a script would use them: JSON on stdout, exit codes, one-line errors.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use common::gridatlas;

#[test]
fn demo_info_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.gpkg");
    let f = file.to_str().unwrap();
    let (code, demo, err) = gridatlas(&["demo", "--out", f, "--scale", "township", "--seed", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(demo["households"], 5000);
    assert!(demo["generate_ms"].as_u64().is_some());

    let (code, info, err) = gridatlas(&["info", f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(info["schema_version"], gridatlas::store::SCHEMA_VERSION);
    assert_eq!(info["geopackage_version"], 10200);
    assert_eq!(info["tables"]["households"], 5000);
    assert_eq!(info["units_per_level"]["village"], 10);

    let (code, report, err) = gridatlas(&["check", f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["violation_count"], 0);

    // Refuses to overwrite without --force.
    let (code, _, err) = gridatlas(&["demo", "--out", f, "--scale", "township"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    // A household moved into the wrong micro-grid: check says so and exits 1.
    let conn = common::other_writer(&file);
    conn.execute("UPDATE households SET unit_id = (SELECT max(id) FROM units WHERE level = 5) WHERE id = 1 AND unit_id <> (SELECT max(id) FROM units WHERE level = 5)", []).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let (code, report, err) = gridatlas(&["check", f]);
    assert_eq!(code, 1);
    assert_eq!(report["ok"], false);
    assert!(err.contains("unit_id: households id 1"), "{err}");
}

/// `bench open` times the phases one after another; `--window` the window's own open, which
/// reads the same document.
#[test]
fn bench_open_times_the_phases_or_the_windows_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let f = path.to_str().unwrap();
    let (code, phases, err) = gridatlas(&["bench", "open", f, "--runs", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(phases["total_ms"].as_f64().unwrap() > 0.0, "{phases}");
    let (code, window, err) = gridatlas(&["bench", "open", f, "--runs", "2", "--window"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(window["window_ms_each_run"].as_array().unwrap().len(), 2);
    assert!(window["window_ms"].as_f64().unwrap() > 0.0, "{window}");
    assert_eq!(window["households"], phases["households"]);
    assert_eq!(window["units"], phases["units"]);
}

#[test]
fn errors_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junk.gpkg");
    std::fs::write(&file, "hello").unwrap();
    for command in ["info", "check"] {
        let (code, _, err) = gridatlas(&[command, file.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("not a GeoPackage or SQLite file"), "{err}");
    }
    let (code, _, err) = gridatlas(&[
        "demo",
        "--out",
        dir.path().join("x.gpkg").to_str().unwrap(),
        "--as-of",
        "tomorrow",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--as-of"), "{err}");
}

#[test]
fn assign_repairs_unit_ids_and_reports_points_outside() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.gpkg");
    let f = file.to_str().unwrap();
    assert_eq!(gridatlas(&["demo", "--out", f, "--scale", "township"]).0, 0);
    let (code, report, err) = gridatlas(&["assign", f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["changed"], 0, "a fresh demo is already assigned");
    assert_eq!(report["outside"], 0);

    let conn = common::other_writer(&file);
    conn.execute_batch(
        "UPDATE households SET unit_id = NULL WHERE id IN (1, 2, 3);
         UPDATE cases SET unit_id = NULL WHERE id = 1;",
    )
    .unwrap();
    // Household 4 moves far outside the county (its blob's x coordinate becomes 100.0).
    let mut blob: Vec<u8> = conn
        .query_row("SELECT geom FROM households WHERE id = 4", [], |r| r.get(0))
        .unwrap();
    let x = if blob[8] == 1 {
        100.0f64.to_le_bytes()
    } else {
        100.0f64.to_be_bytes()
    };
    blob[13..21].copy_from_slice(&x);
    conn.execute("UPDATE households SET geom = ?1 WHERE id = 4", [blob])
        .unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);

    let (code, report, err) = gridatlas(&["assign", f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["changed_households"], 4, "{report}");
    assert_eq!(report["changed_cases"], 1);
    assert_eq!(report["outside"], 1);
    assert_eq!(report["outside_ids"]["households"], serde_json::json!([4]));
    // Stored. check agrees with every assignment, and names the one household that lies in no
    // micro-grid at all (the README: every household lies in one), nothing else.
    let (code, report, err) = gridatlas(&["check", f]);
    assert_eq!(code, 1, "{err} {report}");
    assert_eq!(report["violation_count"], 1, "{report}");
    assert_eq!(report["violations"][0]["rule"], "in_micro_grid");
    assert_eq!(report["violations"][0]["id"], 4);
    let (_, report, _) = gridatlas(&["assign", f]);
    assert_eq!(report["changed"], 0, "assign is idempotent");
}
