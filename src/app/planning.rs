//! The planners' boundary editing in the window: which tool is active, what is being drawn or
//! selected, the live balance of a drag, and the outcome of the last edit. Every edit goes
//! through `edit::Editor` (the command path `bench edit` measures) and is written to the file
//! by `ledger` before the window shows it as done.

use geo_types::Coord;

use crate::edit::{Change, EditError, Editor};
use crate::model::{Dataset, Level, UnitId};
use crate::stats::Move;

/// The outcome of the last edit, shown in the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    Done(crate::app::Message),
    Undone(crate::app::Message),
    Redone(crate::app::Message),
    Refused(crate::app::Message),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Drag,
    Split,
    Merge,
    Paint,
    Carve,
    /// Automatic proposals: partition and rebalance.
    Propose,
}

pub struct Planning {
    pub on: bool,
    /// The plan being edited (id, name): edits are its steps.
    pub plan: Option<(i64, String)>,
    /// The document's plans, as last read.
    pub plans: Vec<crate::store::PlanInfo>,
    pub new_plan_name: String,
    pub effective_date: String,
    /// The approval is waiting for the planner's confirmation (what will change is shown).
    pub confirming: bool,
    /// Today in the document's time zone (`YYYY-MM-DD`): a later effective date schedules.
    pub today: String,
    /// The open plan compared with the live state, for as many steps as it had.
    pub diff: Option<(usize, crate::ledger::PlanDiff)>,
    /// Bumped whenever the units change (an edit, undo, a plan opened or closed).
    pub units_version: u64,
    /// (version and level it was computed for, households in no micro-grid, units in several
    /// pieces): scans of the whole document, kept between frames.
    pub summary: Option<((u64, Level), usize, Vec<String>)>,
    pub editor: Editor,
    pub tool: Tool,
    /// The vertex under the pointer (of a unit of the edited level).
    pub hover: Option<Coord<f64>>,
    /// Else the edge under the pointer: its ends and the nearest point on it.
    pub hover_edge: Option<(Coord<f64>, Coord<f64>, Coord<f64>)>,
    /// The vertices being dragged and where the pointer started.
    pub anchors: Vec<Coord<f64>>,
    pub drag_from: Option<Coord<f64>>,
    /// Households whose micro-grid the drag in progress would change.
    pub live: Vec<Move>,
    /// The split line being drawn.
    pub line: Vec<Coord<f64>>,
    /// Units picked for a merge (up to two).
    pub merge: Vec<UnitId>,
    /// Households picked for painting, and where they go.
    pub painted: Vec<usize>,
    pub paint_target: Option<UnitId>,
    /// Where a Shift+drag box selection started (screen).
    pub box_start: Option<egui::Pos2>,
    /// A lasso being drawn (Ctrl+drag), lon/lat.
    pub lasso: Vec<Coord<f64>>,
    pub message: Option<EditOutcome>,
    /// Where the last refusal happened (shown on the map).
    pub refusal_at: Option<Coord<f64>>,
    /// The proposal tool's fields, as typed.
    pub propose: ProposeFields,
    /// The report of the last proposal made here.
    pub proposal: Option<crate::propose::Report>,
}

/// What the planner types for a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposeFields {
    pub unit_code: String,
    pub households: String,
    pub tolerance: String,
    pub lock: String,
}

impl Default for ProposeFields {
    fn default() -> Self {
        ProposeFields {
            unit_code: String::new(),
            households: String::new(),
            tolerance: "0.2".to_owned(),
            lock: String::new(),
        }
    }
}

impl Default for Planning {
    fn default() -> Self {
        Planning {
            on: false,
            plan: None,
            plans: Vec::new(),
            new_plan_name: String::new(),
            effective_date: String::new(),
            confirming: false,
            today: String::new(),
            diff: None,
            units_version: 0,
            summary: None,
            editor: Editor::default(),
            tool: Tool::Drag,
            hover: None,
            hover_edge: None,
            anchors: Vec::new(),
            drag_from: None,
            live: Vec::new(),
            line: Vec::new(),
            merge: Vec::new(),
            painted: Vec::new(),
            paint_target: None,
            box_start: None,
            lasso: Vec::new(),
            message: None,
            refusal_at: None,
            propose: ProposeFields::default(),
            proposal: None,
        }
    }
}

impl Planning {
    /// The open plan compared with the live net, recomputed when its steps change (not during
    /// a drag). None when no plan is open.
    pub fn current_diff(&mut self, d: &crate::model::Dataset) -> Option<&crate::ledger::PlanDiff> {
        self.plan.as_ref()?;
        let steps = self.editor.changes().len();
        if self.diff.as_ref().is_none_or(|(n, _)| *n != steps) && !self.editor.is_dragging() {
            self.diff = Some((steps, crate::ledger::diff(d, self.editor.changes())));
        }
        self.diff.as_ref().map(|(_, diff)| diff)
    }

    /// Units per level of the live net while a plan is open here: the in-memory units hold the
    /// draft, so what it created is taken off and what it removed put back.
    pub fn live_unit_counts(
        &mut self,
        d: &crate::model::Dataset,
        counts: [usize; 5],
    ) -> [usize; 5] {
        let mut counts = counts;
        let level_of = |id: &UnitId| {
            d.units
                .binary_search_by_key(id, |u| u.id)
                .ok()
                .map(|i| d.units[i].level)
        };
        if let Some(diff) = self.current_diff(d) {
            for l in diff.created.iter().filter_map(level_of) {
                counts[l.number() as usize - 1] -= 1;
            }
            for u in diff
                .replaced
                .iter()
                .filter(|u| diff.removed.contains(&u.id))
            {
                counts[u.level.number() as usize - 1] += 1;
            }
        }
        counts
    }

