//! Proposals and plans from the command line: `partition` and `rebalance` draft a plan through
//! the editor's path (the window's), `plan list|show|approve` review and approve plans, so a
//! proposal can be scripted end to end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use crate::cli::Reply;
use crate::edit::Editor;
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, Permission, Timestamp, UnitId, UnitTree};
use crate::propose::{Census, Options, Proposal, unit_with_code};
use crate::store;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntoLevel {
    Grid,
    /// Written as the level's code is elsewhere (`micro_grid`); `micro-grid` also works.
    #[value(name = "micro_grid", alias = "micro-grid")]
    MicroGrid,
}

impl IntoLevel {
    fn level(self) -> Level {
        match self {
            IntoLevel::Grid => Level::Grid,
            IntoLevel::MicroGrid => Level::MicroGrid,
        }
    }
}

/// What partition and rebalance share.
#[derive(clap::Args, Debug, Clone)]
pub struct ProposalArgs {
    pub file: PathBuf,
    /// The unit to cut or rebalance, by code (a village for grids, a grid for micro-grids).
    #[arg(long)]
    pub unit: String,
    /// Households per unit to aim at (default: 100 per grid, 20 per micro-grid).
    #[arg(long)]
    pub households: Option<u32>,
    /// Allowed deviation from the target (0.2 = ±20 %).
    #[arg(long, default_value_t = 0.2)]
    pub tolerance: f64,
    /// Codes of today's units to keep exactly as they are, separated by commas.
    #[arg(long, value_delimiter = ',')]
    pub lock: Vec<String>,
    /// The name of the draft plan (default: what it does, the unit and the time).
    #[arg(long)]
    pub plan: Option<String>,
    /// Report the proposal without drafting a plan.
    #[arg(long)]
    pub dry_run: bool,
    /// The account drafting the plan (once the document has accounts).
    #[arg(long)]
    pub user: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum PlanCommand {
    /// Every plan with its status, date and number of steps.
    List { file: PathBuf },
    /// A plan's comparison with the live net, as JSON.
    Show {
        file: PathBuf,
        /// The plan's name (or its id).
        #[arg(long)]
        plan: String,
    },
    /// Approves a draft: in effect today, or scheduled for a later --effective date.
    Approve {
        file: PathBuf,
        #[arg(long)]
        plan: String,
        /// The local day it takes effect (YYYY-MM-DD; default today).
        #[arg(long)]
        effective: Option<String>,
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Clone, Copy)]
enum Kind {
    Partition {
        into: IntoLevel,
        count: Option<usize>,
        seed: u64,
    },
    Rebalance,
}

pub(super) fn partition(
    args: ProposalArgs,
    into: IntoLevel,
    count: Option<usize>,
    seed: u64,
) -> anyhow::Result<Reply> {
    propose(args, Kind::Partition { into, count, seed })
}

pub(super) fn rebalance(args: ProposalArgs) -> anyhow::Result<Reply> {
    propose(args, Kind::Rebalance)
}

fn propose(args: ProposalArgs, kind: Kind) -> anyhow::Result<Reply> {
    let started = Instant::now();
    let file = args.file.clone();
    let who = crate::cli::accounts::authorize(
        &file,
        args.user.as_deref(),
        Permission::Plan,
        "draft a boundary plan",
    )?;
    if !args.dry_run {
        store::ensure_writable(&file)?;
    }
    let mut d = store::load(&file)?;
    if let Some(v) = crate::check::unfit_to_write(&d) {
        anyhow::bail!(
            "{}: {}; nothing was written — fix the outline first (gridatlas check lists every problem)",
            store::server::location_name(&file),
            v.message
        );
    }
    let mut index = SpatialIndex::build(&d);
    let taking_effect = if args.dry_run {
        Vec::new()
    } else {
        crate::cli::document::plans_taking_effect(&file, &mut d, &mut index)?
    };
    let Some(unit) = unit_with_code(&d, &args.unit) else {
        anyhow::bail!(
            "--unit {}: no unit of {} has that code",
            args.unit,
            store::server::location_name(&file)
        );
    };
    let options = Options {
        households: args.households,
        count: match kind {
            Kind::Partition { count, .. } => count,
            Kind::Rebalance => None,
        },
        tolerance: args.tolerance,
        lock: args.lock.clone(),
        seed: match kind {
            Kind::Partition { seed, .. } => seed,
            Kind::Rebalance => 1,
        },
    };
    let census = Census::new(&d);
    let Some(parent) = d.units.iter().find(|u| u.id == unit).cloned() else {
        anyhow::bail!("--unit {}: no such unit", args.unit);
    };
    // A township is proposed village by village, in one plan.
    let township = parent.level == Level::Township;
    let targets: Vec<(UnitId, String)> = if township {
        let mut v: Vec<(UnitId, String)> = d
            .units
            .iter()
            .filter(|u| u.parent == Some(unit) && u.level == Level::Village)
            .map(|u| (u.id, u.code.clone()))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    } else {
        vec![(unit, parent.code.clone())]
    };
    if let Kind::Partition { into, .. } = kind {
        let expected = if township {
            Some(Level::Grid)
        } else {
            parent.level.child()
        };
        if expected != Some(into.level()) {
            anyhow::bail!(
                "--unit {} --into {}: a village (or each village of a township) is cut into grids, a grid into micro-grids",
                args.unit,
                match into {
                    IntoLevel::Grid => "grid",
                    IntoLevel::MicroGrid => "micro_grid",
                }
            );
        }
    }
    if township && options.count.is_some() {
        anyhow::bail!(
            "--count {}: a township is cut village by village; give --households, or --count for one village",
            options.count.unwrap_or(0)
        );
    }
    let now = Timestamp::now();
    let name = args.plan.clone().unwrap_or_else(|| {
        let what = match kind {
            Kind::Partition { .. } => "自动划分",
            Kind::Rebalance => "均衡调整",
        };
        format!("{what} {} {}", parent.name, d.meta.time_zone.minute(now))
    });
    let mut editor = Editor::default();
    let mut plan: Option<i64> = None;
    let mut reports: Vec<serde_json::Value> = Vec::new();
    for (target, code) in &targets {
        let mut opts = options.clone();
        if township {
            // Each village takes the locked codes that are its own grids.
            opts.lock.retain(|l| l.trim().starts_with(code.as_str()));
        }
        let proposal = match kind {
            Kind::Partition { .. } => crate::propose::partition(&d, &census, *target, &opts)?,
            Kind::Rebalance => crate::propose::rebalance(&d, &census, *target, &opts)?,
        };
        let mut report = proposal.report();
        if !args.dry_run && proposal.changes_anything() {
            let change = draft_step(
                &file,
                &mut d,
                &mut index,
                &mut editor,
                &proposal,
                &mut plan,
                (&name, &now.to_iso()),
            )
            .map_err(|e| match plan {
                Some(id) if township => anyhow::anyhow!(
                    "{e} (plan {name}, id {id}, keeps the villages before {code} as its steps)"
                ),
                _ => e,
            })?;
            report.name_new_units(&change, proposal.blocks.level);
        }
        let report = serde_json::to_value(report)?;
        reports.push(report);
    }
    let solved_ms = started.elapsed().as_secs_f64() * 1000.0;
    let plan = match plan {
        Some(id) => json!({ "id": id, "name": name, "status": "draft",
            "steps": editor.changes().len(),
            "by": who.as_ref().map(|s| s.account.name.clone()) }),
        None => serde_json::Value::Null,
    };
    let mut reply = if township {
        let f = |key: &'static str| reports.iter().filter_map(move |r| r[key].as_f64());
        json!({
            "unit_code": parent.code,
            "unit_name": parent.name,
            "villages": reports.len(),
            "villages_within_tolerance": reports.iter().filter(|r| r["within_tolerance"] == true).count(),
            "villages_feasible": reports.iter().filter(|r| r["feasible"] == true).count(),
            "worst_deviation": f("worst_deviation").fold(0.0, f64::max),
            "polsby_popper_min": f("polsby_popper_min").reduce(f64::min),
            "households_moved": f("households_moved").sum::<f64>(),
            "contiguous": reports.iter().all(|r| r["contiguous"] == true),
            "reports": reports,
        })
    } else {
        reports.pop().unwrap_or_default()
    };
    reply["plan"] = plan;
    reply["plans_taking_effect"] = json!(taking_effect);
    reply["solve_ms"] = json!((solved_ms * 10.0).round() / 10.0);
    reply["elapsed_ms"] = json!(started.elapsed().as_millis());
    Ok(Reply::ok(reply))
}

/// Drafts `proposal` as the next step of the plan (created, named `name`, before its first
/// step), through the editor's commit (every invariant checked) and the plan session (file
/// first). Returns the step.
pub(crate) fn draft_step(
    file: &Path,
    d: &mut Dataset,
    index: &mut SpatialIndex,
    editor: &mut Editor,
    proposal: &Proposal,
    plan: &mut Option<i64>,
    (name, created_at): (&str, &str),
) -> anyhow::Result<crate::edit::Change> {
    let change = proposal
        .apply(editor, d, index)
        .map_err(|e| {
            anyhow::anyhow!(
                "{} {} {}: the proposal was refused: {e}; nothing was written",
                store::server::location_name(file),
                proposal.blocks.parent.code,
                proposal.blocks.parent.name
            )
        })?
        .clone();
    let id = match *plan {
        Some(id) => id,
        None => {
            // Memory goes back while the plan is created, as the window does: file first.
            change.revert(d);
            let made = store::create_plan(file, name, created_at);
            change.apply(d);
            let id = match made {
                Ok(id) => id,
                Err(e) => {
                    editor.undo(d, index);
                    return Err(e.into());
                }
            };
            *plan = Some(id);
            id
        }
    };
    let session = crate::ledger::PlanSession {
        path: file.to_owned(),
        plan: id,
    };
    session.keep(d, index, editor)?;
    Ok(change)
}

fn find_plan(file: &Path, plan: &str) -> anyhow::Result<store::PlanInfo> {
    let plans = store::list_plans(file)?;
    let by_name: Vec<&store::PlanInfo> = plans.iter().filter(|p| p.name == plan).collect();
    match by_name.as_slice() {
        [one] => return Ok((*one).clone()),
        [] => {}
        _ => anyhow::bail!(
            "--plan {plan}: {} plans have that name; give the id instead ({})",
            by_name.len(),
            by_name
                .iter()
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
    plan.parse::<i64>()
        .ok()
        .and_then(|id| plans.iter().find(|p| p.id == id).cloned())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--plan {plan}: {} has no plan of that name or id (gridatlas plan list names them)",
                store::server::location_name(file)
            )
        })
}

