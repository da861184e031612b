//! Reading cases from another system's CSV export (the columns are a public interface, see the
//! README). Every row is checked before anything is used: the result is either every case or
//! the list of problems, each naming the file, line and field — an import is all or nothing.

use std::path::Path;

use geo_types::Point;

use crate::model::{CategoryCode, Timestamp};
use crate::store::CoordinateDatum;

/// One row, validated, with its location in WGS84.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCase {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    pub category: CategoryCode,
    pub title: String,
    pub description: String,
    pub reporter: String,
    pub reported_at: Timestamp,
    pub location: Point<f64>,
}

pub const REQUIRED_COLUMNS: [&str; 5] =
    ["category", "title", "reported_at", "longitude", "latitude"];

/// The longest text a column may hold, in characters (documented in the README): a case title
/// is a line on a list and a pin's label, not a document.
pub const TEXT_LIMITS: [(&str, usize); 3] =
    [("title", 200), ("description", 4000), ("reporter", 100)];

/// At most this many problems are listed; more are counted.
const MAX_PROBLEMS: usize = 20;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.lines())]
pub struct ImportError {
    pub problems: Vec<String>,
    /// Problems beyond those listed.
    pub more: usize,
}

impl ImportError {
    fn lines(&self) -> String {
        let mut text = self.problems.join("\n");
        if self.more > 0 {
            text.push_str(&format!("\n… and {} more problems", self.more));
        }
        text.push_str("\nnothing was imported");
        text
    }
}

/// Parses and checks the whole file. The header names the columns (any order; extra columns
/// are ignored); a UTF-8 byte-order mark (Excel) is skipped.
pub fn read_cases_csv(
    path: &Path,
    datum: CoordinateDatum,
    tz: &crate::model::TimeZone,
) -> Result<Vec<ImportedCase>, ImportError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let one = |p: String| ImportError {
        problems: vec![p],
        more: 0,
    };
    let bytes = std::fs::read(path).map_err(|e| one(format!("{name}: cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| one(format!("{name}: not UTF-8 text (byte {})", e.valid_up_to())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| one(format!("{name} line 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |c: &str| header.iter().position(|h| h == c);
    // A column named twice: which one is meant cannot be guessed.
    for column in REQUIRED_COLUMNS.iter().chain(&["description", "reporter"]) {
        let at: Vec<String> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h == column)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if at.len() > 1 {
            return Err(one(format!(
                "{name} line 1: column {column} appears {} times (columns {}); keep one",
                at.len(),
                at.join(", ")
            )));
        }
    }
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .into_iter()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(one(format!(
            "{name} line 1: missing column(s) {}; the header needs {}",
            missing.join(", "),
            REQUIRED_COLUMNS.join(", ")
        )));
    }
    let [category, title, reported_at, lon, lat] = REQUIRED_COLUMNS.map(|c| col(c).unwrap_or(0));
    let (description, reporter) = (col("description"), col("reporter"));
    let mut problems = Vec::new();
    let mut more = 0;
    let mut cases = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let mut row: Vec<String> = Vec::new();
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                // Wrong number of fields, bad quoting: the fields cannot be trusted.
                row.push(e.to_string());
                Default::default()
            }
        };
        let malformed = !row.is_empty();
        let mut problem = |p: String| {
            if !malformed {
                row.push(p)
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let cat = CategoryCode::parse(field(category));
        if cat.is_none() {
            problem(format!(
                "category {:?} is not a known code (MM.NN, e.g. 06.02)",
                field(category)
            ));
        }
        if field(title).is_empty() {
            problem("title is empty".into());
        }
        for (column, limit) in TEXT_LIMITS {
            let value = match column {
                "title" => Some(field(title)),
                "description" => description.map(field),
                _ => reporter.map(field),
            };
            let length = value.map_or(0, |v| v.chars().count());
            if length > limit {
                problem(format!(
                    "{column} is {length} characters long; at most {limit}"
                ));
            }
        }
        let at = tz.parse(field(reported_at)).ok();
        if at.is_none() {
            problem(format!(
                "reported_at {:?} is not a date or time (2026-05-03, 2026-05-03 08:15 in the document's time zone, or 2026-05-03T08:15:00+08:00)",
                field(reported_at)
            ));
        }
        let number =
            |i: usize, what: &str, range: f64, problem: &mut dyn FnMut(String)| match field(i)
                .parse::<f64>()
            {
                Ok(v) if v.is_finite() && v.abs() <= range => Some(v),
                Ok(v) => {
                    problem(format!("{what} {v} is out of range"));
                    None
                }
                Err(_) => {
                    problem(format!("{what} {:?} is not a number", field(i)));
                    None
                }
            };
        let x = number(lon, "longitude", 180.0, &mut problem);
        let y = number(lat, "latitude", 90.0, &mut problem);
        if !row.is_empty() {
            for p in row {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(format!("{name} line {line}: {p}"));
                } else {
                    more += 1;
                }
            }
            continue;
        }
        let (Some(category), Some(reported_at), Some(x), Some(y)) = (cat, at, x, y) else {
            continue;
        };
        let (x, y) = datum.to_wgs84(x, y);
        cases.push(ImportedCase {
            line,
            category,
            title: field(title).to_owned(),
            description: description.map_or("", field).to_owned(),
            reporter: reporter.map_or("", field).to_owned(),
            reported_at,
            location: Point::new(x, y),
        });
    }
    if !problems.is_empty() {
        return Err(ImportError { problems, more });
    }
    if cases.is_empty() {
        return Err(one(format!("{name}: no cases after the header")));
    }
    Ok(cases)
}
