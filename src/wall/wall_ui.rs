//! The wall display (大屏), read from six metres: a dark ground, large type (body text 2.8 % of
//! the screen height), few colours and each with a meaning — red to green for rates, one red
//! for what is overdue. The map of the current stop coloured by the chosen indicator with its
//! legend, the open cases pinned (overdue ones pulsing), the stop's tiles, the newest cases
//! rolling, and the cases of the last 30 days as bars.
//!
//! Drawn from a [`WallView`] only (see `view.rs`). Texts a person reads are labels (so tests
//! and screen readers find them); the map and the chart are painted.

use egui::{
    Align2, Color32, FontId, Mesh, Pos2, Rect, RichText, Shape, Stroke, Ui, epaint::Vertex, pos2,
    vec2,
};

use crate::wall::{Stop, Tour, WallCase, WallFocus, WallIndicator, WallTiles, WallUnit, WallView};

pub const BACKGROUND: Color32 = Color32::from_rgb(9, 20, 31);
const PANEL: Color32 = Color32::from_rgb(17, 34, 50);
const TEXT: Color32 = Color32::from_rgb(230, 236, 242);
const MUTED: Color32 = Color32::from_rgb(140, 160, 178);
const ALERT: Color32 = Color32::from_rgb(239, 68, 68);
const GOOD: Color32 = Color32::from_rgb(74, 222, 128);
const ACCENT: Color32 = Color32::from_rgb(56, 189, 248);
const NO_DATA: Color32 = Color32::from_rgb(60, 72, 84);

/// Red to green, for rates (`cases::RATE_CLASSES`).
const RATE_RAMP: [Color32; 5] = [
    Color32::from_rgb(215, 48, 39),
    Color32::from_rgb(244, 109, 67),
    Color32::from_rgb(253, 174, 97),
    Color32::from_rgb(166, 217, 106),
    Color32::from_rgb(26, 152, 80),
];
/// Dark to bright, for counts (five equal steps up to the largest).
const COUNT_RAMP: [Color32; 5] = [
    Color32::from_rgb(30, 58, 95),
    Color32::from_rgb(37, 99, 160),
    Color32::from_rgb(59, 130, 200),
    Color32::from_rgb(125, 175, 230),
    Color32::from_rgb(200, 225, 250),
];

/// One frame's input.
pub struct WallFrame<'a> {
    pub view: &'a WallView,
    pub tour: &'a Tour,
    pub indicator: WallIndicator,
    /// The wall's clock in seconds (pulses, the rolling list).
    pub time_s: f64,
}

/// The colour of `value` for `indicator`, given the largest value among the units shown.
fn fill(indicator: WallIndicator, value: Option<f64>, max: f64) -> Color32 {
    match value {
        None => NO_DATA,
        Some(v) if indicator.is_rate() => RATE_RAMP[crate::cases::rate_class(v)],
        Some(v) => {
            let class = if max > 0.0 {
                ((v / max) * 5.0).floor().clamp(0.0, 4.0) as usize
            } else {
                0
            };
            COUNT_RAMP[class]
        }
    }
}

