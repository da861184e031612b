//! Splitting a unit by a line drawn across it: the part left of the line keeps the unit's id,
//! code and name; the right part becomes a new sibling. A grid's micro-grids are split along
//! the same line where it crosses them; those wholly on the right move to the new grid.
//! Villages and above are not split here (their grids would have to be re-parented in bulk).

use crate::edit::local::{Local, area, difference, intersection, weld};
use crate::edit::merge::{child_name, next_child_seq, renamed_child, slot};
use crate::edit::{Change, EditError, Editor, Refusal};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, Unit, UnitId};

/// Pieces smaller than this (m²) count as nothing: the line only grazed the unit.
const SLIVER_M2: f64 = 1.0;

impl Editor {
    pub fn split(
        &mut self,
        d: &mut Dataset,
        index: &mut SpatialIndex,
        unit: UnitId,
        line: &[geo_types::Coord<f64>],
    ) -> Result<&Change, EditError> {
        let i = slot(d, unit)
            .ok_or_else(|| Refusal::new(crate::check::Rule::Split, None, "no such unit"))?;
        let u = d.units[i].clone();
        if !matches!(u.level, Level::Grid | Level::MicroGrid) {
            return Err(Refusal::new(
                crate::check::Rule::Split,
                Some(unit),
                format!(
                    "only grids and micro-grids can be split here, not a {}",
                    u.level.name_en()
                ),
            )
            .into());
        }
        let Some(parent) = u.parent else {
            return Err(Refusal::new(
                crate::check::Rule::Split,
                Some(unit),
                "the county cannot be split",
            )
            .into());
        };
        let local = Local::around(&u.geometry);
        let left = local.left_of(line).ok_or_else(|| {
            Refusal::new(
                crate::check::Rule::Split,
                Some(unit),
                "draw a line of two points or more",
            )
        })?;
        let um = local.to_m(&u.geometry);
        let (a_m, b_m) = (intersection(&um, &left), difference(&um, &left));
        if area(&a_m) <= SLIVER_M2 || area(&b_m) <= SLIVER_M2 {
            return Err(Refusal::new(
                crate::check::Rule::Split,
                Some(unit),
                "the line must cross the unit from one side to the other",
            )
            .into());
        }
        if a_m.0.len() > 1 || b_m.0.len() > 1 {
            return Err(Refusal::new(
                crate::check::Rule::Split,
                Some(unit),
                "the line would cut the unit into more than two pieces",
            )
            .into());
        }
        let kids: Vec<Unit> = d
            .units
            .iter()
            .filter(|k| k.parent == Some(unit))
            .cloned()
            .collect();
        let mut references: Vec<&geo_types::MultiPolygon<f64>> = vec![&u.geometry];
        references.extend(kids.iter().map(|k| &k.geometry));
        let mut pieces = vec![local.to_deg(&a_m), local.to_deg(&b_m)];
        // Children: (kid, left part, right part) in metres.
        let kid_parts: Vec<(
            Unit,
            geo_types::MultiPolygon<f64>,
            geo_types::MultiPolygon<f64>,
        )> = kids
            .iter()
            .map(|k| {
                let km = local.to_m(&k.geometry);
                (k.clone(), intersection(&km, &left), difference(&km, &left))
            })
            .collect();
        for (_, l, r) in &kid_parts {
            pieces.push(local.to_deg(l));
            pieces.push(local.to_deg(r));
        }
        let welded = weld(&references, &pieces);
        let mut next_id = d.units.iter().map(|x| x.id.0).max().unwrap_or(0) + 1;
        let mut before = vec![u.clone()];
        let mut added = Vec::new();
        let new_id = UnitId(next_id);
        next_id += 1;
        let parent_code = d.units[slot(d, parent).expect("parent exists")]
            .code
            .clone();
        let seq = next_child_seq(d, parent);
        let new_unit = Unit {
            id: new_id,
            level: u.level,
            parent: Some(parent),
            code: format!("{parent_code}{seq:03}"),
            name: child_name(d, parent, seq),
            geometry: welded[1].clone(),
        };
        d.units[i].geometry = welded[0].clone();
        let mut new_units = vec![new_unit.clone()];
        added.push(new_id);
        let mut seq_right = 1;
        for (n, (k, l, r)) in kid_parts.iter().enumerate() {
            let (lw, rw) = (&welded[2 + 2 * n], &welded[3 + 2 * n]);
            let ki = slot(d, k.id).expect("kid exists");
            before.push(k.clone());
            let (la, ra) = (area(l), area(r));
            if ra <= SLIVER_M2 {
                continue;
            }
            let code = format!("{}{seq_right:03}", new_unit.code);
            seq_right += 1;
            if la <= SLIVER_M2 {
                // Wholly on the right: it moves under the new unit, and its name follows.
                d.units[ki].parent = Some(new_id);
                d.units[ki].code = code;
                d.units[ki].name = renamed_child(&k.name, &u, &new_unit, seq_right - 1);
            } else {
                d.units[ki].geometry = lw.clone();
                new_units.push(Unit {
                    id: UnitId(next_id),
                    level: k.level,
                    parent: Some(new_id),
                    code,
                    // Its siblings are new too: name it after the new unit, in the pattern of
                    // the unit it was cut from (黄冲村1-3微网格 → 黄冲村15-1微网格).
                    name: renamed_child(&k.name, &u, &new_unit, seq_right - 1),
                    geometry: rw.clone(),
                });
                added.push(UnitId(next_id));
                next_id += 1;
            }
        }
        for nu in new_units {
            let at = d.units.partition_point(|x| x.id < nu.id);
            d.units.insert(at, nu);
        }
        let label = format!("切分 {}", u.name);
        Ok(self.commit(d, index, &label, before, added, &[])?)
    }
}
