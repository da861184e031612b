//! Household and worker rosters: every row checked and normalised, every problem named by
//! file, sheet, row (as Excel shows it) and column, and nothing used unless every row is good.

use std::collections::HashMap;

use geo_types::{Coord, Point};

use crate::import::normalise::{half_width, phone, tags};
use crate::import::sheet::{Cell, Sheet};
use crate::index::SpatialIndex;
use crate::model::{
    Dataset, Household, HouseholdId, Level, Tag, TagSet, UnitId, Worker, WorkerId, WorkerRole,
};
use crate::store::CoordinateDatum;

/// A column: the name the template writes, the names accepted, and whether it is required.
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column {
        name,
        aliases,
        required,
    }
}

pub const HOUSEHOLD_COLUMNS: [Column; 9] = [
    col("户编号", &["户编号", "code"], true),
    col("地址", &["地址", "address"], false),
    col("户主姓名", &["户主姓名", "head_name"], true),
    col("联系电话", &["联系电话", "phone"], false),
    col("家庭人数", &["家庭人数", "members"], true),
    col("标签", &["标签", "tags"], false),
    col("经度", &["经度", "longitude", "lon", "lng"], true),
    col("纬度", &["纬度", "latitude", "lat"], true),
    col(
        "所属微网格编码",
        &["所属微网格编码", "micro_grid_code"],
        false,
    ),
];

pub const WORKER_COLUMNS: [Column; 5] = [
    col("姓名", &["姓名", "name"], true),
    col("联系电话", &["联系电话", "phone"], true),
    col("岗位", &["岗位", "role"], true),
    col("所属单元编码", &["所属单元编码", "unit_code"], true),
    col("是否党员", &["是否党员", "party_member"], false),
];

/// Every alias of every column (to find the header row).
pub fn known_names(columns: &[Column]) -> Vec<&'static str> {
    columns
        .iter()
        .flat_map(|c| c.aliases.iter().copied())
        .collect()
}

/// Whether rows add new households or change existing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RosterMode {
    Add,
    Update,
}

/// Where each column is in the sheet (`None`: absent, allowed only for optional ones).
struct Layout {
    at: Vec<Option<usize>>,
}

fn layout(sheet: &Sheet, columns: &[Column]) -> Result<Layout, Vec<String>> {
    let at: Vec<Option<usize>> = columns.iter().map(|c| sheet.column(c.aliases)).collect();
    let missing: Vec<String> = columns
        .iter()
        .zip(&at)
        .filter(|(c, a)| c.required && a.is_none())
        .map(|(c, _)| format!("{}: the header has no column {}", sheet.label, c.name))
        .collect();
    let mut seen = HashMap::new();
    let mut twice = Vec::new();
    for (i, c) in sheet
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
    {
        if let Some(first) = seen.insert(c, i) {
            twice.push(format!(
                "{}: column {c} appears twice in the header (columns {} and {})",
                sheet.label,
                first + 1,
                i + 1
            ));
        }
    }
    if missing.is_empty() && twice.is_empty() {
        Ok(Layout { at })
    } else {
        Err(missing.into_iter().chain(twice).collect())
    }
}

/// One row's cells by column, with the place to name in problems.
struct Row<'a> {
    label: &'a str,
    number: usize,
    cells: &'a [Cell],
    layout: &'a Layout,
    columns: &'a [Column],
    problems: Vec<String>,
}

impl Row<'_> {
    fn cell(&self, i: usize) -> &Cell {
        self.layout.at[i]
            .and_then(|c| self.cells.get(c))
            .unwrap_or(&Cell::Empty)
    }

    fn problem(&mut self, i: usize, what: String) {
        let place = format!(
            "{} row {}: {}",
            self.label, self.number, self.columns[i].name
        );
        self.problems.push(format!("{place} {what}"));
    }

    /// The cell as text (full-width normalised); a required empty cell is a problem.
    fn text(&mut self, i: usize) -> Option<String> {
        let t = half_width(&self.cell(i).text());
        if t.is_empty() {
            if self.columns[i].required {
                self.problem(i, "is empty".into());
            }
            return None;
        }
        Some(t)
    }

    /// A code column: a long code Excel stored as a number has lost its last digits.
    fn code(&mut self, i: usize) -> Option<String> {
        if let Cell::Number(x) = self.cell(i)
            && x.abs() >= 1e15
        {
            let shown = self.cell(i).text();
            self.problem(
                i,
                format!(
                    "{shown} is stored as a number: Excel keeps only 15 digits, so its last digits are already lost — format the column as text (文本) and type the codes again"
                ),
            );
            return None;
        }
        self.text(i)
    }

    fn number(&mut self, i: usize) -> Option<f64> {
        match self.cell(i).clone() {
            Cell::Number(x) => Some(x),
            _ => {
                let t = self.text(i)?;
                match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => Some(x),
                    _ => {
                        self.problem(i, format!("'{t}' is not a number"));
                        None
                    }
                }
            }
        }
    }
}

