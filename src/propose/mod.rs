//! Assisted planning: proposals a planner starts from — a unit cut into balanced, contiguous,
//! compact children (自动划分), or its children brought within tolerance by moving the fewest
//! households across the borders they have (均衡调整). A proposal is computed on blocks
//! (`blocks`: micro-grids, or households' cells) as a graph problem (`graph`, `grow`,
//! `rebalance`), then becomes one boundary edit (`edit::Editor::regroup`) written as a step of
//! a draft plan, reviewed, compared and approved like any other.

mod blocks;
mod borders;
mod graph;
mod grow;
mod proposal;
mod rebalance;

pub use blocks::{BlockKind, Blocks, Census};
pub use borders::perimeter;
pub use graph::{Band, BlockGraph};
pub use proposal::{
    Mode, Options, Proposal, RegionReport, Report, partition, rebalance, unit_by_code,
    unit_with_code,
};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProposeError {
    #[error("{0}")]
    Unit(String),
    #[error("{0}")]
    Options(String),
}

/// Households per unit that the grid-governance standard aims at: about 100 households per
/// grid (按照 100 户、300 人一个网格), 10–30 per micro-grid (20).
pub fn standard_households(level: crate::model::Level) -> u32 {
    match level {
        crate::model::Level::MicroGrid => 20,
        _ => 100,
    }
}

#[cfg(test)]
mod property_tests;
