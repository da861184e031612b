//! `gridatlas bench assign`: index build and assignment of every point, through the same
//! `PointLocator` the app uses for households and cases.

use std::time::Instant;

use serde::Serialize;

use crate::bench::{median, voronoi_square};
use crate::index::PointLocator;

pub struct AssignParams {
    pub households: usize,
    pub units: usize,
    pub seed: u64,
    pub runs: usize,
    /// Grid density of the locator (see `PointLocator::new`).
    pub buckets_per_unit: f64,
}

#[derive(Serialize)]
pub struct AssignBench {
    pub households: usize,
    pub units: usize,
    pub seed: u64,
    pub threads: usize,
    pub runs: usize,
    pub buckets_per_unit: f64,
    /// Medians over the runs.
    pub build_ms: f64,
    pub assign_ms: f64,
    pub total_ms: f64,
    pub total_ms_each_run: Vec<f64>,
    pub assigned: usize,
    pub outside: usize,
    pub workload_ms: f64,
    /// The assignment of the last run, in point order (ids are cell index + 1).
    #[serde(skip)]
    pub assignment: Vec<Option<i64>>,
    #[serde(skip)]
    pub workload: Option<crate::bench::Workload>,
}

pub fn run_assign(p: &AssignParams) -> Result<AssignBench, String> {
    let started = Instant::now();
    let workload = voronoi_square(p.units, p.households, p.seed)?;
    let workload_ms = started.elapsed().as_secs_f64() * 1e3;
    let (mut builds, mut assigns, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut assignment = Vec::new();
    for _ in 0..p.runs.max(1) {
        let t0 = Instant::now();
        let locator = PointLocator::new(
            workload
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| (i as i64 + 1, c)),
            p.buckets_per_unit,
        );
        let t1 = Instant::now();
        assignment = locator.locate_all(&workload.points);
        let t2 = Instant::now();
        builds.push((t1 - t0).as_secs_f64() * 1e3);
        assigns.push((t2 - t1).as_secs_f64() * 1e3);
        totals.push((t2 - t0).as_secs_f64() * 1e3);
    }
    let assigned = assignment.iter().filter(|a| a.is_some()).count();
    let total_ms_each_run = totals.clone();
    Ok(AssignBench {
        households: p.households,
        units: p.units,
        seed: p.seed,
        threads: rayon::current_num_threads(),
        runs: p.runs.max(1),
        buckets_per_unit: p.buckets_per_unit,
        build_ms: median(&mut builds),
        assign_ms: median(&mut assigns),
        total_ms: median(&mut totals),
        total_ms_each_run,
        assigned,
        outside: assignment.len() - assigned,
        workload_ms,
        assignment,
        workload: Some(workload),
    })
}
