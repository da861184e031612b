//! `gridatlas bench import`: a county moving in, end to end, through the real commands —
//! export the document's units (GeoJSON, WGS84) and households (.xlsx, unmasked), make a new
//! document, import both — timing each step and comparing households and persons per unit.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use crate::cli::Reply;
use crate::cli::export::{Personal, What, export};
use crate::import::{self, FieldChoice, RosterMode, UnitImportOptions};
use crate::store::{self, CoordinateDatum};

pub(super) fn import_round_trip(
    data: PathBuf,
    dir: Option<PathBuf>,
    noise_m: f64,
) -> anyhow::Result<Reply> {
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
    export(
        What::Units,
        data.clone(),
        units.clone(),
        None,
        Personal::default(),
    )?;
    let export_units_ms = t.elapsed().as_millis();
    if noise_m > 0.0 {
        add_noise(&units, noise_m)?;
    }
    let t = Instant::now();
    export(
        What::Households,
        data.clone(),
        households.clone(),
        None,
        Personal::unmasked_for("bench import: a county moving in"),
    )?;
    let export_households_ms = t.elapsed().as_millis();

    crate::cli::import::new_document(
        doc.clone(),
        county.code.clone(),
        county.name.clone(),
        original.meta.time_zone.name().to_owned(),
        None,
    )?;
    let t = Instant::now();
    let unit_report = import::import_units(
        &doc,
        std::slice::from_ref(&units),
        &import::LayerChoice::default(),
        None,
        &FieldChoice::default(),
        UnitImportOptions {
            snap_m: (noise_m * 2.5).max(1.0),
            // Noise finer than a cluster of vertices (the generator leaves 10 cm edges where
            // several micro-grids meet) can leave a pinched ring after snapping; the repair
            // rules take those, and the report counts them.
            repair: noise_m > 0.0,
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
        // Noise moves borders by centimetres: a household that close to one lies in the
        // neighbour now, which the roster (exported before) does not know. The point decides,
        // and those households are counted.
        noise_m > 0.0,
        import::ImportAs::write(),
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
        "noise_m": noise_m,
        "snap_m": (noise_m * 2.5).max(1.0),
        "units": original.units.len(),
        "micro_grids": unit_report.per_level[4],
        "households": roster.added,
        "export_units_ms": export_units_ms,
        "export_households_ms": export_households_ms,
        "import_units_ms": import_units_ms,
        "snapped_vertices": unit_report.snapped_vertices,
        "repairs": unit_report.repairs.len(),
        "inserted_vertices": unit_report.inserted_vertices,
        "import_households_ms": import_households_ms,
        "households_relocated_by_noise": roster.relocated.len(),
        "units_with_same_counts": before.len() - differing.len(),
        "units_with_other_counts": differing.len(),
        "first_differing": differing.iter().take(10).collect::<Vec<_>>(),
        "check_violations": check.violation_count,
    })))
}

/// Moves every micro-grid vertex of the GeoJSON at `path` by up to `metres` in x and y, each
/// feature independently (a shared border drawn twice), deterministically.
fn add_noise(path: &std::path::Path, metres: f64) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut fc: geojson::FeatureCollection = text.parse()?;
    let degrees = metres / 111_000.0;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * degrees
    };
    for f in &mut fc.features {
        let micro = f
            .properties
            .as_ref()
            .and_then(|p| p.get("level"))
            .and_then(serde_json::Value::as_u64)
            == Some(5);
        let Some(g) = f.geometry.as_mut().filter(|_| micro) else {
            continue;
        };
        if let geojson::Value::MultiPolygon(polygons) = &mut g.value {
            for ring in polygons.iter_mut().flatten() {
                let n = ring.len();
                for p in ring.iter_mut().take(n.saturating_sub(1)) {
                    p[0] += next();
                    p[1] += next();
                }
                // The closing vertex is the first one.
                if n > 1 {
                    ring[n - 1] = ring[0].clone();
                }
            }
        }
    }
    std::fs::write(path, fc.to_string())?;
    Ok(())
}