fn percent(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// Normalized Web Mercator → a rectangle, fitted with the aspect kept.
#[derive(Clone, Copy)]
struct Fit {
    origin: [f64; 2],
    at: Pos2,
    scale: f64,
}

impl Fit {
    fn new(bbox: [f64; 4], rect: Rect) -> Fit {
        let (w, h) = (
            (bbox[2] - bbox[0]).max(1e-12),
            (bbox[3] - bbox[1]).max(1e-12),
        );
        let scale = (f64::from(rect.width()) / w).min(f64::from(rect.height()) / h);
        Fit {
            origin: [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0],
            at: rect.center(),
            scale,
        }
    }

    fn to_screen(self, m: [f64; 2]) -> Pos2 {
        pos2(
            self.at.x + ((m[0] - self.origin[0]) * self.scale) as f32,
            self.at.y + ((m[1] - self.origin[1]) * self.scale) as f32,
        )
    }
}

fn grow(b: [f64; 4], by: f64) -> [f64; 4] {
    let (dx, dy) = ((b[2] - b[0]) * by, (b[3] - b[1]) * by);
    [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]
}

/// Draws the wall into the whole of `ui`.
pub fn wall_ui(ui: &mut Ui, f: &WallFrame) {
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, BACKGROUND);
    let h = full.height();
    let body = (h * 0.028).max(12.0);
    let gap = h * 0.012;

    // What is on the wall now: a pushed thing, or the tour's stop.
    let (place, place_label): (&WallUnit, String) = match (f.tour.focus(), f.tour.stop()) {
        (Some(WallFocus::Unit(i)), _) if *i < f.view.focus_units.len() => {
            let u = &f.view.focus_units[*i];
            (u, format!("推送 · {}", u.name))
        }
        (_, Stop::Township(i)) if i < f.view.townships.len() => {
            let u = &f.view.townships[i];
            (u, format!("{} / {}", i + 1, f.view.townships.len()))
        }
        _ => (&f.view.county, "全域".to_owned()),
    };

    // Header.
    let header = Rect::from_min_size(full.min, vec2(full.width(), h * 0.085));
    let title = format!("{} · 网格化服务管理", f.view.title);
    ui.put(
        Rect::from_min_size(
            header.min + vec2(gap * 2.0, 0.0),
            vec2(full.width() * 0.6, header.height()),
        ),
        egui::Label::new(RichText::new(title).size(h * 0.042).strong().color(TEXT))
            .selectable(false),
    );
    let right = format!(
        "{}  ·  {}{}",
        place.name,
        place_label,
        if f.tour.paused {
            "  ·  巡览暂停"
        } else {
            ""
        }
    );
    ui.put(
        Rect::from_min_max(
            pos2(full.min.x + full.width() * 0.55, header.min.y),
            pos2(full.max.x - gap * 2.0, header.max.y),
        ),
        egui::Label::new(RichText::new(right).size(body).color(ACCENT)).selectable(false),
    );
    // The tour's progress as a thin line under the header.
    let progress = f.tour.progress(f.time_s);
    ui.painter().line_segment(
        [
            pos2(full.min.x, header.max.y),
            pos2(full.min.x + full.width() * progress, header.max.y),
        ],
        Stroke::new(h * 0.003, ACCENT),
    );

    let content = Rect::from_min_max(
        pos2(full.min.x + gap, header.max.y + gap),
        full.max - vec2(gap, gap),
    );
    let map_rect = Rect::from_min_size(content.min, vec2(content.width() * 0.6, content.height()));
    let side = Rect::from_min_max(pos2(map_rect.max.x + gap, content.min.y), content.max);

    map(ui, f, place, map_rect, body);

    // The focus of a pushed case or zone, else the stop's tiles.
    let tiles_rect = Rect::from_min_size(side.min, vec2(side.width(), side.height() * 0.5));
    match f.tour.focus() {
        Some(WallFocus::Case(c)) => case_card(ui, c, tiles_rect, body),
        Some(WallFocus::Zone {
            label,
            households,
            persons,
            by_tag,
        }) => zone_card(ui, label, *households, *persons, by_tag, tiles_rect, body),
        _ => tiles(ui, &place.tiles, tiles_rect, body),
    }
    let lower = Rect::from_min_max(pos2(side.min.x, tiles_rect.max.y + gap), side.max);
    let chart_rect = Rect::from_min_size(lower.min, vec2(lower.width(), lower.height() * 0.38));
    chart(ui, &f.view.per_day, chart_rect, body);
    let list_rect = Rect::from_min_max(pos2(lower.min.x, chart_rect.max.y + gap), lower.max);
    recent(ui, &f.view.recent, list_rect, body, f.time_s);
}

