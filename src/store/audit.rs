//! The audit log (`gridatlas_audit`): who did what, when and why — sign-in, reveal, export,
//! import, case step, plan approval, account change — each entry hash-chained to the one
//! before, and the newest entry's hash kept in `gridatlas_meta.audit_head`.
//!
//! Case steps, roster imports and account changes append their entry inside the transaction
//! of the change, so log and data cannot disagree. A reveal is logged before anything is
//! shown; an unmasked export and a plan approval right after they are written (a kill between
//! the two leaves the change without its entry, never an entry for something not done). `verify` recomputes the chain: a row changed with sqlite3 no longer
//! matches its hash; a deleted row leaves a gap (or the next row's `prev_hash` points at
//! nothing); deleted newest rows no longer reach the head.
//!
//! Limitations: the chain is evidence, not a lock. Someone with the file and sqlite3 who
//! recomputes every hash from an entry on and rewrites the head is not caught by the file
//! alone; `gridatlas audit` prints the head, and a centre that notes it elsewhere (its paper
//! ledger, a second machine) catches that too.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::model::Timestamp;
use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::sealing::sha256_hex;

/// The `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened (the stored `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    Reveal,
    Export,
    Import,
    CaseStep,
    PlanApproval,
    AccountAdd,
    AccountRemove,
    PassphraseChange,
    /// A worker added, changed, moved or retired; a household's party contact set.
    WorkerChange,
    /// Accounts were set up and personal data encrypted.
    Encrypt,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::Reveal => "reveal",
            AuditAction::Export => "export",
            AuditAction::Import => "import",
            AuditAction::CaseStep => "case_step",
            AuditAction::PlanApproval => "plan_approval",
            AuditAction::AccountAdd => "account_add",
            AuditAction::AccountRemove => "account_remove",
            AuditAction::PassphraseChange => "passphrase_change",
            AuditAction::WorkerChange => "worker_change",
            AuditAction::Encrypt => "encrypt",
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: Timestamp,
    pub actor: String,
    pub action: AuditAction,
    /// What it concerned: a household code, a file, a case code, a plan, an account.
    pub target: String,
    pub reason: String,
    /// Anything else worth keeping (a step's statuses, a row count).
    pub detail: String,
}

impl AuditEvent {
    /// A case step's entry: the case, the note as the reason, the statuses and levels.
    pub(crate) fn case_step(case_code: &str, e: &crate::model::CaseEvent) -> AuditEvent {
        AuditEvent {
            at: e.at,
            actor: e.actor.clone(),
            action: AuditAction::CaseStep,
            target: case_code.to_owned(),
            reason: e.note.clone(),
            detail: format!(
                "{} {}→{} L{}→L{}",
                e.action.code(),
                e.from_status.map_or("", |s| s.code()),
                e.to_status.code(),
                e.from_level.number(),
                e.to_level.number()
            ),
        }
    }

    /// A sign-in's entry, with the account's role.
    pub(crate) fn sign_in(name: &str, role: &str, at: Timestamp) -> AuditEvent {
        AuditEvent {
            at,
            actor: name.to_owned(),
            action: AuditAction::SignIn,
            target: String::new(),
            reason: String::new(),
            detail: role.to_owned(),
        }
    }
}

/// The next link of the chain after `last` (its seq and hash; none for the first entry).
pub(crate) struct ChainLink {
    pub seq: i64,
    pub at: String,
    pub prev: String,
    pub hash: String,
}

pub(crate) fn chain_link(last: Option<(i64, String)>, e: &AuditEvent) -> ChainLink {
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let at = e.at.to_iso();
    let hash = entry_hash(
        &prev,
        seq,
        &at,
        &e.actor,
        e.action.code(),
        [&e.target, &e.reason, &e.detail],
    );
    ChainLink {
        seq,
        at,
        prev,
        hash,
    }
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Something `verify` found wrong, naming the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub seq: i64,
    pub message: String,
}

/// The table (schema 6), created by the migration and by new documents.
pub(crate) const AUDIT_TABLE: &str = "
CREATE TABLE IF NOT EXISTS gridatlas_audit (
  seq INTEGER PRIMARY KEY NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
";

fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    rest: [&str; 3],
) -> String {
    let seq = seq.to_string();
    sha256_hex(&[prev, &seq, at, actor, action, rest[0], rest[1], rest[2]])
}

/// Appends `e` inside the caller's transaction; returns its sequence number.
pub(crate) fn append(conn: &Connection, e: &AuditEvent) -> rusqlite::Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM gridatlas_audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let ChainLink {
        seq,
        at,
        prev,
        hash,
    } = chain_link(last, e);
    conn.execute(
        "INSERT INTO gridatlas_audit (seq, at, actor, action, target, reason, detail, prev_hash, hash)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
        params![
            seq,
            at,
            e.actor,
            e.action.code(),
            e.target,
            e.reason,
            e.detail,
            prev,
            hash
        ],
    )?;
    conn.execute(
        "INSERT INTO gridatlas_meta (key, value) VALUES ('audit_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![format!("{seq}:{hash}")],
    )?;
    Ok(seq)
}

