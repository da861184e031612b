//! "Who lives inside this line": the households in an area, their vulnerable and special tags,
//! persons, and the micro-grids and workers answerable for them.

use std::collections::{BTreeMap, HashMap};

use crate::index::{Area, SpatialIndex};
use crate::model::{Dataset, Household, Level, Tag, UnitId, WorkerId, mask_name, mask_phone};

#[derive(Debug, Clone, PartialEq)]
pub struct AreaReport {
    /// Indices into `Dataset::households`, ascending.
    pub households: Vec<usize>,
    pub persons: u32,
    pub by_tag: [u32; Tag::ALL.len()],
    /// Micro-grids holding the households, with how many each.
    pub micro_grids: BTreeMap<UnitId, u32>,
    /// Workers of those micro-grids and of their grids.
    pub workers: Vec<WorkerId>,
}

pub fn area_report(d: &Dataset, index: &SpatialIndex, area: &Area) -> AreaReport {
    let households = index.households_in(area);
    let mut persons = 0;
    let mut by_tag = [0u32; Tag::ALL.len()];
    let mut micro_grids: BTreeMap<UnitId, u32> = BTreeMap::new();
    for &i in &households {
        let h = &d.households[i];
        persons += h.members as u32;
        for t in h.tags.iter() {
            by_tag[t as usize] += 1;
        }
        if let Some(u) = h.unit {
            *micro_grids.entry(u).or_default() += 1;
        }
    }
    let parent: HashMap<UnitId, (Option<UnitId>, Level)> = d
        .units
        .iter()
        .map(|u| (u.id, (u.parent, u.level)))
        .collect();
    let mut answerable: Vec<UnitId> = micro_grids.keys().copied().collect();
    answerable.extend(
        micro_grids
            .keys()
            .filter_map(|m| parent.get(m).and_then(|(p, _)| *p)),
    );
    answerable.sort_unstable();
    answerable.dedup();
    let workers = d
        .workers
        .iter()
        .filter(|w| answerable.binary_search(&w.unit).is_ok())
        .map(|w| w.id)
        .collect();
    AreaReport {
        households,
        persons,
        by_tag,
        micro_grids,
        workers,
    }
}

/// One line of the exported list. Names and phones are masked unless `unmasked`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HouseholdRow {
    pub id: i64,
    pub code: String,
    pub address: String,
    pub head: String,
    pub phone: String,
    pub members: u16,
    pub tags: String,
    pub micro_grid: String,
    pub lon: f64,
    pub lat: f64,
}

impl HouseholdRow {
    pub fn new(h: &Household, micro_grid: &str, unmasked: bool) -> HouseholdRow {
        HouseholdRow {
            id: h.id.0,
            code: h.code.clone(),
            address: h.address.clone(),
            head: if unmasked {
                h.head_name.clone()
            } else {
                mask_name(&h.head_name)
            },
            phone: if unmasked {
                h.phone.clone()
            } else {
                mask_phone(&h.phone)
            },
            members: h.members,
            tags: h
                .tags
                .iter()
                .map(|t| t.name_zh())
                .collect::<Vec<_>>()
                .join("、"),
            micro_grid: micro_grid.to_owned(),
            lon: h.location.x(),
            lat: h.location.y(),
        }
    }
}
