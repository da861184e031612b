//! The batch commands on a document: one function per command, returning its JSON.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use crate::cli::Reply;
use crate::demo::{DEFAULT_AS_OF, DemoParams, Scale};
use crate::model::Timestamp;
use crate::{check, demo, store};

/// `gridatlas demo`: a deterministic demo document.
/// What `gridatlas demo` is asked for.
#[derive(clap::Args, Debug)]
pub struct DemoOptions {
    /// Where to write the GeoPackage.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "county")]
    pub scale: Scale,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// "Now" for the demo (cases span the 180 days before it); fixed by default so that
    /// the seed alone determines the data.
    #[arg(long, default_value = DEFAULT_AS_OF)]
    pub as_of: String,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Number of cases instead of the scale's (20,000 for the county).
    #[arg(long)]
    pub cases: Option<usize>,
    /// Give the demo its accounts, one per role with published passphrases (README), and
    /// encrypt its personal data as a real document's.
    #[arg(long, conflicts_with = "admin")]
    pub accounts: bool,
    /// Instead of the demo's accounts, one admin of your own (passphrase from
    /// GRIDATLAS_PASSPHRASE): the demo is then encrypted under your passphrase.
    #[arg(long)]
    pub admin: Option<String>,
}

pub(super) fn demo(o: DemoOptions) -> anyhow::Result<Reply> {
    let DemoOptions {
        out,
        scale,
        seed,
        as_of,
        force,
        cases,
        accounts,
        admin,
    } = o;
    let as_of = Timestamp::parse(&as_of).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
    // Asked before anything is generated: a refused passphrase leaves no file behind.
    let admin = admin
        .map(|a| crate::cli::accounts::first_passphrase(&a).map(|p| (a, p)))
        .transpose()?;
    if out.exists() && !force {
        anyhow::bail!(
            "{}: already exists; choose another name or pass --force to replace it",
            out.display()
        );
    }
    let params = DemoParams {
        scale,
        seed,
        as_of,
        cases,
    };
    let started = Instant::now();
    let dataset = demo::generate(&params, &|_, _| {}).map_err(anyhow::Error::msg)?;
    let generate_ms = started.elapsed().as_millis();
    let written = Instant::now();
    store::create(&out, &dataset, force)?;
    let write_ms = written.elapsed().as_millis();
    let accounts = if let Some((name, passphrase)) = &admin {
        let report =
            store::create_first_admin(&out, name, passphrase, as_of, store::KeySource::Random)?;
        Some(json!({ "accounts": [{ "name": name, "role": "admin" }], "encrypted": report }))
    } else if accounts {
        let list = demo::demo_accounts(&dataset);
        let report = store::install_accounts(&out, &list, as_of, store::KeySource::Seeded(seed))?;
        Some(json!({
            "accounts": list.iter().map(|(name, role, scope, pass)| json!({
                "name": name, "role": role.code(), "scope": scope, "passphrase": pass,
            })).collect::<Vec<_>>(),
            "encrypted": report,
        }))
    } else {
        None
    };
    let counts = dataset.unit_counts();
    Ok(Reply::ok(json!({
        "accounts": accounts,
        "out": out.display().to_string(),
        "scale": format!("{scale:?}").to_lowercase(),
        "seed": seed,
        "as_of": as_of.to_iso(),
        "units_per_level": {
            "county": counts[0], "township": counts[1], "village": counts[2],
            "grid": counts[3], "micro_grid": counts[4],
        },
        "households": dataset.households.len(),
        "persons": dataset.households.iter().map(|h| h.members as u64).sum::<u64>(),
        "workers": dataset.workers.len(),
        "cases": dataset.cases.len(),
        "case_events": dataset.case_events.len(),
        "generate_ms": generate_ms,
        "write_ms": write_ms,
        "total_ms": started.elapsed().as_millis(),
    })))
}

/// `gridatlas info`: counts per table, units per level, versions.
pub(super) fn info(file: PathBuf) -> anyhow::Result<Reply> {
    let info = store::read_info(&file)?;
    Ok(Reply::ok(serde_json::to_value(&info)?))
}

