//! The map view: the walkers map with its layers, the screen transform, picking and the
//! choropleth it shows.

use egui::{Color32, Ui};
use geo_types::Coord;
use walkers::{Map, MapMemory};

use crate::app::Tool;
use crate::map::{
    CasesLayer, Choropleth, HOUSEHOLDS_ZOOM, HazardLayer, HeatmapLayer, HouseholdsLayer, Indicator,
    PlanningLayer, ScreenTransform, UnitsLayer, choropleth, level_for_zoom, lon_lat_to_mercator,
};
use crate::model::{Level, UnitId};
use crate::ui::{HitKind, Selection, Strings};

use crate::app::actions::Action;
use crate::app::planning_input::*;
use crate::app::workspace::Workspace;

impl Workspace {
    /// The mapping between the map's screen area and the world as of the last frame.
    pub fn map_transform(&self) -> ScreenTransform {
        ScreenTransform::from_memory(&self.memory, self.home(), self.map_rect)
    }

    /// Where the map was drawn in the last frame (panels must stay outside it).
    pub fn map_rect(&self) -> egui::Rect {
        self.map_rect
    }

    /// The level the choropleth colours now.
    pub fn choropleth_level(&self) -> Level {
        self.indicator_level
            .unwrap_or_else(|| level_for_zoom(self.memory.zoom()).max(Level::Township))
    }

    pub(crate) fn refresh_choropleth(&mut self) {
        let level = self.choropleth_level();
        let fresh = self
            .choropleth_cache
            .as_ref()
            .is_some_and(|c| c.indicator == self.indicator && c.level == level);
        let period = self.desk.period();
        let version = self.desk.version;
        let cases_fresh = self
            .case_indicators
            .as_ref()
            .is_some_and(|(l, p, v, _)| *l == level && *p == period && *v == version);
        if self.indicator.is_case_indicator() && !cases_fresh {
            let values =
                crate::stats::unit_indicators(&self.doc.dataset, level, period.0, period.1)
                    .into_iter()
                    .map(|u| (UnitId(u.unit_id), u.indicators))
                    .collect();
            self.case_indicators = Some((level, period, version, values));
        }
        let fresh = fresh && (!self.indicator.is_case_indicator() || cases_fresh);
        if self.indicator == Indicator::None {
            self.choropleth_cache = None;
        } else if !fresh {
            self.choropleth_cache = choropleth(
                self.indicator,
                level,
                self.doc.geometry.level(level),
                &self.doc.stats,
                self.case_indicators.as_ref().map(|c| &c.3),
            );
        }
    }

    pub fn choropleth(&self) -> Option<&Choropleth> {
        self.choropleth_cache.as_ref()
    }

    /// What is under a screen point: a household (when their points are shown) or a unit of
    /// the finest level shown.
    pub(crate) fn pick(&self, t: &ScreenTransform, p: egui::Pos2) -> Option<Selection> {
        let at = t.to_lon_lat(p);
        // The nearest case that is drawn: closed ones are hidden unless asked for, and a hidden
        // case next to a pin must not stand in its way.
        if self.show_cases {
            let shown = |i: &usize| {
                self.desk
                    .states
                    .get(*i)
                    .is_some_and(|st| crate::map::pin_style(*st, self.show_closed_cases).is_some())
            };
            if let Some((i, _)) = self
                .doc
                .index
                .cases_near(at, 7.0 / t.points_per_metre())
                .into_iter()
                .find(|(i, _)| shown(i))
            {
                return Some(HitKind::Case(i));
            }
        }
        if self.memory.zoom() >= HOUSEHOLDS_ZOOM - 0.3
            && let Some(&(i, metres)) = self.doc.index.nearest_households(at, 1).first()
            && metres * t.points_per_metre() <= 6.0
        {
            return Some(HitKind::Household(i));
        }
        let level = level_for_zoom(self.memory.zoom());
        self.doc
            .index
            .unit_at(&self.doc.dataset, level, at)
            .map(HitKind::Unit)
    }
}

/// Zoom levels per notch of a mouse wheel.
const WHEEL_ZOOM_STEP: f64 = 0.5;

