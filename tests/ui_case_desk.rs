//! The case desk driven by its labels, on a real file: report a case by clicking the map, take
//! it through the whole loop to 结案, see a refused step explained, filter the list, and move
//! the time slider. Every step is checked in memory and in the file.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gridatlas::app::DeskMessage;
use gridatlas::cases::CaseState;
use gridatlas::map::lon_lat_to_mercator;
use gridatlas::model::{CaseAction, CaseStatus};
use gridatlas::ui::HitKind;

fn message(
    h: &egui_kittest::Harness<'static, gridatlas::app::GridAtlasApp>,
) -> Option<DeskMessage> {
    h.state().workspace().unwrap().desk.message.clone()
}

#[test]
fn report_dispatch_handle_verify_and_close_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    let before = h.state().workspace().unwrap().doc.dataset.cases.len();
    // A place inside a micro-grid: a household's location, nudged a few metres.
    let (at, unit) = {
        let ws = h.state().workspace().unwrap();
        let hh = ws
            .doc
            .dataset
            .households
            .iter()
            .find(|h| h.unit.is_some())
            .unwrap();
        let p = hh.location;
        (
            ws.map_transform()
                .to_screen(lon_lat_to_mercator(p.x(), p.y())),
            hh.unit,
        )
    };
    h.get_by_label("上报事件").click();
    h.run_steps(2);
    assert!(h.state().workspace().unwrap().desk.reporting);
    common::click_at(&mut h, at);
    h.get_by_label("新事件");
    common::type_into(&mut h, "标题", "井盖松动");
    common::type_into(&mut h, "描述", "人行道井盖踩上去会晃");
    h.get_by_label("提交上报").click();
    h.run_steps(3);
    let i = {
        let ws = h.state().workspace().unwrap();
        assert_eq!(
            ws.doc.dataset.cases.len(),
            before + 1,
            "{:?}",
            ws.desk.message
        );
        let i = before;
        let c = &ws.doc.dataset.cases[i];
        assert_eq!(c.status, CaseStatus::Reported);
        assert_eq!(c.title, "井盖松动");
        assert_eq!(c.unit, unit, "located in its micro-grid");
        assert_eq!(ws.selection, Some(HitKind::Case(i)));
        i
    };
    // Reported and in the file.
    let on_disk = gridatlas::store::load(&path).unwrap();
    assert_eq!(on_disk.cases.len(), before + 1);
    assert_eq!(on_disk.cases[i].status, CaseStatus::Reported);

    // Edit what was reported.
    h.get_by_role_and_label(Role::Button, "编辑").click();
    h.run_steps(2);
    common::type_into(&mut h, "标题", "井盖松动（人行道）");
    h.get_by_role_and_label(Role::Button, "保存").click();
    h.run_steps(3);
    assert_eq!(
        gridatlas::store::load(&path).unwrap().cases[i].title,
        "井盖松动（人行道）"
    );

    for (label, status) in [
        ("立案", CaseStatus::Accepted),
        ("派遣", CaseStatus::Dispatched),
        ("开始处置", CaseStatus::Handling),
        ("处置反馈", CaseStatus::Responded),
        ("核查通过并结案", CaseStatus::Closed),
    ] {
        h.get_by_role_and_label(Role::Button, label).click();
        h.run_steps(3);
        let ws = h.state().workspace().unwrap();
        assert_eq!(
            ws.doc.dataset.cases[i].status, status,
            "after {label}: {:?}",
            ws.desk.message
        );
    }
    let ws = h.state().workspace().unwrap();
    let c = ws.doc.dataset.cases[i].clone();
    let handler = c.handler.expect("dispatched to a worker");
    assert!(ws.desk.eligible(&ws.doc.dataset, i).contains(&handler));
    assert!(c.due_at.is_some() && c.closed_at.is_some());
    // The file holds the same case and its six history entries, in order.
    let on_disk = gridatlas::store::load(&path).unwrap();
    assert_eq!(on_disk.cases[i], c);
    let history: Vec<(Option<CaseStatus>, CaseStatus)> = on_disk
        .case_events
        .iter()
        .filter(|e| e.case_id == c.id)
        .map(|e| (e.from_status, e.to_status))
        .collect();
    use CaseStatus::*;
    assert_eq!(
        history,
        vec![
            (None, Reported),
            (Some(Reported), Accepted),
            (Some(Accepted), Dispatched),
            (Some(Dispatched), Handling),
            (Some(Handling), Responded),
            (Some(Responded), Closed),
        ]
    );
    // A closed case offers no more steps.
    assert!(
        h.query_by_role_and_label(Role::Button, "立案").is_none()
            && h.query_by_role_and_label(Role::Button, "上报上级")
                .is_none()
    );
    // And the check still passes on the file.
    let report = gridatlas::check::check(&on_disk);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
}