fn map(ui: &mut Ui, f: &WallFrame, place: &WallUnit, rect: Rect, body: f32) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 6.0, PANEL);
    let legend_h = body * 1.6;
    let area = rect.shrink(body).with_max_y(rect.max.y - legend_h - body);
    let view = grow(place.bbox, 0.04);
    let fit = Fit::new(view, area);
    let shown: Vec<&WallUnit> = f
        .view
        .townships
        .iter()
        .filter(|u| overlaps(u.bbox, view))
        .collect();
    let max = shown
        .iter()
        .filter_map(|u| u.value(f.indicator))
        .fold(0.0, f64::max);
    let focused = place.code != f.view.county.code;
    let mut mesh = Mesh::default();
    for u in &shown {
        let mut colour = fill(f.indicator, u.value(f.indicator), max);
        if focused && !place.code.starts_with(&u.code) && u.code != place.code {
            colour = colour.gamma_multiply(0.35);
        }
        let base = mesh.vertices.len() as u32;
        mesh.vertices.extend(u.vertices.iter().map(|m| Vertex {
            pos: fit.to_screen(*m),
            uv: egui::epaint::WHITE_UV,
            color: colour,
        }));
        mesh.indices.extend(u.triangles.iter().map(|i| base + i));
    }
    painter.add(Shape::mesh(mesh));
    let outline = Stroke::new((body * 0.08).max(1.0), Color32::from_rgb(12, 24, 36));
    for u in &shown {
        for ring in &u.rings {
            painter.add(Shape::line(
                ring.iter().map(|m| fit.to_screen(*m)).collect(),
                outline,
            ));
        }
    }
    // The place itself outlined brightly (a township, or what was pushed).
    if focused {
        for ring in &place.rings {
            painter.add(Shape::closed_line(
                ring.iter().map(|m| fit.to_screen(*m)).collect(),
                Stroke::new(body * 0.18, TEXT),
            ));
        }
    }
    // Pins: open cases in view; overdue ones pulse.
    let pulse = (f.time_s * std::f64::consts::TAU / 1.6).sin() as f32 * 0.5 + 0.5;
    let r = body * 0.16;
    for c in f.view.pins.iter().filter(|c| {
        c.at[0] >= view[0] && c.at[0] <= view[2] && c.at[1] >= view[1] && c.at[1] <= view[3]
    }) {
        let p = fit.to_screen(c.at);
        if c.overdue {
            painter.circle_filled(
                p,
                r * (1.6 + 1.4 * pulse),
                ALERT.gamma_multiply(0.35 * (1.0 - pulse)),
            );
            painter.circle_filled(p, r * 1.3, ALERT);
        } else {
            painter.circle_filled(p, r, ACCENT);
        }
    }
    // Names, large, where there is room.
    let name_size = if focused { body * 1.1 } else { body * 0.9 };
    let mut placed: Vec<Rect> = Vec::new();
    for u in &shown {
        if focused && u.code != place.code {
            continue;
        }
        let at = fit.to_screen(u.label_at);
        let galley = painter.layout_no_wrap(u.name.clone(), FontId::proportional(name_size), TEXT);
        let r = Rect::from_center_size(at, galley.size());
        if rect.contains_rect(r) && !placed.iter().any(|p| p.intersects(r)) {
            painter.text(
                at + vec2(1.5, 1.5),
                Align2::CENTER_CENTER,
                &u.name,
                FontId::proportional(name_size),
                Color32::BLACK,
            );
            painter.galley(r.min, galley, TEXT);
            placed.push(r);
        }
    }
    // Legend: the indicator, its classes.
    let mut x = rect.min.x + body;
    let y = rect.max.y - legend_h;
    let key_font = FontId::proportional(body * 0.8);
    let title = painter.text(
        pos2(x, y + legend_h / 2.0),
        Align2::LEFT_CENTER,
        f.indicator.name_zh(),
        key_font.clone(),
        TEXT,
    );
    x = title.max.x + body;
    let keys: Vec<(Color32, String)> = if f.indicator.is_rate() {
        crate::cases::RATE_CLASSES
            .iter()
            .zip(RATE_RAMP)
            .map(|((_, label), c)| (c, (*label).to_owned()))
            .chain(std::iter::once((NO_DATA, "无应结案".to_owned())))
            .collect()
    } else {
        COUNT_RAMP
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, format!("≥{:.0}", max * i as f64 / 5.0)))
            .collect()
    };
    for (c, label) in keys {
        let swatch = Rect::from_min_size(
            pos2(x, y + legend_h * 0.2),
            vec2(body * 0.9, legend_h * 0.6),
        );
        painter.rect_filled(swatch, 2.0, c);
        let t = painter.text(
            pos2(swatch.max.x + body * 0.25, y + legend_h / 2.0),
            Align2::LEFT_CENTER,
            label,
            key_font.clone(),
            MUTED,
        );
        x = t.max.x + body * 0.6;
    }
    let pin_key = painter.text(
        pos2(x + body * 0.5, y + legend_h / 2.0),
        Align2::LEFT_CENTER,
        "● 超期",
        key_font,
        ALERT,
    );
    let _ = pin_key;
}

