//! The hierarchy below one township, built in planar metres, then named, numbered and turned
//! into `Unit`s with ids.

use geo_types::{Coord, MultiPolygon};
use rand::Rng;

use crate::demo::names::PlaceNames;
use crate::demo::partition::{Piece, partition, reading_order};
use crate::demo::population;
use crate::demo::{STREETS, TOWNS};
use crate::geom::LocalMetres;
use crate::model::{Level, Unit, UnitCode, UnitId};

pub struct GridNode {
    pub piece: Piece,
    pub micros: Vec<Piece>,
}

pub struct VillageNode {
    pub piece: Piece,
    pub grids: Vec<GridNode>,
}

pub struct TownTree {
    /// Index among the county's townships (0..4 streets, then towns, then 乡).
    pub township: usize,
    pub urban: bool,
    pub piece: Piece,
    /// Household locations, metres; `Piece::members` index into this.
    pub households_m: Vec<Coord<f64>>,
    pub villages: Vec<VillageNode>,
}

#[allow(clippy::too_many_arguments)]
pub fn build_town(
    township: usize,
    town: &Piece,
    households: usize,
    urban: bool,
    villages: usize,
    per_grid: f64,
    per_micro: f64,
    rng: &mut impl Rng,
) -> TownTree {
    let pts = population::place(&town.geometry, town.site, households, urban, rng);
    let all: Vec<usize> = (0..pts.len()).collect();
    let mut vs = partition(&town.geometry, &pts, &all, villages, rng);
    reading_order(&mut vs, &town.geometry);
    let villages = vs
        .into_iter()
        .map(|v| {
            let k = (v.members.len() as f64 / per_grid).round() as usize;
            let mut gs = partition(&v.geometry, &pts, &v.members, k.max(1), rng);
            reading_order(&mut gs, &v.geometry);
            let grids = gs
                .into_iter()
                .map(|g| {
                    let k = (g.members.len() as f64 / per_micro).round() as usize;
                    let mut ms = partition(&g.geometry, &pts, &g.members, k.max(1), rng);
                    reading_order(&mut ms, &g.geometry);
                    GridNode {
                        piece: g,
                        micros: ms,
                    }
                })
                .collect();
            VillageNode { piece: v, grids }
        })
        .collect();
    TownTree {
        township,
        urban,
        piece: Piece {
            geometry: town.geometry.clone(),
            members: all,
            site: town.site,
        },
        households_m: pts,
        villages,
    }
}

/// Indices into `Named::units`, shaped like the tree.
pub struct NamedGrid {
    pub unit: usize,
    pub micros: Vec<usize>,
}
pub struct NamedVillage {
    pub unit: usize,
    pub grids: Vec<NamedGrid>,
}
pub struct NamedTown {
    pub unit: usize,
    pub villages: Vec<NamedVillage>,
}

pub struct Named {
    /// In id order: the county, then townships, villages, grids, micro-grids.
    pub units: Vec<Unit>,
    /// Parallel to the `trees` given to [`name_and_number`].
    pub towns: Vec<NamedTown>,
}

