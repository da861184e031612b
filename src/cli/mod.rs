//! The command line: batch commands print JSON on stdout (for scripts), errors go to stderr as
//! one line, and the exit code says whether it worked. No arguments (or a file) opens the window.

mod accounts;
mod bench;
mod bench_import;
mod briefing;
mod document;
mod export;
mod import;
mod plan;
mod server;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::Permission;

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
    /// Open the wall display (大屏) at start, beside the desk.
    #[arg(long)]
    pub wall: bool,
    /// The monitor the wall goes fullscreen on (0, 1, … in the system's order); implies --wall.
    #[arg(long)]
    pub monitor: Option<usize>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a deterministic demo dataset inside the real Liuyang county outline.
    Demo(document::DemoOptions),
    /// Writes units, households, workers or cases to .csv or .geojson; names, phones and
    /// addresses are masked unless --unmasked.
    Export {
        #[arg(value_enum)]
        what: export::What,
        file: PathBuf,
        #[arg(long)]
        to: PathBuf,
        /// Units of this level only (1 county … 5 micro-grid).
        #[arg(long)]
        level: Option<i64>,
        /// Names, phones and addresses in full: needs --reason, and --user once the document
        /// has accounts (an operator or admin); logged, and the file carries a watermark line.
        #[arg(long)]
        unmasked: bool,
        /// Why personal data leaves the document (recorded in the audit log and the watermark).
        #[arg(long)]
        reason: Option<String>,
        /// The account exporting (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
    /// An empty document for a county: its outline becomes the union of its townships once they
    /// are imported, unless a 6-digit feature brings the county's own.
    New {
        file: PathBuf,
        /// The county's 6-digit administrative code (GB/T 2260), e.g. 330624.
        #[arg(long)]
        county_code: String,
        /// The county's name, e.g. 新昌县.
        #[arg(long)]
        name: String,
        /// The IANA time zone the document's days are judged in.
        #[arg(long, default_value = "Asia/Shanghai")]
        time_zone: String,
        /// The first account, an admin (passphrase from GRIDATLAS_PASSPHRASE, else asked):
        /// personal data imported later is stored encrypted.
        #[arg(long)]
        admin: Option<String>,
    },
    /// Write the Excel template a roster is filled in (Chinese headers, code columns as text,
    /// drop-downs for tags, roles and party membership).
    Template {
        #[arg(value_enum)]
        kind: crate::import::TemplateKind,
        #[arg(long)]
        out: PathBuf,
    },
    /// Bring a county's own data in: boundaries (Shapefile, GeoJSON, GeoPackage).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Copy a document into an empty PostgreSQL/PostGIS database (one transaction): many
    /// seats then work on it live (open the URL in the window or give it to any command).
    Publish {
        file: PathBuf,
        /// postgresql://user[:password]@host[:port]/database
        #[arg(long)]
        to: String,
    },
    /// A GeoPackage snapshot of a server document (for a laptop in the field, or an archive).
    Pull {
        url: String,
        #[arg(long)]
        to: PathBuf,
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
        /// Start of the period (inclusive): a date (its midnight in the document's time zone),
        /// a local time `2026-05-03 08:15`, or an ISO 8601 time with its offset.
        #[arg(long)]
        from: String,
        /// End of the period (exclusive), read like `--from`.
        #[arg(long)]
        to: String,
        /// 1 county, 2 township, 3 village, 4 grid, 5 micro-grid.
        #[arg(long, default_value_t = 2)]
        level: i64,
    },
    /// Staffing ("1+3+N"): grids without a 网格长 or a 专职网格员, micro-grids without a
    /// 微网格长, and households per worker of every grid.
    Staffing { file: PathBuf },
    /// Recompute the micro-grid of every household and case and store it (one transaction).
    Assign {
        file: PathBuf,
        /// The admin running it (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
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
        /// The admin changing a window (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
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
        /// Recorded as the actor of the report events (default: the signed-in account, else 导入).
        #[arg(long)]
        actor: Option<String>,
        /// The account importing (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
    /// Briefings on paper (PDF, fonts embedded): the monthly bulletin and the grid-meeting
    /// sheet. No personal data beyond masked names of households to visit.
    #[command(subcommand)]
    Briefing(BriefingCommand),
    /// Accounts of the document: add (the first one, an admin, encrypts the personal data),
    /// list, remove, passwd.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// The audit log: every sign-in, reveal, export, import, case step, plan approval and
    /// account change, hash-chained; --verify checks the chain (exit 1 on a finding).
    Audit {
        file: PathBuf,
        /// From this day or time (inclusive), in the document's time zone.
        #[arg(long)]
        from: Option<String>,
        /// Up to this day or time (exclusive).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        verify: bool,
    },
    /// 自动划分: a draft plan cutting a village into grids of about N households (whole
    /// micro-grids) or a grid into micro-grids (households' cells), contiguous, within
    /// tolerance, compact; locked units kept. Prints the report and the plan.
    Partition {
        #[command(flatten)]
        args: plan::ProposalArgs,
        #[arg(long, value_enum)]
        into: plan::IntoLevel,
        /// How many units in all (locked ones included), instead of --households.
        #[arg(long, conflicts_with = "households")]
        count: Option<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// 均衡调整: a draft plan bringing every child of the unit within tolerance by moving as
    /// few households as possible across the borders they have.
    Rebalance {
        #[command(flatten)]
        args: plan::ProposalArgs,
    },
    /// Boundary plans: list, show a plan's comparison, approve.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Benchmarks (release build), printing JSON.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand, Debug)]
pub enum BriefingCommand {
    /// The monthly bulletin (月度通报) of the county, or of `--unit`: indicators with the change
    /// from the month before, a row per child unit, top categories, the map by 结案率, the
    /// overdue cases. Figures equal `gridatlas stats` for the same month.
    Monthly {
        file: PathBuf,
        /// The month, `2026-10`, in the document's time zone.
        #[arg(long)]
        month: String,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// A centre's own typst template (default: assets/briefing/monthly.typ, built in).
        #[arg(long)]
        template: Option<PathBuf>,
    },
    /// The weekly grid-meeting sheet (网格夜话, 问题挂图销号) of one grid: its map with the open
    /// cases numbered, their list, the households to visit (names masked), the workers.
    Grid {
        file: PathBuf,
        /// The grid's 15-digit code.
        #[arg(long)]
        unit: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        template: Option<PathBuf>,
        /// The account printing it (needed once the document has accounts: the households to
        /// visit are chosen by their sealed tags).
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Units from Shapefile (.shp, GBK or UTF-8), GeoJSON or a GeoPackage layer: snapped within
    /// --snap-m, checked for gaps, overlaps, self-intersections, units outside their parent,
    /// codes extending no parent and duplicates; all or nothing.
    Units {
        file: PathBuf,
        /// The layer file(s); levels may come in any order, parents in the same import or
        /// already in the document.
        #[arg(long, required = true, num_args = 1..)]
        from: Vec<PathBuf>,
        /// The GeoPackage layer (default: the only one, or `units`).
        #[arg(long)]
        layer: Option<String>,
        /// township, village, grid or micro_grid (default: from each code's length).
        #[arg(long)]
        level: Option<String>,
        /// The field holding the code (default 编码, code, CODE).
        #[arg(long)]
        code_field: Option<String>,
        /// The field holding the name (default 名称, name, NAME).
        #[arg(long)]
        name_field: Option<String>,
        /// The .dbf's text encoding when it has no .cpg (default: detected).
        #[arg(long, value_enum)]
        encoding: Option<crate::import::TextEncoding>,
        /// The datum of the coordinates.
        #[arg(long, value_enum, default_value = "gcj02")]
        datum: crate::store::CoordinateDatum,
        /// Vertices this close (metres) to a neighbour's vertex or edge are snapped to it.
        #[arg(long, default_value_t = 1.0)]
        snap_m: f64,
        /// Repair gaps, overlaps, invalid rings and units sticking out, by the stated rules,
        /// and list every repair.
        #[arg(long)]
        repair: bool,
        /// Report everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The admin importing (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
    /// Households from .xlsx or .csv (户编号, 地址, 户主姓名, 联系电话, 家庭人数, 标签, 经度,
    /// 纬度, optionally 所属微网格编码), each located in its micro-grid; all rows or none.
    Households {
        file: PathBuf,
        #[arg(long)]
        from: PathBuf,
        /// The workbook's sheet (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long, value_enum, default_value = "gcj02")]
        datum: crate::store::CoordinateDatum,
        /// add: new households (a 户编号 that exists is refused); update: change the ones named.
        #[arg(long, value_enum, default_value = "add")]
        mode: crate::import::RosterMode,
        /// Where a row's 所属微网格编码 is not the micro-grid its point lies in, take the
        /// point's (each such row is listed in the report) instead of refusing the file.
        #[arg(long)]
        by_location: bool,
        #[arg(long)]
        dry_run: bool,
        /// The account importing (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
    /// Workers from .xlsx or .csv (姓名, 联系电话, 岗位, 所属单元编码, 是否党员); all rows or none.
    Workers {
        file: PathBuf,
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long)]
        dry_run: bool,
        /// The account importing (needed once the document has accounts).
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Partition and rebalance on a range of villages (into grids) and grids (into
    /// micro-grids) against the naive baseline (k-means → Voronoi), the largest village alone,
    /// and a rebalance of every village; never writes.
    Partition {
        #[arg(long)]
        data: PathBuf,
        /// Villages in the range (smallest to largest by households).
        #[arg(long, default_value_t = 8)]
        villages: usize,
        /// Grids in the range, cut into micro-grids.
        #[arg(long, default_value_t = 6)]
        grids: usize,
        #[arg(long, default_value_t = 0.2)]
        tolerance: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Operators at many seats on one server document: steps per second, conflicts refused,
    /// propagation from one seat's commit to another seat's screen, and lost updates (0).
    Seats {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 20)]
        seats: usize,
        #[arg(long, default_value_t = 30.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// A real county moving in, end to end: the document's units exported to GeoJSON and its
    /// households to .xlsx, a new document made, both imported (units with snapping); the
    /// times of each step, and whether every unit keeps its households and persons.
    Import {
        #[arg(long)]
        data: PathBuf,
        /// Where the exports and the new document go (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Digitising noise: every micro-grid's vertices moved independently by up to this
        /// many metres before the import (0: the export as it is), so that snapping has work.
        #[arg(long, default_value_t = 0.0)]
        noise_m: f64,
    },
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
        /// Only this stop (county, township, village, grid or micro-grid): to profile one.
        #[arg(long)]
        stop: Option<String>,
    },
    /// The wall display's frame time through the real code at every stop of its tour (the
    /// county, then each township): p50/p95/max per stop.
    Wall {
        #[arg(long)]
        data: PathBuf,
        /// Screen size in points, WxH (3840x2160 for a 4K wall, 1280x720 for a projector).
        #[arg(long, default_value = "3840x2160")]
        size: String,
        #[arg(long, default_value_t = 30)]
        frames: usize,
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
    /// Both briefings of a document, timed: the monthly bulletin of the county for the month
    /// before the document's as-of date, and the grid-meeting sheet of the grid with the most
    /// open cases (PDFs written to --dir, default a temporary directory).
    Briefing {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Open a document as the window does: read every table, build every index and statistic.
    Open {
        file: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Sign in (GRIDATLAS_PASSPHRASE) and time the decryption too, as the window opens an
        /// encrypted document.
        #[arg(long)]
        user: Option<String>,
        /// Time the window's own open instead (`Document::open`: the index, statistics, map
        /// geometry and outline check built side by side), alone in the process so that its
        /// peak memory is its own.
        #[arg(long)]
        window: bool,
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

/// What a command answers: its JSON (printed on stdout), lines for stderr, and the exit code.
pub struct Reply {
    pub json: serde_json::Value,
    pub stderr: Vec<String>,
    pub code: i32,
}

impl Reply {
    pub fn ok(json: serde_json::Value) -> Reply {
        Reply {
            json,
            stderr: Vec::new(),
            code: 0,
        }
    }
}

/// Runs a batch command: its JSON on stdout, its remarks on stderr. Returns the exit code.
pub fn run(command: Command) -> anyhow::Result<i32> {
    use std::io::Write;
    let reply = answer(command)?;
    let mut out = std::io::stdout().lock();
    let printed =
        writeln!(out, "{}", serde_json::to_string_pretty(&reply.json)?).and_then(|()| out.flush());
    match printed {
        // `gridatlas stats … | head`: the reader has what it wanted; end quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e.into()),
        Ok(()) => {}
    }
    for line in &reply.stderr {
        eprintln!("{line}");
    }
    Ok(reply.code)
}

/// Runs a batch command and returns what it answers, without printing.
pub fn answer(command: Command) -> anyhow::Result<Reply> {
    match command {
        Command::Demo(options) => document::demo(options),
        Command::Info { file } => server::on_snapshot(file, document::info),
        Command::Publish { file, to } => server::publish(file, to),
        Command::Pull { url, to } => server::pull(url, to),
        Command::Bench(BenchCommand::Seats {
            url,
            seats,
            seconds,
            seed,
        }) => server::bench_seats(url, seats, seconds, seed),
        Command::New {
            file,
            county_code,
            name,
            time_zone,
            admin,
        } => import::new_document(file, county_code, name, time_zone, admin),
        Command::Import(c) => import::import(c),
        Command::Template { kind, out } => import::template(kind, out),
        Command::Briefing(c) => briefing::briefing(c),
        Command::Export {
            what,
            file,
            to,
            level,
            unmasked,
            reason,
            user,
        } => export::export(
            what,
            file,
            to,
            level,
            export::Personal {
                unmasked,
                reason,
                user,
            },
        ),
        Command::Bench(BenchCommand::Assign {
            households,
            units,
            seed,
            runs,
            buckets_per_unit,
            write,
        }) => bench::assign(households, units, seed, runs, buckets_per_unit, write),
        Command::Stats {
            file,
            from,
            to,
            level,
        } => server::on_snapshot(file, |f| document::stats(f, from, to, level)),
        Command::Assign { file, user } => {
            accounts::authorize(
                &file,
                user.as_deref(),
                Permission::Import,
                "reassign households",
            )?;
            document::assign(file)
        }
        Command::Bench(BenchCommand::Wall { data, size, frames }) => {
            bench::wall(data, size, frames)
        }
        Command::Bench(BenchCommand::Frame {
            data,
            size,
            frames,
            choropleth,
            stop,
        }) => bench::frame(data, size, frames, choropleth, stop),
        Command::Bench(BenchCommand::Edit { data, frames }) => bench::edit(data, frames),
        Command::Bench(BenchCommand::Partition {
            data,
            villages,
            grids,
            tolerance,
            seed,
        }) => bench::partition(data, villages, grids, tolerance, seed),
        Command::Bench(BenchCommand::Cases { data, size, frames }) => {
            bench::cases(data, size, frames)
        }
        Command::Deadline {
            file,
            category,
            hours,
            reset,
            user,
        } => {
            if hours.is_some() || reset {
                accounts::authorize(
                    &file,
                    user.as_deref(),
                    Permission::Import,
                    "change handling windows",
                )?;
            }
            document::deadline(file, category, hours, reset)
        }
        Command::ImportCases {
            file,
            csv,
            datum,
            actor,
            user,
        } => {
            let by = accounts::authorize(
                &file,
                user.as_deref(),
                Permission::CaseSteps,
                "import cases",
            )?;
            let actor = actor
                .or_else(|| by.map(|s| s.account.name))
                .unwrap_or_else(|| "导入".to_owned());
            document::import_cases(file, csv, datum, actor)
        }
        Command::Bench(BenchCommand::Open {
            file,
            runs,
            user,
            window,
        }) => bench::open(file, runs, user, window),
        Command::Bench(BenchCommand::Briefing { data, runs, dir }) => {
            briefing::bench(data, runs, dir)
        }
        Command::Bench(BenchCommand::Import { data, dir, noise_m }) => {
            bench_import::import_round_trip(data, dir, noise_m)
        }
        Command::Check { file } => server::on_snapshot(file, document::check_document),
        Command::User(c) => accounts::user(c),
        Command::Partition {
            args,
            into,
            count,
            seed,
        } => plan::partition(args, into, count, seed),
        Command::Rebalance { args } => plan::rebalance(args),
        Command::Plan(c) => plan::plan(c),
        Command::Staffing { file } => server::on_snapshot(file, |file| {
            let d = crate::store::load(&file)?;
            Ok(Reply::ok(serde_json::to_value(crate::stats::staffing(&d))?))
        }),
        Command::Audit {
            file,
            from,
            to,
            verify,
        } => server::on_snapshot(file, |f| accounts::audit(f, from, to, verify)),
    }
}