fn tile(
    ui: &mut Ui,
    rect: Rect,
    title: &str,
    value: String,
    note: Option<(String, Color32)>,
    body: f32,
) {
    ui.painter().rect_filled(rect, 6.0, PANEL);
    let inner = rect.shrink(body * 0.5);
    ui.put(
        Rect::from_min_size(inner.min, vec2(inner.width(), body * 1.3)),
        egui::Label::new(RichText::new(title).size(body).color(MUTED)).selectable(false),
    );
    // As large as fits: a long figure (households / persons) shrinks rather than wraps.
    let chars = value.chars().count().max(1) as f32;
    let size = (body * 1.9).min(inner.width() / (chars * 0.62));
    ui.put(
        Rect::from_min_size(
            inner.min + vec2(0.0, body * 1.3),
            vec2(inner.width(), body * 2.2),
        ),
        egui::Label::new(RichText::new(value).size(size).strong().color(TEXT))
            .selectable(false)
            .extend(),
    );
    if let Some((text, colour)) = note {
        ui.put(
            Rect::from_min_size(
                inner.min + vec2(0.0, body * 3.5),
                vec2(inner.width(), body * 1.2),
            ),
            egui::Label::new(RichText::new(text).size(body * 0.85).color(colour)).selectable(false),
        );
    }
}

/// The change of a rate from last month, in percentage points, green when it improved.
fn change(now: Option<f64>, before: Option<f64>) -> Option<(String, Color32)> {
    let (a, b) = (now?, before?);
    let d = (a - b) * 100.0;
    Some((
        format!("较上月 {d:+.1} 个百分点"),
        if d >= 0.0 { GOOD } else { ALERT },
    ))
}

fn tiles(ui: &mut Ui, t: &WallTiles, rect: Rect, body: f32) {
    let (cols, rows) = (2, 4);
    let gap = body * 0.4;
    let w = (rect.width() - gap * (cols as f32 - 1.0)) / cols as f32;
    let hh = (rect.height() - gap * (rows as f32 - 1.0)) / rows as f32;
    let cell = |i: usize| {
        let (c, r) = (i % cols, i / cols);
        Rect::from_min_size(
            rect.min + vec2(c as f32 * (w + gap), r as f32 * (hh + gap)),
            vec2(w, hh),
        )
    };
    tile(
        ui,
        cell(0),
        "今日事件",
        t.cases_today.to_string(),
        None,
        body,
    );
    tile(
        ui,
        cell(1),
        "本月事件",
        t.cases_month.to_string(),
        None,
        body,
    );
    tile(ui, cell(2), "在办", t.open.to_string(), None, body);
    let overdue_note = (t.overdue > 0).then(|| ("需督办".to_owned(), ALERT));
    tile(
        ui,
        cell(3),
        "超期",
        t.overdue.to_string(),
        overdue_note,
        body,
    );
    tile(
        ui,
        cell(4),
        "本月结案率",
        percent(t.closure_rate),
        change(t.closure_rate, t.closure_rate_last_month),
        body,
    );
    tile(
        ui,
        cell(5),
        "本月按期结案率",
        percent(t.on_time_rate),
        change(t.on_time_rate, t.on_time_rate_last_month),
        body,
    );
    tile(
        ui,
        cell(6),
        "户数 / 人口",
        format!("{} / {}", t.households, t.persons),
        None,
        body,
    );
    tile(
        ui,
        cell(7),
        "网格 / 网格员",
        format!("{} / {}", t.grids, t.workers),
        None,
        body,
    );
}

fn case_card(ui: &mut Ui, c: &WallCase, rect: Rect, body: f32) {
    ui.painter().rect_filled(rect, 6.0, PANEL);
    let lines = [
        ("推送事件", c.code.clone(), TEXT),
        ("类别", c.category.clone(), TEXT),
        (
            "状态",
            format!("{}{}", c.status, if c.overdue { " · 超期" } else { "" }),
            if c.overdue { ALERT } else { TEXT },
        ),
        ("地点", c.township.clone(), TEXT),
        ("上报", c.reported.clone(), TEXT),
    ];
    let inner = rect.shrink(body * 0.6);
    for (i, (k, v, colour)) in lines.into_iter().enumerate() {
        ui.put(
            Rect::from_min_size(
                inner.min + vec2(0.0, i as f32 * body * 2.0),
                vec2(inner.width(), body * 1.8),
            ),
            egui::Label::new(
                RichText::new(format!("{k}  {v}"))
                    .size(body * 1.15)
                    .color(colour),
            )
            .selectable(false),
        );
    }
}

