//! The building blocks of a proposal for one unit, taken from the net as it stands.
//!
//! - Grids of a village are made of whole micro-grids: the blocks are the village's
//!   micro-grids, so no household changes micro-grid, only grid.
//! - Micro-grids of a grid are made of households: the blocks are each household's Voronoi
//!   cell within the micro-grid it is in today (a micro-grid without households is one
//!   block). They tile every micro-grid exactly, so a micro-grid that keeps its households
//!   keeps its outline, and a household moved carries its cell with it. Households at the
//!   same point are one block: a cell cannot be split between them. A cell that a concave
//!   micro-grid cuts in parts is one block per part (the others with no households), so no
//!   region is made of detached parts.

use std::collections::HashMap;

use geo::{Area, BoundingRect, Centroid, Contains};
use geo_types::{Coord, MultiPolygon};

use crate::geom::{LocalMetres, Welder, voronoi_cells};

/// Cell vertices closer than this (m) are made one, as the demo generator's.
const WELD_M: f64 = 0.001;
use crate::model::{Dataset, Level, Unit, UnitId};
use crate::propose::ProposeError;
use crate::propose::borders::{perimeter, shared_borders};
use crate::propose::graph::{BlockGraph, MIN_SHARED_M};

/// Households (indices into `Dataset::households`) by the micro-grid they are in; built once
/// per dataset and shared by every proposal made on it.
pub struct Census {
    by_unit: HashMap<UnitId, Vec<usize>>,
}

impl Census {
    pub fn new(d: &Dataset) -> Census {
        let mut by_unit: HashMap<UnitId, Vec<usize>> = HashMap::new();
        for (i, h) in d.households.iter().enumerate() {
            if let Some(u) = h.unit {
                by_unit.entry(u).or_default().push(i);
            }
        }
        Census { by_unit }
    }

