//! The left panel: headline figures, the choropleth indicator and the basemap chooser.

use egui::{Color32, RichText, Ui};

use crate::map::{Basemap, Indicator};
use crate::model::{Level, Tag};
use crate::ui::Strings;

use crate::app::workspace::Workspace;

pub(crate) fn summary_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    // The desk's totals are the live net's, also while a draft plan is open over it.
    // The document's totals follow every unit change; only an open draft needs its diff.
    let live_units = ws
        .planning
        .live_unit_counts(&ws.doc.dataset, ws.doc.totals.units);
    let t = &ws.doc.totals;
    ui.heading(ws.doc.net_name(s.lang()));
    if ws.planning.plan.is_some() {
        ui.weak(s.live_net_note);
    }
    egui::Grid::new("totals")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for level in Level::ALL.into_iter().skip(1) {
                ui.label(s.level(level));
                ui.label(live_units[level.number() as usize - 1].to_string());
                ui.end_row();
            }
            for (label, value) in [
                (s.households, t.households.to_string()),
                (s.persons, t.persons.to_string()),
                (s.workers, t.workers.to_string()),
                (s.cases, t.cases.to_string()),
                (s.open_cases, t.open_cases.to_string()),
            ] {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        ui.checkbox(&mut ws.show_cases, s.show_cases);
        ui.add_enabled(
            ws.show_cases,
            egui::Checkbox::new(&mut ws.show_closed_cases, s.show_closed_cases),
        );
    });
    ui.add_enabled(
        ws.show_cases,
        egui::Checkbox::new(&mut ws.desk.heatmap, s.heatmap),
    );
    ui.separator();
    indicator_ui(ui, ws, s);
    ui.separator();
    basemap_ui(ui, ws, s);
    ui.separator();
    // The demo says what is real and what is synthetic; a county's own document says where
    // its data came from, in its own words.
    match demo_note(&ws.doc, s) {
        Some(note) => ui.small(note),
        None => ui.small(ws.doc.dataset.meta.provenance.as_str()),
    };
}

/// What is real and what is synthetic in a demo document (the county's or the city's demo);
/// `None` for a centre's own data.
pub(crate) fn demo_note(doc: &crate::app::Document, s: &Strings) -> Option<&'static str> {
    if !doc
        .dataset
        .meta
        .provenance
        .starts_with(crate::demo::PROVENANCE_PREFIX)
    {
        return None;
    }
    Some(if doc.totals.units[0] > 1 {
        s.about_synthetic_city
    } else {
        s.about_synthetic
    })
}

pub(crate) fn indicator_name(i: Indicator, s: &Strings) -> String {
    match i {
        Indicator::None => s.indicator_none.into(),
        Indicator::Households => s.households.into(),
        Indicator::Persons => s.persons.into(),
        Indicator::Deviation => s.indicator_deviation.into(),
        Indicator::Tag(_) => i.tag().map_or(String::new(), |t| t.name_zh().to_owned()),
        Indicator::OpenCases => s.open_cases.into(),
        Indicator::OverdueCases => s.overdue_cases.into(),
        Indicator::ClosureRate => s.closure_rate.into(),
        Indicator::OnTimeRate => s.on_time_rate.into(),
        Indicator::ReworkRate => s.rework_rate.into(),
        Indicator::PeriodOverdue => format!("{}（{}）", s.overdue_period, s.period),
        Indicator::MeanHandlingHours => s.mean_handling.into(),
        Indicator::HouseholdsPerWorker => format!(
            "{}（{}）",
            s.households,
            crate::ui::StaffingStrings::get(s.lang()).per_worker
        ),
    }
}

