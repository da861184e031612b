//! Accounts stored in the document (`gridatlas_accounts`): a name, a role, for a grid worker
//! the unit they are confined to, the passphrase's Argon2id hash, and the account's key slot
//! (the document key wrapped under a key derived from the passphrase; `sealing.rs`).
//!
//! The first account is an admin, and creating it encrypts every household's and worker's
//! personal columns in one transaction (a document from an older version migrates the same
//! way): a kill midway leaves the file as it was. Afterwards the old plain text is gone from
//! the file's bytes: SQLite's `secure_delete` zeroes what the updates free, `VACUUM` rebuilds
//! the file and the WAL is checkpointed and truncated.

use std::path::Path;

use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::model::{Role, Timestamp};
use crate::store::StoreError;
use crate::store::audit::{AuditAction, AuditEvent, append};
use crate::store::error::SqliteContext;
use crate::store::personal::{HOUSEHOLD_COLUMNS, column_label};
use crate::store::sealing::{self, CIPHER, DocumentKey};

/// `gridatlas_meta` key naming the cipher of the personal columns, once they are sealed.
pub const CIPHER_KEY: &str = "personal_cipher";

pub(crate) const ACCOUNTS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS gridatlas_accounts (
  name TEXT NOT NULL PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin','planner','operator','leader','grid_worker')),
  scope_code TEXT,
  passphrase_hash TEXT NOT NULL,
  key_salt TEXT NOT NULL,
  wrapped_key TEXT NOT NULL,
  created_at TEXT NOT NULL);
";

/// An account as listed (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub name: String,
    #[serde(serialize_with = "role_code")]
    pub role: Role,
    /// The unit a grid worker is confined to (its code).
    pub scope: Option<String>,
    pub created_at: String,
}

fn role_code<S: serde::Serializer>(r: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.code())
}

/// Someone signed in: their account and the document key their slot opened.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub key: DocumentKey,
}

/// Why an account operation wrote nothing.
fn refused(path: &Path, what: String) -> StoreError {
    StoreError::Refused {
        path: path.to_owned(),
        what,
    }
}

/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

fn check_passphrase(path: &Path, name: &str, passphrase: &str) -> Result<(), StoreError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(refused(
            path,
            format!(
                "the passphrase for {name} is shorter than {MIN_PASSPHRASE_CHARS} characters; nothing was changed"
            ),
        ));
    }
    Ok(())
}

fn check_name(path: &Path, name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(refused(
            path,
            format!("'{name}' is not an account name (1–64 characters, no control characters)"),
        ));
    }
    Ok(())
}

/// Whether the document has accounts (and so sealed personal data).
pub fn has_accounts(path: &Path) -> Result<bool, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        return crate::store::server::has_accounts(&url);
    }
    let conn = crate::store::open_validated(path)?;
    count_accounts(&conn)
        .map(|n| n > 0)
        .ctx(path, "reading the accounts")
}

pub(crate) fn count_accounts(conn: &Connection) -> rusqlite::Result<i64> {
    let exists: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gridatlas_accounts'",
        [],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(0);
    }
    conn.query_row("SELECT count(*) FROM gridatlas_accounts", [], |r| r.get(0))
}

/// Every account, by name.
pub fn list_accounts(path: &Path) -> Result<Vec<Account>, StoreError> {
    let conn = crate::store::open_validated(path)?;
    if count_accounts(&conn).ctx(path, "reading the accounts")? == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare("SELECT name, role, scope_code, created_at FROM gridatlas_accounts ORDER BY name")
        .ctx(path, "reading the accounts")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .ctx(path, "reading the accounts")?;
    rows.into_iter()
        .map(|(name, role, scope, created_at)| {
            let role = Role::from_code(&role).ok_or_else(|| StoreError::BadRow {
                path: path.to_owned(),
                table: "gridatlas_accounts",
                id: 0,
                what: format!("account {name}: role '{role}' is unknown"),
            })?;
            Ok(Account {
                name,
                role,
                scope,
                created_at,
            })
        })
        .collect()
}

struct Slot {
    account: Account,
    passphrase_hash: String,
    key_salt: String,
    wrapped_key: String,
}

