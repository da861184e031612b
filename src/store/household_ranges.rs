//! Households are most of a document — 4.2 million rows in a prefecture city's — and decoding
//! them was most of an open. They are read in id ranges, on threads of their own, while the
//! connection that holds the read snapshot reads the other tables. Every range must come from
//! that same snapshot; how a source makes sure is its own: a file compares the change log's
//! last entry (`FileHouseholds`), a server imports the exported snapshot
//! (`server::mirror::ServerHouseholds`). A range a file source cannot read from the snapshot is
//! read on the main connection afterwards, so a commit racing the open costs time, never
//! consistency.

use rustc_hash::FxHashSet;
use std::path::Path;

use crate::model::{Household, UnitId};
use crate::store::StoreError;
use crate::store::error::SqliteContext;

/// Fewer households than this are read on the main connection (threads would cost more).
const PARALLEL_FROM: i64 = 200_000;

/// Where the households of a read come from, range by range.
pub(crate) trait HouseholdSource: Sync {
    /// The smallest and largest id and the count, as the snapshot holds them; `None` when this
    /// source cannot see the snapshot (the main connection then reads every household).
    fn bounds(&self) -> Result<Option<(i64, i64, i64)>, StoreError>;

    /// The households with ids in `from..=to`, decoded by the file's reader; `None` when this
    /// source cannot see the snapshot.
    fn range(
        &self,
        from: i64,
        to: i64,
        units: &FxHashSet<UnitId>,
    ) -> Result<Option<Vec<Household>>, StoreError>;
}

/// The households (from `source`, in ranges on as many threads as there are cores, or through
/// `main` with a WHERE clause) and what `rest` reads meanwhile on the calling thread.
pub(crate) fn read_beside<R>(
    source: &dyn HouseholdSource,
    units: &FxHashSet<UnitId>,
    main: impl Fn(&str) -> Result<Vec<Household>, StoreError>,
    rest: impl FnOnce() -> Result<R, StoreError>,
) -> Result<(Vec<Household>, R), StoreError> {
    read_beside_from(source, units, main, rest, PARALLEL_FROM)
}

fn read_beside_from<R>(
    source: &dyn HouseholdSource,
    units: &FxHashSet<UnitId>,
    main: impl Fn(&str) -> Result<Vec<Household>, StoreError>,
    rest: impl FnOnce() -> Result<R, StoreError>,
    parallel_from: i64,
) -> Result<(Vec<Household>, R), StoreError> {
    let Some((lo, hi, count)) = source.bounds()? else {
        return Ok((main("")?, rest()?));
    };
    if count < parallel_from {
        // Small enough for one thread; the source still reads it (a server's main mirror
        // holds no households).
        let households = match source.range(lo, hi, units)? {
            Some(h) => h,
            None => main("")?,
        };
        return Ok((households, rest()?));
    }
    let parts = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)) as i64;
    let span = (hi - lo) / parts + 1;
    let ranges: Vec<(i64, i64)> = (0..parts)
        .map(|k| (lo + k * span, (lo + (k + 1) * span - 1).min(hi)))
        .filter(|(a, b)| a <= b)
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(a, b)| s.spawn(move || source.range(a, b, units)))
            .collect();
        let others = rest();
        let mut households: Vec<Household> = Vec::new();
        for (handle, (a, b)) in handles.into_iter().zip(&ranges) {
            let part = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            let part = match part {
                Some(h) => h,
                None => main(&format!("WHERE id BETWEEN {a} AND {b}"))?,
            };
            if households.is_empty() {
                // The first range is the start of the whole: grown in place (a large block's
                // realloc remaps its pages), not copied into a fresh 770 MB block.
                households = part;
                households.reserve_exact((count as usize).saturating_sub(households.len()));
            } else {
                households.extend(part);
            }
        }
        Ok((households, others?))
    })
}

/// A file's households, each range on a connection of its own whose snapshot is the main
/// one's: the change log's last entry is the same (every commit that touches households
/// adds one), checked before the range is read.
pub(crate) struct FileHouseholds<'a> {
    pub path: &'a Path,
    pub seq: i64,
}

impl FileHouseholds<'_> {
    /// A read transaction on a new connection, if it sees the main snapshot.
    fn pinned<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let path = self.path;
        let conn = crate::store::access::open_for_reading(path).ctx(path, "opening")?;
        let tx = conn
            .unchecked_transaction()
            .ctx(path, "starting the read")?;
        let seq =
            crate::store::change_log::snapshot_seq(&tx).ctx(path, "reading the change log")?;
        if seq != self.seq {
            return Ok(None);
        }
        read(&tx).map(Some)
    }
}

impl HouseholdSource for FileHouseholds<'_> {
    fn bounds(&self) -> Result<Option<(i64, i64, i64)>, StoreError> {
        self.pinned(|conn| {
            conn.query_row(
                "SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM households",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ctx(self.path, "reading")
        })
    }

    fn range(
        &self,
        from: i64,
        to: i64,
        units: &FxHashSet<UnitId>,
    ) -> Result<Option<Vec<Household>>, StoreError> {
        self.pinned(|conn| {
            crate::store::read::households_where(
                conn,
                self.path,
                units,
                &format!("WHERE id BETWEEN {from} AND {to}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn township_file() -> (tempfile::TempDir, std::path::PathBuf, crate::model::Dataset) {
        let d = crate::demo::generate(
            &crate::demo::DemoParams {
                scale: crate::demo::Scale::Township,
                seed: 3,
                as_of: crate::model::Timestamp::parse("2026-11-01").unwrap(),
                cases: None,
            },
            &|_, _| {},
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.gpkg");
        crate::store::create(&path, &d, false).unwrap();
        (dir, path, d)
    }

    fn read(path: &Path, seq_offset: i64) -> (Vec<Household>, usize) {
        let conn = crate::store::open_validated(path).unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        let seq = crate::store::change_log::snapshot_seq(&tx).unwrap();
        let units: FxHashSet<UnitId> = crate::store::load(path)
            .unwrap()
            .units
            .iter()
            .map(|u| u.id)
            .collect();
        let source = FileHouseholds {
            path,
            seq: seq + seq_offset,
        };
        let main_calls = std::cell::Cell::new(0);
        let (households, rest) = read_beside_from(
            &source,
            &units,
            |filter| {
                main_calls.set(main_calls.get() + 1);
                crate::store::read::households_where(&tx, path, &units, filter)
            },
            || Ok(7),
            0,
        )
        .unwrap();
        assert_eq!(rest, 7);
        (households, main_calls.get())
    }

    #[test]
    fn households_read_in_ranges_on_threads_are_the_households_in_order() {
        let (_dir, path, d) = township_file();
        let (households, main_calls) = read(&path, 0);
        assert_eq!(main_calls, 0, "every range came from the threads");
        assert_eq!(households, d.households);
    }

    #[test]
    fn a_source_that_does_not_see_the_snapshot_leaves_the_reading_to_the_main_connection() {
        let (_dir, path, d) = township_file();
        // A change log ahead of the one the threads see: as if another program committed
        // between the main read's start and theirs.
        let (households, main_calls) = read(&path, 1);
        assert_eq!(main_calls, 1);
        assert_eq!(households, d.households);
    }
}
