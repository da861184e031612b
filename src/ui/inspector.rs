//! The inspector: a unit (code, name, level, the parent chain as a clickable breadcrumb,
//! statistics, workers, open cases) or a household (its record, personal data masked).

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};

use crate::model::{
    CATEGORIES, CaseAction, CaseId, Category, Dataset, Level, Tag, Timestamp, UnitId, mask_address,
    mask_name, mask_phone,
};
use crate::stats::{GridStandard, Stats};
use crate::ui::Strings;
use crate::ui::search::HitKind;

pub type Selection = HitKind;

/// What the operator asked for in the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectorAction {
    /// Select and zoom to.
    Show(Selection),
}

/// What the inspector reads besides the dataset.
pub struct InspectorContext<'a> {
    pub stats: &'a Stats,
    pub unit_slot: &'a HashMap<UnitId, usize>,
    /// Indices into `Dataset::case_events` per case, in time order.
    pub events_by_case: &'a HashMap<CaseId, Vec<usize>>,
    /// "Now" (the clock), for overdue.
    pub now: Timestamp,
    /// The document's time zone, in which times are shown.
    pub time_zone: &'a crate::model::TimeZone,
    /// Per case, its units from the county down (`Level::number() - 1`), for "in this subtree".
    pub case_chains: &'a [[Option<UnitId>; 5]],
    /// The household revealed with a reason (logged): shown in full. Every other is masked.
    pub revealed: Option<crate::model::HouseholdId>,
    /// Whether the signed-in role may see households' tags.
    pub see_tags: bool,
}

pub fn inspector_ui(
    ui: &mut Ui,
    d: &Dataset,
    cx: &InspectorContext,
    selection: Selection,
    s: &Strings,
) -> Option<InspectorAction> {
    match selection {
        HitKind::Unit(i) => unit_ui(ui, d, cx, i, s),
        HitKind::Household(i) => household_ui(ui, d, cx, i, s),
        HitKind::Case(i) => case_ui(ui, d, cx, i, s),
    }
}

fn case_ui(
    ui: &mut Ui,
    d: &Dataset,
    cx: &InspectorContext,
    i: usize,
    s: &Strings,
) -> Option<InspectorAction> {
    let mut action = None;
    let c = &d.cases[i];
    let overdue = c.is_overdue_at(cx.now);
    ui.heading(s.case_record);
    ui.label(RichText::new(&c.title).strong());
    let category = Category::find(c.category).map_or(String::new(), |k| {
        let major = CATEGORIES
            .iter()
            .find(|m| m.major == c.category.major)
            .map_or("", |m| m.name_zh);
        format!("{major} / {} ({})", k.name_zh, c.category)
    });
    let time = |t: Option<Timestamp>| t.map_or("—".to_owned(), |t| cx.time_zone.minute(t));
    egui::Grid::new("case")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label(s.code);
            ui.monospace(&c.code);
            ui.end_row();
            ui.label(s.category);
            ui.label(category);
            ui.end_row();
            ui.label(s.status);
            let status = format!(
                "{}{}",
                c.status.name_zh(),
                if overdue { s.overdue_mark } else { "" }
            );
            ui.colored_label(
                if overdue {
                    Color32::from_rgb(200, 40, 30)
                } else {
                    ui.visuals().text_color()
                },
                status,
            );
            ui.end_row();
            ui.label(s.handling_level);
            ui.label(s.level(c.level));
            ui.end_row();
            ui.label(s.reporter);
            ui.label(&c.reporter);
            ui.end_row();
            ui.label(s.handler);
            ui.label(
                c.handler
                    .and_then(|h| d.workers.iter().find(|w| w.id == h))
                    .map_or("—".to_owned(), |w| {
                        format!("{} {} {}", w.role.name_zh(), w.name, mask_phone(&w.phone))
                    }),
            );
            ui.end_row();
            for (label, t) in [
                (s.reported_at, Some(c.reported_at)),
                (s.accepted_at, c.accepted_at),
                (s.due_at, c.due_at),
                (s.closed_at, c.closed_at),
            ] {
                ui.label(label);
                ui.label(time(t));
                ui.end_row();
            }
            ui.label(s.level(Level::MicroGrid));
            match c.unit.and_then(|u| cx.unit_slot.get(&u)) {
                Some(&k) => {
                    if ui.link(&d.units[k].name).clicked() {
                        action = Some(InspectorAction::Show(HitKind::Unit(k)));
                    }
                }
                None => {
                    ui.label("—");
                }
            }
            ui.end_row();
        });
    if !c.description.is_empty() {
        ui.label(&c.description);
    }
    ui.separator();
    ui.label(RichText::new(s.timeline).strong());
    for &e in cx
        .events_by_case
        .get(&c.id)
        .map_or(&[][..], |v| v.as_slice())
    {
        let e = &d.case_events[e];
        let what = match e.action {
            CaseAction::Transition => match e.from_status {
                None => e.to_status.name_zh().to_owned(),
                Some(from) => format!("{} → {}", from.name_zh(), e.to_status.name_zh()),
            },
            CaseAction::Escalate => format!("{} {}", s.escalated_to, s.level(e.to_level)),
        };
        let note = if e.note.is_empty() {
            String::new()
        } else {
            format!("：{}", e.note)
        };
        let line = format!("{}  {}  {}{note}", time(Some(e.at)), what, e.actor);
        if e.is_rework() {
            ui.colored_label(
                Color32::from_rgb(200, 110, 0),
                format!("{line}（{}）", s.rework),
            );
        } else if e.action == CaseAction::Escalate {
            ui.colored_label(Color32::from_rgb(120, 60, 170), line);
        } else {
            ui.label(line);
        }
    }
    action
}

