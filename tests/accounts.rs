//! People and privacy (issue #14) on the command line: accounts with Argon2id passphrases,
//! personal data sealed at rest (nothing personal left in the file's bytes, WAL included), the
//! wrong passphrase refused without a change, roles enforced, unmasked exports with a reason,
//! watermarked and logged, and the audit chain finding a changed and a deleted entry.
//! Migration is all or nothing when killed. (GDAL reading an encrypted document:
//! `tests/interop_gdal.rs`.)

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use gridatlas::model::Dataset;

const ADMIN: &str = "管理员甲";
const ADMIN_PASS: &str = "admin passphrase 1";

/// Runs the command line with the given passphrases in the environment.
fn run(
    args: &[&str],
    pass: Option<&str>,
    new_pass: Option<&str>,
) -> (i32, serde_json::Value, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gridatlas"));
    c.args(args)
        .env_remove("GRIDATLAS_PASSPHRASE")
        .env_remove("GRIDATLAS_NEW_PASSPHRASE");
    if let Some(p) = pass {
        c.env("GRIDATLAS_PASSPHRASE", p);
    }
    if let Some(p) = new_pass {
        c.env("GRIDATLAS_NEW_PASSPHRASE", p);
    }
    let out: Output = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Every byte of the document: the file and whatever WAL and shared memory lie beside it.
fn all_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(b) = std::fs::read(&p) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && haystack.windows(n.len()).any(|w| w == n)
}

/// Personal values that identify a household and occur nowhere else in the document (a head's
/// name may also be a worker's, which is not sealed, or part of a place name).
fn distinctive_values(d: &Dataset) -> Vec<String> {
    let elsewhere: Vec<&str> = d
        .workers
        .iter()
        .map(|w| w.name.as_str())
        .chain(d.units.iter().map(|u| u.name.as_str()))
        .chain(d.cases.iter().map(|c| c.reporter.as_str()))
        .collect();
    d.households
        .iter()
        .take(300)
        .flat_map(|h| [h.head_name.clone(), h.phone.clone(), h.address.clone()])
        .filter(|v| v.chars().count() >= 3 && !elsewhere.iter().any(|e| e.contains(v.as_str())))
        .collect()
}

fn with_admin(dir: &Path) -> (std::path::PathBuf, Dataset) {
    let path = common::document(dir);
    let original = gridatlas::store::load(&path).unwrap();
    let (code, out, err) = run(
        &[
            "user",
            "add",
            path.to_str().unwrap(),
            "--name",
            ADMIN,
            "--role",
            "admin",
        ],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out["encrypted"]["households_sealed"].as_u64(),
        Some(original.households.len() as u64)
    );
    (path, original)
}

