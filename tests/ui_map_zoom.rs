//! The mouse wheel (issue #11): one notch is half a zoom level about the pointer, whatever the
//! frame rate (it was ~1.25 levels on a slow desktop).

#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, TouchPhase};

fn notch(h: &mut egui_kittest::Harness<'static, gridatlas::app::GridAtlasApp>, y: f32) {
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Line,
        delta: egui::vec2(0.0, y),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Wheel,
        modifiers: Modifiers::NONE,
    });
    // Several frames, as a slow desktop would draw while the smoothed scroll runs out.
    h.run_steps(6);
}

#[test]
fn one_wheel_notch_is_half_a_level_about_the_pointer() {
    let mut h = common::harness();
    let rect = h.state().workspace().unwrap().map_rect();
    let at = rect.center() + egui::vec2(rect.width() * 0.2, -rect.height() * 0.15);
    h.event(Event::PointerMoved(at));
    h.run_steps(2);
    let ws = h.state().workspace().unwrap();
    let (zoom, under) = (ws.memory.zoom(), ws.map_transform().to_lon_lat(at));
    notch(&mut h, 1.0);
    let ws = h.state().workspace().unwrap();
    assert!(
        (ws.memory.zoom() - zoom - 0.5).abs() < 1e-9,
        "one notch in: {} → {}",
        zoom,
        ws.memory.zoom()
    );
    let after = ws.map_transform().to_lon_lat(at);
    let moved_m = geo::Distance::distance(&geo::Haversine, geo::Point(under), geo::Point(after));
    assert!(
        moved_m < 1.0,
        "the place under the pointer stays: moved {moved_m} m"
    );
    notch(&mut h, -2.0);
    let ws = h.state().workspace().unwrap();
    assert!(
        (ws.memory.zoom() - (zoom - 0.5)).abs() < 1e-9,
        "two notches out"
    );
}