pub(crate) fn indicator_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    let mut options = vec![
        Indicator::None,
        Indicator::Households,
        Indicator::Persons,
        Indicator::Deviation,
    ];
    // Households by tag only for a role that may see tags.
    if ws.may(crate::model::Permission::SeeTags) {
        options.extend(
            Tag::ALL
                .iter()
                .filter(|t| t.is_vulnerable() || t.is_special())
                .map(|t| Indicator::Tag(*t as u8)),
        );
    }
    options.extend([
        Indicator::HouseholdsPerWorker,
        Indicator::OpenCases,
        Indicator::OverdueCases,
        Indicator::ClosureRate,
        Indicator::OnTimeRate,
        Indicator::ReworkRate,
        Indicator::PeriodOverdue,
        Indicator::MeanHandlingHours,
    ]);
    egui::ComboBox::from_label(s.indicator)
        .selected_text(indicator_name(ws.indicator, s))
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(&mut ws.indicator, o, indicator_name(o, s));
            }
        });
    let level_text = ws.indicator_level.map_or(s.level_auto, |l| s.level(l));
    egui::ComboBox::from_label(s.indicator_level)
        .selected_text(level_text)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut ws.indicator_level, None, s.level_auto);
            for l in Level::ALL.into_iter().skip(1) {
                ui.selectable_value(&mut ws.indicator_level, Some(l), s.level(l));
            }
        });
    ws.refresh_choropleth();
    if ws.indicator.is_case_indicator() {
        let (from, to) = ws.desk.period();
        ui.weak(format!(
            "{} {} – {}",
            s.period,
            ws.desk.time_zone.date(from),
            ws.desk.time_zone.date(to.plus_seconds(-1))
        ));
    }
    if let Some(c) = ws.choropleth() {
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                s.legend,
                indicator_name(c.indicator, s),
                s.level(c.level)
            ))
            .strong(),
        );
        let swatch = |ui: &mut Ui, color: Color32, text: String| {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(18.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, color);
                ui.label(text);
            });
        };
        for (color, text, n) in &c.legend {
            swatch(ui, *color, format!("{text}  ({n})"));
        }
        if c.no_value > 0 {
            swatch(
                ui,
                crate::map::NO_DATA,
                format!("{}  ({})", s.no_value, c.no_value),
            );
        }
    }
}

pub(crate) fn basemap_name(b: &Basemap, s: &Strings) -> &'static str {
    match b {
        Basemap::None => s.basemap_none,
        Basemap::OpenStreetMap => s.basemap_osm,
        Basemap::TiandituVector { .. } => s.basemap_tianditu_vec,
        Basemap::TiandituImagery { .. } => s.basemap_tianditu_img,
        Basemap::Xyz { .. } => s.basemap_xyz,
        Basemap::MbTiles { .. } => s.basemap_mbtiles,
        Basemap::PmTiles { .. } => s.basemap_pmtiles,
    }
}

pub(crate) fn basemap_ui(ui: &mut Ui, ws: &mut Workspace, s: &Strings) {
    let kinds = [
        Basemap::None,
        Basemap::OpenStreetMap,
        Basemap::TiandituVector { key: String::new() },
        Basemap::TiandituImagery { key: String::new() },
        Basemap::Xyz {
            template: "http://".into(),
            attribution: String::new(),
        },
        Basemap::MbTiles {
            path: Default::default(),
        },
        Basemap::PmTiles {
            path: Default::default(),
        },
    ];
    let mut draft = ws.basemap.draft.clone();
    egui::ComboBox::from_label(s.basemap)
        .selected_text(basemap_name(&draft, s))
        .show_ui(ui, |ui| {
            for k in kinds {
                if ui
                    .selectable_label(draft.kind() == k.kind(), basemap_name(&k, s))
                    .clicked()
                    && draft.kind() != k.kind()
                {
                    draft = k;
                }
            }
        });
    match &mut draft {
        Basemap::TiandituVector { key } | Basemap::TiandituImagery { key } => {
            let label = ui.label(s.tianditu_key);
            ui.add(egui::TextEdit::singleline(key).hint_text(s.tianditu_key))
                .labelled_by(label.id);
        }
        Basemap::Xyz { template, .. } => {
            let label = ui.label(s.url_template);
            ui.add(egui::TextEdit::singleline(template).hint_text(s.url_template))
                .labelled_by(label.id);
        }
        Basemap::MbTiles { path } | Basemap::PmTiles { path } => {
            let label = ui.label(s.file_path);
            let mut text = path.display().to_string();
            if ui
                .add(egui::TextEdit::singleline(&mut text).hint_text(s.file_path))
                .labelled_by(label.id)
                .changed()
            {
                *path = text.into();
            }
        }
        Basemap::None | Basemap::OpenStreetMap => {}
    }
    let changed = draft != ws.basemap.choice;
    ws.basemap.draft = draft;
    if ui
        .add_enabled(changed, egui::Button::new(s.apply))
        .clicked()
    {
        let choice = ws.basemap.draft.clone();
        ws.set_basemap(choice, ui.ctx());
    }
    if let Some(e) = &ws.basemap.error {
        ui.colored_label(Color32::from_rgb(190, 40, 30), e.as_str());
    }
}
