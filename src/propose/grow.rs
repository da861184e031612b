//! Partition (自动划分): cutting a set of blocks into `k` contiguous regions of about the same
//! number of households, as compact as the blocks allow.
//!
//! Three steps, each the plain version of what redistricting tools do:
//! 1. seeds: weighted k-means over the blocks' centres (k-means++ start, from the seed), each
//!    centre's nearest block a seed;
//! 2. growth: the lightest region that still has an unclaimed neighbour takes the one nearest
//!    its centre — regions are contiguous by construction and grow at the same pace;
//! 3. local search on border blocks: first balance (a move must lower the households outside
//!    the band, or else the sum of squared deviations), then compactness (a move must lower
//!    the two regions' P²/A — raise their Polsby–Popper — without adding households outside
//!    the band). A block leaves a region only if the rest stays one piece.
//!
//! Several starts (seed, seed+1, …) are tried and the best kept (fewest households outside
//! the band, then the lowest sum of P²/A), so the result is deterministic for a seed.
//!
//! Limitations: blocks are never split, so a target finer than the blocks (grids of 100 out of
//! micro-grids of 60) can be unreachable; that is reported by the band, not hidden. A
//! component of the blocks with no households (an empty island) joins the nearest region and
//! that region is reported as not contiguous.

use std::collections::BTreeSet;

use geo_types::Coord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::propose::graph::{Band, BlockGraph, members};

/// A block no region has (locked, or outside the problem).
pub const NONE: usize = usize::MAX;

