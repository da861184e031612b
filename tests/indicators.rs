//! Case indicators against a hand-computed fixture and against plain SQL on the file.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use std::process::Command;

use geo_types::{LineString, MultiPolygon, Point, Polygon};
use gridatlas::model::{
    Case, CaseAction, CaseEvent, CaseEventId, CaseId, CaseStatus, CategoryCode, Dataset,
    DatasetMeta, Level, Timestamp, Unit, UnitId,
};

/// (accepted, due, closed, final status, statuses passed through after acceptance).
type PlannedCase = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    CaseStatus,
    &'static [CaseStatus],
);
/// due, closure, on time, rework, overdue, mean handling hours.
type SqlRow = (i64, Option<f64>, Option<f64>, Option<f64>, i64, Option<f64>);

fn square(x0: f64, y0: f64, s: f64) -> MultiPolygon<f64> {
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![
            (x0, y0),
            (x0 + s, y0),
            (x0 + s, y0 + s),
            (x0, y0 + s),
            (x0, y0),
        ]),
        vec![],
    )])
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// A county with two townships; township 1 holds one chain down to a micro-grid with all the
/// cases, township 2 none.
fn fixture() -> Dataset {
    let unit = |id: i64, level: Level, parent: Option<i64>, code: &str, geometry| Unit {
        id: UnitId(id),
        level,
        parent: parent.map(UnitId),
        code: code.into(),
        name: format!("u{id}"),
        geometry,
    };
    let units = vec![
        unit(1, Level::County, None, "430181", square(113.0, 28.0, 0.2)),
        unit(
            2,
            Level::Township,
            Some(1),
            "430181101",
            square(113.0, 28.0, 0.1),
        ),
        unit(
            3,
            Level::Township,
            Some(1),
            "430181102",
            square(113.1, 28.0, 0.1),
        ),
        unit(
            4,
            Level::Village,
            Some(2),
            "430181101001",
            square(113.0, 28.0, 0.1),
        ),
        unit(
            5,
            Level::Grid,
            Some(4),
            "430181101001001",
            square(113.0, 28.0, 0.1),
        ),
        unit(
            6,
            Level::MicroGrid,
            Some(5),
            "430181101001001001",
            square(113.0, 28.0, 0.1),
        ),
    ];
    let mut cases = Vec::new();
    let mut events = Vec::new();
    // (accepted, due, closed, final status, statuses passed through after accepted)
    let plan: [PlannedCase; 7] = {
        use CaseStatus::*;
        [
            // c1: due in May, closed on time, one pass through responded.
            (
                Some("2026-04-28"),
                Some("2026-05-02"),
                Some("2026-05-01T10:00:00Z"),
                Closed,
                &[Dispatched, Handling, Responded, Closed],
            ),
            // c2: due in May, closed late, reworked once.
            (
                Some("2026-05-10"),
                Some("2026-05-12"),
                Some("2026-05-13"),
                Closed,
                &[Dispatched, Handling, Responded, Handling, Responded, Closed],
            ),
            // c3: due the last second of May, still open: due and overdue.
            (
                Some("2026-05-20"),
                Some("2026-05-31T23:59:59Z"),
                None,
                Handling,
                &[Dispatched, Handling],
            ),
            // c4: due exactly at `to`: neither due nor overdue; closed after the period.
            (
                Some("2026-05-25"),
                Some("2026-06-01"),
                Some("2026-06-02"),
                Closed,
                &[Dispatched, Handling, Responded, Closed],
            ),
            // c5: rejected.
            (None, None, None, Rejected, &[Rejected]),
            // c6: due in April, closed in May: only the handling time counts.
            (
                Some("2026-04-01"),
                Some("2026-04-03"),
                Some("2026-05-05"),
                Closed,
                &[Dispatched, Handling, Responded, Closed],
            ),
            // c7: due in March, never closed: overdue.
            (
                Some("2026-03-01"),
                Some("2026-03-03"),
                None,
                Dispatched,
                &[Dispatched],
            ),
        ]
    };
    for (i, (accepted, due, closed, status, path)) in plan.iter().enumerate() {
        let id = CaseId(i as i64 + 1);
        let reported = t("2026-02-01");
        cases.push(Case {
            id,
            code: format!("C{}", i + 1),
            category: CategoryCode::parse("11.01").unwrap(),
            title: "t".into(),
            description: String::new(),
            status: *status,
            level: Level::MicroGrid,
            reporter: "r".into(),
            handler: None,
            reported_at: reported,
            accepted_at: accepted.map(t),
            due_at: due.map(t),
            closed_at: closed.map(t),
            unit: Some(UnitId(6)),
            location: Point::new(113.05, 28.05),
        });
        let mut from = None;
        let mut push = |to: CaseStatus| {
            events.push(CaseEvent {
                id: CaseEventId(events.len() as i64 + 1),
                case_id: id,
                at: reported,
                actor: "a".into(),
                action: CaseAction::Transition,
                from_status: from,
                to_status: to,
                from_level: Level::MicroGrid,
                to_level: Level::MicroGrid,
                note: String::new(),
            });
            from = Some(to);
        };
        push(CaseStatus::Reported);
        if accepted.is_some() {
            push(CaseStatus::Accepted);
        }
        for s in *path {
            push(*s);
        }
    }
    Dataset {
        meta: DatasetMeta {
            title: "fixture".into(),
            provenance: "test".into(),
            as_of: t("2026-06-15"),
            time_zone: gridatlas::model::TimeZone::beijing(),
            deadline_hours: Default::default(),
        },
        units,
        households: Vec::new(),
        workers: Vec::new(),
        cases,
        case_events: events,
    }
}