#[test]
fn the_first_admin_encrypts_the_personal_data_and_only_a_passphrase_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let original = gridatlas::store::load(&path).unwrap();
    let values = distinctive_values(&original);
    assert!(values.len() > 300, "enough distinctive values to look for");
    let before = all_bytes(&path);
    assert!(
        values.iter().all(|v| contains(&before, v)),
        "the plain document holds them"
    );

    let (code, _, err) = run(
        &[
            "user",
            "add",
            path.to_str().unwrap(),
            "--name",
            ADMIN,
            "--role",
            "admin",
        ],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let bytes = all_bytes(&path);
    let left: Vec<&String> = values.iter().filter(|v| contains(&bytes, v)).collect();
    assert!(left.is_empty(), "still in the file's bytes: {left:?}");
    // Workers' phones too.
    assert!(original.workers.iter().all(|w| !contains(&bytes, &w.phone)));

    // What the statistics need stays readable without a key: the same households, members
    // and places; only the personal fields are sealed.
    let locked = gridatlas::store::load(&path).unwrap();
    assert_eq!(locked.households.len(), original.households.len());
    for (a, b) in locked.households.iter().zip(&original.households) {
        assert_eq!(
            (a.code.as_str(), a.members, a.location, a.unit),
            (b.code.as_str(), b.members, b.location, b.unit)
        );
        assert!(gridatlas::model::is_sealed(&a.head_name) || a.head_name.is_empty());
    }
    let (_, info, _) = run(&["info", path.to_str().unwrap()], None, None);
    assert_eq!(
        (info["accounts"].as_u64(), info["personal_cipher"].as_str()),
        (Some(1), Some("AES-256-GCM"))
    );
    // `check` still passes on the locked document (sealed tags are not unknown words).
    let (code, out, err) = run(&["check", path.to_str().unwrap()], None, None);
    assert_eq!(code, 0, "{err} {out}");

    // The admin's passphrase opens everything exactly as it was.
    let signed = gridatlas::store::verify_passphrase(&path, ADMIN, ADMIN_PASS).unwrap();
    let opened = gridatlas::store::load_unlocked(&path, &signed.key).unwrap();
    assert_eq!(opened.households, original.households);
    assert_eq!(opened.workers, original.workers);

    // The wrong passphrase is refused with a clear message and changes nothing.
    let before = all_bytes(&path);
    let (code, _, err) = run(
        &["user", "list", path.to_str().unwrap(), "--user", ADMIN],
        Some("not the passphrase"),
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("wrong passphrase for 管理员甲; nothing was changed"),
        "{err}"
    );
    assert_eq!(all_bytes(&path), before, "a refused sign-in writes nothing");

    // Personal data cannot be exported without signing in.
    let out_csv = dir.path().join("h.csv");
    let (code, _, err) = run(
        &[
            "export",
            "households",
            path.to_str().unwrap(),
            "--to",
            out_csv.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("needs --user NAME"), "{err}");
}

#[test]
fn roles_decide_who_may_export_personal_data_and_every_export_is_logged_and_watermarked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, original) = with_admin(dir.path());
    let file = path.to_str().unwrap();
    for (name, role, pass) in [
        ("操作员乙", "operator", "operator pass 2"),
        ("领导丙", "leader", "leader pass 3"),
    ] {
        let (code, _, err) = run(
            &[
                "user", "add", file, "--name", name, "--role", role, "--user", ADMIN,
            ],
            Some(ADMIN_PASS),
            Some(pass),
        );
        assert_eq!(code, 0, "{err}");
    }
    // Only an admin lists accounts.
    let (code, out, err) = run(
        &["user", "list", file, "--user", ADMIN],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["accounts"].as_array().unwrap().len(), 3);
    let (code, _, err) = run(
        &["user", "list", file, "--user", "领导丙"],
        Some("leader pass 3"),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("may not list accounts"), "{err}");

    // A leader may not take personal data out; nothing is written.
    let out_csv = dir.path().join("full.csv");
    let (code, _, err) = run(
        &[
            "export",
            "households",
            file,
            "--to",
            out_csv.to_str().unwrap(),
            "--unmasked",
            "--reason",
            "走访",
            "--user",
            "领导丙",
        ],
        Some("leader pass 3"),
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("may not export personal data unmasked"),
        "{err}"
    );
    assert!(!out_csv.exists());
    // Without a reason nobody may.
    let (code, _, err) = run(
        &[
            "export",
            "households",
            file,
            "--to",
            out_csv.to_str().unwrap(),
            "--unmasked",
            "--user",
            "操作员乙",
        ],
        Some("operator pass 2"),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--unmasked needs --reason"), "{err}");

    // An operator with a reason: the file holds the data and a watermark line, the log the act.
    let (code, out, err) = run(
        &[
            "export",
            "households",
            file,
            "--to",
            out_csv.to_str().unwrap(),
            "--unmasked",
            "--reason",
            "防汛转移名单",
            "--user",
            "操作员乙",
        ],
        Some("operator pass 2"),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out_csv).unwrap();
    let first_line = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(
        first_line.contains("操作员乙") && first_line.contains("防汛转移名单"),
        "{first_line}"
    );
    assert!(text.contains(&original.households[0].phone));
    assert_eq!(
        out["watermark"].as_str().unwrap().trim(),
        first_line.trim_matches('"')
    );
    // The watermarked roster still imports (the line is a title row above the header) —
    // here as a dry run of an update, which finds nothing changed.
    let (code, out, err) = run(
        &[
            "import",
            "households",
            file,
            "--from",
            out_csv.to_str().unwrap(),
            "--mode",
            "update",
            "--datum",
            "wgs84",
            "--dry-run",
            "--user",
            ADMIN,
        ],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["changed"].as_u64(), Some(0), "{out}");

    let (code, out, err) = run(&["audit", file, "--verify"], None, None);
    assert_eq!(code, 0, "{err}");
    let entries = out["entries"].as_array().unwrap();
    let export = entries
        .iter()
        .find(|e| e["action"] == "export")
        .expect("the export is logged");
    assert_eq!(export["actor"], "操作员乙");
    assert_eq!(export["reason"], "防汛转移名单");
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "sign_in" && e["actor"] == "领导丙")
    );
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "account_add" && e["target"] == "操作员乙")
    );
    assert_eq!(out["verified"], true);

    // Masked exports need no reason, and show no phone in full.
    let masked = dir.path().join("masked.csv");
    let (code, _, err) = run(
        &[
            "export",
            "households",
            file,
            "--to",
            masked.to_str().unwrap(),
            "--user",
            "领导丙",
        ],
        Some("leader pass 3"),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&masked).unwrap();
    assert!(!text.contains(&original.households[0].phone));
    assert!(text.contains(&gridatlas::model::mask_phone(&original.households[0].phone)));
}

