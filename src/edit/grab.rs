//! Dragging shared vertices. Units of a level hold their common edges as bit-identical
//! vertices (the data is welded), so a shared vertex is found by exact comparison in every ring
//! that uses it, at every level: moving it moves it for every unit. Vertices of finer levels
//! that lie *on* a moving edge (a micro-grid corner on its grid's border) are carried along at
//! the same fraction of the edge, so children stay inside their parent.
//!
//! Written here rather than with a topology crate: the GIS topology crates in Rust (geo's
//! relate, topojson converters) compute relations or convert formats; none keeps an editable
//! vertex-sharing structure over our nested levels.

use geo_types::Coord;

use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, UnitId};

/// Perpendicular distance (degrees, ≈ 1 mm) within which a finer vertex counts as lying on an
/// edge: the generator's clipping leaves T-junctions within a few micrometres of the edge.
const ON_EDGE: f64 = 1e-8;

/// Where a ring position goes when the grabbed vertices move.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// Exactly to grabbed vertex `k`.
    Anchor(usize),
    /// At fraction `t` of the edge from `a` to `b`.
    OnEdge { a: End, b: End, t: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Anchor(usize),
    Fixed(Coord<f64>),
}

/// (unit slot, polygon, ring).
type RingKey = (usize, usize, usize);

/// One ring position: unit slot, polygon, ring (0 = exterior, 1.. = holes), vertex.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    unit: usize,
    poly: usize,
    ring: usize,
    vertex: usize,
    target: Target,
}

/// Vertices grabbed for a drag, with everything that moves with them.
#[derive(Debug, Clone)]
pub struct Grab {
    /// Where the grabbed vertices were.
    pub origin: Vec<Coord<f64>>,
    entries: Vec<Entry>,
    /// Unit slots that change, each once, with their outline before the drag.
    pub originals: Vec<(usize, geo_types::MultiPolygon<f64>)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GrabError {
    #[error("no vertex of a {0} there")]
    NoVertex(&'static str),
    #[error(
        "this vertex is on the boundary of a {0} (one level up or more): edit that level to move it"
    )]
    OnParentBoundary(&'static str),
}

pub(crate) fn rings(
    p: &geo_types::Polygon<f64>,
) -> impl Iterator<Item = &geo_types::LineString<f64>> {
    std::iter::once(p.exterior()).chain(p.interiors())
}

pub(crate) fn same(a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x.to_bits() == b.x.to_bits() && a.y.to_bits() == b.y.to_bits()
}

/// The fraction along a→b of p's projection, when p lies on the segment's interior within
/// [`ON_EDGE`].
pub(crate) fn on_segment(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> Option<f64> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return None;
    }
    let t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2;
    if t <= 1e-12 || t >= 1.0 - 1e-12 {
        return None;
    }
    let (px, py) = (a.x + t * dx, a.y + t * dy);
    let dist = ((p.x - px).powi(2) + (p.y - py).powi(2)).sqrt();
    (dist <= ON_EDGE).then_some(t)
}

/// Every ring position (any level) holding exactly `p`.
pub(crate) fn occurrences(
    d: &Dataset,
    index: &SpatialIndex,
    p: Coord<f64>,
) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    for level in Level::ALL {
        for u in index.units_near(level, p) {
            for (pi, poly) in d.units[u].geometry.0.iter().enumerate() {
                for (ri, ring) in rings(poly).enumerate() {
                    for (vi, c) in ring.0.iter().enumerate() {
                        if same(*c, p) {
                            out.push((u, pi, ri, vi));
                        }
                    }
                }
            }
        }
    }
    out
}

