//! Shared by the integration tests: the fixed demo data and a harness of the real window.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion
#![allow(dead_code)] // each test crate uses a different part

pub mod pg;

use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use gridatlas::app::{Document, GridAtlasApp};
use gridatlas::demo::{DemoParams, Scale, generate};
use gridatlas::model::{Dataset, Timestamp};
use gridatlas::ui::{FontStatus, install_cjk_font};

/// The township-scale demo, as of a fixed date.
pub fn township(seed: u64) -> Dataset {
    generate(
        &DemoParams {
            scale: Scale::Township,
            seed,
            as_of: Timestamp::parse("2026-11-01").unwrap(),
            cases: None,
        },
        &|_, _| {},
    )
    .unwrap()
}

/// The window on the township demo (seed 1), with the system CJK font, as a desktop would
/// show it; any glyph that would be a box fails the test.
pub fn harness() -> Harness<'static, GridAtlasApp> {
    harness_with(township(1))
}

/// The window on `dataset`.
pub fn harness_with(dataset: Dataset) -> Harness<'static, GridAtlasApp> {
    let mut app = GridAtlasApp::with_document(
        Document::new("demo.gpkg".into(), dataset),
        FontStatus::Found("test".into()),
    );
    hold_clock_at_as_of(&mut app);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_context_setup(|ctx| {
            assert!(
                matches!(install_cjk_font(ctx), FontStatus::Found(_)),
                "install fonts-noto-cjk (see .ci/run)"
            )
        })
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app);
    h.run_steps(3);
    h
}

/// The demo's figures are those of its `as_of`: "now" is held there, not at the clock.
pub fn hold_clock_at_as_of(app: &mut GridAtlasApp) {
    let ws = app.workspace_mut().unwrap();
    let as_of = ws.doc.dataset.meta.as_of;
    ws.fix_clock(Some(as_of));
}

/// A primary click on the map at `pos`, as pointer events.
pub fn click_at(h: &mut Harness<'static, GridAtlasApp>, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(2);
}

/// Focuses the text field labelled `label` and types into it (replacing its text).
pub fn type_into(h: &mut Harness<'static, GridAtlasApp>, label: &str, text: &str) {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let role = if h.query_by_role_and_label(Role::TextInput, label).is_some() {
        Role::TextInput
    } else {
        Role::MultilineTextInput
    };
    h.get_by_role_and_label(role, label).focus();
    h.run_steps(1);
    h.key_combination_modifiers(Modifiers::COMMAND, &[egui::Key::A]);
    h.run_steps(1);
    h.get_by_role_and_label(role, label).type_text(text);
    h.run_steps(2);
}

/// The township demo written to `dir/doc.gpkg`, and the window on that file (operators' steps
/// are written to it), its clock held at the demo's `as_of`.
pub fn harness_on_file(
    dir: &std::path::Path,
) -> (Harness<'static, GridAtlasApp>, std::path::PathBuf) {
    let path = document(dir);
    let mut app = app_on_file(&path);
    hold_clock_at_as_of(&mut app);
    (window(app), path)
}

/// The app on an existing file, as `gridatlas FILE` opens it.
pub fn app_on_file(path: &std::path::Path) -> GridAtlasApp {
    GridAtlasApp::with_document(
        Document::open(path.to_owned()).unwrap(),
        FontStatus::Found("test".into()),
    )
}

/// The window of `app`, at a desktop's size, after its first frames.
pub fn window(app: GridAtlasApp) -> Harness<'static, GridAtlasApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_context_setup(|ctx| {
            install_cjk_font(ctx);
        })
        .build_ui_state(|ui, app: &mut GridAtlasApp| app.root_ui(ui), app);
    h.run_steps(3);
    h
}

/// Where on the screen the window shows the interior point of the first village (so a test
/// clicks a place it knows, whatever the layout), and that village's code.
pub fn a_village_on_screen(h: &Harness<'static, GridAtlasApp>) -> (Pos2, String) {
    use geo::InteriorPoint;
    let ws = h.state().workspace().unwrap();
    let village = ws
        .doc
        .dataset
        .units
        .iter()
        .find(|u| u.level == gridatlas::model::Level::Village)
        .expect("a village");
    let p = village
        .geometry
        .interior_point()
        .expect("a non-empty village");
    let m = gridatlas::map::lon_lat_to_mercator(p.x(), p.y());
    (ws.map_transform().to_screen(m), village.code.clone())
}

/// The township demo (seed 1) written to `dir/doc.gpkg`.
pub fn document(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("doc.gpkg");
    gridatlas::store::create(&path, &township(1), false).unwrap();
    path
}

/// Another program's connection to the document, as QGIS (GDAL) would have: with the SQL
/// functions the spatial index's triggers call, which GDAL registers on its connections.
pub fn other_writer(path: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    gridatlas::store::register_sql_functions(&c).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

/// Runs the command line: exit code, stdout as JSON (Null when it is not), stderr.
pub fn gridatlas(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gridatlas"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Whether an outside tool a test compares with is here; on a developer machine without it
/// the test says so and passes, under CI (which installs it, see .ci/run) it fails.
pub fn tool_available(available: bool, what: &str) -> bool {
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install {what} (see .ci/run)"
        );
        eprintln!("{what} not installed: skipping");
    }
    available
}

/// The next status of a case an operator can step with no note and no handler.
pub fn next_status(s: gridatlas::model::CaseStatus) -> Option<gridatlas::model::CaseStatus> {
    use gridatlas::model::CaseStatus;
    match s {
        CaseStatus::Reported => Some(CaseStatus::Accepted),
        CaseStatus::Dispatched => Some(CaseStatus::Handling),
        CaseStatus::Handling => Some(CaseStatus::Responded),
        _ => None,
    }
}

/// That plain step on case `i` of `d`.
pub fn plain_step(d: &Dataset, i: usize) -> gridatlas::app::CaseRequest {
    gridatlas::app::CaseRequest::Transition {
        to: next_status(d.cases[i].status).expect("a case with a plain next step"),
        handler: None,
        note: String::new(),
    }
}

/// The window's path for a step, on a file or a server alike: written through the
/// document's target (if the row is still as read), then applied in place.
pub fn step(
    doc: &mut Document,
    desk: &mut gridatlas::app::CaseDesk,
    i: usize,
) -> Result<(), gridatlas::ledger::LedgerError> {
    let request = plain_step(&doc.dataset, i);
    let (target, d) = doc.target();
    let written = desk.apply(target, d, i, request)?;
    let log = written.log;
    let applied = doc.apply(&written.into(), Some(log), desk.now);
    assert!(!applied.needs_reload);
    let changed = doc.take_changed_cases();
    desk.cases_changed(&doc.dataset, &changed);
    Ok(())
}

/// The whole checker finds nothing (the first three findings shown otherwise).
pub fn assert_checks(d: &Dataset) {
    let r = gridatlas::check::check(d);
    assert!(
        r.violations.is_empty(),
        "{:?}",
        &r.violations[..r.violations.len().min(3)]
    );
}
