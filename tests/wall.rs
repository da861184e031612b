//! The wall display (大屏): opened from the desk, its tour moved and paused, a selection pushed
//! to it, a case closed at the desk struck off at its next frame — and no personal data in any
//! value it can draw.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui_kittest::kittest::Queryable;
use gridatlas::app::{Action, CaseRequest};
use gridatlas::model::{CaseStatus, Level};
use gridatlas::ui::{Command, HitKind};

/// Every string of a JSON value, recursively.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// Walks every value the wall's view holds, with every unit of the document pushed to it
/// (and every case), and finds no household or worker field and no case's free text.
#[test]
fn nothing_on_the_wall_names_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = common::harness_on_file(dir.path());
    let ws = h.state_mut().workspace_mut().unwrap();
    let now = ws.desk.now;
    let d = ws.doc.dataset.clone();
    // Push a unit of every level, a household (its micro-grid goes), and a case.
    for level in Level::ALL {
        let i = d.units.iter().position(|u| u.level == level).unwrap();
        assert!(ws.wall.push(&ws.doc, Some(HitKind::Unit(i)), None, now));
    }
    assert!(
        ws.wall
            .push(&ws.doc, Some(HitKind::Household(0)), None, now)
    );
    let mut texts = Vec::new();
    assert!(ws.wall.push(&ws.doc, Some(HitKind::Case(0)), None, now));
    strings(
        &serde_json::to_value(ws.wall.tour.focus()).unwrap(),
        &mut texts,
    );
    let view = ws.wall.view(&ws.doc, now).clone();
    strings(&serde_json::to_value(&view).unwrap(), &mut texts);
    assert!(view.focus_units.len() == 6 && !view.pins.is_empty() && !view.recent.is_empty());
    let unit_names: Vec<&str> = d.units.iter().map(|u| u.name.as_str()).collect();
    // A person's name that is also part of a place's name (a village named after a family)
    // is found in the place: those are told apart by being a unit's name.
    let is_place = |s: &str| unit_names.iter().any(|n| n.contains(s));
    let personal = d
        .households
        .iter()
        .flat_map(|h| [h.head_name.as_str(), h.phone.as_str(), h.address.as_str()])
        .chain(
            d.workers
                .iter()
                .flat_map(|w| [w.name.as_str(), w.phone.as_str()]),
        )
        .chain(d.cases.iter().flat_map(|c| {
            [
                c.title.as_str(),
                c.description.as_str(),
                c.reporter.as_str(),
            ]
        }))
        .filter(|p| p.chars().count() >= 2 && !is_place(p));
    for p in personal {
        for t in &texts {
            assert!(!t.contains(p), "«{p}» is on the wall in «{t}»");
        }
    }
}

#[test]
fn the_wall_opens_tours_takes_a_push_and_strikes_off_a_closed_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = common::harness_on_file(dir.path());
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::Command(Command::WallDisplay));
    h.run_steps(3);
    // The wall (embedded under test: no second window) shows the county and its tiles.
    let county = {
        let ws = h.state().workspace().unwrap();
        assert!(ws.wall.open);
        ws.doc
            .dataset
            .units
            .iter()
            .find(|u| u.level == Level::County)
            .unwrap()
            .name
            .clone()
    };
    h.get_by_label("本月结案率");
    h.get_by_label("网格 / 网格员");
    h.get_by_label_contains(&format!("{county} · 网格化服务管理"));
    h.get_by_label_contains("全域");

    // The tour's next stop is the township; paused, it says so.
    let township = {
        let ws = h.state().workspace().unwrap();
        ws.doc
            .dataset
            .units
            .iter()
            .find(|u| u.level == Level::Township)
            .unwrap()
            .name
            .clone()
    };
    let ws = h.state_mut().workspace_mut().unwrap();
    ws.push(Action::Command(Command::WallNext));
    ws.push(Action::Command(Command::WallTourPause));
    h.run_steps(2);
    h.get_by_label_contains(&format!("{township}  ·  1 / 1  ·  巡览暂停"));

    // A village selected at the desk and pushed: the wall shows it, with its figures.
    let (village, households) = {
        let ws = h.state().workspace().unwrap();
        let (i, v) = ws
            .doc
            .dataset
            .units
            .iter()
            .enumerate()
            .find(|(_, u)| u.level == Level::Village)
            .unwrap();
        (
            i,
            (v.name.clone(), ws.doc.stats.get(v.id).unwrap().households),
        )
    };
    let ws = h.state_mut().workspace_mut().unwrap();
    ws.push(Action::Select(Some(HitKind::Unit(village))));
    ws.push(Action::Command(Command::PushToWall));
    h.run_steps(2);
    h.get_by_label_contains(&format!("推送 · {}", households.0));
    h.get_by_label_contains(&format!("{} / ", households.1));

    // A case taken to 结案 at the desk (handling → responded → closed) leaves the wall's pins
    // at the next frame.
    let (id, code) = {
        let ws = h.state().workspace().unwrap();
        let c = ws
            .doc
            .dataset
            .cases
            .iter()
            .find(|c| c.status == CaseStatus::Handling)
            .unwrap();
        (c.id, c.code.clone())
    };
    let to = CaseStatus::Closed;
    let on_wall = |h: &mut egui_kittest::Harness<'static, gridatlas::app::GridAtlasApp>| {
        let ws = h.state_mut().workspace_mut().unwrap();
        let now = ws.desk.now;
        let (wall, doc) = (&mut ws.wall, &ws.doc);
        wall.view(doc, now).pins.iter().any(|p| p.code == code)
    };
    assert!(on_wall(&mut h));
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::CaseStep(
            id,
            CaseRequest::Transition {
                to: CaseStatus::Responded,
                handler: None,
                note: "已处置".into(),
            },
        ));
    h.run_steps(1);
    assert!(on_wall(&mut h), "responded is still open");
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .push(Action::CaseStep(
            id,
            CaseRequest::Transition {
                to,
                handler: None,
                note: "核实办结".into(),
            },
        ));
    h.run_steps(1);
    let ws = h.state().workspace().unwrap();
    assert!(
        ws.doc
            .dataset
            .cases
            .iter()
            .any(|c| c.id == id && c.status == to),
        "{:?}",
        ws.desk.message
    );
    assert!(!on_wall(&mut h), "case {code} still pinned on the wall");
}

/// 文件 › 导出月度通报 and 导出地图图片, driven by their labels: a PDF and a PNG of the asked size
/// appear beside the document.
#[test]
fn briefings_and_the_map_image_export_from_the_file_menu() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("导出月度通报…").click();
    h.run_steps(2);
    h.get_by_label("导出").click();
    h.run_steps(2);
    let out = {
        let ws = h.state().workspace().unwrap();
        ws.export.last.clone().unwrap().unwrap()
    };
    assert_eq!(out.parent(), path.parent());
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));

    {
        let ws = h.state_mut().workspace_mut().unwrap();
        ws.export.open = None;
    }
    h.run_steps(1);
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("导出地图图片…").click();
    h.run_steps(2);
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        (ws.export.width, ws.export.height) = (1200, 800);
    }
    h.get_by_label("导出").click();
    h.run_steps(2);
    let png = {
        let ws = h.state().workspace().unwrap();
        ws.export.last.clone().unwrap().unwrap()
    };
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    // The IHDR chunk: width and height, big-endian, at bytes 16..24.
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let hgt = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, hgt), (1200, 800));
}
