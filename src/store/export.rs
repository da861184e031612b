//! Exports: CSV files for other tools (Excel on government desktops opens UTF-8 only with a
//! byte-order mark, so one is written). Written to a temporary file and renamed into place.

use std::io::Write;
use std::path::Path;

use crate::store::StoreError;

/// Writes a file through `fill` into `<path>.partial`, fsyncs it and renames it into place, so a
/// reader never sees half a file. Creates the directory if needed.
pub(crate) fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    {
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        fill(&mut file).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes `rows` (any serde-serializable records) as CSV with a header line.
pub fn export_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), StoreError> {
    export_csv_titled(path, None, rows)
}

/// [`export_csv`] with `title` (an unmasked export's watermark: who, when, why) as one quoted
/// field above the header: Excel shows it as the first row, our importer skips it as a title
/// row.
pub fn export_csv_titled<T: serde::Serialize>(
    path: &Path,
    title: Option<&str>,
    rows: &[T],
) -> Result<(), StoreError> {
    write_atomically(path, |file| {
        file.write_all("\u{feff}".as_bytes())?;
        if let Some(t) = title {
            file.write_all(format!("\"{}\"\r\n", t.replace('"', "\"\"")).as_bytes())?;
        }
        let mut writer = csv::Writer::from_writer(file);
        for row in rows {
            writer
                .serialize(row)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        writer.flush()
    })
}

/// Writes `text` (a GeoJSON document, say) as the file's whole content.
pub fn export_text(path: &Path, text: &str) -> Result<(), StoreError> {
    write_atomically(path, |file| file.write_all(text.as_bytes()))
}
