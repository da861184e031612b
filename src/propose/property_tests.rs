//! Property tests on random instances: lattices of blocks with random household counts,
//! some of them locked. Blocks are small against the target (at most a tenth of it), so a
//! balanced answer exists whenever the total allows one.

use proptest::prelude::*;

use crate::propose::graph::tests::lattice;
use crate::propose::graph::{Band, members};
use crate::propose::grow::{NONE, partition};
use crate::propose::rebalance::rebalance;

fn instance() -> impl Strategy<Value = (usize, usize, Vec<u32>, u64)> {
    (4usize..12, 4usize..12).prop_flat_map(|(w, h)| {
        (
            Just(w),
            Just(h),
            proptest::collection::vec(0u32..=10, w * h),
            any::<u64>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn partition_is_contiguous_balanced_and_respects_locks(
        (w, h, hh, seed) in instance(),
        lock_rows in 0usize..2,
    ) {
        let g = lattice(w, h, &hh);
        // The first `lock_rows` rows are a locked unit: they must be left alone.
        let free: Vec<bool> = (0..w * h).map(|b| b / w >= lock_rows).collect();
        let total: u64 = (0..w * h).filter(|&b| free[b]).map(|b| hh[b] as u64).sum();
        let target = 100.0;
        let k = ((total as f64 / target).round() as usize).max(1).min(free.iter().filter(|&&f| f).count());
        let band = Band::new(target, 0.2);
        let a = partition(&g, &free, k, band, seed);
        for b in 0..w * h {
            if free[b] {
                prop_assert!(a[b] < k, "free block {b} has no region");
            } else {
                prop_assert_eq!(a[b], NONE, "locked block {} was moved", b);
            }
        }
        let regions = members(&a, k);
        for (r, m) in regions.iter().enumerate() {
            if let Some(&s) = m.first() {
                prop_assert!(g.connected(&a, r, s, None, m.len()), "region {r} is in pieces: {a:?}");
            }
        }
        // The free blocks are one piece here (whole rows), so the band is reachable whenever
        // the total allows it and the regions are not too few.
        if band.feasible(total, k) && total >= 300 {
            for (r, wgt) in g.weights(&a, k).iter().enumerate() {
                prop_assert!(band.violation(*wgt as i64) == 0, "region {r} has {wgt} households: {:?}", g.weights(&a, k));
            }
        }
    }

    #[test]
    fn rebalance_keeps_regions_whole_moves_only_free_blocks_and_never_worsens(
        (w, h, hh, seed) in instance(),
    ) {
        let g = lattice(w, h, &hh);
        // Today's units: vertical strips of two columns; the first is locked.
        let k = w.div_ceil(2);
        let home: Vec<usize> = (0..w * h).map(|b| (b % w) / 2).collect();
        let mut locked = vec![false; k];
        locked[0] = seed % 2 == 0;
        let free: Vec<bool> = home.iter().map(|&r| !locked[r]).collect();
        let total = g.total_households();
        let band = Band::new((total as f64 / k as f64).max(1.0), 0.2);
        let before: i64 = g.weights(&home, k).iter().map(|&x| band.violation(x as i64)).sum();
        let r = rebalance(&g, &home, &free, &locked, k, band);
        prop_assert!(r.violation <= before);
        for b in 0..w * h {
            if !free[b] {
                prop_assert_eq!(r.assignment[b], home[b]);
            }
        }
        let regions = members(&r.assignment, k);
        for (i, m) in regions.iter().enumerate() {
            prop_assert!(!m.is_empty(), "region {} emptied", i);
            prop_assert!(g.connected(&r.assignment, i, m[0], None, m.len()), "region {i} in pieces");
        }
        if before == 0 {
            prop_assert_eq!(&r.assignment, &home);
        }
    }
}
