//! `gridatlas bench …`: the benchmarks the project ships. Each runs the same code paths as the
//! app, in release mode, and prints JSON.

mod assign;
mod edit;
mod open;
mod partition;
mod seats;
mod workload;

pub use assign::{AssignBench, AssignParams, run_assign};
pub use edit::{EditReport, run_edit};
pub use open::{OpenBench, run_open};
pub use partition::{PartitionBench, run_partition};
pub use seats::{SeatsBench, run_seats};
pub use workload::{Workload, voronoi_square};

/// The median of some timings (ms).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
