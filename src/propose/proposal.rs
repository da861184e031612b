//! A proposal for one unit: the blocks, which region each goes to, which of today's units each
//! region continues, and what that means — the report a planner reads and the regroup edit
//! that becomes a plan step.

use geo_types::MultiPolygon;
use serde::Serialize;

use crate::edit::RegroupPart;
use crate::model::{Dataset, UnitId};
use crate::propose::blocks::{BlockKind, Blocks, Census};
use crate::propose::graph::{Band, members};
use crate::propose::grow::NONE;
use crate::propose::{ProposeError, standard_households};

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Households per unit to aim at (default: the standard for the level).
    pub households: Option<u32>,
    /// How many units the parent should have in all, locked ones included (partition only).
    pub count: Option<usize>,
    /// Allowed deviation from the target, as a fraction (0.2 = ±20 %).
    pub tolerance: f64,
    /// Codes of today's units to keep exactly as they are.
    pub lock: Vec<String>,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            households: None,
            count: None,
            tolerance: 0.2,
            lock: Vec::new(),
            seed: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Partition,
    Rebalance,
}

pub struct Proposal {
    pub mode: Mode,
    pub blocks: Blocks,
    pub band: Band,
    /// Block → region.
    pub assignment: Vec<usize>,
    /// Region → the index in `blocks.existing` of the unit it continues, or `None` (new).
    pub continues: Vec<Option<usize>>,
    /// Regions kept exactly as they are.
    pub locked: Vec<bool>,
}

/// One proposed unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionReport {
    /// Code of the unit it continues; a new unit gets its code when the plan is drafted.
    pub code: Option<String>,
    pub name: Option<String>,
    pub households: u32,
    pub persons: u32,
    pub deviation: f64,
    pub within_tolerance: bool,
    pub contiguous: bool,
    pub polsby_popper: f64,
    pub locked: bool,
    /// Whether its outline changes.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub mode: Mode,
    pub unit_code: String,
    pub unit_name: String,
    pub into: String,
    pub blocks: BlockKind,
    pub block_count: usize,
    pub band: Band,
    pub tolerance: f64,
    pub units: Vec<RegionReport>,
    pub unit_count: usize,
    pub worst_deviation: f64,
    pub within_tolerance: bool,
    /// Whether a proposal within tolerance exists for this total at all.
    pub feasible: bool,
    /// When it is not reached: why, in a sentence.
    pub infeasible_reason: Option<String>,
    pub households_outside_band: i64,
    pub contiguous: bool,
    pub polsby_popper_mean: f64,
    pub polsby_popper_min: f64,
    pub households_total: u64,
    /// Households whose unit of this level changes.
    pub households_moved: u64,
    pub units_changed: usize,
}