/// The wheel zooms by half a level per notch about the pointer, whatever the frame rate:
/// walkers' own wheel zoom scales the smoothed scroll by the frame time, so on a slow desktop
/// (llvmpipe) one notch jumped about 1.25 levels. Touchpad pixels count as a fortieth of a
/// notch each (egui's line height). Walkers is then given no scroll to act on.
fn wheel_zoom(ui: &mut Ui, ws: &mut Workspace, rect: egui::Rect) {
    let Some(pointer) = ui
        .input(|i| i.pointer.hover_pos())
        .filter(|p| rect.contains(*p))
    else {
        return;
    };
    let notches: f32 = ui.input(|i| {
        i.events
            .iter()
            .map(|e| match e {
                egui::Event::MouseWheel { unit, delta, .. } => match unit {
                    egui::MouseWheelUnit::Line => delta.y,
                    egui::MouseWheelUnit::Point => delta.y / 40.0,
                    egui::MouseWheelUnit::Page => delta.y * 3.0,
                },
                _ => 0.0,
            })
            .sum()
    });
    ui.input_mut(|i| i.smooth_scroll_delta = egui::Vec2::ZERO);
    if notches == 0.0 {
        return;
    }
    let t = ScreenTransform::from_memory(&ws.memory, ws.home(), rect);
    let old = ws.memory.zoom();
    let new = (old + f64::from(notches) * WHEEL_ZOOM_STEP).clamp(2.0, 21.0);
    // The place under the pointer stays under it.
    let anchor = t.to_lon_lat(pointer);
    let centre = t.to_lon_lat(rect.center());
    let mp = lon_lat_to_mercator(anchor.x, anchor.y);
    let mc = lon_lat_to_mercator(centre.x, centre.y);
    let k = 2f64.powf(old - new);
    let (lon, lat) =
        crate::map::mercator_to_lon_lat([mp[0] + (mc[0] - mp[0]) * k, mp[1] + (mc[1] - mp[1]) * k]);
    if ws.memory.set_zoom(new).is_ok() {
        ws.memory.center_at(walkers::lon_lat(lon, lat));
    }
}

