//! Planning a unit import against the open document: codes and parents resolved, outlines
//! snapped, defects found (and repaired with `--repair`), ids given — everything decided in
//! memory, so that a refused import writes nothing and a dry run reports exactly what a real
//! run would do.

use std::collections::{BTreeMap, HashMap};

use geo::{BoundingRect, CoordsIter, InteriorPoint, MapCoords, Validation};
use geo_types::{Coord, MultiPolygon};
use rayon::prelude::*;
use serde::Serialize;

use crate::geom::LocalMetres;
use crate::import::defects::{DefectKind, Found, Sibling, find_defects, without_holes};
use crate::import::repair::repair;
use crate::import::snapping::{Snapped, snap};
use crate::import::unit_fields::IncomingUnit;
use crate::model::{Dataset, Level, Unit, UnitCode, UnitId};
use crate::store::CoordinateDatum;

#[derive(Debug, Clone, Copy)]
pub struct UnitImportOptions {
    /// Vertices this close (metres) to a neighbour's edge or vertex are snapped.
    pub snap_m: f64,
    pub repair: bool,
    pub datum: CoordinateDatum,
}

/// A defect or a repair as the user reads it: the codes, where (in the input's datum and in
/// WGS84), how large.
#[derive(Debug, Clone, Serialize)]
pub struct Reported {
    pub kind: DefectKind,
    pub codes: Vec<String>,
    /// (lon, lat) in the input's datum.
    pub at_input: Option<[f64; 2]>,
    pub at_wgs84: Option<[f64; 2]>,
    pub area_m2: f64,
    pub message: String,
}

/// What the import will write.
#[derive(Debug, Clone)]
pub struct UnitPlan {
    /// Every unit written: the incoming ones, and the county when its outline is their union.
    pub upsert: Vec<Unit>,
    /// The document's version of every unit the import replaces (checked again under the
    /// write lock: another program may have changed one meanwhile).
    pub replaced: Vec<Unit>,
    pub added: usize,
    pub snapped: Snapped,
    pub repairs: Vec<Reported>,
    /// The county's outline was recomputed as the union of its townships.
    pub county_from_union: bool,
    /// A 6-digit feature brought the county's own outline.
    pub county_imported: bool,
}

/// One unit while planning.
#[derive(Debug, Clone)]
struct Work {
    id: UnitId,
    level: Level,
    parent: Option<String>,
    name: String,
    geometry: MultiPolygon<f64>,
    incoming: bool,
}

fn place_of(datum: CoordinateDatum, wgs: Coord<f64>) -> (Option<[f64; 2]>, Option<[f64; 2]>) {
    let (x, y) = datum.from_wgs84(wgs.x, wgs.y);
    (Some([x, y]), Some([wgs.x, wgs.y]))
}

fn where_text(datum: CoordinateDatum, at: (Option<[f64; 2]>, Option<[f64; 2]>)) -> String {
    match at {
        (Some(i), Some(_))
            if matches!(datum, CoordinateDatum::Wgs84 | CoordinateDatum::Cgcs2000) =>
        {
            format!(" at {:.6}, {:.6} ({})", i[0], i[1], datum.label())
        }
        (Some(i), Some(w)) => format!(
            " at {:.6}, {:.6} ({}; WGS84 {:.6}, {:.6})",
            i[0],
            i[1],
            datum.label(),
            w[0],
            w[1]
        ),
        _ => String::new(),
    }
}