impl Options {
    /// Options as a planner types them in the panel: households per unit (blank: the
    /// standard), the tolerance (0.2 or 20 %), locked codes separated by commas (、 ， too).
    pub fn from_fields(
        households: &str,
        tolerance: &str,
        lock: &str,
    ) -> Result<Options, ProposeError> {
        let households = match households.trim() {
            "" => None,
            text => Some(text.parse::<u32>().map_err(|_| {
                ProposeError::Options(format!(
                    "households per unit: {text:?} is not a whole number"
                ))
            })?),
        };
        let t = tolerance.trim().trim_end_matches('%').trim();
        let mut tolerance: f64 = t.parse().map_err(|_| {
            ProposeError::Options(format!(
                "tolerance: {tolerance:?} is not a number (0.2 or 20%)"
            ))
        })?;
        if tolerance >= 1.0 {
            tolerance /= 100.0;
        }
        let lock = lock
            .split([',', '，', '、', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Options {
            households,
            tolerance,
            lock,
            ..Options::default()
        })
    }
}

impl Report {
    /// Gives the new units of the report (no code yet) the codes and names the edit that drafted
    /// them chose, in the order both list them.
    pub fn name_new_units(&mut self, change: &crate::edit::Change, level: crate::model::Level) {
        let mut fresh = change.added_units().filter(|u| u.level == level);
        for r in self.units.iter_mut().filter(|r| r.code.is_none()) {
            if let Some(u) = fresh.next() {
                r.code = Some(u.code.clone());
                r.name = Some(u.name.clone());
            }
        }
    }
}

fn locked_units(blocks: &Blocks, options: &Options) -> Result<Vec<bool>, ProposeError> {
    let mut locked = vec![false; blocks.existing.len()];
    for code in &options.lock {
        let code = code.trim();
        let Some(i) = blocks.existing.iter().position(|u| u.code == code) else {
            return Err(ProposeError::Options(format!(
                "--lock {code}: not a {} of {} {}",
                blocks.level.name_en(),
                blocks.parent.code,
                blocks.parent.name
            )));
        };
        locked[i] = true;
    }
    Ok(locked)
}

fn check_tolerance(options: &Options) -> Result<(), ProposeError> {
    if !(0.0..1.0).contains(&options.tolerance) {
        return Err(ProposeError::Options(format!(
            "--tolerance {}: must be at least 0 and below 1 (0.2 = ±20 %)",
            options.tolerance
        )));
    }
    if options.households == Some(0) {
        return Err(ProposeError::Options(
            "--households 0: a unit must aim at one household or more".into(),
        ));
    }
    Ok(())
}

/// Cuts `unit` into children from scratch (locked children kept).
pub fn partition(
    d: &Dataset,
    census: &Census,
    unit: UnitId,
    options: &Options,
) -> Result<Proposal, ProposeError> {
    check_tolerance(options)?;
    let blocks = Blocks::build(d, census, unit)?;
    let locked_existing = locked_units(&blocks, options)?;
    let n_locked = locked_existing.iter().filter(|&&l| l).count();
    let free: Vec<bool> = blocks.home.iter().map(|&h| !locked_existing[h]).collect();
    let free_households: u64 = (0..blocks.graph.len())
        .filter(|&b| free[b])
        .map(|b| blocks.graph.households[b] as u64)
        .sum();
    let free_blocks = free.iter().filter(|&&f| f).count();
    let (k, target) = match (options.count, options.households) {
        (Some(_), Some(_)) => {
            return Err(ProposeError::Options(
                "give --households or --count, not both".into(),
            ));
        }
        (Some(count), None) => {
            if count <= n_locked {
                return Err(ProposeError::Options(format!(
                    "--count {count}: {n_locked} units are locked, so at least {} are needed",
                    n_locked + 1
                )));
            }
            let k = count - n_locked;
            (k, free_households as f64 / k as f64)
        }
        (None, households) => {
            let n = households.unwrap_or_else(|| standard_households(blocks.level));
            let k = ((free_households as f64 / n as f64).round() as usize).max(1);
            (k, n as f64)
        }
    };
    if k > free_blocks {
        return Err(ProposeError::Options(format!(
            "{} {} has {free_blocks} blocks to share out, too few for {k} units",
            blocks.parent.code, blocks.parent.name
        )));
    }
    let band = Band::new(target, options.tolerance);
    let mut assignment =
        crate::propose::grow::partition(&blocks.graph, &free, k, band, options.seed);
    // Locked units are regions of their own, after the free ones.
    let locked_index: Vec<usize> = (0..blocks.existing.len())
        .filter(|&e| locked_existing[e])
        .collect();
    for b in 0..assignment.len() {
        if !free[b] {
            let e = blocks.home[b];
            assignment[b] = k + locked_index.iter().position(|&x| x == e).unwrap_or(0);
        }
    }
    let regions = k + locked_index.len();
    // Each free region continues the unlocked unit it shares most households (then blocks)
    // with, each unit at most once: codes other systems hold stay where the place stays.
    let mut overlap: Vec<(u64, usize, usize)> = Vec::new();
    for r in 0..k {
        for e in (0..blocks.existing.len()).filter(|&e| !locked_existing[e]) {
            let shared: u64 = (0..assignment.len())
                .filter(|&b| assignment[b] == r && blocks.home[b] == e)
                .map(|b| blocks.graph.households[b] as u64 * 1000 + 1)
                .sum();
            if shared > 0 {
                overlap.push((shared, r, e));
            }
        }
    }
    overlap.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut continues: Vec<Option<usize>> = vec![None; regions];
    let mut taken = vec![false; blocks.existing.len()];
    for (_, r, e) in overlap {
        if continues[r].is_none() && !taken[e] {
            continues[r] = Some(e);
            taken[e] = true;
        }
    }
    for (j, &e) in locked_index.iter().enumerate() {
        continues[k + j] = Some(e);
    }
    let mut locked = vec![false; k];
    locked.extend(std::iter::repeat_n(true, locked_index.len()));
    Ok(Proposal {
        mode: Mode::Partition,
        blocks,
        band,
        assignment,
        continues,
        locked,
    })
}

/// Brings the children of `unit` within tolerance by moving border blocks.
pub fn rebalance(
    d: &Dataset,
    census: &Census,
    unit: UnitId,
    options: &Options,
) -> Result<Proposal, ProposeError> {
    check_tolerance(options)?;
    if options.count.is_some() {
        return Err(ProposeError::Options(
            "--count is for partition: a rebalance keeps the units there are".into(),
        ));
    }
    let blocks = Blocks::build(d, census, unit)?;
    let locked = locked_units(&blocks, options)?;
    let k = blocks.existing.len();
    let target = options
        .households
        .unwrap_or_else(|| standard_households(blocks.level)) as f64;
    let band = Band::new(target, options.tolerance);
    let free: Vec<bool> = blocks.home.iter().map(|&h| !locked[h]).collect();
    let found =
        crate::propose::rebalance::rebalance(&blocks.graph, &blocks.home, &free, &locked, k, band);
    Ok(Proposal {
        mode: Mode::Rebalance,
        band,
        assignment: found.assignment,
        continues: (0..k).map(Some).collect(),
        locked,
        blocks,
    })
}

impl Proposal {
    pub fn regions(&self) -> usize {
        self.continues.len()
    }

