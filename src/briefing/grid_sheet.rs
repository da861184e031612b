//! The grid-meeting sheet (网格夜话, 问题挂图销号): for one grid's weekly meeting, its map with
//! the open cases numbered on it, the list of those cases, the households to visit (tagged
//! with a vulnerable group: 低保户, 独居老人, 留守儿童, 残疾人…) with masked names, and the
//! grid's workers by role. Special populations (社区矫正 and the like) are never printed: the
//! sheet lies on a table in a meeting room.

use serde_json::{Value, json};

use crate::briefing::map_svg::{Area, Pin, map_svg};
use crate::model::{Category, Dataset, Level, Timestamp, Unit, UnitTree, mask_name, mask_phone};

/// The sheet's data (`/data.json`) and map (`/map.svg`) for `grid` at `now`.
pub fn grid_data(d: &Dataset, grid: &Unit, now: Timestamp) -> Result<(Value, String), String> {
    if grid.level != Level::Grid {
        return Err(format!(
            "--unit {}: {} is a {}, not a grid (网格, 15 digits)",
            grid.code,
            grid.name,
            grid.level.name_zh()
        ));
    }
    let tree = UnitTree::new(d);
    let tz = &d.meta.time_zone;
    let inside = |u: Option<crate::model::UnitId>| u.is_some_and(|u| tree.is_within(u, grid.id));
    let micro: Vec<&Unit> = d
        .units
        .iter()
        .filter(|u| u.parent == Some(grid.id))
        .collect();
    let micro_name = |u: Option<crate::model::UnitId>| {
        u.and_then(|u| micro.iter().find(|m| m.id == u))
            .map_or("—".to_owned(), |m| m.name.clone())
    };

    let mut open: Vec<&crate::model::Case> = d
        .cases
        .iter()
        .filter(|c| c.status.is_open() && inside(c.unit))
        .collect();
    open.sort_by_key(|c| (c.reported_at, c.id));
    let pins: Vec<Pin> = open
        .iter()
        .enumerate()
        .map(|(i, c)| Pin {
            at: c.location.0,
            number: i + 1,
            overdue: c.is_overdue_at(now),
        })
        .collect();
    let cases: Vec<Value> = open
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!([
                i + 1,
                c.code,
                Category::find(c.category).map_or("", |k| k.name_zh),
                micro_name(c.unit),
                tz.minute(c.reported_at),
                c.due_at.map_or("—".to_owned(), |t| tz.minute(t)),
                c.status.name_zh(),
                if c.is_overdue_at(now) { "超期" } else { "" },
            ])
        })
        .collect();

    let mut visits: Vec<(&str, &crate::model::Household)> = d
        .households
        .iter()
        .filter(|h| inside(h.unit) && h.tags.iter().any(|t| t.is_vulnerable()))
        .map(|h| {
            let m = h
                .unit
                .and_then(|u| micro.iter().find(|m| m.id == u))
                .map_or("", |m| m.code.as_str());
            (m, h)
        })
        .collect();
    visits.sort_by(|a, b| a.0.cmp(b.0).then(a.1.code.cmp(&b.1.code)));
    let households: Vec<Value> = visits
        .iter()
        .map(|(_, h)| {
            let tags: Vec<&str> = h
                .tags
                .iter()
                .filter(|t| t.is_vulnerable())
                .map(|t| t.name_zh())
                .collect();
            json!([
                micro_name(h.unit),
                mask_name(&h.head_name),
                h.members,
                tags.join("、")
            ])
        })
        .collect();

    let mut staff: Vec<&crate::model::Worker> = d
        .workers
        .iter()
        .filter(|w| tree.is_within(w.unit, grid.id))
        .collect();
    staff.sort_by_key(|w| (w.role as u8, w.unit, w.id));
    let workers: Vec<Value> = staff
        .iter()
        .map(|w| {
            let unit = if w.unit == grid.id {
                grid.name.clone()
            } else {
                micro_name(Some(w.unit))
            };
            json!([w.role.name_zh(), w.name, unit, mask_phone(&w.phone)])
        })
        .collect();

    let areas: Vec<Area> = micro
        .iter()
        .map(|m| Area {
            geometry: &m.geometry,
            fill: "#f4f1e8".into(),
            label: m.name.clone(),
        })
        .collect();
    let legend = vec![
        ("#1565c0".to_owned(), "在办事件".to_owned()),
        ("#c62828".to_owned(), "超期事件".to_owned()),
    ];
    let map = map_svg(&areas, &pins, &legend, &grid.name);
    let data = json!({
        "title": format!("{} 网格夜话 · 问题挂图销号", grid.name),
        "unit": { "name": grid.name, "code": grid.code },
        "date": tz.date(now),
        "cases": cases,
        "overdue": pins.iter().filter(|p| p.overdue).count(),
        "households": households,
        "workers": workers,
    });
    Ok((data, map))
}