/// Plans importing `incoming` into `doc`. `county_is_union`: the document's county outline is
/// the union of its townships (a document made by `new`), recomputed when townships arrive.
pub fn plan_unit_import(
    doc: &Dataset,
    incoming: Vec<IncomingUnit>,
    options: UnitImportOptions,
    county_is_union: bool,
) -> Result<UnitPlan, Vec<Reported>> {
    let datum = options.datum;
    let mut refused = Vec::new();
    let simple = |kind, codes: Vec<String>, at: Option<Coord<f64>>, message: String| {
        let (at_input, at_wgs84) = at.map_or((None, None), |c| place_of(datum, c));
        Reported {
            kind,
            codes,
            at_input,
            at_wgs84,
            area_m2: 0.0,
            message,
        }
    };
    // Duplicate codes in the input: no rule can choose between them.
    let mut seen: HashMap<&str, &IncomingUnit> = HashMap::new();
    for u in &incoming {
        if let Some(first) = seen.insert(&u.code, u) {
            let at = u.geometry.interior_point().map(|p| p.0);
            refused.push(simple(
                DefectKind::DuplicateCode,
                vec![u.code.clone()],
                at,
                format!(
                    "{}: code {} is also {}'s code",
                    u.place, u.code, first.place
                ),
            ));
        }
    }
    let county = doc.units.iter().find(|u| u.level == Level::County);
    let by_code: HashMap<&str, &Unit> = doc.units.iter().map(|u| (u.code.as_str(), u)).collect();
    for u in &incoming {
        if u.level == Level::County {
            if let Some(c) = county.filter(|c| c.code != u.code) {
                refused.push(simple(
                    DefectKind::NoParent,
                    vec![u.code.clone()],
                    None,
                    format!(
                        "{}: county code {} is not this document's county {} ({})",
                        u.place, u.code, c.code, c.name
                    ),
                ));
            }
            continue;
        }
        let Some(parent_level) = u.level.parent() else {
            continue;
        };
        let parent_code = &u.code[..UnitCode::digits_for(parent_level)];
        if !by_code.contains_key(parent_code) && !seen.contains_key(parent_code) {
            let at = u.geometry.interior_point().map(|p| p.0);
            refused.push(simple(
                DefectKind::NoParent,
                vec![u.code.clone()],
                at,
                format!(
                    "{}: code {} extends no unit — there is no {} coded {parent_code} in this document or this import",
                    u.place,
                    u.code,
                    parent_level.name_en()
                ),
            ));
        }
    }
    if !refused.is_empty() {
        return Err(refused);
    }

    // The working set: the document's units, with the incoming ones over them by code.
    let mut next_id = doc.units.iter().map(|u| u.id.0).max().unwrap_or(0) + 1;
    let mut work: BTreeMap<String, Work> = doc
        .units
        .iter()
        .map(|u| {
            let parent = u.parent.and_then(|p| doc.units.iter().find(|x| x.id == p));
            (
                u.code.clone(),
                Work {
                    id: u.id,
                    level: u.level,
                    parent: parent.map(|p| p.code.clone()),
                    name: u.name.clone(),
                    geometry: u.geometry.clone(),
                    incoming: false,
                },
            )
        })
        .collect();
    let mut incoming = incoming;
    incoming.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    let mut added = 0;
    for u in incoming {
        let parent = u
            .level
            .parent()
            .map(|l| u.code[..UnitCode::digits_for(l)].to_owned());
        let id = match work.get(&u.code) {
            Some(w) => w.id,
            None => {
                added += 1;
                next_id += 1;
                UnitId(next_id - 1)
            }
        };
        work.insert(
            u.code.clone(),
            Work {
                id,
                level: u.level,
                parent,
                name: u.name,
                geometry: u.geometry,
                incoming: true,
            },
        );
    }
    let county_imported = work
        .values()
        .any(|w| w.incoming && w.level == Level::County);
    let mut snapped = Snapped::default();
    let mut repairs = Vec::new();
    let mut county_from_union = false;
    for level in [
        Level::Township,
        Level::Village,
        Level::Grid,
        Level::MicroGrid,
    ] {
        let mut parents: Vec<String> = work
            .values()
            .filter(|w| w.incoming && w.level == level)
            .filter_map(|w| w.parent.clone())
            .collect();
        parents.sort();
        parents.dedup();
        if parents.is_empty() {
            continue;
        }
        let union_frame = level == Level::Township && county_is_union && !county_imported;
        let results: Vec<GroupResult> = parents
            .par_iter()
            .map(|p| {
                let kids: Vec<(&String, &Work)> = work
                    .iter()
                    .filter(|(_, w)| w.level == level && w.parent.as_ref() == Some(p))
                    .collect();
                plan_group(&work[p], p, &kids, union_frame, options)
            })
            .collect();
        for r in results {
            snapped.moved += r.snapped.moved;
            snapped.inserted += r.snapped.inserted;
            repairs.extend(r.repairs);
            refused.extend(r.defects);
            for (code, geometry) in r.geometries {
                if let Some(w) = work.get_mut(&code) {
                    w.geometry = geometry;
                }
            }
            if let Some(outline) = r.union
                && let Some(c) = work.values_mut().find(|w| w.level == Level::County)
            {
                c.geometry = outline;
                county_from_union = true;
            }
        }
        if !refused.is_empty() {
            // A level with defects is no frame for the next one.
            return Err(refused);
        }
    }
    let id_of: HashMap<&str, UnitId> = work.iter().map(|(c, w)| (c.as_str(), w.id)).collect();
    let mut upsert = Vec::new();
    for (code, w) in &work {
        if !(w.incoming || (county_from_union && w.level == Level::County)) {
            continue;
        }
        upsert.push(Unit {
            id: w.id,
            level: w.level,
            parent: w.parent.as_deref().and_then(|p| id_of.get(p).copied()),
            code: code.clone(),
            name: w.name.clone(),
            geometry: w.geometry.clone(),
        });
    }
    let replaced = upsert
        .iter()
        .filter_map(|u| doc.units.iter().find(|d| d.id == u.id).cloned())
        .collect();
    Ok(UnitPlan {
        upsert,
        replaced,
        added,
        snapped,
        repairs,
        county_from_union,
        county_imported,
    })
}

