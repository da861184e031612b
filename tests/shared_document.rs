//! The document is shared: QGIS, sqlite3, the command line and a second window write it while
//! the window has it open. Here the other writer is a second SQLite connection doing what those
//! programs do; every loss the app-core issue lists must be refused or merged, never silent,
//! and the window must pick up the other writer's commits.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use common::{document, other_writer};

use std::path::{Path, PathBuf};
use std::time::Duration;

use gridatlas::app::{CaseDesk, Document};
use gridatlas::model::CaseStatus;
use gridatlas::store::{self, StoreError};
use rusqlite::params;

/// The first case an operator can take a plain step on (one needing no note or handler).
fn open_case(doc: &Document) -> usize {
    doc.dataset
        .cases
        .iter()
        .position(|c| next_status(c.status).is_some())
        .expect("the demo has open cases")
}

use common::next_status;

/// The window's path for a step: written (if still as read), then applied.
fn step(doc: &mut Document, desk: &mut CaseDesk, i: usize) -> Result<(), String> {
    common::step(doc, desk, i).map_err(|e| e.to_string())
}

fn title_in_file(path: &Path, id: i64) -> Option<String> {
    other_writer(path)
        .query_row("SELECT title FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .ok()
}

#[test]
fn a_title_changed_in_qgis_is_not_reverted_by_a_step_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let mut doc = Document::open(path.clone()).unwrap();
    let mut desk = CaseDesk::new(&doc.dataset);
    let i = open_case(&doc);
    let id = doc.dataset.cases[i].id.0;
    let status_before = doc.dataset.cases[i].status;

    other_writer(&path)
        .execute(
            "UPDATE cases SET title = '路灯不亮（QGIS 修改）' WHERE id = ?1",
            [id],
        )
        .unwrap();
    // The window still shows the old title; its step is refused, naming what changed.
    let refused = step(&mut doc, &mut desk, i).unwrap_err();
    assert!(refused.contains("changed by another program"), "{refused}");
    assert!(refused.contains("title"), "{refused}");
    assert_eq!(
        title_in_file(&path, id).as_deref(),
        Some("路灯不亮（QGIS 修改）")
    );

    // The fresh row arrives through the change log; the step then goes through and the title
    // QGIS wrote stays.
    let changes = doc.others_changes().unwrap();
    assert_eq!(changes.cases.len(), 1);
    doc.apply(&changes, None, desk.now);
    assert_eq!(doc.dataset.cases[i].title, "路灯不亮（QGIS 修改）");
    step(&mut doc, &mut desk, i).unwrap();
    assert_eq!(
        title_in_file(&path, id).as_deref(),
        Some("路灯不亮（QGIS 修改）")
    );
    let reloaded = store::load(&path).unwrap();
    assert_ne!(reloaded.cases[i].status, status_before);
    assert_eq!(reloaded.cases[i], doc.dataset.cases[i]);
}

#[test]
fn a_case_deleted_in_qgis_does_not_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let mut doc = Document::open(path.clone()).unwrap();
    let mut desk = CaseDesk::new(&doc.dataset);
    let i = open_case(&doc);
    let id = doc.dataset.cases[i].id.0;
    let other = other_writer(&path);
    other
        .execute("DELETE FROM case_events WHERE case_id = ?1", [id])
        .unwrap();
    other
        .execute("DELETE FROM cases WHERE id = ?1", [id])
        .unwrap();

    let refused = step(&mut doc, &mut desk, i).unwrap_err();
    assert!(refused.contains("deleted by another program"), "{refused}");
    assert_eq!(title_in_file(&path, id), None);
    // The window learns of the deletion and must reload (rows would shift).
    let changes = doc.others_changes().unwrap();
    assert!(changes.deleted_cases.iter().any(|c| c.0 == id));
    assert!(doc.apply(&changes, None, desk.now).needs_reload);
}

