//! The abstract problem every proposal solves: blocks (micro-grids, or the cells of single
//! households) with a household count, a place and a shape measure, joined where they share a
//! border of real length. A proposal is an assignment of blocks to regions; this file holds
//! what is measured on one (balance, contiguity, compactness) and nothing about geometry
//! files, so the solvers can be tested on random instances.

use std::collections::VecDeque;

use geo_types::Coord;

/// A border shorter than this (m) does not join two blocks: touching at a corner is not
/// being neighbours, and a region joined only through a corner is not one piece.
pub const MIN_SHARED_M: f64 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub struct BlockGraph {
    /// Households in each block.
    pub households: Vec<u32>,
    /// Persons in each block (reported, not balanced: the standard counts households first).
    pub persons: Vec<u32>,
    /// Centre of each block, in metres.
    pub centre_m: Vec<Coord<f64>>,
    pub area_m2: Vec<f64>,
    pub perimeter_m: Vec<f64>,
    /// For each block, its neighbours and the length of the shared border (m), each pair
    /// listed on both sides.
    pub neighbours: Vec<Vec<(usize, f64)>>,
}

/// The balance a proposal must reach: `target` households per region, each within
/// `[low, high]` (the target ± the tolerance, rounded inwards).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Band {
    pub target: f64,
    pub low: u32,
    pub high: u32,
}

impl Band {
    /// The band around `target` households with a relative `tolerance`, rounded inwards.
    ///
    /// ```
    /// use gridatlas::propose::Band;
    /// let band = Band::new(100.0, 0.2);
    /// assert_eq!((band.low, band.high), (80, 120));
    /// // 700 households cannot make 5 grids of 100 ± 20 %: at most 600 fit.
    /// assert!(!band.feasible(700, 5));
    /// assert_eq!(band.violation(125), 5);
    /// ```
    pub fn new(target: f64, tolerance: f64) -> Band {
        Band {
            target,
            low: (target * (1.0 - tolerance)).ceil().max(0.0) as u32,
            high: (target * (1.0 + tolerance)).floor() as u32,
        }
    }

    /// How many households `w` lies outside the band.
    pub fn violation(&self, w: i64) -> i64 {
        if w > self.high as i64 {
            w - self.high as i64
        } else if w < self.low as i64 {
            self.low as i64 - w
        } else {
            0
        }
    }

    pub fn deviation(&self, w: u32) -> f64 {
        if self.target > 0.0 {
            (w as f64 - self.target) / self.target
        } else {
            0.0
        }
    }

    /// Whether `regions` regions can all lie in the band with `total` households at all.
    pub fn feasible(&self, total: u64, regions: usize) -> bool {
        regions > 0
            && total >= self.low as u64 * regions as u64
            && total <= self.high as u64 * regions as u64
    }
}

/// Regions as lists of blocks, from an assignment block → region.
pub fn members(assignment: &[usize], regions: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); regions];
    for (b, &r) in assignment.iter().enumerate() {
        if r < regions {
            out[r].push(b);
        }
    }
    out
}

