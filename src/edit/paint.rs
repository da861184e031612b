//! Painting households: hand selected households to another micro-grid (of the same grid).
//! The outlines of the micro-grids involved are re-derived from who lives where: a Voronoi
//! partition of their households, within the area those micro-grids covered together, united
//! per micro-grid. Micro-grids not involved keep their outlines exactly, so the siblings still
//! tile the grid.

use std::collections::HashMap;

use geo_types::{Coord, MultiPolygon};

use crate::edit::local::{Local, union, weld};
use crate::edit::merge::slot;
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::geom::voronoi_cells;
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, UnitId};

/// Households closer than this (m) count as one address: they move together.
const SAME_PLACE_M: f64 = 0.5;

impl Editor {
    pub fn paint(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        households: &[usize],
        target: UnitId,
    ) -> Result<&Change, EditError> {
        let t = slot(d, target)
            .filter(|&t| d.units[t].level == Level::MicroGrid)
            .ok_or_else(|| {
                Refusal::new(
                    crate::check::Rule::Paint,
                    Some(target),
                    "households go to a micro-grid",
                )
            })?;
        let grid = d.units[t].parent;
        let mut affected: Vec<UnitId> = vec![target];
        for &h in households {
            let Some(from) = d.households[h].unit else {
                return Err(Refusal::new(
                    crate::check::Rule::Paint,
                    None,
                    format!("household {} is in no micro-grid", d.households[h].code),
                )
                .into());
            };
            let same_grid = slot(d, from).is_some_and(|f| d.units[f].parent == grid);
            if !same_grid {
                return Err(Refusal::new(
                    crate::check::Rule::Paint,
                    Some(from),
                    format!(
                        "household {} is in another grid: hand households only between micro-grids of one grid",
                        d.households[h].code
                    ),
                )
                .into());
            }
            affected.push(from);
        }
        affected.sort_unstable();
        affected.dedup();
        if affected.len() < 2 {
            return Err(Refusal::new(
                crate::check::Rule::Paint,
                Some(target),
                "the households are already in that micro-grid",
            )
            .into());
        }
        let before: Vec<_> = affected
            .iter()
            .map(|id| d.units[slot(d, *id).expect("exists")].clone())
            .collect();
        let local = Local::around(&before[0].geometry);
        let region_m = before
            .iter()
            .map(|u| local.to_m(&u.geometry))
            .reduce(|a, b| union(&a, &b))
            .unwrap_or_else(|| MultiPolygon::new(vec![]));
        // Every household of the involved micro-grids, with the painted ones re-assigned.
        let painted: std::collections::HashSet<usize> = households.iter().copied().collect();
        let members: Vec<usize> = d
            .households
            .iter()
            .enumerate()
            .filter(|(_, h)| h.unit.is_some_and(|u| affected.contains(&u)))
            .map(|(i, _)| i)
            .collect();
        let sites: Vec<Coord<f64>> = members
            .iter()
            .map(|&i| local.frame.forward(d.households[i].location.0))
            .collect();
        // Co-located households follow a painted one (the Voronoi cell is shared).
        let mut owner: Vec<UnitId> = members
            .iter()
            .map(|&i| {
                if painted.contains(&i) {
                    target
                } else {
                    d.households[i].unit.expect("member")
                }
            })
            .collect();
        for (a, &ia) in members.iter().enumerate() {
            if !painted.contains(&ia) {
                continue;
            }
            for (b, sb) in sites.iter().enumerate() {
                let sa = sites[a];
                if ((sa.x - sb.x).powi(2) + (sa.y - sb.y).powi(2)).sqrt() <= SAME_PLACE_M {
                    owner[b] = target;
                }
            }
        }
        let cells = voronoi_cells(&sites, &region_m);
        let mut per_unit: HashMap<UnitId, MultiPolygon<f64>> = HashMap::new();
        for (cell, unit) in cells.into_iter().zip(&owner) {
            let e = per_unit
                .entry(*unit)
                .or_insert_with(|| MultiPolygon::new(vec![]));
            *e = if e.0.is_empty() {
                cell
            } else {
                union(e, &cell)
            };
        }
        let references: Vec<&MultiPolygon<f64>> = before.iter().map(|u| &u.geometry).collect();
        let order: Vec<UnitId> = affected.clone();
        let outlines: Vec<MultiPolygon<f64>> = order
            .iter()
            .map(|id| local.to_deg(per_unit.get(id).unwrap_or(&MultiPolygon::new(vec![]))))
            .collect();
        let welded = weld(&references, &outlines);
        for (id, g) in order.iter().zip(welded) {
            if g.0.is_empty() {
                let u = &before[order.iter().position(|x| x == id).unwrap_or(0)];
                return Err(Refusal::new(
                    crate::check::Rule::Paint,
                    Some(*id),
                    format!(
                        "micro-grid {} would have no households left: merge it instead",
                        u.code
                    ),
                )
                .into());
            }
            let s = slot(d, *id).expect("exists");
            d.units[s].geometry = g;
        }
        let label = format!("划转 {} 户", households.len());
        let n = self.undo_len();
        self.commit(d, index, &label, before, Vec::new(), &[])?;
        // The outlines must put every painted household where it was sent.
        let stray = households
            .iter()
            .find(|&&h| d.households[h].unit != Some(target))
            .copied();
        if let Some(h) = stray {
            if self.undo_len() > n {
                self.undo(d, index);
                self.forget_redo();
            }
            return Err(Refusal::new(
                crate::check::Rule::Paint,
                d.households[h].unit,
                format!(
                    "household {} could not be placed in the target micro-grid",
                    d.households[h].code
                ),
            )
            .into());
        }
        Ok(self.last_change().expect("committed"))
    }
}
