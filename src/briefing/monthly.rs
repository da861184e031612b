//! The monthly bulletin (月度通报): what a command centre publishes for a month — received,
//! accepted, due, closed, 结案率, 按期结案率, 返工率, overdue and mean handling time with the
//! change from the month before; a row per child unit; the top categories; the map coloured by
//! 结案率; the overdue cases. Every indicator comes from `stats::unit_indicators`, the function
//! behind `gridatlas stats`, so the page and the command agree by construction.
//!
//! Nothing personal is read: cases are named by code, category and place (never title,
//! description or reporter), units by name.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::briefing::figures::{count_delta, percent, percent_delta, rate_delta_value};
use crate::briefing::map_svg::{Area, map_svg, rate_colour, rate_legend};
use crate::cases::Indicators;
use crate::model::{Category, Dataset, Level, Timestamp, Unit, UnitTree};
use crate::stats::unit_indicators;

/// A month of the document's calendar: [from, to), `to` capped at now (as `stats` does).
#[derive(Debug, Clone, Copy)]
pub struct Month {
    pub year: i32,
    pub month: u8,
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Month {
    /// `2026-10` in the document's time zone.
    pub fn parse(d: &Dataset, text: &str, now: Timestamp) -> Result<Month, String> {
        let bad = || format!("--month {text}: expected a month like 2026-10");
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        let (year, month): (i32, u8) =
            (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
            return Err(bad());
        }
        Month::of(d, year, month, now)
    }

    fn of(d: &Dataset, year: i32, month: u8, now: Timestamp) -> Result<Month, String> {
        let tz = &d.meta.time_zone;
        let start = |y: i32, m: u8| {
            tz.parse(&format!("{y:04}-{m:02}-01"))
                .map_err(|e| format!("{y:04}-{m:02}: {e}"))
        };
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let from = start(year, month)?;
        if from >= now {
            return Err(format!(
                "--month {year:04}-{month:02} has not begun yet (now is {})",
                tz.minute(now)
            ));
        }
        Ok(Month {
            year,
            month,
            from,
            to: start(ny, nm)?.min(now),
        })
    }

    pub fn previous(&self, d: &Dataset, now: Timestamp) -> Result<Month, String> {
        let (y, m) = if self.month == 1 {
            (self.year - 1, 12)
        } else {
            (self.year, self.month - 1)
        };
        Month::of(d, y, m, now)
    }

    pub fn label(&self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// Counts the indicators do not carry: cases reported, accepted and closed in the period.
#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    received: u32,
    accepted: u32,
    closed: u32,
}

fn flow(d: &Dataset, tree: &UnitTree, unit: &Unit, m: &Month) -> Flow {
    let within = |t: Option<Timestamp>| t.is_some_and(|t| m.from <= t && t < m.to);
    let mut f = Flow::default();
    for c in d
        .cases
        .iter()
        .filter(|c| c.unit.is_some_and(|u| tree.is_within(u, unit.id)))
    {
        f.received += u32::from(within(Some(c.reported_at)));
        f.accepted += u32::from(within(c.accepted_at));
        f.closed += u32::from(within(c.closed_at));
    }
    f
}

/// The unit's own indicators for the month: its row of `unit_indicators` at its level.
fn indicators_of(d: &Dataset, unit: &Unit, m: &Month) -> Indicators {
    unit_indicators(d, unit.level, m.from, m.to)
        .into_iter()
        .find(|r| r.code == unit.code)
        .map(|r| r.indicators)
        .unwrap_or_default()
}

fn hours(h: Option<f64>) -> String {
    h.map_or("—".into(), |h| format!("{h:.1}"))
}

/// The bulletin's figures as the template reads them (`/data.json`), and its map (`/map.svg`).
pub fn monthly_data(
    d: &Dataset,
    unit: &Unit,
    month: &Month,
    now: Timestamp,
) -> Result<(Value, String), String> {
    let tree = UnitTree::new(d);
    let tz = &d.meta.time_zone;
    let previous = month.previous(d, now)?;
    let (this, last) = (
        indicators_of(d, unit, month),
        indicators_of(d, unit, &previous),
    );
    let (flow_now, flow_last) = (flow(d, &tree, unit, month), flow(d, &tree, unit, &previous));
    let headline = vec![
        json!([
            "受理（上报）",
            flow_now.received,
            flow_last.received,
            count_delta(flow_now.received, flow_last.received)
        ]),
        json!([
            "立案",
            flow_now.accepted,
            flow_last.accepted,
            count_delta(flow_now.accepted, flow_last.accepted)
        ]),
        json!([
            "应结案",
            this.due,
            last.due,
            count_delta(this.due, last.due)
        ]),
        json!([
            "结案",
            flow_now.closed,
            flow_last.closed,
            count_delta(flow_now.closed, flow_last.closed)
        ]),
        json!([
            "结案率",
            percent(this.closure_rate),
            percent(last.closure_rate),
            percent_delta(this.closure_rate, last.closure_rate)
        ]),
        json!([
            "按期结案率",
            percent(this.on_time_rate),
            percent(last.on_time_rate),
            percent_delta(this.on_time_rate, last.on_time_rate)
        ]),
        json!([
            "返工率",
            percent(this.rework_rate),
            percent(last.rework_rate),
            percent_delta(this.rework_rate, last.rework_rate)
        ]),
        json!([
            "超期",
            this.overdue,
            last.overdue,
            count_delta(this.overdue, last.overdue)
        ]),
        json!([
            "平均处置时长（小时）",
            hours(this.mean_handling_hours),
            hours(last.mean_handling_hours),
            rate_delta_value(this.mean_handling_hours, last.mean_handling_hours)
        ]),
    ];

    // A row per child unit, from the same function as `gridatlas stats --level <child>`.
    let child_level = unit.level.child();
    let children: Vec<&Unit> = d
        .units
        .iter()
        .filter(|u| u.parent == Some(unit.id))
        .collect();
    let by_code: HashMap<String, Indicators> = child_level
        .map(|l| unit_indicators(d, l, month.from, month.to))
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.code, r.indicators))
        .collect();
    let rows: Vec<Value> = children
        .iter()
        .map(|c| {
            let i = by_code.get(&c.code).copied().unwrap_or_default();
            json!([
                c.name,
                c.code,
                i.due,
                percent(i.closure_rate),
                percent(i.on_time_rate),
                percent(i.rework_rate),
                i.overdue,
                hours(i.mean_handling_hours)
            ])
        })
        .collect();

