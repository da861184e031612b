//! Everything the map draws of the units, prepared once per document in normalized Web
//! Mercator: per level, each unit's triangulated fill (for choropleths; egui cannot fill a
//! concave polygon itself) and the level's outlines as polylines in which every shared border
//! appears once. A frame then only culls, transforms (one multiply-add per vertex) and decimates.

use std::sync::OnceLock;

use geo::{InteriorPoint, TriangulateEarcut};
use geo_types::{LineString, Polygon};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::map::box_chunks::{BBox, BoxChunks};
use crate::map::lon_lat_to_mercator;
use crate::model::{Dataset, Level, UnitId};

/// One unit's part of a level's buffers.
pub struct UnitGeom {
    pub id: UnitId,
    /// Index into `Dataset::units`.
    pub unit: usize,
    pub name: String,
    /// [min_x, min_y, max_x, max_y], normalized Web Mercator.
    pub bbox: [f64; 4],
    /// See [`UnitGeom::label_at`].
    label_at: OnceLock<[f64; 2]>,
    /// Its triangles: `LevelGeometry::indices[tri.0..tri.1]` (into `vertices`).
    pub tri: (usize, usize),
}

impl UnitGeom {
    /// Where the unit's name goes (normalized Web Mercator): geo's interior point of its outline
    /// in `d`, worked out the first time the unit is labelled and kept. Worked out for every
    /// unit at open it cost a city a second of the open, for labels most units never show; a
    /// frame meets at most the few hundred new ones a pan brings into view.
    pub fn label_at(&self, d: &Dataset) -> [f64; 2] {
        *self.label_at.get_or_init(|| {
            d.units
                .get(self.unit)
                .filter(|u| u.id == self.id)
                .and_then(|u| u.geometry.interior_point())
                .map_or(
                    [
                        (self.bbox[0] + self.bbox[2]) / 2.0,
                        (self.bbox[1] + self.bbox[3]) / 2.0,
                    ],
                    |p| lon_lat_to_mercator(p.x(), p.y()),
                )
        })
    }
}

#[derive(Default)]
pub struct LevelGeometry {
    pub units: Vec<UnitGeom>,
    pub vertices: Vec<[f64; 2]>,
    pub indices: Vec<u32>,
    /// Outlines with each shared border once: piece `i` is
    /// `line_points[line_start[i]..line_start[i + 1]]`. One buffer rather than a `Vec` per piece:
    /// a city's micro-grids have over a million pieces, each an allocation to make and free.
    line_points: Vec<[f64; 2]>,
    line_start: Vec<usize>,
    line_bbox: Vec<[f64; 4]>,
    unit_chunks: BoxChunks,
    line_chunks: BoxChunks,
}

fn bbox_of(points: &[[f64; 2]]) -> [f64; 4] {
    points.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

fn to_mercator(ls: &LineString<f64>) -> Vec<[f64; 2]> {
    ls.0.iter().map(|c| lon_lat_to_mercator(c.x, c.y)).collect()
}

/// One unit triangulated: vertices, triangle indices, bounding box.
type Triangulated = (Vec<[f64; 2]>, Vec<u32>, [f64; 4]);

impl LevelGeometry {
    fn build(d: &Dataset, level: Level) -> LevelGeometry {
        let members: Vec<usize> = d
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.level == level)
            .map(|(i, _)| i)
            .collect();
        // Triangulate in parallel, then concatenate.
        let parts: Vec<Triangulated> = members
            .par_iter()
            .map(|&i| {
                let unit = &d.units[i];
                let mut vertices = Vec::new();
                let mut indices = Vec::new();
                for p in &unit.geometry.0 {
                    let merc = Polygon::new(
                        LineString::from(
                            to_mercator(p.exterior())
                                .into_iter()
                                .map(|[x, y]| (x, y))
                                .collect::<Vec<_>>(),
                        ),
                        p.interiors()
                            .iter()
                            .map(|r| {
                                LineString::from(
                                    to_mercator(r)
                                        .into_iter()
                                        .map(|[x, y]| (x, y))
                                        .collect::<Vec<_>>(),
                                )
                            })
                            .collect(),
                    );
                    let raw = merc.earcut_triangles_raw();
                    let base = vertices.len() as u32;
                    vertices.extend(raw.vertices.iter().map(|v| [v[0], v[1]]));
                    indices.extend(raw.triangle_indices.iter().map(|&t| base + t as u32));
                }
                let bbox = bbox_of(&vertices);
                (vertices, indices, bbox)
            })
            .collect();
        let mut g = LevelGeometry::default();
        for (&i, (vertices, indices, bbox)) in members.iter().zip(parts) {
            let base = g.vertices.len() as u32;
            let start = g.indices.len();
            g.vertices.extend(vertices);
            g.indices.extend(indices.into_iter().map(|t| base + t));
            g.units.push(UnitGeom {
                id: d.units[i].id,
                unit: i,
                name: d.units[i].name.clone(),
                bbox,
                label_at: OnceLock::new(),
                tri: (start, g.indices.len()),
            });
        }
        // Outlines: walk every ring; a segment already drawn (shared with a neighbour, whose
        // vertices are welded identical) ends the current polyline. The set is keyed by the
        // segments' bits and hashed with FxHash: SipHash over a city's millions of micro-grid
        // segments was most of this loop, which is sequential (a piece ends where it meets one
        // drawn before, in any unit).
        let segments: usize = members
            .iter()
            .flat_map(|&i| &d.units[i].geometry.0)
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0.len())
            .sum();
        let mut seen: FxHashSet<([u64; 2], [u64; 2])> =
            FxHashSet::with_capacity_and_hasher(segments, Default::default());
        let key = |a: [f64; 2], b: [f64; 2]| {
            let (ka, kb) = (
                [a[0].to_bits(), a[1].to_bits()],
                [b[0].to_bits(), b[1].to_bits()],
            );
            if ka <= kb { (ka, kb) } else { (kb, ka) }
        };
        g.line_start.push(0);
        for &i in &members {
            for p in &d.units[i].geometry.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let pts = to_mercator(ring);
                    for w in pts.windows(2) {
                        if seen.insert(key(w[0], w[1])) {
                            if g.open_piece_len() == 0 {
                                g.line_points.push(w[0]);
                            }
                            g.line_points.push(w[1]);
                        } else {
                            g.end_piece();
                        }
                    }
                    g.end_piece();
                }
            }
        }
        g.unit_chunks = BoxChunks::new(g.units.iter().map(|u| u.bbox));
        g.line_chunks = BoxChunks::new(g.line_bbox.iter().copied());
        g
    }

    /// The units whose box meets `view` (normalized Web Mercator), in order.
    pub fn units_in(&self, view: BBox) -> impl Iterator<Item = (usize, &UnitGeom)> {
        self.unit_chunks
            .visit(view, self.units.len(), |i| &self.units[i].bbox)
            .map(|i| (i, &self.units[i]))
    }

    /// Points of the piece being built after the last finished one.
    fn open_piece_len(&self) -> usize {
        self.line_points.len() - self.line_start.last().copied().unwrap_or(0)
    }

    /// Finishes the piece being built: kept if it is a line, dropped if a lone point.
    fn end_piece(&mut self) {
        let start = self.line_start.last().copied().unwrap_or(0);
        match self.line_points.len() - start {
            0 => {}
            1 => self.line_points.truncate(start),
            _ => {
                self.line_bbox.push(bbox_of(&self.line_points[start..]));
                self.line_start.push(self.line_points.len());
            }
        }
    }

    fn line(&self, i: usize) -> &[[f64; 2]] {
        &self.line_points[self.line_start[i]..self.line_start[i + 1]]
    }

    /// Every outline piece.
    pub fn lines(&self) -> impl Iterator<Item = &[[f64; 2]]> {
        (0..self.line_bbox.len()).map(|i| self.line(i))
    }

    /// The outline pieces whose box meets `view`.
    pub fn lines_in(&self, view: BBox) -> impl Iterator<Item = &[[f64; 2]]> {
        self.line_chunks
            .visit(view, self.line_bbox.len(), |i| &self.line_bbox[i])
            .map(|i| self.line(i))
    }
}

