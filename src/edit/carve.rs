//! Carving a new micro-grid out of its siblings: a polygon drawn on the map becomes a new
//! micro-grid of the grid it lies in; every sibling loses what the polygon covers. Grids and
//! above are not carved here (their micro-grids would have to be split and re-parented).

use crate::edit::local::{Local, area, difference, intersection, weld};
use crate::edit::merge::{child_name, next_child_seq, slot};
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, Unit, UnitId};

/// Below this (m²) a piece counts as nothing.
const SLIVER_M2: f64 = 1.0;

impl Editor {
    pub fn carve(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        outline: &[geo_types::Coord<f64>],
    ) -> Result<&Change, EditError> {
        if outline.len() < 3 {
            return Err(Refusal::new(
                crate::check::Rule::Carve,
                None,
                "draw a polygon of three points or more",
            )
            .into());
        }
        // The grid holding the polygon's first corner.
        let micro = index
            .unit_at(d, Level::MicroGrid, outline[0])
            .ok_or_else(|| {
                Refusal::new(
                    crate::check::Rule::Carve,
                    None,
                    "start the polygon inside a micro-grid",
                )
            })?;
        let grid = d.units[micro].parent.ok_or_else(|| {
            Refusal::new(
                crate::check::Rule::Carve,
                None,
                "the micro-grid has no grid",
            )
        })?;
        let gi = slot(d, grid).expect("parent exists");
        let grid_unit = d.units[gi].clone();
        let local = Local::around(&grid_unit.geometry);
        let mut ring: Vec<geo_types::Coord<f64>> = outline.to_vec();
        ring.push(outline[0]);
        let drawn = local.to_m(&geo_types::MultiPolygon::new(vec![
            geo_types::Polygon::new(geo_types::LineString::from(ring), vec![]),
        ]));
        let new_m = intersection(&drawn, &local.to_m(&grid_unit.geometry));
        if area(&new_m) <= SLIVER_M2 {
            return Err(Refusal::new(
                crate::check::Rule::Carve,
                Some(grid),
                "the polygon does not cover any of the grid",
            )
            .into());
        }
        let siblings: Vec<Unit> = d
            .units
            .iter()
            .filter(|u| u.parent == Some(grid))
            .cloned()
            .collect();
        let mut touched: Vec<(Unit, geo_types::MultiPolygon<f64>)> = Vec::new();
        for s in &siblings {
            let sm = local.to_m(&s.geometry);
            if area(&intersection(&sm, &new_m)) <= SLIVER_M2 {
                continue;
            }
            let rest = difference(&sm, &new_m);
            if area(&rest) <= SLIVER_M2 {
                return Err(Refusal::new(
                    crate::check::Rule::Carve,
                    Some(s.id),
                    format!(
                        "micro-grid {} would be left empty: draw less of it, or merge",
                        s.code
                    ),
                )
                .into());
            }
            touched.push((s.clone(), rest));
        }
        let mut references: Vec<&geo_types::MultiPolygon<f64>> = vec![&grid_unit.geometry];
        references.extend(siblings.iter().map(|s| &s.geometry));
        let mut pieces: Vec<geo_types::MultiPolygon<f64>> = vec![local.to_deg(&new_m)];
        pieces.extend(touched.iter().map(|(_, rest)| local.to_deg(rest)));
        let welded = weld(&references, &pieces);
        let id = UnitId(d.units.iter().map(|u| u.id.0).max().unwrap_or(0) + 1);
        let seq = next_child_seq(d, grid);
        let new_unit = Unit {
            id,
            level: Level::MicroGrid,
            parent: Some(grid),
            code: format!("{}{seq:03}", grid_unit.code),
            name: child_name(d, grid, seq),
            geometry: welded[0].clone(),
        };
        let before: Vec<Unit> = touched.iter().map(|(u, _)| u.clone()).collect();
        for ((u, _), g) in touched.iter().zip(&welded[1..]) {
            let s = slot(d, u.id).expect("exists");
            d.units[s].geometry = g.clone();
        }
        let at = d.units.partition_point(|x| x.id < id);
        d.units.insert(at, new_unit);
        Ok(self.commit(d, index, "划出新微网格", before, vec![id], &[])?)
    }
}