impl BlockGraph {
    pub fn len(&self) -> usize {
        self.households.len()
    }

    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
    }

    pub fn total_households(&self) -> u64 {
        self.households.iter().map(|&h| h as u64).sum()
    }

    /// Households per region.
    pub fn weights(&self, assignment: &[usize], regions: usize) -> Vec<u32> {
        let mut w = vec![0u32; regions];
        for (b, &r) in assignment.iter().enumerate() {
            if r < regions {
                w[r] += self.households[b];
            }
        }
        w
    }

    /// Whether `blocks` (all assigned to `region`) form one piece; `without` is left out.
    pub fn connected(
        &self,
        assignment: &[usize],
        region: usize,
        start: usize,
        without: Option<usize>,
        size: usize,
    ) -> bool {
        if size == 0 {
            return true;
        }
        let mut seen = vec![false; self.len()];
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        let mut reached = 1;
        while let Some(b) = queue.pop_front() {
            for &(n, _) in &self.neighbours[b] {
                if !seen[n] && assignment[n] == region && Some(n) != without {
                    seen[n] = true;
                    reached += 1;
                    queue.push_back(n);
                }
            }
        }
        reached == size
    }

    /// Whether the region stays one piece when `block` leaves it.
    pub fn stays_connected_without(
        &self,
        assignment: &[usize],
        members: &[usize],
        block: usize,
    ) -> bool {
        let rest = members.len() - 1;
        let Some(&start) = members.iter().find(|&&b| b != block) else {
            return false; // the region would be empty
        };
        // A block with a single neighbour of its own region is a leaf: always removable.
        let own = self.neighbours[block]
            .iter()
            .filter(|&&(n, _)| assignment[n] == assignment[block])
            .count();
        own <= 1 || self.connected(assignment, assignment[block], start, Some(block), rest)
    }

    /// Border shared between `block` and the blocks of `region`.
    pub fn shared_with(&self, assignment: &[usize], block: usize, region: usize) -> f64 {
        self.neighbours[block]
            .iter()
            .filter(|&&(n, _)| assignment[n] == region)
            .map(|&(_, l)| l)
            .sum()
    }

    /// Compactness of each region, Polsby–Popper (4πA / P², 1 for a disc): its area is the
    /// sum of its blocks' areas, its perimeter their perimeters less twice every border two
    /// of its blocks share.
    pub fn polsby_popper(&self, assignment: &[usize], regions: usize) -> Vec<f64> {
        let mut area = vec![0.0; regions];
        let mut perimeter = vec![0.0; regions];
        for (b, &r) in assignment.iter().enumerate() {
            if r >= regions {
                continue;
            }
            area[r] += self.area_m2[b];
            perimeter[r] += self.perimeter_m[b];
            for &(n, l) in &self.neighbours[b] {
                if assignment[n] == r {
                    // Each shared border is seen from both sides: subtract it once per side.
                    perimeter[r] -= l;
                }
            }
        }
        area.iter()
            .zip(&perimeter)
            .map(|(&a, &p)| {
                if p > 0.0 {
                    (4.0 * std::f64::consts::PI * a / (p * p)).min(1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Whether each region is one piece.
    pub fn contiguity(&self, assignment: &[usize], regions: usize) -> Vec<bool> {
        members(assignment, regions)
            .iter()
            .enumerate()
            .map(|(r, m)| {
                m.first()
                    .is_none_or(|&s| self.connected(assignment, r, s, None, m.len()))
            })
            .collect()
    }

    /// Connected pieces of the graph restricted to `keep` blocks, each a list of blocks.
    pub fn components(&self, keep: &[bool]) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.len()];
        let mut out = Vec::new();
        for s in 0..self.len() {
            if seen[s] || !keep[s] {
                continue;
            }
            seen[s] = true;
            let mut piece = vec![s];
            let mut queue = VecDeque::from([s]);
            while let Some(b) = queue.pop_front() {
                for &(n, _) in &self.neighbours[b] {
                    if !seen[n] && keep[n] {
                        seen[n] = true;
                        piece.push(n);
                        queue.push_back(n);
                    }
                }
            }
            out.push(piece);
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `w`×`h` lattice of unit squares (100 m side) with the given households, row by row.
    pub fn lattice(w: usize, h: usize, households: &[u32]) -> BlockGraph {
        let n = w * h;
        let mut neighbours = vec![Vec::new(); n];
        for y in 0..h {
            for x in 0..w {
                let b = y * w + x;
                if x + 1 < w {
                    neighbours[b].push((b + 1, 100.0));
                    neighbours[b + 1].push((b, 100.0));
                }
                if y + 1 < h {
                    neighbours[b].push((b + w, 100.0));
                    neighbours[b + w].push((b, 100.0));
                }
            }
        }
        BlockGraph {
            households: households.to_vec(),
            persons: households.iter().map(|h| h * 3).collect(),
            centre_m: (0..n)
                .map(|b| Coord {
                    x: (b % w) as f64 * 100.0 + 50.0,
                    y: (b / w) as f64 * 100.0 + 50.0,
                })
                .collect(),
            area_m2: vec![10_000.0; n],
            perimeter_m: vec![400.0; n],
            neighbours,
        }
    }

    #[test]
    fn a_square_of_four_blocks_is_as_compact_as_a_square() {
        let g = lattice(2, 2, &[1, 1, 1, 1]);
        let pp = g.polsby_popper(&[0, 0, 0, 0], 1);
        assert!((pp[0] - std::f64::consts::PI / 4.0).abs() < 1e-9);
        let strip = lattice(4, 1, &[1, 1, 1, 1]);
        assert!(strip.polsby_popper(&[0, 0, 0, 0], 1)[0] < pp[0]);
    }

    #[test]
    fn contiguity_sees_a_region_in_two_pieces() {
        let g = lattice(3, 1, &[1, 1, 1]);
        assert_eq!(g.contiguity(&[0, 1, 0], 2), vec![false, true]);
        assert!(!g.stays_connected_without(&[0, 0, 0], &[0, 1, 2], 1));
        assert!(g.stays_connected_without(&[0, 0, 0], &[0, 1, 2], 2));
    }

    #[test]
    fn the_band_rounds_inwards_and_knows_infeasible_totals() {
        let b = Band::new(100.0, 0.2);
        assert_eq!((b.low, b.high), (80, 120));
        assert!(!b.feasible(700, 5));
        assert!(b.feasible(500, 5));
        assert_eq!(b.violation(130), 10);
        assert_eq!(b.violation(70), 10);
    }
}
