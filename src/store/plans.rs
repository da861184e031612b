//! Boundary plans in the document: a plan is a named draft — an ordered list of edits on top of
//! the current boundaries — kept in `plan_steps` (one row per committed edit, JSON with the units
//! before and after as GeoPackage geometry blobs in hex, so the coordinates round-trip exactly).
//! The live tables change only when a plan is approved: then, in one transaction, the replaced
//! unit versions go to `unit_history` with their end date and the plan's net change is written.

use std::path::Path;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::model::{CaseId, HouseholdId, Level, Unit, UnitId, WorkerId};
use crate::store::error::SqliteContext;
use crate::store::update::open_for_writing;
use crate::store::{StoreError, UnitChanges, geometry};

/// One plan as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInfo {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// `draft`, `scheduled` (approved, 待生效: takes effect on its date) or `approved` (in
    /// effect).
    pub status: String,
    pub effective_date: Option<String>,
    pub steps: i64,
}

/// One edit of a plan, by ids (indices into the dataset are not stable across sessions).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChange {
    pub label: String,
    pub before: Vec<Unit>,
    pub after: Vec<Unit>,
    pub households: Vec<(HouseholdId, Option<UnitId>, Option<UnitId>)>,
    pub cases: Vec<(CaseId, Option<UnitId>, Option<UnitId>)>,
    pub workers: Vec<(WorkerId, UnitId, UnitId)>,
}

#[derive(Serialize, Deserialize)]
struct UnitJson {
    id: i64,
    level: i64,
    parent: Option<i64>,
    code: String,
    name: String,
    /// GeoPackage geometry blob, hex.
    geom: String,
}

#[derive(Serialize, Deserialize)]
struct ChangeJson {
    before: Vec<UnitJson>,
    after: Vec<UnitJson>,
    households: Vec<(i64, Option<i64>, Option<i64>)>,
    cases: Vec<(i64, Option<i64>, Option<i64>)>,
    workers: Vec<(i64, i64, i64)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn unit_json(u: &Unit) -> Result<UnitJson, String> {
    Ok(UnitJson {
        id: u.id.0,
        level: u.level.number() as i64,
        parent: u.parent.map(|p| p.0),
        code: u.code.clone(),
        name: u.name.clone(),
        geom: hex(&geometry::encode_multipolygon(&u.geometry)?),
    })
}

fn unit_from(j: UnitJson) -> Result<Unit, String> {
    Ok(Unit {
        id: UnitId(j.id),
        level: Level::from_number(j.level).ok_or("bad level")?,
        parent: j.parent.map(UnitId),
        code: j.code,
        name: j.name,
        geometry: geometry::decode_multipolygon(&unhex(&j.geom).ok_or("bad hex")?)?,
    })
}

fn to_json(c: &StoredChange) -> Result<String, String> {
    let j = ChangeJson {
        before: c.before.iter().map(unit_json).collect::<Result<_, _>>()?,
        after: c.after.iter().map(unit_json).collect::<Result<_, _>>()?,
        households: c
            .households
            .iter()
            .map(|(h, a, b)| (h.0, a.map(|u| u.0), b.map(|u| u.0)))
            .collect(),
        cases: c
            .cases
            .iter()
            .map(|(h, a, b)| (h.0, a.map(|u| u.0), b.map(|u| u.0)))
            .collect(),
        workers: c.workers.iter().map(|(w, a, b)| (w.0, a.0, b.0)).collect(),
    };
    serde_json::to_string(&j).map_err(|e| e.to_string())
}

fn from_json(label: String, text: &str) -> Result<StoredChange, String> {
    let j: ChangeJson = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(StoredChange {
        label,
        before: j
            .before
            .into_iter()
            .map(unit_from)
            .collect::<Result<_, _>>()?,
        after: j
            .after
            .into_iter()
            .map(unit_from)
            .collect::<Result<_, _>>()?,
        households: j
            .households
            .into_iter()
            .map(|(h, a, b)| (HouseholdId(h), a.map(UnitId), b.map(UnitId)))
            .collect(),
        cases: j
            .cases
            .into_iter()
            .map(|(h, a, b)| (CaseId(h), a.map(UnitId), b.map(UnitId)))
            .collect(),
        workers: j
            .workers
            .into_iter()
            .map(|(w, a, b)| (WorkerId(w), UnitId(a), UnitId(b)))
            .collect(),
    })
}

fn has_plans(conn: &rusqlite::Connection, path: &Path) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'plans'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .ctx(path, "listing tables")
    .map(|n| n > 0)
}

