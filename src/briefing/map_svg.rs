//! The map on a briefing page: outlines filled by a class colour, names at their label point,
//! numbered pins, a legend, a scale bar and a north arrow, as an SVG that typst embeds (vector:
//! sharp at any print size).
//!
//! Written here rather than taken from a crate: it is a few dozen lines of SVG text, and the
//! map crates we use draw to a screen, not to a page.

use std::fmt::Write;

use geo::{BoundingRect, InteriorPoint};
use geo_types::{Coord, MultiPolygon};

/// One outline on the map.
pub struct Area<'a> {
    pub geometry: &'a MultiPolygon<f64>,
    /// Fill colour as `#rrggbb`.
    pub fill: String,
    pub label: String,
}

/// A numbered pin.
pub struct Pin {
    pub at: Coord<f64>,
    pub number: usize,
    pub overdue: bool,
}

/// A legend entry: colour and text.
pub type Key = (String, String);

/// Width of the drawing in SVG units (points); the height follows the map's shape.
const WIDTH: f64 = 500.0;
const MARGIN: f64 = 6.0;

/// The SVG of `areas` and `pins`, in a local equirectangular projection (x scaled by the cosine
/// of the mid latitude, so that shapes are true at county scale).
pub fn map_svg(areas: &[Area], pins: &[Pin], legend: &[Key], title: &str) -> String {
    let rect = areas
        .iter()
        .filter_map(|a| a.geometry.bounding_rect())
        .reduce(|a, b| {
            geo_types::Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        });
    let Some(rect) = rect else {
        return format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="40"><text x="10" y="24" font-size="12">{}</text></svg>"#,
            escape(title)
        );
    };
    let k = rect.center().y.to_radians().cos();
    let (w, h) = ((rect.width() * k).max(1e-9), rect.height().max(1e-9));
    let scale = (WIDTH - 2.0 * MARGIN) / w;
    let legend_h = 18.0;
    let height = h * scale + 2.0 * MARGIN + legend_h;
    let at = |c: Coord<f64>| {
        (
            MARGIN + (c.x - rect.min().x) * k * scale,
            MARGIN + (rect.max().y - c.y) * scale,
        )
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.1}" viewBox="0 0 {WIDTH} {height:.1}">"#
    );
    for a in areas {
        let mut d = String::new();
        for p in &a.geometry.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for (i, c) in ring.0.iter().enumerate() {
                    let (x, y) = at(*c);
                    let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        let _ = write!(
            s,
            r##"<path d="{d}" fill="{}" fill-rule="evenodd" stroke="#444444" stroke-width="0.6"/>"##,
            a.fill
        );
    }
    // Names after every fill, so no neighbour covers one.
    let font = (7.5_f64).min(WIDTH / 40.0);
    for a in areas.iter().filter(|a| !a.label.is_empty()) {
        // Only where the name fits across the unit: a sliver's name would cover its neighbours.
        let wide = a
            .geometry
            .bounding_rect()
            .is_some_and(|r| r.width() * k * scale > font * a.label.chars().count() as f64);
        if !wide {
            continue;
        }
        if let Some(p) = a.geometry.interior_point() {
            let (x, y) = at(p.0);
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="{y:.1}" font-size="{font:.1}" text-anchor="middle" fill="#111111">{}</text>"##,
                escape(&a.label)
            );
        }
    }
    for p in pins {
        let (x, y) = at(p.at);
        let colour = if p.overdue { "#c62828" } else { "#1565c0" };
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="5.5" fill="{colour}" stroke="#ffffff" stroke-width="0.8"/><text x="{x:.1}" y="{:.1}" font-size="6.5" text-anchor="middle" fill="#ffffff">{}</text>"##,
            y + 2.3,
            p.number
        );
    }
    // North arrow, top right.
    let nx = WIDTH - MARGIN - 10.0;
    let _ = write!(
        s,
        r##"<path d="M{nx:.1},{:.1} L{:.1},{:.1} L{nx:.1},{:.1} L{:.1},{:.1} Z" fill="#222222"/><text x="{nx:.1}" y="{:.1}" font-size="8" text-anchor="middle">N</text>"##,
        MARGIN + 10.0,
        nx + 5.0,
        MARGIN + 26.0,
        MARGIN + 22.0,
        nx - 5.0,
        MARGIN + 26.0,
        MARGIN + 8.0
    );
    // Scale bar: a round length near a fifth of the width.
    let metres_per_unit = 111_320.0 / scale; // one SVG unit, in metres (x already scaled by k)
    let target = metres_per_unit * WIDTH / 5.0;
    let step = [1.0, 2.0, 5.0]
        .iter()
        .flat_map(|m| (0..7).map(move |e| m * 10f64.powi(e)))
        .filter(|l| *l <= target)
        .fold(1.0, f64::max);
    let bar = step / metres_per_unit;
    let by = h * scale + MARGIN + 4.0;
    let label = if step >= 1000.0 {
        format!("{} km", step / 1000.0)
    } else {
        format!("{step} m")
    };
    let _ = write!(
        s,
        r##"<rect x="{MARGIN}" y="{by:.1}" width="{bar:.1}" height="3" fill="#222222"/><text x="{:.1}" y="{:.1}" font-size="7">{label}</text>"##,
        MARGIN + bar + 4.0,
        by + 4.0
    );
    // Legend, along the bottom right of the scale bar.
    let mut lx = MARGIN + bar + 50.0;
    for (colour, text) in legend {
        let _ = write!(
            s,
            r##"<rect x="{lx:.1}" y="{by:.1}" width="9" height="7" fill="{colour}" stroke="#444444" stroke-width="0.4"/><text x="{:.1}" y="{:.1}" font-size="7">{}</text>"##,
            lx + 12.0,
            by + 6.5,
            escape(text)
        );
        lx += 16.0 + 7.0 * text.chars().count() as f64;
    }
    s.push_str("</svg>");
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Print colours of the rate classes (`cases::RATE_CLASSES`), red to green.
const RATE_FILLS: [&str; 5] = ["#d7301f", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];
const NO_RATE: &str = "#d9d9d9";

/// The class colour of a rate (0–1); grey when there is no rate.
pub fn rate_colour(rate: Option<f64>) -> &'static str {
    rate.map_or(NO_RATE, |r| RATE_FILLS[crate::cases::rate_class(r)])
}

/// The legend of [`rate_colour`].
pub fn rate_legend() -> Vec<Key> {
    std::iter::once((NO_RATE.to_owned(), "无应结案".to_owned()))
        .chain(
            crate::cases::RATE_CLASSES
                .iter()
                .zip(RATE_FILLS)
                .map(|((_, label), fill)| (fill.to_owned(), (*label).to_owned())),
        )
        .collect()
}