    pub fn households_in(&self, micro_grid: UnitId) -> &[usize] {
        self.by_unit.get(&micro_grid).map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    MicroGrids,
    HouseholdCells,
}

pub struct Blocks {
    pub kind: BlockKind,
    /// The unit being cut.
    pub parent: Unit,
    /// The level of the units proposed (the parent's child level).
    pub level: Level,
    /// Today's units of that level under the parent, in id order.
    pub existing: Vec<Unit>,
    pub graph: BlockGraph,
    /// The frame the shapes and the graph's measures are in.
    pub frame: LocalMetres,
    pub shapes_m: Vec<MultiPolygon<f64>>,
    /// For micro-grid blocks, the micro-grid.
    pub unit: Vec<Option<UnitId>>,
    /// Households (indices into `Dataset::households`) in each block.
    pub households: Vec<Vec<usize>>,
    /// Each block's unit of `level` today (an index into `existing`).
    pub home: Vec<usize>,
}

pub(crate) fn unit_by_id(d: &Dataset, id: UnitId) -> Option<&Unit> {
    d.units
        .binary_search_by_key(&id, |u| u.id)
        .ok()
        .map(|i| &d.units[i])
}

impl Blocks {
    /// The blocks of `parent` for a proposal of its children.
    pub fn build(d: &Dataset, census: &Census, parent: UnitId) -> Result<Blocks, ProposeError> {
        let p = unit_by_id(d, parent)
            .ok_or_else(|| ProposeError::Unit(format!("no unit with id {}", parent.0)))?
            .clone();
        let level = match p.level {
            Level::Village => Level::Grid,
            Level::Grid => Level::MicroGrid,
            other => {
                return Err(ProposeError::Unit(format!(
                    "{} {} is a {}: proposals cut a village into grids or a grid into micro-grids (a township: each of its villages)",
                    p.code,
                    p.name,
                    other.name_en()
                )));
            }
        };
        let existing: Vec<Unit> = d
            .units
            .iter()
            .filter(|u| u.parent == Some(parent) && u.level == level)
            .cloned()
            .collect();
        if existing.is_empty() {
            return Err(ProposeError::Unit(format!(
                "{} {} has no {} yet: import or draw its units first",
                p.code,
                p.name,
                level.name_en()
            )));
        }
        let centre = p
            .geometry
            .bounding_rect()
            .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center());
        let frame = LocalMetres::new(centre.x, centre.y);
        let mut shapes_m = Vec::new();
        let mut unit = Vec::new();
        let mut households = Vec::new();
        let mut home = Vec::new();
        let kind = if level == Level::Grid {
            BlockKind::MicroGrids
        } else {
            BlockKind::HouseholdCells
        };
        for (e, u) in existing.iter().enumerate() {
            match kind {
                BlockKind::MicroGrids => {
                    for m in d
                        .units
                        .iter()
                        .filter(|m| m.parent == Some(u.id) && m.level == Level::MicroGrid)
                    {
                        shapes_m.push(frame.forward_multipolygon(&m.geometry));
                        unit.push(Some(m.id));
                        households.push(census.households_in(m.id).to_vec());
                        home.push(e);
                    }
                }
                BlockKind::HouseholdCells => {
                    let shape = frame.forward_multipolygon(&u.geometry);
                    // Households at one point share a block.
                    let mut at: Vec<(Coord<f64>, Vec<usize>)> = Vec::new();
                    let mut seen: HashMap<(u64, u64), usize> = HashMap::new();
                    for &h in census.households_in(u.id) {
                        let c = d.households[h].location.0;
                        let key = (c.x.to_bits(), c.y.to_bits());
                        match seen.get(&key) {
                            Some(&i) => at[i].1.push(h),
                            None => {
                                seen.insert(key, at.len());
                                at.push((frame.forward(c), vec![h]));
                            }
                        }
                    }
                    if at.len() <= 1 {
                        shapes_m.push(shape);
                        unit.push(None);
                        households.push(at.pop().map(|a| a.1).unwrap_or_default());
                        home.push(e);
                        continue;
                    }
                    let sites: Vec<Coord<f64>> = at.iter().map(|a| a.0).collect();
                    // Neighbouring cells come out of the clipping a fraction of a millimetre
                    // apart; welded (as the demo's cells are), a union of them has no sliver
                    // holes, whose rings would touch themselves.
                    let mut welder = Welder::new(WELD_M);
                    welder.register(&shape);
                    let cells: Vec<MultiPolygon<f64>> = voronoi_cells(&sites, &shape)
                        .iter()
                        .map(|c| welder.weld(c))
                        .collect();
                    for (cell, (site, hs)) in cells.into_iter().zip(at) {
                        // A concave micro-grid can cut a cell in parts: the part with the
                        // households is their block, each other part a block of its own (with
                        // no one in it), so that no region is made of detached parts.
                        let with_site = cell
                            .0
                            .iter()
                            .position(|p| p.contains(&geo_types::Point(site)))
                            .or_else(|| {
                                (0..cell.0.len()).max_by(|&a, &b| {
                                    cell.0[a]
                                        .unsigned_area()
                                        .total_cmp(&cell.0[b].unsigned_area())
                                })
                            });
                        for (i, part) in cell.0.into_iter().enumerate() {
                            shapes_m.push(MultiPolygon::new(vec![part]));
                            unit.push(None);
                            households.push(if Some(i) == with_site {
                                hs.clone()
                            } else {
                                Vec::new()
                            });
                            home.push(e);
                        }
                    }
                }
            }
        }
        if shapes_m.is_empty() {
            return Err(ProposeError::Unit(format!(
                "{} {} has no micro-grids to build grids from",
                p.code, p.name
            )));
        }
        let neighbours = shared_borders(&shapes_m, MIN_SHARED_M);
        let graph = BlockGraph {
            households: households.iter().map(|h| h.len() as u32).collect(),
            persons: households
                .iter()
                .map(|hs| hs.iter().map(|&h| d.households[h].members as u32).sum())
                .collect(),
            centre_m: shapes_m
                .iter()
                .map(|s| {
                    s.centroid()
                        .map(|c| c.0)
                        .or_else(|| s.bounding_rect().map(|r| r.center()))
                        .unwrap_or(Coord { x: 0.0, y: 0.0 })
                })
                .collect(),
            area_m2: shapes_m.iter().map(|s| s.unsigned_area()).collect(),
            perimeter_m: shapes_m.iter().map(perimeter).collect(),
            neighbours,
        };
        Ok(Blocks {
            kind,
            parent: p,
            level,
            existing,
            graph,
            frame,
            shapes_m,
            unit,
            households,
            home,
        })
    }
}
