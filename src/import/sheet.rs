//! Reading a roster as people keep it: an Excel workbook (.xlsx/.xls, through calamine) or a
//! "CSV" that Excel saved — UTF-8 with or without a byte-order mark, or GBK, with CRLF or LF.
//! Title rows above the header are skipped (the header is the first row that names at least
//! two known columns); blank rows are ignored. Rows keep the number Excel shows.

use std::path::Path;

/// One cell, keeping whether Excel stored it as a number (an 18-digit code stored as a number
/// has already lost its last digits, and the user must be told).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as text (numbers without a trailing ".0").
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e21 => format!("{x:.0}"),
            Cell::Number(x) => x.to_string(),
        }
    }
}

pub struct Sheet {
    /// How problems name it: `households.xlsx 住户`, `households.csv`.
    pub label: String,
    /// The header's cells, normalised (trimmed, lower case).
    pub columns: Vec<String>,
    /// (row number as Excel or a text editor shows it, cells).
    pub rows: Vec<(usize, Vec<Cell>)>,
}

impl Sheet {
    /// The column whose header is one of `names` (compared trimmed, without case).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| names.iter().any(|n| c.eq_ignore_ascii_case(n)))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads `path` (by extension) and finds the header among the first 20 rows: the first row
/// naming at least two of `known` (every alias of every column).
pub fn read_sheet(path: &Path, sheet: Option<&str>, known: &[&str]) -> Result<Sheet, String> {
    let name = file_name(path);
    if !path.exists() {
        return Err(format!("{}: no such file", path.display()));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (label, grid) = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, &name, sheet)?,
        "csv" | "txt" => (name.clone(), read_csv(path, &name)?),
        _ => {
            return Err(format!(
                "{name}: read an Excel workbook (.xlsx) or a .csv file"
            ));
        }
    };
    let is_known = |c: &Cell| {
        let t = c.text().to_lowercase();
        known.iter().any(|k| k.eq_ignore_ascii_case(&t))
    };
    let header = grid
        .iter()
        .take(20)
        .position(|(_, cells)| cells.iter().filter(|c| is_known(c)).count() >= 2)
        .ok_or_else(|| {
            format!(
                "{label}: no header row found in the first 20 rows (expected column names such as {})",
                known.iter().take(4).copied().collect::<Vec<_>>().join(", ")
            )
        })?;
    let columns: Vec<String> = grid[header]
        .1
        .iter()
        .map(|c| c.text().to_lowercase())
        .collect();
    let rows = grid
        .into_iter()
        .skip(header + 1)
        .filter(|(_, cells)| cells.iter().any(|c| !c.text().is_empty()))
        .collect();
    Ok(Sheet {
        label,
        columns,
        rows,
    })
}

type Grid = Vec<(usize, Vec<Cell>)>;

fn read_workbook(path: &Path, name: &str, sheet: Option<&str>) -> Result<(String, Grid), String> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).map_err(|e| format!("{name}: not a workbook: {e}"))?;
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(s) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| {
            format!(
                "{name}: has no sheet '{s}' (its sheets: {})",
                names.join(", ")
            )
        })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format!("{name}: has no sheet"))?,
    };
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| format!("{name} {chosen}: {e}"))?;
    // Row numbers as Excel shows them: the range may start below row 1.
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let grid = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let cells = row
                .iter()
                .map(|d| match d {
                    Data::Empty => Cell::Empty,
                    Data::Int(n) => Cell::Number(*n as f64),
                    Data::Float(x) => Cell::Number(*x),
                    Data::String(s) => Cell::Text(s.clone()),
                    Data::Bool(b) => Cell::Text(b.to_string()),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                    Data::DateTime(t) => Cell::Number(t.as_f64()),
                    Data::Error(e) => Cell::Text(format!("#{e:?}")),
                })
                .collect();
            (first_row as usize + i + 1, cells)
        })
        .collect();
    Ok((format!("{name} {chosen}"), grid))
}

fn read_csv(path: &Path, name: &str) -> Result<Grid, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    // Excel on a Chinese desktop saves "CSV" in GBK; a BOM or valid UTF-8 means UTF-8.
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).to_owned(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GBK.decode(&bytes);
            if bad {
                return Err(format!("{name}: neither UTF-8 nor GBK text"));
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{name}: {e}"))?;
        let line = record
            .position()
            .map_or(grid.len() + 1, |p| p.line() as usize);
        let cells = record
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_owned())
                }
            })
            .collect();
        grid.push((line, cells));
    }
    Ok(grid)
}
