//! The unit hierarchy as a flat parent table, for the questions asked per case and per frame
//! ("which township holds this micro-grid", "is this worker within that grid") without walking
//! `Dataset::units` by search.

use std::collections::HashMap;

use crate::model::{Dataset, Level, UnitId};

#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    slot: HashMap<UnitId, usize>,
    ids: Vec<UnitId>,
    parent: Vec<Option<usize>>,
    level: Vec<Level>,
}

impl UnitTree {
    pub fn new(d: &Dataset) -> UnitTree {
        let slot: HashMap<UnitId, usize> =
            d.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        UnitTree {
            ids: d.units.iter().map(|u| u.id).collect(),
            parent: d
                .units
                .iter()
                .map(|u| u.parent.and_then(|p| slot.get(&p).copied()))
                .collect(),
            level: d.units.iter().map(|u| u.level).collect(),
            slot,
        }
    }

    pub fn level(&self, u: UnitId) -> Option<Level> {
        self.slot.get(&u).map(|&i| self.level[i])
    }

    /// `u` itself when it is of `level`, else its ancestor of that level; `None` when `u` is
    /// unknown or coarser than `level`.
    pub fn ancestor_at(&self, u: UnitId, level: Level) -> Option<UnitId> {
        let mut at = *self.slot.get(&u)?;
        loop {
            if self.level[at] == level {
                return Some(self.ids[at]);
            }
            if self.level[at] < level {
                return None;
            }
            at = self.parent[at]?;
        }
    }

    /// The chain from the county down to `u`, indexed by `Level::number() - 1`.
    pub fn ancestors(&self, u: UnitId) -> [Option<UnitId>; 5] {
        let mut out = [None; 5];
        let mut at = self.slot.get(&u).copied();
        while let Some(i) = at {
            out[self.level[i].number() as usize - 1] = Some(self.ids[i]);
            at = self.parent[i];
        }
        out
    }

    /// Whether `u` is `root` or lies in its subtree.
    pub fn is_within(&self, u: UnitId, root: UnitId) -> bool {
        self.level(root)
            .is_some_and(|l| self.ancestor_at(u, l) == Some(root))
    }
}
