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

use geo::coordinate_position::CoordPos;
use geo::{Area, BooleanOps, BoundingRect, CoordinatePosition, InteriorPoint, Validation};
use geo_types::{Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use serde::Serialize;

use crate::cases::check_transition;
use crate::geom::LocalMetres;
use crate::model::{CaseAction, CaseStatus, Dataset, Level, Unit, UnitCode, UnitId};

/// Largest gap, overlap or spill-over (m²) tolerated for one parent's children.
pub const TOLERANCE_M2: f64 = 1.0;
/// At most this many violations are listed; the count is always complete.
const MAX_LISTED: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: &'static str,
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

fn v(
    rule: &'static str,
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

fn spot(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    // The largest piece is where the eye should go.
    mp.0.iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .and_then(|p| p.interior_point())
        .map(|p| p.0)
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
                    "valid_polygon",
                    "units",
                    u.id.0,
                    None,
                    format!("{} {} has an empty outline", u.level.name_en(), u.code),
                ));
            }
            u.geometry.validation_errors().first().map(|e| {
                v(
                    "valid_polygon",
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

fn hierarchy(d: &Dataset, by_id: &HashMap<UnitId, &Unit>, out: &mut Vec<Violation>) {
    let counties = d.units.iter().filter(|u| u.level == Level::County).count();
    if counties != 1 {
        out.push(v(
            "one_county",
            "units",
            0,
            None,
            format!("a document has exactly one county; this one has {counties}"),
        ));
    }
    let mut codes: HashMap<&str, UnitId> = HashMap::new();
    for u in &d.units {
        if let Some(other) = codes.insert(u.code.as_str(), u.id) {
            out.push(v(
                "unique_code",
                "units",
                u.id.0,
                None,
                format!("code {} is also used by unit {other}", u.code),
            ));
        }
        if let Err(e) = UnitCode::parse(&u.code, u.level) {
            out.push(v("code_format", "units", u.id.0, None, e.to_string()));
        }
        match (u.parent, u.level.parent()) {
            (None, None) => {}
            (Some(p), Some(expected)) => match by_id.get(&p) {
                Some(parent) if parent.level != expected => out.push(v(
                    "parent_level",
                    "units",
                    u.id.0,
                    None,
                    format!(
                        "{} {} has parent {} which is a {}, not a {}",
                        u.level.name_en(),
                        u.code,
                        parent.code,
                        parent.level.name_en(),
                        expected.name_en()
                    ),
                )),
                Some(parent) if !u.code.starts_with(&parent.code) => out.push(v(
                    "code_prefix",
                    "units",
                    u.id.0,
                    None,
                    format!(
                        "code {} does not start with its parent's code {}",
                        u.code, parent.code
                    ),
                )),
                Some(_) => {}
                None => out.push(v(
                    "parent_exists",
                    "units",
                    u.id.0,
                    None,
                    format!("parent_id {p} does not exist"),
                )),
            },
            (None, Some(_)) => out.push(v(
                "parent_exists",
                "units",
                u.id.0,
                None,
                format!("{} {} has no parent", u.level.name_en(), u.code),
            )),
            (Some(_), None) => out.push(v(
                "parent_level",
                "units",
                u.id.0,
                None,
                "a county cannot have a parent".into(),
            )),
        }
    }
}

/// Children inside the parent, with no gap and no overlap (within the tolerance).
///
/// The boolean operations run in metres around the parent's centre, not in degrees: geo's
/// BooleanOps snap to an integer grid scaled to the coordinates' magnitude, which at longitude
/// 114° is about 2.6 cm and would itself create square metres of false gaps along a county
/// border; around a local origin the grid is far below a millimetre.
pub fn tiling(parent: &Unit, kids: &[&Unit]) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(centre) = parent.geometry.bounding_rect().map(|r| r.center()) else {
        return out;
    };
    let local = LocalMetres::new(centre.x, centre.y);
    let to_ll = |mp: &MultiPolygon<f64>| spot(mp).map(|c| local.inverse(c));
    let parent_m = local.forward_multipolygon(&parent.geometry);
    let kids_m: Vec<MultiPolygon<f64>> = kids
        .iter()
        .map(|k| local.forward_multipolygon(&k.geometry))
        .collect();
    let mut sum = 0.0;
    for (kid, kid_m) in kids.iter().zip(&kids_m) {
        sum += kid_m.unsigned_area();
        let outside = kid_m.difference(&parent_m);
        let a = outside.unsigned_area();
        if a > TOLERANCE_M2 {
            out.push(v(
                "inside_parent",
                "units",
                kid.id.0,
                to_ll(&outside),
                format!(
                    "{} {} extends {a:.1} m² outside its parent {} {}",
                    kid.level.name_en(),
                    kid.code,
                    parent.level.name_en(),
                    parent.code
                ),
            ));
        }
    }
    let union = geo::unary_union(kids_m.iter());
    let union_area = union.unsigned_area();
    let overlap = sum - union_area;
    if overlap > TOLERANCE_M2 {
        out.push(v(
            "no_overlap",
            "units",
            parent.id.0,
            None,
            format!(
                "the {} children of {} {} overlap by {overlap:.1} m²",
                kids.len(),
                parent.level.name_en(),
                parent.code
            ),
        ));
    }
    let gap = parent_m.difference(&union);
    let gap_area = gap.unsigned_area();
    if gap_area > TOLERANCE_M2 {
        out.push(v(
            "no_gap",
            "units",
            parent.id.0,
            to_ll(&gap),
            format!(
                "the children of {} {} leave {gap_area:.1} m² uncovered",
                parent.level.name_en(),
                parent.code
            ),
        ));
    }
    out
}

/// Finds the micro-grids containing a point by walking down from the county.
struct Descent<'a> {
    roots: Vec<(&'a Unit, Rect<f64>)>,
    children: HashMap<UnitId, Vec<(&'a Unit, Rect<f64>)>>,
}

impl<'a> Descent<'a> {
    fn new(d: &'a Dataset, children: &HashMap<Option<UnitId>, Vec<&'a Unit>>) -> Descent<'a> {
        let with_rect = |units: &Vec<&'a Unit>| {
            units
                .iter()
                .filter_map(|u| u.geometry.bounding_rect().map(|r| (*u, r)))
                .collect::<Vec<_>>()
        };
        Descent {
            roots: d
                .units
                .iter()
                .filter(|u| u.level == Level::County)
                .filter_map(|u| u.geometry.bounding_rect().map(|r| (u, r)))
                .collect(),
            children: children
                .iter()
                .filter_map(|(p, kids)| p.map(|p| (p, with_rect(kids))))
                .collect(),
        }
    }

    fn verify(
        &self,
        table: &'static str,
        id: i64,
        at: Coord<f64>,
        unit: Option<UnitId>,
    ) -> Option<Violation> {
        let contains = |r: &Rect<f64>| {
            at.x >= r.min().x && at.x <= r.max().x && at.y >= r.min().y && at.y <= r.max().y
        };
        // (unit, strictly inside?) at the current level; boundary points follow every owner.
        let mut current: Vec<(&Unit, bool)> = self
            .roots
            .iter()
            .filter(|(_, r)| contains(r))
            .filter_map(|(u, _)| match u.geometry.coordinate_position(&at) {
                CoordPos::Outside => None,
                pos => Some((*u, pos == CoordPos::Inside)),
            })
            .collect();
        while current.iter().any(|(u, _)| u.level != Level::MicroGrid) {
            let next: Vec<(&Unit, bool)> = current
                .iter()
                .flat_map(|(u, _)| self.children.get(&u.id).into_iter().flatten())
                .filter(|(_, r)| contains(r))
                .filter_map(|(u, _)| match u.geometry.coordinate_position(&at) {
                    CoordPos::Outside => None,
                    pos => Some((*u, pos == CoordPos::Inside)),
                })
                .collect();
            if next.is_empty() {
                break;
            }
            current = next;
        }
        let micro: Vec<&(&Unit, bool)> = current
            .iter()
            .filter(|(u, _)| u.level == Level::MicroGrid)
            .collect();
        let inside: Vec<&&(&Unit, bool)> = micro.iter().filter(|(_, inside)| *inside).collect();
        if inside.len() > 1 {
            let codes: Vec<&str> = inside.iter().map(|(u, _)| u.code.as_str()).collect();
            return Some(v(
                "one_micro_grid",
                table,
                id,
                Some(at),
                format!(
                    "lies inside {} micro-grids at once: {}",
                    inside.len(),
                    codes.join(", ")
                ),
            ));
        }
        match (unit, micro.is_empty()) {
            (None, true) => None,
            (None, false) => Some(v(
                "unit_id",
                table,
                id,
                Some(at),
                format!(
                    "unit_id is empty but it lies in micro-grid {}",
                    micro[0].0.code
                ),
            )),
            (Some(u), true) => Some(v(
                "in_micro_grid",
                table,
                id,
                Some(at),
                format!(
                    "unit_id says {u} but it lies in no micro-grid (reached {})",
                    current.first().map_or("no county".into(), |(c, _)| format!(
                        "{} {}",
                        c.level.name_en(),
                        c.code
                    ))
                ),
            )),
            (Some(u), false) if micro.iter().any(|(m, _)| m.id == u) => None,
            (Some(u), false) => Some(v(
                "unit_id",
                table,
                id,
                Some(at),
                format!(
                    "unit_id says {u} but it lies in micro-grid {} (id {})",
                    micro[0].0.code, micro[0].0.id
                ),
            )),
        }
    }
}

/// Each case's history follows the workflow and agrees with the case row.
fn workflow(d: &Dataset, out: &mut Vec<Violation>) {
    let mut events: HashMap<_, Vec<_>> = HashMap::new();
    for e in &d.case_events {
        events.entry(e.case_id).or_insert_with(Vec::new).push(e);
    }
    for c in &d.cases {
        let mut history = events.remove(&c.id).unwrap_or_default();
        history.sort_by_key(|e| (e.at, e.id));
        let mut status: Option<CaseStatus> = None;
        let mut level = Level::MicroGrid;
        let mut problem = None;
        for e in &history {
            match e.action {
                CaseAction::Transition => {
                    let ok = match (status, e.from_status) {
                        (None, None) => e.to_status == CaseStatus::Reported,
                        (Some(s), Some(f)) => s == f && check_transition(s, e.to_status).is_ok(),
                        _ => false,
                    };
                    if !ok {
                        problem = Some(format!(
                            "event {} goes {} → {} but the case was {}",
                            e.id,
                            e.from_status.map_or("(new)", |s| s.code()),
                            e.to_status.code(),
                            status.map_or("(new)", |s| s.code())
                        ));
                        break;
                    }
                    status = Some(e.to_status);
                }
                CaseAction::Escalate => {
                    if e.from_level != level || e.from_level.parent() != Some(e.to_level) {
                        problem = Some(format!(
                            "event {} escalates {} → {} from level {}",
                            e.id,
                            e.from_level.number(),
                            e.to_level.number(),
                            level.number()
                        ));
                        break;
                    }
                    level = e.to_level;
                }
            }
        }
        let problem = problem.or_else(|| {
            if status != Some(c.status) {
                Some(format!(
                    "status is {} but its history ends at {}",
                    c.status.code(),
                    status.map_or("nothing", |s| s.code())
                ))
            } else if level != c.level {
                Some(format!(
                    "level is {} but its history ends at {}",
                    c.level.number(),
                    level.number()
                ))
            } else if (c.status == CaseStatus::Closed) != c.closed_at.is_some() {
                Some("closed_at must be set exactly when the status is closed".into())
            } else if c.accepted_at.is_some() != c.due_at.is_some() {
                Some("accepted_at and due_at must be set together".into())
            } else {
                None
            }
        });
        if let Some(message) = problem {
            out.push(v(
                "case_workflow",
                "cases",
                c.id.0,
                Some(c.location.0),
                message,
            ));
        }
    }
}
