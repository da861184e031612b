//! Whether SQLite finds a file sound (its `integrity_check`), asked once per file and process
//! before the first write into it: a write into damaged b-trees could spread the damage, and
//! nothing written there could be trusted.
//!
//! Not `quick_check` (half the time): it does not compare indexes with their tables, and a write
//! (`assign` re-locating a household whose row an index has lost) would then go into a file
//! SQLite calls damaged.
//!
//! The check reads the whole file: 0.6 s on a county, 6 s on a city. A window opening a
//! document that needs no migration does not wait for it: once the document is read,
//! [`check_in_background`] starts it on a thread of its own (not before: on two cores it would
//! slow the read by as much as it saves), and the first write waits for that verdict rather
//! than asking again.
//! Each file has one lock, held for the whole of a check, so whoever comes second waits and
//! then finds the answer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::store::StoreError;
use crate::store::error::SqliteContext;

/// What is known of one file.
#[derive(Default)]
enum Verdict {
    #[default]
    Unknown,
    /// A check in the background was started and has not yet taken the lock.
    Starting,
    Sound,
    /// Found by a check in the background: handed to the next write, then forgotten, so the
    /// write after asks again (another program may have restored the file meanwhile).
    Damaged(String),
}

/// Per file (canonical path), under a lock held for the whole of a check.
static VERDICTS: Mutex<Option<HashMap<PathBuf, Arc<Mutex<Verdict>>>>> = Mutex::new(None);

fn key_of(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

fn cell_of(path: &Path) -> Arc<Mutex<Verdict>> {
    let mut all = VERDICTS.lock().unwrap_or_else(|e| e.into_inner());
    all.get_or_insert_with(HashMap::new)
        .entry(key_of(path))
        .or_default()
        .clone()
}

fn lock(cell: &Mutex<Verdict>) -> MutexGuard<'_, Verdict> {
    cell.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file this process built itself a moment ago (a server document's working copy): no need
/// to ask SQLite whether it is sound.
pub(crate) fn vouch_sound(path: &Path) {
    *lock(&cell_of(path)) = Verdict::Sound;
}

/// Forgets a file [`vouch_sound`] vouched for (a working copy, removed).
/// Call it while the file still exists (its name is resolved as when it was vouched for).
pub(crate) fn forget_sound(path: &Path) {
    let mut all = VERDICTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(all) = all.as_mut() {
        all.remove(&key_of(path));
    }
}

/// Refuses to write into a file whose b-trees SQLite reports damaged. `conn` is asked only if
/// no verdict is known; a check running on another thread is waited for.
pub(crate) fn refuse_if_corrupt(path: &Path, conn: &Connection) -> Result<(), StoreError> {
    let cell = cell_of(path);
    let mut verdict = lock(&cell);
    let damage = match std::mem::take(&mut *verdict) {
        Verdict::Sound => None,
        Verdict::Damaged(what) => Some(what),
        // A write that comes before the background check has begun does the check itself;
        // the background thread then finds the verdict known.
        Verdict::Unknown | Verdict::Starting => {
            summary(&sqlite_problems(conn, "integrity_check").ctx(path, "checking the file")?)
        }
    };
    match damage {
        None => {
            *verdict = Verdict::Sound;
            Ok(())
        }
        Some(what) => Err(StoreError::Corrupt {
            path: path.to_owned(),
            what,
        }),
    }
}

/// SQLite's first complaint and how many more, or `None` for a sound file.
fn summary(problems: &[String]) -> Option<String> {
    let first = problems.first()?;
    Some(match problems.len() - 1 {
        0 => first.clone(),
        n => format!("{first} (and {n} more)"),
    })
}

/// Starts the check of `path` on a thread of its own, on a read-only connection, unless a
/// verdict is known. What it finds is what the first write finds (and waits for).
pub fn check_in_background(path: &Path) {
    let path = path.to_owned();
    let cell = cell_of(&path);
    {
        let mut verdict = lock(&cell);
        if !matches!(*verdict, Verdict::Unknown) {
            return;
        }
        *verdict = Verdict::Starting;
    }
    std::thread::spawn(move || {
        let mut verdict = lock(&cell);
        if !matches!(*verdict, Verdict::Starting) {
            return;
        }
        // A check that cannot run leaves the question to the first write.
        *verdict = Verdict::Unknown;
        let found = crate::store::access::open_for_reading(&path)
            .and_then(|conn| sqlite_problems(&conn, "integrity_check"));
        if let Ok(problems) = found {
            *verdict = summary(&problems).map_or(Verdict::Sound, Verdict::Damaged);
        }
    });
}

/// What a check in the background found, once it has finished: `Ok` for a sound file, `Err`
/// with SQLite's first complaint for a damaged one; `None` while it runs (this never waits) or
/// when nothing is known. A window shows the damage at once, rather than at the first write
/// it refuses.
pub fn background_verdict(path: &Path) -> Option<Result<(), String>> {
    let cell = cell_of(path);
    let verdict = cell.try_lock().ok()?;
    match &*verdict {
        Verdict::Unknown | Verdict::Starting => None,
        Verdict::Sound => Some(Ok(())),
        Verdict::Damaged(what) => Some(Err(what.clone())),
    }
}

/// Waits for a check of `path` running on another thread, if any (a benchmark's next run must
/// not time it), including one started but not yet running.
pub fn wait_for_check(path: &Path) {
    let cell = cell_of(path);
    while matches!(*lock(&cell), Verdict::Starting) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// What SQLite's `integrity_check` or `quick_check` reports, without its "ok".
pub(crate) fn sqlite_problems(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let lines: Vec<String> = conn
        .prepare(&format!("PRAGMA {pragma}(100)"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // One finding per line (SQLite puts several in one row, under a "*** in database main ***"
    // heading that says nothing here).
    Ok(lines
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "ok" && !l.starts_with("*** in database"))
        .map(str::to_owned)
        .collect())
}
