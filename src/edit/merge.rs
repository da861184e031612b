//! Merging two adjacent sibling units into one: the first keeps its id, code and name and
//! takes the union of both outlines; the second's children move under it (renumbered after
//! its own), its workers, households and cases follow on commit.

use geo_types::MultiPolygon;

use crate::edit::local::{Local, area, union, weld};
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Unit, UnitId};

pub(crate) fn slot(d: &Dataset, id: UnitId) -> Option<usize> {
    d.units.binary_search_by_key(&id, |u| u.id).ok()
}

/// The next free 3-digit sequence among `parent`'s children.
pub(crate) fn next_child_seq(d: &Dataset, parent: UnitId) -> u32 {
    d.units
        .iter()
        .filter(|u| u.parent == Some(parent))
        .filter_map(|u| {
            u.code
                .get(u.code.len().saturating_sub(3)..)?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap_or(0)
        + 1
}

/// Re-codes `unit` and its whole subtree to start with `code`; records their old state.
pub fn recode(d: &mut Dataset, unit: UnitId, code: String, before: &mut Vec<Unit>) {
    let Some(i) = slot(d, unit) else { return };
    if !before.iter().any(|u| u.id == unit) {
        before.push(d.units[i].clone());
    }
    let old = std::mem::replace(&mut d.units[i].code, code.clone());
    let kids: Vec<(UnitId, String)> = d
        .units
        .iter()
        .filter(|u| u.parent == Some(unit))
        .map(|u| (u.id, format!("{code}{}", &u.code[old.len()..])))
        .collect();
    for (k, c) in kids {
        recode(d, k, c, before);
    }
}

impl Editor {
    pub fn merge(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        keep: UnitId,
        absorb: UnitId,
    ) -> Result<&Change, EditError> {
        let (Some(a), Some(b)) = (slot(d, keep), slot(d, absorb)) else {
            return Err(
                Refusal::new(crate::check::Rule::Merge, None, "both units must exist").into(),
            );
        };
        let (ua, ub) = (d.units[a].clone(), d.units[b].clone());
        if keep == absorb || ua.level != ub.level || ua.parent != ub.parent {
            return Err(Refusal::new(
                crate::check::Rule::Merge,
                Some(absorb),
                format!(
                    "{} and {} are not two siblings of one parent: only siblings can be merged",
                    ua.code, ub.code
                ),
            )
            .into());
        }
        let local = Local::around(&ua.geometry);
        let (ma, mb) = (local.to_m(&ua.geometry), local.to_m(&ub.geometry));
        let merged_m = union(&ma, &mb);
        if merged_m.0.len() >= ma.0.len() + mb.0.len() || area(&merged_m) <= 0.0 {
            return Err(Refusal::new(
                crate::check::Rule::Merge,
                Some(absorb),
                format!(
                    "{} and {} do not touch: only neighbours can be merged",
                    ua.code, ub.code
                ),
            )
            .into());
        }
        let merged: MultiPolygon<f64> =
            weld(&[&ua.geometry, &ub.geometry], &[local.to_deg(&merged_m)])
                .pop()
                .unwrap_or_else(|| MultiPolygon::new(vec![]));
        let mut before = vec![ua.clone(), ub.clone()];
        // Children of the absorbed unit move under the kept one, numbered after its own.
        let first_seq = next_child_seq(d, keep);
        let kids: Vec<UnitId> = d
            .units
            .iter()
            .filter(|u| u.parent == Some(absorb))
            .map(|u| u.id)
            .collect();
        for (seq, k) in (first_seq..).zip(kids) {
            let i = slot(d, k).expect("listed");
            before.push(d.units[i].clone());
            d.units[i].parent = Some(keep);
            recode(d, k, format!("{}{seq:03}", ua.code), &mut before);
        }
        d.units[a].geometry = merged;
        d.units.remove(slot(d, absorb).expect("exists"));
        let label = format!("合并 {} ← {}", ua.name, ub.name);
        Ok(self.commit(d, index, &label, before, Vec::new(), &[])?)
    }
}