    /// Forgets what was being drawn or picked (tool change, Esc).
    pub fn reset_tool(&mut self) {
        self.hover = None;
        self.hover_edge = None;
        self.line.clear();
        self.merge.clear();
        self.painted.clear();
        self.paint_target = None;
        self.box_start = None;
        self.lasso.clear();
    }

    /// The outcome of an edit, for the panel and the map.
    pub fn report(&mut self, result: &Result<Change, EditError>, d: &crate::model::Dataset) {
        match result {
            Ok(c) => {
                self.message = Some(EditOutcome::Done(crate::app::Message::data(
                    c.label.clone(),
                )));
                self.refusal_at = None;
            }
            Err(e) => {
                self.refusal_at = match e {
                    EditError::Refused(r) => r.at,
                    _ => None,
                };
                self.message = Some(EditOutcome::Refused(crate::app::messages::edit_error(e, d)));
            }
        }
    }

    /// The nearest vertex of a unit of the edited level within `radius` (degrees) of `p`.
    pub fn nearest_vertex(
        &self,
        d: &Dataset,
        index: &crate::index::SpatialIndex,
        p: Coord<f64>,
        radius: f64,
    ) -> Option<Coord<f64>> {
        let level = self.editor.level;
        let min = Coord {
            x: p.x - radius,
            y: p.y - radius,
        };
        let max = Coord {
            x: p.x + radius,
            y: p.y + radius,
        };
        index
            .units_in_box(level, min, max)
            .flat_map(|u| {
                d.units[u].geometry.0.iter().flat_map(|poly| {
                    std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .flat_map(|r| r.0.iter().copied())
                })
            })
            .map(|c| ((c.x - p.x).hypot(c.y - p.y), c))
            .filter(|(dist, _)| *dist <= radius)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    }
}

impl Planning {
    /// The edge of a unit of the edited level nearest to `p` within `radius` (degrees): its
    /// ends and the nearest point on it.
    pub fn nearest_edge(
        &self,
        d: &Dataset,
        index: &crate::index::SpatialIndex,
        p: Coord<f64>,
        radius: f64,
    ) -> Option<(Coord<f64>, Coord<f64>, Coord<f64>)> {
        let min = Coord {
            x: p.x - radius,
            y: p.y - radius,
        };
        let max = Coord {
            x: p.x + radius,
            y: p.y + radius,
        };
        let mut best: Option<(f64, EdgeHit)> = None;
        for u in index.units_in_box(self.editor.level, min, max) {
            for poly in &d.units[u].geometry.0 {
                for w in poly.exterior().0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    let Some(q) = closest_on_segment(a, b, p) else {
                        continue;
                    };
                    let dist = (q.x - p.x).hypot(q.y - p.y);
                    if dist <= radius && best.as_ref().is_none_or(|(bd, _)| dist < *bd) {
                        best = Some((dist, (a, b, q)));
                    }
                }
            }
        }
        best.map(|(_, e)| e)
    }
}

impl Planning {
    /// Where a dragged vertex snaps near `p`: a vertex of a unit it does not move, else the
    /// nearest point of such a unit's edge, within `radius` (degrees).
    pub fn snap(
        &self,
        d: &Dataset,
        index: &crate::index::SpatialIndex,
        p: Coord<f64>,
        radius: f64,
    ) -> Option<Coord<f64>> {
        let moving = self.editor.dragged_units();
        let min = Coord {
            x: p.x - radius,
            y: p.y - radius,
        };
        let max = Coord {
            x: p.x + radius,
            y: p.y + radius,
        };
        let still: Vec<usize> = index
            .units_in_box(self.editor.level, min, max)
            .filter(|&u| !moving.contains(&d.units[u].id))
            .collect();
        let near = |c: Coord<f64>| (c.x - p.x).hypot(c.y - p.y);
        let vertex = still
            .iter()
            .flat_map(|&u| {
                d.units[u]
                    .geometry
                    .0
                    .iter()
                    .flat_map(|g| g.exterior().0.iter().copied())
            })
            .filter(|c| near(*c) <= radius)
            .min_by(|a, b| near(*a).total_cmp(&near(*b)));
        if vertex.is_some() {
            return vertex;
        }
        still
            .iter()
            .flat_map(|&u| {
                d.units[u]
                    .geometry
                    .0
                    .iter()
                    .flat_map(|g| g.exterior().0.windows(2).map(|w| (w[0], w[1])))
            })
            .filter_map(|(a, b)| closest_on_segment(a, b, p))
            .filter(|c| near(*c) <= radius)
            .min_by(|a, b| near(*a).total_cmp(&near(*b)))
    }
}

/// The point of segment a–b nearest to `p` (geo's `ClosestPoint`); `None` for a degenerate
/// segment.
fn closest_on_segment(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> Option<Coord<f64>> {
    use geo::{Closest, ClosestPoint};
    match geo::Line::new(a, b).closest_point(&geo::Point(p)) {
        Closest::Intersection(q) | Closest::SinglePoint(q) => Some(q.0),
        Closest::Indeterminate => None,
    }
}

/// An edge's two ends and the point on it nearest to the pointer.
type EdgeHit = (Coord<f64>, Coord<f64>, Coord<f64>);

/// The levels whose map buffers a change touches.
pub fn levels_of(change: &Change) -> Vec<Level> {
    let mut levels: Vec<Level> = change
        .before
        .iter()
        .chain(&change.after)
        .map(|u| u.level)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
}
