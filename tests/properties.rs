//! Property tests (proptest) and fuzz-style tests of the readers: every input, however
//! damaged, gives a value or an error — never a panic, a hang or an abort — and what is valid
//! reads back exactly.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use geo::{Contains, Distance, Euclidean, Intersects};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use gridatlas::index::{Position, position_in};
use gridatlas::store::{
    CoordinateDatum, decode_multipolygon, decode_point, encode_multipolygon, encode_point,
    read_cases_csv,
};
use proptest::prelude::*;

/// A star-shaped ring around (0, 0): simple (never self-intersecting) whatever the radii.
fn star(radii: &[f64]) -> Polygon<f64> {
    let n = radii.len();
    let mut ring: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            Coord {
                x: r * a.cos(),
                y: r * a.sin(),
            }
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString::from(ring), vec![])
}

fn multipolygon() -> impl Strategy<Value = MultiPolygon<f64>> {
    prop::collection::vec(prop::collection::vec(0.1f64..10.0, 3..24), 1..4).prop_map(|stars| {
        MultiPolygon::new(
            stars
                .iter()
                .enumerate()
                .map(|(k, radii)| {
                    // Side by side, so the parts never overlap.
                    let mut p = star(radii);
                    use geo::Translate;
                    p.translate_mut(k as f64 * 25.0, 0.0);
                    p
                })
                .collect(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Blobs round-trip exactly.
    #[test]
    fn geometry_blobs_round_trip(mp in multipolygon(), x in -180.0f64..180.0, y in -90.0f64..90.0) {
        let blob = encode_multipolygon(&mp).unwrap();
        prop_assert_eq!(decode_multipolygon(&blob).unwrap(), mp);
        let p = Point::new(x, y);
        prop_assert_eq!(decode_point(&encode_point(p).unwrap()).unwrap(), p);
    }

    /// A damaged blob — bytes overwritten, cut short or padded — is a value or an error,
    /// never a panic or an allocation that aborts the process.
    #[test]
    fn damaged_geometry_blobs_are_refused_or_read(
        mp in multipolygon(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        cut_it in any::<bool>(),
    ) {
        let mut blob = encode_multipolygon(&mp).unwrap();
        for (at, byte) in edits {
            let i = at.index(blob.len());
            blob[i] = byte;
        }
        if cut_it {
            blob.truncate(cut.index(blob.len()));
        }
        let _ = decode_multipolygon(&blob);
        let _ = decode_point(&blob);
    }

    /// Arbitrary bytes, too.
    #[test]
    fn random_bytes_are_not_geometry(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_multipolygon(&bytes);
        let mut gp = b"GP\0\x01\xe6\x10\0\0".to_vec();
        gp.extend(bytes);
        let _ = decode_multipolygon(&gp);
        let _ = decode_point(&gp);
    }

    /// Exact point-in-polygon agrees with geo on random star rings, for points that are not
    /// within rounding of an edge (where geo's floating-point answer is not exact).
    #[test]
    fn point_in_polygon_agrees_with_geo(
        radii in prop::collection::vec(0.5f64..10.0, 3..40),
        x in -12.0f64..12.0,
        y in -12.0f64..12.0,
    ) {
        let poly = star(&radii);
        let p = Point::new(x, y);
        let near_edge = Euclidean.distance(&p, poly.exterior()) < 1e-9;
        prop_assume!(!near_edge);
        let ours = position_in(&MultiPolygon::new(vec![poly.clone()]), p.0);
        let geo = if poly.contains(&p) { Position::Inside } else { Position::Outside };
        prop_assert_eq!(ours, geo);
    }

    /// Every vertex of a ring is on its boundary.
    #[test]
    fn vertices_are_on_the_boundary(radii in prop::collection::vec(0.5f64..10.0, 3..40), k in any::<prop::sample::Index>()) {
        let poly = star(&radii);
        let v = poly.exterior().0[k.index(radii.len())];
        prop_assert_eq!(position_in(&MultiPolygon::new(vec![poly.clone()]), v), Position::Boundary);
        prop_assert!(poly.intersects(&Point(v)));
    }

    /// A CSV of valid rows reads back every row, in order, with its coordinates.
    #[test]
    fn valid_case_csv_reads_back(rows in prop::collection::vec((1u8..=13, 1u8..=9, "[a-z\u{4e00}-\u{4e20}]{1,12}", 113.0f64..114.5, 27.5f64..28.8, 0u32..300), 1..40)) {
        let mut text = String::from("\u{feff}longitude,latitude,title,category,reported_at\n");
        let mut expected = Vec::new();
        for (major, minor, title, x, y, day) in &rows {
            let category = format!("{major:02}.{minor:02}");
            let known = gridatlas::model::CategoryCode::parse(&category).is_some();
            let category = if known { category } else { "06.02".to_owned() };
            let date = gridatlas::model::Timestamp::parse("2026-01-01").unwrap().plus_seconds(i64::from(*day) * 86_400);
            text.push_str(&format!("{x},{y},{title},{category},{}\n", &date.to_iso()[..10]));
            expected.push((title.clone(), *x, *y));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.csv");
        std::fs::write(&path, text).unwrap();
        let read = read_cases_csv(&path, CoordinateDatum::Wgs84, &gridatlas::model::TimeZone::beijing()).unwrap();
        prop_assert_eq!(read.len(), expected.len());
        for (r, (title, x, y)) in read.iter().zip(&expected) {
            prop_assert_eq!(&r.title, title);
            prop_assert_eq!(r.location, Point::new(*x, *y));
        }
    }

    /// Any bytes as a CSV: every rows or a list of problems naming the file and line, never a
    /// panic; a refusal always ends by saying nothing was imported.
    #[test]
    fn any_bytes_as_case_csv_give_rows_or_problems(bytes in prop::collection::vec(any::<u8>(), 0..600), header in any::<bool>()) {
        let mut data = if header { b"category,title,reported_at,longitude,latitude\n".to_vec() } else { Vec::new() };
        data.extend(bytes);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, &data).unwrap();
        match read_cases_csv(&path, CoordinateDatum::Gcj02, &gridatlas::model::TimeZone::beijing()) {
            Ok(rows) => prop_assert!(!rows.is_empty()),
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                prop_assert!(e.problems.iter().all(|p| p.starts_with("x.csv")), "{:?}", e.problems);
                prop_assert!(e.to_string().ends_with("nothing was imported"));
            }
        }
    }
}

/// Fuzz-style, through the whole reader: mutated unit and household blobs written into a real
/// document make `load` answer with an error naming table, row and column — or read it —
/// never panic or abort.
#[test]
fn a_document_with_damaged_blobs_is_refused_with_the_row_named() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.gpkg");
    gridatlas::store::create(&clean, &common::township(2), false).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for round in 0..24 {
        let path = dir.path().join(format!("damaged-{round}.gpkg"));
        std::fs::copy(&clean, &path).unwrap();
        let conn = common::other_writer(&path);
        let table = if round % 2 == 0 {
            "units"
        } else {
            "households"
        };
        let id: i64 = rng.random_range(1..50);
        let mut blob: Vec<u8> = conn
            .query_row(
                &format!("SELECT geom FROM {table} WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
            .unwrap();
        // Overwrite a few bytes past the header: counts, types, byte orders.
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(8..blob.len());
            blob[i] = rng.random();
        }
        if round % 3 == 0 {
            let keep = rng.random_range(8..blob.len());
            blob.truncate(keep);
        }
        conn.execute(
            &format!("UPDATE {table} SET geom = ?1 WHERE id = ?2"),
            rusqlite::params![blob, id],
        )
        .unwrap();
        drop(conn);
        if let Err(e) = gridatlas::store::load(&path) {
            let message = e.to_string();
            assert!(
                message.contains(&format!("{table} row id {id}")),
                "round {round}: {message}"
            );
            assert!(
                ["geometry", "longitude", "latitude"]
                    .iter()
                    .any(|w| message.contains(w)),
                "round {round}: {message}"
            );
        }
    }
}
