//! `gridatlas new` and `gridatlas import units` (issue #12): boundaries from GeoJSON, a
//! Shapefile with GBK text (with and without .cpg) and a GeoPackage layer; digitising noise
//! absorbed by snapping; every defect named with its codes, place and area, and the document
//! byte-identical after every refusal.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::{Path, PathBuf};

use common::{document, gridatlas};
use gridatlas::model::Level;
use serde_json::Value;

/// The township demo's units exported as GeoJSON (WGS84), and a new document for its county.
fn exported(dir: &Path) -> (PathBuf, PathBuf, gridatlas::model::Dataset) {
    let src = document(dir);
    let geojson = dir.join("units.geojson");
    let (code, _, err) = gridatlas(&[
        "export",
        "units",
        src.to_str().unwrap(),
        "--to",
        geojson.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let d = gridatlas::store::load(&src).unwrap();
    let county = d.units.iter().find(|u| u.level == Level::County).unwrap();
    let doc = dir.join("new.gpkg");
    let (code, _, err) = gridatlas(&[
        "new",
        doc.to_str().unwrap(),
        "--county-code",
        &county.code,
        "--name",
        &county.name,
    ]);
    assert_eq!(code, 0, "{err}");
    (geojson, doc, d)
}

fn import(doc: &Path, from: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "import",
        "units",
        doc.to_str().unwrap(),
        "--from",
        from.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    gridatlas(&args)
}

fn check_ok(doc: &Path) {
    let (code, out, _) = gridatlas(&["check", doc.to_str().unwrap()]);
    assert_eq!(code, 0, "check: {out}");
}

/// Rewrites the GeoJSON's features through `f(level, properties, rings)`.
fn edit_geojson(from: &Path, to: &Path, mut f: impl FnMut(u64, &mut Value, &mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    for feature in v["features"].as_array_mut().unwrap() {
        let level = feature["properties"]["level"].as_u64().unwrap();
        let mut props = feature["properties"].take();
        f(level, &mut props, &mut feature["geometry"]["coordinates"]);
        feature["properties"] = props;
    }
    std::fs::write(to, serde_json::to_string(&v).unwrap()).unwrap();
}

#[test]
fn new_refuses_to_replace_and_a_clean_geojson_imports_into_a_document_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, original) = exported(dir.path());
    let (code, _, err) = gridatlas(&[
        "new",
        doc.to_str().unwrap(),
        "--county-code",
        "430181",
        "--name",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    let (code, out, err) = import(&doc, &geojson, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["added"], original.units.len() - 1);
    assert_eq!(out["county_outline"], "imported");
    check_ok(&doc);
    let d = gridatlas::store::load(&doc).unwrap();
    assert_eq!(d.unit_counts(), original.unit_counts());
    // Clean outlines come through untouched (no snapping, no repair): every vertex equals the
    // original to the last bit or two that reading JSON decimals may round (1e-12° ≈ 0.1 µm).
    use geo::CoordsIter;
    for u in &original.units {
        let mine = d.units.iter().find(|x| x.code == u.code).unwrap();
        assert_eq!(mine.name, u.name);
        assert_eq!(
            mine.geometry.coords_count(),
            u.geometry.coords_count(),
            "{}",
            u.code
        );
        for (a, b) in mine.geometry.coords_iter().zip(u.geometry.coords_iter()) {
            assert!(
                (a.x - b.x).abs() < 1e-12 && (a.y - b.y).abs() < 1e-12,
                "{}",
                u.code
            );
        }
    }
}

#[test]
fn levels_in_several_files_and_the_county_outline_as_the_union_of_townships() {
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, original) = exported(dir.path());
    // Micro-grids first: their grids are not there yet, so the import is refused by name.
    let micro = dir.path().join("micro.geojson");
    let upper = dir.path().join("upper.geojson");
    let split = |keep: fn(u64) -> bool, to: &Path| {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&geojson).unwrap()).unwrap();
        v["features"]
            .as_array_mut()
            .unwrap()
            .retain(|f| keep(f["properties"]["level"].as_u64().unwrap()));
        std::fs::write(to, v.to_string()).unwrap();
    };
    split(|l| l == 5, &micro);
    split(|l| (2..=4).contains(&l), &upper);
    let before = std::fs::read(&doc).unwrap();
    let (code, out, err) = import(&doc, &micro, &["--datum", "wgs84"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("extends no unit — there is no grid coded"),
        "{err}"
    );
    assert_eq!(out["defects"][0]["kind"], "no_parent");
    assert_eq!(
        std::fs::read(&doc).unwrap(),
        before,
        "untouched after a refusal"
    );
    // Townships, villages and grids, then micro-grids: the county becomes their union.
    let (code, out, err) = import(&doc, &upper, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["county_outline"], "union of the townships");
    let (code, _, err) = import(&doc, &micro, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    check_ok(&doc);
    let d = gridatlas::store::load(&doc).unwrap();
    assert_eq!(d.unit_counts(), original.unit_counts());
}

#[test]
fn digitising_noise_is_snapped_away() {
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, _) = exported(dir.path());
    // Every micro-grid's vertices moved independently by up to ±0.3 m: shared borders no
    // longer agree, and siblings overlap and leave gaps of square metres.
    let noisy = dir.path().join("noisy.geojson");
    let mut seed = 7u64;
    let mut jitter = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 6e-6
    };
    edit_geojson(&geojson, &noisy, |level, _, coords| {
        if level != 5 {
            return;
        }
        for poly in coords.as_array_mut().unwrap() {
            for ring in poly.as_array_mut().unwrap() {
                let ring = ring.as_array_mut().unwrap();
                let n = ring.len();
                for c in ring.iter_mut().take(n - 1) {
                    let x = c[0].as_f64().unwrap() + jitter();
                    let y = c[1].as_f64().unwrap() + jitter();
                    *c = serde_json::json!([x, y]);
                }
                ring[n - 1] = ring[0].clone();
            }
        }
    });
    // Without snapping the noise is reported as defects…
    let before = std::fs::read(&doc).unwrap();
    let (code, _, err) = import(&doc, &noisy, &["--datum", "wgs84", "--snap-m", "0"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("overlap of") || err.contains("gap of"),
        "{err}"
    );
    assert_eq!(std::fs::read(&doc).unwrap(), before);
    // …and with the default 1 m it is absorbed.
    let (code, out, err) = import(&doc, &noisy, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    assert!(out["snapped_vertices"].as_u64().unwrap() > 100, "{out}");
    check_ok(&doc);
}

#[test]
fn every_defect_is_named_with_codes_place_and_area_and_repair_fixes_them_by_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, original) = exported(dir.path());
    let micro: Vec<&gridatlas::model::Unit> = original.units_of_level(Level::MicroGrid).collect();
    let (a, b) = (micro[0].code.clone(), micro[7].code.clone());
    // `a`: one vertex pushed 30 % away from its centre (an overlap with its neighbours, or
    // sticking out of its grid); `b`: one vertex pulled 30 % inwards (a gap).
    let bad = dir.path().join("bad.geojson");
    edit_geojson(&geojson, &bad, |_, props, coords| {
        let code = props["code"].as_str().unwrap().to_owned();
        let sign = if code == a {
            1.0
        } else if code == b {
            -1.0
        } else {
            return;
        };
        let ring = coords[0][0].as_array_mut().unwrap();
        let n = (ring.len() - 1) as f64;
        let cx: f64 = ring
            .iter()
            .skip(1)
            .map(|c| c[0].as_f64().unwrap())
            .sum::<f64>()
            / n;
        let cy: f64 = ring
            .iter()
            .skip(1)
            .map(|c| c[1].as_f64().unwrap())
            .sum::<f64>()
            / n;
        let (x, y) = (ring[1][0].as_f64().unwrap(), ring[1][1].as_f64().unwrap());
        ring[1] = serde_json::json!([x + sign * (x - cx) * 0.3, y + sign * (y - cy) * 0.3]);
    });
    let before = std::fs::read(&doc).unwrap();
    let (code, out, err) = import(&doc, &bad, &["--datum", "gcj02"]);
    assert_eq!(code, 1, "{err}");
    let defects = out["defects"].as_array().unwrap();
    let gap = defects.iter().find(|d| d["kind"] == "gap").unwrap();
    assert!(
        gap["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == &Value::from(b.clone()))
    );
    assert!(gap["area_m2"].as_f64().unwrap() > 1.0);
    // The place in the input's datum and in WGS84, which differ by hundreds of metres.
    let (i, w) = (&gap["at_input"], &gap["at_wgs84"]);
    assert!((i[0].as_f64().unwrap() - w[0].as_f64().unwrap()).abs() > 1e-3);
    assert!(
        err.lines()
            .any(|l| l.starts_with("gap of ") && l.contains(&b) && l.contains("(GCJ-02; WGS84 ")),
        "{err}"
    );
    assert!(
        defects.iter().any(|d| d["codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == &Value::from(a.clone()))
            && (d["kind"] == "overlap" || d["kind"] == "outside_parent")),
        "{out}"
    );
    assert_eq!(
        std::fs::read(&doc).unwrap(),
        before,
        "untouched after a refusal"
    );
    // --dry-run reports without writing, --repair lists each repair and the result passes check.
    let (code, out, err) = import(&doc, &bad, &["--datum", "wgs84", "--repair", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out["repairs"].as_array().unwrap().is_empty());
    assert_eq!(
        std::fs::read(&doc).unwrap(),
        before,
        "a dry run writes nothing"
    );
    let (code, out, err) = import(&doc, &bad, &["--datum", "wgs84", "--repair"]);
    assert_eq!(code, 0, "{err}");
    let repairs = out["repairs"].as_array().unwrap();
    assert!(
        repairs
            .iter()
            .any(|r| r["kind"] == "gap" && r["message"].as_str().unwrap().contains("given to "))
    );
    check_ok(&doc);
}

#[test]
fn duplicate_codes_self_intersections_and_bad_fields_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, original) = exported(dir.path());
    let before = std::fs::read(&doc).unwrap();
    let grid = original
        .units_of_level(Level::Grid)
        .next()
        .unwrap()
        .code
        .clone();
    // A duplicate code.
    let dup = dir.path().join("dup.geojson");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&geojson).unwrap()).unwrap();
    let copy = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == grid.as_str())
        .unwrap()
        .clone();
    v["features"].as_array_mut().unwrap().push(copy);
    std::fs::write(&dup, v.to_string()).unwrap();
    let (code, out, err) = import(&doc, &dup, &["--datum", "wgs84"]);
    assert_eq!(code, 1);
    assert_eq!(out["defects"][0]["kind"], "duplicate_code");
    assert!(err.contains(&format!("code {grid} is also")), "{err}");
    // A bowtie: the ring crosses itself.
    let bow = dir.path().join("bow.geojson");
    edit_geojson(&geojson, &bow, |_, props, coords| {
        if props["code"] == grid.as_str() {
            let ring = coords[0][0].as_array_mut().unwrap();
            ring.swap(1, 2);
        }
    });
    let (code, _, err) = import(&doc, &bow, &["--datum", "wgs84"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{grid}: the outline crosses itself (")),
        "{err}"
    );
    // A code that is not a unit code, and no code field at all.
    let wrong = dir.path().join("wrong.geojson");
    edit_geojson(&geojson, &wrong, |_, props, _| {
        if props["code"] == grid.as_str() {
            props["code"] = Value::from("12345");
        }
    });
    let (code, _, err) = import(&doc, &wrong, &["--datum", "wgs84"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("wrong.geojson feature") && err.contains("code 12345 has 5 digits"),
        "{err}"
    );
    let (code, _, err) = import(
        &doc,
        &geojson,
        &["--datum", "wgs84", "--code-field", "编号"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("no code field (编号); its fields are:"),
        "{err}"
    );
    assert_eq!(std::fs::read(&doc).unwrap(), before);
}

/// A Shapefile of the township's villages with Chinese names in GBK, written as ArcGIS does.
fn villages_shapefile(dir: &Path, d: &gridatlas::model::Dataset, cpg: bool) -> PathBuf {
    use shapefile::dbase::{self, FieldName, FieldValue, TableWriterBuilder};
    let path = dir.join(if cpg {
        "villages_cpg.shp"
    } else {
        "villages.shp"
    });
    let table =
        TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
            .add_character_field(FieldName::try_from("CODE").unwrap(), 20)
            .add_character_field(FieldName::try_from("NAME").unwrap(), 60);
    let mut w = shapefile::Writer::from_path(&path, table).unwrap();
    for u in d
        .units_of_level(Level::Village)
        .chain(d.units_of_level(Level::Township))
    {
        let rings = u
            .geometry
            .0
            .iter()
            .flat_map(|p| {
                std::iter::once(shapefile::PolygonRing::Outer(
                    p.exterior()
                        .0
                        .iter()
                        .map(|c| shapefile::Point::new(c.x, c.y))
                        .collect(),
                ))
                .chain(p.interiors().iter().map(|h| {
                    shapefile::PolygonRing::Inner(
                        h.0.iter()
                            .map(|c| shapefile::Point::new(c.x, c.y))
                            .collect(),
                    )
                }))
            })
            .collect();
        let mut rec = dbase::Record::default();
        rec.insert("CODE".into(), FieldValue::Character(Some(u.code.clone())));
        rec.insert("NAME".into(), FieldValue::Character(Some(u.name.clone())));
        w.write_shape_and_record(&shapefile::Polygon::with_rings(rings), &rec)
            .unwrap();
    }
    drop(w);
    if cpg {
        std::fs::write(path.with_extension("cpg"), "GBK").unwrap();
    }
    path
}

#[test]
fn a_gbk_shapefile_with_or_without_cpg_and_a_geopackage_layer_import_with_their_chinese_names() {
    let dir = tempfile::tempdir().unwrap();
    let (_, doc, original) = exported(dir.path());
    for cpg in [false, true] {
        let shp = villages_shapefile(dir.path(), &original, cpg);
        let dbf = std::fs::read(shp.with_extension("dbf")).unwrap();
        assert!(
            std::str::from_utf8(&dbf).is_err(),
            "the .dbf holds GBK bytes"
        );
        let (code, out, err) = import(&doc, &shp, &["--datum", "wgs84", "--dry-run"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out["sources"][0]["encoding"]
                .as_str()
                .unwrap()
                .starts_with("GBK"),
            "{out}"
        );
    }
    let shp = villages_shapefile(dir.path(), &original, false);
    let (code, _, err) = import(&doc, &shp, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    let d = gridatlas::store::load(&doc).unwrap();
    for v in original.units_of_level(Level::Village) {
        let mine = d.units.iter().find(|u| u.code == v.code).unwrap();
        assert_eq!(mine.name, v.name, "GBK text decoded");
    }
    // The rest from the original document's GeoPackage layer `units` (QGIS's kind of file).
    let src = dir.path().join("doc.gpkg");
    let (code, out, err) = import(&doc, &src, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["sources"][0]["file"], "doc.gpkg layer units");
    check_ok(&doc);
}

#[test]
fn shapefile_geopackage_and_excel_exports_come_back_in_with_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, original) = exported(dir.path());
    let src = dir.path().join("doc.gpkg");
    let s = src.to_str().unwrap();
    for (ext, county) in [("shp", "a.gpkg"), ("gpkg", "b.gpkg")] {
        let out = dir.path().join(format!("units.{ext}"));
        let (code, _, err) = gridatlas(&["export", "units", s, "--to", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        if ext == "shp" {
            assert_eq!(
                std::fs::read_to_string(out.with_extension("cpg")).unwrap(),
                "UTF-8"
            );
        }
        let doc = dir.path().join(county);
        let c = original
            .units
            .iter()
            .find(|u| u.level == Level::County)
            .unwrap();
        let (code, _, err) = gridatlas(&[
            "new",
            doc.to_str().unwrap(),
            "--county-code",
            &c.code,
            "--name",
            &c.name,
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = import(&doc, &out, &["--datum", "wgs84"]);
        assert_eq!(code, 0, "{ext}: {err}");
        // Households through Excel, unmasked.
        let xlsx = dir.path().join("households.xlsx");
        let (code, _, err) = gridatlas(&[
            "export",
            "households",
            s,
            "--to",
            xlsx.to_str().unwrap(),
            "--unmasked",
            "--reason",
            "test: the round trip needs every field",
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = gridatlas(&[
            "import",
            "households",
            doc.to_str().unwrap(),
            "--from",
            xlsx.to_str().unwrap(),
            "--datum",
            "wgs84",
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out["added"], original.households.len());
        check_ok(&doc);
        let d = gridatlas::store::load(&doc).unwrap();
        assert_eq!(d.unit_counts(), original.unit_counts());
        let mut a: Vec<_> = d
            .households
            .iter()
            .map(|h| (h.code.clone(), h.head_name.clone(), h.members))
            .collect();
        let mut b: Vec<_> = original
            .households
            .iter()
            .map(|h| (h.code.clone(), h.head_name.clone(), h.members))
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{ext}: every household back, unmasked");
    }
    // Workers have no place on the map: a layer of them is refused in one line.
    let (code, _, err) = gridatlas(&[
        "export",
        "workers",
        s,
        "--to",
        dir.path().join("w.shp").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn another_programs_edits_meanwhile_are_never_overwritten_or_resurrected() {
    use gridatlas::import::{self, FieldChoice, UnitImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let (geojson, doc, _) = exported(dir.path());
    let options = UnitImportOptions {
        snap_m: 1.0,
        repair: false,
        datum: gridatlas::store::CoordinateDatum::Wgs84,
    };
    let (code, _, err) = import(&doc, &geojson, &["--datum", "wgs84"]);
    assert_eq!(code, 0, "{err}");
    // A second import of the same file is prepared (the window's preview)…
    let prepared = import::prepare_units(
        &doc,
        std::slice::from_ref(&geojson),
        &import::LayerChoice::default(),
        None,
        &FieldChoice::default(),
        options,
    )
    .unwrap();
    // …then QGIS renames a unit the import replaces, before 导入.
    let grid = prepared
        .plan
        .replaced
        .iter()
        .find(|u| u.code.len() == 15)
        .unwrap()
        .clone();
    common::other_writer(&doc)
        .execute(
            "UPDATE units SET name = 'QGIS改名' WHERE id = ?1",
            [grid.id.0],
        )
        .unwrap();
    let before = std::fs::read(&doc).unwrap();
    let e = import::commit_units(&prepared).unwrap_err().to_string();
    assert!(
        e.contains(&grid.code) && e.contains("another program"),
        "{e}"
    );
    assert_eq!(std::fs::read(&doc).unwrap(), before, "nothing written");
    let d = gridatlas::store::load(&doc).unwrap();
    assert_eq!(
        d.units.iter().find(|u| u.id == grid.id).unwrap().name,
        "QGIS改名"
    );
}