fn stats(file: &std::path::Path, from: &str, to: &str, level: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args([
            "stats",
            file.to_str().unwrap(),
            "--from",
            from,
            "--to",
            to,
            "--level",
            level,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn hand_computed_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.gpkg");
    gridatlas::store::create(&file, &fixture(), false).unwrap();
    // The fixture's instants are UTC midnights; the period is given in UTC to match (bare
    // dates are days in the document's time zone, tested below).
    let rows = stats(&file, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "2");
    let t1 = &rows[0];
    assert_eq!(t1["code"], "430181101");
    assert_eq!(t1["due"], 3, "c1, c2, c3 (c4 is due exactly at `to`)");
    assert!(
        (t1["closure_rate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12,
        "c1, c2 closed by the end"
    );
    assert!(
        (t1["on_time_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12,
        "only c1 on time"
    );
    assert!(
        (t1["rework_rate"].as_f64().unwrap() - 0.5).abs() < 1e-12,
        "c2 reworked, of c1 and c2 that reached responded"
    );
    assert_eq!(t1["overdue"], 2, "c3 and c7");
    // c1 82 h, c2 72 h, c6 816 h closed in May.
    assert!(
        (t1["mean_handling_hours"].as_f64().unwrap() - (82.0 + 72.0 + 816.0) / 3.0).abs() < 1e-9,
        "{t1}"
    );
    // The empty township: zero denominators are null, not 0 or 100 %.
    let t2 = &rows[1];
    assert_eq!(t2["due"], 0);
    assert!(
        t2["closure_rate"].is_null()
            && t2["on_time_rate"].is_null()
            && t2["rework_rate"].is_null()
            && t2["mean_handling_hours"].is_null(),
        "{t2}"
    );
    // Bare dates are Beijing days (the document names no zone): May ends at 16:00 UTC on the
    // 31st, so c3, due at 23:59:59 UTC (07:59 on 1 June in Beijing), is not due in May and
    // c1, due at 00:00 UTC on 2 May, still is.
    let beijing = stats(&file, "2026-05-01", "2026-06-01", "2");
    assert_eq!(beijing[0]["due"], 2, "c1 and c2: {}", beijing[0]);
    // The county level sums its subtree; a period with nothing due has null rates but can
    // still have overdue cases and handling time.
    let county = stats(&file, "2026-03-05T00:00:00Z", "2026-04-02T00:00:00Z", "1");
    assert_eq!(county[0]["due"], 0);
    assert!(county[0]["closure_rate"].is_null());
    assert_eq!(
        county[0]["overdue"], 1,
        "c7 (c6 is due on 04-03, after this period)"
    );
}

#[test]
fn county_demo_agrees_with_plain_sql() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.gpkg");
    let out = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args([
            "demo",
            "--out",
            file.to_str().unwrap(),
            "--scale",
            "county",
            "--seed",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (from, to) = ("2026-07-15T00:00:00Z", "2026-10-01T00:00:00Z");
    let rows = stats(&file, from, to, "2");
    // The README's SQL, per township (codes nest, so a micro-grid's township is its first 9 digits).
    let conn = rusqlite::Connection::open(&file).unwrap();
    let sql = include_str!("../docs/indicators.sql");
    let mut stmt = conn.prepare(sql).unwrap();
    let from_sql: std::collections::HashMap<String, SqlRow> = stmt
        .query_map(rusqlite::named_params! {":from": from, ":to": to}, |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ),
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.as_array().unwrap().len(), 32);
    let close = |a: &serde_json::Value, b: Option<f64>, eps: f64| match (a.as_f64(), b) {
        (Some(x), Some(y)) => (x - y).abs() < eps,
        (None, None) => true,
        _ => false,
    };
    for row in rows.as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        let (due, closure, on_time, rework, overdue, hours) = from_sql
            .get(code)
            .copied()
            .unwrap_or((0, None, None, None, 0, None));
        assert_eq!(row["due"].as_i64().unwrap(), due, "{code}");
        assert!(
            close(&row["closure_rate"], closure, 1e-12),
            "{code} closure {row}"
        );
        assert!(
            close(&row["on_time_rate"], on_time, 1e-12),
            "{code} on time"
        );
        assert!(close(&row["rework_rate"], rework, 1e-12), "{code} rework");
        assert_eq!(row["overdue"].as_i64().unwrap(), overdue, "{code}");
        assert!(
            close(&row["mean_handling_hours"], hours, 1e-6),
            "{code} hours {row} vs {hours:?}"
        );
        assert!(due > 20, "{code}: the period must have cases ({due})");
    }
}
