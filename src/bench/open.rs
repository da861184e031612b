//! `gridatlas bench open FILE`: what opening a document costs before the window is usable —
//! read and check every table, build every index, compute every statistic.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::bench::median;
use crate::index::SpatialIndex;
use crate::stats::Stats;
use crate::store;

#[derive(Debug, Serialize)]
pub struct OpenBench {
    pub file: String,
    pub runs: usize,
    pub units: usize,
    pub households: usize,
    pub cases: usize,
    /// Medians over the runs, ms.
    pub read_ms: f64,
    /// Opening the sealed personal data with the signed-in account's key (0 without one).
    pub decrypt_ms: f64,
    pub index_ms: f64,
    pub assign_ms: f64,
    pub stats_ms: f64,
    /// Whether the outlines may be written (valid, inside their parents): the window asks it
    /// at every open.
    pub outlines_ms: f64,
    pub total_ms: f64,
    pub total_ms_each_run: Vec<f64>,
}

/// `key`: the document key a sign-in unwrapped (an encrypted document), so that decryption
/// is timed as the window pays it; the sign-in itself (Argon2id, once a session) is not.
pub fn run_open(
    path: &Path,
    runs: usize,
    key: Option<&store::DocumentKey>,
) -> Result<OpenBench, store::StoreError> {
    let (mut read, mut decrypt, mut index, mut assign, mut stats, mut outlines, mut total) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut counts = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let mut d = store::load(path)?;
        let tr = Instant::now();
        if let Some(k) = key {
            store::open_dataset(&mut d, k);
        }
        let t1 = Instant::now();
        let idx = SpatialIndex::build(&d);
        let t2 = Instant::now();
        // Every household's micro-grid, recomputed (what `check` and the editor rely on).
        let a = idx.assign_all(&d);
        let t3 = Instant::now();
        let s = Stats::compute(&d, d.meta.as_of);
        let t4 = Instant::now();
        let unfit = crate::check::unfit_to_write(&d);
        let t5 = Instant::now();
        std::hint::black_box((&a, &s, &unfit));
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        read.push(ms(t0, tr));
        decrypt.push(ms(tr, t1));
        index.push(ms(t1, t2));
        assign.push(ms(t2, t3));
        stats.push(ms(t3, t4));
        outlines.push(ms(t4, t5));
        total.push(ms(t0, t5));
        counts = (d.units.len(), d.households.len(), d.cases.len());
    }
    let each = total.clone();
    Ok(OpenBench {
        file: crate::store::server::location_name(path),
        runs: runs.max(1),
        units: counts.0,
        households: counts.1,
        cases: counts.2,
        read_ms: median(&mut read),
        decrypt_ms: median(&mut decrypt),
        index_ms: median(&mut index),
        assign_ms: median(&mut assign),
        stats_ms: median(&mut stats),
        outlines_ms: median(&mut outlines),
        total_ms: median(&mut total),
        total_ms_each_run: each,
    })
}
