//! Rebalance (均衡调整): bring every region within the band by moving as few households as
//! possible across the borders regions already have.
//!
//! Greedy, and honest about it: each round takes the move of one border block — or, when no
//! single move helps, a chain of two (A gives a block to B, B gives one to C: the way an
//! overfull grid passes households to an underfull one beyond a balanced neighbour; or B gives
//! one back to A, a swap that moves the difference of two blocks), or else of three — that
//! most lowers the households outside the band, the fewest households moved breaking ties. A
//! region already in the band changes only as the middle of such a chain. When the band is
//! reached, blocks that moved are offered back to the region they came from if the band
//! still holds. Regions stay one piece at every step; locked regions neither give nor take.
//!
//! Limitations: chains are at most three moves long, so a surplus that must cross three
//! balanced regions is not found; it is reported (the band is not reached), with the best
//! found.

use crate::propose::graph::{Band, BlockGraph, members};
use crate::propose::grow::NONE;

/// What a rebalance found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebalanced {
    pub assignment: Vec<usize>,
    /// Households outside the band after (0: every region in the band).
    pub violation: i64,
}

#[derive(Clone, Copy, Debug)]
struct Move {
    block: usize,
    from: usize,
    to: usize,
}

fn moved_households(g: &BlockGraph, block: usize, region: usize, home: &[usize]) -> i64 {
    if region == home[block] {
        0
    } else {
        g.households[block] as i64
    }
}

struct State<'a> {
    g: &'a BlockGraph,
    home: &'a [usize],
    free: &'a [bool],
    locked: &'a [bool],
    band: Band,
    k: usize,
    assignment: Vec<usize>,
}

impl State<'_> {
    fn violation(&self) -> i64 {
        self.g
            .weights(&self.assignment, self.k)
            .iter()
            .map(|&w| self.band.violation(w as i64))
            .sum()
    }

    fn moves(&self) -> Vec<Move> {
        let mut out = Vec::new();
        for b in 0..self.g.len() {
            let from = self.assignment[b];
            if !self.free[b] || from >= self.k || self.locked[from] {
                continue;
            }
            let mut seen: Vec<usize> = Vec::new();
            for &(n, _) in &self.g.neighbours[b] {
                let to = self.assignment[n];
                if to < self.k && to != from && !self.locked[to] && !seen.contains(&to) {
                    seen.push(to);
                    out.push(Move { block: b, from, to });
                }
            }
        }
        out
    }

    /// The moves of blocks now in `region`.
    fn moves_out_of(&self, region: usize) -> Vec<Move> {
        let mut out = Vec::new();
        if region >= self.k || self.locked[region] {
            return out;
        }
        for b in (0..self.g.len()).filter(|&b| self.assignment[b] == region && self.free[b]) {
            let mut seen: Vec<usize> = Vec::new();
            for &(n, _) in &self.g.neighbours[b] {
                let to = self.assignment[n];
                if to < self.k && to != region && !self.locked[to] && !seen.contains(&to) {
                    seen.push(to);
                    out.push(Move {
                        block: b,
                        from: region,
                        to,
                    });
                }
            }
        }
        out
    }

    /// Whether `m` keeps its region one piece (and not empty), given the assignment now.
    fn allowed(&self, m: Move) -> bool {
        let regions = members(&self.assignment, self.k);
        self.g
            .stays_connected_without(&self.assignment, &regions[m.from], m.block)
    }

    fn apply(&mut self, m: Move) {
        self.assignment[m.block] = m.to;
    }

    fn undo(&mut self, m: Move) {
        self.assignment[m.block] = m.from;
    }

    /// (Δ households outside the band, Δ households moved from home) of `chain`.
    fn delta(&self, weights: &[u32], chain: &[Move]) -> (i64, i64) {
        let mut w: Vec<i64> = weights.iter().map(|&x| x as i64).collect();
        let mut before = 0;
        let mut touched: Vec<usize> = Vec::new();
        let mut dm = 0;
        for m in chain {
            for r in [m.from, m.to] {
                if !touched.contains(&r) {
                    touched.push(r);
                    before += self.band.violation(w[r]);
                }
            }
            let hh = self.g.households[m.block] as i64;
            w[m.from] -= hh;
            w[m.to] += hh;
            dm += moved_households(self.g, m.block, m.to, self.home)
                - moved_households(self.g, m.block, m.from, self.home);
        }
        let after: i64 = touched.iter().map(|&r| self.band.violation(w[r])).sum();
        (after - before, dm)
    }
}