#[test]
fn rows_another_program_inserted_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let mut doc = Document::open(path.clone()).unwrap();
    let mut desk = CaseDesk::new(&doc.dataset);
    let next_case = doc.dataset.cases.iter().map(|c| c.id.0).max().unwrap() + 1;
    let next_event = doc
        .dataset
        .case_events
        .iter()
        .map(|e| e.id.0)
        .max()
        .unwrap()
        + 1;
    // Another program takes the ids the window would have taken from memory.
    let other = other_writer(&path);
    let blob: Vec<u8> = other
        .query_row("SELECT geom FROM cases LIMIT 1", [], |r| r.get(0))
        .unwrap();
    other
        .execute(
            "INSERT INTO cases (id, geom, code, category, title, status, level, reported_at, unit_id)
             SELECT ?1, ?2, 'QGIS-1', '06.02', '别人新增的事件', 'reported', 5, '2026-11-01T00:00:00Z', unit_id
             FROM cases LIMIT 1",
            params![next_case, blob],
        )
        .unwrap();
    other
        .execute(
            "INSERT INTO case_events (id, case_id, at, action, to_status, from_level, to_level)
             VALUES (?1, ?2, '2026-11-01T00:00:00Z', 'transition', 'reported', 5, 5)",
            params![next_event, next_case],
        )
        .unwrap();

    // The window reports a case and takes a step on another one: both take fresh ids.
    let p = doc.dataset.households[0].location;
    desk.draft = Some(gridatlas::app::CaseDraft {
        location: p,
        unit: doc.index.micro_grid_at(p.0),
        category: gridatlas::model::CategoryCode::parse("06.02").unwrap(),
        title: "窗口上报".into(),
        description: String::new(),
        reporter: String::new(),
    });
    let written = desk
        .submit_draft(gridatlas::store::Target::File(&path))
        .unwrap();
    assert_eq!(written.cases[0].id.0, next_case + 1);
    assert_eq!(written.events[0].id.0, next_event + 1);
    assert!(
        written.cases[0]
            .code
            .ends_with(&(next_case + 1).to_string())
    );
    let log = written.log;
    doc.apply(&written.into(), Some(log), desk.now);
    let changed = doc.take_changed_cases();
    desk.cases_changed(&doc.dataset, &changed);
    let i = open_case(&doc);
    step(&mut doc, &mut desk, i).unwrap();

    assert_eq!(
        title_in_file(&path, next_case).as_deref(),
        Some("别人新增的事件")
    );
    assert_eq!(
        title_in_file(&path, next_case + 1).as_deref(),
        Some("窗口上报")
    );
    let events: i64 = other
        .query_row(
            "SELECT count(*) FROM case_events WHERE id = ?1 AND case_id = ?2",
            params![next_event, next_case],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 1);
    // The other program's case reaches the window through the change log.
    let changes = doc.others_changes().unwrap();
    doc.apply(&changes, None, desk.now);
    assert!(doc.dataset.cases.iter().any(|c| c.id.0 == next_case));
    assert_eq!(
        doc.dataset.cases.len(),
        store::load(&path).unwrap().cases.len()
    );
}

fn csv_of(dir: &Path, name: &str, rows: usize, doc: &Document) -> PathBuf {
    let mut text = String::from("category,title,reported_at,longitude,latitude\n");
    for (k, h) in doc.dataset.households.iter().take(rows).enumerate() {
        text.push_str(&format!(
            "06.02,{name} {k},2026-10-20,{},{}\n",
            h.location.x(),
            h.location.y()
        ));
    }
    let csv = dir.join(format!("{name}.csv"));
    std::fs::write(&csv, text).unwrap();
    csv
}

#[test]
fn two_imports_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let doc = Document::open(path.clone()).unwrap();
    let before = doc.dataset.cases.len();
    let a = csv_of(dir.path(), "a", 200, &doc);
    let b = csv_of(dir.path(), "b", 300, &doc);
    // Both importers read the same snapshot, so both would take the same ids from memory.
    let runs: Vec<_> = [a, b]
        .into_iter()
        .map(|csv| {
            let path = path.clone();
            let index = gridatlas::index::SpatialIndex::build(&doc.dataset);
            std::thread::spawn(move || {
                gridatlas::ledger::import_cases(
                    gridatlas::store::Target::File(&path),
                    &index,
                    &csv,
                    store::CoordinateDatum::Wgs84,
                    "导入",
                    &gridatlas::model::TimeZone::beijing(),
                )
                .map(|w| w.cases.len())
                .map_err(|e| e.to_string())
            })
        })
        .collect();
    let imported: Vec<usize> = runs
        .into_iter()
        .map(|r| r.join().unwrap().unwrap())
        .collect();
    assert_eq!(imported, vec![200, 300]);
    let after = store::load(&path).unwrap();
    assert_eq!(after.cases.len(), before + 500);
    let mut ids: Vec<i64> = after.cases.iter().map(|c| c.id.0).collect();
    ids.dedup();
    assert_eq!(ids.len(), after.cases.len());
}

#[test]
fn assign_does_not_overwrite_a_unit_another_writer_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let d = store::load(&path).unwrap();
    let h = &d.households[10];
    let other_unit = d
        .units
        .iter()
        .find(|u| u.level == gridatlas::model::Level::MicroGrid && Some(u.id) != h.unit)
        .unwrap()
        .id;
    // While `assign` computes, another program moves the household to another micro-grid.
    other_writer(&path)
        .execute(
            "UPDATE households SET unit_id = ?1 WHERE id = ?2",
            params![other_unit.0, h.id.0],
        )
        .unwrap();
    let err = store::update_assignments(&path, &[(h.id, h.unit, None)], &[]).unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("households row id {}", h.id.0))
    );
    let unit: i64 = other_writer(&path)
        .query_row(
            "SELECT unit_id FROM households WHERE id = ?1",
            [h.id.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unit, other_unit.0);
}