/// Every plan in the document (none in a version-1 file).
pub fn list_plans(path: &Path) -> Result<Vec<PlanInfo>, StoreError> {
    let conn = crate::store::read::open_validated_for(path, crate::store::server::Tables::Plans)?;
    if !has_plans(&conn, path)? {
        return Ok(Vec::new());
    }
    conn.prepare(
        "SELECT p.id, p.name, p.created_at, p.status, p.effective_date,
                (SELECT count(*) FROM plan_steps s WHERE s.plan_id = p.id)
         FROM plans p ORDER BY p.id",
    )
    .and_then(|mut st| {
        st.query_map([], |r| {
            Ok(PlanInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
                status: r.get(3)?,
                effective_date: r.get(4)?,
                steps: r.get(5)?,
            })
        })?
        .collect()
    })
    .ctx(path, "reading plans")
}

/// Creates a draft plan; refuses a name already used.
pub fn create_plan(path: &Path, name: &str, created_at: &str) -> Result<i64, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::Plans,
            move |p| create_plan(p, name, created_at),
        );
        return done.map(|(v, _)| v);
    }
    let conn = open_for_writing(path)?;
    let taken: Option<i64> = conn
        .query_row("SELECT id FROM plans WHERE name = ?1", params![name], |r| {
            r.get(0)
        })
        .optional()
        .ctx(path, "reading plans")?;
    if taken.is_some() {
        return Err(StoreError::NotGridAtlas {
            path: path.to_owned(),
            what: format!("a plan named {name:?} exists already"),
        });
    }
    conn.execute(
        "INSERT INTO plans (name, created_at, status) VALUES (?1, ?2, 'draft')",
        params![name, created_at],
    )
    .ctx(path, "creating the plan")?;
    Ok(conn.last_insert_rowid())
}

/// The steps of a plan, in order.
pub fn plan_steps(path: &Path, plan: i64) -> Result<Vec<StoredChange>, StoreError> {
    let conn = crate::store::read::open_validated_for(path, crate::store::server::Tables::Plans)?;
    if !has_plans(&conn, path)? {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT label, change FROM plan_steps WHERE plan_id = ?1 ORDER BY seq")
        .and_then(|mut st| {
            st.query_map(params![plan], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .ctx(path, "reading plan steps")?;
    rows.into_iter()
        .enumerate()
        .map(|(k, (label, text))| {
            from_json(label, &text).map_err(|e| StoreError::NotGridAtlas {
                path: path.to_owned(),
                what: format!("plan {plan} step {}: {e}", k + 1),
            })
        })
        .collect()
}

/// Appends a step to a draft plan.
pub fn push_plan_step(path: &Path, plan: i64, change: &StoredChange) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::Plans,
            move |p| push_plan_step(p, plan, change),
        );
        return done.map(|(v, _)| v);
    }
    let text = to_json(change).map_err(|e| StoreError::NotGridAtlas {
        path: path.to_owned(),
        what: e,
    })?;
    let conn = open_for_writing(path)?;
    conn.execute(
        "INSERT INTO plan_steps (plan_id, seq, label, change)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM plan_steps WHERE plan_id = ?1), ?2, ?3)",
        params![plan, change.label, text],
    )
    .ctx(path, "writing the plan step")?;
    Ok(())
}

/// Removes the last step of a draft plan (undo).
pub fn pop_plan_step(path: &Path, plan: i64) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::Plans,
            move |p| pop_plan_step(p, plan),
        );
        return done.map(|(v, _)| v);
    }
    let conn = open_for_writing(path)?;
    conn.execute(
        "DELETE FROM plan_steps WHERE plan_id = ?1
           AND seq = (SELECT max(seq) FROM plan_steps WHERE plan_id = ?1)",
        params![plan],
    )
    .ctx(path, "removing the plan step")?;
    Ok(())
}