    // Top categories of the cases received this month.
    let mut per_category: HashMap<String, u32> = HashMap::new();
    let subtree = |c: &crate::model::Case| c.unit.is_some_and(|u| tree.is_within(u, unit.id));
    for c in d
        .cases
        .iter()
        .filter(|c| subtree(c) && month.from <= c.reported_at && c.reported_at < month.to)
    {
        *per_category.entry(c.category.to_string()).or_default() += 1;
    }
    let mut top: Vec<(String, u32)> = per_category.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let categories: Vec<Value> = top
        .iter()
        .take(8)
        .map(|(code, n)| {
            let name = crate::model::CategoryCode::parse(code)
                .and_then(Category::find)
                .map_or(code.as_str(), |c| c.name_zh);
            json!([
                code,
                name,
                n,
                percent(Some(f64::from(*n) / f64::from(flow_now.received.max(1))))
            ])
        })
        .collect();

    // The overdue cases at the end of the month: code, category, place, days over.
    let names: HashMap<_, _> = d.units.iter().map(|u| (u.id, u)).collect();
    let place = |c: &crate::model::Case| {
        let a = c.unit.map(|u| tree.ancestors(u)).unwrap_or_default();
        [Level::Township, Level::Village, Level::MicroGrid]
            .iter()
            .filter_map(|l| a[l.number() as usize - 1].and_then(|u| names.get(&u)))
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let mut overdue: Vec<(i64, &crate::model::Case)> = d
        .cases
        .iter()
        .filter(|c| subtree(c) && c.is_overdue_at(month.to))
        .map(|c| (tz.days_between(c.due_at.unwrap_or(month.to), month.to), c))
        .collect();
    overdue.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    let overdue_rows: Vec<Value> = overdue
        .iter()
        .take(40)
        .map(|(days, c)| {
            let category = Category::find(c.category).map_or("", |k| k.name_zh);
            json!([c.code, category, place(c), days])
        })
        .collect();

    let areas: Vec<Area> = children
        .iter()
        .map(|c| Area {
            geometry: &c.geometry,
            fill: rate_colour(by_code.get(&c.code).and_then(|i| i.closure_rate)).to_owned(),
            label: c.name.clone(),
        })
        .collect();
    let map = map_svg(&areas, &[], &rate_legend(), &unit.name);

    let data = json!({
        "title": format!("{}网格化服务管理月度通报", unit.name),
        "unit": { "name": unit.name, "code": unit.code },
        "month": month.label(),
        "previous": previous.label(),
        "period": format!("{} 至 {}", tz.minute(month.from), tz.minute(month.to)),
        "time_zone": tz.name(),
        "child_level": child_level.map_or("", |l| l.name_zh()),
        "headline": headline,
        "rows": rows,
        "categories": categories,
        "overdue": overdue_rows,
        "overdue_total": overdue.len(),
    });
    Ok((data, map))
}
