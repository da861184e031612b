//! `gridatlas bench edit`: a scripted planning session on a document through the editor's
//! command path (the one the window uses): a long drag of a vertex shared by several grids,
//! timed per frame with the live household balance; then a split of a grid, a merge of two
//! micro-grids, a paint of 50 households; every commit timed with its invariant checks and its
//! write as a plan step to a copy of the file; the whole county checked; then undo of everything, compared
//! with the original exactly.

use std::path::Path;
use std::time::Instant;

use geo::{BoundingRect, Centroid};
use geo_types::Coord;
use serde::Serialize;

use crate::edit::{Editor, shared_vertex};
use crate::index::SpatialIndex;
use crate::model::{Dataset, Level, UnitId};

#[derive(Debug, Serialize)]
pub struct DragFigures {
    pub frames: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Households whose micro-grid the drag changed.
    pub households_moved: usize,
    /// How far the vertex went (m).
    pub distance_m: f64,
}

#[derive(Debug, Serialize)]
pub struct CommitFigure {
    pub edit: String,
    /// Re-locating households and cases, checking the invariants, updating the index.
    pub ms: f64,
    /// Writing it to the file as a plan step.
    pub save_ms: f64,
    pub units_changed: usize,
    pub households_moved: usize,
}

#[derive(Debug, Serialize)]
pub struct EditReport {
    pub file: String,
    pub drag: DragFigures,
    pub commits: Vec<CommitFigure>,
    pub undo_ms: Vec<f64>,
    pub check_violations_after_edits: usize,
    pub undo_restored: bool,
    pub file_restored: bool,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The grid with the most households and its micro-grids.
fn busiest_grid(d: &Dataset) -> Option<UnitId> {
    let mut count: std::collections::HashMap<UnitId, usize> = std::collections::HashMap::new();
    let parent: std::collections::HashMap<UnitId, Option<UnitId>> =
        d.units.iter().map(|u| (u.id, u.parent)).collect();
    for h in &d.households {
        if let Some(g) = h.unit.and_then(|m| parent.get(&m).copied().flatten()) {
            *count.entry(g).or_default() += 1;
        }
    }
    count
        .into_iter()
        .max_by_key(|(g, n)| (*n, *g))
        .map(|(g, _)| g)
}

pub fn run_edit(path: &Path, frames: usize) -> Result<EditReport, String> {
    let d0 = crate::store::load(path).map_err(|e| e.to_string())?;
    // Commits are written to a plan in a copy, as the window does: the benchmark never changes
    // the file it measures.
    let dir = std::env::temp_dir().join(format!("gridatlas-bench-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let copy = dir.join("copy.gpkg");
    std::fs::copy(path, &copy).map_err(|e| e.to_string())?;
    let plan = crate::store::create_plan(&copy, "bench edit", &d0.meta.as_of.to_iso())
        .map_err(|e| e.to_string())?;
    let mut d = d0.clone();
    let mut index = SpatialIndex::build(&d);
    let mut editor = Editor::default();
    let mut commits = Vec::new();
    // The window's write path: the plan session keeps each edit, file first.
    let session = crate::ledger::PlanSession {
        path: copy.clone(),
        plan,
    };
    let mut record = |label: &str,
                      ms: f64,
                      d: &mut Dataset,
                      index: &mut SpatialIndex,
                      editor: &mut Editor|
     -> Result<(), String> {
        let started = Instant::now();
        let change = session
            .keep(d, index, editor)
            .map_err(|e| format!("saving {label}: {e}"))?;
        commits.push(CommitFigure {
            edit: label.to_owned(),
            ms,
            save_ms: started.elapsed().as_secs_f64() * 1e3,
            units_changed: change.unit_ids().len(),
            households_moved: change.households.len(),
        });
        Ok(())
    };

    // 1. The drag: a junction of grids, pulled a fifth of the way to one grid's centre.
    editor.level = Level::Grid;
    let p = shared_vertex(&d, Level::Grid).ok_or("no vertex shared by grids")?;
    editor
        .begin_drag(&d, &index, &[p])
        .map_err(|e| e.to_string())?;
    let grid = d
        .units
        .iter()
        .find(|u| u.level == Level::Grid && editor.dragged_units().contains(&u.id))
        .ok_or("the vertex has no grid")?;
    let c = grid.geometry.centroid().ok_or("empty grid")?.0;
    let target = Coord {
        x: p.x + (c.x - p.x) * 0.2,
        y: p.y + (c.y - p.y) * 0.2,
    };
    let mut times = Vec::with_capacity(frames);
    let mut moved = 0;
    for f in 1..=frames {
        let t = f as f64 / frames as f64;
        let to = Coord {
            x: p.x + (target.x - p.x) * t,
            y: p.y + (target.y - p.y) * t,
        };
        let started = Instant::now();
        let moves = editor
            .drag_to(&mut d, &index, &[to])
            .map_err(|e| e.to_string())?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        moved = moves.len();
    }
    let started = Instant::now();
    editor
        .end_drag(&mut d, &mut index)
        .map_err(|e| format!("the drag was refused: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    record("drag", ms, &mut d, &mut index, &mut editor)?;
    times.sort_by(f64::total_cmp);
    let distance_m = crate::geom::haversine_m((p.x, p.y), (target.x, target.y));
    let drag = DragFigures {
        frames,
        p50_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        max_ms: times.last().copied().unwrap_or(0.0),
        households_moved: moved,
        distance_m,
    };

    // 2. Split the busiest grid through its middle.
    let g = busiest_grid(&d).ok_or("no grid with households")?;
    let gi = d.units.iter().position(|u| u.id == g).ok_or("grid")?;
    let r = d.units[gi].geometry.bounding_rect().ok_or("empty grid")?;
    let y = (r.min().y + r.max().y) / 2.0;
    let w = r.max().x - r.min().x;
    let line = [
        Coord {
            x: r.min().x - w * 0.1,
            y,
        },
        Coord {
            x: r.max().x + w * 0.1,
            y: y + w * 0.02,
        },
    ];
    let started = Instant::now();
    editor
        .split(&mut d, &mut index, g, &line)
        .map_err(|e| format!("the split was refused: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    record("split", ms, &mut d, &mut index, &mut editor)?;

    // 3. Merge two neighbouring micro-grids of another busy grid.
    let (a, b) = crate::edit::neighbouring_siblings(&d, Level::MicroGrid)
        .ok_or("no neighbouring micro-grids")?;
    let started = Instant::now();
    editor
        .merge(&mut d, &mut index, a, b)
        .map_err(|e| format!("the merge was refused: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    record("merge", ms, &mut d, &mut index, &mut editor)?;

    // 4. Paint 50 households into one micro-grid of the busiest grid.
    let (households, target_unit) = paint_selection(&d, 50).ok_or("no grid to paint in")?;
    let started = Instant::now();
    editor
        .paint(&mut d, &mut index, &households, target_unit)
        .map_err(|e| format!("the paint was refused: {e}"))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    record(
        &format!("paint {} households", households.len()),
        ms,
        &mut d,
        &mut index,
        &mut editor,
    )?;

    let check_violations_after_edits = crate::check::check(&d).violation_count;

    // 5. Undo everything.
    let mut undo_ms = Vec::new();
    while editor.can_undo() {
        let started = Instant::now();
        session
            .undo(&mut d, &mut index, &mut editor)
            .map_err(|e| format!("saving an undo: {e}"))?
            .ok_or("undo")?;
        undo_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let undo_restored = d == d0;
    // The live tables were never touched, and the plan has no step left.
    let file_restored = crate::store::load(&copy).map_err(|e| e.to_string())? == d0
        && crate::store::plan_steps(&copy, plan)
            .map_err(|e| e.to_string())?
            .is_empty();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(EditReport {
        file: path.display().to_string(),
        drag,
        commits,
        undo_ms,
        check_violations_after_edits,
        undo_restored,
        file_restored,
    })
}

/// Up to `n` households of the busiest grid, nearest to one of its micro-grids, that may move
/// into it (every source micro-grid keeps one household).
fn paint_selection(d: &Dataset, n: usize) -> Option<(Vec<usize>, UnitId)> {
    let g = busiest_grid(d)?;
    let micro: Vec<&crate::model::Unit> = d.units.iter().filter(|u| u.parent == Some(g)).collect();
    let target = micro.first()?;
    let c = target.geometry.centroid()?.0;
    let mut candidates: Vec<usize> = (0..d.households.len())
        .filter(|&h| {
            d.households[h]
                .unit
                .is_some_and(|u| u != target.id && micro.iter().any(|m| m.id == u))
        })
        .collect();
    candidates.sort_by(|&x, &y| {
        let dist = |h: usize| {
            let p = d.households[h].location;
            (p.x() - c.x).powi(2) + (p.y() - c.y).powi(2)
        };
        dist(x).total_cmp(&dist(y))
    });
    let mut left: std::collections::HashMap<UnitId, usize> = std::collections::HashMap::new();
    for h in &d.households {
        if let Some(u) = h.unit {
            *left.entry(u).or_default() += 1;
        }
    }
    let mut chosen = Vec::new();
    for h in candidates {
        let u = d.households[h].unit?;
        let l = left.get_mut(&u)?;
        if *l > 1 {
            *l -= 1;
            chosen.push(h);
        }
        if chosen.len() == n {
            break;
        }
    }
    Some((chosen, target.id))
}
