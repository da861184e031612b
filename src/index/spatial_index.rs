//! The indexes of an open document: a static grid over household points and an R-tree over
//! case points (both in local metres, so distances are metres), R-trees over unit envelopes
//! per level, and the micro-grid locator.
//! Built at open; `rebuild_units` after boundaries change.

use geo::{BoundingRect, MapCoords};
use geo_types::{Coord, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use rayon::prelude::*;

use crate::geom::LocalMetres;
use crate::index::point_grid::{GridPoint, PointGrid};
use crate::index::{
    Area, DEFAULT_BUCKETS_PER_UNIT, PointLocator, Position, position_in, position_in_rings,
};
use crate::model::{Dataset, Level, TagSet, UnitId};

type PointEntry = GeomWithData<[f64; 2], u32>;
type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

pub struct SpatialIndex {
    /// The local metric frame of the household and case indexes (centred on the dataset).
    pub frame: LocalMetres,
    /// Households change only by a reload, so theirs is a static grid laid out for the map's
    /// dense frames (see [`PointGrid`]); cases are inserted and moved, so theirs is an R-tree.
    households: PointGrid,
    cases: RTree<PointEntry>,
    /// Per level (index `level - 1`): unit envelopes in lon/lat, data = index into `Dataset::units`.
    units: Vec<RTree<BoxEntry>>,
    micro: PointLocator,
}

/// The micro-grid of every household and case, in dataset order.
pub struct Assignment {
    pub households: Vec<Option<UnitId>>,
    pub cases: Vec<Option<UnitId>>,
}

/// A row whose micro-grid changes: its id, the unit it has in `d`, the unit it gets.
pub type Moved<Id> = (Id, Option<UnitId>, Option<UnitId>);

impl Assignment {
    /// The households and cases of `d` whose unit differs from this assignment.
    pub fn changes(
        &self,
        d: &Dataset,
    ) -> (
        Vec<Moved<crate::model::HouseholdId>>,
        Vec<Moved<crate::model::CaseId>>,
    ) {
        let households = d
            .households
            .iter()
            .zip(&self.households)
            .filter(|(h, u)| h.unit != **u)
            .map(|(h, u)| (h.id, h.unit, *u))
            .collect();
        let cases = d
            .cases
            .iter()
            .zip(&self.cases)
            .filter(|(c, u)| c.unit != **u)
            .map(|(c, u)| (c.id, c.unit, *u))
            .collect();
        (households, cases)
    }
}

fn unit_boxes(d: &Dataset) -> Vec<RTree<BoxEntry>> {
    let mut per_level: Vec<Vec<BoxEntry>> = vec![Vec::new(); 5];
    for (i, u) in d.units.iter().enumerate() {
        if let Some(r) = u.geometry.bounding_rect() {
            per_level[u.level.number() as usize - 1].push(BoxEntry::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i as u32,
            ));
        }
    }
    per_level.into_iter().map(RTree::bulk_load).collect()
}

fn micro_locator(d: &Dataset) -> PointLocator {
    PointLocator::new(
        d.units
            .iter()
            .filter(|u| u.level == Level::MicroGrid)
            .map(|u| (u.id.0, &u.geometry)),
        DEFAULT_BUCKETS_PER_UNIT,
    )
}