fn zone_card(
    ui: &mut Ui,
    label: &str,
    households: u32,
    persons: u32,
    by_tag: &[(String, u32)],
    rect: Rect,
    body: f32,
) {
    ui.painter().rect_filled(rect, 6.0, PANEL);
    let inner = rect.shrink(body * 0.6);
    let mut lines = vec![
        format!("推送区域  {label}"),
        format!("户数 {households} · 人口 {persons}"),
    ];
    lines.extend(by_tag.iter().map(|(t, n)| format!("{t} {n} 户")));
    for (i, l) in lines.into_iter().enumerate().take(8) {
        ui.put(
            Rect::from_min_size(
                inner.min + vec2(0.0, i as f32 * body * 1.8),
                vec2(inner.width(), body * 1.6),
            ),
            egui::Label::new(RichText::new(l).size(body * 1.05).color(TEXT)).selectable(false),
        );
    }
}

fn chart(ui: &mut Ui, per_day: &[(String, u32)], rect: Rect, body: f32) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 6.0, PANEL);
    painter.text(
        rect.min + vec2(body * 0.5, body * 0.3),
        Align2::LEFT_TOP,
        "近30日每日事件",
        FontId::proportional(body * 0.9),
        MUTED,
    );
    let area = Rect::from_min_max(
        rect.min + vec2(body * 0.5, body * 1.6),
        rect.max - vec2(body * 0.5, body * 1.3),
    );
    let max = per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f32;
    let n = per_day.len().max(1) as f32;
    let w = area.width() / n;
    for (i, (day, count)) in per_day.iter().enumerate() {
        let bh = area.height() * *count as f32 / max;
        let x = area.min.x + i as f32 * w;
        painter.rect_filled(
            Rect::from_min_max(
                pos2(x + w * 0.15, area.max.y - bh),
                pos2(x + w * 0.85, area.max.y),
            ),
            1.0,
            ACCENT,
        );
        // A date every week, and the last day unless it would run into the week's label.
        let last = i + 1 == per_day.len();
        if i % 7 == 0 && per_day.len() - i > 3 || last {
            painter.text(
                pos2(x + w / 2.0, area.max.y + body * 0.1),
                Align2::CENTER_TOP,
                day,
                FontId::proportional(body * 0.7),
                MUTED,
            );
        }
    }
    painter.text(
        pos2(area.max.x, area.min.y),
        Align2::RIGHT_TOP,
        format!("峰值 {}", max as u32),
        FontId::proportional(body * 0.7),
        MUTED,
    );
}

/// The newest cases, rolling one row up every three seconds.
fn recent(ui: &mut Ui, cases: &[WallCase], rect: Rect, body: f32, time_s: f64) {
    ui.painter().rect_filled(rect, 6.0, PANEL);
    let row_h = body * 1.55;
    let inner = rect.shrink(body * 0.4);
    ui.put(
        Rect::from_min_size(inner.min, vec2(inner.width(), row_h)),
        egui::Label::new(RichText::new("最新事件").size(body * 0.9).color(MUTED)).selectable(false),
    );
    let rows = (((inner.height() - row_h) / row_h).floor() as usize).max(1);
    if cases.is_empty() {
        return;
    }
    let offset = if cases.len() > rows {
        (time_s / 3.0) as usize % cases.len()
    } else {
        0
    };
    for i in 0..rows.min(cases.len()) {
        let c = &cases[(offset + i) % cases.len()];
        let colour = if c.overdue {
            ALERT
        } else if c.open {
            TEXT
        } else {
            MUTED
        };
        let when = c.reported.get(5..).unwrap_or(&c.reported);
        let text = format!("{when}  {}  {}  {}", c.category, c.township, c.status);
        // Rows start at the left, as a list is read.
        let row = Rect::from_min_size(
            inner.min + vec2(0.0, (i + 1) as f32 * row_h),
            vec2(inner.width(), row_h),
        );
        ui.scope_builder(egui::UiBuilder::new().max_rect(row), |ui| {
            ui.add(
                egui::Label::new(RichText::new(text).size(body).color(colour))
                    .selectable(false)
                    .truncate(),
            );
        });
    }
}
