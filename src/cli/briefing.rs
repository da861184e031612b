//! `gridatlas briefing monthly|grid`: a PDF written atomically (a temporary file renamed into
//! place), with what was printed and how long it took.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use crate::cli::{BriefingCommand, Reply};
use crate::model::Timestamp;
use crate::store;

fn read_template(path: Option<&PathBuf>) -> anyhow::Result<Option<String>> {
    path.map(|p| {
        std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("--template {}: {e}", p.display()))
    })
    .transpose()
}

/// Writes `bytes` to `out` through a temporary file beside it, so a reader never sees half.
fn write_atomically(out: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("--out {}: not a file name", out.display()))?;
    let tmp = out.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    std::fs::write(&tmp, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("{}: {e}", out.display())
    })
}

pub(super) fn briefing(command: BriefingCommand) -> anyhow::Result<Reply> {
    let started = Instant::now();
    let (file, out, pdf, what) = match command {
        BriefingCommand::Monthly {
            file,
            month,
            unit,
            out,
            template,
        } => {
            let template = read_template(template.as_ref())?;
            let d = store::load(&file)?;
            let pdf = crate::briefing::monthly_pdf(
                &d,
                unit.as_deref(),
                &month,
                template.as_deref(),
                Timestamp::now(),
            )
            .map_err(|e| anyhow::anyhow!("{}: {e}", crate::store::server::location_name(&file)))?;
            (file, out, pdf, format!("monthly {month}"))
        }
        BriefingCommand::Grid {
            file,
            unit,
            out,
            template,
            user,
        } => {
            let template = read_template(template.as_ref())?;
            let by = crate::cli::accounts::sign_in_if_needed(
                &file,
                user.as_deref(),
                "the grid-meeting sheet",
            )?;
            // As the account may see it: a grid worker prints their own grid only.
            let d = match &by {
                Some(s) => store::load_as(&file, s)?.0,
                None => store::load(&file)?,
            };
            let pdf = crate::briefing::grid_pdf(&d, &unit, template.as_deref(), Timestamp::now())
                .map_err(|e| {
                anyhow::anyhow!("{}: {e}", crate::store::server::location_name(&file))
            })?;
            (file, out, pdf, format!("grid {unit}"))
        }
    };
    write_atomically(&out, &pdf)?;
    Ok(Reply::ok(json!({
        "file": crate::store::server::location_name(&file),
        "briefing": what,
        "out": out.display().to_string(),
        "bytes": pdf.len(),
        "elapsed_ms": started.elapsed().as_millis(),
    })))
}

/// `gridatlas bench briefing`: loading the document once, then each briefing `runs` times
/// (figures, map, typesetting and PDF export), median and worst in ms.
pub(super) fn bench(data: PathBuf, runs: usize, dir: Option<PathBuf>) -> anyhow::Result<Reply> {
    let t = Instant::now();
    let d = store::load(&data)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let dir = dir.unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir)?;
    let tz = &d.meta.time_zone;
    // The month before the as-of date: the last whole month of the document's cases.
    let as_of = d.meta.as_of;
    let last_month = tz.month_start(tz.month_start(as_of).plus_seconds(-1));
    let month = tz.date(last_month)[..7].to_owned();
    let tree = crate::model::UnitTree::new(&d);
    let grid = d
        .units
        .iter()
        .filter(|u| u.level == crate::model::Level::Grid)
        .max_by_key(|g| {
            d.cases
                .iter()
                .filter(|c| c.status.is_open() && c.unit.is_some_and(|u| tree.is_within(u, g.id)))
                .count()
        })
        .ok_or_else(|| anyhow::anyhow!("{}: has no grid", data.display()))?;
    let time = |f: &dyn Fn() -> Result<Vec<u8>, String>,
                out: &Path|
     -> anyhow::Result<serde_json::Value> {
        let mut ms = Vec::new();
        let mut bytes = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let pdf = f().map_err(anyhow::Error::msg)?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            bytes = pdf.len();
            write_atomically(out, &pdf)?;
        }
        ms.sort_by(f64::total_cmp);
        Ok(json!({
            "out": out.display().to_string(),
            "bytes": bytes,
            "median_ms": crate::bench::median(&mut ms),
            "max_ms": ms.last().copied().unwrap_or(0.0),
        }))
    };
    let monthly = time(
        &|| crate::briefing::monthly_pdf(&d, None, &month, None, as_of),
        &dir.join("bulletin.pdf"),
    )?;
    let sheet = time(
        &|| crate::briefing::grid_pdf(&d, &grid.code, None, as_of),
        &dir.join("grid-sheet.pdf"),
    )?;
    Ok(Reply::ok(json!({
        "data": data.display().to_string(),
        "load_ms": load_ms,
        "month": month,
        "grid": grid.code,
        "runs": runs,
        "monthly": monthly,
        "grid_sheet": sheet,
    })))
}