fn read_slot(conn: &Connection, name: &str) -> rusqlite::Result<Option<Slot>> {
    conn.query_row(
        "SELECT name, role, scope_code, created_at, passphrase_hash, key_salt, wrapped_key
         FROM gridatlas_accounts WHERE name = ?1",
        params![name],
        |r| {
            let role: String = r.get(1)?;
            Ok(Slot {
                account: Account {
                    name: r.get(0)?,
                    role: Role::from_code(&role).unwrap_or(Role::Leader),
                    scope: r.get(2)?,
                    created_at: r.get(3)?,
                },
                passphrase_hash: r.get(4)?,
                key_salt: r.get(5)?,
                wrapped_key: r.get(6)?,
            })
        },
    )
    .optional()
}

/// Opens `name`'s slot with `passphrase` (read-only: nothing is written).
pub(crate) fn open_slot(
    conn: &Connection,
    path: &Path,
    name: &str,
    passphrase: &str,
) -> Result<SignedIn, StoreError> {
    if count_accounts(conn).ctx(path, "reading the accounts")? == 0 {
        return Err(refused(
            path,
            "the document has no accounts yet; an admin creates the first with `gridatlas user add FILE --name NAME --role admin`".into(),
        ));
    }
    let slot = read_slot(conn, name)
        .ctx(path, "reading the accounts")?
        .ok_or_else(|| no_account(path, name))?;
    if !sealing::passphrase_matches(passphrase, &slot.passphrase_hash) {
        return Err(refused(
            path,
            format!("wrong passphrase for {name}; nothing was changed"),
        ));
    }
    let key =
        DocumentKey::unwrap(passphrase, name, &slot.key_salt, &slot.wrapped_key).map_err(|e| {
            refused(
                path,
                format!("the key slot of {name} does not open ({e}); nothing was changed"),
            )
        })?;
    Ok(SignedIn {
        account: slot.account,
        key,
    })
}

/// Checks `name`'s passphrase and opens their slot; records the sign-in in the audit log.
pub fn sign_in(
    path: &Path,
    name: &str,
    passphrase: &str,
    at: Timestamp,
) -> Result<SignedIn, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        return crate::store::server::sign_in(&url, name, passphrase, at);
    }
    let signed = {
        let conn = crate::store::open_validated(path)?;
        open_slot(&conn, path, name, passphrase)?
    };
    // A read-only copy (an archive on a CD) may still be read; its sign-in just goes unlogged.
    match crate::store::audit::record(
        path,
        &AuditEvent::sign_in(name, signed.account.role.code(), at),
    ) {
        Ok(_) | Err(StoreError::ReadOnly { .. } | StoreError::ReadOnlyFolder { .. }) => Ok(signed),
        Err(e) => Err(e),
    }
}

/// Checks a passphrase without logging (the window's unlock of an already open document).
pub fn verify_passphrase(
    path: &Path,
    name: &str,
    passphrase: &str,
) -> Result<SignedIn, StoreError> {
    let conn = crate::store::open_validated(path)?;
    open_slot(&conn, path, name, passphrase)
}

/// How the first admin's slot and the document key are made.
pub enum KeySource {
    /// A fresh random key and salts (every real document).
    Random,
    /// Derived from a seed (the demo: the same seed gives the same file).
    Seeded(u64),
}

/// What encrypting a document did.
#[derive(Debug, Clone, Serialize)]
pub struct EncryptReport {
    pub households_sealed: usize,
    pub workers_sealed: usize,
    pub elapsed_ms: u128,
}