#[test]
fn audit_verify_names_a_changed_and_a_deleted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = with_admin(dir.path());
    let file = path.to_str().unwrap();
    for _ in 0..3 {
        let (code, _, err) = run(
            &["user", "list", file, "--user", ADMIN],
            Some(ADMIN_PASS),
            None,
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, _) = run(&["audit", file, "--verify"], None, None);
    assert_eq!(code, 0);
    let n = out["entries"].as_array().unwrap().len();
    assert_eq!(n, 5, "encrypt, account_add and three sign-ins: {out}");

    // Someone with sqlite3 changes who signed in, and deletes another entry.
    let c = common::other_writer(&path);
    c.execute(
        "UPDATE gridatlas_audit SET actor = '别人' WHERE seq = 3",
        [],
    )
    .unwrap();
    c.execute("DELETE FROM gridatlas_audit WHERE seq = 4", [])
        .unwrap();
    drop(c);
    let (code, out, err) = run(&["audit", file, "--verify"], None, None);
    assert_eq!(code, 1);
    let findings: Vec<String> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("entry 3 was changed")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f == "entry 4 was deleted"),
        "{findings:?}"
    );
    assert!(err.contains("audit entry 3"), "{err}");

    // Deleting the newest entry is found too (the head no longer matches); 4 is gone already.
    let c = common::other_writer(&path);
    c.execute("DELETE FROM gridatlas_audit WHERE seq = 5", [])
        .unwrap();
    drop(c);
    let (_, out, _) = run(&["audit", file, "--verify"], None, None);
    assert!(
        out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"] == "entries 4–5, the newest, were deleted"),
        "{out}"
    );
}

