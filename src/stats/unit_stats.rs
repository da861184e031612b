use std::collections::HashMap;

use crate::model::{Dataset, Household, Tag, Timestamp, UnitId};

/// What one unit (with its whole subtree) holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitTotals {
    pub households: u32,
    pub persons: u32,
    /// Households per tag, indexed by `Tag as usize`.
    pub tags: [u32; Tag::ALL.len()],
    pub open_cases: u32,
    /// Open past their deadline at the statistics' `as_of`.
    pub overdue_cases: u32,
    /// Workers at their post in the unit and its subtree.
    pub workers: u32,
}

impl UnitTotals {
    pub fn tag(&self, tag: Tag) -> u32 {
        self.tags[tag as usize]
    }

    fn add_household(&mut self, h: &Household, sign: i64) {
        let apply = |v: &mut u32, by: i64| *v = (*v as i64 + by).max(0) as u32;
        apply(&mut self.households, sign);
        apply(&mut self.persons, sign * h.members as i64);
        for tag in h.tags.iter() {
            apply(&mut self.tags[tag as usize], sign);
        }
    }
}

/// Totals for every unit, kept current by [`Stats::move_household`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    slot: HashMap<UnitId, usize>,
    parent: Vec<Option<usize>>,
    totals: Vec<UnitTotals>,
    pub as_of: Timestamp,
}

impl Stats {
    /// Full computation: O(units + households + cases).
    pub fn compute(d: &Dataset, as_of: Timestamp) -> Stats {
        let slot: HashMap<UnitId, usize> =
            d.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let parent: Vec<Option<usize>> = d
            .units
            .iter()
            .map(|u| u.parent.and_then(|p| slot.get(&p).copied()))
            .collect();
        let mut own = vec![UnitTotals::default(); d.units.len()];
        for h in &d.households {
            if let Some(&s) = h.unit.and_then(|u| slot.get(&u)) {
                own[s].add_household(h, 1);
            }
        }
        for c in &d.cases {
            if let Some(&s) = c.unit.and_then(|u| slot.get(&u)) {
                if c.status.is_open() {
                    own[s].open_cases += 1;
                }
                if c.status.is_open() && c.is_overdue_at(as_of) {
                    own[s].overdue_cases += 1;
                }
            }
        }
        for w in d.workers.iter().filter(|w| w.is_active()) {
            if let Some(&s) = slot.get(&w.unit) {
                own[s].workers += 1;
            }
        }
        // Roll up, finest level first.
        let mut order: Vec<usize> = (0..d.units.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(d.units[i].level));
        let mut totals = own;
        for i in order {
            if let Some(p) = parent[i] {
                let child = totals[i];
                let t = &mut totals[p];
                t.households += child.households;
                t.persons += child.persons;
                for (a, b) in t.tags.iter_mut().zip(child.tags) {
                    *a += b;
                }
                t.open_cases += child.open_cases;
                t.overdue_cases += child.overdue_cases;
                t.workers += child.workers;
            }
        }
        Stats {
            slot,
            parent,
            totals,
            as_of,
        }
    }

    /// Counts the open and overdue cases again, leaving households and workers as they are:
    /// O(cases × depth). What a case step changes; a city's 4.2 million households are not
    /// counted again for it (that cost a window ~0.1 s per step another seat took).
    pub fn recount_cases(&mut self, d: &Dataset, as_of: Timestamp) {
        for t in &mut self.totals {
            t.open_cases = 0;
            t.overdue_cases = 0;
        }
        for c in d.cases.iter().filter(|c| c.status.is_open()) {
            let overdue = c.is_overdue_at(as_of);
            let mut at = c.unit.and_then(|u| self.slot.get(&u).copied());
            while let Some(s) = at {
                self.totals[s].open_cases += 1;
                self.totals[s].overdue_cases += overdue as u32;
                at = self.parent[s];
            }
        }
        self.as_of = as_of;
    }

    pub fn get(&self, unit: UnitId) -> Option<&UnitTotals> {
        self.slot.get(&unit).map(|&s| &self.totals[s])
    }

    /// A household moved from one unit to another (either may be `None`): updates both chains
    /// of ancestors, O(depth).
    pub fn move_household(&mut self, h: &Household, from: Option<UnitId>, to: Option<UnitId>) {
        if from == to {
            return;
        }
        for (unit, sign) in [(from, -1), (to, 1)] {
            let mut at = unit.and_then(|u| self.slot.get(&u).copied());
            while let Some(s) = at {
                self.totals[s].add_household(h, sign);
                at = self.parent[s];
            }
        }
    }
}
