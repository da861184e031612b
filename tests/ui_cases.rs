//! Cases on the map: a pin is clicked or a case code searched, and the inspector shows the case
//! with its whole history.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gridatlas::map::lon_lat_to_mercator;
use gridatlas::ui::HitKind;

#[test]
fn click_a_pin_and_read_the_timeline() {
    let mut h = common::harness();
    // An open case of the demo (pins show open cases by default).
    let (index, at, events) = {
        let ws = h.state().workspace().unwrap();
        let d = &ws.doc.dataset;
        let (i, c) = d
            .cases
            .iter()
            .enumerate()
            .find(|(_, c)| c.status.is_open())
            .expect("an open case");
        let t = ws.map_transform();
        (
            i,
            t.to_screen(lon_lat_to_mercator(c.location.x(), c.location.y())),
            ws.doc.events_by_case[&c.id].len(),
        )
    };
    common::click_at(&mut h, at);
    assert_eq!(
        h.state().workspace().unwrap().selection,
        Some(HitKind::Case(index))
    );
    h.get_by_label("事件详情");
    h.get_by_label("办理过程");
    let (code, first) = {
        let ws = h.state().workspace().unwrap();
        let c = &ws.doc.dataset.cases[index];
        (
            c.code.clone(),
            ws.doc.dataset.case_events[ws.doc.events_by_case[&c.id][0]]
                .actor
                .clone(),
        )
    };
    h.get_by_label(code.as_str());
    // Every event is a line of the timeline; the first is the report.
    // The first event (the report) has no arrow; every later one is a transition or escalation.
    let later = h.query_all_by_label_contains(" → ").count()
        + h.query_all_by_label_contains("上报至").count();
    assert_eq!(later + 1, events, "one timeline line per event");
    assert!(
        h.query_all_by_label_contains(&first).next().is_some(),
        "the reporter's line"
    );
}

#[test]
fn a_hidden_closed_case_next_to_a_pin_does_not_steal_the_click() {
    let mut d = common::township(1);
    let open = d.cases.iter().position(|c| c.status.is_open()).unwrap();
    let closed = d
        .cases
        .iter()
        .position(|c| c.status == gridatlas::model::CaseStatus::Closed)
        .unwrap();
    // A few metres away: nearer to the click point below than the open case itself.
    let p = d.cases[open].location;
    d.cases[closed].location = geo_types::Point::new(p.x() + 0.00002, p.y());
    let mut h = common::harness_with(d);
    let at = {
        let ws = h.state().workspace().unwrap();
        let c = ws.doc.dataset.cases[closed].location;
        ws.map_transform()
            .to_screen(lon_lat_to_mercator(c.x(), c.y()))
    };
    common::click_at(&mut h, at);
    assert_eq!(
        h.state().workspace().unwrap().selection,
        Some(HitKind::Case(open)),
        "the visible pin is picked"
    );
}

#[test]
fn search_a_case_by_code() {
    let mut h = common::harness();
    let (index, code) = {
        let d = &h.state().workspace().unwrap().doc.dataset;
        let i = d.cases.len() / 2;
        (i, d.cases[i].code.clone())
    };
    h.get_by_role_and_label(Role::TextInput, "搜索").focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "搜索")
        .type_text(&code);
    h.run_steps(2);
    h.key_down(Key::Enter);
    h.key_up(Key::Enter);
    h.run_steps(3);
    assert_eq!(
        h.state().workspace().unwrap().selection,
        Some(HitKind::Case(index))
    );
    h.get_by_label("事件详情");
}
