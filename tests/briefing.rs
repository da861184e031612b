//! Briefings on paper, read back as a person reads them: the PDF's text (pdftotext, from
//! poppler-utils, installed by .ci/run) carries the same figures as `gridatlas stats` for the
//! same month, and no household head's name or phone.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use crate::common;

use std::path::Path;
use std::process::Command;

use gridatlas::model::{Dataset, Level};

fn pdftotext_available() -> bool {
    common::tool_available(
        Command::new("pdftotext").arg("-v").output().is_ok(),
        "poppler-utils (pdftotext)",
    )
}

/// The PDF's text, with its layout (a table row stays one line).
fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn percent(v: &serde_json::Value) -> String {
    v.as_f64()
        .map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// No head of household's name or phone is on the page (looked for in every cell of the
/// page's text). Names that are also a place's (a village called after a family) or a grid
/// worker's (the sheet lists the workers by name, as it should) are left out of the name check;
/// phones are checked for every household.
fn assert_no_personal_data(d: &Dataset, text: &str) {
    let cells: Vec<&str> = text.split_whitespace().collect();
    let printed = |s: &str| cells.iter().any(|c| c.contains(s));
    for h in &d.households {
        assert!(
            h.phone.is_empty() || !printed(&h.phone),
            "phone {} of household {} printed",
            h.phone,
            h.code
        );
        let someone_else = d.units.iter().any(|u| u.name.contains(&h.head_name))
            || d.workers.iter().any(|w| w.name.contains(&h.head_name));
        if h.head_name.chars().count() >= 2 && !someone_else {
            assert!(
                !printed(&h.head_name),
                "name {} of household {} printed",
                h.head_name,
                h.code
            );
        }
    }
}

#[test]
fn the_monthly_bulletin_prints_the_figures_of_stats_and_nobody_personal() {
    if !pdftotext_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = common::document(dir.path());
    let d = gridatlas::store::load(&doc).unwrap();
    let township = d.units.iter().find(|u| u.level == Level::Township).unwrap();
    let pdf = dir.path().join("bulletin.pdf");
    let (code, out, err) = common::gridatlas(&[
        "briefing",
        "monthly",
        doc.to_str().unwrap(),
        "--month",
        "2026-10",
        "--unit",
        &township.code,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out["bytes"].as_u64().unwrap() > 10_000);
    let text = text_of(&pdf);
    // typst sets a thin space between Chinese and digits; pdftotext shows it as a space.
    let compact: String = text.split_whitespace().collect();
    assert!(
        compact.contains("月度通报") && compact.contains("2026年10月"),
        "{text}"
    );

    // Every village's row: its figures as `gridatlas stats --level 3` gives them.
    let (code, stats, err) = common::gridatlas(&[
        "stats",
        doc.to_str().unwrap(),
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-01",
        "--level",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows = stats.as_array().unwrap();
    assert_eq!(rows.len(), 10);
    for r in rows {
        let code = r["code"].as_str().unwrap();
        let line = text
            .lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("no row for {code} in:\n{text}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        let expected = [
            r["due"].to_string(),
            percent(&r["closure_rate"]),
            percent(&r["on_time_rate"]),
            percent(&r["rework_rate"]),
            r["overdue"].to_string(),
        ];
        let at = cells.iter().position(|c| *c == code).unwrap();
        let printed: Vec<String> = cells[at + 1..at + 6]
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(printed, expected, "{line}");
    }
    // The township's own line of the headline table: 结案率 this month.
    let (_, own, _) = common::gridatlas(&[
        "stats",
        doc.to_str().unwrap(),
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-01",
        "--level",
        "2",
    ]);
    let own = &own.as_array().unwrap()[0];
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("结案率"))
        .unwrap();
    assert!(line.contains(&percent(&own["closure_rate"])), "{line}");
    assert_no_personal_data(&d, &text);
}

#[test]
fn the_grid_sheet_lists_the_open_cases_of_the_grid_with_names_masked() {
    if !pdftotext_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = common::document(dir.path());
    let d = gridatlas::store::load(&doc).unwrap();
    let tree = gridatlas::model::UnitTree::new(&d);
    // The grid with the most open cases.
    let grid = d
        .units
        .iter()
        .filter(|u| u.level == Level::Grid)
        .max_by_key(|g| {
            d.cases
                .iter()
                .filter(|c| c.status.is_open() && c.unit.is_some_and(|u| tree.is_within(u, g.id)))
                .count()
        })
        .unwrap();
    let open: Vec<_> = d
        .cases
        .iter()
        .filter(|c| c.status.is_open() && c.unit.is_some_and(|u| tree.is_within(u, grid.id)))
        .collect();
    assert!(!open.is_empty());
    let pdf = dir.path().join("sheet.pdf");
    let (code, _, err) = common::gridatlas(&[
        "briefing",
        "grid",
        doc.to_str().unwrap(),
        "--unit",
        &grid.code,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = text_of(&pdf);
    for c in &open {
        assert!(text.contains(&c.code), "open case {} missing", c.code);
    }
    // Households to visit are there, masked.
    let visit = d
        .households
        .iter()
        .find(|h| {
            h.unit.is_some_and(|u| tree.is_within(u, grid.id))
                && h.tags.iter().any(|t| t.is_vulnerable())
        })
        .unwrap();
    assert!(text.contains(&gridatlas::model::mask_name(&visit.head_name)));
    assert_no_personal_data(&d, &text);

    // A village is no grid: one line, nothing written.
    let village = d.units.iter().find(|u| u.level == Level::Village).unwrap();
    let other = dir.path().join("no.pdf");
    let (code, _, err) = common::gridatlas(&[
        "briefing",
        "grid",
        doc.to_str().unwrap(),
        "--unit",
        &village.code,
        "--out",
        other.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a grid"), "{err}");
    assert!(!other.exists());
}