pub(crate) fn map_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    egui::CentralPanel::default()
        .frame(egui::Frame::new().fill(Color32::from_rgb(244, 241, 232)))
        .show(ui, |ui| {
            let rect = ui.available_rect_before_wrap();
            ws.map_rect = rect;
            if let Some(b) = ws.pending_fit.take() {
                ws.fit_box(b, rect.size());
            }
            ws.refresh_choropleth();
            wheel_zoom(ui, ws, rect);
            let centre = ws.memory.detached().unwrap_or(ws.home());
            let inside: Vec<Coord<f64>> = ws
                .hazard
                .report
                .as_ref()
                .map(|r| {
                    r.households
                        .iter()
                        .map(|&i| ws.doc.dataset.households[i].location.0)
                        .collect()
                })
                .unwrap_or_default();
            let as_unit = |sel: Option<Selection>, d: &crate::model::Dataset| match sel {
                Some(HitKind::Unit(i)) => Some((d.units[i].level, d.units[i].id)),
                _ => None,
            };
            let selected_case = match ws.selection {
                Some(HitKind::Case(i)) => Some(i),
                _ => None,
            };
            let selected_household = match ws.selection {
                Some(HitKind::Household(i)) => Some(i),
                _ => None,
            };
            let live = ws.live_counts();
            let changed_households: Vec<usize> = ws
                .planning
                .diff
                .as_ref()
                .map(|(_, diff)| {
                    diff.households
                        .iter()
                        .map(|h| h.0)
                        .chain(diff.regrouped_households.iter().copied())
                        .collect()
                })
                .unwrap_or_default();
            let mut map = Map::new(None, &mut ws.memory, centre);
            if let Some(tiles) = ws.basemap.tiles.as_deref_mut() {
                map = map.with_layer(tiles, 1.0);
            }
            let heatmap = (ws.desk.heatmap && ws.show_cases).then_some(HeatmapLayer {
                index: &ws.doc.index,
                states: &ws.desk.states,
                open: &ws.desk.open,
                dataset: &ws.doc.dataset,
                show_closed: ws.show_closed_cases,
                texture: &mut ws.heat_texture,
            });
            let editing = ws.planning.on;
            let shift = ui.input(|i| i.modifiers.shift);
            // A press on a vertex drags it, not the map; Shift+drag draws a selection box.
            let grabbing = editing
                && ((ws.planning.tool == Tool::Drag
                    && (ws.planning.hover.is_some()
                        || ws.planning.hover_edge.is_some()
                        || ws.planning.editor.is_dragging()))
                    || (ws.planning.tool == Tool::Paint
                        && (shift
                            || ui.input(|i| i.modifiers.command)
                            || ws.planning.box_start.is_some()
                            || !ws.planning.lasso.is_empty())));
            let selection_box = ws
                .planning
                .box_start
                .zip(ui.input(|i| i.pointer.latest_pos()))
                .map(|(a, b)| egui::Rect::from_two_pos(a, b));
            let planning_layer = editing.then_some(PlanningLayer {
                dataset: &ws.doc.dataset,
                index: &ws.doc.index,
                level: ws.planning.editor.level,
                hover: ws.planning.hover,
                hover_edge: ws.planning.hover_edge.map(|(a, b, _)| (a, b)),
                moving: ws.planning.editor.dragged_units(),
                live_counts: &live,
                closed: matches!(ws.planning.tool, Tool::Paint | Tool::Carve),
                line: if ws.planning.tool == Tool::Paint {
                    &ws.planning.lasso
                } else {
                    &ws.planning.line
                },
                merge: &ws.planning.merge,
                painted: &ws.planning.painted,
                changed_households: &changed_households,
                refusal_at: ws.planning.refusal_at,
                selection_box,
            });
            let response = ui.add(
                map.with_plugin(UnitsLayer {
                    geometry: &ws.doc.geometry,
                    dataset: &ws.doc.dataset,
                    stats: &ws.doc.stats,
                    choropleth: ws.choropleth_cache.as_ref(),
                    selected: as_unit(ws.selection, &ws.doc.dataset),
                    hovered: as_unit(ws.hovered, &ws.doc.dataset),
                    households_suffix: s.households_suffix,
                })
                .with_plugin(OptionalPlugin(heatmap))
                .with_plugin(CasesLayer {
                    dataset: &ws.doc.dataset,
                    index: &ws.doc.index,
                    states: &ws.desk.states,
                    open: &ws.desk.open,
                    show_closed: ws.show_closed_cases,
                    selected: selected_case,
                    visible: ws.show_cases && !ws.desk.heatmap,
                })
                .with_plugin(HouseholdsLayer {
                    dataset: &ws.doc.dataset,
                    index: &ws.doc.index,
                    selected: selected_household,
                })
                .with_plugin(HazardLayer {
                    vertices: &ws.hazard.vertices,
                    circle_centre: ws.hazard.circle_centre,
                    zone: ws.hazard.zone.as_ref(),
                    pointer: ws.cursor,
                    inside,
                })
                .with_plugin(OptionalPlugin(planning_layer))
                .with_plugin(crate::map::ImportPreviewLayer {
                    outlines: ws.import.preview_shapes(),
                    rings: ws.import.preview_rings(),
                    defects: matches!(ws.import.preview, Some(crate::app::Preview::Refused { .. })),
                })
                .zoom_with_ctrl(false)
                .drag_pan_buttons(if grabbing {
                    // The primary button drags the vertex (or the box); the middle one still pans.
                    egui::DragPanButtons::MIDDLE
                } else {
                    egui::DragPanButtons::PRIMARY | egui::DragPanButtons::MIDDLE
                })
                .double_click_to_zoom(!ws.hazard.is_drawing() && !editing),
            );
            let t = ScreenTransform::from_memory(&ws.memory, centre, rect);
            ws.cursor = response.hover_pos().map(|p| t.to_lon_lat(p));
            if ws.desk.reporting && response.hovered() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
            }
            if let Some(draft) = &ws.desk.draft {
                let m = lon_lat_to_mercator(draft.location.x(), draft.location.y());
                let p = t.to_screen(m);
                ui.painter().circle(
                    p,
                    7.0,
                    crate::map::OPEN_COLOR,
                    egui::Stroke::new(2.0, Color32::from_rgb(255, 190, 0)),
                );
            }
            ws.hovered = response.hover_pos().and_then(|p| ws.pick(&t, p));
            if let Some(hovered) = ws.hovered {
                let text = match hovered {
                    HitKind::Unit(i) => {
                        let u = &ws.doc.dataset.units[i];
                        let n = ws.doc.stats.get(u.id).map_or(0, |t| t.households);
                        // The value the map colours this unit by, when it does.
                        let coloured = ws
                            .choropleth()
                            .filter(|c| c.level == u.level)
                            .and_then(|c| {
                                let k = ws
                                    .doc
                                    .geometry
                                    .level(u.level)
                                    .units
                                    .iter()
                                    .position(|g| g.id == u.id)?;
                                Some(format!(
                                    "\n{}: {}",
                                    crate::app::side_panel::indicator_name(c.indicator, s),
                                    c.values[k]
                                        .map_or_else(|| s.no_value.to_owned(), |v| c.format(v))
                                ))
                            })
                            .unwrap_or_default();
                        format!(
                            "{} · {}\n{} {}\n{n}{}{coloured}",
                            u.name,
                            s.level(u.level),
                            s.code,
                            u.code,
                            s.households_suffix
                        )
                    }
                    HitKind::Case(i) => {
                        let c = &ws.doc.dataset.cases[i];
                        let overdue =
                            if ws.desk.states.get(i) == Some(&crate::cases::CaseState::Overdue) {
                                s.overdue_mark
                            } else {
                                ""
                            };
                        format!("{}\n{} · {}{overdue}", c.title, c.code, c.status.name_zh())
                    }
                    HitKind::Household(i) => {
                        let h = &ws.doc.dataset.households[i];
                        format!(
                            "{} · {}{}\n{}",
                            crate::model::mask_name(&h.head_name),
                            h.members,
                            s.persons_suffix,
                            h.address
                        )
                    }
                };
                response.clone().on_hover_text_at_pointer(text);
            }
            if editing {
                planning_pointer(ws, &response, &t);
            } else if response.clicked()
                && let Some(p) = response.interact_pointer_pos()
            {
                if ws.hazard.is_drawing() {
                    ws.hazard
                        .click(t.to_lon_lat(p), &ws.doc.dataset, &ws.doc.index);
                } else if ws.desk.reporting {
                    ws.start_case_at(t.to_lon_lat(p));
                } else {
                    let hit = ws.pick(&t, p);
                    ws.push(Action::Select(hit));
                }
            }
        });
}

/// A walkers plugin that may be absent this frame.
struct OptionalPlugin<P>(Option<P>);

impl<P: walkers::Plugin> walkers::Plugin for OptionalPlugin<P> {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        response: &egui::Response,
        projector: &walkers::Projector,
        memory: &MapMemory,
    ) {
        if let Some(p) = self.0 {
            Box::new(p).run(ui, response, projector, memory);
        }
    }
}