/// A household read from a roster, located.
#[derive(Debug, Clone)]
pub struct RosterHousehold {
    pub row: usize,
    pub household: Household,
    /// With `by_location`: the row's stated micro-grid, where the point lies in another.
    pub relocated: Option<String>,
}

/// China's extent, for telling a typo and swapped columns from a real place.
const LON: std::ops::RangeInclusive<f64> = 73.0..=136.0;
const LAT: std::ops::RangeInclusive<f64> = 3.0..=54.0;

fn first_problems(mut problems: Vec<String>) -> Vec<String> {
    let n = problems.len();
    problems.truncate(50);
    if n > 50 {
        problems.push(format!("… and {} more", n - 50));
    }
    problems
}

/// Reads every household row, located in its micro-grid by `index`; all or the problems.
pub fn read_households(
    sheet: &Sheet,
    datum: CoordinateDatum,
    doc: &Dataset,
    index: &SpatialIndex,
    mode: RosterMode,
    by_location: bool,
) -> Result<Vec<RosterHousehold>, Vec<String>> {
    let columns = &HOUSEHOLD_COLUMNS;
    let layout = layout(sheet, columns)?;
    let unit_code: HashMap<UnitId, (&str, &str)> = doc
        .units
        .iter()
        .map(|u| (u.id, (u.code.as_str(), u.name.as_str())))
        .collect();
    let micro_by_code: HashMap<&str, UnitId> = doc
        .units
        .iter()
        .filter(|u| u.level == Level::MicroGrid)
        .map(|u| (u.code.as_str(), u.id))
        .collect();
    let existing: HashMap<&str, &Household> = doc
        .households
        .iter()
        .map(|h| (h.code.as_str(), h))
        .collect();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(sheet.rows.len());
    for (number, cells) in &sheet.rows {
        let mut row = Row {
            label: &sheet.label,
            number: *number,
            cells,
            layout: &layout,
            columns,
            problems: Vec::new(),
        };
        let code = row.code(0);
        let address = row.text(1).unwrap_or_default();
        let head_name = row.text(2);
        let phone_number = row.text(3).and_then(|t| match phone(&t) {
            Some(p) => Some(p),
            None => {
                row.problem(3, format!("'{t}' is not a phone number"));
                None
            }
        });
        let members = row.number(4).and_then(|x| {
            if x.fract() == 0.0 && (1.0..=99.0).contains(&x) {
                Some(x as u16)
            } else {
                row.problem(
                    4,
                    format!("{x} is not a whole number of persons from 1 to 99"),
                );
                None
            }
        });
        let tag_set = match row.text(5) {
            None => Some(TagSet::empty()),
            Some(t) => match tags(&t) {
                Ok(ts) => Some(ts.into_iter().collect::<TagSet>()),
                Err(unknown) => {
                    let known: Vec<&str> = Tag::ALL.iter().map(|t| t.name_zh()).collect();
                    row.problem(
                        5,
                        format!(
                            "'{}' is not a known tag (known: {})",
                            unknown.join("、"),
                            known.join("、")
                        ),
                    );
                    None
                }
            },
        };
        let lon = row.number(6);
        let lat = row.number(7);
        let stated_unit = row.code(8);
        let mut location = None;
        if let (Some(x), Some(y)) = (lon, lat) {
            if LAT.contains(&x) && LON.contains(&y) {
                row.problem(
                    6,
                    format!(
                        "{x} and 纬度 {y} look swapped (经度 is the larger number in China, 73–136)"
                    ),
                );
            } else if !LON.contains(&x) {
                row.problem(6, format!("{x} is out of range (73–136 in China)"));
            } else if !LAT.contains(&y) {
                row.problem(7, format!("{y} is out of range (3–54 in China)"));
            } else {
                let (wx, wy) = datum.to_wgs84(x, y);
                let at = Coord { x: wx, y: wy };
                match index.micro_grid_at(at) {
                    None => row.problem(
                        6,
                        format!(
                            "{x}, 纬度 {y} ({}) lies outside every micro-grid of this document",
                            datum.label()
                        ),
                    ),
                    Some(u) => location = Some((at, u)),
                }
            }
        }
        let mut relocated = None;
        if let (Some(stated), Some((_, u))) = (&stated_unit, location) {
            let (code, name) = unit_code.get(&u).copied().unwrap_or(("?", "?"));
            if !micro_by_code.contains_key(stated.as_str()) {
                row.problem(8, format!("{stated} is no micro-grid of this document (the point lies in {code} {name})"));
            } else if stated != code {
                let what = format!(
                    "{stated} disagrees with where the point lies: micro-grid {code} ({name})"
                );
                if by_location {
                    // The point decides, as asked; the row is named in the report.
                    relocated = Some(format!(
                        "{} row {}: {} {what}; located by the point",
                        row.label, row.number, row.columns[8].name
                    ));
                } else {
                    row.problem(
                        8,
                        format!("{what} (--by-location takes the point's micro-grid)"),
                    );
                }
            }
        }
        if let Some(c) = &code {
            if let Some(first) = first_row.insert(c.clone(), *number) {
                row.problem(0, format!("{c} is also on row {first}"));
            }
            match (mode, existing.get(c.as_str())) {
                (RosterMode::Add, Some(_)) => row.problem(
                    0,
                    format!("{c} already exists in this document (use --mode update to change it)"),
                ),
                (RosterMode::Update, None) => row.problem(
                    0,
                    format!("{c} is not in this document (use --mode add for new households)"),
                ),
                _ => {}
            }
        }
        if !row.problems.is_empty() {
            problems.append(&mut row.problems);
            continue;
        }
        let (Some(code), Some(head_name), Some(members), Some(tag_set), Some((at, unit))) =
            (code, head_name, members, tag_set, location)
        else {
            continue;
        };
        let id = existing.get(code.as_str()).map_or(HouseholdId(0), |h| h.id);
        // A roster does not say who keeps in touch: an update keeps the link.
        let party_contact = existing.get(code.as_str()).and_then(|h| h.party_contact);
        out.push(RosterHousehold {
            row: *number,
            household: Household {
                id,
                code,
                address,
                head_name,
                phone: phone_number.unwrap_or_default(),
                members,
                tags: tag_set,
                unknown_tags: Vec::new(),
                party_contact,
                unit: Some(unit),
                location: Point(at),
            },
            relocated,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(first_problems(problems))
    }
}

/// Reads every worker row; the unit is named by its code.
pub fn read_workers(sheet: &Sheet, doc: &Dataset) -> Result<Vec<Worker>, Vec<String>> {
    let columns = &WORKER_COLUMNS;
    let layout = layout(sheet, columns)?;
    let unit_by_code: HashMap<&str, UnitId> =
        doc.units.iter().map(|u| (u.code.as_str(), u.id)).collect();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (number, cells) in &sheet.rows {
        let mut row = Row {
            label: &sheet.label,
            number: *number,
            cells,
            layout: &layout,
            columns,
            problems: Vec::new(),
        };
        let name = row.text(0);
        let phone_number = row.text(1).and_then(|t| match phone(&t) {
            Some(p) => Some(p),
            None => {
                row.problem(1, format!("'{t}' is not a phone number"));
                None
            }
        });
        let role = row.text(2).and_then(|t| {
            let found = WorkerRole::ALL
                .into_iter()
                .find(|r| r.name_zh() == t || r.code() == t.to_lowercase());
            if found.is_none() {
                let known: Vec<&str> = WorkerRole::ALL.iter().map(|r| r.name_zh()).collect();
                row.problem(
                    2,
                    format!("'{t}' is not a role (roles: {})", known.join("、")),
                );
            }
            found
        });
        let unit = row
            .code(3)
            .and_then(|c| match unit_by_code.get(c.as_str()) {
                Some(u) => Some(*u),
                None => {
                    row.problem(3, format!("{c} is no unit of this document"));
                    None
                }
            });
        let party = match row.text(4).as_deref() {
            None | Some("否" | "no" | "false" | "0" | "N" | "n") => Some(false),
            Some("是" | "yes" | "true" | "1" | "Y" | "y") => Some(true),
            Some(other) => {
                row.problem(4, format!("'{other}' is neither 是 nor 否"));
                None
            }
        };
        if !row.problems.is_empty() {
            problems.append(&mut row.problems);
            continue;
        }
        let (Some(name), Some(phone), Some(role), Some(unit), Some(party_member)) =
            (name, phone_number, role, unit, party)
        else {
            continue;
        };
        out.push(Worker {
            id: WorkerId(0),
            name,
            phone,
            role,
            unit,
            party_member,
            retired_at: None,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(first_problems(problems))
    }
}