#[test]
fn a_load_during_an_import_sees_a_consistent_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let doc = Document::open(path.clone()).unwrap();
    let csvs: Vec<PathBuf> = (0..12)
        .map(|k| csv_of(dir.path(), &format!("batch{k}"), 50, &doc))
        .collect();
    let index = gridatlas::index::SpatialIndex::build(&doc.dataset);
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            for csv in csvs {
                gridatlas::ledger::import_cases(
                    gridatlas::store::Target::File(&path),
                    &index,
                    &csv,
                    store::CoordinateDatum::Wgs84,
                    "导入",
                    &gridatlas::model::TimeZone::beijing(),
                )
                .unwrap();
            }
        })
    };
    // Every load, whenever it runs, is a whole state: each case with its creating event.
    while !writer.is_finished() {
        let d = store::load(&path).unwrap();
        assert!(d.case_events.len() >= d.cases.len());
    }
    writer.join().unwrap();
    assert_eq!(
        store::load(&path).unwrap().cases.len(),
        doc.dataset.cases.len() + 600
    );
}

#[test]
fn the_window_shows_another_writers_commit_within_a_second() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let ws = h.state().workspace().unwrap();
    let i = open_case(&ws.doc);
    let id = ws.doc.dataset.cases[i].id.0;
    let open_before = ws.doc.totals.open_cases;
    let code = ws.doc.dataset.cases[i].code.clone();

    // Another program (sqlite3, QGIS) rejects the case.
    other_writer(&path)
        .execute(
            "UPDATE cases SET status = 'rejected', title = '重复上报' WHERE id = ?1",
            [id],
        )
        .unwrap();
    let started = std::time::Instant::now();
    while h.state().workspace().unwrap().doc.dataset.cases[i].status != CaseStatus::Rejected {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the window never picked up the commit"
        );
        std::thread::sleep(Duration::from_millis(100));
        h.run_steps(1);
    }
    let ws = h.state().workspace().unwrap();
    assert_eq!(ws.doc.dataset.cases[i].title, "重复上报");
    // What is derived follows without anyone invalidating it by hand.
    assert_eq!(ws.doc.totals.open_cases, open_before - 1);
    assert!(ws.others_applied >= 1);
    let p = ws.doc.dataset.households[3].location;
    let count = ws.doc.dataset.cases.len();
    h.run_steps(2);
    // The status bar says so (panics when absent).
    h.get_by_label_contains("已同步其他程序的更改");

    // The command line imports cases: they appear in the window too.
    let csv = dir.path().join("more.csv");
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n06.02,命令行导入,2026-10-30,{},{}\n",
            p.x(),
            p.y()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args(["import-cases", path.to_str().unwrap(), "--csv"])
        .arg(&csv)
        .args(["--datum", "wgs84"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let started = std::time::Instant::now();
    while h.state().workspace().unwrap().doc.dataset.cases.len() == count {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(100));
        h.run_steps(1);
    }
    let ws = h.state().workspace().unwrap();
    assert!(ws.doc.dataset.cases.iter().any(|c| c.title == "命令行导入"));
    // The rejected case still shows as the other program left it.
    assert!(
        ws.doc
            .dataset
            .cases
            .iter()
            .any(|c| c.code == code && c.status == CaseStatus::Rejected)
    );
}

#[test]
fn the_window_reloads_when_another_program_changes_households() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let hid = h.state().workspace().unwrap().doc.dataset.households[5]
        .id
        .0;
    other_writer(&path)
        .execute("UPDATE households SET members = 9 WHERE id = ?1", [hid])
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let ws = h.state().workspace().unwrap();
        let hh = ws.doc.dataset.households.iter().find(|x| x.id.0 == hid);
        if hh.is_some_and(|x| x.members == 9) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the window never reloaded"
        );
        std::thread::sleep(Duration::from_millis(100));
        h.run_steps(1);
    }
}

