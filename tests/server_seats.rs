//! A document on PostgreSQL/PostGIS: the same store operations as on a file, two seats that
//! see each other's steps and refuse a stale one, and a seat that lives through a server
//! restart. Needs a PostgreSQL server with PostGIS: `GRIDATLAS_TEST_PG` (a URL to a cluster
//! that may create databases; `.ci/run` starts one), else one started here with
//! `.ci/pg-cluster` from Debian's binaries. Under CI a missing server fails the tests.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gridatlas::app::{CaseDesk, CaseRequest, Document};
use gridatlas::model::CaseStatus;
use gridatlas::store::{self, StoreError};

use common::pg::{cluster, own_cluster, published, script};
use common::{next_status, plain_step, step};

fn steppable(d: &gridatlas::model::Dataset, skip: usize) -> usize {
    (0..d.cases.len())
        .filter(|&i| next_status(d.cases[i].status).is_some())
        .nth(skip)
        .expect("open cases")
}

fn desk_for(doc: &Document, actor: &str) -> CaseDesk {
    let mut desk = CaseDesk::new(&doc.dataset);
    desk.actor = actor.into();
    desk
}

#[test]
fn the_same_store_operations_on_both_backends() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (file, url) = published(&cluster, dir.path(), "ops");
    let server = PathBuf::from(&url);

    // Read: the server gives the dataset the file gives, row for row.
    let from_file = store::load(&file).unwrap();
    let from_server = store::load(&server).unwrap();
    assert_eq!(from_file, from_server);

    // The same step, new case and stale step on each backend.
    let mut results = Vec::new();
    for location in [&file, &server] {
        let mut doc = Document::open(location.clone()).unwrap();
        let mut desk = desk_for(&doc, "值班员");
        let i = steppable(&doc.dataset, 0);
        let seen = doc.dataset.cases[i].clone();
        step(&mut doc, &mut desk, i).unwrap();
        // A step from a seat that still sees the old row is refused, nothing written.
        let stale = {
            let next = gridatlas::model::Case {
                title: "过期的修改".into(),
                ..seen.clone()
            };
            let (mut target, _) = doc.target();
            target.save_case_step(&seen, &next, &[]).unwrap_err()
        };
        assert!(
            matches!(
                stale,
                StoreError::Conflict { .. } | StoreError::Stale { .. }
            ),
            "{stale}"
        );
        let location_loaded = store::load(location).unwrap();
        assert!(
            location_loaded
                .cases
                .iter()
                .all(|c| c.title != "过期的修改")
        );
        // A new case takes the next id on both.
        let p = doc.dataset.households[7].location;
        let unit = doc.index.micro_grid_at(p.0);
        let (as_of, tz) = (doc.dataset.meta.as_of, doc.dataset.meta.time_zone.clone());
        let new = {
            let (target, _) = doc.target();
            gridatlas::ledger::write_new_case(
                target,
                gridatlas::cases::NewCase {
                    category: gridatlas::model::CategoryCode { major: 6, minor: 2 },
                    title: "井盖缺失".into(),
                    description: String::new(),
                    reporter: "居民".into(),
                    location: p,
                    unit,
                    reported_at: as_of,
                },
                "值班员",
                &tz,
            )
            .unwrap()
        };
        results.push((stale.to_string(), new.cases[0].id, new.events[0].id));
    }
    assert_eq!(results[0].1, results[1].1, "the same new case id");
    assert_eq!(results[0].2, results[1].2, "the same new event id");
    // The server names who changed the case and when.
    assert!(results[1].0.contains("已被 值班员 于"), "{}", results[1].0);

    // After the same operations both hold the same data (the new case's time aside, the
    // same report time was given).
    let a = store::load(&file).unwrap();
    let b = store::load(&server).unwrap();
    assert_eq!(a.cases.len(), b.cases.len());
    assert_eq!(a.case_events.len(), b.case_events.len());
    for (x, y) in a.cases.iter().zip(&b.cases) {
        assert_eq!((x.id, x.status, &x.title), (y.id, y.status, &y.title));
    }

    // The reading commands answer the same for the URL as for the file.
    let (code, info_file, _) = common::gridatlas(&["info", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, info_server, err) = common::gridatlas(&["info", &url]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(info_file["tables"], info_server["tables"]);
    assert_eq!(info_file["units_per_level"], info_server["units_per_level"]);
    assert!(
        !info_server.to_string().contains("snapshot"),
        "{info_server}"
    );
    let (code, _, err) = common::gridatlas(&["check", &url]);
    assert_eq!(code, 0, "check on the server: {err}");
    let stats = |loc: &str| {
        common::gridatlas(&["stats", loc, "--from", "2026-10-01", "--to", "2026-11-01"]).1
    };
    assert_eq!(stats(file.to_str().unwrap()), stats(&url));

    // Cases imported from the command line into the server.
    let csv = dir.path().join("more.csv");
    let p = a.households[3].location;
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n06.02,命令行导入,2026-10-30,{},{}\n",
            p.x(),
            p.y()
        ),
    )
    .unwrap();
    let (code, json, err) = common::gridatlas(&[
        "import-cases",
        &url,
        "--csv",
        csv.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["imported"], 1);

    // A snapshot pulled back is a GeoPackage with the server's data.
    let pulled = dir.path().join("pulled.gpkg");
    let (code, _, err) = common::gridatlas(&["pull", &url, "--to", pulled.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(store::load(&pulled).unwrap(), store::load(&server).unwrap());
    let (code, _, err) = common::gridatlas(&["check", pulled.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    // Publishing again into a database that holds a document is refused.
    let (code, _, err) = common::gridatlas(&["publish", file.to_str().unwrap(), "--to", &url]);
    assert_ne!(code, 0);
    assert!(err.contains("already holds a GridAtlas document"), "{err}");
}

/// Polls `doc` (as the window does each frame) until `done` or 5 s; returns how long it took.
fn follow_until(
    doc: &mut Document,
    now: gridatlas::model::Timestamp,
    done: impl Fn(&mut Document) -> bool,
) -> Duration {
    let started = Instant::now();
    while !done(doc) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the other seat's commit never arrived (link: {:?}, seen {:?})",
            doc.server().map(|s| s.state().clone()),
            doc.server().map(|s| s.seen()),
        );
        let changes = doc.others_changes().unwrap();
        if !changes.is_empty() {
            doc.apply(&changes, None, now);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn two_seats_see_each_others_steps_and_a_stale_step_is_refused() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "seats");
    let mut a = Document::open(PathBuf::from(&url)).unwrap();
    let mut b = Document::open(PathBuf::from(&url)).unwrap();
    let mut desk_a = desk_for(&a, "甲席");
    let mut desk_b = desk_for(&b, "乙席");

    // A's step reaches B, applied in place (no reload), within a second.
    let i = steppable(&a.dataset, 0);
    let id = a.dataset.cases[i].id;
    let before = b.dataset.cases[i].status;
    step(&mut a, &mut desk_a, i).unwrap();
    let after = a.dataset.cases[i].status;
    assert_ne!(before, after);
    let waited = follow_until(&mut b, desk_b.now, |b| {
        b.dataset.cases.iter().find(|c| c.id == id).unwrap().status == after
    });
    assert!(
        waited < Duration::from_secs(1),
        "propagation took {waited:?}"
    );
    let changed = b.take_changed_cases();
    desk_b.cases_changed(&b.dataset, &changed);

    // Both read case j; A steps first; B's step on what it read is refused, naming A.
    let j = steppable(&a.dataset, 1);
    step(&mut a, &mut desk_a, j).unwrap();
    let refused = step(&mut b, &mut desk_b, j).unwrap_err();
    let text = refused.to_string();
    assert!(text.contains("已被 甲席 于"), "{text}");
    let message = gridatlas::app::messages::ledger_error(&refused);
    let zh = message.text(gridatlas::ui::Lang::Zh);
    assert!(zh.contains("已被 甲席 于"), "{zh}");
    // B now shows the fresh state, and a step on it goes through.
    follow_until(&mut b, desk_b.now, |b| {
        b.dataset.cases[j].status == a.dataset.cases[j].status
    });
    let changed = b.take_changed_cases();
    desk_b.cases_changed(&b.dataset, &changed);
    if next_status(b.dataset.cases[j].status).is_some() {
        step(&mut b, &mut desk_b, j).unwrap();
    }
    // Nothing was applied twice or lost: every history entry either seat holds of case j is
    // on the server exactly once, and the server has no other.
    let server = store::load(Path::new(&url)).unwrap();
    let case = a.dataset.cases[j].id;
    let ids = |d: &gridatlas::model::Dataset| {
        let mut v: Vec<i64> = d
            .case_events
            .iter()
            .filter(|e| e.case_id == case)
            .map(|e| e.id.0)
            .collect();
        v.sort();
        v
    };
    follow_until(&mut a, desk_a.now, |a| ids(&a.dataset) == ids(&server));
    assert_eq!(ids(&b.dataset), ids(&server));
    assert_eq!(
        a.dataset.cases[j],
        *server.cases.iter().find(|c| c.id == case).unwrap()
    );
}

#[test]
fn two_windows_on_one_database() {
    use egui_kittest::kittest::Queryable;
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "windows");
    let mut one = common::window(gridatlas::app::GridAtlasApp::with_document(
        Document::open(PathBuf::from(&url)).unwrap(),
        gridatlas::ui::FontStatus::Found("test".into()),
    ));
    let mut two = common::window(gridatlas::app::GridAtlasApp::with_document(
        Document::open(PathBuf::from(&url)).unwrap(),
        gridatlas::ui::FontStatus::Found("test".into()),
    ));
    let i = steppable(&one.state().workspace().unwrap().doc.dataset, 0);
    let request = plain_step(&one.state().workspace().unwrap().doc.dataset, i);
    one.state_mut()
        .workspace_mut()
        .unwrap()
        .apply_case_request(i, request.clone());
    one.run_steps(2);
    let status = one.state().workspace().unwrap().doc.dataset.cases[i].status;
    assert_eq!(Some(status), next_status_of(&request));
    let started = Instant::now();
    while two.state().workspace().unwrap().doc.dataset.cases[i].status != status {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "window two never showed the step"
        );
        std::thread::sleep(Duration::from_millis(50));
        two.run_steps(1);
    }
    two.run_steps(2);
    two.get_by_label_contains("已同步其他程序的更改");
    // Window two still holds the old row of a case window one steps next: its step is
    // refused with who and when, and the fresh row is shown.
    let j = steppable(&one.state().workspace().unwrap().doc.dataset, 1);
    let request = plain_step(&one.state().workspace().unwrap().doc.dataset, j);
    one.state_mut()
        .workspace_mut()
        .unwrap()
        .apply_case_request(j, request.clone());
    two.state_mut()
        .workspace_mut()
        .unwrap()
        .apply_case_request(j, request);
    two.run_steps(3);
    two.get_by_label_contains("已被");
}

fn next_status_of(r: &CaseRequest) -> Option<CaseStatus> {
    match r {
        CaseRequest::Transition { to, .. } => Some(*to),
        _ => None,
    }
}

#[test]
fn a_seat_lives_through_a_server_restart() {
    use egui_kittest::kittest::Queryable;
    let Some(cluster) = own_cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "restart");
    let mut h = common::window(gridatlas::app::GridAtlasApp::with_document(
        Document::open(PathBuf::from(&url)).unwrap(),
        gridatlas::ui::FontStatus::Found("test".into()),
    ));
    let d = &h.state().workspace().unwrap().doc.dataset;
    let i = steppable(d, 0);
    let id = d.cases[i].id.0;
    let count = d.cases.len();

    cluster.halt();
    // The window says so at once and keeps showing what it has.
    let started = Instant::now();
    while h.state().workspace().unwrap().doc.server_down().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the window never noticed"
        );
        std::thread::sleep(Duration::from_millis(50));
        h.run_steps(1);
    }
    h.run_steps(2);
    h.get_by_label_contains("与服务器的连接已中断");
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset.cases.len(),
        count
    );
    // A step is refused while away: clearly not written.
    let request = plain_step(&h.state().workspace().unwrap().doc.dataset, i);
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .apply_case_request(i, request.clone());
    h.run_steps(2);
    h.get_by_label_contains("未写入任何内容");

    // The server comes back; another seat commits before this window has retried.
    cluster.resume();
    {
        let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        other
            .execute(
                "UPDATE cases SET title = '重启期间的修改' WHERE id = $1",
                &[&id],
            )
            .unwrap();
    }
    // It reconnects by itself and catches up on what it missed.
    let started = Instant::now();
    loop {
        let ws = h.state().workspace().unwrap();
        if ws.doc.server_down().is_none() && ws.doc.dataset.cases[i].title == "重启期间的修改"
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the window never caught up"
        );
        std::thread::sleep(Duration::from_millis(100));
        h.run_steps(1);
    }
    // And writes again: the same step now goes through and is in the server.
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .apply_case_request(i, request.clone());
    h.run_steps(2);
    let status = h.state().workspace().unwrap().doc.dataset.cases[i].status;
    assert_eq!(Some(status), next_status_of(&request));
    let server = store::load(Path::new(&url)).unwrap();
    assert_eq!(
        server.cases.iter().find(|c| c.id.0 == id).unwrap().status,
        status
    );
    assert_eq!(
        server.cases.iter().find(|c| c.id.0 == id).unwrap().title,
        "重启期间的修改"
    );

    // A step cut off mid-write by the server going away: not half written, and said so.
    let mut seat = Document::open(PathBuf::from(&url)).unwrap();
    let mut desk = desk_for(&seat, "丙席");
    {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(
            "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;
             CREATE TRIGGER slow BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION slow();",
        )
        .unwrap();
    }
    let k = steppable(&seat.dataset, 3);
    let kid = seat.dataset.cases[k].id;
    let before = seat.dataset.cases[k].clone();
    let halt = std::thread::spawn({
        let dir = cluster.dir.clone().unwrap();
        move || {
            std::thread::sleep(Duration::from_millis(800));
            std::process::Command::new(script())
                .arg("halt")
                .arg(dir)
                .status()
                .unwrap();
        }
    });
    let err = step(&mut seat, &mut desk, k).unwrap_err();
    halt.join().unwrap();
    let text = err.to_string();
    assert!(
        text.contains("nothing was written") || text.contains("whether it was written"),
        "{text}"
    );
    cluster.resume();
    let server = store::load(Path::new(&url)).unwrap();
    let now = server.cases.iter().find(|c| c.id == kid).unwrap();
    let events = server
        .case_events
        .iter()
        .filter(|e| e.case_id == kid)
        .count();
    let events_before = seat
        .dataset
        .case_events
        .iter()
        .filter(|e| e.case_id == kid)
        .count();
    // Either the row and its history entry both changed, or neither did.
    assert_eq!(
        now == &before,
        events == events_before,
        "half a step was written"
    );
    assert_eq!(now, &before, "the server was halted before the commit");
}