impl SpatialIndex {
    pub fn build(d: &Dataset) -> SpatialIndex {
        let centre = d
            .units
            .iter()
            .find(|u| u.level == Level::County)
            .and_then(|u| u.geometry.bounding_rect())
            .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center());
        let frame = LocalMetres::new(centre.x, centre.y);
        let points = |xs: Vec<Coord<f64>>| {
            RTree::bulk_load(
                xs.into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let m = frame.forward(c);
                        PointEntry::new([m.x, m.y], i as u32)
                    })
                    .collect(),
            )
        };
        let households = || {
            PointGrid::new(
                d.households
                    .par_iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let m = frame.forward(h.location.0);
                        GridPoint {
                            at: [m.x, m.y],
                            index: i as u32,
                            tags: h.tags,
                        }
                    })
                    .collect(),
            )
        };
        let ((households, cases), (units, micro)) = rayon::join(
            || {
                rayon::join(households, || {
                    points(d.cases.iter().map(|c| c.location.0).collect())
                })
            },
            || rayon::join(|| unit_boxes(d), || micro_locator(d)),
        );
        SpatialIndex {
            frame,
            households,
            cases,
            units,
            micro,
        }
    }

    /// Calls `f` with the index (into `Dataset::households`), the frame's metres and the tags
    /// of the households in the lon/lat box with corners `a` and `b`, in no particular order:
    /// all of them, or, when the box holds more than about `limit`, an even sample of about
    /// `limit` (one in a whole step), the same households for the same step wherever the box
    /// lies. The metres let a layer place points with [`crate::map::LocalToScreen`] instead of
    /// projecting each from lon/lat.
    pub fn for_each_household_in_box(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        limit: usize,
        mut f: impl FnMut(usize, [f64; 2], TagSet),
    ) {
        let (min, max) = local_box(&self.frame, a, b);
        let step = self
            .households
            .count_in_cells_of_box(min, max)
            .div_ceil(limit.max(1));
        self.households
            .for_each_sampled_in_box(min, max, step, |p| f(p.index as usize, p.at, p.tags));
    }

    /// At least how many households the lon/lat box holds, and at most a few cells' worth more:
    /// what a caller of [`Self::for_each_household_in_box`] sizes its buffers by.
    pub fn households_about_in_box(&self, a: Coord<f64>, b: Coord<f64>) -> usize {
        let (min, max) = local_box(&self.frame, a, b);
        self.households.count_in_cells_of_box(min, max)
    }

    /// As [`Self::for_each_household_in_box`], for cases.
    pub fn for_each_case_in_box(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        f: impl FnMut(usize, [f64; 2]),
    ) {
        visit_box(&self.cases, &self.frame, a, b, f);
    }

    /// A case appended to `Dataset::cases` at index `i`.
    pub fn insert_case(&mut self, i: usize, location: Coord<f64>) {
        let m = self.frame.forward(location);
        self.cases.insert(PointEntry::new([m.x, m.y], i as u32));
    }

    /// Case `i` moved from `from` to `to` (another program edited its point).
    pub fn move_case(&mut self, i: usize, from: Coord<f64>, to: Coord<f64>) {
        let m = self.frame.forward(from);
        self.cases.remove(&PointEntry::new([m.x, m.y], i as u32));
        self.insert_case(i, to);
    }

    /// After unit outlines changed: rebuild the envelope trees and the locator.
    pub fn rebuild_units(&mut self, d: &Dataset) {
        let (units, micro) = rayon::join(|| unit_boxes(d), || micro_locator(d));
        self.units = units;
        self.micro = micro;
    }

    /// The micro-grid owning a lon/lat point (ownership rule of `PointLocator`).
    pub fn micro_grid_at(&self, p: Coord<f64>) -> Option<UnitId> {
        self.micro.locate(p).map(UnitId)
    }

    /// Assigns every household and case of `d` to its micro-grid.
    pub fn assign_all(&self, d: &Dataset) -> Assignment {
        let hs: Vec<Coord<f64>> = d.households.iter().map(|h| h.location.0).collect();
        let cs: Vec<Coord<f64>> = d.cases.iter().map(|c| c.location.0).collect();
        let (households, cases) =
            rayon::join(|| self.micro.locate_all(&hs), || self.micro.locate_all(&cs));
        Assignment {
            households: households.into_iter().map(|o| o.map(UnitId)).collect(),
            cases: cases.into_iter().map(|o| o.map(UnitId)).collect(),
        }
    }

    /// Indices (into `Dataset::units`) of the units of `level` whose envelope holds `p`.
    pub fn units_near(&self, level: Level, p: Coord<f64>) -> impl Iterator<Item = usize> + '_ {
        self.units[level.number() as usize - 1]
            .locate_all_at_point(&[p.x, p.y])
            .map(|e| e.data as usize)
    }

    /// Indices of units of `level` whose envelope meets the lon/lat box.
    pub fn units_in_box(
        &self,
        level: Level,
        min: Coord<f64>,
        max: Coord<f64>,
    ) -> impl Iterator<Item = usize> + '_ {
        self.units[level.number() as usize - 1]
            .locate_in_envelope_intersecting(&AABB::from_corners([min.x, min.y], [max.x, max.y]))
            .map(|e| e.data as usize)
    }

    /// The unit of `level` whose outline holds `p` (inside or on its edge; smallest index on
    /// shared edges), for picking on the map.
    pub fn unit_at(&self, d: &Dataset, level: Level, p: Coord<f64>) -> Option<usize> {
        self.units_near(level, p)
            .filter_map(|i| match position_in(&d.units[i].geometry, p) {
                Position::Outside => None,
                pos => Some((pos != Position::Inside, i)),
            })
            .min()
            .map(|(_, i)| i)
    }

    /// Indices (into `Dataset::households`) of the households inside `area` or on its line.
    pub fn households_in(&self, area: &Area) -> Vec<usize> {
        within(&self.frame, area, |min, max, f| {
            self.households
                .for_each_in_box(min, max, |p| f(p.index as usize, p.at))
        })
    }

    /// Indices (into `Dataset::cases`) of the cases inside `area` or on its line.
    pub fn cases_in(&self, area: &Area) -> Vec<usize> {
        within(&self.frame, area, |min, max, f| {
            for e in self.cases.locate_in_envelope(&AABB::from_corners(min, max)) {
                f(e.data as usize, *e.geom());
            }
        })
    }

    /// Cases within `radius_m` of a lon/lat point, nearest first, with their distance in metres.
    pub fn cases_near(&self, p: Coord<f64>, radius_m: f64) -> Vec<(usize, f64)> {
        let m = self.frame.forward(p);
        self.cases
            .nearest_neighbor_iter_with_distance_2(&[m.x, m.y])
            .map(|(e, d2)| (e.data as usize, d2.sqrt()))
            .take_while(|(_, d)| *d <= radius_m)
            .collect()
    }

    /// The `n` households nearest to a lon/lat point, with their distance in metres.
    pub fn nearest_households(&self, p: Coord<f64>, n: usize) -> Vec<(usize, f64)> {
        let m = self.frame.forward(p);
        self.households
            .nearest([m.x, m.y], n)
            .into_iter()
            .map(|(i, d)| (i as usize, d))
            .collect()
    }
}