const STARTS: u64 = 8;

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Cuts the `free` blocks into `k` regions; returns the region of every block (`NONE` for the
/// blocks that are not free).
pub fn partition(g: &BlockGraph, free: &[bool], k: usize, band: Band, seed: u64) -> Vec<usize> {
    let mut best: Option<(i64, f64, Vec<usize>)> = None;
    for start in 0..STARTS {
        let a = partition_once(g, free, k, band, seed.wrapping_add(start));
        let v = violation(g, &a, k, band);
        let cost = compactness_cost(g, &a, k);
        if best
            .as_ref()
            .is_none_or(|(bv, bc, _)| v < *bv || (v == *bv && cost < bc - 1e-6))
        {
            best = Some((v, cost, a));
        }
    }
    best.map(|(_, _, a)| a).unwrap_or_default()
}

/// Households outside the band, over all regions.
pub fn violation(g: &BlockGraph, assignment: &[usize], k: usize, band: Band) -> i64 {
    g.weights(assignment, k)
        .iter()
        .map(|&w| band.violation(w as i64))
        .sum()
}

fn partition_once(g: &BlockGraph, free: &[bool], k: usize, band: Band, seed: u64) -> Vec<usize> {
    let mut assignment = vec![NONE; g.len()];
    if k == 0 {
        return assignment;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pieces = g.components(free);
    let shares = share_regions(g, &pieces, k);
    let mut next_region = 0;
    let mut centres: Vec<Coord<f64>> = vec![Coord { x: 0.0, y: 0.0 }; k];
    for (piece, &n) in pieces.iter().zip(&shares) {
        if n == 0 {
            continue;
        }
        let regions: Vec<usize> = (next_region..next_region + n).collect();
        next_region += n;
        let piece_centres = kmeans(g, piece, n, &mut rng);
        for (&r, c) in regions.iter().zip(&piece_centres) {
            centres[r] = *c;
        }
        grow(g, piece, &regions, &piece_centres, &mut assignment);
    }
    // Pieces given no region (no households): to the region nearest their centre.
    for (piece, &n) in pieces.iter().zip(&shares) {
        if n > 0 {
            continue;
        }
        for &b in piece {
            let r = (0..next_region.max(1))
                .min_by(|&x, &y| {
                    dist2(g.centre_m[b], centres[x]).total_cmp(&dist2(g.centre_m[b], centres[y]))
                })
                .unwrap_or(0);
            assignment[b] = r;
        }
    }
    balance(g, &mut assignment, k, band, free, None);
    // Round (inertia) then smooth (perimeter), twice: each opens moves for the other.
    for _ in 0..2 {
        gather(g, &mut assignment, k, band, free);
        compact(g, &mut assignment, k, band, free);
    }
    assignment
}

/// How many regions each piece gets: in proportion to its households (largest remainder), at
/// least one for a piece with households while regions last.
fn share_regions(g: &BlockGraph, pieces: &[Vec<usize>], k: usize) -> Vec<usize> {
    let weights: Vec<f64> = pieces
        .iter()
        .map(|p| p.iter().map(|&b| g.households[b] as f64).sum())
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        // No households at all: everything in the largest piece's regions.
        let mut out = vec![0; pieces.len()];
        if let Some(i) = (0..pieces.len()).max_by_key(|&i| pieces[i].len()) {
            out[i] = k.min(pieces[i].len());
        }
        return out;
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / total * k as f64).collect();
    let mut out: Vec<usize> = exact
        .iter()
        .zip(&weights)
        .map(|(&e, &w)| {
            if w > 0.0 {
                (e.floor() as usize).max(1)
            } else {
                0
            }
        })
        .collect();
    // A piece cannot have more regions than blocks.
    for (o, p) in out.iter_mut().zip(pieces) {
        *o = (*o).min(p.len());
    }
    let mut given: usize = out.iter().sum();
    while given > k {
        // Too many pieces for k: take back from the smallest share above one... or the lightest.
        let Some(i) = (0..out.len())
            .filter(|&i| out[i] > 0)
            .min_by(|&a, &b| (exact[a] - out[a] as f64).total_cmp(&(exact[b] - out[b] as f64)))
        else {
            break;
        };
        out[i] -= 1;
        given -= 1;
    }
    while given < k {
        let Some(i) = (0..out.len())
            .filter(|&i| out[i] < pieces[i].len() && weights[i] > 0.0)
            .max_by(|&a, &b| (exact[a] - out[a] as f64).total_cmp(&(exact[b] - out[b] as f64)))
        else {
            break;
        };
        out[i] += 1;
        given += 1;
    }
    out
}

/// Weighted k-means over the centres of `piece` (weights: households + 1, so empty blocks
/// count a little), k-means++ start.
fn kmeans(g: &BlockGraph, piece: &[usize], k: usize, rng: &mut ChaCha8Rng) -> Vec<Coord<f64>> {
    let w = |b: usize| g.households[b] as f64 + 1.0;
    let first = piece[rng.random_range(0..piece.len())];
    let mut centres = vec![g.centre_m[first]];
    let mut d2: Vec<f64> = piece
        .iter()
        .map(|&b| dist2(g.centre_m[b], centres[0]) * w(b))
        .collect();
    while centres.len() < k {
        let total: f64 = d2.iter().sum();
        let mut chosen = piece[piece.len() - 1];
        if total > 0.0 {
            let mut target = rng.random_range(0.0..total);
            for (j, &b) in piece.iter().enumerate() {
                target -= d2[j];
                if target <= 0.0 {
                    chosen = b;
                    break;
                }
            }
        }
        let c = g.centre_m[chosen];
        centres.push(c);
        for (j, &b) in piece.iter().enumerate() {
            d2[j] = d2[j].min(dist2(g.centre_m[b], c) * w(b));
        }
    }
    for _ in 0..20 {
        let mut sums = vec![(0.0, 0.0, 0.0); k];
        for &b in piece {
            let c = nearest(&centres, g.centre_m[b]);
            sums[c].0 += g.centre_m[b].x * w(b);
            sums[c].1 += g.centre_m[b].y * w(b);
            sums[c].2 += w(b);
        }
        for (c, (sx, sy, n)) in centres.iter_mut().zip(sums) {
            if n > 0.0 {
                *c = Coord {
                    x: sx / n,
                    y: sy / n,
                };
            }
        }
    }
    centres
}

fn nearest(centres: &[Coord<f64>], p: Coord<f64>) -> usize {
    (0..centres.len())
        .min_by(|&a, &b| dist2(centres[a], p).total_cmp(&dist2(centres[b], p)))
        .unwrap_or(0)
}

/// Region growing from one seed block per centre.
fn grow(
    g: &BlockGraph,
    piece: &[usize],
    regions: &[usize],
    centres: &[Coord<f64>],
    assignment: &mut [usize],
) {
    let mut in_piece = vec![false; g.len()];
    for &b in piece {
        in_piece[b] = true;
    }
    let mut weight = vec![0u64; regions.len()];
    let mut frontier: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); regions.len()];
    let take = |b: usize,
                i: usize,
                assignment: &mut [usize],
                frontier: &mut [BTreeSet<usize>],
                weight: &mut [u64]| {
        assignment[b] = regions[i];
        weight[i] += g.households[b] as u64 + 1;
        for &(n, _) in &g.neighbours[b] {
            if assignment[n] == NONE && in_piece[n] {
                frontier[i].insert(n);
            }
        }
        // No region may claim it again.
        for f in frontier.iter_mut() {
            f.remove(&b);
        }
    };
    for (i, c) in centres.iter().enumerate() {
        let seed = piece
            .iter()
            .copied()
            .filter(|&b| assignment[b] == NONE)
            .min_by(|&a, &b| dist2(g.centre_m[a], *c).total_cmp(&dist2(g.centre_m[b], *c)));
        if let Some(b) = seed {
            take(b, i, assignment, &mut frontier, &mut weight);
        }
    }
    // The lightest region that can still grow takes its frontier block nearest its centre.
    while let Some(i) = (0..regions.len())
        .filter(|&i| !frontier[i].is_empty())
        .min_by_key(|&i| (weight[i], i))
    {
        let c = centres[i];
        let Some(b) = frontier[i]
            .iter()
            .copied()
            .min_by(|&a, &b| dist2(g.centre_m[a], c).total_cmp(&dist2(g.centre_m[b], c)))
        else {
            break;
        };
        take(b, i, assignment, &mut frontier, &mut weight);
    }
    // Blocks no region reached (the piece had fewer seeds than needed): nearest region.
    for &b in piece {
        if assignment[b] == NONE {
            assignment[b] = regions[nearest(centres, g.centre_m[b])];
        }
    }
}

