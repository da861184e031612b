//! A static set of points bucketed in a uniform grid of square cells: the household index.
//!
//! A document's households change only by a reload (`ledger::apply` asks for one), so their
//! index is built once and laid out for reading rather than for inserting:
//! - cells are in row-major order and the points of a cell are stored together, so the points
//!   in a box are one contiguous run of memory per row of cells, and only the edge cells' points
//!   need testing against the box;
//! - within a cell, points are in the order of a hash of their index ([`sample_key`]), so every
//!   prefix of a cell is an even sample of it. When a view holds more households than the map
//!   draws, [`PointGrid::for_each_sampled_in_box`] takes from each cell only the points whose key
//!   is under a threshold and stops there: a frame walks what it draws, not all that is in view.
//!   The same points are kept for the same threshold whatever the view, so a pan keeps the dots.
//!
//! Written here rather than taken from a crate: it replaced an `rstar` tree whose walk over the
//! 100,000 households of a dense 4K city view (node to node, a test per point, then a thinning
//! that threw most away) was the largest part of that frame, and whose bulk load over a city's
//! 4.2 million households took more than a second of the open. No crate we have offers a static
//! layout with sampling.

use rayon::prelude::*;

use crate::model::TagSet;

/// Mean points per cell over the points' extent. Households cluster, so occupied cells hold
/// more; measured on the city, 8 keeps both the cells a 4K view touches (a few thousand) and
/// the points an edge cell tests (a few dozen) small.
const POINTS_PER_CELL: f64 = 8.0;

/// One point: where it is (local metres), its index in the document, and the tags the map
/// colours its dot by (kept beside the point: read from the household it is a cache miss).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GridPoint {
    pub at: [f64; 2],
    pub index: u32,
    pub tags: TagSet,
}

