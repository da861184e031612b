//! GDAL (and so QGIS) reads what we write: `ogrinfo` lists the three feature layers with the
//! right counts and geometry types, and raises no warning. CI installs gdal-bin; on a
//! developer machine without it the test says so and passes, but never under CI.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

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
            gridatlas::store::Target::File(&path),
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

/// GDAL's GeoPackage validator, where python3-gdal puts it (newer and older layouts).
const VALIDATORS: [&str; 2] = [
    "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
    "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
];

fn validator() -> Option<&'static str> {
    VALIDATORS
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

fn validate(path: &std::path::Path) {
    let out = Command::new("python3")
        .arg(validator().unwrap())
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "validate_gpkg.py: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn gdal_and_validator() -> bool {
    common::tool_available(
        Command::new("ogrinfo").arg("--version").output().is_ok() && validator().is_some(),
        "gdal-bin with python3-gdal (ogrinfo, validate_gpkg.py)",
    )
}

/// Runs one of GDAL's SQL functions on the file (`CreateSpatialIndex`, `HasSpatialIndex`…)
/// and returns the integer it gives.
fn gdal_sql(path: &std::path::Path, call: &str) -> i64 {
    let out = Command::new("ogrinfo")
        .args(["-q"])
        .arg(path)
        .args(["-sql", &format!("SELECT {call}")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // GDAL names the column after the function, whatever alias is given.
    let value = text
        .split("(Integer) = ")
        .nth(1)
        .and_then(|v| v.trim().parse().ok());
    assert!(
        out.status.success() && value.is_some(),
        "{call}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    value.unwrap()
}

/// Rows of `table` with a geometry, and rows of its R*Tree.
fn indexed_rows(path: &std::path::Path, table: &str) -> (i64, i64) {
    let conn = common::other_writer(path);
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        count(&format!(
            "SELECT count(*) FROM {table} WHERE geom IS NOT NULL"
        )),
        count(&format!("SELECT count(*) FROM rtree_{table}_geom")),
    )
}

/// A case written by us (`import-cases`) into the indexed cases table: the index row holds
/// it exactly, GDAL finds it through the index, and the file passes GDAL's validator.
fn a_new_case_is_found_through_the_index(dir: &std::path::Path, path: &std::path::Path) {
    let d = store::load(path).unwrap();
    let p = d.households[0].location;
    let csv = dir.join("c.csv");
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n06.02,索引测试,2026-10-01,{},{}\n",
            p.x(),
            p.y()
        ),
    )
    .unwrap();
    let (code, _, err) = common::gridatlas(&[
        "import-cases",
        path.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 0, "{err}");
    // The index row is exact.
    let conn = common::other_writer(path);
    let (id, minx, maxy): (i64, f64, f64) = conn
        .query_row(
            "SELECT c.id, r.minx, r.maxy FROM cases c JOIN rtree_cases_geom r ON r.id = c.id
             WHERE c.title = '索引测试'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    // The R*Tree stores 32-bit floats rounded outwards: the box holds the point, within 1e-4°.
    assert!(minx <= p.x() && p.x() - minx < 1e-4, "{minx} {}", p.x());
    assert!(maxy >= p.y() && maxy - p.y() < 1e-4, "{maxy} {}", p.y());
    drop(conn);
    // GDAL finds it through the index (a spatial filter on the layer).
    let (e, n) = (1e-5, 1e-5);
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q"])
        .arg(path)
        .arg("cases")
        .args(["-spat"])
        .args([p.x() - e, p.y() - n, p.x() + e, p.y() + n].map(|v| v.to_string()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("索引测试") && text.contains(&format!("OGRFeature(cases):{id}")),
        "ogrinfo -spat found: {text}"
    );
    assert_eq!(indexed_rows(path, "cases").0, indexed_rows(path, "cases").1);
    validate(path);
}

/// Our documents carry the GeoPackage spatial index on units, households and cases, which
/// GDAL takes for its own (so QGIS reads only what is in view), complete, and kept exact by
/// our writes.
#[test]
fn our_documents_carry_a_spatial_index_gdal_uses() {
    if !gdal_and_validator() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    validate(&path);
    for table in ["units", "households", "cases"] {
        assert_eq!(
            gdal_sql(&path, &format!("HasSpatialIndex('{table}','geom')")),
            1
        );
        let (rows, indexed) = indexed_rows(&path, table);
        assert!(rows > 0);
        assert_eq!(rows, indexed, "{table}");
    }
    a_new_case_is_found_through_the_index(dir.path(), &path);
}

/// A document written before the index existed (schema 4) gets it, complete, on its first
/// write, together with the rest of its migration.
#[test]
fn an_older_document_gets_its_spatial_index_on_first_write() {
    if !gdal_and_validator() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    for table in ["units", "households", "cases"] {
        assert_eq!(
            gdal_sql(&path, &format!("DisableSpatialIndex('{table}','geom')")),
            1
        );
    }
    common::other_writer(&path)
        .execute(
            "UPDATE gridatlas_meta SET value = '4' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let (code, _, err) = common::gridatlas(&["assign", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, info, _) = common::gridatlas(&["info", path.to_str().unwrap()]);
    assert_eq!(info["schema_version"], gridatlas::store::SCHEMA_VERSION);
    for table in ["units", "households", "cases"] {
        assert_eq!(
            gdal_sql(&path, &format!("HasSpatialIndex('{table}','geom')")),
            1
        );
        let (rows, indexed) = indexed_rows(&path, table);
        assert_eq!(rows, indexed, "{table}");
    }
    validate(&path);
}

/// QGIS (GDAL) makes its own spatial index (here after dropping ours): its triggers call
/// ST_IsEmpty and ST_MinX…, which only GDAL's connections had, so our next write failed ("no
/// such function: ST_IsEmpty") and the file was ours no more. Now the write goes through and
/// the index stays exact.
#[test]
fn a_spatial_index_made_by_gdal_stays_exact_under_our_writes() {
    if !gdal_and_validator() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    for table in ["cases", "households"] {
        assert_eq!(
            gdal_sql(&path, &format!("DisableSpatialIndex('{table}','geom')")),
            1
        );
        assert_eq!(
            gdal_sql(&path, &format!("CreateSpatialIndex('{table}','geom')")),
            1
        );
    }
    a_new_case_is_found_through_the_index(dir.path(), &path);
}

/// The edits a GIS officer makes in QGIS (GDAL writes them): a household added (with no
/// micro-grid, as QGIS leaves it), an attribute changed, a case deleted, a unit's vertex moved.
/// The document still opens; `check` names what the edits broke, by code; `assign` gives the
/// new household its micro-grid; and after the vertex is put back `check` passes.
#[test]
fn a_document_edited_in_qgis_opens_check_names_the_damage_and_assign_repairs() {
    if !common::tool_available(
        Command::new("ogr2ogr").arg("--version").output().is_ok(),
        "gdal-bin (ogr2ogr)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    let file = path.to_str().unwrap();
    // A household added through GDAL, as QGIS's "add feature" writes it.
    let p = d.households[0].location;
    let added = dir.path().join("added.geojson");
    std::fs::write(
        &added,
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"QGIS-0001","address":"新建住户","head_name":"王新","phone":"13800000000","members":3,"tags":""}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}]}}"#,
            p.x() + 1e-5,
            p.y() + 1e-5
        ),
    )
    .unwrap();
    let out = Command::new("ogr2ogr")
        .args(["-update", "-append", "-nln", "households"])
        .arg(&path)
        .arg(&added)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for sql in [
        "UPDATE households SET members = 7 WHERE id = 3",
        "DELETE FROM cases WHERE id = 10",
    ] {
        let out = Command::new("ogrinfo")
            .arg(&path)
            .args(["-sql", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The document opens, with the edits.
    let opened = store::load(&path).unwrap();
    assert_eq!(opened.households.len(), d.households.len() + 1);
    assert!(opened.cases.iter().all(|c| c.id.0 != 10));
    let new = opened
        .households
        .iter()
        .find(|h| h.code == "QGIS-0001")
        .unwrap();
    assert_eq!(new.unit, None, "QGIS does not know the micro-grid");
    // check names the household without its micro-grid, and the deleted case's history.
    let findings = |report: &serde_json::Value| -> Vec<(String, String, i64)> {
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["rule"].as_str().unwrap().to_owned(),
                    v["table"].as_str().unwrap().to_owned(),
                    v["id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let (code, report, err) = common::gridatlas(&["check", file]);
    assert_eq!(code, 1, "{err}");
    let found = findings(&report);
    assert!(
        found
            .iter()
            .any(|(_, t, id)| t == "households" && *id == new.id.0),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(r, t, _)| r == "case_workflow" && t == "case_events"),
        "{found:?}"
    );
    // assign puts the household in its micro-grid; removing the stale history (what check
    // told) leaves a document check passes.
    let (code, out, err) = common::gridatlas(&["assign", file]);
    assert_eq!(code, 0, "{err}");
    assert!(out["changed_households"].as_u64().unwrap() >= 1, "{out}");
    let out = Command::new("ogrinfo")
        .arg(&path)
        .args(["-sql", "DELETE FROM case_events WHERE case_id = 10"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (code, report, err) = common::gridatlas(&["check", file]);
    assert_eq!(code, 0, "{report} {err}");
}

/// A document with accounts (its personal columns sealed, an audit log listed in
/// `gpkg_contents`) is still a GeoPackage GDAL's validator passes, and QGIS (GDAL) counts and
/// finds its households through their spatial index.
#[test]
fn an_encrypted_document_passes_the_validator_and_gdal_reads_its_households() {
    if !gdal_and_validator() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    store::install_accounts(
        &path,
        &gridatlas::demo::demo_accounts(&d),
        d.meta.as_of,
        store::KeySource::Seeded(1),
    )
    .unwrap();
    validate(&path);
    let (rows, indexed) = indexed_rows(&path, "households");
    let n = d.households.len() as i64;
    assert_eq!((rows, indexed), (n, n));
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", path.to_str().unwrap(), "-sql"])
        .arg("SELECT count(*) AS n, sum(members) AS m FROM households")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let persons: u64 = d.households.iter().map(|h| u64::from(h.members)).sum();
    assert!(
        text.contains(&format!("n (Integer) = {}", d.households.len())),
        "{text}"
    );
    assert!(text.contains(&format!("m (Integer) = {persons}")), "{text}");
}