/// One candidate move of a border block.
#[derive(Clone, Copy)]
struct Move {
    block: usize,
    from: usize,
    to: usize,
}

/// Every move of a free block to a neighbouring region (other than its own, and not locked).
fn border_moves(
    g: &BlockGraph,
    assignment: &[usize],
    free: &[bool],
    k: usize,
    locked: Option<&[bool]>,
) -> Vec<Move> {
    let mut out = Vec::new();
    for b in 0..g.len() {
        let from = assignment[b];
        if !free[b] || from >= k || locked.is_some_and(|l| l[from]) {
            continue;
        }
        let mut seen: Vec<usize> = Vec::new();
        for &(n, _) in &g.neighbours[b] {
            let to = assignment[n];
            if to < k && to != from && !seen.contains(&to) && !locked.is_some_and(|l| l[to]) {
                seen.push(to);
                out.push(Move { block: b, from, to });
            }
        }
    }
    out
}

/// How many more households the move leaves outside the band (negative: fewer).
fn violation_change(g: &BlockGraph, weights: &[u32], band: Band, m: Move) -> i64 {
    let w = g.households[m.block] as i64;
    let (wa, wb) = (weights[m.from] as i64, weights[m.to] as i64);
    band.violation(wa - w) + band.violation(wb + w) - band.violation(wa) - band.violation(wb)
}

/// The best candidate (lowest key; then block and region order, so that ties are decided the
/// same way every time) whose block can leave its region without cutting it in two.
fn first_allowed<K: PartialOrd>(
    g: &BlockGraph,
    assignment: &[usize],
    k: usize,
    mut candidates: Vec<(K, Move)>,
) -> Option<Move> {
    candidates.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.block.cmp(&b.1.block))
            .then(a.1.to.cmp(&b.1.to))
    });
    let regions = members(assignment, k);
    candidates
        .into_iter()
        .map(|c| c.1)
        .find(|m| g.stays_connected_without(assignment, &regions[m.from], m.block))
}