/// Creates the first account (an admin) and seals every personal column, all in one
/// transaction; then removes the plain text from the file's bytes. Refused when the document
/// has accounts already.
pub fn create_first_admin(
    path: &Path,
    name: &str,
    passphrase: &str,
    at: Timestamp,
    keys: KeySource,
) -> Result<EncryptReport, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| create_first_admin(p, name, passphrase, at, keys),
        );
        return done.map(|(v, _)| v);
    }
    let started = std::time::Instant::now();
    check_name(path, name)?;
    check_passphrase(path, name, passphrase)?;
    let mut conn = crate::store::update::open_for_writing(path)?;
    // What the updates free is overwritten with zeros, not left for a hex editor.
    conn.pragma_update(None, "secure_delete", "ON")
        .ctx(path, "configuring")?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the encryption")?;
    if count_accounts(&tx).ctx(path, "reading the accounts")? > 0 {
        return Err(refused(
            path,
            "the document has accounts already; an admin adds more with `gridatlas user add`"
                .into(),
        ));
    }
    let (key, salts) = match keys {
        KeySource::Random => (DocumentKey::generate(), None),
        KeySource::Seeded(seed) => (
            DocumentKey::from_seed(&seed.to_le_bytes()),
            Some(seeded_salts(seed, name)),
        ),
    };
    let (households, workers) = seal_all(&tx, &key).ctx(path, "sealing personal data")?;
    insert_account(
        &tx,
        name,
        Role::Admin,
        None,
        passphrase,
        &key,
        at,
        salts.as_ref().map(|s| &s.0[..]),
        salts.as_ref().map(|s| &s.1[..]),
    )
    .ctx(path, "writing the account")?;
    tx.execute(
        "INSERT INTO gridatlas_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![CIPHER_KEY, CIPHER],
    )
    .ctx(path, "writing the cipher's name")?;
    for (action, target, detail) in [
        (
            AuditAction::Encrypt,
            String::new(),
            format!("{CIPHER}: {households} households, {workers} workers"),
        ),
        (
            AuditAction::AccountAdd,
            name.to_owned(),
            Role::Admin.code().to_owned(),
        ),
    ] {
        append(
            &tx,
            &AuditEvent {
                at,
                actor: name.to_owned(),
                action,
                target,
                reason: String::new(),
                detail,
            },
        )
        .ctx(path, "writing the audit log")?;
    }
    crate::store::change_log::trim(&tx).ctx(path, "trimming the change log")?;
    tx.commit().ctx(path, "committing the encryption")?;
    // The plain text is now only in free pages and the WAL: rebuild the file without them.
    conn.execute_batch("VACUUM")
        .ctx(path, "removing the plain text from the file")?;
    let _: (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .ctx(path, "checkpointing")?;
    Ok(EncryptReport {
        households_sealed: households,
        workers_sealed: workers,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

#[allow(clippy::too_many_arguments)] // one row's columns, each named at the call
fn insert_account(
    conn: &Connection,
    name: &str,
    role: Role,
    scope: Option<&str>,
    passphrase: &str,
    key: &DocumentKey,
    at: Timestamp,
    slot_salt: Option<&[u8]>,
    hash_salt: Option<&[u8]>,
) -> rusqlite::Result<()> {
    let (salt, wrapped) = match slot_salt {
        Some(s) => key.wrap_with_salt(passphrase, name, s),
        None => key.wrap(passphrase, name),
    };
    let hash = match hash_salt {
        Some(s) => sealing::hash_passphrase_with_salt(passphrase, s),
        None => sealing::hash_passphrase(passphrase),
    };
    conn.execute(
        "INSERT INTO gridatlas_accounts (name, role, scope_code, passphrase_hash, key_salt, wrapped_key, created_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![name, role.code(), scope, hash, salt, wrapped, at.to_iso()],
    )?;
    Ok(())
}

/// Seals every plain personal value (sealed ones are left as they are); returns how many
/// households and workers were written.
fn seal_all(conn: &Connection, key: &DocumentKey) -> rusqlite::Result<(usize, usize)> {
    let rows: Vec<(i64, String, [String; 4])> = conn
        .prepare("SELECT id, code, address, head_name, phone, tags FROM households ORDER BY id")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let labels = HOUSEHOLD_COLUMNS.map(|c| column_label("households", c));
    let sealed: Vec<(i64, [String; 4], bool)> = rows
        .into_par_iter()
        .map(|(id, code, values)| {
            let out: [String; 4] = std::array::from_fn(|i| key.seal(&values[i], &labels[i], &code));
            let changed = out != values;
            (id, out, changed)
        })
        .collect();
    let mut households = 0;
    {
        let mut update = conn.prepare(
            "UPDATE households SET address = ?2, head_name = ?3, phone = ?4, tags = ?5 WHERE id = ?1",
        )?;
        for (id, v, changed) in &sealed {
            if *changed {
                update.execute(params![id, v[0], v[1], v[2], v[3]])?;
                households += 1;
            }
        }
    }
    let workers: Vec<(i64, String)> = conn
        .prepare("SELECT id, phone FROM workers ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let label = column_label("workers", "phone");
    let mut n_workers = 0;
    let mut update = conn.prepare("UPDATE workers SET phone = ?2 WHERE id = ?1")?;
    for (id, phone) in workers {
        let s = key.seal(&phone, &label, &id.to_string());
        if s != phone {
            update.execute(params![id, s])?;
            n_workers += 1;
        }
    }
    Ok((households, n_workers))
}

/// Sets up a document's accounts in one go: the first is the admin (created as
/// [`create_first_admin`] does, encrypting the document), the others are added by it. With
/// [`KeySource::Seeded`] every key, salt and hash follows from the seed (the demo).
pub fn install_accounts(
    path: &Path,
    accounts: &[(&str, Role, Option<String>, &str)],
    at: Timestamp,
    keys: KeySource,
) -> Result<EncryptReport, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| install_accounts(p, accounts, at, keys),
        );
        return done.map(|(v, _)| v);
    }
    let Some(((admin, Role::Admin, None, admin_pass), rest)) = accounts.split_first() else {
        return Err(refused(path, "the first account must be an admin".into()));
    };
    let seed = match keys {
        KeySource::Seeded(s) => Some(s),
        KeySource::Random => None,
    };
    let report = create_first_admin(path, admin, admin_pass, at, keys)?;
    let by = verify_passphrase(path, admin, admin_pass)?;
    for (name, role, scope, pass) in rest {
        let salts = seed.map(|s| seeded_salts(s, name));
        add_account_with(path, &by, name, *role, scope.as_deref(), pass, at, salts)?;
    }
    Ok(report)
}

/// Reproducible salts (slot, hash) for an account of a seeded document.
fn seeded_salts(seed: u64, name: &str) -> ([u8; 16], [u8; 16]) {
    let s = seed.to_le_bytes();
    let pick = |what: &[u8]| {
        let d = DocumentKey::from_seed(&[&s[..], what, name.as_bytes()].concat()).derive("salt");
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    };
    (pick(b"slot"), pick(b"hash"))
}

/// One account change in a write transaction of its own, with its audit entry (`change`
/// returns the entry's detail). Freed bytes are zeroed, so a removed slot or an old hash
/// leaves no trace; nothing is written when `change` refuses.
fn account_change<T>(
    path: &Path,
    by: &SignedIn,
    action: AuditAction,
    target: &str,
    at: Timestamp,
    change: impl FnOnce(&rusqlite::Transaction) -> Result<(T, String), StoreError>,
) -> Result<T, StoreError> {
    let mut conn = crate::store::update::open_for_writing(path)?;
    conn.pragma_update(None, "secure_delete", "ON")
        .ctx(path, "configuring")?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx(path, "starting the account change")?;
    let (out, detail) = change(&tx)?;
    append(
        &tx,
        &AuditEvent {
            at,
            actor: by.account.name.clone(),
            action,
            target: target.to_owned(),
            reason: String::new(),
            detail,
        },
    )
    .ctx(path, "writing the audit log")?;
    tx.commit().ctx(path, "committing the account change")?;
    Ok(out)
}

fn no_account(path: &Path, name: &str) -> StoreError {
    refused(
        path,
        format!("there is no account '{name}'; nothing was changed"),
    )
}

/// Adds an account (by an admin, signed in); its slot wraps the same document key.
pub fn add_account(
    path: &Path,
    by: &SignedIn,
    name: &str,
    role: Role,
    scope: Option<&str>,
    passphrase: &str,
    at: Timestamp,
) -> Result<Account, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| add_account(p, by, name, role, scope, passphrase, at),
        );
        return done.map(|(v, _)| v);
    }
    add_account_with(path, by, name, role, scope, passphrase, at, None)
}