impl Grab {
    /// Grabs the vertices at `points` (each must be a vertex of a unit of `level`). Refuses a
    /// vertex that coarser units use too: it belongs to the parent's boundary.
    pub fn new(
        d: &Dataset,
        index: &SpatialIndex,
        level: Level,
        points: &[Coord<f64>],
    ) -> Result<Grab, GrabError> {
        let mut entries = Vec::new();
        for (k, &p) in points.iter().enumerate() {
            let found = occurrences(d, index, p);
            if !found.iter().any(|&(u, ..)| d.units[u].level == level) {
                return Err(GrabError::NoVertex(level.name_en()));
            }
            if let Some(&(u, ..)) = found.iter().find(|&&(u, ..)| d.units[u].level < level) {
                return Err(GrabError::OnParentBoundary(d.units[u].level.name_en()));
            }
            entries.extend(found.into_iter().map(|(unit, poly, ring, vertex)| Entry {
                unit,
                poly,
                ring,
                vertex,
                target: Target::Anchor(k),
            }));
        }
        // Finer vertices on the edges that move: each edge from an anchor to its ring
        // neighbours (both anchors when an edge is dragged whole).
        let anchor_of = |c: Coord<f64>| points.iter().position(|p| same(*p, c));
        let mut edges: Vec<(End, End, Coord<f64>, Coord<f64>)> = Vec::new();
        for e in &entries {
            let ring: Vec<Coord<f64>> = rings(&d.units[e.unit].geometry.0[e.poly])
                .nth(e.ring)
                .map(|r| r.0.clone())
                .unwrap_or_default();
            let n = ring.len();
            if n < 4 {
                continue;
            }
            // Closed ring: positions 0 and n-1 are the same vertex.
            let prev = if e.vertex == 0 { n - 2 } else { e.vertex - 1 };
            let next = if e.vertex == n - 1 { 1 } else { e.vertex + 1 };
            let Target::Anchor(k) = e.target else {
                continue;
            };
            for q in [ring[prev], ring[next]] {
                let end = anchor_of(q).map_or(End::Fixed(q), End::Anchor);
                edges.push((End::Anchor(k), end, points[k], q));
            }
        }
        edges.sort_by(|x, y| {
            (x.2.x, x.2.y, x.3.x, x.3.y)
                .partial_cmp(&(y.2.x, y.2.y, y.3.x, y.3.y))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        edges.dedup_by(|x, y| same(x.2, y.2) && same(x.3, y.3));
        for (ea, eb, a, b) in edges {
            let min = Coord {
                x: a.x.min(b.x) - ON_EDGE,
                y: a.y.min(b.y) - ON_EDGE,
            };
            let max = Coord {
                x: a.x.max(b.x) + ON_EDGE,
                y: a.y.max(b.y) + ON_EDGE,
            };
            for level in Level::ALL {
                for u in index.units_in_box(level, min, max) {
                    for (pi, poly) in d.units[u].geometry.0.iter().enumerate() {
                        for (ri, ring) in rings(poly).enumerate() {
                            for (vi, c) in ring.0.iter().enumerate() {
                                if let Some(t) = on_segment(a, b, *c) {
                                    entries.push(Entry {
                                        unit: u,
                                        poly: pi,
                                        ring: ri,
                                        vertex: vi,
                                        target: Target::OnEdge { a: ea, b: eb, t },
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        // A position found on several collinear edges (a micro-grid's edge P→T lies along its
        // grid's edge P→Q, and T itself is carried) takes its place on the longest one, whose
        // far end does not move. Anchors come first and always win.
        let length = |e: &Entry| match e.target {
            Target::Anchor(_) => f64::INFINITY,
            Target::OnEdge { a, b, .. } => {
                let at = |x: End| match x {
                    End::Anchor(k) => points[k],
                    End::Fixed(c) => c,
                };
                let (a, b) = (at(a), at(b));
                (a.x - b.x).hypot(a.y - b.y)
            }
        };
        entries.sort_by(|x, y| length(y).total_cmp(&length(x)));
        let mut seen = std::collections::HashSet::new();
        entries.retain(|e| seen.insert((e.unit, e.poly, e.ring, e.vertex)));
        let mut units: Vec<usize> = entries.iter().map(|e| e.unit).collect();
        units.sort_unstable();
        units.dedup();
        Ok(Grab {
            origin: points.to_vec(),
            originals: units
                .into_iter()
                .map(|u| (u, d.units[u].geometry.clone()))
                .collect(),
            entries,
        })
    }

    /// The ids of the units that change.
    pub fn unit_ids(&self, d: &Dataset) -> Vec<UnitId> {
        self.originals.iter().map(|(u, _)| d.units[*u].id).collect()
    }

    /// Moves the grabbed vertices to `to` (one position per grabbed vertex), writing the
    /// outlines of the affected units in `d`.
    pub fn move_to(&self, d: &mut Dataset, to: &[Coord<f64>]) {
        let end = |e: End| match e {
            End::Anchor(k) => to[k],
            End::Fixed(c) => c,
        };
        // One ring's positions are set together: geo-types re-closes a ring after each
        // mutation, which must not see the first and last vertex differ.
        let mut by_ring: std::collections::BTreeMap<RingKey, Vec<(usize, Coord<f64>)>> =
            std::collections::BTreeMap::new();
        for e in &self.entries {
            let c = match e.target {
                Target::Anchor(k) => to[k],
                Target::OnEdge { a, b, t } => {
                    let (a, b) = (end(a), end(b));
                    Coord {
                        x: a.x + t * (b.x - a.x),
                        y: a.y + t * (b.y - a.y),
                    }
                }
            };
            by_ring
                .entry((e.unit, e.poly, e.ring))
                .or_default()
                .push((e.vertex, c));
        }
        for ((unit, poly, ring), changes) in by_ring {
            let p = &mut d.units[unit].geometry.0[poly];
            let apply = |r: &mut geo_types::LineString<f64>| {
                for &(v, c) in &changes {
                    r.0[v] = c;
                }
            };
            if ring == 0 {
                p.exterior_mut(apply);
            } else {
                p.interiors_mut(|rs| apply(&mut rs[ring - 1]));
            }
        }
    }

    /// Puts every affected outline back as it was.
    pub fn cancel(&self, d: &mut Dataset) {
        for (u, g) in &self.originals {
            d.units[*u].geometry = g.clone();
        }
    }
}

/// A vertex that two or more units of `level` share and no coarser unit uses — one that can
/// be dragged — preferring the one used by the most units (a junction). For scripts and tests.
pub fn shared_vertex(d: &Dataset, level: Level) -> Option<Coord<f64>> {
    let mut uses: std::collections::HashMap<(u64, u64), (usize, bool)> =
        std::collections::HashMap::new();
    for u in &d.units {
        if u.level > level {
            continue;
        }
        for p in &u.geometry.0 {
            for ring in rings(p) {
                for c in ring.0.iter().skip(1) {
                    let e = uses
                        .entry((c.x.to_bits(), c.y.to_bits()))
                        .or_insert((0, false));
                    if u.level == level {
                        e.0 += 1;
                    } else {
                        e.1 = true;
                    }
                }
            }
        }
    }
    uses.into_iter()
        .filter(|(_, (n, coarser))| *n >= 2 && !coarser)
        .max_by_key(|((x, y), (n, _))| (*n, *x, *y))
        .map(|((x, y), _)| Coord {
            x: f64::from_bits(x),
            y: f64::from_bits(y),
        })
}

/// Two siblings of `level` that share an edge (two or more vertices), the first holding more
/// than one household — a pair that can be merged or painted between. For scripts and tests.
pub fn neighbouring_siblings(d: &Dataset, level: Level) -> Option<(UnitId, UnitId)> {
    let mut by_parent: std::collections::BTreeMap<UnitId, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, u) in d.units.iter().enumerate() {
        if let (true, Some(p)) = (u.level == level, u.parent) {
            by_parent.entry(p).or_default().push(i);
        }
    }
    let mut households: std::collections::HashMap<UnitId, usize> = std::collections::HashMap::new();
    for h in &d.households {
        if let Some(u) = h.unit {
            *households.entry(u).or_default() += 1;
        }
    }
    let vertices = |i: usize| -> std::collections::HashSet<(u64, u64)> {
        d.units[i]
            .geometry
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect()
    };
    for kids in by_parent.values() {
        for (n, &a) in kids.iter().enumerate() {
            if households.get(&d.units[a].id).copied().unwrap_or(0) < 2 {
                continue;
            }
            let va = vertices(a);
            for &b in &kids[n + 1..] {
                if vertices(b).intersection(&va).count() >= 2 {
                    return Some((d.units[a].id, d.units[b].id));
                }
            }
        }
    }
    None
}
