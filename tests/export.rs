//! `gridatlas export` (issue #12, first part): units, households, workers and cases as CSV or
//! GeoJSON, personal data masked unless asked.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use common::{document, gridatlas};
use gridatlas::model::{Level, mask_phone};

#[test]
fn exports_mask_personal_data_unless_asked_and_keep_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let file = path.to_str().unwrap();
    let d = gridatlas::store::load(&path).unwrap();
    let first = &d.households[0];

    let masked = dir.path().join("h.csv");
    let (code, out, err) = gridatlas(&[
        "export",
        "households",
        file,
        "--to",
        masked.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["rows"], d.households.len());
    let text = std::fs::read_to_string(&masked).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "Excel needs the byte-order mark"
    );
    assert_eq!(text.lines().count(), d.households.len() + 1);
    assert!(!text.contains(&first.phone) && text.contains(&mask_phone(&first.phone)));
    assert!(!text.contains(&first.head_name));

    let full = dir.path().join("h-full.csv");
    let (code, out, _) = gridatlas(&[
        "export",
        "households",
        file,
        "--to",
        full.to_str().unwrap(),
        "--unmasked",
        "--reason",
        "test: the round trip needs every field",
    ]);
    assert_eq!((code, out["masked"].as_bool()), (0, Some(false)));
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains(&first.phone) && text.contains(&first.head_name));

    // Grids as GeoJSON: one MultiPolygon feature each, with its parent's code.
    let grids = dir.path().join("grids.geojson");
    let (code, _, err) = gridatlas(&[
        "export",
        "units",
        file,
        "--to",
        grids.to_str().unwrap(),
        "--level",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&grids).unwrap().parse().unwrap();
    assert_eq!(fc.features.len(), d.units_of_level(Level::Grid).count());
    let f = &fc.features[0];
    assert!(matches!(
        f.geometry.as_ref().unwrap().value,
        geojson::Value::MultiPolygon(_)
    ));
    assert_eq!(
        f.properties.as_ref().unwrap()["parent_code"]
            .as_str()
            .unwrap()
            .len(),
        12
    );

    // Cases: the reporter is masked too.
    let cases = dir.path().join("cases.csv");
    let (code, _, err) = gridatlas(&["export", "cases", file, "--to", cases.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&cases).unwrap();
    let reporter = d
        .cases
        .iter()
        .map(|c| &c.reporter)
        .find(|r| r.chars().count() >= 2)
        .unwrap();
    assert!(
        !text.contains(&format!(",{reporter},")),
        "reporter {reporter} masked"
    );

    // A GeoPackage export carries GDAL's spatial index, complete, so QGIS draws it fast.
    let gpkg = dir.path().join("households.gpkg");
    let (code, _, err) = gridatlas(&["export", "households", file, "--to", gpkg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let conn = rusqlite::Connection::open(&gpkg).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT count(*) FROM rtree_households_geom"),
        d.households.len() as i64
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM gpkg_extensions WHERE table_name = 'households'
             AND extension_name = 'gpkg_rtree_index'"
        ),
        1
    );

    // A format not built yet is refused in one line, and nothing is written.
    let shp = dir.path().join("w.shp");
    let (code, _, err) = gridatlas(&["export", "workers", file, "--to", shp.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!shp.exists());
}