#[test]
fn a_passphrase_change_rewraps_one_slot_and_a_removed_account_cannot_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let (path, original) = with_admin(dir.path());
    let file = path.to_str().unwrap();
    let (code, _, err) = run(
        &[
            "user",
            "add",
            file,
            "--name",
            "网格员丁",
            "--role",
            "grid_worker",
            "--user",
            ADMIN,
        ],
        Some(ADMIN_PASS),
        Some("worker pass 4"),
    );
    assert_eq!(code, 2, "a grid worker needs a scope");
    assert!(err.contains("--scope"), "{err}");
    let grid = original
        .units_of_level(gridatlas::model::Level::Grid)
        .next()
        .unwrap()
        .code
        .clone();
    let (code, _, err) = run(
        &[
            "user",
            "add",
            file,
            "--name",
            "网格员丁",
            "--role",
            "grid_worker",
            "--scope",
            &grid,
            "--user",
            ADMIN,
        ],
        Some(ADMIN_PASS),
        Some("worker pass 4"),
    );
    assert_eq!(code, 0, "{err}");
    // The worker changes their own passphrase; the old one no longer opens, the new one does,
    // and the admin's slot is untouched.
    let (code, _, err) = run(
        &["user", "passwd", file, "--user", "网格员丁"],
        Some("worker pass 4"),
        Some("worker pass 5"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(gridatlas::store::verify_passphrase(&path, "网格员丁", "worker pass 4").is_err());
    let w = gridatlas::store::verify_passphrase(&path, "网格员丁", "worker pass 5").unwrap();
    let a = gridatlas::store::verify_passphrase(&path, ADMIN, ADMIN_PASS).unwrap();
    assert_eq!(w.key, a.key, "one document key behind every slot");
    assert_eq!(w.account.scope.as_deref(), Some(grid.as_str()));
    // Removed: the slot is gone.
    let (code, _, err) = run(
        &[
            "user",
            "remove",
            file,
            "--name",
            "网格员丁",
            "--user",
            ADMIN,
        ],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let e = gridatlas::store::verify_passphrase(&path, "网格员丁", "worker pass 5").unwrap_err();
    assert!(
        e.to_string().contains("there is no account '网格员丁'"),
        "{e}"
    );
    // The last admin stays.
    let (code, _, err) = run(
        &["user", "remove", file, "--name", ADMIN, "--user", ADMIN],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("last admin"), "{err}");
}

#[test]
fn households_imported_into_an_encrypted_document_are_sealed_before_they_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, original) = with_admin(dir.path());
    let file = path.to_str().unwrap();
    // A roster of one new household, at the first household's place.
    let h = &original.households[0];
    let csv = dir.path().join("new.csv");
    std::fs::write(
        &csv,
        format!(
            "户编号,地址,户主姓名,联系电话,家庭人数,标签,经度,纬度\n{}99,新村路88号独栋,欧阳新户,13900001111,3,低保户,{},{}\n",
            h.code,
            h.location.x(),
            h.location.y()
        ),
    )
    .unwrap();
    let (code, _, err) = run(
        &[
            "import",
            "households",
            file,
            "--from",
            csv.to_str().unwrap(),
            "--datum",
            "wgs84",
        ],
        None,
        None,
    );
    assert_eq!(code, 2, "an encrypted document needs someone signed in");
    assert!(err.contains("--user"), "{err}");
    let (code, out, err) = run(
        &[
            "import",
            "households",
            file,
            "--from",
            csv.to_str().unwrap(),
            "--datum",
            "wgs84",
            "--user",
            ADMIN,
        ],
        Some(ADMIN_PASS),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["added"].as_u64(), Some(1));
    let bytes = all_bytes(&path);
    for v in ["欧阳新户", "13900001111", "新村路88号独栋"] {
        assert!(!contains(&bytes, v), "{v} reached the file in plain text");
    }
    let key = gridatlas::store::verify_passphrase(&path, ADMIN, ADMIN_PASS)
        .unwrap()
        .key;
    let d = gridatlas::store::load_unlocked(&path, &key).unwrap();
    let new = d
        .households
        .iter()
        .find(|x| x.head_name == "欧阳新户")
        .unwrap();
    assert_eq!(new.phone, "13900001111");
    assert!(
        new.tags
            .contains(gridatlas::model::Tag::from_code("低保户").unwrap())
    );
    let (_, out, _) = run(&["audit", file], None, None);
    assert!(
        out["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "import" && e["actor"] == ADMIN && e["target"] == "new.csv")
    );
}

/// The encryption is one transaction: whenever the process is killed, the file holds either
/// the plain document with no accounts, or the encrypted one with its admin — never a mix.
#[test]
fn encrypting_is_all_or_nothing_when_killed_midway() {
    let dir = tempfile::tempdir().unwrap();
    let template = common::document(dir.path());
    let original = gridatlas::store::load(&template).unwrap();
    let mut outcomes = [0usize; 2];
    for (i, delay_ms) in [5u64, 20, 40, 60, 80, 100, 150, 250]
        .into_iter()
        .enumerate()
    {
        let path = dir.path().join(format!("kill-{i}.gpkg"));
        std::fs::copy(&template, &path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_gridatlas"))
            .args([
                "user",
                "add",
                path.to_str().unwrap(),
                "--name",
                ADMIN,
                "--role",
                "admin",
            ])
            .env("GRIDATLAS_PASSPHRASE", ADMIN_PASS)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let d = gridatlas::store::load(&path).unwrap();
        let accounts = gridatlas::store::has_accounts(&path).unwrap();
        let sealed = d
            .households
            .iter()
            .filter(|h| gridatlas::model::is_sealed(&h.phone))
            .count();
        if accounts {
            assert_eq!(
                sealed,
                d.households.len(),
                "kill after {delay_ms} ms: all sealed"
            );
            let key = gridatlas::store::verify_passphrase(&path, ADMIN, ADMIN_PASS)
                .unwrap()
                .key;
            let opened = gridatlas::store::load_unlocked(&path, &key).unwrap();
            assert_eq!(opened.households, original.households);
            outcomes[1] += 1;
        } else {
            assert_eq!(sealed, 0, "kill after {delay_ms} ms: nothing sealed");
            assert_eq!(d.households, original.households);
            outcomes[0] += 1;
        }
    }
    eprintln!(
        "killed before the commit: {}, after: {}",
        outcomes[0], outcomes[1]
    );
}

#[test]
fn staffing_names_the_grids_without_their_leader() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let (code, out, err) = run(&["staffing", path.to_str().unwrap()], None, None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out["grids_without_grid_leader"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let grid = out["rows"][0]["code"].as_str().unwrap().to_owned();
    // QGIS deletes the grid's 网格长.
    let c = common::other_writer(&path);
    c.execute(
        "DELETE FROM workers WHERE role = 'grid_leader' AND unit_id = (SELECT id FROM units WHERE code = ?1)",
        [&grid],
    )
    .unwrap();
    drop(c);
    let (_, out, _) = run(&["staffing", path.to_str().unwrap()], None, None);
    assert_eq!(out["grids_without_grid_leader"], serde_json::json!([grid]));
}

/// Commands that change the document need an account that may, once it has accounts.
#[test]
fn writing_commands_need_an_account_that_may() {
    let dir = tempfile::tempdir().unwrap();
    let (path, original) = with_admin(dir.path());
    let file = path.to_str().unwrap();
    for (name, role, pass) in [
        ("操作员乙", "operator", "operator pass 2"),
        ("领导丙", "leader", "leader pass 3"),
    ] {
        let (code, _, err) = run(
            &[
                "user", "add", file, "--name", name, "--role", role, "--user", ADMIN,
            ],
            Some(ADMIN_PASS),
            Some(pass),
        );
        assert_eq!(code, 0, "{err}");
    }
    let h = &original.households[0];
    let csv = dir.path().join("cases.csv");
    std::fs::write(
        &csv,
        format!(
            "category,title,reported_at,longitude,latitude\n10.01,井盖松动,2026-10-31,{},{}\n",
            h.location.x(),
            h.location.y()
        ),
    )
    .unwrap();
    let args = [
        "import-cases",
        file,
        "--csv",
        csv.to_str().unwrap(),
        "--datum",
        "wgs84",
    ];
    let before = all_bytes(&path);
    let (code, _, err) = run(&args, None, None);
    assert_eq!(code, 2);
    assert!(err.contains("import cases needs --user NAME"), "{err}");
    let mut as_leader = args.to_vec();
    as_leader.extend(["--user", "领导丙"]);
    let (code, _, err) = run(&as_leader, Some("leader pass 3"), None);
    assert_eq!(code, 2);
    assert!(err.contains("may not import cases"), "{err}");
    // The refusals wrote nothing but the leader's sign-in entry.
    assert_ne!(all_bytes(&path), before);
    assert_eq!(
        gridatlas::store::load(&path).unwrap().cases.len(),
        original.cases.len()
    );
    let mut as_operator = args.to_vec();
    as_operator.extend(["--user", "操作员乙"]);
    let (code, out, err) = run(&as_operator, Some("operator pass 2"), None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["imported"].as_u64(), Some(1));
    let d = gridatlas::store::load(&path).unwrap();
    let last = d.case_events.last().unwrap();
    assert_eq!(last.actor, "操作员乙", "the case history names the person");
    // `assign` and `import units` are an admin's.
    let (code, _, err) = run(
        &["assign", file, "--user", "操作员乙"],
        Some("operator pass 2"),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("may not reassign households"), "{err}");
    let (code, _, err) = run(&["assign", file, "--user", ADMIN], Some(ADMIN_PASS), None);
    assert_eq!(code, 0, "{err}");
}

/// The grid-meeting sheet picks households by their (sealed) tags: an encrypted document
/// needs someone signed in, and a grid worker prints their own grid only.
#[test]
fn the_grid_sheet_of_an_encrypted_document_needs_an_account_and_keeps_its_scope() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = gridatlas::store::load(&path).unwrap();
    let accounts = gridatlas::demo::demo_accounts(&d);
    gridatlas::store::install_accounts(
        &path,
        &accounts,
        d.meta.as_of,
        gridatlas::store::KeySource::Seeded(1),
    )
    .unwrap();
    let own = accounts.iter().find_map(|a| a.2.clone()).unwrap();
    let other = d
        .units_of_level(gridatlas::model::Level::Grid)
        .find(|u| u.code != own)
        .unwrap()
        .code
        .clone();
    let file = path.to_str().unwrap();
    let pdf = dir.path().join("sheet.pdf");
    let out = pdf.to_str().unwrap();
    let (code, _, err) = run(
        &["briefing", "grid", file, "--unit", &own, "--out", out],
        None,
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("needs --user NAME"), "{err}");
    let (code, _, err) = run(
        &[
            "briefing",
            "grid",
            file,
            "--unit",
            &own,
            "--out",
            out,
            "--user",
            "网格员",
        ],
        Some("gridatlas-worker"),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(pdf.exists());
    let (code, _, _) = run(
        &[
            "briefing",
            "grid",
            file,
            "--unit",
            &other,
            "--out",
            out,
            "--user",
            "网格员",
        ],
        Some("gridatlas-worker"),
        None,
    );
    assert_eq!(code, 2, "another grid is outside the worker's document");
}