struct GroupResult {
    geometries: Vec<(String, MultiPolygon<f64>)>,
    snapped: Snapped,
    defects: Vec<Reported>,
    repairs: Vec<Reported>,
    /// The county's new outline, when the frame was the townships' union.
    union: Option<MultiPolygon<f64>>,
}

/// Snaps, checks and (if asked) repairs the children of one parent, in metres around it.
fn plan_group(
    parent: &Work,
    parent_code: &str,
    kids: &[(&String, &Work)],
    union_frame: bool,
    options: UnitImportOptions,
) -> GroupResult {
    let rect = if union_frame {
        kids.iter()
            .filter_map(|(_, k)| k.geometry.bounding_rect())
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
            })
    } else {
        parent.geometry.bounding_rect()
    };
    let centre = rect.map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center());
    let local = LocalMetres::new(centre.x, centre.y);
    // Fixed vertices go back to their exact degrees, so that borders shared with units
    // outside this import stay bit-identical.
    let mut exact: HashMap<[u64; 2], Coord<f64>> = HashMap::new();
    let mut forward_fixed = |mp: &MultiPolygon<f64>| {
        let m = local.forward_multipolygon(mp);
        for (d, c) in mp.coords_iter().zip(m.coords_iter()) {
            exact.insert([c.x.to_bits(), c.y.to_bits()], d);
        }
        m
    };
    let parent_m = (!union_frame).then(|| forward_fixed(&parent.geometry));
    let fixed_m: Vec<MultiPolygon<f64>> = kids
        .iter()
        .filter(|(_, k)| !k.incoming)
        .map(|(_, k)| forward_fixed(&k.geometry))
        .collect();
    let mut movable_m: Vec<MultiPolygon<f64>> = Vec::new();
    let mut movable_codes: Vec<&String> = Vec::new();
    let mut fixed_codes: Vec<&String> = Vec::new();
    // Incoming vertices that snapping leaves where they are also go back exactly (fixed ones,
    // inserted after, win where both are at one place).
    for (_, k) in kids.iter().filter(|(_, k)| k.incoming) {
        let m = local.forward_multipolygon(&k.geometry);
        for (d, c) in k.geometry.coords_iter().zip(m.coords_iter()) {
            exact.entry([c.x.to_bits(), c.y.to_bits()]).or_insert(d);
        }
    }
    for (code, k) in kids {
        if k.incoming {
            movable_m.push(local.forward_multipolygon(&k.geometry));
            movable_codes.push(code);
        } else {
            fixed_codes.push(code);
        }
    }
    let frame_refs: Vec<&MultiPolygon<f64>> = parent_m.iter().chain(fixed_m.iter()).collect();
    let as_siblings = |movable: &[MultiPolygon<f64>]| -> Vec<Sibling> {
        movable_codes
            .iter()
            .zip(movable)
            .map(|(c, g)| Sibling {
                code: (*c).clone(),
                geometry: g.clone(),
                incoming: true,
            })
            .chain(fixed_codes.iter().zip(&fixed_m).map(|(c, g)| Sibling {
                code: (*c).clone(),
                geometry: g.clone(),
                incoming: false,
            }))
            .collect()
    };
    let frame = |siblings: &[Sibling]| match &parent_m {
        Some(p) => p.clone(),
        None => without_holes(&geo::unary_union(siblings.iter().map(|s| &s.geometry))),
    };
    // Outlines that already tile their parent are taken exactly as they are: snapping is for
    // noise, and moving a vertex that needs no moving can only make a clean net worse (a
    // vertex welded to a neighbour's corner 0.5 m away can fold a narrow unit).
    let mut siblings = as_siblings(&movable_m);
    let clean =
        options.snap_m == 0.0 || find_defects(Some(&frame(&siblings)), &siblings).is_empty();
    let snapped = if clean {
        Snapped::default()
    } else {
        // Where a unit is narrower than the tolerance, welding can fold it (two of its own
        // vertices pulled to a neighbour's corner). The tolerance then halves for this parent's
        // children, down to a quarter, before an outline crossing itself is reported.
        let valid_before: Vec<bool> = movable_m.iter().map(|m| m.is_valid()).collect();
        let mut tolerance = options.snap_m;
        loop {
            let mut attempt = movable_m.clone();
            let s = snap(&frame_refs, &mut attempt, tolerance);
            let folded = attempt
                .iter()
                .zip(&valid_before)
                .any(|(m, was)| *was && !m.is_valid());
            if !folded || tolerance <= options.snap_m / 4.0 {
                movable_m = attempt;
                break s;
            }
            tolerance /= 2.0;
        }
    };
    if !clean {
        siblings = as_siblings(&movable_m);
    }
    let mut frame_now = frame(&siblings);
    let mut found = find_defects(Some(&frame_now), &siblings);
    let mut repairs = Vec::new();
    if options.repair && !found.is_empty() {
        let done = repair(Some(&frame_now), &mut siblings, &found);
        // Boolean operations leave their own sub-millimetre noise: weld it away again.
        let n_in = siblings.iter().filter(|s| s.incoming).count();
        let mut again: Vec<MultiPolygon<f64>> = siblings[..n_in]
            .iter()
            .map(|s| s.geometry.clone())
            .collect();
        snap(&frame_refs, &mut again, 0.01);
        // A cut can leave one unit in pieces a hair apart; welded, they touch along a line,
        // which is no valid outline: such pieces are one piece again (union, welded once more).
        let mut merged = false;
        for g in again.iter_mut().filter(|g| g.0.len() > 1 && !g.is_valid()) {
            *g = geo::unary_union(g.0.iter());
            merged = true;
        }
        if merged {
            snap(&frame_refs, &mut again, 0.01);
        }
        for (s, g) in siblings.iter_mut().zip(again) {
            s.geometry = g;
        }
        frame_now = frame(&siblings);
        found = find_defects(Some(&frame_now), &siblings);
        for d in done {
            let wgs = local.inverse(d.at);
            let at = place_of(options.datum, wgs);
            repairs.push(Reported {
                kind: d.kind,
                message: format!(
                    "repaired {} of {:.1} m² ({}){}: {}",
                    d.kind.label(),
                    d.area_m2,
                    d.codes.join(", "),
                    where_text(options.datum, at),
                    d.action
                ),
                codes: d.codes,
                at_input: at.0,
                at_wgs84: at.1,
                area_m2: d.area_m2,
            });
        }
    }
    let to_degrees = |mp: &MultiPolygon<f64>| {
        mp.map_coords(|m| {
            exact
                .get(&[m.x.to_bits(), m.y.to_bits()])
                .copied()
                .unwrap_or_else(|| local.inverse(m))
        })
    };
    let defects = found
        .iter()
        .map(|f| {
            describe(
                f,
                &siblings,
                parent,
                parent_code,
                union_frame,
                &local,
                options.datum,
            )
        })
        .collect();
    let union =
        union_frame.then(|| to_degrees(&geo::unary_union(siblings.iter().map(|s| &s.geometry))));
    GroupResult {
        geometries: siblings
            .iter()
            .filter(|s| s.incoming)
            .map(|s| (s.code.clone(), to_degrees(&s.geometry)))
            .collect(),
        snapped,
        defects,
        repairs,
        union,
    }
}

