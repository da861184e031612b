//! The command line: batch commands print JSON on stdout (for scripts), errors go to stderr as
//! one line, and the exit code says whether it worked. No arguments (or a file) opens the window.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::demo::{DEFAULT_AS_OF, DemoParams, Scale};
use crate::model::Timestamp;
use crate::{check, demo, store};

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
    },
    /// Counts per table, units per level, schema version.
    Info { file: PathBuf },
    /// Verify the invariants; prints each violation and exits non-zero if there is any.
    Check { file: PathBuf },
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
        } => {
            let as_of = Timestamp::parse(&as_of).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
            if out.exists() && !force {
                anyhow::bail!(
                    "{}: already exists; choose another name or pass --force to replace it",
                    out.display()
                );
            }
            let params = DemoParams { scale, seed, as_of };
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