/// `gridatlas stats`: case indicators per unit of a level over a period. Dates are days in
/// the document's time zone; a period that has not ended yet is judged at the clock (a case
/// due later today is not overdue yet).
pub(super) fn stats(file: PathBuf, from: String, to: String, level: i64) -> anyhow::Result<Reply> {
    let level = crate::model::Level::from_number(level)
        .ok_or_else(|| anyhow::anyhow!("--level: {level} is not 1–5"))?;
    let d = store::load(&file)?;
    let tz = &d.meta.time_zone;
    let from = tz
        .parse(&from)
        .map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = tz.parse(&to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    if to <= from {
        anyhow::bail!(
            "--to ({}) must be after --from ({})",
            tz.minute(to),
            tz.minute(from)
        );
    }
    let rows = crate::stats::unit_indicators(&d, level, from, to.min(Timestamp::now()));
    Ok(Reply::ok(serde_json::to_value(&rows)?))
}

/// `gridatlas assign`: recomputes every micro-grid assignment and writes what changed.
pub(super) fn assign(file: PathBuf) -> anyhow::Result<Reply> {
    let started = Instant::now();
    // A writing command: refused up front on a file it may not write (damaged, newer).
    store::ensure_writable(&file)?;
    let mut d = store::load(&file)?;
    // Assignments against broken outlines must not be stored.
    if let Some(v) = check::unfit_to_write(&d) {
        anyhow::bail!(
            "{}: {}; nothing was written — fix the outline first (gridatlas check lists every problem)",
            crate::store::server::location_name(&file),
            v.message
        );
    }
    let mut index = crate::index::SpatialIndex::build(&d);
    let taking_effect = plans_taking_effect(&file, &mut d, &mut index)?;
    let a = index.assign_all(&d);
    let (changed_h, changed_c) = a.changes(&d);
    if !changed_h.is_empty() || !changed_c.is_empty() {
        store::update_assignments(&file, &changed_h, &changed_c)?;
    }
    let outside_h: Vec<i64> = d
        .households
        .iter()
        .zip(&a.households)
        .filter(|(_, u)| u.is_none())
        .map(|(h, _)| h.id.0)
        .collect();
    let outside_c: Vec<i64> = d
        .cases
        .iter()
        .zip(&a.cases)
        .filter(|(_, u)| u.is_none())
        .map(|(c, _)| c.id.0)
        .collect();
    Ok(Reply::ok(json!({
        "file": crate::store::server::location_name(&file),
        "assigned": a.households.len() + a.cases.len() - outside_h.len() - outside_c.len(),
        "assigned_households": a.households.len() - outside_h.len(),
        "assigned_cases": a.cases.len() - outside_c.len(),
        "outside": outside_h.len() + outside_c.len(),
        "outside_ids": { "households": outside_h, "cases": outside_c },
        "changed": changed_h.len() + changed_c.len(),
        "changed_households": changed_h.len(),
        "changed_cases": changed_c.len(),
        "plans_taking_effect": taking_effect,
        "elapsed_ms": started.elapsed().as_millis(),
    })))
}

/// Before a command writes, scheduled plans whose day has come (today in the document's time
/// zone) take effect, as they do when the window opens: the command then works on the net as
/// it stands today. Returns "name · date" of each.
pub(super) fn plans_taking_effect(
    file: &std::path::Path,
    d: &mut crate::model::Dataset,
    index: &mut crate::index::SpatialIndex,
) -> anyhow::Result<Vec<String>> {
    let now = Timestamp::now();
    let today = d.meta.time_zone.date(now);
    let activation = crate::ledger::activate_due_plans(file, &today, &now.to_iso(), d, index);
    if let Some(e) = activation.stopped {
        anyhow::bail!(
            "{}: {e}; nothing else was written",
            crate::store::server::location_name(file)
        );
    }
    Ok(activation
        .done
        .iter()
        .map(crate::ledger::Activated::label)
        .collect())
}

/// `gridatlas deadline`: lists (and sets or resets) the handling windows.
pub(super) fn deadline(
    file: PathBuf,
    category: Option<String>,
    hours: Option<u32>,
    reset: bool,
) -> anyhow::Result<Reply> {
    if let Some(code) = &category {
        let c = crate::model::CategoryCode::parse(code).ok_or_else(|| {
            anyhow::anyhow!("--category: {code:?} is not a known category (MM.NN, e.g. 06.02)")
        })?;
        if let Some(h) = hours.filter(|h| !(1..=8760).contains(h)) {
            anyhow::bail!("--hours: {h} is out of range (1 to 8760)");
        }
        if hours.is_none() && !reset {
            anyhow::bail!("--category needs --hours N or --reset");
        }
        store::set_deadline_hours(&file, c, if reset { None } else { hours })?;
    } else if hours.is_some() || reset {
        anyhow::bail!("--hours and --reset need --category");
    }
    let d = store::load(&file)?;
    let policy = crate::cases::DeadlinePolicy {
        overrides: &d.meta.deadline_hours,
    };
    let rows: Vec<_> = crate::model::Category::all()
        .map(|k| {
            json!({
                "category": k.code.to_string(),
                "name": k.name_zh,
                "hours": policy.window_hours(k.code, crate::model::Level::MicroGrid),
                "own": d.meta.deadline_hours.contains_key(&k.code),
            })
        })
        .collect();
    Ok(Reply::ok(serde_json::to_value(&rows)?))
}

/// `gridatlas import-cases`: a CSV of cases, all rows or none.
pub(super) fn import_cases(
    file: PathBuf,
    csv: PathBuf,
    datum: crate::store::CoordinateDatum,
    actor: String,
) -> anyhow::Result<Reply> {
    let started = Instant::now();
    let server = store::server::as_server(&file);
    // A writing command: refused up front on a file it may not write (damaged, newer).
    store::ensure_writable(&file)?;
    let (dataset, seq) = store::load_with_seq(&file)?;
    // Assignments against broken outlines must not be stored.
    if let Some(v) = check::unfit_to_write(&dataset) {
        anyhow::bail!(
            "{}: {}; nothing was written — fix the outline first (gridatlas check lists every problem)",
            crate::store::server::location_name(&file),
            v.message
        );
    }
    let mut dataset = dataset;
    let mut index = crate::index::SpatialIndex::build(&dataset);
    let taking_effect = plans_taking_effect(&file, &mut dataset, &mut index)?;
    let mut link = match &server {
        Some(url) => Some(store::server::ServerDocument::open(
            url,
            seq,
            dataset.meta.time_zone.clone(),
        )?),
        None => None,
    };
    let target = match link.as_mut() {
        Some(link) => store::Target::Server(link),
        None => store::Target::File(&file),
    };
    let written =
        crate::ledger::import_cases(target, &index, &csv, datum, &actor, &dataset.meta.time_zone)?;
    Ok(Reply::ok(json!({
        "file": store::server::location_name(&file),
        "imported": written.cases.len(),
        "plans_taking_effect": taking_effect,
        "elapsed_ms": started.elapsed().as_millis(),
    })))
}

/// `gridatlas check`: the invariants, by independent code paths; exit code 1 on violations.
pub(super) fn check_document(file: PathBuf) -> anyhow::Result<Reply> {
    let started = Instant::now();
    let dataset = store::load(&file)?;
    let load_ms = started.elapsed().as_millis();
    let mut report = check::check(&dataset);
    // The file itself, by SQLite's own integrity check: a damaged b-tree can still load.
    let sqlite: Vec<check::Violation> = store::integrity_problems(&file)?
        .into_iter()
        .map(|message| check::Violation {
            rule: check::Rule::SqliteIntegrity,
            table: "file",
            id: 0,
            at: None,
            message,
        })
        .collect();
    report.add(sqlite);
    let orphans: Vec<check::Violation> = store::orphan_case_events(&file)?
        .into_iter()
        .map(|(id, case)| check::Violation {
            rule: check::Rule::CaseWorkflow,
            table: "case_events",
            id,
            at: None,
            message: format!(
                "history entry of case id {case}, which no longer exists (deleted by another program); the entry is kept in the file and not shown"
            ),
        })
        .collect();
    report.add(orphans);
    let mut value = serde_json::to_value(&report)?;
    value["file"] = json!(crate::store::server::location_name(&file));
    value["load_ms"] = json!(load_ms);
    Ok(Reply {
        json: value,
        stderr: report
            .violations
            .iter()
            .map(|v| format!("{}: {} id {}: {}", v.rule, v.table, v.id, v.message))
            .collect(),
        code: if report.ok { 0 } else { 1 },
    })
}
