//! Staffing (the "1+3+N" of the domain doc): which grids have no 网格长 or no 专职网格员, which
//! micro-grids have no 微网格长, and how many households each worker of a grid answers for.
//! What the staffing list and `gridatlas staffing` show.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Dataset, Level, UnitId, WorkerRole};

/// One grid's staffing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridStaffing {
    pub code: String,
    pub name: String,
    pub households: u32,
    /// Workers of the grid itself and of its micro-grids.
    pub workers: u32,
    pub grid_leader: bool,
    pub full_time: bool,
    /// Micro-grids of the grid without a 微网格长.
    pub micro_grids_without_leader: u32,
    /// Households per worker of the grid (None: nobody answers for it).
    pub households_per_worker: Option<f64>,
}

/// The county's staffing: every grid, and the gaps a command centre acts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffingReport {
    pub grids: usize,
    pub grids_without_grid_leader: Vec<String>,
    pub grids_without_full_time: Vec<String>,
    pub micro_grids_without_leader: Vec<String>,
    pub rows: Vec<GridStaffing>,
}

/// Computes the staffing of every grid of `d` (households by their micro-grid).
///
/// ```
/// use gridatlas::demo::{generate, DemoParams, Scale};
/// use gridatlas::model::Timestamp;
/// let d = generate(&DemoParams { scale: Scale::Township, seed: 1,
///     as_of: Timestamp::parse("2026-11-01").unwrap(), cases: Some(0) }, &|_, _| {}).unwrap();
/// let r = gridatlas::stats::staffing(&d);
/// assert_eq!(r.grids, r.rows.len());
/// assert!(r.rows.iter().all(|g| g.households_per_worker.is_some() == (g.workers > 0)));
/// ```
pub fn staffing(d: &Dataset) -> StaffingReport {
    let level: HashMap<UnitId, Level> = d.units.iter().map(|u| (u.id, u.level)).collect();
    let parent: HashMap<UnitId, Option<UnitId>> =
        d.units.iter().map(|u| (u.id, u.parent)).collect();
    // The grid a unit of grid level or below belongs to.
    let grid_of = |u: UnitId| match level.get(&u) {
        Some(Level::Grid) => Some(u),
        Some(Level::MicroGrid) => parent.get(&u).copied().flatten(),
        _ => None,
    };
    let mut households: HashMap<UnitId, u32> = HashMap::new();
    for h in &d.households {
        if let Some(g) = h.unit.and_then(grid_of) {
            *households.entry(g).or_default() += 1;
        }
    }
    let mut workers: HashMap<UnitId, u32> = HashMap::new();
    let mut roles: HashMap<UnitId, Vec<WorkerRole>> = HashMap::new();
    // Who has left their post answers for nothing.
    for w in d.workers.iter().filter(|w| w.is_active()) {
        if let Some(g) = grid_of(w.unit) {
            *workers.entry(g).or_default() += 1;
        }
        roles.entry(w.unit).or_default().push(w.role);
    }
    let has = |u: UnitId, r: WorkerRole| roles.get(&u).is_some_and(|rs| rs.contains(&r));
    let mut micro_without: Vec<(UnitId, String)> = d
        .units_of_level(Level::MicroGrid)
        .filter(|m| !has(m.id, WorkerRole::MicroGridLeader))
        .filter_map(|m| Some((m.parent?, m.code.clone())))
        .collect();
    micro_without.sort_by(|a, b| a.1.cmp(&b.1));
    let mut rows: Vec<GridStaffing> = d
        .units_of_level(Level::Grid)
        .map(|g| {
            let n = households.get(&g.id).copied().unwrap_or(0);
            let w = workers.get(&g.id).copied().unwrap_or(0);
            GridStaffing {
                code: g.code.clone(),
                name: g.name.clone(),
                households: n,
                workers: w,
                grid_leader: has(g.id, WorkerRole::GridLeader),
                full_time: has(g.id, WorkerRole::FullTime),
                micro_grids_without_leader: micro_without.iter().filter(|(p, _)| *p == g.id).count()
                    as u32,
                households_per_worker: (w > 0).then(|| f64::from(n) / f64::from(w)),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    StaffingReport {
        grids: rows.len(),
        grids_without_grid_leader: rows
            .iter()
            .filter(|r| !r.grid_leader)
            .map(|r| r.code.clone())
            .collect(),
        grids_without_full_time: rows
            .iter()
            .filter(|r| !r.full_time)
            .map(|r| r.code.clone())
            .collect(),
        micro_grids_without_leader: micro_without.into_iter().map(|(_, c)| c).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{Timestamp, WorkerId};

    fn town() -> Dataset {
        crate::demo::generate(
            &crate::demo::DemoParams {
                scale: crate::demo::Scale::Township,
                seed: 3,
                as_of: Timestamp::parse("2026-11-01").unwrap(),
                cases: Some(0),
            },
            &|_, _| {},
        )
        .unwrap()
    }

    #[test]
    fn a_grid_whose_leader_leaves_is_listed_and_its_load_rises() {
        let mut d = town();
        let before = staffing(&d);
        assert!(before.grids_without_grid_leader.is_empty());
        let grid = &before.rows[0];
        let g = d.units.iter().find(|u| u.code == grid.code).unwrap().id;
        d.workers
            .retain(|w| !(w.unit == g && w.role == WorkerRole::GridLeader));
        let after = staffing(&d);
        assert_eq!(after.grids_without_grid_leader, vec![grid.code.clone()]);
        let row = &after.rows[0];
        assert!(row.workers < grid.workers);
        assert!(row.households_per_worker > grid.households_per_worker);
        // A micro-grid without its leader is named.
        let m = d
            .units_of_level(Level::MicroGrid)
            .find(|m| m.parent == Some(g))
            .unwrap()
            .clone();
        d.workers
            .retain(|w| !(w.unit == m.id && w.role == WorkerRole::MicroGridLeader));
        assert!(staffing(&d).micro_grids_without_leader.contains(&m.code));
        // Workers are counted by id, not by name: a second leader is not a gap closed twice.
        let mut extra = d.workers[0].clone();
        extra.id = WorkerId(999_999);
        extra.unit = g;
        extra.role = WorkerRole::GridLeader;
        d.workers.push(extra);
        assert!(staffing(&d).grids_without_grid_leader.is_empty());
    }
}