#[test]
fn bench_seats_loses_no_update() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "bench");
    let (code, json, err) = common::gridatlas(&[
        "bench",
        "seats",
        "--url",
        &url,
        "--seats",
        "4",
        "--seconds",
        "2",
    ]);
    assert_eq!(code, 0, "{err} {json}");
    assert_eq!(json["lost_updates"], 0, "{json}");
    assert!(json["steps_committed"].as_u64().unwrap() > 0, "{json}");
    assert!(json["propagation_samples"].as_u64().unwrap() > 0, "{json}");
}

#[test]
fn another_program_writing_the_server_is_neither_overwritten_nor_resurrected() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "others");
    let mut seat = Document::open(PathBuf::from(&url)).unwrap();
    let mut desk = desk_for(&seat, "值班员");
    let (x, y) = (steppable(&seat.dataset, 0), steppable(&seat.dataset, 1));
    let (x_id, y_id) = (seat.dataset.cases[x].id.0, seat.dataset.cases[y].id.0);
    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // Meanwhile QGIS (or psql) retitles one case, deletes another, and adds a case of its own
    // with the next free id.
    other
        .execute(
            "UPDATE cases SET title = 'QGIS 改的标题' WHERE id = $1",
            &[&x_id],
        )
        .unwrap();
    other
        .execute("DELETE FROM cases WHERE id = $1", &[&y_id])
        .unwrap();
    let theirs: i64 = other
        .query_one(
            "INSERT INTO cases (id, geom, code, category, title, description, status, level, reporter, reported_at, unit_id)
             SELECT (SELECT max(id) + 1 FROM cases), geom, code || '-Q', category, 'QGIS 新增', '', 'reported', 5, '', reported_at, unit_id
               FROM cases WHERE id = $1
             RETURNING id",
            &[&x_id],
        )
        .unwrap()
        .get(0);

    // The seat's step on the retitled case is refused: the title is not reverted.
    let e = step(&mut seat, &mut desk, x).unwrap_err().to_string();
    assert!(e.contains("已被"), "{e}");
    // Its step on the deleted case is refused: the case does not come back.
    let e = step(&mut seat, &mut desk, y).unwrap_err().to_string();
    assert!(e.contains("deleted"), "{e}");
    // Its new case takes an id past the other program's row, which stays as it was written.
    let p = seat.dataset.households[1].location;
    let unit = seat.index.micro_grid_at(p.0);
    let (as_of, tz) = (seat.dataset.meta.as_of, seat.dataset.meta.time_zone.clone());
    let (target, _) = seat.target();
    let ours = gridatlas::ledger::write_new_case(
        target,
        gridatlas::cases::NewCase {
            category: gridatlas::model::CategoryCode { major: 6, minor: 2 },
            title: "座席上报".into(),
            description: String::new(),
            reporter: String::new(),
            location: p,
            unit,
            reported_at: as_of,
        },
        "值班员",
        &tz,
    )
    .unwrap();
    assert!(ours.cases[0].id.0 > theirs);

    let server = store::load(Path::new(&url)).unwrap();
    let find = |id: i64| server.cases.iter().find(|c| c.id.0 == id);
    assert_eq!(find(x_id).unwrap().title, "QGIS 改的标题");
    assert!(find(y_id).is_none(), "the deleted case came back");
    assert_eq!(find(theirs).unwrap().title, "QGIS 新增");
    assert_eq!(find(ours.cases[0].id.0).unwrap().title, "座席上报");
    // And the seat follows: a deletion cannot be applied in place, so the window reloads (as
    // it does for a file), and the reloaded document shows what the other program left.
    let started = Instant::now();
    let applied = loop {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the other program's commits never arrived"
        );
        let changes = seat.others_changes().unwrap();
        if !changes.is_empty() {
            assert_eq!(changes.deleted_cases, vec![gridatlas::model::CaseId(y_id)]);
            break seat.apply(&changes, None, desk.now);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(applied.needs_reload);
    let reloaded = Document::open(PathBuf::from(&url)).unwrap();
    assert!(
        reloaded
            .dataset
            .cases
            .iter()
            .any(|c| c.id.0 == x_id && c.title == "QGIS 改的标题")
    );
    assert!(reloaded.dataset.cases.iter().all(|c| c.id.0 != y_id));
}