/// The lon/lat box with corners `a` and `b` in the frame's metres, as (min, max).
fn local_box(frame: &LocalMetres, a: Coord<f64>, b: Coord<f64>) -> ([f64; 2], [f64; 2]) {
    let (p, q) = (frame.forward(a), frame.forward(b));
    ([p.x.min(q.x), p.y.min(q.y)], [p.x.max(q.x), p.y.max(q.y)])
}

fn visit_box(
    tree: &RTree<PointEntry>,
    frame: &LocalMetres,
    a: Coord<f64>,
    b: Coord<f64>,
    mut f: impl FnMut(usize, [f64; 2]),
) {
    let (min, max) = local_box(frame, a, b);
    for e in tree.locate_in_envelope(&AABB::from_corners(min, max)) {
        f(e.data as usize, *e.geom());
    }
}

/// The points inside `area` or on its line, sorted: `visit` calls its function with the index
/// and metres of every point in a box of the frame's metres (and maybe more).
fn within(
    frame: &LocalMetres,
    area: &Area,
    visit: impl FnOnce([f64; 2], [f64; 2], &mut dyn FnMut(usize, [f64; 2])),
) -> Vec<usize> {
    let mut out = Vec::new();
    match area {
        Area::Circle { centre, radius_m } => {
            let c = frame.forward(*centre);
            let r2 = radius_m * radius_m;
            let (min, max) = (
                [c.x - radius_m, c.y - radius_m],
                [c.x + radius_m, c.y + radius_m],
            );
            visit(min, max, &mut |i, [x, y]| {
                if (x - c.x).powi(2) + (y - c.y).powi(2) <= r2 {
                    out.push(i);
                }
            });
        }
        Area::Polygon(polygon) => {
            let local: Polygon<f64> = polygon.map_coords(|c| frame.forward(c));
            let Some(r) = local.bounding_rect() else {
                return Vec::new();
            };
            let rings: Vec<&[Coord<f64>]> = std::iter::once(local.exterior())
                .chain(local.interiors())
                .map(|ring| ring.0.as_slice())
                .collect();
            visit(
                [r.min().x, r.min().y],
                [r.max().x, r.max().y],
                &mut |i, [x, y]| {
                    if position_in_rings(rings.iter().copied(), Coord { x, y }) != Position::Outside
                    {
                        out.push(i);
                    }
                },
            );
        }
    }
    out.sort_unstable();
    out
}
