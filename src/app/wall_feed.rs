//! Builds the wall's view from the open document: the only place where the wall's figures
//! meet the dataset (which holds personal data). What leaves here is a `WallView`: counts,
//! rates, unit names and codes, and cases by code, category, status, township and time.
//!
//! Outlines are prepared once per change of the units (simplified below a pixel of a 4K wall,
//! triangulated); figures are rebuilt when cases change or the minute turns, so a case closed
//! at the desk is struck off the wall at the next frame.

use std::collections::HashMap;

use geo::{BoundingRect, InteriorPoint, Simplify, TriangulateEarcut};
use geo_types::MultiPolygon;

use crate::app::Document;
use crate::cases::Indicators;
use crate::map::lon_lat_to_mercator;
use crate::model::{Category, Dataset, Level, Timestamp, Unit, UnitId, UnitTree};
use crate::stats::unit_indicators;
use crate::wall::{WallCase, WallTiles, WallUnit, WallView};

/// A unit's outline for the wall, in normalized Web Mercator.
fn outline(unit: &Unit, tolerance_deg: f64) -> WallUnit {
    let simple: MultiPolygon<f64> = unit.geometry.simplify(tolerance_deg);
    let shape = if simple.0.is_empty() {
        &unit.geometry
    } else {
        &simple
    };
    let mut w = WallUnit {
        code: unit.code.clone(),
        name: unit.name.clone(),
        ..WallUnit::default()
    };
    for p in &shape.0 {
        let tri = p.earcut_triangles_raw();
        let base = w.vertices.len() as u32;
        w.vertices
            .extend(tri.vertices.iter().map(|c| lon_lat_to_mercator(c[0], c[1])));
        w.triangles
            .extend(tri.triangle_indices.iter().map(|i| base + *i as u32));
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            w.rings.push(
                ring.0
                    .iter()
                    .map(|c| lon_lat_to_mercator(c.x, c.y))
                    .collect(),
            );
        }
    }
    if let Some(r) = unit.geometry.bounding_rect() {
        let a = lon_lat_to_mercator(r.min().x, r.max().y);
        let b = lon_lat_to_mercator(r.max().x, r.min().y);
        w.bbox = [a[0], a[1], b[0], b[1]];
    }
    if let Some(p) = unit.geometry.interior_point() {
        w.label_at = lon_lat_to_mercator(p.x(), p.y());
    }
    w
}

/// The outlines of the county and its townships, and a unit's on demand (a push).
pub struct WallShapes {
    pub county: WallUnit,
    pub townships: Vec<WallUnit>,
    tolerance_deg: f64,
}

impl WallShapes {
    pub fn new(d: &Dataset) -> WallShapes {
        let county = d.units.iter().find(|u| u.level == Level::County);
        // A pixel of a 4K wall showing the whole county is about its width / 2400.
        let tolerance_deg = county
            .and_then(|c| c.geometry.bounding_rect())
            .map_or(1e-4, |r| r.width().max(r.height()) / 4000.0);
        let mut townships: Vec<&Unit> = d
            .units
            .iter()
            .filter(|u| u.level == Level::Township)
            .collect();
        townships.sort_by(|a, b| a.code.cmp(&b.code));
        WallShapes {
            county: county
                .map(|c| outline(c, tolerance_deg))
                .unwrap_or_default(),
            townships: townships
                .iter()
                .map(|u| outline(u, tolerance_deg))
                .collect(),
            tolerance_deg,
        }
    }

    /// A pushed unit's outline, finer the smaller it is.
    pub fn of(&self, unit: &Unit) -> WallUnit {
        let scale = match unit.level {
            Level::County | Level::Township => 1.0,
            Level::Village => 0.3,
            Level::Grid => 0.1,
            Level::MicroGrid => 0.03,
        };
        outline(unit, self.tolerance_deg * scale)
    }
}

/// Counts per unit for the tiles, in one pass over cases and workers.
struct Counts {
    today: HashMap<UnitId, u32>,
    month: HashMap<UnitId, u32>,
    open: HashMap<UnitId, u32>,
    overdue: HashMap<UnitId, u32>,
    grids: HashMap<UnitId, u32>,
    workers: HashMap<UnitId, u32>,
}

fn counts(d: &Dataset, tree: &UnitTree, now: Timestamp) -> Counts {
    let tz = &d.meta.time_zone;
    let (day, month) = (tz.day_start(now), tz.month_start(now));
    let mut c = Counts {
        today: HashMap::new(),
        month: HashMap::new(),
        open: HashMap::new(),
        overdue: HashMap::new(),
        grids: HashMap::new(),
        workers: HashMap::new(),
    };
    // Every ancestor of `u` (itself included) gets one more.
    let bump = |map: &mut HashMap<UnitId, u32>, u: UnitId| {
        for a in tree.ancestors(u).into_iter().flatten() {
            *map.entry(a).or_default() += 1;
        }
    };
    for case in &d.cases {
        let Some(u) = case.unit else { continue };
        if case.reported_at >= day && case.reported_at <= now {
            bump(&mut c.today, u);
        }
        if case.reported_at >= month && case.reported_at <= now {
            bump(&mut c.month, u);
        }
        if case.status.is_open() {
            bump(&mut c.open, u);
        }
        if case.is_overdue_at(now) {
            bump(&mut c.overdue, u);
        }
    }
    for u in d.units.iter().filter(|u| u.level == Level::Grid) {
        bump(&mut c.grids, u.id);
    }
    for w in &d.workers {
        bump(&mut c.workers, w.unit);
    }
    c
}