#[test]
fn an_approval_refuses_when_another_program_moved_a_household_the_plan_moves() {
    use gridatlas::edit::{Editor, neighbouring_siblings};
    use gridatlas::ledger::{PlanSession, approve};
    use gridatlas::model::Level;
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let mut doc = Document::open(path.clone()).unwrap();
    let plan = store::create_plan(&path, "合并", "2026-11-01T00:00:00Z").unwrap();
    let session = PlanSession {
        path: path.clone(),
        plan,
    };
    let mut editor = Editor::default();
    let (a, b) = neighbouring_siblings(&doc.dataset, Level::MicroGrid).unwrap();
    editor
        .merge(&mut doc.dataset, &mut doc.index, a, b)
        .unwrap();
    session
        .keep(&mut doc.dataset, &mut doc.index, &mut editor)
        .unwrap();
    let moved = editor.changes()[0]
        .households
        .first()
        .map(|&(h, _, _)| doc.dataset.households[h].id)
        .expect("the merge moves households");
    let elsewhere = doc
        .dataset
        .units
        .iter()
        .find(|u| u.level == Level::MicroGrid && u.id != a && u.id != b)
        .unwrap()
        .id;
    // Meanwhile a GIS officer moves one of those households in QGIS.
    other_writer(&path)
        .execute(
            "UPDATE households SET unit_id = ?1 WHERE id = ?2",
            params![elsewhere.0, moved.0],
        )
        .unwrap();
    let live_before = store::load(&path).unwrap();
    let units_in_memory = doc.dataset.units.clone();
    let refused = approve(
        &path,
        plan,
        &mut doc.dataset,
        &mut doc.index,
        &mut editor,
        "2026-12-01",
        "2026-11-29T10:00:00Z",
    )
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains(&format!("households row id {}", moved.0)),
        "{refused}"
    );
    // Nothing was written, the plan is still a draft, and memory is the plan as it was.
    assert_eq!(store::load(&path).unwrap(), live_before);
    assert_eq!(store::list_plans(&path).unwrap()[0].status, "draft");
    assert_eq!(doc.dataset.units, units_in_memory);
    assert!(editor.can_undo());
}

#[test]
fn an_approval_does_not_replace_a_unit_another_program_added_meanwhile() {
    use gridatlas::edit::Editor;
    use gridatlas::ledger::{PlanSession, approve};
    use gridatlas::model::Level;
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let mut doc = Document::open(path.clone()).unwrap();
    let plan = store::create_plan(&path, "划出", "2026-11-01T00:00:00Z").unwrap();
    let session = PlanSession {
        path: path.clone(),
        plan,
    };
    let mut editor = Editor::default();
    // Split a grid: the plan creates a unit with the next id.
    let grid = doc
        .dataset
        .units
        .iter()
        .find(|u| u.level == Level::Grid)
        .unwrap()
        .clone();
    let r = geo::BoundingRect::bounding_rect(&grid.geometry).unwrap();
    let (y, w) = ((r.min().y + r.max().y) / 2.0, r.max().x - r.min().x);
    let line = [
        geo_types::Coord {
            x: r.min().x - w * 0.1,
            y,
        },
        geo_types::Coord {
            x: r.max().x + w * 0.1,
            y: y + w * 0.02,
        },
    ];
    editor
        .split(&mut doc.dataset, &mut doc.index, grid.id, &line)
        .unwrap();
    session
        .keep(&mut doc.dataset, &mut doc.index, &mut editor)
        .unwrap();
    let new_id = doc.dataset.units.iter().map(|u| u.id.0).max().unwrap();
    // Meanwhile a GIS officer adds a unit in QGIS; SQLite gives it that same next id.
    other_writer(&path)
        .execute(
            "INSERT INTO units (id, geom, level, parent_id, code, name)
             SELECT ?1, geom, level, parent_id, code || '9', 'QGIS 新增' FROM units WHERE id = ?2",
            params![new_id, grid.id.0],
        )
        .unwrap();
    let refused = approve(
        &path,
        plan,
        &mut doc.dataset,
        &mut doc.index,
        &mut editor,
        "2026-12-01",
        "2026-11-29T10:00:00Z",
    )
    .unwrap_err()
    .to_string();
    assert!(refused.contains(&format!("unit id {new_id}")), "{refused}");
    let name: String = other_writer(&path)
        .query_row("SELECT name FROM units WHERE id = ?1", [new_id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name, "QGIS 新增", "the other program's unit is still there");
}

#[test]
fn a_case_deleted_by_another_program_leaves_the_open_window() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let id = h.state().workspace().unwrap().doc.dataset.cases[0].id.0;
    let other = other_writer(&path);
    other
        .execute("DELETE FROM case_events WHERE case_id = ?1", [id])
        .unwrap();
    other
        .execute("DELETE FROM cases WHERE id = ?1", [id])
        .unwrap();
    let started = std::time::Instant::now();
    while h
        .state()
        .workspace()
        .unwrap()
        .doc
        .dataset
        .cases
        .iter()
        .any(|c| c.id.0 == id)
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the deleted case stayed in the window"
        );
        std::thread::sleep(Duration::from_millis(100));
        h.run_steps(1);
    }
    // Nothing the window does afterwards brings it back.
    h.run_steps(3);
    assert!(
        !store::load(&path)
            .unwrap()
            .cases
            .iter()
            .any(|c| c.id.0 == id)
    );
}
