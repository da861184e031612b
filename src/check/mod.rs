//! `gridatlas check`: verifies a dataset's invariants by code paths independent of the ones
//! that produced it — households and cases are located by descending the hierarchy from the
//! county with exact point-in-polygon tests (not by trusting `unit_id`, and not through the
//! R-tree of `index`), and tiling is checked by areas of boolean unions and differences.
//!
//! Tolerance: boolean operations on floating-point outlines leave slivers far below a
//! millimetre wide; gaps, overlaps and parts outside the parent are reported when their area
//! exceeds [`TOLERANCE_M2`] for one parent.

use std::collections::HashMap;
use std::time::Instant;

use geo::{Area, BoundingRect, InteriorPoint, Validation};
use geo_types::{Coord, MultiPolygon};
use rayon::prelude::*;
use serde::Serialize;

use crate::model::{Dataset, Level, Unit, UnitId};

mod hierarchy;
mod points;
mod rule;
mod tiling;
mod workflow;

use hierarchy::hierarchy;
use points::Descent;
pub use rule::Rule;
pub use tiling::{counties_apart, tiling};
use workflow::workflow;

/// Largest gap, overlap or spill-over (m²) tolerated for one parent's children.
pub const TOLERANCE_M2: f64 = 1.0;
/// At most this many violations are listed; the count is always complete.
const MAX_LISTED: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: Rule,
    pub table: &'static str,
    pub id: i64,
    /// Where to look (lon, lat), when the rule has a place.
    pub at: Option<[f64; 2]>,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub tolerance_m2: f64,
    pub units: usize,
    pub households: usize,
    pub cases: usize,
    pub violation_count: usize,
    pub violations: Vec<Violation>,
    pub elapsed_ms: u128,
}

pub(crate) fn v(
    rule: Rule,
    table: &'static str,
    id: i64,
    at: Option<Coord<f64>>,
    message: String,
) -> Violation {
    Violation {
        rule,
        table,
        id,
        at: at.map(|c| [c.x, c.y]),
        message,
    }
}

pub(crate) fn spot(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    // The largest piece is where the eye should go.
    mp.0.iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .and_then(|p| p.interior_point())
        .map(|p| p.0)
}

/// Why a document must not be written to, if it must not: a unit whose outline is not a valid
/// polygon (a bowtie), or that reaches outside its parent's box (a vertex thrown 3,000 km).
/// Writing commands ask this first, so that assignments computed against broken outlines are
/// never stored; `check` lists every such unit, this names the first.
pub fn unfit_to_write(d: &Dataset) -> Option<Violation> {
    let by_id: HashMap<UnitId, &Unit> = d.units.iter().map(|u| (u.id, u)).collect();
    d.units.par_iter().find_map_first(|u| {
        if let Some(e) = u.geometry.validation_errors().first() {
            return Some(v(
                Rule::ValidPolygon,
                "units",
                u.id.0,
                spot(&u.geometry),
                format!("{} {} ({}): invalid outline: {e}", u.level.name_en(), u.code, u.name),
            ));
        }
        let parent = by_id.get(&u.parent?)?;
        let (Some(a), Some(b)) = (u.geometry.bounding_rect(), parent.geometry.bounding_rect())
        else {
            return None;
        };
        // A metre of slack in degrees around the parent's box: welded edges are exact, but
        // a parent's box need not be tight to the last bit.
        let slack = 1e-5;
        let outside = a.min().x < b.min().x - slack
            || a.min().y < b.min().y - slack
            || a.max().x > b.max().x + slack
            || a.max().y > b.max().y + slack;
        outside.then(|| {
            v(
                Rule::InsideParent,
                "units",
                u.id.0,
                None,
                format!(
                    "{} {} ({}) reaches outside its parent {} (its box is [{:.5}, {:.5}, {:.5}, {:.5}])",
                    u.level.name_en(),
                    u.code,
                    u.name,
                    parent.code,
                    a.min().x,
                    a.min().y,
                    a.max().x,
                    a.max().y
                ),
            )
        })
    })
}

impl CheckReport {
    /// Adds findings made outside the dataset (the file's own integrity).
    pub fn add(&mut self, found: Vec<Violation>) {
        self.violation_count += found.len();
        self.ok = self.violation_count == 0;
        let room = MAX_LISTED.saturating_sub(self.violations.len());
        self.violations.splice(0..0, found.into_iter().take(room));
        self.violations.truncate(MAX_LISTED);
    }
}

pub fn check(d: &Dataset) -> CheckReport {
    let started = Instant::now();
    let mut violations = Vec::new();
    let by_id: HashMap<UnitId, &Unit> = d.units.iter().map(|u| (u.id, u)).collect();
    let mut children: HashMap<Option<UnitId>, Vec<&Unit>> = HashMap::new();
    for u in &d.units {
        children.entry(u.parent).or_default().push(u);
    }

    hierarchy(d, &by_id, &mut violations);
    let geometry: Vec<Violation> = d
        .units
        .par_iter()
        .filter_map(|u| {
            let at = spot(&u.geometry);
            if u.geometry.0.is_empty() {
                return Some(v(
                    Rule::ValidPolygon,
                    "units",
                    u.id.0,
                    None,
                    format!("{} {} has an empty outline", u.level.name_en(), u.code),
                ));
            }
            u.geometry.validation_errors().first().map(|e| {
                v(
                    Rule::ValidPolygon,
                    "units",
                    u.id.0,
                    at,
                    format!("{} {}: invalid outline: {e}", u.level.name_en(), u.code),
                )
            })
        })
        .collect();
    violations.extend(geometry);
    // Every unit above the micro-grid level must be tiled by its children, also when it has
    // none at all (then its whole area is a gap).
    let no_kids: Vec<&Unit> = Vec::new();
    let parents: Vec<(&Unit, &Vec<&Unit>)> = d
        .units
        .iter()
        .filter(|u| u.level != Level::MicroGrid)
        .map(|u| (u, children.get(&Some(u.id)).unwrap_or(&no_kids)))
        .collect();
    let tiling: Vec<Violation> = parents
        .par_iter()
        .flat_map_iter(|(parent, kids)| tiling(parent, kids))
        .collect();
    violations.extend(tiling);

    let locator = Descent::new(d, &children);
    let points = d
        .households
        .par_iter()
        .map(|h| ("households", h.id.0, h.location.0, h.unit))
        .chain(
            d.cases
                .par_iter()
                .map(|c| ("cases", c.id.0, c.location.0, c.unit)),
        );
    let located: Vec<Violation> = points
        .filter_map(|(table, id, at, unit)| locator.verify(table, id, at, unit))
        .collect();
    violations.extend(located);
    workflow(d, &mut violations);
    // Sealed tags (a document read without its key) are not words to check.
    for h in d
        .households
        .iter()
        .filter(|h| h.unknown_tags.iter().any(|t| !crate::model::is_sealed(t)))
    {
        violations.push(v(
            Rule::KnownTags,
            "households",
            h.id.0,
            Some(h.location.0),
            format!(
                "tags {} are not known tags (use the codes or Chinese names in the README)",
                h.unknown_tags.join(", ")
            ),
        ));
    }

    let violation_count = violations.len();
    violations.truncate(MAX_LISTED);
    CheckReport {
        ok: violation_count == 0,
        tolerance_m2: TOLERANCE_M2,
        units: d.units.len(),
        households: d.households.len(),
        cases: d.cases.len(),
        violation_count,
        violations,
        elapsed_ms: started.elapsed().as_millis(),
    }
}
