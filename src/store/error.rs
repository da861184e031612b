use std::path::PathBuf;

/// Everything that can go wrong with a document, with a message that says which file, where
/// and what.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a GeoPackage or SQLite file (it does not start with the SQLite header)", path.display())]
    NotSqlite { path: PathBuf },
    #[error("{}: the file is truncated: its header says {expected} bytes ({pages} pages of {page_size}), but it has {actual}", path.display())]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
        pages: u64,
        page_size: u64,
    },
    #[error("{}: a SQLite file but not a GeoPackage (application_id is {found:#010x}, expected 0x47504b47 'GPKG')", path.display())]
    NotGeoPackage { path: PathBuf, found: u32 },
    #[error("{}: a GeoPackage but not a GridAtlas document: {what}", path.display())]
    NotGridAtlas { path: PathBuf, what: String },
    #[error("{}: written by a newer GridAtlas (schema version {found}; this program reads up to {supported}); update GridAtlas to open it", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{}: table '{table}' is missing", path.display())]
    MissingTable { path: PathBuf, table: String },
    #[error("{}: table '{table}' has no column '{column}'", path.display())]
    MissingColumn {
        path: PathBuf,
        table: String,
        column: String,
    },
    // `what` may quote a damaged cell; its control characters are shown escaped so that the
    // error stays one line.
    #[error("{}: {table} row id {id}: {}", path.display(), one_line(what))]
    BadRow {
        path: PathBuf,
        table: &'static str,
        id: i64,
        what: String,
    },
    #[error("{}: the file is read-only; nothing was written (make it writable, or work on a copy)", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{}: its folder is read-only, and SQLite writes its journal beside the file; nothing was written (work on a copy in a folder you may write)", path.display())]
    ReadOnlyFolder { path: PathBuf },
    /// SQLite reports the file damaged; nothing is written into it.
    #[error("{}: SQLite reports the file damaged ({what}); nothing was written — restore a backup or run `gridatlas check` for details", path.display())]
    Corrupt { path: PathBuf, what: String },
    /// Another program changed what this write was based on; nothing was written.
    #[error("{}: {what}", path.display())]
    Conflict { path: PathBuf, what: String },
    /// An account, passphrase or permission check said no; nothing was written.
    #[error("{}: {what}", path.display())]
    Refused { path: PathBuf, what: String },
    /// On a server: another seat committed a change to the case since this seat read it.
    #[error("{}: case {case} was changed by {by} at {at} since it was read (已被 {by} 于 {at} 修改); nothing was written — it is shown as it is now", path.display())]
    Stale {
        path: PathBuf,
        case: String,
        by: String,
        at: String,
    },
    /// The server could not be reached, or the connection broke before the write began or
    /// while it was read: nothing was written.
    #[error("{}: the server is unreachable ({what}); nothing was written", path.display())]
    Unreachable { path: PathBuf, what: String },
    /// The connection broke while a write was being committed: whether it was written is
    /// only known once the server is back (the window then says which).
    #[error("{}: the connection to the server broke while the change was being committed; whether it was written is checked as soon as the server is back", path.display())]
    InDoubt { path: PathBuf },
    #[error("{}: {context}: {}", path.display(), server_message(source))]
    Server {
        path: PathBuf,
        context: &'static str,
        source: postgres::Error,
    },
    #[error("{}: already exists; choose another name or pass --force to replace it", path.display())]
    Exists { path: PathBuf },
    #[error("{}: {context}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        context: &'static str,
        source: rusqlite::Error,
    },
}

/// Attaches the file and what was being done to a SQLite error.
pub(crate) trait SqliteContext<T> {
    fn ctx(self, path: &std::path::Path, context: &'static str) -> Result<T, StoreError>;
}

impl<T> SqliteContext<T> for Result<T, rusqlite::Error> {
    fn ctx(self, path: &std::path::Path, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite {
            path: path.to_owned(),
            context,
            source,
        })
    }
}

/// The server's own words (its message and detail), not the client's wrapping.
fn server_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}

/// Text quoted from a file, with control characters (a line break in a damaged name) escaped.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
