//! The editing session: a drag in progress, and the undo and redo stacks of committed edits.
//! Every edit — a drag, a split, a merge, a paint — ends in [`Editor::commit`], which
//! re-derives the households' and cases' micro-grids, checks the invariants and either keeps
//! the edit as one undo step or puts everything back and says why.

use geo::BoundingRect;
use geo_types::Coord;

use crate::edit::{Change, Grab, GrabError, Refusal, check_units};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, Unit, UnitId};
use crate::stats::{Move, reassign_cases_region, reassign_region};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Grab(#[from] GrabError),
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("no drag in progress")]
    NoDrag,
}

struct Drag {
    grab: Grab,
    before: Vec<Unit>,
    /// Envelopes of the affected units before the drag.
    boxes: Vec<[f64; 4]>,
    ids: Vec<UnitId>,
}

pub struct Editor {
    /// The level being edited.
    pub level: Level,
    undo: Vec<Change>,
    redo: Vec<Change>,
    drag: Option<Drag>,
}

fn envelope(u: &Unit) -> Option<[f64; 4]> {
    u.geometry
        .bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

impl Default for Editor {
    fn default() -> Self {
        Editor {
            level: Level::Grid,
            undo: Vec::new(),
            redo: Vec::new(),
            drag: None,
        }
    }
}

impl Editor {
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|c| c.label.as_str())
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|c| c.label.as_str())
    }

    pub(crate) fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Drops the newest redo step (after an undo made only to roll back a failed write).
    pub fn forget_redo(&mut self) {
        self.redo.pop();
    }

    /// The committed edits, oldest first (an open plan's steps).
    pub fn changes(&self) -> &[Change] {
        &self.undo
    }

    /// Starts from edits already applied to the dataset (a plan's stored steps).
    pub fn load(&mut self, changes: Vec<Change>) {
        self.undo = changes;
        self.redo.clear();
        self.drag = None;
    }

    /// Takes every committed edit back out of the dataset (closing a plan) and forgets them.
    pub fn revert_all(&mut self, d: &mut Dataset, index: &mut SpatialIndex) {
        if let Some(drag) = self.drag.take() {
            drag.grab.cancel(d);
        }
        while let Some(c) = self.undo.pop() {
            c.revert(d);
        }
        self.redo.clear();
        index.rebuild_units(d);
    }

    /// Forgets the edits, keeping the dataset as it is (a plan was approved).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.drag = None;
    }

    pub fn last_change(&self) -> Option<&Change> {
        self.undo.last()
    }

    pub fn is_dragging(&self) -> bool {
        self.drag.is_some()
    }

    /// The ids of the units the drag in progress moves.
    pub fn dragged_units(&self) -> &[UnitId] {
        self.drag.as_ref().map_or(&[], |g| g.ids.as_slice())
    }

    /// Grabs the vertices at `points` (vertices of units of the edited level).
    pub fn begin_drag(
        &mut self,
        d: &Dataset,
        index: &SpatialIndex,
        points: &[Coord<f64>],
    ) -> Result<(), EditError> {
        let grab = Grab::new(d, index, self.level, points)?;
        let before: Vec<Unit> = grab
            .originals
            .iter()
            .map(|(u, _)| d.units[*u].clone())
            .collect();
        self.drag = Some(Drag {
            ids: before.iter().map(|u| u.id).collect(),
            boxes: before.iter().filter_map(envelope).collect(),
            before,
            grab,
        });
        Ok(())
    }

    /// Moves the grabbed vertices; returns the households whose micro-grid would change (the
    /// live balance), computed against the outlines as they are now.
    pub fn drag_to(
        &mut self,
        d: &mut Dataset,
        index: &SpatialIndex,
        to: &[Coord<f64>],
    ) -> Result<Vec<Move>, EditError> {
        let drag = self.drag.as_mut().ok_or(EditError::NoDrag)?;
        drag.grab.move_to(d, to);
        for (u, _) in &drag.grab.originals {
            if let Some(b) = envelope(&d.units[*u]) {
                drag.boxes.push(b);
            }
        }
        // Keep the list short: one box covering everything seen so far.
        let all = drag
            .boxes
            .iter()
            .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            });
        drag.boxes = vec![all];
        Ok(reassign_region(d, index, &drag.ids, &drag.boxes))
    }

    /// Puts the dragged outlines back.
    pub fn cancel_drag(&mut self, d: &mut Dataset) {
        if let Some(drag) = self.drag.take() {
            drag.grab.cancel(d);
        }
    }

    /// Ends the drag as one committed edit (or refuses it and puts it back).
    pub fn end_drag(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
    ) -> Result<&Change, EditError> {
        let drag = self.drag.take().ok_or(EditError::NoDrag)?;
        if let Err(e) = self.commit(
            d,
            index,
            "拖动顶点",
            drag.before.clone(),
            Vec::new(),
            &drag.boxes,
        ) {
            drag.grab.cancel(d);
            index.rebuild_units(d);
            return Err(e.into());
        }
        Ok(self.undo.last().expect("just committed"))
    }

    /// Commits the units now in `d`: `before` holds every changed or removed unit as it was
    /// (added units are those in `d` not in `before` that the caller lists in `added`...). The
    /// households and cases near the changed units are re-located; the invariants are
    /// checked; on a refusal `d` is restored and the refusal returned.
    pub fn commit(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        label: &str,
        before: Vec<Unit>,
        added: Vec<UnitId>,
        old_boxes: &[[f64; 4]],
    ) -> Result<&Change, Refusal> {
        let mut ids: Vec<UnitId> = before.iter().map(|u| u.id).chain(added).collect();
        ids.sort_unstable();
        ids.dedup();
        let after: Vec<Unit> = ids
            .iter()
            .filter_map(|id| {
                d.units
                    .binary_search_by_key(id, |u| u.id)
                    .ok()
                    .map(|i| d.units[i].clone())
            })
            .collect();
        let mut change = Change {
            label: label.to_owned(),
            before,
            after,
            households: Vec::new(),
            cases: Vec::new(),
            workers: Vec::new(),
        };
        // Workers of a removed unit go to the unit that now covers its place.
        let removed: Vec<UnitId> = change.removed().collect();
        index.rebuild_units(d);
        let mut boxes: Vec<[f64; 4]> = old_boxes.to_vec();
        boxes.extend(change.before.iter().filter_map(envelope));
        let households = reassign_region(d, index, &ids, &boxes);
        let cases = reassign_cases_region(d, index, &ids, &boxes);
        let refuse = |d: &mut Dataset, index: &mut SpatialIndex, change: &Change, r: Refusal| {
            // Put the units back as they were.
            let undo = Change {
                households: Vec::new(),
                cases: Vec::new(),
                workers: Vec::new(),
                ..change.clone()
            };
            undo.revert(d);
            index.rebuild_units(d);
            Err(r)
        };
        if let Some(m) = households.iter().find(|m| m.to.is_none()) {
            let h = &d.households[m.household];
            let mut r = Refusal::new(
                crate::check::Rule::HouseholdInOneMicroGrid,
                m.from,
                format!("household {} would be outside every micro-grid", h.code),
            );
            r.at = Some(h.location.0);
            return refuse(d, index, &change, r);
        }
        if let Err(r) = check_units(d, &ids) {
            return refuse(d, index, &change, r);
        }
        for (w, worker) in d.workers.iter().enumerate() {
            if removed.contains(&worker.unit) {
                let place = change
                    .before
                    .iter()
                    .find(|u| u.id == worker.unit)
                    .and_then(|u| u.geometry.0.first())
                    .and_then(geo::InteriorPoint::interior_point)
                    .map(|p| p.0);
                let level = change
                    .before
                    .iter()
                    .find(|u| u.id == worker.unit)
                    .map(|u| u.level);
                let to = place.zip(level).and_then(|(p, l)| index.unit_at(d, l, p));
                if let Some(to) = to {
                    change.workers.push((w, worker.unit, d.units[to].id));
                }
            }
        }
        change.households = households
            .iter()
            .map(|m| (m.household, m.from, m.to))
            .collect();
        change.cases = cases.iter().map(|m| (m.household, m.from, m.to)).collect();
        for &(h, _, to) in &change.households {
            d.households[h].unit = to;
        }
        for &(c, _, to) in &change.cases {
            d.cases[c].unit = to;
        }
        for &(w, _, to) in &change.workers {
            d.workers[w].unit = to;
        }
        self.undo.push(change);
        self.redo.clear();
        Ok(self.undo.last().expect("just pushed"))
    }

    /// Undoes the last committed edit; returns it as applied (the inverse), for the file.
    pub fn undo(&mut self, d: &mut Dataset, index: &mut SpatialIndex) -> Option<Change> {
        let change = self.undo.pop()?;
        let inverse = change.inverse();
        inverse.apply(d);
        index.rebuild_units(d);
        self.redo.push(change);
        Some(inverse)
    }

    /// The change `redo` would apply next.
    pub fn next_redo(&self) -> Option<&Change> {
        self.redo.last()
    }

    /// Forgets the last committed change whose effect the caller has already taken out of the
    /// dataset (its write to the file failed).
    pub fn discard_last(&mut self) {
        self.undo.pop();
    }

    pub fn redo(&mut self, d: &mut Dataset, index: &mut SpatialIndex) -> Option<Change> {
        let change = self.redo.pop()?;
        change.apply(d);
        index.rebuild_units(d);
        self.undo.push(change.clone());
        Some(change)
    }
}