    /// Whether region `r` holds exactly the blocks of the unit it continues.
    fn unchanged(&self, r: usize) -> bool {
        let Some(e) = self.continues[r] else {
            return false;
        };
        (0..self.assignment.len()).all(|b| (self.assignment[b] == r) == (self.blocks.home[b] == e))
    }

    /// Households whose unit of the proposed level changes.
    pub fn households_moved(&self) -> u64 {
        (0..self.assignment.len())
            .filter(|&b| {
                let r = self.assignment[b];
                r == NONE || self.continues[r] != Some(self.blocks.home[b])
            })
            .map(|b| self.blocks.graph.households[b] as u64)
            .sum()
    }

    /// Whether anything would change.
    pub fn changes_anything(&self) -> bool {
        (0..self.regions()).any(|r| !self.unchanged(r))
            || (0..self.blocks.existing.len()).any(|e| !self.continues.contains(&Some(e)))
    }

    pub fn report(&self) -> Report {
        let g = &self.blocks.graph;
        let k = self.regions();
        let weights = g.weights(&self.assignment, k);
        let mut persons = vec![0u32; k];
        for (b, &r) in self.assignment.iter().enumerate() {
            if r < k {
                persons[r] += g.persons[b];
            }
        }
        let pp = g.polsby_popper(&self.assignment, k);
        let regions = members(&self.assignment, k);
        // One piece: its blocks joined by real borders, and where a block is itself in parts
        // (a Voronoi cell cut by a concave micro-grid, a micro-grid another program left in
        // two), the outline the region will have is one piece too.
        let contiguity: Vec<bool> = g
            .contiguity(&self.assignment, k)
            .into_iter()
            .zip(&regions)
            .map(|(joined, blocks)| {
                joined
                    && (blocks.iter().all(|&b| self.blocks.shapes_m[b].0.len() <= 1)
                        || self.pieces(blocks) <= 1)
            })
            .collect();
        let units: Vec<RegionReport> = (0..k)
            .filter(|&r| !regions[r].is_empty())
            .map(|r| {
                let unit = self.continues[r].map(|e| &self.blocks.existing[e]);
                RegionReport {
                    code: unit.map(|u| u.code.clone()),
                    name: unit.map(|u| u.name.clone()),
                    households: weights[r],
                    persons: persons[r],
                    deviation: round4(self.band.deviation(weights[r])),
                    within_tolerance: self.band.violation(weights[r] as i64) == 0,
                    contiguous: contiguity[r],
                    polsby_popper: round4(pp[r]),
                    locked: self.locked[r],
                    changed: !self.unchanged(r),
                }
            })
            .collect();
        let outside: i64 = units
            .iter()
            .map(|u| self.band.violation(u.households as i64))
            .sum();
        let total = g.total_households();
        let feasible = self.band.feasible(total, units.len());
        let infeasible_reason = (outside > 0).then(|| {
            if feasible {
                format!(
                    "no proposal within {}–{} households per unit was found from these blocks; this is the best found ({} households outside the band)",
                    self.band.low, self.band.high, outside
                )
            } else {
                format!(
                    "{total} households cannot make {} units of {}–{} households; this is the best found",
                    units.len(),
                    self.band.low,
                    self.band.high
                )
            }
        });
        let pps: Vec<f64> = units.iter().map(|u| u.polsby_popper).collect();
        Report {
            mode: self.mode,
            unit_code: self.blocks.parent.code.clone(),
            unit_name: self.blocks.parent.name.clone(),
            into: self.blocks.level.name_en().to_owned(),
            blocks: self.blocks.kind,
            block_count: g.len(),
            band: self.band,
            tolerance: round4(
                (self.band.high as f64 - self.band.target) / self.band.target.max(1e-9),
            ),
            unit_count: units.len(),
            worst_deviation: units.iter().map(|u| u.deviation.abs()).fold(0.0, f64::max),
            within_tolerance: outside == 0,
            feasible,
            infeasible_reason,
            households_outside_band: outside,
            contiguous: units.iter().all(|u| u.contiguous),
            polsby_popper_mean: round4(pps.iter().sum::<f64>() / pps.len().max(1) as f64),
            polsby_popper_min: pps.iter().copied().fold(f64::INFINITY, f64::min).min(1.0),
            households_total: total,
            households_moved: self.households_moved(),
            units_changed: units.iter().filter(|u| u.changed).count()
                + (0..self.blocks.existing.len())
                    .filter(|e| !self.continues.contains(&Some(*e)))
                    .count(),
            units,
        }
    }