/// [`add_account`] with given salts (slot, hash) for a reproducible document.
#[allow(clippy::too_many_arguments)] // add_account's arguments and the salts
fn add_account_with(
    path: &Path,
    by: &SignedIn,
    name: &str,
    role: Role,
    scope: Option<&str>,
    passphrase: &str,
    at: Timestamp,
    salts: Option<([u8; 16], [u8; 16])>,
) -> Result<Account, StoreError> {
    check_name(path, name)?;
    check_passphrase(path, name, passphrase)?;
    require_admin(path, by, "add accounts")?;
    if role.is_scoped() != scope.is_some() {
        return Err(refused(
            path,
            if role.is_scoped() {
                format!(
                    "a {} needs --scope GRID_CODE (the grid they answer for)",
                    role.name_en()
                )
            } else {
                format!(
                    "only a grid worker has a --scope; {} has none",
                    role.name_en()
                )
            },
        ));
    }
    account_change(path, by, AuditAction::AccountAdd, name, at, |tx| {
        if let Some(code) = scope {
            let level: Option<i64> = tx
                .query_row(
                    "SELECT level FROM units WHERE code = ?1",
                    params![code],
                    |r| r.get(0),
                )
                .optional()
                .ctx(path, "reading the units")?;
            if level.is_none() {
                return Err(refused(
                    path,
                    format!("--scope {code}: no unit has this code"),
                ));
            }
        }
        if read_slot(tx, name)
            .ctx(path, "reading the accounts")?
            .is_some()
        {
            return Err(refused(
                path,
                format!("an account '{name}' exists already; nothing was changed"),
            ));
        }
        insert_account(
            tx,
            name,
            role,
            scope,
            passphrase,
            &by.key,
            at,
            salts.as_ref().map(|s| &s.0[..]),
            salts.as_ref().map(|s| &s.1[..]),
        )
        .ctx(path, "writing the account")?;
        let account = Account {
            name: name.to_owned(),
            role,
            scope: scope.map(str::to_owned),
            created_at: at.to_iso(),
        };
        let detail = match scope {
            Some(s) => format!("{} {s}", role.code()),
            None => role.code().to_owned(),
        };
        Ok((account, detail))
    })
}