/// The month's indicators per unit of `levels`, and last month's. Only the levels shown: each
/// level is a pass over every case, and the view is rebuilt whenever a case changes.
fn month_indicators(
    d: &Dataset,
    now: Timestamp,
    levels: &[Level],
) -> (HashMap<String, Indicators>, HashMap<String, Indicators>) {
    let tz = &d.meta.time_zone;
    let month = tz.month_start(now);
    let last = tz.month_start(month.plus_seconds(-1));
    let of = |from: Timestamp, to: Timestamp| -> HashMap<String, Indicators> {
        levels
            .iter()
            .copied()
            .flat_map(|l| unit_indicators(d, l, from, to))
            .map(|r| (r.code, r.indicators))
            .collect()
    };
    (of(month, now), of(last, month))
}

/// The figures of the wall: everything in [`WallView`] but the outlines, which come from
/// `shapes`. Pushed units get their tiles through [`tiles_of`].
pub struct WallFigures {
    tree: UnitTree,
    counts: Counts,
    this_month: HashMap<String, Indicators>,
    last_month: HashMap<String, Indicators>,
}

impl WallFigures {
    /// The figures of the units of `levels` (the county and townships for the view; a pushed
    /// unit's own level).
    pub fn new(d: &Dataset, now: Timestamp, levels: &[Level]) -> WallFigures {
        let tree = UnitTree::new(d);
        let counts = counts(d, &tree, now);
        let (this_month, last_month) = month_indicators(d, now, levels);
        WallFigures {
            tree,
            counts,
            this_month,
            last_month,
        }
    }

    pub fn tiles_of(&self, doc: &Document, unit: &Unit) -> WallTiles {
        let get = |m: &HashMap<UnitId, u32>| m.get(&unit.id).copied().unwrap_or(0);
        let this = self.this_month.get(&unit.code).copied().unwrap_or_default();
        let last = self.last_month.get(&unit.code).copied().unwrap_or_default();
        let totals = doc.stats.get(unit.id);
        WallTiles {
            cases_today: get(&self.counts.today),
            cases_month: get(&self.counts.month),
            open: get(&self.counts.open),
            overdue: get(&self.counts.overdue),
            closure_rate: this.closure_rate,
            closure_rate_last_month: last.closure_rate,
            on_time_rate: this.on_time_rate,
            on_time_rate_last_month: last.on_time_rate,
            households: totals.map_or(0, |t| t.households),
            persons: totals.map_or(0, |t| t.persons),
            grids: get(&self.counts.grids) + u32::from(unit.level == Level::Grid),
            workers: get(&self.counts.workers),
        }
    }
}

/// A case as the wall may show it.
pub fn wall_case(d: &Dataset, tree: &UnitTree, c: &crate::model::Case, now: Timestamp) -> WallCase {
    let township = c
        .unit
        .and_then(|u| tree.ancestor_at(u, Level::Township))
        .and_then(|t| d.units.iter().find(|x| x.id == t))
        .map_or("—", |t| t.name.as_str());
    WallCase {
        code: c.code.clone(),
        category: Category::find(c.category)
            .map_or_else(|| c.category.to_string(), |k| k.name_zh.to_owned()),
        status: c.status.name_zh().to_owned(),
        township: township.to_owned(),
        reported: d.meta.time_zone.minute(c.reported_at),
        open: c.status.is_open(),
        overdue: c.is_overdue_at(now),
        at: lon_lat_to_mercator(c.location.x(), c.location.y()),
    }
}

/// The whole view at `now`.
pub fn wall_view(doc: &Document, shapes: &WallShapes, now: Timestamp) -> WallView {
    let d = &doc.dataset;
    let tz = &d.meta.time_zone;
    let figures = WallFigures::new(d, now, &[Level::County, Level::Township]);
    let by_code: HashMap<&str, &Unit> = d.units.iter().map(|u| (u.code.as_str(), u)).collect();
    let with_tiles = |w: &WallUnit| {
        let mut w = w.clone();
        if let Some(u) = by_code.get(w.code.as_str()) {
            w.tiles = figures.tiles_of(doc, u);
        }
        w
    };
    let pins = d
        .cases
        .iter()
        .filter(|c| c.status.is_open() && c.reported_at <= now)
        .map(|c| wall_case(d, &figures.tree, c, now))
        .collect();
    let mut newest: Vec<&crate::model::Case> =
        d.cases.iter().filter(|c| c.reported_at <= now).collect();
    newest.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then(b.id.cmp(&a.id)));
    let recent = newest
        .iter()
        .take(20)
        .map(|c| wall_case(d, &figures.tree, c, now))
        .collect();
    let first_day = tz.days_after(now, -29);
    let mut per_day: Vec<(String, u32)> = (0..30)
        .map(|i| (tz.month_day(tz.days_after(first_day, i)), 0))
        .collect();
    for c in d
        .cases
        .iter()
        .filter(|c| c.reported_at >= first_day && c.reported_at <= now)
    {
        let i = tz.days_between(first_day, c.reported_at);
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| per_day.get_mut(i)) {
            slot.1 += 1;
        }
    }
    WallView {
        title: shapes.county.name.clone(),
        as_of: tz.minute(now),
        county: with_tiles(&shapes.county),
        townships: shapes.townships.iter().map(with_tiles).collect(),
        focus_units: Vec::new(),
        pins,
        recent,
        per_day,
    }
}