/// Names every unit, numbers it by the GB/T rule and gives it an id, level by level.
pub fn name_and_number(
    trees: &[TownTree],
    county_m: &MultiPolygon<f64>,
    proj: &LocalMetres,
    (county_code, county_name): (&str, &str),
    rng: &mut impl Rng,
) -> Named {
    let mut names = PlaceNames::new(rng);
    let mut name_counter = 0;
    let county_code = UnitCode::parse(county_code, Level::County).expect("valid county code");
    let mut units = vec![Unit {
        id: UnitId(1),
        level: Level::County,
        parent: None,
        code: county_code.to_string(),
        name: county_name.to_owned(),
        geometry: proj.inverse_multipolygon(county_m),
    }];
    let push = |units: &mut Vec<Unit>,
                level,
                parent: usize,
                code: String,
                name: String,
                geometry: &MultiPolygon<f64>| {
        let id = UnitId(units.len() as i64 + 1);
        units.push(Unit {
            id,
            level,
            parent: Some(units[parent].id),
            code,
            name,
            geometry: proj.inverse_multipolygon(geometry),
        });
        units.len() - 1
    };

    // Townships: streets 0xx, towns 1xx, 乡 2xx; each class numbered west→east, north→south.
    let class_of = |t: usize| match t {
        t if t < STREETS => 0,
        t if t < STREETS + TOWNS => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..trees.len()).collect();
    let (min_y, max_y) = trees
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| {
            (a.min(t.piece.site.y), b.max(t.piece.site.y))
        });
    let band = ((max_y - min_y) / 5.0).max(1.0);
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&trees[a], &trees[b]);
        let row = |t: &TownTree| ((max_y - t.piece.site.y) / band).floor() as i64;
        class_of(ta.township)
            .cmp(&class_of(tb.township))
            .then(row(ta).cmp(&row(tb)))
            .then(ta.piece.site.x.total_cmp(&tb.piece.site.x))
    });
    let mut towns: Vec<Option<NamedTown>> = (0..trees.len()).map(|_| None).collect();
    let mut per_class = [0u32; 3];
    for &t in &order {
        let tree = &trees[t];
        let class = class_of(tree.township);
        per_class[class] += 1;
        let seq = class as u32 * 100 + per_class[class];
        let suffix = ["街道", "镇", "乡"][class];
        let name = format!("{}{suffix}", names.next(&mut name_counter));
        let unit = push(
            &mut units,
            Level::Township,
            0,
            county_code.child(seq).to_string(),
            name,
            &tree.piece.geometry,
        );
        towns[t] = Some(NamedTown {
            unit,
            villages: Vec::new(),
        });
    }
    let mut towns: Vec<NamedTown> = towns
        .into_iter()
        .map(|t| t.expect("every town named"))
        .collect();

    // Villages, then grids, then micro-grids, each level in the order of its parents.
    for &t in &order {
        let tree = &trees[t];
        for (vi, v) in tree.villages.iter().enumerate() {
            let parent = towns[t].unit;
            let code = UnitCode::child_code(&units[parent].code, vi as u32 + 1);
            let name = format!(
                "{}{}",
                names.next(&mut name_counter),
                if tree.urban { "社区" } else { "村" }
            );
            let unit = push(
                &mut units,
                Level::Village,
                parent,
                code,
                name,
                &v.piece.geometry,
            );
            towns[t].villages.push(NamedVillage {
                unit,
                grids: Vec::new(),
            });
        }
    }
    for &t in &order {
        let tree = &trees[t];
        for (vi, v) in tree.villages.iter().enumerate() {
            let parent = towns[t].villages[vi].unit;
            for (gi, g) in v.grids.iter().enumerate() {
                let code = UnitCode::child_code(&units[parent].code, gi as u32 + 1);
                let name = format!("{}第{}网格", units[parent].name, gi + 1);
                let unit = push(
                    &mut units,
                    Level::Grid,
                    parent,
                    code,
                    name,
                    &g.piece.geometry,
                );
                towns[t].villages[vi].grids.push(NamedGrid {
                    unit,
                    micros: Vec::new(),
                });
            }
        }
    }
    for &t in &order {
        let tree = &trees[t];
        for (vi, v) in tree.villages.iter().enumerate() {
            let village_name = units[towns[t].villages[vi].unit].name.clone();
            for (gi, g) in v.grids.iter().enumerate() {
                let parent = towns[t].villages[vi].grids[gi].unit;
                for (mi, m) in g.micros.iter().enumerate() {
                    let code = UnitCode::child_code(&units[parent].code, mi as u32 + 1);
                    let name = format!("{village_name}{}-{}微网格", gi + 1, mi + 1);
                    let unit = push(
                        &mut units,
                        Level::MicroGrid,
                        parent,
                        code,
                        name,
                        &m.geometry,
                    );
                    towns[t].villages[vi].grids[gi].micros.push(unit);
                }
            }
        }
    }
    Named { units, towns }
}