fn require_admin(path: &Path, by: &SignedIn, what: &str) -> Result<(), StoreError> {
    if by.account.role != Role::Admin {
        return Err(refused(
            path,
            format!(
                "{} is a {}; only an admin may {what}; nothing was changed",
                by.account.name,
                by.account.role.name_en()
            ),
        ));
    }
    Ok(())
}

/// Removes an account and its key slot (by an admin; never the last admin).
pub fn remove_account(
    path: &Path,
    by: &SignedIn,
    name: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| remove_account(p, by, name, at),
        );
        return done.map(|(v, _)| v);
    }
    require_admin(path, by, "remove accounts")?;
    account_change(path, by, AuditAction::AccountRemove, name, at, |tx| {
        let slot = read_slot(tx, name)
            .ctx(path, "reading the accounts")?
            .ok_or_else(|| no_account(path, name))?;
        if slot.account.role == Role::Admin {
            let admins: i64 = tx
                .query_row(
                    "SELECT count(*) FROM gridatlas_accounts WHERE role = 'admin'",
                    [],
                    |r| r.get(0),
                )
                .ctx(path, "reading the accounts")?;
            if admins <= 1 {
                return Err(refused(
                    path,
                    format!(
                        "{name} is the last admin; add another admin first; nothing was changed"
                    ),
                ));
            }
        }
        tx.execute(
            "DELETE FROM gridatlas_accounts WHERE name = ?1",
            params![name],
        )
        .ctx(path, "removing the account")?;
        Ok(((), slot.account.role.code().to_owned()))
    })
}

/// Changes `name`'s passphrase (their own, or anyone's by an admin): one slot re-wrapped.
pub fn change_passphrase(
    path: &Path,
    by: &SignedIn,
    name: &str,
    new_passphrase: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        let done = crate::store::server::write_through(
            &url,
            crate::store::server::Tables::All,
            move |p| change_passphrase(p, by, name, new_passphrase, at),
        );
        return done.map(|(v, _)| v);
    }
    check_passphrase(path, name, new_passphrase)?;
    if by.account.name != name {
        require_admin(path, by, "change another account's passphrase")?;
    }
    account_change(path, by, AuditAction::PassphraseChange, name, at, |tx| {
        if read_slot(tx, name)
            .ctx(path, "reading the accounts")?
            .is_none()
        {
            return Err(no_account(path, name));
        }
        let (salt, wrapped) = by.key.wrap(new_passphrase, name);
        tx.execute(
            "UPDATE gridatlas_accounts SET passphrase_hash = ?2, key_salt = ?3, wrapped_key = ?4 WHERE name = ?1",
            params![name, sealing::hash_passphrase(new_passphrase), salt, wrapped],
        )
        .ctx(path, "writing the account")?;
        Ok(((), String::new()))
    })
}

/// Whether the document's personal columns are sealed (it names its cipher).
pub fn is_encrypted(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM gridatlas_meta WHERE key = ?1",
        params![CIPHER_KEY],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}
