//! Tiling: the children of a unit cover it with no gap, no overlap and nothing outside it, to
//! [`TOLERANCE_M2`], by areas of boolean operations in local metres around the parent.

use geo::{Area, BooleanOps, BoundingRect};
use geo_types::MultiPolygon;

use crate::check::{Rule, TOLERANCE_M2, Violation, spot, v};
use crate::geom::LocalMetres;
use crate::model::Unit;

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
                Rule::InsideParent,
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
            Rule::NoOverlap,
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
            Rule::NoGap,
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

/// The counties of a city's document, side by side: no two overlap (within the tolerance).
/// They need not cover anything: there is no unit above them.
pub fn counties_apart(counties: &[&Unit]) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(centre) = counties
        .iter()
        .filter_map(|c| c.geometry.bounding_rect())
        .reduce(|a, b| {
            geo_types::Rect::new(
                geo_types::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo_types::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
        .map(|r| r.center())
    else {
        return out;
    };
    let local = LocalMetres::new(centre.x, centre.y);
    let shapes: Vec<(&Unit, geo_types::Rect<f64>, MultiPolygon<f64>)> = counties
        .iter()
        .filter_map(|c| {
            let m = local.forward_multipolygon(&c.geometry);
            m.bounding_rect().map(|r| (*c, r, m))
        })
        .collect();
    for (i, (ca, ra, a)) in shapes.iter().enumerate() {
        for (cb, rb, b) in shapes.iter().skip(i + 1) {
            let apart = ra.max().x < rb.min().x
                || rb.max().x < ra.min().x
                || ra.max().y < rb.min().y
                || rb.max().y < ra.min().y;
            if apart {
                continue;
            }
            let shared = a.intersection(b);
            let area = shared.unsigned_area();
            if area > TOLERANCE_M2 {
                out.push(v(
                    Rule::OneCounty,
                    "units",
                    cb.id.0,
                    spot(&shared).map(|c| local.inverse(c)),
                    format!(
                        "counties {} and {} overlap by {area:.1} m²",
                        ca.code, cb.code
                    ),
                ));
            }
        }
    }
    out
}
