//! Where map labels may go without overlapping those already placed. A label is tried against
//! the placed ones in the screen cells it covers, not against all of them: at a 4K village view
//! two thousand micro-grid names are tried a frame, and testing each against every placed one
//! was most of the frame.

use egui::{Pos2, Rect};

/// Cell size in points: about a label's size, so a label covers few cells.
const CELL: f32 = 64.0;

pub struct LabelPlacer {
    area: Rect,
    columns: usize,
    rows: usize,
    /// Per cell, the placed labels touching it.
    cells: Vec<Vec<Rect>>,
}

impl LabelPlacer {
    pub fn new(area: Rect) -> LabelPlacer {
        let columns = (area.width() / CELL).ceil().max(1.0) as usize;
        let rows = (area.height() / CELL).ceil().max(1.0) as usize;
        LabelPlacer {
            area,
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        }
    }

    /// The cells a rectangle touches (clamped to the area).
    fn cells_of(&self, r: Rect) -> impl Iterator<Item = usize> + '_ {
        let col = |x: f32| {
            (((x - self.area.min.x) / CELL).floor().max(0.0) as usize).min(self.columns - 1)
        };
        let row =
            |y: f32| (((y - self.area.min.y) / CELL).floor().max(0.0) as usize).min(self.rows - 1);
        let (c0, c1, r0, r1) = (col(r.min.x), col(r.max.x), row(r.min.y), row(r.max.y));
        (r0..=r1).flat_map(move |y| (c0..=c1).map(move |x| y * self.columns + x))
    }

    /// Whether a point lies on a placed label: a cheap test before laying out a label's text.
    pub fn is_taken(&self, p: Pos2) -> bool {
        self.cells_of(Rect::from_min_max(p, p))
            .any(|k| self.cells[k].iter().any(|r| r.contains(p)))
    }

    /// Places `r` if it overlaps no placed label; says whether it did.
    pub fn place(&mut self, r: Rect) -> bool {
        if self
            .cells_of(r)
            .any(|k| self.cells[k].iter().any(|q| q.intersects(r)))
        {
            return false;
        }
        let cells: Vec<usize> = self.cells_of(r).collect();
        for k in cells {
            self.cells[k].push(r);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::vec2;

    #[test]
    fn refuses_exactly_the_overlapping_labels() {
        let area = Rect::from_min_size(Pos2::ZERO, vec2(1000.0, 600.0));
        let mut placer = LabelPlacer::new(area);
        // Across a cell boundary, and one hanging off the area's edge.
        assert!(placer.place(Rect::from_min_size(
            Pos2::new(50.0, 50.0),
            vec2(100.0, 30.0)
        )));
        assert!(placer.place(Rect::from_min_size(
            Pos2::new(950.0, 590.0),
            vec2(100.0, 30.0)
        )));
        // Overlaps the first only in the cell at x 128..192.
        assert!(!placer.place(Rect::from_min_size(
            Pos2::new(140.0, 70.0),
            vec2(80.0, 20.0)
        )));
        assert!(!placer.place(Rect::from_min_size(Pos2::new(990.0, 595.0), vec2(5.0, 5.0))));
        // Touching neither.
        assert!(placer.place(Rect::from_min_size(
            Pos2::new(151.0, 50.0),
            vec2(80.0, 20.0)
        )));
        assert!(placer.is_taken(Pos2::new(100.0, 60.0)));
        assert!(!placer.is_taken(Pos2::new(100.0, 90.0)));
        // Against brute force over random labels.
        let mut placer = LabelPlacer::new(area);
        let mut placed: Vec<Rect> = Vec::new();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f32 / (1u64 << 31) as f32
        };
        for _ in 0..2000 {
            let r = Rect::from_min_size(
                Pos2::new(next() * 1100.0 - 50.0, next() * 700.0 - 50.0),
                vec2(20.0 + next() * 120.0, 10.0 + next() * 30.0),
            );
            let free = !placed.iter().any(|q| q.intersects(r));
            assert_eq!(placer.place(r), free, "{r:?}");
            if free {
                placed.push(r);
            }
        }
    }
}
