//! The new write paths of issue #14 beside another writer (QGIS, sqlite3, a second seat):
//! a worker changed or deleted meanwhile is neither overwritten nor brought back, a worker
//! another program added keeps its id, a household's party link another program changed is
//! not overwritten, and in an encrypted document a value typed in plain text in QGIS is read,
//! compared and sealed at our next write of the row — nothing lost.

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use gridatlas::model::{Timestamp, Worker, WorkerId, WorkerRole};
use gridatlas::store::{self, AuditAction, AuditEvent, StoreError};

fn audit(what: &str) -> AuditEvent {
    AuditEvent {
        at: Timestamp::parse("2026-11-02").unwrap(),
        actor: "测试".into(),
        action: AuditAction::WorkerChange,
        target: what.into(),
        reason: String::new(),
        detail: String::new(),
    }
}

fn worker_row(path: &std::path::Path, id: WorkerId) -> Option<(String, i64, Option<String>)> {
    common::other_writer(path)
        .query_row(
            "SELECT name, unit_id, retired_at FROM workers WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()
}

#[test]
fn a_worker_changed_or_deleted_meanwhile_is_not_overwritten_or_brought_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    let seen = d.workers[0].clone();
    let moved = Worker {
        unit: d.workers[5].unit,
        ..seen.clone()
    };
    // QGIS renames the worker after the window read it.
    common::other_writer(&path)
        .execute(
            "UPDATE workers SET name = 'QGIS改名' WHERE id = ?1",
            [seen.id.0],
        )
        .unwrap();
    let e = store::save_worker(&path, Some(&seen), &moved, None, &audit("move")).unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    assert_eq!(
        worker_row(&path, seen.id),
        Some(("QGIS改名".into(), seen.unit.0, None)),
        "QGIS's name is kept, the move not written"
    );
    // Deleted meanwhile: retiring it must not bring it back.
    common::other_writer(&path)
        .execute("DELETE FROM workers WHERE id = ?1", [seen.id.0])
        .unwrap();
    let gone = Worker {
        retired_at: Some(Timestamp::parse("2026-11-02").unwrap()),
        ..seen.clone()
    };
    assert!(store::save_worker(&path, Some(&seen), &gone, None, &audit("retire")).is_err());
    assert_eq!(worker_row(&path, seen.id), None, "not resurrected");
    // Nothing refused reached the audit log.
    assert!(store::audit::list(&path, None, None).unwrap().is_empty());
}

#[test]
fn a_worker_another_program_added_keeps_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    let next = d.workers.iter().map(|w| w.id.0).max().unwrap() + 1;
    // Another seat adds a worker after this one read the document.
    common::other_writer(&path)
        .execute(
            "INSERT INTO workers (id, name, phone, role, unit_id, party_member) VALUES (?1, '别处新增', '', 'volunteer', ?2, 0)",
            [next, d.workers[0].unit.0],
        )
        .unwrap();
    let new = Worker {
        id: WorkerId(0),
        name: "本窗口新增".into(),
        phone: "13900002222".into(),
        role: WorkerRole::PartTime,
        unit: d.workers[0].unit,
        party_member: true,
        retired_at: None,
    };
    let (written, _) = store::save_worker(&path, None, &new, None, &audit("add")).unwrap();
    assert_eq!(
        written.id.0,
        next + 1,
        "a fresh id, taken under the write lock"
    );
    assert_eq!(worker_row(&path, WorkerId(next)).unwrap().0, "别处新增");
    assert_eq!(worker_row(&path, written.id).unwrap().0, "本窗口新增");
}

#[test]
fn a_party_link_another_program_changed_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    let party: Vec<WorkerId> = d
        .workers
        .iter()
        .filter(|w| w.party_member)
        .map(|w| w.id)
        .take(2)
        .collect();
    let h = d.households[0].id;
    common::other_writer(&path)
        .execute(
            "UPDATE households SET party_member_id = ?1 WHERE id = ?2",
            [party[1].0, h.0],
        )
        .unwrap();
    // The window read "no contact" and links the first party member.
    let e = store::link_party_contact(&path, h, None, Some(party[0]), &audit("link")).unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    assert_eq!(
        store::load(&path).unwrap().households[0].party_contact,
        Some(party[1])
    );
    // A household deleted meanwhile is not brought back by a link.
    common::other_writer(&path)
        .execute("DELETE FROM households WHERE id = ?1", [h.0])
        .unwrap();
    assert!(store::link_party_contact(&path, h, Some(party[1]), None, &audit("unlink")).is_err());
    assert!(
        store::load(&path)
            .unwrap()
            .households
            .iter()
            .all(|x| x.id != h)
    );
}

#[test]
fn a_phone_typed_in_plain_text_in_qgis_is_read_kept_and_sealed_at_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::document(dir.path());
    let d = store::load(&path).unwrap();
    store::install_accounts(
        &path,
        &gridatlas::demo::demo_accounts(&d),
        d.meta.as_of,
        store::KeySource::Seeded(1),
    )
    .unwrap();
    let key = store::verify_passphrase(&path, "管理员", "gridatlas-admin")
        .unwrap()
        .key;
    // A GIS officer corrects a phone in QGIS: plain text in a sealed column.
    let h = d.households[3].clone();
    common::other_writer(&path)
        .execute(
            "UPDATE households SET phone = '13700003333' WHERE id = ?1",
            [h.id.0],
        )
        .unwrap();
    let read = store::load_unlocked(&path, &key).unwrap();
    let seen = read
        .households
        .iter()
        .find(|x| x.id == h.id)
        .unwrap()
        .clone();
    assert_eq!(seen.phone, "13700003333", "read as typed");
    assert_eq!(seen.head_name, h.head_name, "the sealed fields still open");
    // Our next write of the row (a roster update of its member count) compares the plain
    // value as read, keeps the correction, and seals it.
    let changed = gridatlas::model::Household {
        members: seen.members + 1,
        ..seen.clone()
    };
    store::write_households(
        &path,
        Vec::new(),
        &[(seen.clone(), changed)],
        Some(&key),
        None,
    )
    .unwrap();
    let stored: String = common::other_writer(&path)
        .query_row(
            "SELECT phone FROM households WHERE id = ?1",
            [h.id.0],
            |r| r.get(0),
        )
        .unwrap();
    assert!(gridatlas::model::is_sealed(&stored), "sealed at our write");
    let after = store::load_unlocked(&path, &key).unwrap();
    let x = after.households.iter().find(|x| x.id == h.id).unwrap();
    assert_eq!(
        (x.phone.as_str(), x.members),
        ("13700003333", seen.members + 1)
    );
    // Changed again in QGIS after our read: the update is refused, QGIS's value kept.
    common::other_writer(&path)
        .execute(
            "UPDATE households SET phone = '13700004444' WHERE id = ?1",
            [h.id.0],
        )
        .unwrap();
    let again = gridatlas::model::Household {
        members: x.members + 1,
        ..x.clone()
    };
    let e = store::write_households(&path, Vec::new(), &[(x.clone(), again)], Some(&key), None)
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    let last = store::load_unlocked(&path, &key).unwrap();
    assert_eq!(
        last.households.iter().find(|y| y.id == h.id).unwrap().phone,
        "13700004444"
    );
}
