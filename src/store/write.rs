//! Writing a whole document: into a temporary file beside the target, in one transaction, then
//! fsync and an atomic rename. A crash or kill at any moment leaves either the old file or the
//! new one, never half of either.

use std::path::{Path, PathBuf};

use geo::BoundingRect;
use rusqlite::{Connection, params};

use crate::model::{Case, CaseEvent, Dataset};
use crate::store::error::SqliteContext;
use crate::store::{StoreError, geometry, schema};

/// Removes the temporary file unless the write completed.
struct PartialFile {
    path: PathBuf,
    done: bool,
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.done {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.to_owned().into_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// Removes the temporary files a killed earlier write of `path` left behind (`.NAME.partial-PID`
/// and its journal files): only ours, and only when their process is gone (on Linux, no
/// `/proc/PID`; elsewhere, untouched for an hour). Thirty kills of `demo --force` left 1.5 GB.
fn remove_stale_partials(path: &Path, file_name: &str) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let prefix = format!(".{file_name}.partial-");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let gone = if cfg!(target_os = "linux") {
            !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(3600))
        };
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `dataset` as a new document at `path`. Refuses to replace an existing file unless
/// `replace` is set.
pub fn create(path: &Path, dataset: &Dataset, replace: bool) -> Result<(), StoreError> {
    if path.exists() && !replace {
        return Err(StoreError::Exists {
            path: path.to_owned(),
        });
    }
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    remove_stale_partials(path, &file_name);
    let tmp = path.with_file_name(format!(".{file_name}.partial-{}", std::process::id()));
    let mut guard = PartialFile {
        path: tmp.clone(),
        done: false,
    };
    let _ = std::fs::remove_file(&tmp);

    {
        let mut conn = Connection::open(&tmp).ctx(&tmp, "creating the file")?;
        // No journal while building: if this is interrupted the temporary file is discarded.
        conn.execute_batch(
            "PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;",
        )
        .ctx(&tmp, "configuring the new file")?;
        crate::store::sql_functions::register(&conn).ctx(&tmp, "registering SQL functions")?;
        let tx = conn.transaction().ctx(&tmp, "starting the write")?;
        // References are checked when the whole document is in, not row by row: after a plan
        // has made new grids, micro-grids with smaller ids have parents with larger ones.
        tx.execute_batch("PRAGMA defer_foreign_keys=ON")
            .ctx(&tmp, "configuring the new file")?;
        write_all(&tx, dataset).ctx(&tmp, "writing")?;
        tx.commit().ctx(&tmp, "committing")?;
        // The document is used in WAL mode from now on (persisted in the file header).
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .ctx(&tmp, "switching to WAL")?;
        debug_assert_eq!(mode, "wal");
        conn.close().map_err(|(_, e)| e).ctx(&tmp, "closing")?;
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    if replace {
        // A stale WAL of the replaced file must not be replayed into the new one.
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sidecar(path, suffix));
        }
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    guard.done = true;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable; not all platforms allow opening a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Per-layer extents for gpkg_contents, [min_x, min_y, max_x, max_y].
pub(crate) struct Bounds {
    pub units: Option<[f64; 4]>,
    pub households: Option<[f64; 4]>,
    pub cases: Option<[f64; 4]>,
}

fn extent(rects: impl Iterator<Item = geo_types::Rect<f64>>) -> Option<[f64; 4]> {
    rects
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

fn write_all(conn: &Connection, d: &Dataset) -> rusqlite::Result<()> {
    let bounds = Bounds {
        units: extent(d.units.iter().filter_map(|u| u.geometry.bounding_rect())),
        households: extent(d.households.iter().map(|h| h.location.bounding_rect())),
        cases: extent(d.cases.iter().map(|c| c.location.bounding_rect())),
    };
    // Fixed by the data, not the clock, so that the same data gives the same file; written
    // with milliseconds as GeoPackage asks (`%Y-%m-%dT%H:%M:%fZ`, GDAL's validator Req 15).
    let iso = d.meta.as_of.to_iso();
    let last_change = match iso.strip_suffix('Z') {
        Some(t) if t.len() == 19 => format!("{t}.000Z"),
        _ => iso,
    };
    schema::create_empty(conn, &last_change, &bounds)?;
    let to_sql_err = |e: String| rusqlite::Error::ToSqlConversionFailure(e.into());

    let mut meta = conn.prepare("INSERT INTO gridatlas_meta VALUES (?1, ?2)")?;
    meta.execute(params!["title", d.meta.title])?;
    meta.execute(params!["provenance", d.meta.provenance])?;
    meta.execute(params!["as_of", d.meta.as_of.to_iso()])?;
    meta.execute(params!["time_zone", d.meta.time_zone.name()])?;
    for (category, hours) in &d.meta.deadline_hours {
        meta.execute(params![
            format!("deadline_hours.{category}"),
            hours.to_string()
        ])?;
    }

    let mut stmt = conn.prepare(
        "INSERT INTO units (id, geom, level, parent_id, code, name) VALUES (?1,?2,?3,?4,?5,?6)",
    )?;
    for u in &d.units {
        let blob = geometry::encode_multipolygon(&u.geometry).map_err(to_sql_err)?;
        stmt.execute(params![
            u.id.0,
            blob,
            u.level.number(),
            u.parent.map(|p| p.0),
            u.code,
            u.name
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO workers (id, name, phone, role, unit_id, party_member, retired_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?;
    for w in &d.workers {
        stmt.execute(params![
            w.id.0,
            w.name,
            w.phone,
            w.role.code(),
            w.unit.0,
            w.party_member,
            w.retired_at.map(|t| t.to_iso())
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO households (id, geom, code, address, head_name, phone, members, tags, unit_id, party_member_id)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for h in &d.households {
        let blob = geometry::encode_point(h.location).map_err(to_sql_err)?;
        stmt.execute(params![
            h.id.0,
            blob,
            h.code,
            h.address,
            h.head_name,
            h.phone,
            h.members,
            tags_column(h),
            h.unit.map(|u| u.0),
            h.party_contact.map(|w| w.0)
        ])?;
    }
    write_cases(conn, &d.cases)?;
    write_case_events(conn, &d.case_events)?;
    // The spatial index is built once over the rows, then its triggers keep it exact.
    crate::store::spatial_index::ensure_all(conn)?;
    // The change log starts empty: its triggers are created after the document's own rows.
    conn.execute_batch(&crate::store::change_log::change_log_sql())?;
    Ok(())
}

/// A household's `tags` column: the known tags, then the unknown words a user typed, kept.
pub(crate) fn tags_column(h: &crate::model::Household) -> String {
    std::iter::once(h.tags.encode())
        .chain(h.unknown_tags.iter().cloned())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Inserts new cases (never replaces one: a row another program wrote is not ours to overwrite).
pub(crate) fn write_cases(conn: &Connection, cases: &[Case]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO cases (id, geom, code, category, title, description, status, level, reporter,
           handler_id, reported_at, accepted_at, due_at, closed_at, unit_id)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    )?;
    for c in cases {
        let blob = geometry::encode_point(c.location)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        stmt.execute(params![
            c.id.0,
            blob,
            c.code,
            c.category.to_string(),
            c.title,
            c.description,
            c.status.code(),
            c.level.number(),
            c.reporter,
            c.handler.map(|w| w.0),
            c.reported_at.to_iso(),
            c.accepted_at.map(|t| t.to_iso()),
            c.due_at.map(|t| t.to_iso()),
            c.closed_at.map(|t| t.to_iso()),
            c.unit.map(|u| u.0)
        ])?;
    }
    Ok(())
}

/// Appends history entries (the history is never rewritten).
pub(crate) fn write_case_events(conn: &Connection, events: &[CaseEvent]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO case_events (id, case_id, at, actor, action, from_status, to_status, from_level, to_level, note)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for e in events {
        stmt.execute(params![
            e.id.0,
            e.case_id.0,
            e.at.to_iso(),
            e.actor,
            e.action.code(),
            e.from_status.map(|s| s.code()),
            e.to_status.code(),
            e.from_level.number(),
            e.to_level.number(),
            e.note
        ])?;
    }
    Ok(())
}
