//! Household records and workers: names, phones, addresses, members and tags at the domain
//! doc's rates (rural and urban differ).

use geo_types::Coord;
use rand::Rng;

use crate::demo::names;
use crate::demo::tree::{NamedTown, TownTree};
use crate::model::{Level, Tag, TagSet, Unit, Worker, WorkerId, WorkerRole};

pub struct HouseholdDraft {
    pub location_m: Coord<f64>,
    pub code: String,
    pub address: String,
    pub head_name: String,
    pub phone: String,
    pub members: u16,
    pub tags: TagSet,
}

/// (tag, rural rate, urban rate) per household.
const TAG_RATES: &[(Tag, f64, f64)] = &[
    (Tag::LowIncome, 0.045, 0.030),
    (Tag::ExtremePoverty, 0.006, 0.003),
    (Tag::ElderlyAlone, 0.065, 0.035),
    (Tag::LeftBehindChild, 0.045, 0.010),
    (Tag::Disabled, 0.030, 0.028),
    (Tag::FormerlyPoor, 0.035, 0.005),
    (Tag::CommunityCorrection, 0.0005, 0.0006),
    (Tag::ReleasedPrisoner, 0.001, 0.001),
    (Tag::DrugUser, 0.001, 0.0012),
    (Tag::SevereMentalIllness, 0.003, 0.003),
    (Tag::Petitioner, 0.0006, 0.0008),
    (Tag::PartyMember, 0.09, 0.11),
    (Tag::Rented, 0.04, 0.30),
    (Tag::Shop, 0.012, 0.05),
    (Tag::Enterprise, 0.002, 0.006),
];

fn members(rng: &mut impl Rng, urban: bool) -> u16 {
    // Rural households average about 3.2 persons (300 persons per 100 households), urban 2.8.
    let weights: &[(u16, f64)] = if urban {
        &[
            (1, 0.16),
            (2, 0.26),
            (3, 0.30),
            (4, 0.17),
            (5, 0.08),
            (6, 0.03),
        ]
    } else {
        &[
            (1, 0.11),
            (2, 0.21),
            (3, 0.24),
            (4, 0.22),
            (5, 0.14),
            (6, 0.08),
        ]
    };
    let mut x: f64 = rng.random();
    for (n, w) in weights {
        if x < *w {
            return *n;
        }
        x -= w;
    }
    weights[weights.len() - 1].0
}

/// Every household of one town, in tree order (village, grid, micro-grid).
pub fn for_town(
    tree: &TownTree,
    town: &NamedTown,
    units: &[Unit],
    rng: &mut impl Rng,
) -> Vec<HouseholdDraft> {
    let township_name = &units[town.unit].name;
    let mut out = Vec::with_capacity(tree.households_m.len());
    for (vi, village) in tree.villages.iter().enumerate() {
        let v_unit = &units[town.villages[vi].unit];
        let mut seq = 0;
        let road = names::road(rng);
        for (gi, grid) in village.grids.iter().enumerate() {
            for micro in &grid.micros {
                let building = rng.random_range(1..40);
                for (k, &h) in micro.members.iter().enumerate() {
                    seq += 1;
                    let address = if tree.urban {
                        format!(
                            "{township_name}{}{road}路{}号{building}栋{}单元{}室",
                            v_unit.name,
                            gi * 2 + 1,
                            k / 12 + 1,
                            (k % 12) / 2 * 100 + 101 + (k % 2)
                        )
                    } else {
                        format!("{township_name}{}{}组{}号", v_unit.name, gi + 1, seq)
                    };
                    let mut tags = TagSet::empty();
                    for &(tag, rural, urban) in TAG_RATES {
                        if rng.random_bool(if tree.urban { urban } else { rural }) {
                            tags.insert(tag);
                        }
                    }
                    let mut members = members(rng, tree.urban);
                    if tags.contains(Tag::ElderlyAlone) {
                        members = 1;
                    }
                    out.push(HouseholdDraft {
                        location_m: tree.households_m[h],
                        code: format!("{}{seq:05}", v_unit.code),
                        address,
                        head_name: names::person(rng),
                        phone: names::mobile(rng),
                        members,
                        tags,
                    });
                }
            }
        }
    }
    out
}

/// Staffing "一长三员 + N": per grid a leader, a full-time and one or two part-time workers,
/// sometimes a volunteer; per village an instructor from the township; per micro-grid a
/// micro-grid leader (mostly party members).
pub fn workers(units: &[Unit], rng: &mut impl Rng) -> Vec<Worker> {
    let mut out = Vec::new();
    let add =
        |out: &mut Vec<Worker>, rng: &mut dyn rand::RngCore, role, unit: &Unit, party: f64| {
            let id = WorkerId(out.len() as i64 + 1);
            out.push(Worker {
                id,
                name: names::person(rng),
                phone: names::mobile(rng),
                role,
                unit: unit.id,
                party_member: rng.random_bool(party),
                retired_at: None,
            });
        };
    for unit in units {
        match unit.level {
            Level::Village => add(&mut out, rng, WorkerRole::Instructor, unit, 0.9),
            Level::Grid => {
                add(&mut out, rng, WorkerRole::GridLeader, unit, 0.8);
                add(&mut out, rng, WorkerRole::FullTime, unit, 0.4);
                for _ in 0..rng.random_range(1..=2) {
                    add(&mut out, rng, WorkerRole::PartTime, unit, 0.3);
                }
                if rng.random_bool(0.3) {
                    add(&mut out, rng, WorkerRole::Volunteer, unit, 0.5);
                }
            }
            Level::MicroGrid => add(&mut out, rng, WorkerRole::MicroGridLeader, unit, 0.85),
            Level::County | Level::Township => {}
        }
    }
    out
}
