//! Inserting and deleting vertices of a level's outlines. An inserted vertex goes into every
//! ring (any level) whose edge passes through it, so shared edges stay shared. Deleting a vertex
//! of a shared edge first moves it onto the straight line between its neighbours (carrying the
//! finer vertices on its edges, as a drag does), then removes it from the level's rings: the
//! finer units keep it as a corner on the now straight edge.

use geo_types::Coord;

use crate::edit::grab::{occurrences, on_segment, rings};
use crate::edit::{Change, EditError, Editor, Grab, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level};

impl Editor {
    /// Inserts a vertex at `at`, a point on an edge of the edited level.
    pub fn insert_vertex(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        at: Coord<f64>,
    ) -> Result<&Change, EditError> {
        let eps = 1e-9;
        let (min, max) = (
            Coord {
                x: at.x - eps,
                y: at.y - eps,
            },
            Coord {
                x: at.x + eps,
                y: at.y + eps,
            },
        );
        // (unit slot, polygon, ring, insert position)
        let mut inserts: Vec<(usize, usize, usize, usize)> = Vec::new();
        for level in Level::ALL {
            for u in index.units_in_box(level, min, max) {
                for (pi, poly) in d.units[u].geometry.0.iter().enumerate() {
                    for (ri, ring) in rings(poly).enumerate() {
                        for (k, w) in ring.0.windows(2).enumerate() {
                            if on_segment(w[0], w[1], at).is_some() {
                                inserts.push((u, pi, ri, k + 1));
                            }
                        }
                    }
                }
            }
        }
        if !inserts
            .iter()
            .any(|&(u, ..)| d.units[u].level == self.level)
        {
            return Err(Refusal::new(
                crate::check::Rule::InsertVertex,
                None,
                format!("no edge of a {} there", self.level.name_en()),
            )
            .into());
        }
        let mut slots: Vec<usize> = inserts.iter().map(|i| i.0).collect();
        slots.sort_unstable();
        slots.dedup();
        let before: Vec<_> = slots.iter().map(|&u| d.units[u].clone()).collect();
        // Later positions first, so earlier ones stay valid.
        inserts.sort_by(|a, b| b.cmp(a));
        for (u, pi, ri, k) in inserts {
            let p = &mut d.units[u].geometry.0[pi];
            if ri == 0 {
                p.exterior_mut(|r| r.0.insert(k, at));
            } else {
                p.interiors_mut(|rs| rs[ri - 1].0.insert(k, at));
            }
        }
        Ok(self.commit(d, index, "插入顶点", before, Vec::new(), &[])?)
    }

    /// Deletes the vertex at `p` from the rings of the edited level.
    pub fn delete_vertex(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        p: Coord<f64>,
    ) -> Result<&Change, EditError> {
        let level = self.level;
        let found = occurrences(d, index, p);
        let own: Vec<(usize, usize, usize, usize)> = found
            .iter()
            .copied()
            .filter(|&(u, ..)| d.units[u].level == level)
            .collect();
        let mut users: Vec<usize> = own.iter().map(|o| o.0).collect();
        users.sort_unstable();
        users.dedup();
        if users.len() > 2 {
            return Err(Refusal::new(
                crate::check::Rule::DeleteVertex,
                Some(d.units[users[0]].id),
                format!(
                    "{} {}s meet at this vertex: it is a junction and cannot be removed",
                    users.len(),
                    level.name_en()
                ),
            )
            .into());
        }
        // Its neighbours in the first ring that uses it.
        let &(u, pi, ri, vi) = own.first().ok_or_else(|| {
            Refusal::new(
                crate::check::Rule::DeleteVertex,
                None,
                "no vertex of that level there",
            )
        })?;
        let ring: Vec<Coord<f64>> = rings(&d.units[u].geometry.0[pi])
            .nth(ri)
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let n = ring.len();
        if n <= 4 {
            return Err(Refusal::new(
                crate::check::Rule::DeleteVertex,
                Some(d.units[u].id),
                "a ring needs at least three corners",
            )
            .into());
        }
        let prev = ring[if vi == 0 { n - 2 } else { vi - 1 }];
        let next = ring[if vi == n - 1 { 1 } else { vi + 1 }];
        // Onto the straight line prev → next, carrying what lies on its edges.
        let (dx, dy) = (next.x - prev.x, next.y - prev.y);
        let t =
            (((p.x - prev.x) * dx + (p.y - prev.y) * dy) / (dx * dx + dy * dy)).clamp(0.05, 0.95);
        let onto = Coord {
            x: prev.x + t * dx,
            y: prev.y + t * dy,
        };
        let grab = Grab::new(d, index, level, &[p])?;
        let before: Vec<_> = grab
            .originals
            .iter()
            .map(|(s, _)| d.units[*s].clone())
            .collect();
        grab.move_to(d, &[onto]);
        // Remove it from the level's rings (both closing positions when it starts a ring).
        for &(s, _, _, _) in own.iter() {
            let g = &mut d.units[s].geometry;
            for poly in g.0.iter_mut() {
                let strip = |r: &mut geo_types::LineString<f64>| {
                    let closed_at_it = r.0.first() == Some(&onto);
                    r.0.retain(|c| *c != onto);
                    if closed_at_it && let Some(&first) = r.0.first() {
                        r.0.push(first);
                    }
                };
                poly.exterior_mut(strip);
                poly.interiors_mut(|rs| rs.iter_mut().for_each(strip));
            }
        }
        let label = "删除顶点";
        match self.commit(d, index, label, before, Vec::new(), &[]) {
            Ok(c) => Ok(c),
            Err(r) => Err(r.into()),
        }
    }
}