type Best = Option<((i64, i64, usize), Vec<Move>)>;

/// Keeps `chain` as the best so far if it lowers the violation more (or as much, moving
/// fewer households) and every step of it keeps its region one piece.
fn consider(best: &mut Best, key: (i64, i64, usize), chain: Vec<Move>, s: &mut State) {
    if key.0 >= 0 || best.as_ref().is_some_and(|(k, _)| *k <= key) {
        return;
    }
    // Check the chain step by step, then put the state back.
    let mut done = Vec::new();
    let mut ok = true;
    for m in &chain {
        if s.assignment[m.block] != m.from || !s.allowed(*m) {
            ok = false;
            break;
        }
        s.apply(*m);
        done.push(*m);
    }
    for m in done.into_iter().rev() {
        s.undo(m);
    }
    if ok {
        *best = Some((key, chain));
    }
}

/// Rebalances `k` regions. `home` is each block's region today (`NONE` for blocks outside the
/// problem), `free` the blocks that may move, `locked` the regions kept as they are.
pub fn rebalance(
    g: &BlockGraph,
    home: &[usize],
    free: &[bool],
    locked: &[bool],
    k: usize,
    band: Band,
) -> Rebalanced {
    let mut s = State {
        g,
        home,
        free,
        locked,
        band,
        k,
        assignment: home.to_vec(),
    };
    let limit = 20 * g.len() + 20;
    for _ in 0..limit {
        if s.violation() == 0 {
            break;
        }
        let weights = g.weights(&s.assignment, k);
        let singles = s.moves();
        // One move.
        let mut best: Best = None;
        let mut scored: Vec<((i64, i64, usize), Move)> = singles
            .iter()
            .map(|&m| {
                let (dv, dm) = s.delta(&weights, &[m]);
                ((dv, dm, m.block), m)
            })
            .filter(|(k, _)| k.0 < 0)
            .collect();
        scored.sort_by_key(|(k, m)| (*k, m.to));
        for (key, m) in scored {
            consider(&mut best, key, vec![m], &mut s);
        }
        if best.is_none() {
            // Two moves: the first to a region that then passes a block on (or back: a swap).
            let mut chains: Vec<Vec<Move>> = Vec::new();
            for &m1 in &singles {
                s.apply(m1);
                for m2 in s.moves_out_of(m1.to) {
                    if m2.block != m1.block {
                        chains.push(vec![m1, m2]);
                    }
                }
                s.undo(m1);
            }
            for chain in chains {
                let (dv, dm) = s.delta(&weights, &chain);
                consider(&mut best, (dv, dm, chain[0].block), chain, &mut s);
            }
        }
        if best.is_none() {
            // Three: a surplus that must cross two regions in the band. Only chains whose
            // first two steps keep the violation as it was are extended.
            let mut chains: Vec<Vec<Move>> = Vec::new();
            for &m1 in &singles {
                s.apply(m1);
                let second: Vec<Move> = s
                    .moves_out_of(m1.to)
                    .into_iter()
                    .filter(|m2| m2.block != m1.block && m2.to != m1.from)
                    .collect();
                for m2 in second {
                    if s.delta(&weights, &[m1, m2]).0 > 0 {
                        continue;
                    }
                    s.apply(m2);
                    for m3 in s.moves_out_of(m2.to) {
                        if m3.block != m1.block
                            && m3.block != m2.block
                            && m3.to != m1.from
                            && m3.to != m2.from
                        {
                            chains.push(vec![m1, m2, m3]);
                        }
                    }
                    s.undo(m2);
                }
                s.undo(m1);
            }
            for chain in chains {
                let (dv, dm) = s.delta(&weights, &chain);
                consider(&mut best, (dv, dm, chain[0].block), chain, &mut s);
            }
        }
        if best.is_none() {
            // Stuck: the neighbours of what is still outside sit at the band's edge. Spread
            // the load (a move that keeps the violation and lowers the squared deviation from
            // the target: it strictly decreases, so this ends) and try again.
            let t = band.target;
            let sq = |x: i64| (x as f64 - t).powi(2);
            let spread = singles
                .iter()
                .filter_map(|&m| {
                    let (dv, _) = s.delta(&weights, &[m]);
                    let hh = g.households[m.block] as i64;
                    let (wa, wb) = (weights[m.from] as i64, weights[m.to] as i64);
                    let ds = sq(wa - hh) + sq(wb + hh) - sq(wa) - sq(wb);
                    (dv == 0 && ds < -1e-9).then_some((ds, m))
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.block.cmp(&b.1.block)));
            if let Some((_, m)) = spread
                && s.allowed(m)
            {
                best = Some(((0, 0, m.block), vec![m]));
            }
        }
        let Some((_, chain)) = best else { break };
        for m in chain {
            s.apply(m);
        }
    }
    // Offer moved blocks back home while the band holds and no region breaks apart.
    let mut returned = true;
    while returned {
        returned = false;
        for b in 0..g.len() {
            let (now, h) = (s.assignment[b], home[b]);
            if now == h || h == NONE || now >= k || !free[b] {
                continue;
            }
            let touches_home = g.neighbours[b].iter().any(|&(n, _)| s.assignment[n] == h);
            if !touches_home {
                continue;
            }
            let m = Move {
                block: b,
                from: now,
                to: h,
            };
            let weights = g.weights(&s.assignment, k);
            let (dv, _) = s.delta(&weights, &[m]);
            if dv <= 0 && s.allowed(m) {
                s.apply(m);
                returned = true;
            }
        }
    }
    Rebalanced {
        violation: s.violation(),
        assignment: s.assignment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propose::graph::tests::lattice;

    #[test]
    fn a_balanced_net_is_left_alone() {
        let g = lattice(4, 1, &[50, 50, 50, 50]);
        let home = vec![0, 0, 1, 1];
        let r = rebalance(&g, &home, &[true; 4], &[false; 2], 2, Band::new(100.0, 0.2));
        assert_eq!(r.assignment, home);
        assert_eq!(r.violation, 0);
    }

    #[test]
    fn an_overfull_region_passes_its_border_block() {
        // 150 | 50: moving the 40-household border block gives 110 | 90.
        let g = lattice(4, 1, &[60, 50, 40, 50]);
        let home = vec![0, 0, 0, 1];
        let r = rebalance(&g, &home, &[true; 4], &[false; 2], 2, Band::new(100.0, 0.2));
        assert_eq!(r.assignment, vec![0, 0, 1, 1]);
        assert_eq!(r.violation, 0);
    }

    #[test]
    fn a_surplus_crosses_a_balanced_neighbour() {
        // 140 | 100 | 60 in a row: A gives 20 to B, B gives 40 to C… as a chain.
        let g = lattice(6, 1, &[100, 40, 60, 40, 30, 30]);
        let home = vec![0, 0, 1, 1, 2, 2];
        let r = rebalance(&g, &home, &[true; 6], &[false; 3], 3, Band::new(100.0, 0.2));
        assert_eq!(r.violation, 0, "{:?}", r.assignment);
    }

    #[test]
    fn an_infeasible_total_is_reported() {
        let g = lattice(5, 1, &[140; 5]);
        let home = vec![0, 1, 2, 3, 4];
        let r = rebalance(&g, &home, &[true; 5], &[false; 5], 5, Band::new(100.0, 0.2));
        assert!(r.violation > 0);
    }
}
