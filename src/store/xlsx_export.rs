//! Excel exports (.xlsx, through rust_xlsxwriter): one sheet, a bold header, codes as text.
//! Numbers are written as numbers only when Excel keeps them exactly (at most 15 significant
//! digits, no leading zero): an 18-digit unit code written as a number would lose its last
//! digits the moment Excel opened it, so codes stay text.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::store::StoreError;
use crate::store::export::write_atomically;

/// Codes stay text whatever they look like: a 9- or 15-digit unit code written as a number
/// shows as 4.30181E+14 in Excel and loses its leading zeros elsewhere.
pub(crate) fn is_code_column(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains("code") || n.contains("编码") || n.contains("编号") || n == "phone"
}

pub(crate) fn as_exact_number(cell: &str) -> Option<f64> {
    let digits = cell.bytes().filter(u8::is_ascii_digit).count();
    let leading_zero = cell.starts_with('0') && !cell.starts_with("0.") && cell != "0";
    if digits == 0 || leading_zero || cell.starts_with('+') {
        return None;
    }
    // A decimal was written from an f64 in its shortest form, which reads back exactly; a
    // whole number longer than 15 digits is a code that a number would corrupt.
    if !cell.contains('.') && digits > 15 {
        return None;
    }
    cell.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The header and the cells of serde records as CSV would write them: one serialisation for
/// every tabular format.
pub(crate) fn table_of<T: serde::Serialize>(
    rows: &[T],
) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut bytes = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        for r in rows {
            w.serialize(r).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut all = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        all.push(record.iter().map(str::to_owned).collect::<Vec<_>>());
    }
    let mut all = all.into_iter();
    let header = all.next().unwrap_or_default();
    Ok((header, all.collect()))
}

/// Writes `rows` (serde records, as for CSV) to an .xlsx workbook with one sheet `sheet`.
///
/// `watermark` (an unmasked export's who, when and why) is the sheet's first row, above the
/// header: our importer and people both read past a title row.
pub fn export_xlsx<T: serde::Serialize>(
    path: &Path,
    sheet: &str,
    rows: &[T],
    watermark: Option<&str>,
) -> Result<(), StoreError> {
    let other = |e: String| StoreError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    };
    let (header, cells) = table_of(rows).map_err(other)?;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    {
        let ws = book.add_worksheet();
        ws.set_name(sheet).map_err(|e| other(e.to_string()))?;
        let first = u32::from(watermark.is_some());
        if let Some(m) = watermark {
            ws.write_string_with_format(0, 0, m, &bold)
                .map_err(|e| other(e.to_string()))?;
        }
        for (r, record) in std::iter::once(&header).chain(&cells).enumerate() {
            let row = u32::try_from(r).map_err(|e| other(e.to_string()))? + first;
            for (c, cell) in record.iter().enumerate() {
                let col = u16::try_from(c).map_err(|e| other(e.to_string()))?;
                let written = if r == 0 {
                    ws.write_string_with_format(row, col, cell, &bold)
                } else if let Some(x) = as_exact_number(cell)
                    .filter(|_| !is_code_column(header.get(c).map_or("", String::as_str)))
                {
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
