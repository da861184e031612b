//! `gridatlas bench partition`: proposals on a range of the document's villages (into grids)
//! and grids (into micro-grids), against a naive baseline — k-means of the household
//! positions, then the Voronoi cells of the centres clipped to the unit, as a tool that knows
//! nothing of blocks or borders would do (the demo generator's own partition). Then the
//! largest village on its own, and a rebalance of every village of the document.
//!
//! Each case times the whole proposal (blocks, borders, solve, report) and the edit it
//! becomes (outlines unioned and welded, households re-located, every invariant checked, as
//! the plan step would be), undone afterwards: the benchmark never writes.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use geo::{Area, BoundingRect};
use geo_types::Coord;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::edit::Editor;
use crate::geom::LocalMetres;
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, UnitId};
use crate::propose::{Band, Census, Options, Proposal, perimeter};

#[derive(Debug, Serialize, Clone, Default)]
pub struct Figures {
    pub ms: f64,
    pub units: usize,
    pub worst_deviation: f64,
    pub within_tolerance: bool,
    pub contiguous: bool,
    pub polsby_popper_mean: f64,
    pub polsby_popper_min: f64,
    pub households_moved: u64,
}

#[derive(Debug, Serialize)]
pub struct Case {
    pub unit_code: String,
    pub into: String,
    pub households: u64,
    pub blocks: usize,
    /// Whether the total allows every unit within tolerance at all.
    pub feasible: bool,
    pub partition: Figures,
    /// The edit the partition becomes (union, weld, re-location, invariants), undone after.
    pub partition_edit_ms: f64,
    pub rebalance: Figures,
    pub baseline: Figures,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub cases: usize,
    pub feasible_cases: usize,
    pub partitions_within_tolerance_where_feasible: usize,
    pub baseline_within_tolerance_where_feasible: usize,
    pub partition_polsby_popper_mean: f64,
    pub baseline_polsby_popper_mean: f64,
    pub partition_polsby_popper_min: f64,
    pub baseline_polsby_popper_min: f64,
    pub partition_households_moved: u64,
    pub rebalance_households_moved: u64,
    /// Rebalance's moved households over a fresh partition's (target ≤ 0.5).
    pub rebalance_to_partition_moved: f64,
    pub partitions_contiguous: usize,
    pub baseline_contiguous: usize,
    pub partition_ms: f64,
    pub baseline_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct LargestVillage {
    pub unit_code: String,
    pub households: u64,
    pub grids: usize,
    /// Blocks, borders, solve and report.
    pub propose_ms: f64,
    /// Plus the edit (union, weld, re-location, invariant checks).
    pub with_edit_ms: f64,
    pub worst_deviation: f64,
    pub within_tolerance: bool,
}

#[derive(Debug, Serialize)]
pub struct AllVillages {
    pub villages: usize,
    pub ms: f64,
    pub within_tolerance_before: usize,
    pub within_tolerance_after: usize,
    /// Villages whose total allows every grid within tolerance.
    pub feasible: usize,
    pub feasible_within_tolerance_after: usize,
    pub households_moved: u64,
    pub villages_changed: usize,
    /// Villages whose total allows the band but the rebalance did not reach it (codes).
    pub feasible_not_reached: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PartitionBench {
    pub file: String,
    pub tolerance: f64,
    pub cases: Vec<Case>,
    pub totals: Totals,
    pub largest_village: LargestVillage,
    pub rebalance_all_villages: AllVillages,
}

fn figures(p: &Proposal, ms: f64) -> Figures {
    let r = p.report();
    Figures {
        ms: round2(ms),
        units: r.unit_count,
        worst_deviation: r.worst_deviation,
        within_tolerance: r.within_tolerance,
        contiguous: r.contiguous,
        polsby_popper_mean: r.polsby_popper_mean,
        polsby_popper_min: r.polsby_popper_min,
        households_moved: r.households_moved,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The naive baseline for one unit: k-means of its households' positions into `k` centres,
/// Voronoi cells of the centres clipped to the unit; each household goes to its cell.
fn baseline(
    d: &Dataset,
    census: &Census,
    unit: UnitId,
    k: usize,
    band: Band,
    seed: u64,
) -> Figures {
    let started = Instant::now();
    let Some(u) = d.units.iter().find(|u| u.id == unit) else {
        return Figures::default();
    };
    let centre = u
        .geometry
        .bounding_rect()
        .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center());
    let frame = LocalMetres::new(centre.x, centre.y);
    let shape = frame.forward_multipolygon(&u.geometry);
    // Households of the unit with the unit of the proposed level they are in today.
    let tree = crate::model::UnitTree::new(d);
    let level = u.level.child().unwrap_or(Level::MicroGrid);
    let mut points = Vec::new();
    let mut today = Vec::new();
    for m in d
        .units
        .iter()
        .filter(|m| m.level == Level::MicroGrid && tree.is_within(m.id, unit))
    {
        for &h in census.households_in(m.id) {
            points.push(frame.forward(d.households[h].location.0));
            today.push(tree.ancestor_at(m.id, level));
        }
    }
    let members: Vec<usize> = (0..points.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pieces = crate::demo::partition::partition(&shape, &points, &members, k, &mut rng);
    let ms = ms_since(started);
    let weights: Vec<u32> = pieces.iter().map(|p| p.members.len() as u32).collect();
    let pp: Vec<f64> = pieces
        .iter()
        .map(|p| {
            let per = perimeter(&p.geometry);
            if per > 0.0 {
                4.0 * std::f64::consts::PI * p.geometry.unsigned_area() / (per * per)
            } else {
                0.0
            }
        })
        .collect();
    // Households moved: each cell continues the unit it shares most households with.
    let mut overlap: Vec<(usize, usize, UnitId)> = Vec::new();
    for (c, p) in pieces.iter().enumerate() {
        let mut count: HashMap<UnitId, usize> = HashMap::new();
        for &i in &p.members {
            if let Some(t) = today[i] {
                *count.entry(t).or_default() += 1;
            }
        }
        overlap.extend(count.into_iter().map(|(t, n)| (n, c, t)));
    }
    overlap.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut continues: Vec<Option<UnitId>> = vec![None; pieces.len()];
    let mut taken: Vec<UnitId> = Vec::new();
    for (_, c, t) in overlap {
        if continues[c].is_none() && !taken.contains(&t) {
            continues[c] = Some(t);
            taken.push(t);
        }
    }
    let moved: u64 = pieces
        .iter()
        .enumerate()
        .map(|(c, p)| {
            p.members
                .iter()
                .filter(|&&i| continues[c].is_none() || today[i] != continues[c])
                .count() as u64
        })
        .sum();
    Figures {
        ms: round2(ms),
        units: pieces.len(),
        worst_deviation: round4(
            weights
                .iter()
                .map(|&w| band.deviation(w).abs())
                .fold(0.0, f64::max),
        ),
        within_tolerance: weights.iter().all(|&w| band.violation(w as i64) == 0),
        contiguous: pieces.iter().all(|p| p.geometry.0.len() <= 1),
        polsby_popper_mean: round4(pp.iter().sum::<f64>() / pp.len().max(1) as f64),
        polsby_popper_min: round4(pp.iter().copied().fold(f64::INFINITY, f64::min).min(1.0)),
        households_moved: moved,
    }
}

/// The edit a proposal becomes, timed, then undone.
fn edit_ms(d: &mut Dataset, index: &mut SpatialIndex, p: &Proposal) -> Result<f64, String> {
    let started = Instant::now();
    let mut editor = Editor::default();
    p.apply(&mut editor, d, index)
        .map_err(|e| format!("{} {}: {e}", p.blocks.parent.code, p.blocks.parent.name))?;
    let ms = ms_since(started);
    editor.undo(d, index);
    Ok(ms)
}

fn households_under(
    d: &Dataset,
    census: &Census,
    unit: UnitId,
    tree: &crate::model::UnitTree,
) -> u64 {
    d.units
        .iter()
        .filter(|m| m.level == Level::MicroGrid && tree.is_within(m.id, unit))
        .map(|m| census.households_in(m.id).len() as u64)
        .sum()
}

/// `count` units of `level`, spread over the range of household totals (smallest to
/// largest), in code order within ties.
fn spread(d: &Dataset, census: &Census, level: Level, count: usize) -> Vec<UnitId> {
    let tree = crate::model::UnitTree::new(d);
    let mut units: Vec<(u64, &str, UnitId)> = d
        .units_of_level(level)
        .map(|u| {
            (
                households_under(d, census, u.id, &tree),
                u.code.as_str(),
                u.id,
            )
        })
        .filter(|(h, _, _)| *h > 0)
        .collect();
    units.sort();
    if units.is_empty() || count == 0 {
        return Vec::new();
    }
    let mut out: Vec<UnitId> = (0..count)
        .map(|i| units[(i * (units.len() - 1)) / (count - 1).max(1)].2)
        .collect();
    out.dedup();
    out
}

pub fn run_partition(
    path: &Path,
    villages: usize,
    grids: usize,
    tolerance: f64,
    seed: u64,
) -> Result<PartitionBench, String> {
    let mut d = crate::store::load(path).map_err(|e| e.to_string())?;
    let mut index = SpatialIndex::build(&d);
    let census = Census::new(&d);
    let options = Options {
        tolerance,
        seed,
        ..Options::default()
    };
    let mut units = spread(&d, &census, Level::Village, villages);
    units.extend(spread(&d, &census, Level::Grid, grids));
    let mut cases = Vec::new();
    for unit in units {
        let t = Instant::now();
        let part =
            crate::propose::partition(&d, &census, unit, &options).map_err(|e| e.to_string())?;
        let part_fig = figures(&part, ms_since(t));
        let partition_edit_ms = edit_ms(&mut d, &mut index, &part)?;
        let t = Instant::now();
        let reb =
            crate::propose::rebalance(&d, &census, unit, &options).map_err(|e| e.to_string())?;
        let reb_fig = figures(&reb, ms_since(t));
        let k = part_fig.units;
        let base = baseline(&d, &census, unit, k, part.band, seed);
        let report = part.report();
        cases.push(Case {
            unit_code: report.unit_code,
            into: report.into,
            households: report.households_total,
            blocks: report.block_count,
            feasible: report.feasible,
            partition: part_fig,
            partition_edit_ms: round2(partition_edit_ms),
            rebalance: reb_fig,
            baseline: base,
        });
    }
    let feasible: Vec<&Case> = cases.iter().filter(|c| c.feasible).collect();
    let mean = |f: &dyn Fn(&Case) -> f64| {
        (cases.iter().map(f).sum::<f64>() / cases.len().max(1) as f64 * 10_000.0).round() / 10_000.0
    };
    let min = |f: &dyn Fn(&Case) -> f64| cases.iter().map(f).fold(f64::INFINITY, f64::min);
    let partition_moved: u64 = cases.iter().map(|c| c.partition.households_moved).sum();
    let rebalance_moved: u64 = cases.iter().map(|c| c.rebalance.households_moved).sum();
    let totals = Totals {
        cases: cases.len(),
        feasible_cases: feasible.len(),
        partitions_within_tolerance_where_feasible: feasible
            .iter()
            .filter(|c| c.partition.within_tolerance)
            .count(),
        baseline_within_tolerance_where_feasible: feasible
            .iter()
            .filter(|c| c.baseline.within_tolerance)
            .count(),
        partition_polsby_popper_mean: mean(&|c| c.partition.polsby_popper_mean),
        baseline_polsby_popper_mean: mean(&|c| c.baseline.polsby_popper_mean),
        partition_polsby_popper_min: round4(min(&|c| c.partition.polsby_popper_min)),
        baseline_polsby_popper_min: round4(min(&|c| c.baseline.polsby_popper_min)),
        partition_households_moved: partition_moved,
        rebalance_households_moved: rebalance_moved,
        rebalance_to_partition_moved: if partition_moved > 0 {
            round2(rebalance_moved as f64 / partition_moved as f64)
        } else {
            0.0
        },
        partitions_contiguous: cases.iter().filter(|c| c.partition.contiguous).count(),
        baseline_contiguous: cases.iter().filter(|c| c.baseline.contiguous).count(),
        partition_ms: round2(cases.iter().map(|c| c.partition.ms).sum()),
        baseline_ms: round2(cases.iter().map(|c| c.baseline.ms).sum()),
    };

    // The largest village, into grids.
    let largest = spread(&d, &census, Level::Village, 2)
        .last()
        .copied()
        .ok_or("the document has no village with households")?;
    let t = Instant::now();
    let p = crate::propose::partition(&d, &census, largest, &options).map_err(|e| e.to_string())?;
    let propose_ms = ms_since(t);
    let edit = edit_ms(&mut d, &mut index, &p)?;
    let r = p.report();
    let largest_village = LargestVillage {
        unit_code: r.unit_code.clone(),
        households: r.households_total,
        grids: r.unit_count,
        propose_ms: round2(propose_ms),
        with_edit_ms: round2(propose_ms + edit),
        worst_deviation: r.worst_deviation,
        within_tolerance: r.within_tolerance,
    };

    // Every village rebalanced (proposals only: each would be a plan of its own).
    let village_ids: Vec<UnitId> = d.units_of_level(Level::Village).map(|u| u.id).collect();
    let t = Instant::now();
    let mut all = AllVillages {
        villages: 0,
        ms: 0.0,
        within_tolerance_before: 0,
        within_tolerance_after: 0,
        feasible: 0,
        feasible_within_tolerance_after: 0,
        households_moved: 0,
        villages_changed: 0,
        feasible_not_reached: Vec::new(),
    };
    for v in village_ids {
        let Ok(p) = crate::propose::rebalance(&d, &census, v, &options) else {
            continue;
        };
        let r = p.report();
        all.villages += 1;
        let before = p
            .blocks
            .graph
            .weights(&p.blocks.home, p.blocks.existing.len())
            .iter()
            .all(|&w| p.band.violation(w as i64) == 0);
        all.within_tolerance_before += usize::from(before);
        all.within_tolerance_after += usize::from(r.within_tolerance);
        all.feasible += usize::from(r.feasible);
        all.feasible_within_tolerance_after += usize::from(r.feasible && r.within_tolerance);
        if r.feasible && !r.within_tolerance {
            all.feasible_not_reached.push(r.unit_code.clone());
        }
        all.households_moved += r.households_moved;
        all.villages_changed += usize::from(p.changes_anything());
    }
    all.ms = round2(ms_since(t));
    Ok(PartitionBench {
        file: path.display().to_string(),
        tolerance,
        cases,
        totals,
        largest_village,
        rebalance_all_villages: all,
    })
}
