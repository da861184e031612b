//! Briefings on paper: the monthly bulletin and the grid-meeting sheet, typeset by typst from
//! a template a centre can adapt (`assets/briefing/*.typ`, or `--template FILE`) and the
//! figures this module computes. See README "Briefings".

pub mod figures;
mod grid_sheet;
mod map_image;
mod map_svg;
mod monthly;
mod typeset;

use crate::model::{Dataset, Level, Timestamp, Unit};

pub use map_image::map_png;
pub use map_svg::{Area, Key};
pub use monthly::Month;

/// The monthly bulletin's template, built in (a centre's own is given with `--template`).
pub const MONTHLY_TEMPLATE: &str = include_str!("../../assets/briefing/monthly.typ");
/// The grid-meeting sheet's template.
pub const GRID_TEMPLATE: &str = include_str!("../../assets/briefing/grid.typ");

fn unit_by_code<'a>(d: &'a Dataset, code: &str) -> Result<&'a Unit, String> {
    d.units
        .iter()
        .find(|u| u.code == code.trim())
        .ok_or_else(|| format!("--unit {code}: no unit of this document has that code"))
}

/// Typesets `template` with the figures and the map.
fn typeset(
    d: &Dataset,
    template: &str,
    mut data: serde_json::Value,
    map: String,
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    let (fonts, family) = typeset::briefing_fonts()?;
    data["font"] = serde_json::Value::String(family);
    let today = d.meta.time_zone.local(now).map_or((2026, 1, 1), |l| {
        (i32::from(l.year), l.month as u8, l.day as u8)
    });
    let json = serde_json::to_vec_pretty(&data).map_err(|e| e.to_string())?;
    typeset::Typeset::new(
        template,
        vec![("/data.json", json), ("/map.svg", map.into_bytes())],
        fonts,
        today,
    )?
    .pdf()
}

/// `gridatlas briefing monthly`: the bulletin of `unit` (the county when None) for `month`.
pub fn monthly_pdf(
    d: &Dataset,
    unit: Option<&str>,
    month: &str,
    template: Option<&str>,
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    let unit = match unit {
        Some(code) => unit_by_code(d, code)?,
        None => d
            .units
            .iter()
            .find(|u| u.level == Level::County)
            .ok_or("the document has no county")?,
    };
    let month = Month::parse(d, month, now)?;
    let (data, map) = monthly::monthly_data(d, unit, &month, now)?;
    typeset(d, template.unwrap_or(MONTHLY_TEMPLATE), data, map, now)
}

/// `gridatlas briefing grid`: the meeting sheet of the grid `code` as it stands at `now`.
pub fn grid_pdf(
    d: &Dataset,
    code: &str,
    template: Option<&str>,
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    let grid = unit_by_code(d, code)?;
    let (data, map) = grid_sheet::grid_data(d, grid, now)?;
    typeset(d, template.unwrap_or(GRID_TEMPLATE), data, map, now)
}
