//! The hazard-zone tool driven like an operator: buttons by label, clicks on the map as pointer
//! events, Enter and Esc; the list and its export masked unless unmasked explicitly.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::pos2;
use egui_kittest::kittest::Queryable;
use gridatlas::model::mask_name;
use gridatlas::ui::HazardMode;

#[test]
fn circle_zone_lists_the_households_inside() {
    let mut h = common::harness();
    h.get_by_label("画圆形").click();
    h.run_steps(2);
    assert_eq!(
        h.state().workspace().unwrap().hazard.mode,
        HazardMode::Circle
    );
    common::click_at(&mut h, pos2(650.0, 420.0));
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .hazard
            .circle_centre
            .is_some(),
        "first click sets the centre"
    );
    common::click_at(&mut h, pos2(760.0, 420.0));
    let ws = h.state().workspace().unwrap();
    let report = ws
        .hazard
        .report
        .as_ref()
        .expect("second click finishes the circle");
    // Checked by an independent path: every household's great-circle distance from the centre
    // (geo's Haversine), not the R-tree query the report comes from.
    let gridatlas::index::Area::Circle { centre, radius_m } = ws.hazard.zone.clone().unwrap()
    else {
        panic!("a circle zone")
    };
    let inside: Vec<usize> = {
        use geo::Distance;
        ws.doc
            .dataset
            .households
            .iter()
            .enumerate()
            .filter(|(_, h)| geo::Haversine.distance(geo::Point(centre), h.location) <= radius_m)
            .map(|(i, _)| i)
            .collect()
    };
    let mut reported = report.households.clone();
    reported.sort_unstable();
    // Haversine and our local metric frame may disagree for a household within centimetres of
    // the rim; none may differ by more.
    let rim = |i: &usize| {
        use geo::Distance;
        let d = geo::Haversine.distance(geo::Point(centre), ws.doc.dataset.households[*i].location);
        (d - radius_m).abs() < 0.05
    };
    let only_reported: Vec<_> = reported.iter().filter(|i| !inside.contains(i)).collect();
    let only_inside: Vec<_> = inside.iter().filter(|i| !reported.contains(i)).collect();
    assert!(
        only_reported.iter().all(|i| rim(i)) && only_inside.iter().all(|i| rim(i)),
        "report and distance disagree: {only_reported:?} / {only_inside:?}"
    );
    assert!(
        report.households.len() > 10,
        "{} households",
        report.households.len()
    );
    let count = report.households.len().to_string();
    h.get_by_label(count.as_str());
    // The tag totals (labels may repeat in the household list below them).
    assert!(h.query_all_by_label("独居老人").next().is_some());
    assert!(h.query_all_by_label("社区矫正").next().is_some());

    // Esc clears the tool.
    h.key_down(egui::Key::Escape);
    h.key_up(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().workspace().unwrap().hazard.mode, HazardMode::Off);
}

#[test]
fn polygon_zone_and_masked_export() {
    // On a file: unmasking writes its reason to the document's audit log.
    let dir = tempfile::tempdir().unwrap();
    let (mut h, doc) = common::harness_on_file(dir.path());
    h.get_by_label("画多边形").click();
    h.run_steps(2);
    for p in [
        pos2(560.0, 300.0),
        pos2(820.0, 330.0),
        pos2(760.0, 560.0),
        pos2(640.0, 470.0),
        pos2(540.0, 540.0),
    ] {
        common::click_at(&mut h, p);
    }
    assert_eq!(h.state().workspace().unwrap().hazard.vertices.len(), 5);
    h.key_down(egui::Key::Enter);
    h.key_up(egui::Key::Enter);
    h.run_steps(2);
    let n = h
        .state()
        .workspace()
        .unwrap()
        .hazard
        .report
        .as_ref()
        .expect("Enter finishes the polygon")
        .households
        .len();
    assert!(n > 10, "{n} households");

    let dir = tempfile::tempdir().unwrap();
    h.state_mut().workspace_mut().unwrap().hazard.export_dir = Some(dir.path().to_owned());
    h.get_by_label("导出名单 CSV").click();
    h.run_steps(2);
    let masked = std::fs::read_to_string(
        h.state()
            .workspace()
            .unwrap()
            .hazard
            .last_export
            .clone()
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        masked.lines().count(),
        n + 1,
        "a header and one line per household"
    );
    let ws = h.state().workspace().unwrap();
    let first = ws.doc.dataset.households[ws.hazard.report.as_ref().unwrap().households[0]].clone();
    assert!(masked.contains(&mask_name(&first.head_name)));
    assert!(
        !masked.contains(&first.phone),
        "phones are masked by default"
    );

    let masked_path = ws.hazard.last_export.clone().unwrap().unwrap();
    // Unmasking needs a reason, which goes into the audit log first.
    common::type_into(&mut h, "查看原因", "防汛转移");
    h.get_by_label("显示完整个人信息（需授权）").click();
    h.run_steps(3);
    assert!(h.state().workspace().unwrap().hazard.unmasked);
    h.get_by_label("导出名单 CSV").click();
    h.run_steps(2);
    let unmasked_path = h
        .state()
        .workspace()
        .unwrap()
        .hazard
        .last_export
        .clone()
        .unwrap()
        .unwrap();
    let unmasked = std::fs::read_to_string(&unmasked_path).unwrap();
    assert!(
        unmasked.contains(&first.phone),
        "unmasked on explicit request"
    );
    assert!(
        unmasked.lines().next().unwrap().contains("防汛转移"),
        "an unmasked list carries its reason on its first line"
    );
    let log = gridatlas::store::audit::list(&doc, None, None).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "reveal" && e.reason == "防汛转移" && e.detail == "hazard list")
    );
    // A second export in the same second gets its own name: the masked list is still there.
    assert_ne!(masked_path, unmasked_path);
    assert_eq!(std::fs::read_to_string(&masked_path).unwrap(), masked);
}
