//! The writes beyond case work on a server document, through the file's own writers (a working
//! copy under the write lock, `store::server::checkout`): plans drafted, refused and approved;
//! household and worker rosters and deadlines; re-assignment; a county's boundaries imported
//! into an empty server document; accounts. Each runs on a file and on the server, and both
//! must end with the same data. Needs a PostgreSQL server with PostGIS (see `common::pg`).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gridatlas::app::Document;
use gridatlas::model::{Dataset, Level};
use gridatlas::store;

use common::pg::{cluster, published};

fn ok(args: &[&str]) -> serde_json::Value {
    let (code, json, err) = common::gridatlas(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    json
}

/// Another program on the document renames a unit (QGIS on the file, psql on the server).
fn rename_elsewhere(location: &Path, id: i64, name: &str) {
    match location.to_str().filter(|l| l.starts_with("postgresql://")) {
        Some(url) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.execute("UPDATE units SET name = $1 WHERE id = $2", &[&name, &id])
                .unwrap();
        }
        None => {
            common::other_writer(location)
                .execute("UPDATE units SET name = ?1 WHERE id = ?2", (name, id))
                .unwrap();
        }
    }
}

/// The same sequence of writes, from the command line, on `location`.
fn the_writes(location: &Path, d: &Dataset, dir: &Path) -> Vec<String> {
    let loc = location.to_str().unwrap();
    let mut said = Vec::new();
    let mut villages = d.units_of_level(Level::Village);
    let (first, second) = (villages.next().unwrap(), villages.next().unwrap());

    // A plan drafted and approved: the village's grids are cut anew.
    ok(&[
        "partition",
        loc,
        "--unit",
        &first.code,
        "--into",
        "grid",
        "--plan",
        "甲",
    ]);
    let approved = ok(&["plan", "approve", loc, "--plan", "甲"]);
    said.push(format!("approved {}", approved["units_written"]));

    // A plan whose base another program changes meanwhile is refused, naming the change, and
    // nothing of it is written.
    ok(&[
        "partition",
        loc,
        "--unit",
        &second.code,
        "--into",
        "grid",
        "--plan",
        "乙",
        "--count",
        "2",
    ]);
    let grid = d
        .units
        .iter()
        .find(|u| u.parent == Some(second.id) && u.level == Level::Grid)
        .unwrap();
    rename_elsewhere(location, grid.id.0, "别人改的名字");
    let before = store::load(location).unwrap();
    let (code, _, err) = common::gridatlas(&["plan", "approve", loc, "--plan", "乙"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("another program"), "{err}");
    assert!(err.contains(&grid.code), "names the unit: {err}");
    assert_eq!(store::load(location).unwrap(), before, "nothing written");
    let plans = store::list_plans(location).unwrap();
    let statuses: Vec<(&str, &str)> = plans
        .iter()
        .map(|p| (p.name.as_str(), p.status.as_str()))
        .collect();
    assert_eq!(statuses, [("甲", "approved"), ("乙", "draft")]);

    // Rosters: a household and a worker added.
    // A household of the last village: the plans above re-code the first two villages' units.
    let h = d.households.last().unwrap();
    let micro = d.units.iter().find(|u| Some(u.id) == h.unit).unwrap();
    let households = dir.join("households.csv");
    std::fs::write(
        &households,
        format!(
            "户编号,地址,户主姓名,联系电话,家庭人数,标签,经度,纬度\nSRV-1,某村,王五,13900000000,2,独居老人,{},{}\n",
            h.location.x(),
            h.location.y()
        ),
    )
    .unwrap();
    let added = ok(&[
        "import",
        "households",
        loc,
        "--from",
        households.to_str().unwrap(),
        "--datum",
        "wgs84",
    ]);
    assert_eq!(added["added"], 1, "{added}");
    let workers = dir.join("workers.csv");
    std::fs::write(
        &workers,
        format!(
            "姓名,联系电话,岗位,所属单元编码,是否党员\n赵六,13700000000,微网格长,{},是\n",
            micro.code
        ),
    )
    .unwrap();
    let added = ok(&[
        "import",
        "workers",
        loc,
        "--from",
        workers.to_str().unwrap(),
    ]);
    said.push(format!(
        "workers added {} changed {}",
        added["added"], added["changed"]
    ));

    // A document's own handling window, and re-assignment (nothing to move).
    ok(&["deadline", loc, "--category", "06.02", "--hours", "48"]);
    let assigned = ok(&["assign", loc]);
    said.push(format!("assign {}", assigned["changed"]));
    said
}

#[test]
fn plans_rosters_and_deadlines_give_the_same_document_on_both_backends() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (file, url) = published(&cluster, dir.path(), "writes");
    let server = PathBuf::from(&url);
    let d = store::load(&file).unwrap();

    let on_file = the_writes(&file, &d, dir.path());
    let on_server = the_writes(&server, &d, dir.path());
    assert_eq!(on_file, on_server);

    let (a, b) = (store::load(&file).unwrap(), store::load(&server).unwrap());
    assert_eq!(a.units, b.units);
    assert_eq!(a.households, b.households);
    assert_eq!(a.workers, b.workers);
    assert_eq!(a.cases, b.cases);
    assert_eq!(a.meta.deadline_hours, b.meta.deadline_hours);
    let (code, _, err) = common::gridatlas(&["check", &url]);
    assert_eq!(code, 0, "{err}");
    let names = |p: &Path| {
        store::list_plans(p)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.status, p.steps))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&file), names(&server));
    assert_eq!(
        store::retired_codes(&file).unwrap(),
        store::retired_codes(&server).unwrap()
    );

    // A snapshot pulled after a plan made new grids is whole (new parents have larger ids
    // than their micro-grids) and passes every check.
    let pulled = dir.path().join("pulled.gpkg");
    ok(&["pull", &url, "--to", pulled.to_str().unwrap()]);
    assert_eq!(store::load(&pulled).unwrap(), b);
    ok(&["check", pulled.to_str().unwrap()]);
    assert_eq!(names(&pulled), names(&server));
}

