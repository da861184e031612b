//! Trust in damaged or surprising files (issue #11): an interrupted checkpoint is not called a
//! truncation, a parent cycle is refused at open instead of hanging, SQLite's own integrity
//! check is part of `check` and writes refuse a damaged file (a window's open does not wait for
//! that check, its first write does), and a point outside the net is a finding.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use common::{document, gridatlas};

use std::path::Path;
use std::process::Command;

use gridatlas::store::{self, StoreError};
use rusqlite::{Connection, params};

/// A kill during the WAL checkpoint: page 1, with the grown page count, already reached the
/// file, the rest of the growth is still only in the WAL. SQLite reads it fine; so must we.
#[test]
fn a_checkpoint_cut_short_is_not_a_truncated_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let writer = common::other_writer(&path);
    writer
        .execute_batch(
            "PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE filler (x BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO filler SELECT randomblob(1000) FROM n;",
        )
        .unwrap();
    let pages: u32 = writer
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let file_pages = std::fs::metadata(&path).unwrap().len() / 4096;
    assert!(u64::from(pages) > file_pages, "the growth is in the WAL");
    // Page 1 as the checkpoint writes it first: the new page count, valid for this change.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[28..32].copy_from_slice(&pages.to_be_bytes());
    let counter: [u8; 4] = bytes[24..28].try_into().unwrap();
    bytes[92..96].copy_from_slice(&counter);
    std::fs::write(&path, &bytes).unwrap();
    // The process dies here: no checkpoint on close.
    std::mem::forget(writer);

    let d = store::load(&path).expect("SQLite reads it from the WAL");
    assert_eq!(d.households.len(), 5000);
    let (code, info, err) = gridatlas(&["info", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(info["tables"]["households"], 5000);
}

#[test]
fn a_parent_cycle_is_refused_at_open_with_the_unit_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let conn = common::other_writer(&path);
    // A township whose parent is one of its own villages.
    let (township, village): (i64, i64) = conn
        .query_row(
            "SELECT t.id, v.id FROM units t JOIN units v ON v.parent_id = t.id WHERE t.level = 2 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE units SET parent_id = ?1 WHERE id = ?2",
        params![village, township],
    )
    .unwrap();
    drop(conn);
    let err = store::load(&path).unwrap_err().to_string();
    assert!(err.contains(&format!("units row id {township}")), "{err}");
    // The commands end (no endless walk up the tree), with one line, exit 2, nothing written.
    let before = std::fs::read(&path).unwrap();
    for args in [
        vec![
            "stats",
            path.to_str().unwrap(),
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-01",
        ],
        vec!["check", path.to_str().unwrap()],
        vec!["assign", path.to_str().unwrap()],
    ] {
        let (code, _, err) = gridatlas(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(&format!("units row id {township}")), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_unit_whose_parent_is_not_one_level_up_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let conn = common::other_writer(&path);
    let village: i64 = conn
        .query_row("SELECT id FROM units WHERE level = 3 LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    conn.execute(
        "UPDATE units SET parent_id = (SELECT id FROM units WHERE level = 1) WHERE id = ?1",
        [village],
    )
    .unwrap();
    drop(conn);
    let err = store::load(&path).unwrap_err().to_string();
    assert!(err.contains(&format!("units row id {village}")), "{err}");
    assert!(err.contains("one level up"), "{err}");
}

/// Overwrites the middle of an index's root page: SQLite then finds rows missing from it.
fn damage_an_index(path: &Path) {
    let conn = common::other_writer(path);
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'cases_status'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let mut bytes = std::fs::read(path).unwrap();
    let start = usize::try_from(root - 1).unwrap() * 4096;
    for b in &mut bytes[start + 1200..start + 3000] {
        *b = 0x5A;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn check_runs_sqlite_integrity_and_writes_refuse_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    damage_an_index(&path);
    let problems = store::integrity_problems(&path).unwrap();
    assert!(!problems.is_empty(), "SQLite sees the damage");

    let (code, report, err) = gridatlas(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule"] == "sqlite_integrity"),
        "{report}"
    );

    // Writing commands refuse, naming the damage, and leave the file as it was.
    let before = std::fs::read(&path).unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        "category,title,reported_at,longitude,latitude\n06.02,路灯,2026-10-01,113.9,28.2\n",
    )
    .unwrap();
    let (code, _, err) = gridatlas(&[
        "import-cases",
        path.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("damaged"), "{err}");
    let (code, _, err) = gridatlas(&["assign", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("damaged"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(matches!(
        store::update_assignments(&path, &[], &[]),
        Err(StoreError::Corrupt { .. })
    ));
}

/// The window does not wait for SQLite's integrity check before showing a document (it reads
/// the whole file: 6 s on a city); it starts it beside the window. A write still waits for the
/// verdict, and a damaged file is still not written.
#[test]
fn a_window_opens_before_the_integrity_check_and_its_first_write_still_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    damage_an_index(&path);
    let doc = gridatlas::app::Document::open(path.clone()).unwrap();
    assert!(!doc.dataset.households.is_empty(), "the document is shown");
    let before = std::fs::read(&path).unwrap();
    // The first write takes the background check's verdict; the next asks SQLite again.
    for _ in 0..2 {
        assert!(matches!(
            store::update_assignments(&path, &[], &[]),
            Err(StoreError::Corrupt { .. })
        ));
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");

    // A sound file: the check started at open is what the first write finds.
    let sound = dir.path().join("sound");
    std::fs::create_dir(&sound).unwrap();
    let path = document(&sound);
    let doc = gridatlas::app::Document::open(path.clone()).unwrap();
    store::wait_for_soundness_check(&path);
    store::update_assignments(&path, &[], &[]).unwrap();
    drop(doc);
}

#[test]
fn a_window_on_a_damaged_file_says_so_before_any_write_is_tried() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    damage_an_index(&path);
    let mut h = common::window(common::app_on_file(&path));
    store::wait_for_soundness_check(&path);
    // The banner comes with the next look for other writers' commits (every 250 ms).
    for _ in 0..40 {
        h.run_steps(1);
        if h.state().workspace().unwrap().doc.damage().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    h.run_steps(1);
    h.get_by_label_contains("SQLite 报告文件已损坏");
    assert!(h.state().workspace().unwrap().doc.damage().is_some());

    // A sound file shows no such banner once its check is done.
    let sound = dir.path().join("sound");
    std::fs::create_dir(&sound).unwrap();
    let path = document(&sound);
    let mut h = common::window(common::app_on_file(&path));
    store::wait_for_soundness_check(&path);
    std::thread::sleep(std::time::Duration::from_millis(300));
    h.run_steps(2);
    assert!(h.query_by_label_contains("SQLite 报告文件已损坏").is_none());
    assert!(h.state().workspace().unwrap().doc.damage().is_none());
}

#[test]
fn a_household_outside_the_county_is_a_check_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let blob = store::encode_point(geo_types::Point::new(120.0, 30.0)).unwrap();
    common::other_writer(&path)
        .execute(
            "UPDATE households SET geom = ?1, unit_id = NULL WHERE id = 7",
            params![blob],
        )
        .unwrap();
    let (code, report, err) = gridatlas(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let found = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["rule"] == "in_micro_grid" && v["table"] == "households" && v["id"] == 7);
    assert!(found, "{report}");
}

#[test]
fn stale_partial_files_of_killed_writes_are_removed_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.gpkg");
    // What killed runs leave: a partial file and its journal, of processes long gone…
    let stale = dir.path().join(".doc.gpkg.partial-999999");
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    std::fs::write(dir.path().join(".doc.gpkg.partial-999999-journal"), b"x").unwrap();
    // …and a partial file of another document, which is not ours to remove.
    let other = dir.path().join(".other.gpkg.partial-999999");
    std::fs::write(&other, b"x").unwrap();
    let (code, _, err) = gridatlas(&[
        "demo",
        "--out",
        path.to_str().unwrap(),
        "--scale",
        "township",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!stale.exists());
    assert!(!dir.path().join(".doc.gpkg.partial-999999-journal").exists());
    assert!(other.exists());
}

#[test]
fn an_error_is_said_once_and_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "category,title\n").unwrap();
    let (code, _, err) = gridatlas(&[
        "import-cases",
        path.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("missing column").count(), 1, "{err}");
    assert_eq!(err.matches("nothing was imported").count(), 1, "{err}");
    let (code, _, err) = gridatlas(&["info", dir.path().join("none.gpkg").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");

    // `gridatlas stats … | head -c 10`: the reader stops early.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args([
            "stats",
            path.to_str().unwrap(),
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-01",
            "--level",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tags_typed_in_chinese_in_qgis_do_not_make_the_document_unopenable() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    common::other_writer(&path)
        .execute(
            "UPDATE households SET tags = '低保户，独居老人' WHERE id = 3",
            [],
        )
        .unwrap();
    let d = store::load(&path).unwrap();
    let h = d.households.iter().find(|h| h.id.0 == 3).unwrap();
    assert_eq!(h.tags.encode(), "low_income,elderly_alone");
}

#[test]
fn imports_refuse_points_outside_the_net_long_texts_and_doubled_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let before = std::fs::read(&path).unwrap();
    let d = store::load(&path).unwrap();
    let p = d.households[0].location;
    let inside = format!("{},{}", p.x(), p.y());
    let cases: [(&str, String, &str); 3] = [
        (
            "paris.csv",
            format!(
                "category,title,reported_at,longitude,latitude\n06.02,路灯,2026-10-01,{inside}\n06.02,巴黎,2026-10-01,2.35,48.85\n"
            ),
            "paris.csv line 3: longitude/latitude (2.350000, 48.850000) lies outside every micro-grid",
        ),
        (
            "long.csv",
            format!(
                "category,title,reported_at,longitude,latitude\n06.02,{},2026-10-01,{inside}\n",
                "长".repeat(5000)
            ),
            "long.csv line 2: title is 5000 characters long; at most 200",
        ),
        (
            "twice.csv",
            format!(
                "category,title,reported_at,longitude,latitude,title\n06.02,a,2026-10-01,{inside},b\n"
            ),
            "twice.csv line 1: column title appears 2 times (columns 2, 6)",
        ),
    ];
    for (name, text, expected) in cases {
        let csv = dir.path().join(name);
        std::fs::write(&csv, text).unwrap();
        let (code, _, err) = gridatlas(&[
            "import-cases",
            path.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--datum",
            "wgs84",
        ]);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains(expected), "{name}: {err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
}

#[test]
fn a_read_only_file_is_not_written_even_by_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = gridatlas(&["assign", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Reading commands still work.
    let (code, _, err) = gridatlas(&["info", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The window opens it (read-only); its writes are refused with the same message.
    let doc = gridatlas::app::Document::open(path.clone()).unwrap();
    assert_eq!(doc.dataset.households.len(), 5000);
}

/// In a folder that may not be written (an archive, a read-only share), SQLite cannot create its
/// WAL index beside the file: reading commands and the window still read it — creating nothing
/// there — and writing commands say why they cannot write.
#[test]
fn a_document_in_a_read_only_folder_is_read_and_not_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("archive");
    std::fs::create_dir(&folder).unwrap();
    let path = document(&folder);
    let before = std::fs::read(&path).unwrap();
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(listing(), ["doc.gpkg"]);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let file = path.to_str().unwrap();
    for args in [
        vec!["info", file],
        vec!["check", file],
        vec!["stats", file, "--from", "2026-10-01", "--to", "2026-11-01"],
    ] {
        let (code, _, err) = gridatlas(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let doc = gridatlas::app::Document::open(path.clone()).unwrap();
    assert_eq!(doc.dataset.households.len(), 5000);
    drop(doc);
    let (code, _, err) = gridatlas(&["assign", file]);
    assert_eq!(code, 2);
    assert!(err.contains("folder is read-only"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        listing(),
        ["doc.gpkg"],
        "nothing was created beside the file"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Replaces a unit's outline in the file, as a careless edit in QGIS would.
fn set_outline(path: &Path, id: i64, mp: &geo_types::MultiPolygon<f64>) {
    let blob = store::encode_multipolygon(mp).unwrap();
    common::other_writer(path)
        .execute(
            "UPDATE units SET geom = ?1 WHERE id = ?2",
            params![blob, id],
        )
        .unwrap();
}

#[test]
fn writing_commands_refuse_a_document_with_a_broken_outline() {
    use geo::BoundingRect;
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    let d = store::load(&path).unwrap();
    let micro = d
        .units
        .iter()
        .find(|u| u.level == gridatlas::model::Level::MicroGrid)
        .unwrap()
        .clone();
    let r = micro.geometry.bounding_rect().unwrap();
    // A bowtie: the ring crosses itself.
    let bowtie = geo_types::MultiPolygon::new(vec![geo_types::Polygon::new(
        geo_types::LineString::from(vec![
            (r.min().x, r.min().y),
            (r.max().x, r.max().y),
            (r.max().x, r.min().y),
            (r.min().x, r.max().y),
            (r.min().x, r.min().y),
        ]),
        vec![],
    )]);
    set_outline(&path, micro.id.0, &bowtie);
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = gridatlas(&["assign", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&micro.code) && err.contains("invalid outline"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // A vertex thrown 3,000 km away (a valid but absurd outline).
    set_outline(&path, micro.id.0, &micro.geometry);
    let mut thrown = micro.geometry.clone();
    thrown.0[0].exterior_mut(|ring| ring.0[1].x += 30.0);
    set_outline(&path, micro.id.0, &thrown);
    let csv = dir.path().join("c.csv");
    let p = d.households[0].location;
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n06.02,路灯,2026-10-01,{},{}\n",
            p.x(),
            p.y()
        ),
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = gridatlas(&[
        "import-cases",
        path.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&micro.code), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // The window opens it, names the unit in a banner, and refuses every write…
    let app = common::app_on_file(&path);
    let mut h = common::window(app);
    h.run_steps(2);
    use egui_kittest::kittest::Queryable;
    let banner = format!("文档有无效的边界，已停止写入——微网格 {}", micro.code);
    assert!(h.query_by_label_contains(&banner).is_some(), "{banner}");
    let case = h.state().workspace().unwrap().doc.dataset.cases[0].id;
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        ws.push(gridatlas::app::Action::CaseStep(
            case,
            gridatlas::app::CaseRequest::Escalate {
                note: "测试".into(),
            },
        ));
        ws.push(gridatlas::app::Action::Command(
            gridatlas::ui::Command::Planning,
        ));
    }
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    assert!(!ws.planning.on, "boundary editing does not start");
    assert!(matches!(
        ws.desk.message,
        Some(gridatlas::app::DeskMessage::Refused(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // …until QGIS puts the outline right: the window reloads and writes again.
    set_outline(&path, micro.id.0, &micro.geometry);
    for _ in 0..100 {
        h.run_steps(1);
        if h.state().workspace().unwrap().doc.unfit.is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    assert!(h.state().workspace().unwrap().doc.unfit.is_none());
    assert!(h.query_by_label_contains("文档有无效的边界").is_none());
}

#[test]
fn an_unknown_tag_is_a_check_finding_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = document(dir.path());
    common::other_writer(&path)
        .execute(
            "UPDATE households SET tags = 'low_income,重点关注' WHERE id = 9",
            [],
        )
        .unwrap();
    let d = store::load(&path).expect("the document opens");
    let h = d.households.iter().find(|h| h.id.0 == 9).unwrap();
    assert_eq!(h.tags.encode(), "low_income");
    assert_eq!(h.unknown_tags, vec!["重点关注".to_owned()]);
    let (code, report, err) = gridatlas(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule"] == "known_tags" && v["id"] == 9),
        "{report}"
    );
    // Written back as it was when the whole document is written again.
    let copy = dir.path().join("copy.gpkg");
    store::create(&copy, &d, false).unwrap();
    let tags: String = Connection::open(&copy)
        .unwrap()
        .query_row("SELECT tags FROM households WHERE id = 9", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tags, "low_income,重点关注");
}
