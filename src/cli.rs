//! The command line: batch commands print JSON on stdout (for scripts), errors go to stderr as
//! one line, and the exit code says whether it worked. No arguments (or a file) opens the window.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::demo::{DEFAULT_AS_OF, DemoParams, Scale};
use crate::model::Timestamp;
use crate::{check, demo, store};

pub use BenchCommand as Bench;

#[derive(Parser, Debug)]
#[command(
    name = "gridatlas",
    version,
    about = "GridAtlas: a desktop GIS for grid governance (网格化管理)"
)]
pub struct Cli {
    /// A GridAtlas GeoPackage to open in the window (default: the demo in your data directory).
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a deterministic demo dataset inside the real Liuyang county outline.
    Demo {
        /// Where to write the GeoPackage.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "county")]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// "Now" for the demo (cases span the 180 days before it); fixed by default so that
        /// the seed alone determines the data.
        #[arg(long, default_value = DEFAULT_AS_OF)]
        as_of: String,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
        /// Number of cases instead of the scale's (20,000 for the county).
        #[arg(long)]
        cases: Option<usize>,
    },
    /// Counts per table, units per level, schema version.
    Info { file: PathBuf },
    /// Verify the invariants; prints each violation and exits non-zero if there is any.
    Check { file: PathBuf },
    /// Case indicators (domain doc definitions) for every unit of a level over [from, to): a JSON
    /// array of {unit_id, code, name, due, closure_rate, on_time_rate, rework_rate, overdue,
    /// mean_handling_hours}; rates are null when their denominator is zero.
    Stats {
        file: PathBuf,
        /// Start of the period (inclusive), a date or an ISO 8601 UTC time.
        #[arg(long)]
        from: String,
        /// End of the period (exclusive).
        #[arg(long)]
        to: String,
        /// 1 county, 2 township, 3 village, 4 grid, 5 micro-grid.
        #[arg(long, default_value_t = 2)]
        level: i64,
    },
    /// Recompute the micro-grid of every household and case and store it (one transaction).
    Assign { file: PathBuf },
    /// Show the handling windows (hours at the micro-grid level; villages get 1.5×, townships
    /// 2×, the county 3×), or set or reset a document's own window for one category.
    Deadline {
        file: PathBuf,
        /// Category code MM.NN.
        #[arg(long)]
        category: Option<String>,
        /// New window in hours (1 to 8760).
        #[arg(long, conflicts_with = "reset")]
        hours: Option<u32>,
        /// Back to the category table's window.
        #[arg(long)]
        reset: bool,
    },
    /// Import cases from a CSV file as newly reported cases (columns: see README), each located
    /// in its micro-grid; all rows or none.
    ImportCases {
        file: PathBuf,
        #[arg(long)]
        csv: PathBuf,
        /// The datum of the CSV's coordinates.
        #[arg(long, value_enum, default_value = "gcj02")]
        datum: crate::store::CoordinateDatum,
        /// Recorded as the actor of the report events.
        #[arg(long, default_value = "导入")]
        actor: String,
    },
    /// Benchmarks (release build), printing JSON.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// The CPU frame time of a scripted map tour (county, township, village, grid, micro-grid).
    Frame {
        #[arg(long)]
        data: PathBuf,
        /// Window size in points, WxH.
        #[arg(long, default_value = "1920x1080")]
        size: String,
        #[arg(long, default_value_t = 60)]
        frames: usize,
        /// Colour the units by households (the choropleth path) rather than outlines only.
        #[arg(long)]
        choropleth: bool,
    },
    /// The case desk's frame time with the case list open: a filter change every frame, then
    /// the time slider one day further every frame (without and with the heatmap).
    Cases {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value = "1920x1080")]
        size: String,
        #[arg(long, default_value_t = 120)]
        frames: usize,
    },
    /// A scripted planning session through the editor's command path: a long drag of a vertex
    /// grids share (per-frame times with the live balance), a split, a merge, a paint of 50
    /// households (each commit timed with its checks and its write to a copy of the file),
    /// `check` on the result, then undo of everything compared with the original.
    Edit {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 120)]
        frames: usize,
    },
    /// Open a document as the window does: read every table, build every index and statistic.
    Open {
        file: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Index build and assignment of N random points to M Voronoi cells tiling 10 km × 10 km.
    Assign {
        #[arg(long, default_value_t = 1_000_000)]
        households: usize,
        #[arg(long, default_value_t = 30_000)]
        units: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed repetitions; the figures are medians.
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// Density of the locator's bucket grid.
        #[arg(long, default_value_t = crate::index::DEFAULT_BUCKETS_PER_UNIT)]
        buckets_per_unit: f64,
        /// Also write DIR/workload.gpkg (layers cells, points with the computed cell_id).
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

/// Runs a batch command. Returns the process exit code.
pub fn run(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Demo {
            out,
            scale,
            seed,
            as_of,
            force,
            cases,
        } => {
            let as_of = Timestamp::parse(&as_of).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
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
            let counts = dataset.unit_counts();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
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
                    "write_ms": written.elapsed().as_millis(),
                    "total_ms": started.elapsed().as_millis(),
                }))?
            );
            Ok(0)
        }
        Command::Info { file } => {
            let info = store::read_info(&file)?;
            println!("{}", serde_json::to_string_pretty(&info)?);
            Ok(0)
        }
        Command::Bench(BenchCommand::Assign {
            households,
            units,
            seed,
            runs,
            buckets_per_unit,
            write,
        }) => {
            let result = crate::bench::run_assign(&crate::bench::AssignParams {
                households,
                units,
                seed,
                runs,
                buckets_per_unit,
            })
            .map_err(anyhow::Error::msg)?;
            let mut value = serde_json::to_value(&result)?;
            if let (Some(dir), Some(workload)) = (write, &result.workload) {
                std::fs::create_dir_all(&dir)?;
                let path = dir.join("workload.gpkg");
                store::write_workload(
                    &path,
                    &workload.cells,
                    &workload.points,
                    &result.assignment,
                )?;
                value["written"] = json!(path.display().to_string());
            }
            println!("{}", serde_json::to_string_pretty(&value)?);
            Ok(0)
        }
        Command::Stats {
            file,
            from,
            to,
            level,
        } => {
            let from = Timestamp::parse(&from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
            let to = Timestamp::parse(&to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            if to <= from {
                anyhow::bail!(
                    "--to ({}) must be after --from ({})",
                    to.to_iso(),
                    from.to_iso()
                );
            }
            let level = crate::model::Level::from_number(level)
                .ok_or_else(|| anyhow::anyhow!("--level: {level} is not 1–5"))?;
            let d = store::load(&file)?;
            let rows = crate::stats::unit_indicators(&d, level, from, to);
            println!("{}", serde_json::to_string_pretty(&rows)?);
            Ok(0)
        }
        Command::Assign { file } => {
            let started = Instant::now();
            let d = store::load(&file)?;
            let index = crate::index::SpatialIndex::build(&d);
            let a = index.assign_all(&d);
            let changed_h: Vec<_> = d
                .households
                .iter()
                .zip(&a.households)
                .filter(|(h, u)| h.unit != **u)
                .map(|(h, u)| (h.id, h.unit, *u))
                .collect();
            let changed_c: Vec<_> = d
                .cases
                .iter()
                .zip(&a.cases)
                .filter(|(c, u)| c.unit != **u)
                .map(|(c, u)| (c.id, c.unit, *u))
                .collect();
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
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "file": file.display().to_string(),
                    "assigned": a.households.len() + a.cases.len() - outside_h.len() - outside_c.len(),
                    "assigned_households": a.households.len() - outside_h.len(),
                    "assigned_cases": a.cases.len() - outside_c.len(),
                    "outside": outside_h.len() + outside_c.len(),
                    "outside_ids": { "households": outside_h, "cases": outside_c },
                    "changed": changed_h.len() + changed_c.len(),
                    "changed_households": changed_h.len(),
                    "changed_cases": changed_c.len(),
                    "elapsed_ms": started.elapsed().as_millis(),
                }))?
            );
            Ok(0)
        }
        Command::Bench(BenchCommand::Frame {
            data,
            size,
            frames,
            choropleth,
        }) => {
            let (w, h) = parse_size(&size)?;
            let indicator = if choropleth {
                crate::map::Indicator::Households
            } else {
                crate::map::Indicator::None
            };
            let report = crate::app::run_frame_bench(&data, w, h, frames, indicator)
                .map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(0)
        }
        Command::Bench(BenchCommand::Edit { data, frames }) => {
            let report = crate::bench::run_edit(&data, frames).map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(0)
        }
        Command::Bench(BenchCommand::Cases { data, size, frames }) => {
            let (w, h) = parse_size(&size)?;
            let report =
                crate::app::run_cases_bench(&data, w, h, frames).map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(0)
        }
        Command::Deadline {
            file,
            category,
            hours,
            reset,
        } => {
            if let Some(code) = &category {
                let c = crate::model::CategoryCode::parse(code).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--category: {code:?} is not a known category (MM.NN, e.g. 06.02)"
                    )
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
            println!("{}", serde_json::to_string_pretty(&rows)?);
            Ok(0)
        }
        Command::ImportCases {
            file,
            csv,
            datum,
            actor,
        } => {
            let started = Instant::now();
            let dataset = store::load(&file)?;
            let index = crate::index::SpatialIndex::build(&dataset);
            let written = crate::ledger::import_cases(&file, &index, &csv, datum, &actor)?;
            let outside = written.cases.iter().filter(|c| c.unit.is_none()).count();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "file": file.display().to_string(),
                    "imported": written.cases.len(),
                    "outside_any_micro_grid": outside,
                    "elapsed_ms": started.elapsed().as_millis(),
                }))?
            );
            Ok(0)
        }
        Command::Bench(BenchCommand::Open { file, runs }) => {
            let result = crate::bench::run_open(&file, runs)?;
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(0)
        }
        Command::Check { file } => {
            let started = Instant::now();
            let dataset = store::load(&file)?;
            let load_ms = started.elapsed().as_millis();
            let report = check::check(&dataset);
            let mut value = serde_json::to_value(&report)?;
            value["file"] = json!(file.display().to_string());
            value["load_ms"] = json!(load_ms);
            println!("{}", serde_json::to_string_pretty(&value)?);
            for violation in &report.violations {
                eprintln!(
                    "{}: {} id {}: {}",
                    violation.rule, violation.table, violation.id, violation.message
                );
            }
            Ok(if report.ok { 0 } else { 1 })
        }
    }
}

fn parse_size(size: &str) -> anyhow::Result<(f32, f32)> {
    size.split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--size: '{size}' is not WxH, e.g. 1920x1080"))
}