fn unit_ui(
    ui: &mut Ui,
    d: &Dataset,
    cx: &InspectorContext,
    i: usize,
    s: &Strings,
) -> Option<InspectorAction> {
    let (stats, slot) = (cx.stats, cx.unit_slot);
    let mut action = None;
    let unit = &d.units[i];
    // Breadcrumb: county › township › … › this.
    let mut chain = vec![i];
    while let Some(&p) = d.units[*chain.last()?].parent.and_then(|p| slot.get(&p)) {
        chain.push(p);
    }
    chain.reverse();
    ui.horizontal_wrapped(|ui| {
        for (k, &c) in chain.iter().enumerate() {
            if k > 0 {
                ui.label("›");
            }
            if c == i {
                ui.label(RichText::new(&d.units[c].name).strong());
            } else if ui.link(&d.units[c].name).clicked() {
                action = Some(InspectorAction::Show(HitKind::Unit(c)));
            }
        }
    });
    ui.heading(&unit.name);
    ui.label(format!(
        "{} · {} {}",
        s.level(unit.level),
        s.code,
        unit.code
    ));
    ui.separator();
    if let Some(t) = stats.get(unit.id) {
        egui::Grid::new("unit_stats")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.label(s.households);
                ui.label(RichText::new(t.households.to_string()).strong());
                ui.end_row();
                ui.label(s.persons);
                ui.label(t.persons.to_string());
                ui.end_row();
                if let Some(std) = GridStandard::for_level(unit.level) {
                    let dev = std.deviation(t.households, t.persons);
                    ui.label(s.deviation);
                    let text = format!(
                        "{:+.0}% ({} {}{} / {}{})",
                        dev.households_rel * 100.0,
                        s.standard,
                        std.households,
                        s.households_suffix,
                        std.persons,
                        s.persons_suffix
                    );
                    ui.colored_label(
                        if dev.within {
                            Color32::from_rgb(40, 130, 60)
                        } else {
                            Color32::from_rgb(190, 60, 30)
                        },
                        text,
                    );
                    ui.end_row();
                }
                ui.label(s.open_cases);
                ui.label(t.open_cases.to_string());
                ui.end_row();
                ui.label(s.overdue_cases);
                ui.colored_label(
                    if t.overdue_cases > 0 {
                        Color32::from_rgb(200, 40, 30)
                    } else {
                        ui.visuals().text_color()
                    },
                    t.overdue_cases.to_string(),
                );
                ui.end_row();
                for tag in Tag::ALL {
                    let n = t.tag(tag);
                    if n > 0 && (tag.is_vulnerable() || tag.is_special()) {
                        ui.label(tag.name_zh());
                        ui.label(n.to_string());
                        ui.end_row();
                    }
                }
            });
    }
    let children = d.units.iter().filter(|c| c.parent == Some(unit.id)).count();
    if let Some(child) = unit.level.child() {
        ui.label(format!("{} {} {}", s.contains, children, s.level(child)));
    }
    ui.separator();
    ui.label(RichText::new(s.workers).strong());
    let workers: Vec<_> = d
        .workers
        .iter()
        .filter(|w| w.unit == unit.id && w.is_active())
        .collect();
    if workers.is_empty() {
        ui.label("—");
    }
    for w in workers {
        ui.label(format!(
            "{} {} {}",
            w.role.name_zh(),
            w.name,
            mask_phone(&w.phone)
        ));
    }
    ui.separator();
    // Open cases in the subtree.
    let depth = unit.level.number() as usize - 1;
    let open: Vec<_> = d
        .cases
        .iter()
        .zip(cx.case_chains)
        .filter(|(c, chain)| c.status.is_open() && chain[depth] == Some(unit.id))
        .map(|(c, _)| c)
        .collect();
    ui.label(RichText::new(format!("{} ({})", s.open_cases, open.len())).strong());
    egui::ScrollArea::vertical()
        .id_salt("open_cases")
        .max_height(220.0)
        .show(ui, |ui| {
            for c in open.iter().take(50) {
                let overdue = c.is_overdue_at(cx.now);
                let text = format!(
                    "{} · {}{}",
                    c.title,
                    c.status.name_zh(),
                    if overdue { s.overdue_mark } else { "" }
                );
                if overdue {
                    ui.colored_label(Color32::from_rgb(200, 40, 30), text);
                } else {
                    ui.label(text);
                }
            }
        });
    action
}

