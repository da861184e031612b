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
    write_atomically(path, |file| {
        file.write_all("\u{feff}".as_bytes())?;
        let mut writer = csv::Writer::from_writer(file);
        for row in rows {
            writer
                .serialize(row)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        writer.flush()
    })
}

/// Puts `line` (an unmasked export's watermark) above the header of the CSV at `path`, as
/// one quoted field: Excel shows it as the first row, our importer skips it as a title row.
pub fn watermark_csv(path: &Path, line: &str) -> Result<(), StoreError> {
    let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let quoted = format!("\"{}\"", line.replace('"', "\"\""));
    write_atomically(path, |file| {
        file.write_all(format!("\u{feff}{quoted}\r\n{body}").as_bytes())
    })
}

/// Adds a top-level `watermark` member (RFC 7946 §6.1 foreign member) to the GeoJSON at `path`.
pub fn watermark_geojson(path: &Path, line: &str) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| io(std::io::Error::other(e)))?;
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "watermark".into(),
            serde_json::Value::String(line.to_owned()),
        );
    }
    export_text(path, &v.to_string())
}

/// Writes `text` (a GeoJSON document, say) as the file's whole content.
pub fn export_text(path: &Path, text: &str) -> Result<(), StoreError> {
    write_atomically(path, |file| file.write_all(text.as_bytes()))
}
