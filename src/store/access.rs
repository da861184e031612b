//! Whether a document may be written, and how to open it for reading so that reading never
//! needs to write.
//!
//! SQLite in WAL mode writes beside the file even to read (the `-shm` index), so in a folder
//! we may not write (a CD, a read-only share, an archive folder) `info` and `check` failed with
//! "attempt to write a readonly database". There, when no WAL is left beside the file, the file
//! is opened `immutable`: SQLite reads it as it is and creates nothing.
//!
//! The permission bits decide, also for root (whom the system would let write anyway): a file
//! or folder made read-only is an archive, not a draft.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;

/// Do the folder's permission bits allow writing? (For another user than its owner the bits
/// may allow what the system refuses: SQLite's own refusal is then the answer, see
/// `open_for_reading`.)
fn folder_writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Refuses a document that may not be written: the file's bits say read-only, or its folder
/// cannot take SQLite's journal.
pub(crate) fn ensure_may_write(path: &Path) -> Result<(), StoreError> {
    let read_only = std::fs::metadata(path)
        .map_err(|source| StoreError::Io {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .readonly();
    if read_only {
        return Err(StoreError::ReadOnly {
            path: path.to_owned(),
        });
    }
    if !folder_writable(folder_of(path)) {
        return Err(StoreError::ReadOnlyFolder {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Opens `path` for reading only, as a normal read-only connection (which sees other
/// writers' commits) where SQLite can keep its WAL index beside the file. Where it cannot — the
/// folder's bits say read-only, or SQLite itself finds it may not write there — and no WAL is
/// left beside the file, the file is opened immutable: read as it is, nothing created.
pub(crate) fn open_for_reading(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let wal = {
        let mut p = path.as_os_str().to_owned();
        p.push("-wal");
        std::path::PathBuf::from(p)
    };
    if wal.exists() {
        return Connection::open_with_flags(path, flags);
    }
    if folder_writable(folder_of(path)) {
        let conn = Connection::open_with_flags(path, flags)?;
        // The first read is what needs the WAL index: try it here.
        match conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen
                ) => {}
            _ => return Ok(conn),
        }
    }
    {
        let mut uri = String::from("file:");
        for b in path.to_string_lossy().bytes() {
            // Percent-encode what a URI path may not hold as it is.
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                uri.push(b as char);
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
        uri.push_str("?immutable=1");
        Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
    }
}
