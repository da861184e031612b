//! `gridatlas new` and `gridatlas import …`: a county's own document, and its data brought in.

use std::path::PathBuf;

use serde_json::json;

use crate::cli::accounts::{require, sign_in_if_needed};
use crate::cli::{ImportCommand, Reply};
use crate::import::{self, FieldChoice, UnitImportOptions};
use crate::model::{Level, Permission, Timestamp};
use crate::store;

/// `gridatlas new`: an empty document holding only its county (no outline yet).
pub(crate) fn new_document(
    file: PathBuf,
    county_code: String,
    name: String,
    time_zone: String,
    admin: Option<String>,
) -> anyhow::Result<Reply> {
    // Asked before anything is written: a refused passphrase leaves no file behind.
    let admin = admin
        .map(|a| crate::cli::accounts::first_passphrase(&a).map(|p| (a, p)))
        .transpose()?;
    if let Some((a, p)) = &admin
        && p.chars().count() < store::MIN_PASSPHRASE_CHARS
    {
        anyhow::bail!(
            "the passphrase for {a} is shorter than {} characters; nothing was written",
            store::MIN_PASSPHRASE_CHARS
        );
    }
    let created =
        import::new_document(&file, &county_code, &name, &time_zone).map_err(anyhow::Error::msg)?;
    if let Some((a, p)) = &admin {
        store::create_first_admin(&file, a, p, Timestamp::now(), store::KeySource::Random)?;
    }
    Ok(Reply::ok(json!({
        "admin": admin.as_ref().map(|(a, _)| a),
        "file": crate::store::server::location_name(&file),
        "county_code": county_code,
        "name": created.meta.title,
        "time_zone": created.meta.time_zone.name(),
        "next": "gridatlas import units FILE --from townships.shp (then villages, grids, micro-grids)",
    })))
}

fn level_named(name: &str) -> anyhow::Result<Level> {
    match name.trim().to_lowercase().replace('-', "_").as_str() {
        "county" | "1" => Ok(Level::County),
        "township" | "2" => Ok(Level::Township),
        "village" | "3" => Ok(Level::Village),
        "grid" | "4" => Ok(Level::Grid),
        "micro_grid" | "microgrid" | "5" => Ok(Level::MicroGrid),
        other => anyhow::bail!("--level: '{other}' is not township, village, grid or micro_grid"),
    }
}

pub(super) fn import(command: ImportCommand) -> anyhow::Result<Reply> {
    match command {
        ImportCommand::Units {
            file,
            from,
            layer,
            level,
            code_field,
            name_field,
            encoding,
            datum,
            snap_m,
            repair,
            dry_run,
            user,
        } => {
            if !dry_run {
                crate::cli::accounts::authorize(
                    &file,
                    user.as_deref(),
                    Permission::Import,
                    "import units",
                )?;
            }
            if !(0.0..=50.0).contains(&snap_m) {
                anyhow::bail!("--snap-m: {snap_m} m is not between 0 and 50");
            }
            let fields = FieldChoice {
                level: level.as_deref().map(level_named).transpose()?,
                code_field,
                name_field,
            };
            let options = UnitImportOptions {
                snap_m,
                repair,
                datum,
            };
            match import::import_units(
                &file,
                &from,
                &import::LayerChoice::everywhere(layer.as_deref()),
                encoding,
                &fields,
                options,
                dry_run,
            ) {
                Ok(report) => Ok(Reply::ok(serde_json::to_value(&report)?)),
                Err(import::ImportFailure::Defects(defects)) => {
                    let n = defects.len();
                    let mut stderr: Vec<String> = defects
                        .iter()
                        .take(100)
                        .map(|d| d.message.clone())
                        .collect();
                    if n > 100 {
                        stderr.push(format!("… and {} more", n - 100));
                    }
                    stderr.push(format!(
                        "{}: {n} defect(s); nothing was written{}",
                        crate::store::server::location_name(&file),
                        if repair { "" } else { " (--repair fixes gaps, overlaps, invalid rings and units sticking out by stated rules)" }
                    ));
                    Ok(Reply {
                        json: json!({ "dry_run": dry_run, "written": false, "defects": defects }),
                        stderr,
                        code: 1,
                    })
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        ImportCommand::Households {
            file,
            from,
            sheet,
            datum,
            mode,
            by_location,
            dry_run,
            user,
        } => {
            let by = sign_in_if_needed(&file, user.as_deref(), "importing households")?;
            require(by.as_ref(), Permission::Import, "import households")?;
            roster_reply(
                &file,
                import::import_households(
                    &file,
                    &from,
                    sheet.as_deref(),
                    datum,
                    mode,
                    by_location,
                    import::ImportAs {
                        dry_run,
                        by: by.as_ref(),
                    },
                ),
            )
        }
        ImportCommand::Workers {
            file,
            from,
            sheet,
            dry_run,
            user,
        } => {
            let by = sign_in_if_needed(&file, user.as_deref(), "importing workers")?;
            require(by.as_ref(), Permission::Import, "import workers")?;
            roster_reply(
                &file,
                import::import_workers(
                    &file,
                    &from,
                    sheet.as_deref(),
                    import::ImportAs {
                        dry_run,
                        by: by.as_ref(),
                    },
                ),
            )
        }
    }
}

fn roster_reply(
    file: &std::path::Path,
    result: Result<import::RosterReport, import::ImportFailure>,
) -> anyhow::Result<Reply> {
    match result {
        Ok(report) => Ok(Reply::ok(serde_json::to_value(&report)?)),
        Err(import::ImportFailure::Input(problems)) => {
            let mut stderr = problems.clone();
            stderr.push(format!(
                "{}: nothing was written",
                crate::store::server::location_name(file)
            ));
            Ok(Reply {
                json: json!({ "written": false, "problems": problems }),
                stderr,
                code: 1,
            })
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// `gridatlas template households|workers --out PATH.xlsx`.
pub(super) fn template(kind: import::TemplateKind, out: PathBuf) -> anyhow::Result<Reply> {
    if !out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        anyhow::bail!("--out {}: a template is an .xlsx workbook", out.display());
    }
    import::write_template(&out, kind).map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(json!({ "out": out.display().to_string() })))
}
