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
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            (file, out, pdf, format!("monthly {month}"))
        }
        BriefingCommand::Grid {
            file,
            unit,
            out,
            template,
        } => {
            let template = read_template(template.as_ref())?;
            let d = store::load(&file)?;
            let pdf = crate::briefing::grid_pdf(&d, &unit, template.as_deref(), Timestamp::now())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            (file, out, pdf, format!("grid {unit}"))
        }
    };
    write_atomically(&out, &pdf)?;
    Ok(Reply::ok(json!({
        "file": file.display().to_string(),
        "briefing": what,
        "out": out.display().to_string(),
        "bytes": pdf.len(),
        "elapsed_ms": started.elapsed().as_millis(),
    })))
}