    /// Pieces (of 1 m² or more) of the outline the union of `blocks` has.
    fn pieces(&self, blocks: &[usize]) -> usize {
        use geo::Area;
        let union = geo::unary_union(blocks.iter().map(|&b| &self.blocks.shapes_m[b]));
        union.0.iter().filter(|p| p.unsigned_area() >= 1.0).count()
    }

    /// The regroup edit that makes this proposal: one part per non-empty region.
    pub fn parts(&self) -> Vec<RegroupPart> {
        let regions = members(&self.assignment, self.regions());
        let mut out = Vec::new();
        for (r, blocks) in regions.iter().enumerate() {
            if blocks.is_empty() {
                continue;
            }
            let keep = self.continues[r].map(|e| self.blocks.existing[e].id);
            let geometry = (!self.unchanged(r)).then(|| {
                let shapes: Vec<&MultiPolygon<f64>> =
                    blocks.iter().map(|&b| &self.blocks.shapes_m[b]).collect();
                let union = geo::unary_union(shapes);
                self.blocks.frame.inverse_multipolygon(&union)
            });
            let children = match self.blocks.kind {
                BlockKind::MicroGrids => {
                    blocks.iter().filter_map(|&b| self.blocks.unit[b]).collect()
                }
                BlockKind::HouseholdCells => Vec::new(),
            };
            out.push(RegroupPart {
                keep,
                geometry,
                children,
            });
        }
        out
    }

    /// Makes the proposal in `d` as one edit of `editor` (which takes the proposal's level):
    /// every invariant checked by its commit, one undo step.
    pub fn apply<'e>(
        &self,
        editor: &'e mut crate::edit::Editor,
        d: &mut Dataset,
        index: &mut crate::index::SpatialIndex,
    ) -> Result<&'e crate::edit::Change, crate::edit::EditError> {
        editor.level = self.blocks.level;
        editor.regroup(
            d,
            index,
            self.blocks.parent.id,
            self.blocks.level,
            &self.parts(),
            &self.label(),
        )
    }

    /// A label for the plan step.
    pub fn label(&self) -> String {
        match self.mode {
            Mode::Partition => format!("自动划分 {}", self.blocks.parent.name),
            Mode::Rebalance => format!("均衡调整 {}", self.blocks.parent.name),
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The unit with `code`, or an error naming the code (the panel's words for a typo).
pub fn unit_by_code(d: &Dataset, code: &str) -> Result<UnitId, ProposeError> {
    unit_with_code(d, code)
        .ok_or_else(|| ProposeError::Unit(format!("{}: no unit has this code", code.trim())))
}

/// The unit with `code`, for the command line and the panel.
pub fn unit_with_code(d: &Dataset, code: &str) -> Option<UnitId> {
    d.units.iter().find(|u| u.code == code.trim()).map(|u| u.id)
}
