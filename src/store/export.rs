//! Exports: CSV files for other tools (Excel on government desktops opens UTF-8 only with a
//! byte-order mark, so one is written). Written to a temporary file and renamed into place.

use std::io::Write;
use std::path::Path;

use crate::store::StoreError;

/// Writes `rows` (any serde-serializable records) as CSV with a header line.
pub fn export_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("csv.partial");
    {
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all("\u{feff}".as_bytes()).map_err(io)?;
        let mut writer = csv::Writer::from_writer(&mut file);
        for row in rows {
            writer
                .serialize(row)
                .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        }
        writer.flush().map_err(io)?;
        drop(writer);
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}
