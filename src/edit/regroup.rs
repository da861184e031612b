//! Regrouping a unit's children at once: the edit an automatic proposal (partition, rebalance)
//! makes. Each new part keeps the id, code and name of an existing child where it continues
//! one, or is a new child numbered after its siblings; a part that is unchanged is not
//! touched; children of the parts (micro-grids under grids) move under their new part and are
//! numbered, and named, after its own; existing children no part continues are removed (their
//! workers go to the unit that covers their place, as in a merge). One commit: one undo step,
//! one plan step, every invariant checked by [`Editor::commit`].

use geo::BoundingRect;
use geo_types::MultiPolygon;

use crate::edit::local::weld;
use crate::edit::merge::{child_name, next_child_seq, recode, renamed_child, slot};
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, Unit, UnitId};

/// One unit of the regrouped level.
#[derive(Debug, Clone, PartialEq)]
pub struct RegroupPart {
    /// The existing child it continues (keeps its id, code and name), if any.
    pub keep: Option<UnitId>,
    /// Its outline (lon/lat), or `None` when it stays as it is.
    pub geometry: Option<MultiPolygon<f64>>,
    /// Units of the level below that belong under it (micro-grids under a grid).
    pub children: Vec<UnitId>,
}

impl Editor {
    pub fn regroup(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        parent: UnitId,
        level: Level,
        parts: &[RegroupPart],
        label: &str,
    ) -> Result<&Change, EditError> {
        let refuse = |why: String| -> EditError {
            Refusal::new(crate::check::Rule::Propose, Some(parent), why).into()
        };
        let Some(pi) = slot(d, parent) else {
            return Err(refuse("the unit to regroup is gone".into()));
        };
        let p = d.units[pi].clone();
        let old: Vec<Unit> = d
            .units
            .iter()
            .filter(|u| u.parent == Some(parent) && u.level == level)
            .cloned()
            .collect();
        for part in parts {
            if let Some(k) = part.keep
                && !old.iter().any(|u| u.id == k)
            {
                return Err(refuse(format!(
                    "unit id {} is not a {} of {}",
                    k.0,
                    level.name_en(),
                    p.code
                )));
            }
        }
        for part in parts {
            if part.keep.is_none() && part.geometry.is_none() {
                return Err(refuse("a new unit needs an outline".into()));
            }
        }
        let kept: Vec<UnitId> = parts.iter().filter_map(|x| x.keep).collect();
        let moving: std::collections::HashSet<UnitId> = parts
            .iter()
            .flat_map(|x| x.children.iter().copied())
            .collect();
        for u in old.iter().filter(|u| !kept.contains(&u.id)) {
            if let Some(k) = d
                .units
                .iter()
                .find(|k| k.parent == Some(u.id) && !moving.contains(&k.id))
            {
                return Err(refuse(format!(
                    "{} would be removed with {} still under it",
                    u.code, k.code
                )));
            }
        }
        // Outlines weld to the parent's, today's children's and the moved units' vertices.
        let moved_children: Vec<Unit> = parts
            .iter()
            .flat_map(|part| part.children.iter())
            .filter_map(|&c| slot(d, c).map(|i| d.units[i].clone()))
            .collect();
        let mut references: Vec<&MultiPolygon<f64>> = vec![&p.geometry];
        references.extend(old.iter().map(|u| &u.geometry));
        references.extend(moved_children.iter().map(|u| &u.geometry));
        let new_shapes: Vec<MultiPolygon<f64>> =
            parts.iter().filter_map(|x| x.geometry.clone()).collect();
        let mut welded = weld(&references, &new_shapes).into_iter();

        let mut before: Vec<Unit> = Vec::new();
        let mut added: Vec<UnitId> = Vec::new();
        let mut next_id = d.units.iter().map(|x| x.id.0).max().unwrap_or(0) + 1;
        let mut part_units: Vec<UnitId> = Vec::with_capacity(parts.len());
        for part in parts {
            let shape = match &part.geometry {
                Some(_) => welded.next(),
                None => None,
            };
            let id = match part.keep {
                Some(k) => {
                    if let (Some(shape), Some(i)) = (shape, slot(d, k)) {
                        before.push(d.units[i].clone());
                        d.units[i].geometry = shape;
                    }
                    k
                }
                None => {
                    let shape = shape.unwrap_or_else(|| MultiPolygon::new(vec![]));
                    let id = UnitId(next_id);
                    next_id += 1;
                    let seq = next_child_seq(d, parent);
                    let u = Unit {
                        id,
                        level,
                        parent: Some(parent),
                        code: format!("{}{seq:03}", p.code),
                        name: child_name(d, parent, seq),
                        geometry: shape,
                    };
                    let at = d.units.partition_point(|x| x.id < id);
                    d.units.insert(at, u);
                    added.push(id);
                    id
                }
            };
            part_units.push(id);
        }
        for (part, &to) in parts.iter().zip(&part_units) {
            for &c in &part.children {
                let Some(ci) = slot(d, c) else { continue };
                let from = d.units[ci].parent;
                if from == Some(to) {
                    continue;
                }
                let (Some(old_parent), Some(new_parent)) = (
                    from.and_then(|f| slot(d, f)).map(|i| d.units[i].clone()),
                    slot(d, to).map(|i| d.units[i].clone()),
                ) else {
                    continue;
                };
                let seq = next_child_seq(d, to);
                if !before.iter().any(|u| u.id == c) {
                    before.push(d.units[ci].clone());
                }
                d.units[ci].parent = Some(to);
                d.units[ci].name = renamed_child(&d.units[ci].name, &old_parent, &new_parent, seq);
                recode(d, c, format!("{}{seq:03}", new_parent.code), &mut before);
            }
        }
        // Children no part continues are removed (their own children have all moved).
        for u in &old {
            if part_units.contains(&u.id) {
                continue;
            }
            if let Some(i) = slot(d, u.id) {
                if !before.iter().any(|b| b.id == u.id) {
                    before.push(d.units[i].clone());
                }
                d.units.remove(i);
            }
        }
        let boxes: Vec<[f64; 4]> = old
            .iter()
            .filter_map(|u| u.geometry.bounding_rect())
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .collect();
        Ok(self.commit(d, index, label, before, added, &boxes)?)
    }
}