/// Balance: best-improvement moves that lower (households outside the band, sum of squared
/// deviations from the target), lexicographically, the longer shared border breaking ties.
/// `locked` regions neither give nor take.
pub(crate) fn balance(
    g: &BlockGraph,
    assignment: &mut [usize],
    k: usize,
    band: Band,
    free: &[bool],
    locked: Option<&[bool]>,
) {
    let sq = |x: i64| (x as f64 - band.target).powi(2);
    let limit = 20 * g.len() + 100;
    for _ in 0..limit {
        let weights = g.weights(assignment, k);
        let mut candidates: Vec<((i64, f64, f64), Move)> = Vec::new();
        for m in border_moves(g, assignment, free, k, locked) {
            let w = g.households[m.block] as i64;
            let (wa, wb) = (weights[m.from] as i64, weights[m.to] as i64);
            let dv = violation_change(g, &weights, band, m);
            let ds = sq(wa - w) + sq(wb + w) - sq(wa) - sq(wb);
            if dv < 0 || (dv == 0 && ds < -1e-9) {
                let gain = g.shared_with(assignment, m.block, m.to)
                    - g.shared_with(assignment, m.block, m.from);
                candidates.push(((dv, ds, -gain), m));
            }
        }
        let Some(m) = first_allowed(g, assignment, k, candidates) else {
            break;
        };
        assignment[m.block] = m.to;
    }
}

/// Inertia: best-improvement moves of border blocks that lower the regions' moment of inertia
/// (the weighted sum of squared distances of blocks to their region's centre, the k-means
/// objective: what makes the naive baseline's cells round), never adding households outside
/// the band. Hartigan's exact change for moving one weighted point between two clusters.
fn gather(g: &BlockGraph, assignment: &mut [usize], k: usize, band: Band, free: &[bool]) {
    let w = |b: usize| g.households[b] as f64 + 1.0;
    let mut mass = vec![0.0; k];
    let mut sum = vec![Coord { x: 0.0, y: 0.0 }; k];
    for (b, &r) in assignment.iter().enumerate() {
        if r < k {
            mass[r] += w(b);
            sum[r] = sum[r] + g.centre_m[b] * w(b);
        }
    }
    let limit = 10 * g.len() + 50;
    for _ in 0..limit {
        let weights = g.weights(assignment, k);
        let mut candidates: Vec<(f64, Move)> = Vec::new();
        for m in border_moves(g, assignment, free, k, None) {
            let (ma, mb) = (mass[m.from], mass[m.to]);
            let x = w(m.block);
            if violation_change(g, &weights, band, m) > 0 || ma - x <= 0.0 {
                continue;
            }
            let c = g.centre_m[m.block];
            let (ca, cb) = (sum[m.from] / ma, sum[m.to] / mb);
            let delta = x * mb / (mb + x) * dist2(c, cb) - x * ma / (ma - x) * dist2(c, ca);
            if delta < -1e-6 * (dist2(c, ca) * x).max(1.0) {
                candidates.push((delta, m));
            }
        }
        let Some(m) = first_allowed(g, assignment, k, candidates) else {
            break;
        };
        let x = w(m.block);
        let c = g.centre_m[m.block] * x;
        assignment[m.block] = m.to;
        mass[m.from] -= x;
        mass[m.to] += x;
        sum[m.from] = sum[m.from] - c;
        sum[m.to] = sum[m.to] + c;
    }
}

/// Each region's area and perimeter (m², m) from its blocks: the perimeter is the blocks'
/// perimeters less both sides of every border two of its blocks share.
fn shapes(g: &BlockGraph, assignment: &[usize], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut area = vec![0.0; k];
    let mut perimeter = vec![0.0; k];
    for (b, &r) in assignment.iter().enumerate() {
        if r >= k {
            continue;
        }
        area[r] += g.area_m2[b];
        perimeter[r] += g.perimeter_m[b] - g.shared_with(assignment, b, r);
    }
    (area, perimeter)
}

