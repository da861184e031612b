//! Times on a real day (issue #11): instants are stored in UTC but shown, and days counted, in
//! the document's time zone (Beijing by default); "now" is the clock, so overdue is judged at
//! the current time, not at the last event in the file.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use common::{document, gridatlas, other_writer};

use egui_kittest::kittest::Queryable;
use gridatlas::model::{Level, TimeZone, Timestamp};
use rusqlite::params;

/// A case reported at 23:31 UTC on 28 November is a case of the 29th, 07:31, in Beijing: the
/// list shows it so, a typed date filter is a Beijing day, and the case's code carries the 29th.
#[test]
fn times_and_days_are_the_documents_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    other_writer(&path)
        .execute(
            "UPDATE cases SET reported_at = '2026-11-28T23:31:00Z' WHERE id = 1",
            [],
        )
        .unwrap();
    let mut app = common::app_on_file(&path);
    app.workspace_mut()
        .unwrap()
        .fix_clock(Some(Timestamp::parse("2026-11-30T12:00:00Z").unwrap()));
    let mut h = common::window(app);
    h.get_by_label("事件列表").click();
    h.run_steps(2);
    common::type_into(&mut h, "上报起", "2026-11-29");
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    let listed: Vec<i64> = ws
        .desk
        .list
        .iter()
        .map(|&i| ws.doc.dataset.cases[i].id.0)
        .collect();
    assert!(
        listed.contains(&1),
        "23:31 UTC on the 28th is the 29th in Beijing: {listed:?}"
    );
    assert!(
        h.query_by_label_contains("2026-11-29 07:31").is_some(),
        "the list shows Beijing time"
    );
    assert!(h.query_by_label_contains("2026-11-28 23:31").is_none());
    // The period the indicators cover is named in local days too.
    assert_eq!(
        ws.desk.time_zone.date(ws.desk.period().0),
        "2026-11-29",
        "the period starts on the typed day"
    );
}

/// A new case reported at 07:31 Beijing time on the 29th gets a code of the 29th, and a CSV's
/// local times (as Excel writes them) are Beijing times.
#[test]
fn case_codes_and_imported_local_times_follow_the_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let d = gridatlas::store::load(&path).unwrap();
    let index = gridatlas::index::SpatialIndex::build(&d);
    let p = index_point(&d);
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n06.02,路灯,2026-11-29 07:31,{},{}\n",
            p.x(),
            p.y()
        ),
    )
    .unwrap();
    let written = gridatlas::ledger::import_cases(
        gridatlas::store::Target::File(&path),
        &index,
        &csv,
        gridatlas::store::CoordinateDatum::Wgs84,
        "导入",
        &d.meta.time_zone,
    )
    .unwrap();
    let c = &written.cases[0];
    assert_eq!(c.reported_at.to_iso(), "2026-11-28T23:31:00Z");
    assert!(c.code.starts_with("SJ20261129"), "{}", c.code);

    // Another zone, named in the document, is honoured (and a bad name is refused at open).
    other_writer(&path)
        .execute(
            "INSERT OR REPLACE INTO gridatlas_meta VALUES ('time_zone', 'UTC')",
            [],
        )
        .unwrap();
    let d = gridatlas::store::load(&path).unwrap();
    assert_eq!(d.meta.time_zone, TimeZone::named("UTC").unwrap());
    let (_, info, _) = gridatlas(&["info", path.to_str().unwrap()]);
    assert_eq!(info["time_zone"], "UTC");
    other_writer(&path)
        .execute(
            "UPDATE gridatlas_meta SET value = 'Mars/Olympus' WHERE key = 'time_zone'",
            [],
        )
        .unwrap();
    let (code, _, err) = gridatlas(&[
        "stats",
        path.to_str().unwrap(),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-02",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("time_zone") && err.contains("Mars/Olympus"),
        "{err}"
    );
}

fn index_point(d: &gridatlas::model::Dataset) -> geo_types::Point<f64> {
    use geo::InteriorPoint;
    d.units
        .iter()
        .find(|u| u.level == Level::MicroGrid)
        .and_then(|u| u.geometry.interior_point())
        .unwrap()
}

/// "Now" is the clock: a case whose deadline passed two hours ago is overdue, in the list and
/// in the statistics, although the file's own instant (`as_of`) and its last event are weeks
/// earlier; a case due in two hours is not; and the list says how long it is overdue.
#[test]
fn overdue_is_judged_at_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let now = Timestamp::now();
    let w = other_writer(&path);
    let as_of = gridatlas::store::load(&path).unwrap().meta.as_of;
    assert!(
        now.0 - as_of.0 > 86_400,
        "the demo's instant is in the past"
    );
    // Two cases open in their history too (being handled), with deadlines either side of now.
    let open: Vec<i64> = w
        .prepare(
            "SELECT id FROM cases WHERE status IN ('dispatched', 'handling')
             AND accepted_at IS NOT NULL ORDER BY id LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let [late, early] = [open[0], open[1]];
    for (id, due) in [
        (late, now.plus_seconds(-7_200)),
        (early, now.plus_seconds(7_200)),
    ] {
        w.execute(
            "UPDATE cases SET due_at = ?2 WHERE id = ?1",
            params![id, due.to_iso()],
        )
        .unwrap();
    }
    drop(w);
    let mut h = common::window(common::app_on_file(&path));
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    let d = &ws.doc.dataset;
    let slot = |id: i64| d.cases.iter().position(|c| c.id.0 == id).unwrap();
    let code = d.cases[slot(late)].code.clone();
    use gridatlas::cases::CaseState;
    assert_eq!(ws.desk.states[slot(late)], CaseState::Overdue);
    assert_eq!(ws.desk.states[slot(early)], CaseState::Open);
    assert!((ws.desk.now.0 - now.0).abs() <= 120, "now is the clock");
    let expected = d
        .cases
        .iter()
        .filter(|c| c.status.is_open() && c.is_overdue_at(ws.desk.now))
        .count();
    let county = d
        .units
        .iter()
        .find(|u| u.level == Level::County)
        .unwrap()
        .id;
    assert_eq!(
        ws.doc.stats.get(county).unwrap().overdue_cases as usize,
        expected
    );
    // The list says "超期 2 小时", not "-2 小时".
    h.get_by_label("事件列表").click();
    h.run_steps(2);
    common::type_into(&mut h, "关键字", &code);
    h.run_steps(2);
    assert!(h.query_by_label_contains("超期 2 小时").is_some());
    assert!(h.query_by_label_contains("-2 小时").is_none());
}
