//! Pointer input on the map while editing boundaries: grabbing and dragging vertices, drawing
//! split lines and outlines, picking units and households.

use crate::app::Tool;
use crate::map::ScreenTransform;
use crate::model::Level;

use crate::app::workspace::Workspace;

/// Pointer handling on the map while editing boundaries.
pub(crate) fn planning_pointer(ws: &mut Workspace, response: &egui::Response, t: &ScreenTransform) {
    let pointer = response.hover_pos().or(response.interact_pointer_pos());
    let radius_deg = |p: egui::Pos2| {
        let (a, b) = (t.to_lon_lat(p), t.to_lon_lat(p + egui::vec2(8.0, 0.0)));
        (b.x - a.x).abs()
    };
    match ws.planning.tool {
        Tool::Drag => {
            if !ws.planning.editor.is_dragging() {
                let near = pointer.map(|p| (t.to_lon_lat(p), radius_deg(p)));
                ws.planning.hover = near.and_then(|(at, r)| {
                    ws.planning
                        .nearest_vertex(&ws.doc.dataset, &ws.doc.index, at, r)
                });
                ws.planning.hover_edge = match (ws.planning.hover, near) {
                    (None, Some((at, r))) => {
                        ws.planning
                            .nearest_edge(&ws.doc.dataset, &ws.doc.index, at, r * 0.75)
                    }
                    _ => None,
                };
            }
            // Right-click a vertex: delete it. Double-click an edge: insert one.
            if response.secondary_clicked()
                && let Some(v) = ws.planning.hover
            {
                let d = &mut ws.doc.dataset;
                let result = ws
                    .planning
                    .editor
                    .delete_vertex(d, &mut ws.doc.index, v)
                    .cloned();
                ws.planning.hover = None;
                ws.after_edit(result);
                return;
            }
            if response.double_clicked()
                && let Some((_, _, at)) = ws.planning.hover_edge
            {
                let d = &mut ws.doc.dataset;
                let result = ws
                    .planning
                    .editor
                    .insert_vertex(d, &mut ws.doc.index, at)
                    .cloned();
                ws.planning.hover_edge = None;
                ws.after_edit(result);
                return;
            }
            if response.drag_started() {
                let anchors = match (ws.planning.hover, ws.planning.hover_edge) {
                    (Some(v), _) => vec![v],
                    // A whole edge: both its ends move together.
                    (None, Some((a, b, _))) => vec![a, b],
                    _ => Vec::new(),
                };
                if !anchors.is_empty() {
                    let d = &ws.doc.dataset;
                    match ws.planning.editor.begin_drag(d, &ws.doc.index, &anchors) {
                        Ok(()) => {
                            // From where the button went down: egui starts a drag only
                            // after the pointer moved a few points.
                            let origin = response.ctx.input(|i| i.pointer.press_origin());
                            ws.planning.drag_from = origin.or(pointer).map(|p| t.to_lon_lat(p));
                            ws.planning.anchors = anchors;
                        }
                        Err(e) => ws.planning.report(&Err(e), &ws.doc.dataset),
                    }
                }
            }
            if ws.planning.editor.is_dragging()
                && response.dragged()
                && let (Some(p), Some(from)) =
                    (response.interact_pointer_pos(), ws.planning.drag_from)
            {
                let at = t.to_lon_lat(p);
                let to: Vec<geo_types::Coord<f64>> = if ws.planning.anchors.len() == 1 {
                    // A vertex sits under the pointer, snapped to a neighbour's vertex or edge
                    // within a few points (hold Alt to place it freely).
                    let free = response.ctx.input(|i| i.modifiers.alt);
                    let snapped = (!free)
                        .then(|| {
                            ws.planning.snap(
                                &ws.doc.dataset,
                                &ws.doc.index,
                                at,
                                radius_deg(p) * 0.75,
                            )
                        })
                        .flatten();
                    vec![snapped.unwrap_or(at)]
                } else {
                    ws.planning
                        .anchors
                        .iter()
                        .map(|a| geo_types::Coord {
                            x: a.x + at.x - from.x,
                            y: a.y + at.y - from.y,
                        })
                        .collect()
                };
                let d = &mut ws.doc.dataset;
                if let Ok(live) = ws.planning.editor.drag_to(d, &ws.doc.index, &to) {
                    ws.planning.live = live;
                }
                ws.planning.hover = to.first().copied().filter(|_| to.len() == 1);
            }
            if response.drag_stopped() && ws.planning.editor.is_dragging() {
                let d = &mut ws.doc.dataset;
                let result = ws.planning.editor.end_drag(d, &mut ws.doc.index).cloned();
                ws.planning.hover = None;
                ws.planning.hover_edge = None;
                ws.planning.anchors.clear();
                ws.after_edit(result);
            }
        }
        Tool::Split | Tool::Carve => {
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                ws.planning.line.push(t.to_lon_lat(p));
            }
        }
        Tool::Merge => {
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
                && let Some(u) =
                    ws.doc
                        .index
                        .unit_at(&ws.doc.dataset, ws.planning.editor.level, t.to_lon_lat(p))
            {
                let id = ws.doc.dataset.units[u].id;
                let picks = &mut ws.planning.merge;
                if let Some(k) = picks.iter().position(|x| *x == id) {
                    picks.remove(k);
                } else {
                    if picks.len() == 2 {
                        picks.pop();
                    }
                    picks.push(id);
                }
            }
        }
        Tool::Propose => {
            // A click picks the unit to cut: the village (for grids) or the grid (for
            // micro-grids) under the pointer.
            let level = match ws.planning.editor.level {
                Level::MicroGrid => Level::Grid,
                _ => Level::Village,
            };
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
                && let Some(u) = ws
                    .doc
                    .index
                    .unit_at(&ws.doc.dataset, level, t.to_lon_lat(p))
            {
                ws.planning.propose.unit_code = ws.doc.dataset.units[u].code.clone();
            }
        }
        Tool::Paint => {
            let (shift, command) = response
                .ctx
                .input(|i| (i.modifiers.shift, i.modifiers.command));
            if response.drag_started() && command {
                ws.planning.lasso = pointer.map(|p| t.to_lon_lat(p)).into_iter().collect();
            } else if response.drag_started() && shift {
                ws.planning.box_start = response.interact_pointer_pos();
            }
            if !ws.planning.lasso.is_empty()
                && response.dragged()
                && let Some(p) = pointer
            {
                ws.planning.lasso.push(t.to_lon_lat(p));
            }
            if response.drag_stopped() && ws.planning.lasso.len() >= 3 {
                let mut ring: Vec<geo_types::Coord<f64>> = std::mem::take(&mut ws.planning.lasso);
                ring.push(ring[0]);
                let found = ws.doc.index.households_in(&crate::index::Area::Polygon(
                    geo_types::Polygon::new(geo_types::LineString::from(ring), vec![]),
                ));
                for h in found {
                    if !ws.planning.painted.contains(&h) {
                        ws.planning.painted.push(h);
                    }
                }
            } else if response.drag_stopped() {
                ws.planning.lasso.clear();
            }
            if response.drag_stopped()
                && let (Some(a), Some(b)) = (ws.planning.box_start.take(), pointer)
            {
                let (p, q) = (t.to_lon_lat(a), t.to_lon_lat(b));
                let ring = geo_types::LineString::from(vec![
                    (p.x, p.y),
                    (q.x, p.y),
                    (q.x, q.y),
                    (p.x, q.y),
                    (p.x, p.y),
                ]);
                let found = ws.doc.index.households_in(&crate::index::Area::Polygon(
                    geo_types::Polygon::new(ring, vec![]),
                ));
                for h in found {
                    if !ws.planning.painted.contains(&h) {
                        ws.planning.painted.push(h);
                    }
                }
            }
            if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
                && let Some(&(h, metres)) =
                    ws.doc.index.nearest_households(t.to_lon_lat(p), 1).first()
                && metres * t.points_per_metre() <= 8.0
            {
                if let Some(k) = ws.planning.painted.iter().position(|x| *x == h) {
                    ws.planning.painted.remove(k);
                } else {
                    ws.planning.painted.push(h);
                }
            }
        }
    }
}
