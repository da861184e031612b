//! `gridatlas bench import`: a county moving in, end to end, through the real commands —
//! export the document's units (GeoJSON, WGS84) and households (.xlsx, unmasked), make a new
//! document, import both — timing each step and comparing households and persons per unit.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use crate::cli::Reply;
use crate::cli::export::{What, export};
use crate::import::{self, FieldChoice, RosterMode, UnitImportOptions};
use crate::store::{self, CoordinateDatum};

pub(super) fn import_round_trip(data: PathBuf, dir: Option<PathBuf>) -> anyhow::Result<Reply> {
    let temp;
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            d
        }
        None => {
            temp =
                std::env::temp_dir().join(format!("gridatlas-bench-import-{}", std::process::id()));
            std::fs::create_dir_all(&temp)?;
            temp
        }
    };
    let units = dir.join("units.geojson");
    let households = dir.join("households.xlsx");
    let doc = dir.join("moved-in.gpkg");
    let _ = std::fs::remove_file(&doc);
    let original = store::load(&data)?;
    let county = original
        .units
        .iter()
        .find(|u| u.parent.is_none())
        .ok_or_else(|| anyhow::anyhow!("{}: has no county", data.display()))?;

    let t = Instant::now();
    export(What::Units, data.clone(), units.clone(), None, true)?;
    let export_units_ms = t.elapsed().as_millis();
    let t = Instant::now();
    export(
        What::Households,
        data.clone(),
        households.clone(),
        None,
        true,
    )?;
    let export_households_ms = t.elapsed().as_millis();

    crate::cli::import::new_document(
        doc.clone(),
        county.code.clone(),
        county.name.clone(),
        original.meta.time_zone.name().to_owned(),
    )?;
    let t = Instant::now();
    let unit_report = import::import_units(
        &doc,
        std::slice::from_ref(&units),
        None,
        None,
        &FieldChoice::default(),
        UnitImportOptions {
            snap_m: 1.0,
            repair: false,
            datum: CoordinateDatum::Wgs84,
        },
        false,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let import_units_ms = t.elapsed().as_millis();
    let t = Instant::now();
    let roster = import::import_households(
        &doc,
        &households,
        None,
        CoordinateDatum::Wgs84,
        RosterMode::Add,
        false,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let import_households_ms = t.elapsed().as_millis();

    // Households and persons per unit code, before and after.
    let moved_in = store::load(&doc)?;
    let per_unit = |d: &crate::model::Dataset| {
        let stats = crate::stats::Stats::compute(d, d.meta.as_of);
        d.units
            .iter()
            .map(|u| {
                let t = stats.get(u.id);
                (
                    u.code.clone(),
                    (t.map_or(0, |t| t.households), t.map_or(0, |t| t.persons)),
                )
            })
            .collect::<HashMap<String, (u32, u32)>>()
    };
    let before = per_unit(&original);
    let after = per_unit(&moved_in);
    let differing: Vec<&String> = before
        .iter()
        .filter(|(code, counts)| after.get(*code) != Some(counts))
        .map(|(code, _)| code)
        .collect();
    let check = crate::check::check(&moved_in);
    Ok(Reply::ok(json!({
        "data": data.display().to_string(),
        "units": original.units.len(),
        "micro_grids": unit_report.per_level[4],
        "households": roster.added,
        "export_units_ms": export_units_ms,
        "export_households_ms": export_households_ms,
        "import_units_ms": import_units_ms,
        "snapped_vertices": unit_report.snapped_vertices,
        "inserted_vertices": unit_report.inserted_vertices,
        "import_households_ms": import_households_ms,
        "units_with_same_counts": before.len() - differing.len(),
        "units_with_other_counts": differing.len(),
        "first_differing": differing.iter().take(10).collect::<Vec<_>>(),
        "check_violations": check.violation_count,
    })))
}