fn describe(
    f: &Found,
    siblings: &[Sibling],
    parent: &Work,
    parent_code: &str,
    union_frame: bool,
    local: &LocalMetres,
    datum: CoordinateDatum,
) -> Reported {
    let codes: Vec<String> = f
        .siblings
        .iter()
        .map(|&i| siblings[i].code.clone())
        .collect();
    let at = place_of(datum, local.inverse(f.at));
    let inside = if union_frame {
        "between the townships (a hole in their union; import the county's own outline as a 6-digit feature if it has one)".to_owned()
    } else {
        format!(
            "in {} {parent_code} ({})",
            parent.level.name_en(),
            parent.name
        )
    };
    let message = match f.kind {
        DefectKind::Gap => format!(
            "gap of {:.1} m² {inside}, next to {}{}",
            f.area_m2,
            codes.join(", "),
            where_text(datum, at)
        ),
        DefectKind::Overlap => format!(
            "overlap of {:.1} m² between {} {inside}{}",
            f.area_m2,
            codes.join(" and "),
            where_text(datum, at)
        ),
        DefectKind::SelfIntersection => format!(
            "{}: the outline crosses itself ({}){}",
            codes.join(", "),
            f.detail,
            where_text(datum, at)
        ),
        DefectKind::OutsideParent => format!(
            "{} sticks out of its parent {} {parent_code} ({}) by {:.1} m²{}",
            codes.join(", "),
            parent.level.name_en(),
            parent.name,
            f.area_m2,
            where_text(datum, at)
        ),
        DefectKind::NoParent | DefectKind::DuplicateCode => codes.join(", "),
    };
    Reported {
        kind: f.kind,
        codes,
        at_input: at.0,
        at_wgs84: at.1,
        area_m2: f.area_m2,
        message,
    }
}
