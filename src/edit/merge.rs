//! Merging two adjacent sibling units into one: the first keeps its id, code and name and
//! takes the union of both outlines; the second's children move under it (numbered, and named,
//! after its own), its workers, households and cases follow on commit. Also the naming rules
//! new and moved units share.

use geo_types::MultiPolygon;

use crate::edit::local::{Local, area, union, weld};
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Unit, UnitId};

pub(crate) fn slot(d: &Dataset, id: UnitId) -> Option<usize> {
    d.units.binary_search_by_key(&id, |u| u.id).ok()
}

/// A name for a new child of `parent` numbered `seq` that follows its siblings' pattern: a
/// sibling whose name carries its own number (福山村第12网格 for …012) gives 福山村第15网格;
/// without one, the parent's name and the number. Editable afterwards; this is a start that
/// matches the code instead of "福山村第12网格-2".
pub(crate) fn child_name(d: &Dataset, parent: UnitId, seq: u32) -> String {
    for u in d.units.iter().filter(|u| u.parent == Some(parent)) {
        let Some(own) = u
            .code
            .get(u.code.len().saturating_sub(3)..)
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let own = own.to_string();
        if let Some(at) = u.name.rfind(&own) {
            // The number must stand alone (12 in 第12网格, not in 第112网格).
            let before = u.name[..at].chars().next_back();
            let after = u.name[at + own.len()..].chars().next();
            if !before.is_some_and(|c| c.is_ascii_digit())
                && !after.is_some_and(|c| c.is_ascii_digit())
            {
                return format!("{}{seq}{}", &u.name[..at], &u.name[at + own.len()..]);
            }
        }
    }
    let parent_name = d
        .units
        .iter()
        .find(|u| u.id == parent)
        .map_or("", |u| u.name.as_str());
    format!("{parent_name}第{seq}单元")
}

/// `name` with its number `old` (standing alone, the last one) replaced by `new`: a unit
/// re-coded keeps a name that matches its code (福山村第4网格 → 福山村第5网格).
pub fn renumbered_name(name: &str, old: u32, new: u32) -> String {
    let old = old.to_string();
    let found = name.rmatch_indices(&old).map(|(at, _)| at).find(|&at| {
        !name[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
            && !name[at + old.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
    });
    match found {
        Some(at) => format!("{}{new}{}", &name[..at], &name[at + old.len()..]),
        None => name.to_owned(),
    }
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
            // Its name follows its new parent and number, as its code does.
            d.units[i].name = renamed_child(&d.units[i].name, &ub, &ua, seq);
            recode(d, k, format!("{}{seq:03}", ua.code), &mut before);
        }
        d.units[a].geometry = merged;
        d.units.remove(slot(d, absorb).expect("exists"));
        let label = format!("合并 {} ← {}", ua.name, ub.name);
        Ok(self.commit(d, index, &label, before, Vec::new(), &[])?)
    }
}

/// The name of a child moved under a new unit: where the old name carries the old parent's name
/// or number and its own number (黄冲村1-3微网格: grid 1, micro-grid 3), they become the new
/// parent's and the new position (黄冲村15-2微网格); otherwise the new parent's name and number.
pub(crate) fn renamed_child(old: &str, old_parent: &Unit, new_parent: &Unit, seq: u32) -> String {
    let number = |code: &str| {
        code.get(code.len().saturating_sub(3)..)
            .and_then(|s| s.parse::<u32>().ok())
    };
    if let (Some(p_old), Some(p_new)) = (number(&old_parent.code), number(&new_parent.code)) {
        let pattern = format!("{p_old}-");
        // The number must stand alone (1- in 黄冲村1-3, not in 黄冲村11-3).
        let found = old.match_indices(&pattern).map(|(at, _)| at).find(|&at| {
            !old[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit())
        });
        if let Some(at) = found {
            let tail: String = old[at + pattern.len()..]
                .chars()
                .skip_while(char::is_ascii_digit)
                .collect();
            return format!("{}{p_new}-{seq}{tail}", &old[..at]);
        }
    }
    format!("{}第{seq}单元", new_parent.name)
}