#[test]
fn accounts_on_a_server_document() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "accounts");
    let server = PathBuf::from(&url);
    let user = |args: &[&str], pass: &str, new: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_gridatlas"));
        c.args(args).env("GRIDATLAS_PASSPHRASE", pass);
        if let Some(n) = new {
            c.env("GRIDATLAS_NEW_PASSPHRASE", n);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let plain = store::load(&server).unwrap();
    // The first admin encrypts every household's and worker's personal data on the server.
    user(
        &["user", "add", &url, "--name", "管理员", "--role", "admin"],
        "admin-pass-1",
        None,
    );
    assert!(store::has_accounts(&server).unwrap());
    user(
        &[
            "user",
            "add",
            &url,
            "--user",
            "管理员",
            "--name",
            "操作员甲",
            "--role",
            "operator",
        ],
        "admin-pass-1",
        Some("operator-pass-1"),
    );
    let names: Vec<String> = store::list_accounts(&server)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["操作员甲", "管理员"]);
    // Without a key the names are sealed; signed in, the operator reads them as they were.
    let sealed = store::load(&server).unwrap();
    assert_ne!(
        sealed.households[0].head_name,
        plain.households[0].head_name
    );
    let session = store::sign_in(
        &server,
        "操作员甲",
        "operator-pass-1",
        gridatlas::model::Timestamp::now(),
    )
    .unwrap();
    let (opened, _) =
        store::server::load_as(&store::server::ServerUrl::parse(&url).unwrap(), &session).unwrap();
    assert_eq!(opened.households, plain.households);
    // Every account change is in the server's audit chain, and the chain holds.
    let (code, _, err) = common::gridatlas(&["audit", &url, "--verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_county_moves_into_an_empty_server_document() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = published(&cluster, dir.path(), "source");
    let geojson = dir.path().join("units.geojson");
    ok(&[
        "export",
        "units",
        source.to_str().unwrap(),
        "--to",
        geojson.to_str().unwrap(),
    ]);
    let d = store::load(&source).unwrap();
    let county = d.units.iter().find(|u| u.level == Level::County).unwrap();
    // An empty document, published, then the boundaries imported into the server.
    let empty = dir.path().join("empty.gpkg");
    ok(&[
        "new",
        empty.to_str().unwrap(),
        "--county-code",
        &county.code,
        "--name",
        &county.name,
    ]);
    let url = cluster.database("moving_in");
    ok(&["publish", empty.to_str().unwrap(), "--to", &url]);
    let imported = ok(&["import", "units", &url, "--from", geojson.to_str().unwrap()]);
    let per_level: u64 = imported["per_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(per_level as usize, d.units.len(), "{imported}");
    ok(&["check", &url]);
    let moved = store::load(Path::new(&url)).unwrap();
    assert_eq!(moved.units.len(), d.units.len());
    for level in Level::ALL {
        let codes = |x: &Dataset| {
            let mut v: Vec<String> = x.units_of_level(level).map(|u| u.code.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(codes(&moved), codes(&d), "{level:?}");
    }
}

#[test]
fn a_seat_follows_a_plan_approved_at_another() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "follow");
    let mut seat = Document::open(PathBuf::from(&url)).unwrap();
    let village = seat
        .dataset
        .units_of_level(Level::Village)
        .next()
        .unwrap()
        .code
        .clone();
    ok(&[
        "partition",
        &url,
        "--unit",
        &village,
        "--into",
        "grid",
        "--plan",
        "丙",
    ]);
    ok(&["plan", "approve", &url, "--plan", "丙"]);
    let server = store::load(Path::new(&url)).unwrap();
    let now = seat.dataset.meta.as_of;
    let started = Instant::now();
    // The seat hears of the approval and takes the new net (applied, or reloaded when the
    // net itself changed, as the window does).
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the approval never reached the seat"
        );
        let changes = seat.others_changes().unwrap();
        if !changes.is_empty() {
            let applied = seat.apply(&changes, None, now);
            if applied.needs_reload {
                seat = Document::open(PathBuf::from(&url)).unwrap();
            }
        }
        if seat.dataset.units == server.units {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(seat.dataset.households, server.households);
}

#[test]
fn another_program_writing_during_an_approval_is_neither_overwritten_nor_resurrected() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, url) = published(&cluster, dir.path(), "meanwhile");
    let d = store::load(Path::new(&url)).unwrap();
    let mut villages = d.units_of_level(Level::Village);
    let (planned, other) = (villages.next().unwrap(), villages.last().unwrap());
    ok(&[
        "partition",
        &url,
        "--unit",
        &planned.code,
        "--into",
        "grid",
        "--plan",
        "丁",
    ]);
    // Rows the plan does not touch: a unit and a household of another village.
    let unit = d
        .units
        .iter()
        .find(|u| u.parent == Some(other.id))
        .unwrap()
        .id
        .0;
    let inside = |h: &gridatlas::model::Household| {
        h.unit.is_some_and(|m| {
            let grid = d.units.iter().find(|u| u.id == m).unwrap().parent;
            d.units.iter().find(|u| Some(u.id) == grid).unwrap().parent == Some(other.id)
        })
    };
    let household = d.households.iter().find(|h| inside(h)).unwrap().id.0;

    // Another program (psql, QGIS) renames that unit over and over and deletes the household
    // while the approval runs: its writes wait on the change log's lock and commit after.
    let approving = std::sync::atomic::AtomicBool::new(true);
    let (names, during) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let (mut k, mut during) = (0, 0);
            let mut deleted = false;
            loop {
                let busy = approving.load(std::sync::atomic::Ordering::SeqCst);
                k += 1;
                c.execute(
                    "UPDATE units SET name = $1 WHERE id = $2",
                    &[&format!("别人改的名字{k}"), &unit],
                )
                .unwrap();
                if busy {
                    during += 1;
                    if during == 3 && !deleted {
                        c.execute("DELETE FROM households WHERE id = $1", &[&household])
                            .unwrap();
                        deleted = true;
                    }
                } else if k > 3 {
                    assert!(deleted, "the delete went in while the approval ran");
                    return (k, during);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let approved = ok(&["plan", "approve", &url, "--plan", "丁"]);
        approving.store(false, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(approved["status"], "approved", "{approved}");
        writer.join().unwrap()
    });
    assert!(during > 0, "the other program wrote while the approval ran");
    let after = store::load(Path::new(&url)).unwrap();
    // The other program's last name stands; its deleted household did not come back.
    let kept = after.units.iter().find(|u| u.id.0 == unit).unwrap();
    assert_eq!(kept.name, format!("别人改的名字{names}"));
    assert!(after.households.iter().all(|h| h.id.0 != household));
    assert_eq!(after.households.len(), d.households.len() - 1);
    // And the approval is there whole: the planned village's grids are the plan's.
    assert!(
        store::list_plans(Path::new(&url))
            .unwrap()
            .iter()
            .any(|p| p.name == "丁" && p.status == "approved")
    );
    let (code, _, err) = common::gridatlas(&["check", &url]);
    assert_eq!(code, 0, "{err}");
}
