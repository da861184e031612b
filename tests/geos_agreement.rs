//! GEOS (shapely 2) agrees with GridAtlas on the written benchmark workload, point for point.
//! CI installs shapely (.ci/run); elsewhere the test says so and passes, but never under CI.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::process::Command;

#[test]
fn geos_assigns_every_point_like_we_do() {
    let has_shapely = Command::new("python3")
        .args(["-c", "import shapely"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::tool_available(has_shapely, "python3 with shapely") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args([
            "bench",
            "assign",
            "--households",
            "200000",
            "--units",
            "6000",
            "--runs",
            "1",
            "--seed",
            "7",
            "--write",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/geos/compare_assign.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir.path().join("workload.gpkg"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["disagree"], 0, "{report:#}");
    assert_eq!(report["agree"], 200_000);
}