/// The map geometry of a whole document.
pub struct MapGeometry {
    levels: Vec<LevelGeometry>,
}

impl MapGeometry {
    pub fn new(d: &Dataset) -> MapGeometry {
        MapGeometry {
            levels: Level::ALL
                .par_iter()
                .map(|&l| LevelGeometry::build(d, l))
                .collect(),
        }
    }

    /// Rebuilds the buffers of the given levels after their units changed.
    pub fn rebuild_levels(&mut self, d: &Dataset, levels: &[Level]) {
        let rebuilt: Vec<(Level, LevelGeometry)> = levels
            .par_iter()
            .map(|&l| (l, LevelGeometry::build(d, l)))
            .collect();
        for (l, g) in rebuilt {
            self.levels[l.number() as usize - 1] = g;
        }
    }

    pub fn level(&self, level: Level) -> &LevelGeometry {
        &self.levels[level.number() as usize - 1]
    }

    /// Position of a unit within its level's `units`, if drawn.
    pub fn find(&self, level: Level, id: UnitId) -> Option<&UnitGeom> {
        self.level(level).units.iter().find(|u| u.id == id)
    }

    /// The bounding box of everything, normalized Web Mercator: the box around every unit: the coarsest level that has units (children lie inside their
    /// parents), so a county costs one box, not 36,000.
    pub fn extent(&self) -> Option<[f64; 4]> {
        self.levels
            .iter()
            .find(|l| !l.units.is_empty())?
            .units
            .iter()
            .map(|u| u.bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn shared_borders_are_drawn_once() {
        let d = crate::demo::generate(
            &crate::demo::DemoParams {
                scale: crate::demo::Scale::Township,
                seed: 1,
                as_of: crate::model::Timestamp(0),
                cases: None,
            },
            &|_, _| {},
        )
        .unwrap();
        let g = MapGeometry::new(&d);
        let grid = g.level(Level::Grid);
        let key = |a: [f64; 2], b: [f64; 2]| {
            let (ka, kb) = (
                [a[0].to_bits(), a[1].to_bits()],
                [b[0].to_bits(), b[1].to_bits()],
            );
            if ka <= kb { (ka, kb) } else { (kb, ka) }
        };
        // Independently: the distinct undirected segments of all grid rings.
        let mut distinct = HashSet::new();
        let mut ring_segments = 0;
        for u in d.units_of_level(Level::Grid) {
            for p in &u.geometry.0 {
                let pts = to_mercator(p.exterior());
                for w in pts.windows(2) {
                    distinct.insert(key(w[0], w[1]));
                    ring_segments += 1;
                }
            }
        }
        let mut drawn = HashSet::new();
        for line in grid.lines() {
            for w in line.windows(2) {
                assert!(drawn.insert(key(w[0], w[1])), "a segment is drawn twice");
            }
        }
        assert_eq!(drawn, distinct, "every border segment exactly once");
        assert!(
            drawn.len() < ring_segments,
            "shared borders exist and are saved"
        );
        assert!(
            grid.units.iter().all(|u| u.tri.1 > u.tri.0),
            "every grid has a fill"
        );
    }
}