/// How far a region is from a disc: P²/A (4π for a disc, 4π / Polsby–Popper in general).
fn roundness_cost(area: f64, perimeter: f64) -> f64 {
    if area > 0.0 {
        perimeter * perimeter / area
    } else {
        0.0
    }
}

/// The compactness cost of a partition: the sum of every region's P²/A.
fn compactness_cost(g: &BlockGraph, assignment: &[usize], k: usize) -> f64 {
    let (area, perimeter) = shapes(g, assignment, k);
    area.iter()
        .zip(&perimeter)
        .map(|(&a, &p)| roundness_cost(a, p))
        .sum()
}

/// The (area, perimeter) of the region `m` leaves and of the one it joins, after it.
fn shapes_after(
    g: &BlockGraph,
    assignment: &[usize],
    (area, perimeter): (&[f64], &[f64]),
    m: Move,
) -> [(f64, f64); 2] {
    let b = m.block;
    [
        (
            area[m.from] - g.area_m2[b],
            perimeter[m.from] - g.perimeter_m[b] + 2.0 * g.shared_with(assignment, b, m.from),
        ),
        (
            area[m.to] + g.area_m2[b],
            perimeter[m.to] + g.perimeter_m[b] - 2.0 * g.shared_with(assignment, b, m.to),
        ),
    ]
}

/// Compactness: best-improvement moves of border blocks that lower the sum of P²/A over the
/// two regions involved (Polsby–Popper up), never adding households outside the band. The
/// perimeters and areas are kept up to date move by move.
fn compact(g: &BlockGraph, assignment: &mut [usize], k: usize, band: Band, free: &[bool]) {
    let (mut area, mut perimeter) = shapes(g, assignment, k);
    let limit = 10 * g.len() + 50;
    for _ in 0..limit {
        let weights = g.weights(assignment, k);
        let mut candidates: Vec<(f64, Move)> = Vec::new();
        for m in border_moves(g, assignment, free, k, None) {
            if violation_change(g, &weights, band, m) > 0 {
                continue;
            }
            let [(aa, pa), (ab, pb)] = shapes_after(g, assignment, (&area, &perimeter), m);
            if aa <= 0.0 {
                continue;
            }
            let before = roundness_cost(area[m.from], perimeter[m.from])
                + roundness_cost(area[m.to], perimeter[m.to]);
            let after = roundness_cost(aa, pa) + roundness_cost(ab, pb);
            // A gain worth having: a thousandth of the pair's cost (no churn on rounding).
            if after < before * (1.0 - 1e-3) {
                candidates.push((after - before, m));
            }
        }
        let Some(m) = first_allowed(g, assignment, k, candidates) else {
            break;
        };
        let [(aa, pa), (ab, pb)] = shapes_after(g, assignment, (&area, &perimeter), m);
        assignment[m.block] = m.to;
        (area[m.from], perimeter[m.from]) = (aa, pa);
        (area[m.to], perimeter[m.to]) = (ab, pb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propose::graph::tests::lattice;

    #[test]
    fn a_uniform_lattice_is_cut_into_balanced_compact_pieces() {
        let g = lattice(10, 10, &[10; 100]);
        let band = Band::new(100.0, 0.2);
        let a = partition(&g, &[true; 100], 10, band, 1);
        assert!(g.contiguity(&a, 10).iter().all(|&c| c));
        for w in g.weights(&a, 10) {
            assert!((80..=120).contains(&w), "{w}");
        }
        let pp = g.polsby_popper(&a, 10);
        let mean = pp.iter().sum::<f64>() / 10.0;
        assert!(mean > 0.4, "mean Polsby–Popper {mean}");
    }

    #[test]
    fn the_same_seed_gives_the_same_partition() {
        let hh: Vec<u32> = (0..64).map(|i| (i * 7 % 13) as u32 + 3).collect();
        let g = lattice(8, 8, &hh);
        let band = Band::new(60.0, 0.2);
        let a = partition(&g, &[true; 64], 9, band, 42);
        let b = partition(&g, &[true; 64], 9, band, 42);
        assert_eq!(a, b);
    }
}
