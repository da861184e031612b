//! Signing in to a server document: the account slots are read through a mirror and opened by
//! the file's own code (`store::accounts`); the sign-in goes into the server's audit chain.

use rusqlite::Connection;

use crate::model::Timestamp;
use crate::store::error::SqliteContext;
use crate::store::server::{ServerContext, ServerUrl, case_writes, connect, mirror};
use crate::store::{AuditEvent, SignedIn, StoreError};

fn accounts_mirror(url: &ServerUrl) -> Result<Connection, StoreError> {
    let mut client = connect(url)?;
    let conn = Connection::open_in_memory().ctx(&url.label(), "building the mirror")?;
    mirror::mirror_tables(
        &mut client,
        url,
        &conn,
        &["gridatlas_accounts", "gridatlas_meta"],
    )?;
    Ok(conn)
}

/// Whether the server document has accounts (and so sealed personal data).
pub fn has_accounts(url: &ServerUrl) -> Result<bool, StoreError> {
    let conn = accounts_mirror(url)?;
    crate::store::accounts::count_accounts(&conn)
        .map(|n| n > 0)
        .ctx(&url.label(), "reading the accounts")
}

/// Checks `name`'s passphrase and opens their slot; records the sign-in in the audit log.
pub fn sign_in(
    url: &ServerUrl,
    name: &str,
    passphrase: &str,
    at: Timestamp,
) -> Result<SignedIn, StoreError> {
    let conn = accounts_mirror(url)?;
    let signed = crate::store::accounts::open_slot(&conn, &url.label(), name, passphrase)?;
    record_audit(
        url,
        &AuditEvent::sign_in(name, signed.account.role.code(), at),
    )?;
    Ok(signed)
}

/// Appends one audit entry in a transaction of its own (a sign-in, a reveal, an export), under
/// the write lock so that two seats never take the same place in the chain.
pub fn record_audit(url: &ServerUrl, e: &AuditEvent) -> Result<i64, StoreError> {
    let mut client = connect(url)?;
    let mut tx = client.transaction().sctx(url, "starting the audit entry")?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&crate::store::server::schema::WRITE_LOCK],
    )
    .sctx(url, "waiting for the write lock")?;
    let seq = case_writes::append_audit(&mut tx, url, e)?;
    tx.commit().sctx(url, "committing the audit entry")?;
    Ok(seq)
}
