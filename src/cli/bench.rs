//! `gridatlas bench …`: one function per benchmark, returning its JSON.

use std::path::PathBuf;

use serde_json::json;

use crate::cli::Reply;
use crate::store;

/// `gridatlas bench assign`: the assignment benchmark (and its workload for GEOS).
pub(super) fn assign(
    households: usize,
    units: usize,
    seed: u64,
    runs: usize,
    buckets_per_unit: f64,
    write: Option<PathBuf>,
) -> anyhow::Result<Reply> {
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
        store::write_workload(&path, &workload.cells, &workload.points, &result.assignment)?;
        value["written"] = json!(path.display().to_string());
    }
    Ok(Reply::ok(serde_json::to_value(&value)?))
}

/// `gridatlas bench frame`: the window's frame time on a scripted tour.
pub(super) fn frame(
    data: PathBuf,
    size: String,
    frames: usize,
    choropleth: bool,
    stop: Option<String>,
) -> anyhow::Result<Reply> {
    let (w, h) = parse_size(&size)?;
    let indicator = if choropleth {
        crate::map::Indicator::Households
    } else {
        crate::map::Indicator::None
    };
    let report = crate::app::run_frame_bench(&data, w, h, frames, indicator, stop.as_deref())
        .map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(serde_json::to_value(&report)?))
}

/// `gridatlas bench wall`: the wall display's frame time during its tour.
pub(super) fn wall(data: PathBuf, size: String, frames: usize) -> anyhow::Result<Reply> {
    let (w, h) = parse_size(&size)?;
    let report = crate::app::run_wall_bench(&data, w, h, frames).map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(serde_json::to_value(&report)?))
}

/// `gridatlas bench edit`: a planning session through the window's command path.
pub(super) fn edit(data: PathBuf, frames: usize) -> anyhow::Result<Reply> {
    let report = crate::bench::run_edit(&data, frames).map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(serde_json::to_value(&report)?))
}

/// `gridatlas bench partition`: proposals against the naive baseline.
pub(super) fn partition(
    data: PathBuf,
    villages: usize,
    grids: usize,
    tolerance: f64,
    seed: u64,
) -> anyhow::Result<Reply> {
    let report = crate::bench::run_partition(&data, villages, grids, tolerance, seed)
        .map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(serde_json::to_value(&report)?))
}

/// `gridatlas bench cases`: the case desk's frame time.
pub(super) fn cases(data: PathBuf, size: String, frames: usize) -> anyhow::Result<Reply> {
    let (w, h) = parse_size(&size)?;
    let report = crate::app::run_cases_bench(&data, w, h, frames).map_err(anyhow::Error::msg)?;
    Ok(Reply::ok(serde_json::to_value(&report)?))
}

/// `gridatlas bench open`: what opening a document costs: its phases one after another, or with
/// `window`, the window's own open.
pub(super) fn open(
    file: PathBuf,
    runs: usize,
    user: Option<String>,
    window: bool,
) -> anyhow::Result<Reply> {
    let started = std::time::Instant::now();
    let signed = user
        .map(|u| crate::cli::accounts::sign_in(&file, &u))
        .transpose()?;
    let sign_in_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut json = if window {
        window_open(&file, runs, signed.as_ref())?
    } else {
        serde_json::to_value(crate::bench::run_open(
            &file,
            runs,
            signed.as_ref().map(|s| &s.key),
        )?)?
    };
    if signed.is_some() {
        json["sign_in_ms"] = serde_json::json!(sign_in_ms);
    }
    Ok(Reply::ok(json))
}

/// The phases of `bench open` are timed one after another and include assignment, which the
/// window does not pay, but leave out the map geometry (every unit triangulated, outlines with
/// shared borders once), which it does. This is `Document::open` as the window calls it.
fn window_open(
    file: &std::path::Path,
    runs: usize,
    signed: Option<&store::SignedIn>,
) -> anyhow::Result<serde_json::Value> {
    let mut each = Vec::new();
    let mut counts = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        let doc = crate::app::Document::open_as(file.to_owned(), signed)?;
        each.push(t.elapsed().as_secs_f64() * 1e3);
        let d = &doc.dataset;
        counts = (d.units.len(), d.households.len(), d.cases.len());
        drop(doc);
        // The soundness check the open started is not part of the next run.
        store::wait_for_soundness_check(file);
    }
    let mut sorted = each.clone();
    Ok(json!({
        "file": store::server::location_name(file),
        "runs": runs.max(1),
        "units": counts.0,
        "households": counts.1,
        "cases": counts.2,
        "window_ms": crate::bench::median(&mut sorted),
        "window_ms_each_run": each,
    }))
}

pub(super) fn parse_size(size: &str) -> anyhow::Result<(f32, f32)> {
    size.split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--size: '{size}' is not WxH, e.g. 1920x1080"))
}