#[test]
fn a_refused_step_says_why_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = common::harness_on_file(dir.path());
    // A freshly reported case, through the workspace's own calls.
    let i = {
        let ws = h.state_mut().workspace_mut().unwrap();
        let p = ws.doc.dataset.households[0].location;
        ws.start_case_at(p.0);
        ws.desk.draft.as_mut().unwrap().title = "占道经营".into();
        ws.submit_case_draft();
        ws.doc.dataset.cases.len() - 1
    };
    h.state_mut()
        .workspace_mut()
        .unwrap()
        .show(HitKind::Case(i));
    h.run_steps(3);
    let status = h.state().workspace().unwrap().doc.dataset.cases[i].status;
    let refused = if status == CaseStatus::Reported {
        "不予立案"
    } else {
        "核查不通过（返工）"
    };
    let events_before = gridatlas::store::load(&path).unwrap().case_events.len();
    h.get_by_role_and_label(Role::Button, refused).click();
    h.run_steps(3);
    match message(&h) {
        // Said in the desk's language, all of it ("未执行：上报上级 escalation needs a reason"
        // was half English).
        Some(DeskMessage::Refused(m)) => {
            let zh = m.text(gridatlas::ui::Lang::Zh);
            assert!(zh.contains("需要填写理由"), "{zh}");
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
            assert!(m.text(gridatlas::ui::Lang::En).contains("needs a reason"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    h.get_by_label_contains("未执行：这一步需要填写理由（备注）");
    assert_eq!(
        h.state().workspace().unwrap().doc.dataset.cases[i].status,
        status
    );
    assert_eq!(
        gridatlas::store::load(&path).unwrap().case_events.len(),
        events_before
    );
    // The refusal was about this case: choosing something else clears it, coming back does
    // not bring it back.
    let selected = h.state().workspace().unwrap().selection;
    h.state_mut().workspace_mut().unwrap().selection = None;
    h.run_steps(2);
    assert!(message(&h).is_none(), "{:?}", message(&h));
    h.state_mut().workspace_mut().unwrap().selection = selected;
    h.run_steps(2);
    // With a reason it goes through, and the reason is in the history.
    common::type_into(&mut h, "备注/理由", "现场核实不属实");
    h.get_by_role_and_label(Role::Button, refused).click();
    h.run_steps(3);
    let on_disk = gridatlas::store::load(&path).unwrap();
    let last = on_disk.case_events.last().unwrap();
    assert_eq!(last.note, "现场核实不属实");
    assert_eq!(last.action, CaseAction::Transition);
    assert_ne!(on_disk.cases[i].status, status);
}

#[test]
fn the_case_list_filters_and_opens_a_case() {
    let mut h = common::harness();
    h.get_by_label("事件列表").click();
    h.run_steps(3);
    let all = h.state().workspace().unwrap().desk.list.len();
    let cases = h.state().workspace().unwrap().doc.dataset.cases.len();
    assert_eq!(all, cases, "every case listed by default");
    // Hide closed cases.
    h.get_by_role_and_label(Role::CheckBox, "结案").click();
    h.run_steps(3);
    {
        let ws = h.state().workspace().unwrap();
        assert!(ws.desk.list.len() < all);
        assert!(
            ws.desk
                .list
                .iter()
                .all(|&i| ws.doc.dataset.cases[i].status != CaseStatus::Closed)
        );
    }
    h.get_by_role_and_label(Role::CheckBox, "结案").click();
    common::type_into(&mut h, "上报起", "2026-10-01");
    let (first, from) = {
        let ws = h.state().workspace().unwrap();
        // A typed date is a day in the document's time zone: Beijing's midnight.
        let from = gridatlas::model::Timestamp::parse("2026-09-30T16:00:00Z").unwrap();
        assert!(!ws.desk.list.is_empty() && ws.desk.list.len() < all);
        assert!(
            ws.desk
                .list
                .iter()
                .all(|&i| ws.doc.dataset.cases[i].reported_at >= from)
        );
        (ws.desk.list[0], from)
    };
    // Newest first by default; a row opens the case.
    let code = h.state().workspace().unwrap().doc.dataset.cases[first]
        .code
        .clone();
    h.get_by_label_contains(&code).click();
    h.run_steps(3);
    assert_eq!(
        h.state().workspace().unwrap().selection,
        Some(HitKind::Case(first))
    );
    let _ = from;
}

#[test]
fn the_time_slider_shows_each_case_as_it_was_and_plays() {
    let mut h = common::harness();
    h.get_by_label("时间轴").click();
    h.run_steps(2);
    {
        let ws = h.state_mut().workspace_mut().unwrap();
        assert!(ws.desk.slider.enabled);
        ws.desk.slider.day = ws.desk.slider.days / 2;
    }
    h.run_steps(2);
    // Independent replay: the last event at or before the day's end decides.
    let ws = h.state().workspace().unwrap();
    let t = ws.desk.slider.time();
    let d = &ws.doc.dataset;
    let (mut open_then, mut closed_then) = (0, 0);
    for (i, c) in d.cases.iter().enumerate() {
        let last = d
            .case_events
            .iter()
            .filter(|e| e.case_id == c.id && e.at <= t)
            .max_by_key(|e| (e.at, e.id));
        let expected = match last.map(|e| e.to_status) {
            None | Some(CaseStatus::Rejected) => CaseState::Absent,
            Some(CaseStatus::Closed) => CaseState::Closed,
            Some(_) if c.due_at.is_some_and(|due| due < t) => CaseState::Overdue,
            Some(_) => CaseState::Open,
        };
        assert_eq!(
            ws.desk.states[i],
            expected,
            "case {} at {}",
            c.code,
            t.to_iso()
        );
        open_then += matches!(expected, CaseState::Open | CaseState::Overdue) as usize;
        closed_then += (expected == CaseState::Closed) as usize;
    }
    assert!(open_then > 0 && closed_then > 0);
    // Playback moves the day on.
    let day = ws.desk.slider.day;
    h.get_by_label("播放").click();
    for _ in 0..60 {
        h.step();
    }
    let ws = h.state().workspace().unwrap();
    assert!(
        ws.desk.slider.day > day,
        "played from day {day} to {}",
        ws.desk.slider.day
    );
}

#[test]
fn a_documents_own_deadline_applies_when_a_case_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = common::harness_on_file(dir.path());
    let category = gridatlas::model::CategoryCode::parse("06.02").unwrap();
    gridatlas::store::set_deadline_hours(&path, category, Some(12)).unwrap();
    let mut doc = gridatlas::app::Document::open(path.clone()).unwrap();
    assert_eq!(doc.dataset.meta.deadline_hours.get(&category), Some(&12));
    let mut desk = gridatlas::app::CaseDesk::new(&doc.dataset);
    let p = doc.dataset.households[0].location;
    desk.draft = Some(gridatlas::app::CaseDraft {
        location: p,
        unit: doc.index.micro_grid_at(p.0),
        category,
        title: "路灯不亮".into(),
        description: String::new(),
        reporter: String::new(),
    });
    let written = desk
        .submit_draft(gridatlas::store::Target::File(&path))
        .unwrap();
    let now = desk.now;
    let i = doc
        .apply(&written.clone().into(), Some(written.log), now)
        .cases[0];
    let changed = doc.take_changed_cases();
    desk.cases_changed(&doc.dataset, &changed);
    desk.apply(
        gridatlas::store::Target::File(&path),
        &doc.dataset,
        i,
        gridatlas::app::CaseRequest::Transition {
            to: CaseStatus::Accepted,
            handler: None,
            note: String::new(),
        },
    )
    .unwrap();
    let c = &gridatlas::store::load(&path).unwrap().cases[i];
    assert_eq!(c.due_at.unwrap().0 - c.accepted_at.unwrap().0, 12 * 3600);
}