/// The hash that orders a cell's points: Fibonacci hashing, whose top bits spread consecutive
/// indices (a micro-grid's households are consecutive) evenly over the range.
pub fn sample_key(index: u32) -> u32 {
    ((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// The key bound under which about one point in `step` falls (every point for `step` ≤ 1).
fn key_bound(step: usize) -> u64 {
    (1u64 << 32) / step.max(1) as u64
}

pub struct PointGrid {
    origin: [f64; 2],
    /// Side of a cell, metres.
    cell: f64,
    nx: usize,
    ny: usize,
    /// The points of cell `c` (row-major) are `points[cell_start[c]..cell_start[c + 1]]`.
    cell_start: Vec<u32>,
    points: Vec<GridPoint>,
}

/// An inclusive range of cell columns and rows.
struct CellRange {
    x: (usize, usize),
    y: (usize, usize),
}

impl PointGrid {
    pub fn new(points: Vec<GridPoint>) -> PointGrid {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &points {
            for k in 0..2 {
                lo[k] = lo[k].min(p.at[k]);
                hi[k] = hi[k].max(p.at[k]);
            }
        }
        if points.is_empty() {
            (lo, hi) = ([0.0; 2], [0.0; 2]);
        }
        let (w, h) = (hi[0] - lo[0], hi[1] - lo[1]);
        let cell = (w * h * POINTS_PER_CELL / points.len().max(1) as f64)
            .sqrt()
            .max(w.max(h) / 4096.0)
            .max(1.0);
        let nx = (w / cell).floor() as usize + 1;
        let ny = (h / cell).floor() as usize + 1;
        let mut grid = PointGrid {
            origin: lo,
            cell,
            nx,
            ny,
            cell_start: Vec::new(),
            points: Vec::new(),
        };
        let cells: Vec<u32> = points
            .par_iter()
            .map(|p| grid.cell_of(p.at) as u32)
            .collect();
        // A counting sort into cells, then each cell ordered by its points' sample keys.
        let mut start = vec![0u32; nx * ny + 1];
        for &c in &cells {
            start[c as usize + 1] += 1;
        }
        for c in 0..nx * ny {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut sorted = vec![GridPoint::default(); points.len()];
        for (p, &c) in points.iter().zip(&cells) {
            sorted[next[c as usize] as usize] = *p;
            next[c as usize] += 1;
        }
        drop((points, cells, next));
        let mut slices = Vec::new();
        let mut rest = sorted.as_mut_slice();
        for c in 0..nx * ny {
            let (head, tail) = rest.split_at_mut((start[c + 1] - start[c]) as usize);
            if head.len() > 1 {
                slices.push(head);
            }
            rest = tail;
        }
        slices
            .into_par_iter()
            .for_each(|s| s.sort_unstable_by_key(|p| (sample_key(p.index), p.index)));
        grid.cell_start = start;
        grid.points = sorted;
        grid
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.points.len()
    }

    /// The cell column (or row) of coordinate `v` along axis `k`, unclamped.
    fn cell_coord(&self, v: f64, k: usize) -> i64 {
        ((v - self.origin[k]) / self.cell).floor() as i64
    }

    fn cell_of(&self, at: [f64; 2]) -> usize {
        let cx = self.cell_coord(at[0], 0).clamp(0, self.nx as i64 - 1) as usize;
        let cy = self.cell_coord(at[1], 1).clamp(0, self.ny as i64 - 1) as usize;
        cy * self.nx + cx
    }

    /// The cells the box `[min, max]` touches, or none when it misses the grid.
    fn cells_in(&self, min: [f64; 2], max: [f64; 2]) -> Option<CellRange> {
        let mut range = [(0, 0); 2];
        for (k, n) in [(0, self.nx), (1, self.ny)] {
            let (a, b) = (self.cell_coord(min[k], k), self.cell_coord(max[k], k));
            if b < 0 || a >= n as i64 || a > b || min[k].is_nan() || max[k].is_nan() {
                return None;
            }
            range[k] = (a.max(0) as usize, b.min(n as i64 - 1) as usize);
        }
        Some(CellRange {
            x: range[0],
            y: range[1],
        })
    }

    fn cell_points(&self, c: usize) -> &[GridPoint] {
        &self.points[self.cell_start[c] as usize..self.cell_start[c + 1] as usize]
    }

    /// Every point in the box `[min, max]` (edges included), each once, in no particular order.
    pub fn for_each_in_box(&self, min: [f64; 2], max: [f64; 2], mut f: impl FnMut(&GridPoint)) {
        let Some(r) = self.cells_in(min, max) else {
            return;
        };
        let inside = |p: &GridPoint| {
            p.at[0] >= min[0] && p.at[0] <= max[0] && p.at[1] >= min[1] && p.at[1] <= max[1]
        };
        for cy in r.y.0..=r.y.1 {
            let row = cy * self.nx;
            let run = &self.points
                [self.cell_start[row + r.x.0] as usize..self.cell_start[row + r.x.1 + 1] as usize];
            // Only a row or column at the box's edge can hold points outside it; a run of
            // interior cells would need no test, but the test is cheaper than telling them apart.
            for p in run.iter().filter(|p| inside(p)) {
                f(p);
            }
        }
    }

    /// How many points the cells the box touches hold: at least those in the box, and more
    /// only by the edge cells' points outside it. One subtraction per row of cells.
    pub fn count_in_cells_of_box(&self, min: [f64; 2], max: [f64; 2]) -> usize {
        let Some(r) = self.cells_in(min, max) else {
            return 0;
        };
        (r.y.0..=r.y.1)
            .map(|cy| {
                let row = cy * self.nx;
                (self.cell_start[row + r.x.1 + 1] - self.cell_start[row + r.x.0]) as usize
            })
            .sum()
    }

    /// About one in `step` of the points in the box: those whose [`sample_key`] is under
    /// 2³²/`step`. Each cell's points are in key order, so the walk stops in each cell at the
    /// first point over the bound: it costs what it visits. The same points for the same step,
    /// whatever the box.
    pub fn for_each_sampled_in_box(
        &self,
        min: [f64; 2],
        max: [f64; 2],
        step: usize,
        mut f: impl FnMut(&GridPoint),
    ) {
        if step <= 1 {
            return self.for_each_in_box(min, max, f);
        }
        let Some(r) = self.cells_in(min, max) else {
            return;
        };
        let bound = key_bound(step);
        for cy in r.y.0..=r.y.1 {
            let edge_row = cy == r.y.0 || cy == r.y.1;
            for cx in r.x.0..=r.x.1 {
                let edge = edge_row || cx == r.x.0 || cx == r.x.1;
                for p in self.cell_points(cy * self.nx + cx) {
                    if u64::from(sample_key(p.index)) >= bound {
                        break;
                    }
                    if !edge
                        || (p.at[0] >= min[0]
                            && p.at[0] <= max[0]
                            && p.at[1] >= min[1]
                            && p.at[1] <= max[1])
                    {
                        f(p);
                    }
                }
            }
        }
    }

    /// The `n` points nearest to `p`, nearest first (ties by index), with their distance. Rings
    /// of cells outwards from `p`'s cell until the ring cannot hold anything nearer than the
    /// `n`-th found: every point of ring `r + 1` is at least `r` cells away from `p`.
    pub fn nearest(&self, p: [f64; 2], n: usize) -> Vec<(u32, f64)> {
        let mut best: Vec<(f64, u32)> = Vec::new();
        if n == 0 || self.points.is_empty() {
            return Vec::new();
        }
        let (cx, cy) = (self.cell_coord(p[0], 0), self.cell_coord(p[1], 1));
        let (nx, ny) = (self.nx as i64, self.ny as i64);
        // The first ring that reaches the grid, and the last that can.
        let first = [-cx, cx - (nx - 1), -cy, cy - (ny - 1), 0]
            .into_iter()
            .max()
            .unwrap_or(0);
        let last = [cx, nx - 1 - cx, cy, ny - 1 - cy]
            .into_iter()
            .map(i64::abs)
            .max()
            .unwrap_or(0)
            .max(first);
        let consider = |c: usize, best: &mut Vec<(f64, u32)>| {
            for q in self.cell_points(c) {
                let d2 = (q.at[0] - p[0]).powi(2) + (q.at[1] - p[1]).powi(2);
                if best.len() < n || (d2, q.index) < best[n - 1] {
                    let at = best.partition_point(|b| *b < (d2, q.index));
                    best.insert(at, (d2, q.index));
                    best.truncate(n);
                }
            }
        };
        for r in first..=last {
            for y in (cy - r).max(0)..=(cy + r).min(ny - 1) {
                let row = y as usize * self.nx;
                if y == cy - r || y == cy + r {
                    for x in (cx - r).max(0)..=(cx + r).min(nx - 1) {
                        consider(row + x as usize, &mut best);
                    }
                } else {
                    for x in [cx - r, cx + r] {
                        if (0..nx).contains(&x) {
                            consider(row + x as usize, &mut best);
                        }
                    }
                }
            }
            let reach = r as f64 * self.cell;
            if best.len() == n && best[n - 1].0 <= reach * reach {
                break;
            }
        }
        best.into_iter().map(|(d2, i)| (i, d2.sqrt())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clustered points (villages of households) plus a scatter, from a fixed seed.
    fn points(n: usize, seed: u64) -> Vec<GridPoint> {
        let mut s = seed;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let centres: Vec<[f64; 2]> = (0..20)
            .map(|_| [next() * 20_000.0 - 10_000.0, next() * 12_000.0 - 6_000.0])
            .collect();
        (0..n)
            .map(|i| {
                let at = if i % 5 == 0 {
                    [next() * 20_000.0 - 10_000.0, next() * 12_000.0 - 6_000.0]
                } else {
                    let c = centres[i % centres.len()];
                    [c[0] + next() * 600.0 - 300.0, c[1] + next() * 600.0 - 300.0]
                };
                GridPoint {
                    at,
                    index: i as u32,
                    tags: TagSet::empty(),
                }
            })
            .collect()
    }

    fn in_box(p: &GridPoint, min: [f64; 2], max: [f64; 2]) -> bool {
        (0..2).all(|k| p.at[k] >= min[k] && p.at[k] <= max[k])
    }

    const BOXES: [([f64; 2], [f64; 2]); 5] = [
        ([-2_000.0, -1_000.0], [3_000.0, 2_500.0]),
        ([-50_000.0, -50_000.0], [50_000.0, 50_000.0]),
        ([9_000.0, 5_000.0], [9_500.0, 5_200.0]),
        ([20_000.0, 0.0], [30_000.0, 1.0]),
        ([-1.0, -1.0], [-1.0, -1.0]),
    ];

    #[test]
    fn a_box_holds_exactly_the_points_brute_force_finds() {
        let all = points(30_000, 7);
        let grid = PointGrid::new(all.clone());
        assert_eq!(grid.len(), all.len());
        for (min, max) in BOXES {
            let mut got = Vec::new();
            grid.for_each_in_box(min, max, |p| got.push(p.index));
            got.sort_unstable();
            let want: Vec<u32> = all
                .iter()
                .filter(|p| in_box(p, min, max))
                .map(|p| p.index)
                .collect();
            assert_eq!(got, want, "box {min:?}–{max:?}");
            assert!(grid.count_in_cells_of_box(min, max) >= want.len());
        }
    }

    #[test]
    fn a_sample_is_the_points_under_the_key_bound_and_about_one_in_step() {
        let all = points(30_000, 11);
        let grid = PointGrid::new(all.clone());
        for step in [2, 3, 7] {
            for (min, max) in BOXES {
                let mut got = Vec::new();
                grid.for_each_sampled_in_box(min, max, step, |p| got.push(p.index));
                got.sort_unstable();
                let want: Vec<u32> = all
                    .iter()
                    .filter(|p| in_box(p, min, max))
                    .filter(|p| u64::from(sample_key(p.index)) < key_bound(step))
                    .map(|p| p.index)
                    .collect();
                assert_eq!(got, want, "step {step}, box {min:?}–{max:?}");
            }
        }
        let (min, max) = BOXES[1];
        let mut kept = 0;
        grid.for_each_sampled_in_box(min, max, 4, |_| kept += 1);
        assert!((6_900..8_100).contains(&kept), "{kept} of 30,000 at step 4");
    }

    #[test]
    fn nearest_agrees_with_brute_force_inside_and_outside_the_grid() {
        let all = points(5_000, 3);
        let grid = PointGrid::new(all.clone());
        for p in [
            [0.0, 0.0],
            [123.0, -456.0],
            [9_999.0, 5_999.0],
            [80_000.0, -70_000.0],
            [-10_000.0, 0.0],
        ] {
            let mut want: Vec<(f64, u32)> = all
                .iter()
                .map(|q| ((q.at[0] - p[0]).powi(2) + (q.at[1] - p[1]).powi(2), q.index))
                .collect();
            want.sort_by(|a, b| a.partial_cmp(b).unwrap());
            for n in [1, 5] {
                let got: Vec<u32> = grid.nearest(p, n).into_iter().map(|(i, _)| i).collect();
                let want: Vec<u32> = want.iter().take(n).map(|w| w.1).collect();
                assert_eq!(got, want, "{n} nearest to {p:?}");
            }
        }
    }

    #[test]
    fn an_empty_or_single_point_grid_answers_sensibly() {
        let empty = PointGrid::new(Vec::new());
        assert!(empty.nearest([0.0, 0.0], 1).is_empty());
        empty.for_each_in_box([-1.0; 2], [1.0; 2], |_| panic!("no points"));
        let one = PointGrid::new(vec![GridPoint {
            at: [5.0, 5.0],
            index: 0,
            tags: TagSet::empty(),
        }]);
        assert_eq!(one.nearest([0.0, 0.0], 3), vec![(0, 50f64.sqrt())]);
        let mut n = 0;
        one.for_each_in_box([5.0; 2], [5.0; 2], |_| n += 1);
        assert_eq!(n, 1);
    }
}
