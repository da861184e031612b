//! Excel exports (.xlsx, through rust_xlsxwriter): one sheet, a bold header, codes as text.
//! Numbers are written as numbers only when Excel keeps them exactly (at most 15 significant
//! digits, no leading zero): an 18-digit unit code written as a number would lose its last
//! digits the moment Excel opened it, so codes stay text.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::store::StoreError;
use crate::store::export::write_atomically;

fn as_exact_number(cell: &str) -> Option<f64> {
    let digits = cell.bytes().filter(u8::is_ascii_digit).count();
    let leading_zero = cell.starts_with('0') && !cell.starts_with("0.") && cell != "0";
    if digits == 0 || digits > 15 || leading_zero || cell.starts_with('+') {
        return None;
    }
    cell.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Writes `rows` (serde records, as for CSV) to an .xlsx workbook with one sheet `sheet`.
pub fn export_xlsx<T: serde::Serialize>(
    path: &Path,
    sheet: &str,
    rows: &[T],
) -> Result<(), StoreError> {
    let other = |e: String| StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    };
    // The header and cells as CSV would write them: one serialisation for both formats.
    let mut csv_bytes = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut csv_bytes);
        for r in rows {
            w.serialize(r).map_err(|e| other(e.to_string()))?;
        }
        w.flush().map_err(|e| other(e.to_string()))?;
    }
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    {
        let ws = book.add_worksheet();
        ws.set_name(sheet).map_err(|e| other(e.to_string()))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_bytes.as_slice());
        for (r, record) in reader.records().enumerate() {
            let record = record.map_err(|e| other(e.to_string()))?;
            let row = u32::try_from(r).map_err(|e| other(e.to_string()))?;
            for (c, cell) in record.iter().enumerate() {
                let col = u16::try_from(c).map_err(|e| other(e.to_string()))?;
                let written = if r == 0 {
                    ws.write_string_with_format(row, col, cell, &bold)
                } else if let Some(x) = as_exact_number(cell) {
                    ws.write_number(row, col, x)
                } else {
                    ws.write_string_with_format(row, col, cell, &text)
                };
                written.map_err(|e| other(e.to_string()))?;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(|e| other(e.to_string()))?;
    write_atomically(path, |f| std::io::Write::write_all(f, &bytes))
}
