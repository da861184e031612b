//! Boolean operations for edits, run in metres around the unit (geo's BooleanOps snap to a
//! grid scaled to the coordinates' magnitude: in degrees at longitude 114° that grid is ~2.6 cm,
//! around a local origin far below a millimetre), and the weld that makes the results share
//! vertices bit-for-bit with the outlines they came from.

use geo::{Area, BooleanOps, BoundingRect};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::geom::{LocalMetres, Welder};

/// Weld tolerance in degrees (≈ 1 mm), as the demo generator's.
const WELD_DEG: f64 = 1e-8;

pub struct Local {
    pub frame: LocalMetres,
}

impl Local {
    /// A frame centred on `mp`.
    pub fn around(mp: &MultiPolygon<f64>) -> Local {
        let c = mp
            .bounding_rect()
            .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center());
        Local {
            frame: LocalMetres::new(c.x, c.y),
        }
    }

    pub fn to_m(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        self.frame.forward_multipolygon(mp)
    }

    pub fn to_deg(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        self.frame.inverse_multipolygon(mp)
    }

    /// The side left of `line` (lon/lat, crossing the area of interest), as a polygon in
    /// metres: the line extended far beyond both ends and closed by a large box on its left.
    pub fn left_of(&self, line: &[Coord<f64>]) -> Option<MultiPolygon<f64>> {
        if line.len() < 2 {
            return None;
        }
        let pts: Vec<Coord<f64>> = line.iter().map(|c| self.frame.forward(*c)).collect();
        const FAR: f64 = 200_000.0;
        let unit = |a: Coord<f64>, b: Coord<f64>| {
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let n = (dx * dx + dy * dy).sqrt();
            (n > 0.0).then(|| Coord {
                x: dx / n,
                y: dy / n,
            })
        };
        let d0 = unit(pts[1], pts[0])?;
        let d1 = unit(pts[pts.len() - 2], pts[pts.len() - 1])?;
        let start = pts[0] + d0 * FAR;
        let end = pts[pts.len() - 1] + d1 * FAR;
        // Left of the overall direction start → end.
        let dir = unit(start, end)?;
        let left = Coord {
            x: -dir.y,
            y: dir.x,
        } * (FAR * 2.0);
        let mut ring = vec![start];
        ring.extend(pts.iter().copied());
        ring.extend([end, end + left, start + left, start]);
        Some(MultiPolygon::new(vec![Polygon::new(
            LineString::from(ring),
            vec![],
        )]))
    }
}

/// Area in m² of a polygon in metres.
pub fn area(mp: &MultiPolygon<f64>) -> f64 {
    mp.unsigned_area()
}

pub fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.intersection(b)
}

pub fn difference(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.difference(b)
}

pub fn union(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.union(b)
}

/// Welds new outlines to the vertices of `reference` outlines (registered first, so they win)
/// and to each other, in the order given. Welding can fold a ring back on itself where two
/// output vertices a fraction of a millimetre apart become one (a spike a → b → a); spikes are
/// removed, and an outline that is still not valid is kept unwelded (its slivers are far below
/// the tiling tolerance).
pub fn weld(reference: &[&MultiPolygon<f64>], new: &[MultiPolygon<f64>]) -> Vec<MultiPolygon<f64>> {
    use geo::Validation;
    let mut w = Welder::new(WELD_DEG);
    for r in reference {
        w.register(r);
    }
    new.iter()
        .map(|mp| {
            let welded = without_spikes(&w.weld(mp));
            if welded.is_valid() || !mp.is_valid() {
                welded
            } else {
                mp.clone()
            }
        })
        .collect()
}

fn without_spikes(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let clean = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        // Open ring, then drop a vertex whose neighbours coincide, until none is left.
        let mut v: Vec<Coord<f64>> = ls.0[..ls.0.len().saturating_sub(1)].to_vec();
        let mut changed = true;
        while changed && v.len() >= 3 {
            changed = false;
            let n = v.len();
            for i in 0..n {
                let (prev, next) = (v[(i + n - 1) % n], v[(i + 1) % n]);
                if prev == next || v[i] == next {
                    v.remove(i);
                    changed = true;
                    break;
                }
            }
        }
        (v.len() >= 3).then(|| {
            v.push(v[0]);
            LineString::from(v)
        })
    };
    MultiPolygon::new(
        mp.0.iter()
            .filter_map(|p| {
                let exterior = clean(p.exterior())?;
                let interiors = p.interiors().iter().filter_map(&clean).collect();
                Some(Polygon::new(exterior, interiors))
            })
            .collect(),
    )
}