/// Appends one entry in a transaction of its own (a reveal, a sign-in, an export: nothing
/// else is written with them).
pub fn record(path: &Path, e: &AuditEvent) -> Result<i64, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        return crate::store::server::record_audit(&url, e);
    }
    let mut conn = crate::store::update::open_for_writing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the audit entry")?;
    let seq = append(&tx, e).ctx(path, "writing the audit entry")?;
    tx.commit().ctx(path, "committing the audit entry")?;
    Ok(seq)
}

fn has_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gridatlas_audit'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The entries with `at` in [from, to) (either bound may be open), oldest first.
pub fn list(
    path: &Path,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let conn = crate::store::open_validated(path)?;
    let all = read_all(&conn).ctx(path, "reading the audit log")?;
    Ok(all
        .into_iter()
        .filter(|e| {
            let at = Timestamp::parse(&e.at).ok();
            from.is_none_or(|f| at.is_some_and(|a| a >= f))
                && to.is_none_or(|t| at.is_some_and(|a| a < t))
        })
        .collect())
}

fn read_all(conn: &Connection) -> rusqlite::Result<Vec<AuditEntry>> {
    if !has_table(conn)? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, target, reason, detail, prev_hash, hash
         FROM gridatlas_audit ORDER BY seq",
    )?;
    stmt.query_map([], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            reason: r.get(5)?,
            detail: r.get(6)?,
            prev_hash: r.get(7)?,
            hash: r.get(8)?,
        })
    })?
    .collect()
}

/// The head as the file records it: (seq, hash) of the newest entry.
pub fn head(path: &Path) -> Result<Option<(i64, String)>, StoreError> {
    let conn = crate::store::open_validated(path)?;
    read_head(&conn).ctx(path, "reading the audit head")
}

fn read_head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'audit_head'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| {
        let (seq, hash) = t.split_once(':')?;
        Some((seq.parse().ok()?, hash.to_owned()))
    }))
}

/// Recomputes the chain; every entry that was changed, every gap where entries were deleted,
/// and a head the entries no longer reach.
pub fn verify(path: &Path) -> Result<Vec<AuditFinding>, StoreError> {
    let conn = crate::store::open_validated(path)?;
    let entries = read_all(&conn).ctx(path, "reading the audit log")?;
    let head = read_head(&conn).ctx(path, "reading the audit head")?;
    Ok(verify_entries(&entries, head.as_ref()))
}

fn verify_entries(entries: &[AuditEntry], head: Option<&(i64, String)>) -> Vec<AuditFinding> {
    let mut findings = Vec::new();
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    for e in entries {
        if e.seq != expected_seq {
            let missing = if e.seq == expected_seq + 1 {
                format!("entry {expected_seq} was deleted")
            } else {
                format!("entries {expected_seq}–{} were deleted", e.seq - 1)
            };
            findings.push(AuditFinding {
                seq: expected_seq,
                message: missing,
            });
        } else if e.prev_hash != prev_hash {
            findings.push(AuditFinding {
                seq: e.seq,
                message: format!(
                    "entry {} does not follow entry {}: the chain was rewritten",
                    e.seq,
                    e.seq - 1
                ),
            });
        }
        let recomputed = entry_hash(
            &e.prev_hash,
            e.seq,
            &e.at,
            &e.actor,
            &e.action,
            [&e.target, &e.reason, &e.detail],
        );
        if recomputed != e.hash {
            findings.push(AuditFinding {
                seq: e.seq,
                message: format!(
                    "entry {} was changed after it was written ({} {} {} at {}: its hash does not match what it records)",
                    e.seq, e.actor, e.action, e.target, e.at
                ),
            });
        }
        expected_seq = e.seq + 1;
        prev_hash.clone_from(&e.hash);
    }
    match head {
        Some((seq, hash)) => {
            let last = entries.last().map_or(0, |e| e.seq);
            if *seq > last {
                findings.push(AuditFinding {
                    seq: last + 1,
                    message: if *seq == last + 1 {
                        format!("entry {seq}, the newest, was deleted")
                    } else {
                        format!("entries {}–{seq}, the newest, were deleted", last + 1)
                    },
                });
            } else if *seq < last {
                findings.push(AuditFinding {
                    seq: seq + 1,
                    message: format!(
                        "entries {}–{last} were added without moving the head: not written by GridAtlas",
                        seq + 1
                    ),
                });
            } else if *hash != prev_hash {
                findings.push(AuditFinding {
                    seq: *seq,
                    message: format!("entry {seq}, the newest, does not match the head"),
                });
            }
        }
        None if !entries.is_empty() => findings.push(AuditFinding {
            seq: 0,
            message: "the audit head (gridatlas_meta.audit_head) was deleted".into(),
        }),
        None => {}
    }
    findings
}