/// Refuses unless the plan is in one of `allowed` states (read inside the write lock).
fn expect_status(
    tx: &rusqlite::Connection,
    path: &Path,
    plan: i64,
    allowed: &[&str],
) -> Result<(), StoreError> {
    let status: Option<(String, String)> = tx
        .query_row(
            "SELECT name, status FROM plans WHERE id = ?1",
            params![plan],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .ctx(path, "reading plans")?;
    match status {
        Some((_, s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some((name, s)) => Err(StoreError::Conflict {
            path: path.to_owned(),
            what: format!(
                "plan {name:?} is {s} already (changed by another program); nothing was written"
            ),
        }),
        None => Err(StoreError::Conflict {
            path: path.to_owned(),
            what: format!("plan {plan} was deleted by another program; nothing was written"),
        }),
    }
}

/// Approves a draft plan for a later date: it is `scheduled` (待生效) with its effective date,
/// and the live net does not change until that day (`due_plans`, then `approve_plan`).
pub fn schedule_plan(
    path: &Path,
    plan: i64,
    effective_date: &str,
    approved_at: &str,
) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::Plans,
            move |p| schedule_plan(p, plan, effective_date, approved_at),
        );
        return done.map(|(v, _)| v);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the approval")?;
    expect_status(&tx, path, plan, &["draft"])?;
    tx.execute(
        "UPDATE plans SET status = 'scheduled', effective_date = ?2, approved_at = ?3 WHERE id = ?1",
        params![plan, effective_date, approved_at],
    )
    .ctx(path, "scheduling the plan")?;
    tx.commit().ctx(path, "committing")
}

/// Scheduled plans whose effective date (`YYYY-MM-DD`, a local day) is `today` or earlier, the
/// earliest first: they take effect now, in that order.
pub fn due_plans(path: &Path, today: &str) -> Result<Vec<PlanInfo>, StoreError> {
    let mut due: Vec<PlanInfo> = list_plans(path)?
        .into_iter()
        .filter(|p| {
            p.status == "scheduled" && p.effective_date.as_deref().is_some_and(|d| d <= today)
        })
        .collect();
    due.sort_by(|a, b| (&a.effective_date, a.id).cmp(&(&b.effective_date, b.id)));
    Ok(due)
}

/// Every code a unit ever had and gave up (the history of approved plans): never given again.
pub fn retired_codes(path: &Path) -> Result<Vec<String>, StoreError> {
    let conn = crate::store::read::open_validated_for(path, crate::store::server::Tables::Plans)?;
    if !has_plans(&conn, path)? {
        return Ok(Vec::new());
    }
    conn.prepare("SELECT DISTINCT code FROM unit_history")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .ctx(path, "reading the unit history")
}

pub fn approve_plan(
    path: &Path,
    plan: i64,
    expected: &str,
    effective_date: &str,
    approved_at: &str,
    replaced: &[Unit],
    net: &UnitChanges,
) -> Result<crate::store::SeqRange, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| {
                approve_plan(
                    p,
                    plan,
                    expected,
                    effective_date,
                    approved_at,
                    replaced,
                    net,
                )
            },
        );
        return done.map(|(_, log)| log);
    }
    let mut conn = open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the approval")?;
    let before = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    // Another seat may have approved (or scheduled, for another date) this plan meanwhile.
    expect_status(&tx, path, plan, &[expected])?;
    crate::store::boundary::expect_units_as_seen(&tx, path, replaced, net, "the plan was opened")?;
    {
        let mut hist = tx
            .prepare(
                "INSERT INTO unit_history (geom, unit_id, level, parent_id, code, name, valid_to, plan_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .ctx(path, "writing history")?;
        for u in replaced {
            let blob = geometry::encode_multipolygon(&u.geometry).map_err(|e| {
                StoreError::NotGridAtlas {
                    path: path.to_owned(),
                    what: e,
                }
            })?;
            hist.execute(params![
                blob,
                u.id.0,
                u.level.number(),
                u.parent.map(|p| p.0),
                u.code,
                u.name,
                effective_date,
                plan
            ])
            .ctx(path, "writing history")?;
        }
    }
    crate::store::boundary::write_unit_changes(&tx, path, net)?;
    tx.execute(
        // A scheduled plan keeps the time it was approved at; it takes effect now.
        "UPDATE plans SET status = 'approved', effective_date = ?2,
                          approved_at = coalesce(approved_at, ?3) WHERE id = ?1",
        params![plan, effective_date, approved_at],
    )
    .ctx(path, "approving the plan")?;
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    let after = crate::store::change_log::last_seq(&tx).ctx(path, "reading the change log")?;
    tx.commit().ctx(path, "committing")?;
    Ok(crate::store::SeqRange { before, after })
}