fn household_ui(
    ui: &mut Ui,
    d: &Dataset,
    cx: &InspectorContext,
    i: usize,
    s: &Strings,
) -> Option<InspectorAction> {
    let slot = cx.unit_slot;
    let mut action = None;
    let h = &d.households[i];
    let full = cx.revealed == Some(h.id);
    let shown = |text: &str, mask: fn(&str) -> String| {
        if full { text.to_owned() } else { mask(text) }
    };
    ui.heading(s.household_record);
    egui::Grid::new("household")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label(s.code);
            ui.monospace(&h.code);
            ui.end_row();
            ui.label(s.address);
            ui.label(shown(&h.address, mask_address));
            ui.end_row();
            ui.label(s.head);
            ui.label(shown(&h.head_name, mask_name));
            ui.end_row();
            ui.label(s.phone);
            ui.label(shown(&h.phone, mask_phone));
            ui.end_row();
            ui.label(s.members);
            ui.label(h.members.to_string());
            ui.end_row();
            ui.label(s.tags);
            if cx.see_tags {
                ui.label(
                    h.tags
                        .iter()
                        .map(|t| t.name_zh())
                        .collect::<Vec<_>>()
                        .join("、"),
                );
            } else {
                ui.weak(crate::ui::AccessStrings::get(s.lang()).tags_hidden);
            }
            ui.end_row();
            ui.label(s.level(Level::MicroGrid));
            match h.unit.and_then(|u| slot.get(&u)) {
                Some(&k) => {
                    if ui.link(&d.units[k].name).clicked() {
                        action = Some(InspectorAction::Show(HitKind::Unit(k)));
                    }
                }
                None => {
                    ui.colored_label(Color32::from_rgb(200, 40, 30), s.no_unit);
                }
            }
            ui.end_row();
        });
    action
}