#[test]
fn a_new_case_never_takes_the_id_of_one_another_program_deleted_leaving_its_history() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "orphans");
    let mut seat = Document::open(PathBuf::from(&url)).unwrap();
    // psql deletes the newest case and leaves its history (the server has no foreign keys).
    let last = seat.dataset.cases.iter().map(|c| c.id.0).max().unwrap();
    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let left: i64 = other
        .query_one(
            "SELECT count(*) FROM case_events WHERE case_id = $1",
            &[&last],
        )
        .unwrap()
        .get(0);
    assert!(left > 0, "the deleted case had a history");
    other
        .execute("DELETE FROM cases WHERE id = $1", &[&last])
        .unwrap();
    // The seat reports a new case.
    let p = seat.dataset.households[1].location;
    let unit = seat.index.micro_grid_at(p.0);
    let (as_of, tz) = (seat.dataset.meta.as_of, seat.dataset.meta.time_zone.clone());
    let (target, _) = seat.target();
    let ours = gridatlas::ledger::write_new_case(
        target,
        gridatlas::cases::NewCase {
            category: gridatlas::model::CategoryCode { major: 6, minor: 2 },
            title: "座席上报".into(),
            description: String::new(),
            reporter: String::new(),
            location: p,
            unit,
            reported_at: as_of,
        },
        "值班员",
        &tz,
    )
    .unwrap();
    let new_id = ours.cases[0].id.0;
    assert!(
        new_id > last,
        "the new case took the deleted case's id {last}"
    );
    // Reloaded, the new case's history is its own: the deleted case's entries stay orphans.
    let reloaded = store::load(Path::new(&url)).unwrap();
    let history: Vec<_> = reloaded
        .case_events
        .iter()
        .filter(|e| e.case_id.0 == new_id)
        .collect();
    assert_eq!(history.len(), ours.events.len(), "{history:?}");
    assert!(reloaded.cases.iter().all(|c| c.id.0 != last));
}
