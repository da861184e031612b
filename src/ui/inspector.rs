//! The inspector: a unit (code, name, level, the parent chain as a clickable breadcrumb,
//! statistics, workers, open cases) or a household (its record, personal data masked).

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};

use crate::model::{Dataset, Level, Tag, UnitId, mask_name, mask_phone};
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

pub fn inspector_ui(
    ui: &mut Ui,
    d: &Dataset,
    stats: &Stats,
    slot: &HashMap<UnitId, usize>,
    selection: Selection,
    s: &Strings,
) -> Option<InspectorAction> {
    match selection {
        HitKind::Unit(i) => unit_ui(ui, d, stats, slot, i, s),
        HitKind::Household(i) => household_ui(ui, d, slot, i, s),
    }
}

fn unit_ui(
    ui: &mut Ui,
    d: &Dataset,
    stats: &Stats,
    slot: &HashMap<UnitId, usize>,
    i: usize,
    s: &Strings,
) -> Option<InspectorAction> {
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
    let workers: Vec<_> = d.workers.iter().filter(|w| w.unit == unit.id).collect();
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
    let in_subtree = |mut u: Option<UnitId>| {
        while let Some(id) = u {
            if id == unit.id {
                return true;
            }
            u = slot.get(&id).and_then(|&k| d.units[k].parent);
        }
        false
    };
    let open: Vec<_> = d
        .cases
        .iter()
        .filter(|c| c.status.is_open() && in_subtree(c.unit))
        .collect();
    ui.label(RichText::new(format!("{} ({})", s.open_cases, open.len())).strong());
    egui::ScrollArea::vertical()
        .id_salt("open_cases")
        .max_height(220.0)
        .show(ui, |ui| {
            for c in open.iter().take(50) {
                let overdue = c.is_overdue_at(d.meta.as_of);
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
    slot: &HashMap<UnitId, usize>,
    i: usize,
    s: &Strings,
) -> Option<InspectorAction> {
    let mut action = None;
    let h = &d.households[i];
    ui.heading(s.household_record);
    egui::Grid::new("household")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label(s.code);
            ui.monospace(&h.code);
            ui.end_row();
            ui.label(s.address);
            ui.label(&h.address);
            ui.end_row();
            ui.label(s.head);
            ui.label(mask_name(&h.head_name));
            ui.end_row();
            ui.label(s.phone);
            ui.label(mask_phone(&h.phone));
            ui.end_row();
            ui.label(s.members);
            ui.label(h.members.to_string());
            ui.end_row();
            ui.label(s.tags);
            ui.label(
                h.tags
                    .iter()
                    .map(|t| t.name_zh())
                    .collect::<Vec<_>>()
                    .join("、"),
            );
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
