//! Finding what is really wrong with a set of siblings after snapping: gaps and overlaps larger
//! than the tolerance, self-intersecting rings, a unit sticking out of its parent. Each finding
//! keeps its piece (in local metres) so that a repair can act on it and the window can ring it.

use geo::{Area, BooleanOps, BoundingRect, InteriorPoint, Validation};
use geo_types::{Coord, MultiPolygon, Polygon, Rect};

use crate::check::TOLERANCE_M2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectKind {
    Gap,
    Overlap,
    SelfIntersection,
    OutsideParent,
    NoParent,
    DuplicateCode,
}

impl DefectKind {
    pub fn label(self) -> &'static str {
        match self {
            DefectKind::Gap => "gap",
            DefectKind::Overlap => "overlap",
            DefectKind::SelfIntersection => "self-intersecting ring",
            DefectKind::OutsideParent => "outside its parent",
            DefectKind::NoParent => "code extends no parent",
            DefectKind::DuplicateCode => "duplicate code",
        }
    }
}

/// One sibling in local metres.
#[derive(Debug, Clone)]
pub struct Sibling {
    pub code: String,
    pub geometry: MultiPolygon<f64>,
    /// Brought by this import (may be snapped and repaired); otherwise already in the document.
    pub incoming: bool,
}

/// A defect in local metres: the codes involved, the piece, its area.
#[derive(Debug, Clone)]
pub struct Found {
    pub kind: DefectKind,
    /// Indices into the siblings (one for a self-intersection or a unit outside its parent,
    /// two for an overlap, the neighbours for a gap).
    pub siblings: Vec<usize>,
    pub piece: MultiPolygon<f64>,
    pub at: Coord<f64>,
    pub area_m2: f64,
    /// What exactly is wrong, when the kind alone does not say (geo's validation message).
    pub detail: String,
}

fn largest_point(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    mp.0.iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .and_then(|p| p.interior_point())
        .map(|p| p.0)
}

fn boxes_meet(a: Option<Rect<f64>>, b: Option<Rect<f64>>, slack: f64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.min().x <= b.max().x + slack
                && b.min().x <= a.max().x + slack
                && a.min().y <= b.max().y + slack
                && b.min().y <= a.max().y + slack
        }
        _ => false,
    }
}

/// Where a ring crosses itself (or another ring of the unit): the first crossing of two
/// non-adjacent edges. Only called for outlines geo already found invalid.
fn crossing(mp: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    let edges: Vec<geo_types::Line<f64>> =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.lines())
            .collect();
    for (i, a) in edges.iter().enumerate() {
        for b in &edges[i + 1..] {
            let shares =
                a.start == b.start || a.start == b.end || a.end == b.start || a.end == b.end;
            if shares {
                continue;
            }
            if let Some(geo::LineIntersection::SinglePoint { intersection, .. }) =
                geo::line_intersection::line_intersection(*a, *b)
            {
                return Some(intersection);
            }
        }
    }
    largest_point(mp)
}

/// The defects of `kids` inside `parent` (all in local metres). Without a parent (townships
/// whose union becomes the county) only overlaps and invalid rings are looked for; the caller
/// passes the union's outer rings as the parent to find holes.
pub fn find_defects(parent: Option<&MultiPolygon<f64>>, kids: &[Sibling]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut valid = vec![true; kids.len()];
    for (i, k) in kids.iter().enumerate().filter(|(_, k)| k.incoming) {
        if let Some(e) = k.geometry.validation_errors().first() {
            valid[i] = false;
            let detail = e.to_string();
            if let Some(at) = crossing(&k.geometry) {
                out.push(Found {
                    kind: DefectKind::SelfIntersection,
                    siblings: vec![i],
                    piece: MultiPolygon::new(Vec::new()),
                    at,
                    area_m2: k.geometry.unsigned_area(),
                    detail,
                });
            }
        }
    }
    // Boolean operations on an invalid outline answer nonsense: the rest waits for a repair.
    if valid.iter().any(|v| !v) {
        return out;
    }
    let boxes: Vec<Option<Rect<f64>>> = kids.iter().map(|k| k.geometry.bounding_rect()).collect();
    if let Some(parent) = parent {
        for (i, k) in kids.iter().enumerate().filter(|(_, k)| k.incoming) {
            let outside = k.geometry.difference(parent);
            let area = outside.unsigned_area();
            if area > TOLERANCE_M2
                && let Some(at) = largest_point(&outside)
            {
                out.push(Found {
                    kind: DefectKind::OutsideParent,
                    siblings: vec![i],
                    piece: outside,
                    at,
                    area_m2: area,
                    detail: String::new(),
                });
            }
        }
    }
    for i in 0..kids.len() {
        for j in i + 1..kids.len() {
            if !(kids[i].incoming || kids[j].incoming) || !boxes_meet(boxes[i], boxes[j], 0.0) {
                continue;
            }
            let shared = kids[i].geometry.intersection(&kids[j].geometry);
            let area = shared.unsigned_area();
            if area > TOLERANCE_M2
                && let Some(at) = largest_point(&shared)
            {
                out.push(Found {
                    kind: DefectKind::Overlap,
                    siblings: vec![i, j],
                    piece: shared,
                    at,
                    area_m2: area,
                    detail: String::new(),
                });
            }
        }
    }
    if let Some(parent) = parent {
        let union = geo::unary_union(kids.iter().map(|k| &k.geometry));
        let gaps = parent.difference(&union);
        for piece in gaps.0 {
            let area = piece.unsigned_area();
            if area <= TOLERANCE_M2 {
                continue;
            }
            let Some(at) = piece.interior_point().map(|p| p.0) else {
                continue;
            };
            let b = piece.bounding_rect();
            let neighbours = (0..kids.len())
                .filter(|&i| boxes_meet(boxes[i], b, 1.0))
                .collect();
            out.push(Found {
                kind: DefectKind::Gap,
                siblings: neighbours,
                piece: MultiPolygon::new(vec![piece]),
                at,
                area_m2: area,
                detail: String::new(),
            });
        }
    }
    out
}

/// The outer rings of `mp` (its holes filled): the frame townships must fill when the county's
/// outline is their union, so that a hole between them is a gap.
pub fn without_holes(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon::new(
        mp.0.iter()
            .map(|p| Polygon::new(p.exterior().clone(), Vec::new()))
            .collect(),
    )
}
