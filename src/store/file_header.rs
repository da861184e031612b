//! Checks on the raw bytes of a file before SQLite sees it, so that a file that is not a
//! database, or a database cut short by a failed copy, gets a precise error and is never
//! touched (SQLite itself would report "file is not a database" or, worse, read a truncated
//! file as partly empty).

use std::io::Read;
use std::path::Path;

use crate::store::StoreError;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub fn check(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let actual = file.metadata().map_err(io)?.len();
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]).map_err(io)? {
            0 => break,
            n => read += n,
        }
    }
    if read < header.len() || &header[..16] != MAGIC {
        return Err(StoreError::NotSqlite {
            path: path.to_owned(),
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => n as u64,
    };
    let pages = u32::from_be_bytes([header[28], header[29], header[30], header[31]]) as u64;
    // The in-header page count is valid only when "version-valid-for" equals the change
    // counter (SQLite file format §1.3.7); older writers leave it stale.
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    // With a write-ahead log beside the file, the header may already carry the size a
    // checkpoint was growing the file to when it was interrupted (a kill, a power cut): the
    // pages are in the log and SQLite reads them from there. The judgement is then SQLite's own
    // (its open and `quick_check`), not this count.
    let wal = {
        let mut p = path.as_os_str().to_owned();
        p.push("-wal");
        std::fs::metadata(std::path::PathBuf::from(p)).is_ok_and(|m| m.len() > 0)
    };
    if change_counter == valid_for && pages > 0 && !wal {
        let expected = pages * page_size;
        if actual < expected {
            return Err(StoreError::Truncated {
                path: path.to_owned(),
                expected,
                actual,
                pages,
                page_size,
            });
        }
    }
    if page_size == 0 || (actual % page_size != 0 && !wal) {
        return Err(StoreError::Truncated {
            path: path.to_owned(),
            expected: actual.div_ceil(page_size.max(1)) * page_size.max(1),
            actual,
            pages: actual / page_size.max(1),
            page_size,
        });
    }
    Ok(())
}