pub(super) fn plan(command: PlanCommand) -> anyhow::Result<Reply> {
    match command {
        PlanCommand::List { file } => {
            let plans = store::list_plans(&file)?;
            Ok(Reply::ok(
                json!({ "file": store::server::location_name(&file), "plans": plans }),
            ))
        }
        PlanCommand::Show { file, plan } => show(&file, &plan),
        PlanCommand::Approve {
            file,
            plan,
            effective,
            user,
        } => approve(&file, &plan, effective.as_deref(), user.as_deref()),
    }
}

/// Polsby–Popper of an outline (4πA/P², in local metres).
fn polsby_popper(mp: &geo_types::MultiPolygon<f64>) -> f64 {
    use geo::{Area, BoundingRect};
    let Some(r) = mp.bounding_rect() else {
        return 0.0;
    };
    let frame = crate::geom::LocalMetres::new(r.center().x, r.center().y);
    let m = frame.forward_multipolygon(mp);
    let p = crate::propose::perimeter(&m);
    if p > 0.0 {
        ((4.0 * std::f64::consts::PI * m.unsigned_area() / (p * p)) * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

fn show(file: &Path, plan: &str) -> anyhow::Result<Reply> {
    let info = find_plan(file, plan)?;
    let steps = store::plan_steps(file, info.id)?;
    let labels: Vec<&str> = steps.iter().map(|s| s.label.as_str()).collect();
    if info.status == "approved" {
        return Ok(Reply::ok(json!({
            "plan": info,
            "steps": labels,
            "note": "approved: its changes are the live net now (the replaced units are in unit_history)",
        })));
    }
    let mut d = store::load(file)?;
    let mut index = SpatialIndex::build(&d);
    // Households and persons per unit, rolled up the hierarchy (the window's statistics).
    let live = crate::stats::Stats::compute(&d, d.meta.as_of);
    let live_units: HashMap<UnitId, crate::model::Unit> =
        d.units.iter().map(|u| (u.id, u.clone())).collect();
    let mut editor = Editor::default();
    crate::ledger::open_plan(file, info.id, &mut d, &mut index, &mut editor)?;
    let planned = crate::stats::Stats::compute(&d, d.meta.as_of);
    let diff = crate::ledger::diff(&d, editor.changes());
    let tree = UnitTree::new(&d);
    let unit_json = |id: UnitId, state: &str| {
        let now = d.units.iter().find(|u| u.id == id);
        let was = live_units.get(&id);
        let u = now.or(was);
        let level = u.map(|u| u.level).unwrap_or(Level::Grid);
        let standard = crate::propose::standard_households(level) as f64;
        let (h_after, p_after) = if now.is_some() {
            planned
                .get(id)
                .map_or((0, 0), |t| (t.households, t.persons))
        } else {
            (0, 0)
        };
        let (h_before, _) = if was.is_some() {
            live.get(id).map_or((0, 0), |t| (t.households, t.persons))
        } else {
            (0, 0)
        };
        json!({
            "state": state,
            "id": id.0,
            "level": level.name_en(),
            "code": now.map(|u| u.code.clone()),
            "live_code": was.map(|u| u.code.clone()),
            "name": u.map(|u| u.name.clone()),
            "households_before": h_before,
            "households_after": h_after,
            "persons_after": p_after,
            "deviation": if now.is_some() && matches!(level, Level::Grid | Level::MicroGrid) {
                json!((((h_after as f64 - standard) / standard) * 10_000.0).round() / 10_000.0)
            } else { serde_json::Value::Null },
            "polsby_popper": now.map(|u| polsby_popper(&u.geometry)),
        })
    };
    let mut units = Vec::new();
    for &id in &diff.created {
        units.push(unit_json(id, "created"));
    }
    for &id in &diff.changed {
        units.push(unit_json(id, "changed"));
    }
    for &id in &diff.removed {
        units.push(unit_json(id, "removed"));
    }
    // Households whose grid (or micro-grid) is another than today's.
    let live_tree_parent: HashMap<UnitId, Option<UnitId>> =
        live_units.values().map(|u| (u.id, u.parent)).collect();
    let mut grid_moved = 0usize;
    let mut micro_moved = 0usize;
    let moved_micro: HashMap<usize, Option<UnitId>> = diff
        .households
        .iter()
        .map(|&(h, from, _)| (h, from))
        .collect();
    for (i, h) in d.households.iter().enumerate() {
        let live_micro = moved_micro.get(&i).copied().unwrap_or(h.unit);
        if live_micro != h.unit {
            micro_moved += 1;
        }
        let live_grid = live_micro.and_then(|m| live_tree_parent.get(&m).copied().flatten());
        let plan_grid = h.unit.and_then(|m| tree.ancestor_at(m, Level::Grid));
        if live_grid != plan_grid {
            grid_moved += 1;
        }
    }
    // Balance and compactness per level of the units the plan creates or changes.
    let mut by_level = serde_json::Map::new();
    for level in [Level::Village, Level::Grid, Level::MicroGrid] {
        let name = level.name_en();
        let of_level: Vec<&serde_json::Value> = units
            .iter()
            .filter(|u| u["state"] != "removed" && u["level"] == name)
            .collect();
        if of_level.is_empty() {
            continue;
        }
        let deviations: Vec<f64> = of_level
            .iter()
            .filter_map(|u| u["deviation"].as_f64())
            .collect();
        let pps: Vec<f64> = of_level
            .iter()
            .filter_map(|u| u["polsby_popper"].as_f64())
            .collect();
        by_level.insert(
            name.replace(' ', "_"),
            json!({
                "units": of_level.len(),
                "worst_deviation": deviations.iter().map(|x| x.abs()).fold(0.0, f64::max),
                "polsby_popper_mean": if pps.is_empty() { serde_json::Value::Null } else {
                    json!((pps.iter().sum::<f64>() / pps.len() as f64 * 10_000.0).round() / 10_000.0)
                },
                "polsby_popper_min": pps.iter().copied().reduce(f64::min),
            }),
        );
    }
    Ok(Reply::ok(json!({
        "plan": info,
        "steps": labels,
        "units": units,
        "units_created": diff.created.len(),
        "units_changed": diff.changed.len(),
        "units_removed": diff.removed.len(),
        "households_changing_micro_grid": micro_moved,
        "households_changing_grid": grid_moved,
        "cases_changing_unit": diff.cases.len(),
        "workers_changing_unit": diff.workers.len(),
        "by_level": by_level,
        "note": "codes of created units are renumbered by the GB/T rule on approval where they collide with a retired code",
    })))
}

fn approve(
    file: &Path,
    plan: &str,
    effective: Option<&str>,
    user: Option<&str>,
) -> anyhow::Result<Reply> {
    let who = crate::cli::accounts::authorize(file, user, Permission::Plan, "approve a plan")?;
    store::ensure_writable(file)?;
    let info = find_plan(file, plan)?;
    if info.status != "draft" {
        anyhow::bail!(
            "--plan {}: it is {} already; only a draft is approved",
            info.name,
            info.status
        );
    }
    let mut d = store::load(file)?;
    let mut index = SpatialIndex::build(&d);
    crate::cli::document::plans_taking_effect(file, &mut d, &mut index)?;
    let tz = d.meta.time_zone.clone();
    let now = Timestamp::now();
    let today = tz.date(now);
    let date = match effective {
        None => today.clone(),
        Some(text) => {
            let t = tz
                .parse(text.trim())
                .map_err(|e| anyhow::anyhow!("--effective {text}: {e}"))?;
            tz.date(t)
        }
    };
    let actor = who
        .as_ref()
        .map_or_else(|| "命令行".to_owned(), |s| s.account.name.clone());
    let audit = |date: &str| {
        store::audit::record(
            file,
            &store::AuditEvent {
                at: now,
                actor: actor.clone(),
                action: store::AuditAction::PlanApproval,
                target: info.name.clone(),
                reason: String::new(),
                detail: format!("effective {date}"),
            },
        )
    };
    if date > today {
        crate::ledger::schedule(file, info.id, &date, &now.to_iso())?;
        audit(&date)?;
        return Ok(Reply::ok(json!({
            "plan": info.name, "id": info.id, "status": "scheduled", "effective_date": date,
        })));
    }
    let mut editor = Editor::default();
    crate::ledger::open_plan(file, info.id, &mut d, &mut index, &mut editor)?;
    let created_before: Vec<UnitId> = crate::ledger::diff(&d, editor.changes()).created;
    let a = crate::ledger::approve(
        file,
        info.id,
        &mut d,
        &mut index,
        &mut editor,
        &date,
        &now.to_iso(),
    )?;
    audit(&date)?;
    let created: Vec<serde_json::Value> = created_before
        .iter()
        .filter_map(|id| d.units.iter().find(|u| u.id == *id))
        .map(|u| json!({ "code": u.code, "name": u.name, "level": u.level.name_en() }))
        .collect();
    Ok(Reply::ok(json!({
        "plan": info.name,
        "id": info.id,
        "status": "approved",
        "effective_date": date,
        "units_written": a.units_written,
        "history_rows": a.history_rows,
        "renumbered": a.renumbered,
        "households_moved": a.households_moved,
        "created": created,
    })))
}
