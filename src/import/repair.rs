//! `--repair`: each defect fixed by a stated rule, and the fix reported.
//! - an invalid outline is rebuilt as the union of itself (self-crossings resolved);
//! - a unit sticking out of its parent is clipped to it;
//! - an overlap is cut from the unit with the larger code (from the incoming one when the
//!   other is already in the document, which an import of other units does not change);
//! - a gap goes to the incoming neighbour with the longest shared border.

use geo::{Area, BooleanOps, Distance, Euclidean, Length};
use geo_types::{Coord, MultiPolygon, Point};

use crate::import::defects::{DefectKind, Found, Sibling};

/// One repair, in local metres.
#[derive(Debug, Clone)]
pub struct Done {
    pub kind: DefectKind,
    pub codes: Vec<String>,
    pub at: Coord<f64>,
    pub area_m2: f64,
    pub action: String,
}

/// The length of `piece`'s border that lies along `unit` (within 1 cm).
fn shared_border(piece: &MultiPolygon<f64>, unit: &MultiPolygon<f64>) -> f64 {
    let boundary: Vec<geo_types::LineString<f64>> = unit
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior().clone()).chain(p.interiors().iter().cloned()))
        .collect();
    piece
        .0
        .iter()
        .flat_map(|p| p.exterior().lines())
        .filter(|l| {
            let mid = Point::from((l.start + l.end) * 0.5);
            boundary.iter().any(|b| Euclidean.distance(&mid, b) < 0.01)
        })
        .map(|l| Euclidean.length(&l))
        .sum()
}

/// Repairs `found` in `kids` (incoming ones only); returns what was done. Defects no rule can
/// repair (a gap with no incoming neighbour) are left for the next look to report.
pub fn repair(
    parent: Option<&MultiPolygon<f64>>,
    kids: &mut [Sibling],
    found: &[Found],
) -> Vec<Done> {
    let mut done = Vec::new();
    let mut record = |kind, codes: Vec<String>, f: &Found, action: String| {
        done.push(Done {
            kind,
            codes,
            at: f.at,
            area_m2: f.area_m2,
            action,
        });
    };
    let order = [
        DefectKind::SelfIntersection,
        DefectKind::OutsideParent,
        DefectKind::Overlap,
        DefectKind::Gap,
    ];
    for kind in order {
        for f in found.iter().filter(|f| f.kind == kind) {
            match kind {
                DefectKind::SelfIntersection => {
                    let i = f.siblings[0];
                    let fixed = geo::unary_union([&kids[i].geometry]);
                    kids[i].geometry = fixed;
                    record(
                        kind,
                        vec![kids[i].code.clone()],
                        f,
                        "outline rebuilt without its self-crossing".into(),
                    );
                }
                DefectKind::OutsideParent => {
                    let Some(parent) = parent else { continue };
                    let i = f.siblings[0];
                    kids[i].geometry = kids[i].geometry.intersection(parent);
                    record(
                        kind,
                        vec![kids[i].code.clone()],
                        f,
                        "clipped to its parent".into(),
                    );
                }
                DefectKind::Overlap => {
                    let (i, j) = (f.siblings[0], f.siblings[1]);
                    let cut = match (kids[i].incoming, kids[j].incoming) {
                        (true, false) => i,
                        (false, true) => j,
                        _ if kids[i].code > kids[j].code => i,
                        _ => j,
                    };
                    let keep = if cut == i { j } else { i };
                    kids[cut].geometry = kids[cut].geometry.difference(&kids[keep].geometry);
                    let action =
                        format!("cut from {} (kept by {})", kids[cut].code, kids[keep].code);
                    record(
                        kind,
                        vec![kids[i].code.clone(), kids[j].code.clone()],
                        f,
                        action,
                    );
                }
                DefectKind::Gap => {
                    let best = f
                        .siblings
                        .iter()
                        .filter(|&&i| kids[i].incoming)
                        .map(|&i| (i, shared_border(&f.piece, &kids[i].geometry)))
                        .filter(|(_, len)| *len > 0.0)
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    let Some((i, len)) = best else { continue };
                    kids[i].geometry = kids[i].geometry.union(&f.piece);
                    let codes = f.siblings.iter().map(|&k| kids[k].code.clone()).collect();
                    let action = format!("given to {} (shared border {len:.1} m)", kids[i].code);
                    record(kind, codes, f, action);
                }
                DefectKind::NoParent | DefectKind::DuplicateCode => {}
            }
        }
    }
    // Drop slivers the cuts may leave (pieces far below the tolerance).
    for k in kids.iter_mut().filter(|k| k.incoming) {
        k.geometry.0.retain(|p| p.unsigned_area() > 1e-6);
    }
    done
}
