//! A two-level bounding-box scan for the map's per-frame culling. The level buffers list units
//! and outline pieces in code order, so consecutive entries lie together on the ground: one box
//! per run of [`CHUNK`] entries lets a frame skip whole runs off screen. A city holds over a
//! million micro-grid outline pieces; testing each box every frame cost more than drawing the
//! few thousand in view. An R-tree would cull as well but costs a second of bulk loading at
//! open, which this costs nothing of.

/// Entries per chunk.
const CHUNK: usize = 64;

/// [min_x, min_y, max_x, max_y].
pub type BBox = [f64; 4];

pub fn intersects(b: &BBox, view: &BBox) -> bool {
    b[0] <= view[2] && b[2] >= view[0] && b[1] <= view[3] && b[3] >= view[1]
}

fn union(a: BBox, b: &BBox) -> BBox {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

#[derive(Default)]
pub struct BoxChunks {
    chunks: Vec<BBox>,
}

impl BoxChunks {
    pub fn new(boxes: impl ExactSizeIterator<Item = BBox>) -> BoxChunks {
        let mut chunks = Vec::with_capacity(boxes.len().div_ceil(CHUNK));
        for (i, b) in boxes.enumerate() {
            if i % CHUNK == 0 {
                chunks.push(b);
            } else if let Some(last) = chunks.last_mut() {
                *last = union(*last, &b);
            }
        }
        BoxChunks { chunks }
    }

    /// The positions of the entries whose box (`box_of(i)`) meets `view`, in order.
    pub fn visit<'a>(
        &'a self,
        view: BBox,
        len: usize,
        box_of: impl Fn(usize) -> &'a BBox + 'a,
    ) -> impl Iterator<Item = usize> + 'a {
        self.chunks
            .iter()
            .enumerate()
            .filter(move |(_, c)| intersects(c, &view))
            .flat_map(move |(k, _)| k * CHUNK..((k + 1) * CHUNK).min(len))
            .filter(move |&i| intersects(box_of(i), &view))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exactly_the_boxes_a_view_meets() {
        let mut seed = 3u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let boxes: Vec<BBox> = (0..1000)
            .map(|_| {
                let (x, y) = (next(), next());
                [x, y, x + next() * 0.05, y + next() * 0.05]
            })
            .collect();
        let chunks = BoxChunks::new(boxes.iter().copied());
        for view in [
            [0.2, 0.2, 0.4, 0.3],
            [0.0, 0.0, 1.0, 1.0],
            [2.0, 2.0, 3.0, 3.0],
        ] {
            let found: Vec<usize> = chunks.visit(view, boxes.len(), |i| &boxes[i]).collect();
            let brute: Vec<usize> = (0..boxes.len())
                .filter(|&i| intersects(&boxes[i], &view))
                .collect();
            assert_eq!(found, brute);
        }
    }
}
