//! One committed boundary edit as data: the units before and after, and every household, case
//! and worker whose unit changed. Applying and reverting are exact inverses, which is what undo
//! and redo are.

use crate::model::{Dataset, Unit, UnitId};

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What the planner did, for the undo menu ("拖动顶点", "合并", …).
    pub label: String,
    /// Units changed or removed, as they were.
    pub before: Vec<Unit>,
    /// Units changed or added, as they are now.
    pub after: Vec<Unit>,
    /// (index into `Dataset::households`, unit before, unit after).
    pub households: Vec<(usize, Option<UnitId>, Option<UnitId>)>,
    pub cases: Vec<(usize, Option<UnitId>, Option<UnitId>)>,
    pub workers: Vec<(usize, UnitId, UnitId)>,
}

/// Puts `units` into `d` by id (replacing or inserting), keeping `Dataset::units` in id order.
fn put(d: &mut Dataset, units: &[Unit]) {
    for u in units {
        match d.units.binary_search_by_key(&u.id, |x| x.id) {
            Ok(i) => d.units[i] = u.clone(),
            Err(i) => d.units.insert(i, u.clone()),
        }
    }
}

fn remove(d: &mut Dataset, ids: impl Iterator<Item = UnitId>) {
    for id in ids {
        if let Ok(i) = d.units.binary_search_by_key(&id, |x| x.id) {
            d.units.remove(i);
        }
    }
}

impl Change {
    /// The ids of every unit this change touches.
    pub fn unit_ids(&self) -> Vec<UnitId> {
        let mut ids: Vec<UnitId> = self
            .before
            .iter()
            .chain(&self.after)
            .map(|u| u.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    pub fn removed(&self) -> impl Iterator<Item = UnitId> + '_ {
        self.before
            .iter()
            .map(|u| u.id)
            .filter(|id| !self.after.iter().any(|a| a.id == *id))
    }

    pub fn added(&self) -> impl Iterator<Item = UnitId> + '_ {
        self.after
            .iter()
            .map(|u| u.id)
            .filter(|id| !self.before.iter().any(|b| b.id == *id))
    }

    /// The units this change created, as they are after it.
    pub fn added_units(&self) -> impl Iterator<Item = &Unit> + '_ {
        self.after
            .iter()
            .filter(|u| !self.before.iter().any(|b| b.id == u.id))
    }

    pub fn apply(&self, d: &mut Dataset) {
        remove(d, self.removed().collect::<Vec<_>>().into_iter());
        put(d, &self.after);
        for &(h, _, to) in &self.households {
            d.households[h].unit = to;
        }
        for &(c, _, to) in &self.cases {
            d.cases[c].unit = to;
        }
        for &(w, _, to) in &self.workers {
            d.workers[w].unit = to;
        }
    }

    pub fn revert(&self, d: &mut Dataset) {
        self.inverse().apply(d);
    }

    pub fn inverse(&self) -> Change {
        Change {
            label: self.label.clone(),
            before: self.after.clone(),
            after: self.before.clone(),
            households: self.households.iter().map(|&(h, a, b)| (h, b, a)).collect(),
            cases: self.cases.iter().map(|&(c, a, b)| (c, b, a)).collect(),
            workers: self.workers.iter().map(|&(w, a, b)| (w, b, a)).collect(),
        }
    }
}
