//! The demo: deterministic, realistic, and every invariant holds (checked by `check`, whose
//! own power to find violations is tested here too).
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use std::collections::HashMap;

use gridatlas::check::check;
use gridatlas::demo::{DemoParams, Scale, generate};
use gridatlas::model::{CaseStatus, Dataset, Level, Tag, Timestamp, UnitId};
use gridatlas::store;

fn params(scale: Scale, seed: u64) -> DemoParams {
    DemoParams {
        scale,
        seed,
        as_of: Timestamp::parse("2026-11-01").unwrap(),
        cases: None,
    }
}

fn township(seed: u64) -> Dataset {
    generate(&params(Scale::Township, seed), &|_, _| {}).unwrap()
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = township(3);
    let b = township(3);
    assert!(a == b, "same seed must give the same dataset");
    let c = township(4);
    assert!(a.households != c.households);
}

#[test]
fn same_seed_same_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2) = (dir.path().join("a.gpkg"), dir.path().join("b.gpkg"));
    store::create(&p1, &township(5), false).unwrap();
    store::create(&p2, &township(5), false).unwrap();
    assert!(
        std::fs::read(&p1).unwrap() == std::fs::read(&p2).unwrap(),
        "files differ"
    );
}

#[test]
fn township_demo_is_valid_and_survives_a_round_trip() {
    let d = township(1);
    let report = check(&d);
    assert!(report.ok, "{:#?}", report.violations);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    store::create(&path, &d, false).unwrap();
    let back = store::load(&path).unwrap();
    assert!(back == d, "load(create(d)) != d");
}

#[test]
fn township_demo_looks_like_a_township() {
    let d = township(1);
    let counts = d.unit_counts();
    assert_eq!(counts[0], 1);
    assert_eq!(counts[1], 1);
    assert_eq!(counts[2], 10, "ten villages");
    assert_eq!(d.households.len(), 5000);
    // ~100 households per grid, 10–30 per micro-grid on average.
    let per_grid = d.households.len() as f64 / counts[3] as f64;
    assert!(
        (80.0..140.0).contains(&per_grid),
        "{per_grid} households per grid"
    );
    let per_micro = d.households.len() as f64 / counts[4] as f64;
    assert!(
        (10.0..30.0).contains(&per_micro),
        "{per_micro} households per micro-grid"
    );
    assert!(d.households.iter().all(|h| h.unit.is_some()));
    // Persons: about 300 per 100 rural households.
    let persons: u32 = d.households.iter().map(|h| h.members as u32).sum();
    let per_household = persons as f64 / d.households.len() as f64;
    assert!((2.8..3.6).contains(&per_household), "{per_household}");
}

#[test]
fn county_demo_has_the_real_liuyang_figures_and_holds_every_invariant() {
    let d = generate(&params(Scale::County, 1), &|_, _| {}).unwrap();
    let counts = d.unit_counts();
    assert_eq!(counts[..2], [1, 32]);
    assert_eq!(counts[2], 320);
    assert!((3600..4400).contains(&counts[3]), "{} grids", counts[3]);
    assert!(
        (28_000..36_000).contains(&counts[4]),
        "{} micro-grids",
        counts[4]
    );
    assert_eq!(d.households.len(), 420_000);
    assert_eq!(d.cases.len(), 20_000);
    let report = check(&d);
    assert!(
        report.ok,
        "{} violations: {:#?}",
        report.violation_count,
        report.violations.iter().take(5).collect::<Vec<_>>()
    );

    // Tags at the domain doc's rates (rough orders of magnitude).
    let rate = |tag: Tag| {
        d.households.iter().filter(|h| h.tags.contains(tag)).count() as f64
            / d.households.len() as f64
    };
    assert!(
        (0.03..0.05).contains(&rate(Tag::LowIncome)),
        "low income {}",
        rate(Tag::LowIncome)
    );
    assert!((0.03..0.08).contains(&rate(Tag::ElderlyAlone)));
    assert!((0.0003..0.002).contains(&rate(Tag::CommunityCorrection)));
    assert!((0.05..0.20).contains(&rate(Tag::Rented)));

    // Clustered like people live: the densest 10 % of micro-grids by area hold far more
    // than 10 % of households, and many micro-grids in the mountains are nearly empty.
    let mut per_micro: HashMap<UnitId, usize> = HashMap::new();
    for h in &d.households {
        *per_micro.entry(h.unit.unwrap()).or_default() += 1;
    }
    let grids_with_few = d
        .units_of_level(Level::Grid)
        .filter(|g| {
            d.units
                .iter()
                .filter(|m| m.parent == Some(g.id))
                .map(|m| per_micro.get(&m.id).copied().unwrap_or(0))
                .sum::<usize>()
                < 20
        })
        .count();
    assert!(
        grids_with_few < counts[3] / 10,
        "{grids_with_few} grids with under 20 households"
    );

    // Cases follow the workflow: most closed, some open, some overdue, some reworked.
    let closed = d
        .cases
        .iter()
        .filter(|c| c.status == CaseStatus::Closed)
        .count();
    let open = d.cases.iter().filter(|c| c.status.is_open()).count();
    let overdue = d
        .cases
        .iter()
        .filter(|c| c.is_overdue_at(d.meta.as_of))
        .count();
    let reworked = d.case_events.iter().filter(|e| e.is_rework()).count();
    let rejected = d
        .cases
        .iter()
        .filter(|c| c.status == CaseStatus::Rejected)
        .count();
    assert!(closed > 17_000, "{closed} closed");
    assert!(open > 50, "{open} open");
    assert!(
        overdue > 20 && overdue < open,
        "{overdue} overdue of {open} open"
    );
    assert!(reworked > 500, "{reworked} reworks");
    assert!(rejected > 300, "{rejected} rejected");
}

#[test]
fn every_seed_gives_a_valid_county() {
    // Seed 2 once overflowed the household counts; a few seeds, generation and invariants.
    for seed in [2, 17] {
        let d = generate(&params(Scale::County, seed), &|_, _| {}).unwrap();
        assert_eq!(d.households.len(), 420_000, "seed {seed}");
        let report = check(&d);
        assert!(
            report.ok,
            "seed {seed}: {:?}",
            report.violations.iter().take(3).collect::<Vec<_>>()
        );
    }
}

#[test]
fn check_finds_what_is_wrong() {
    let good = township(2);
    // A household handed to another micro-grid without moving it.
    let mut d = good.clone();
    let other = d
        .units
        .iter()
        .rfind(|u| u.level == Level::MicroGrid && Some(u.id) != d.households[0].unit)
        .unwrap()
        .id;
    d.households[0].unit = Some(other);
    let r = check(&d);
    assert!(
        !r.ok
            && r.violations
                .iter()
                .any(|v| v.rule.name() == "unit_id" && v.id == d.households[0].id.0),
        "{:?}",
        r.violations
    );

    // A micro-grid removed: a gap in its grid, and its households lie in no micro-grid.
    let mut d = good.clone();
    let gone = d
        .units
        .iter()
        .position(|u| u.level == Level::MicroGrid)
        .unwrap();
    d.units.remove(gone);
    let rules: Vec<&str> = check(&d).violations.iter().map(|v| v.rule.name()).collect();
    assert!(rules.contains(&"no_gap"), "{rules:?}");

    // A village duplicated under a new id: overlap.
    let mut d = good.clone();
    let mut copy = d
        .units
        .iter()
        .find(|u| u.level == Level::Village)
        .unwrap()
        .clone();
    copy.id = UnitId(999_999);
    copy.code = format!("{}9", &copy.code[..11]);
    d.units.push(copy);
    let rules: Vec<&str> = check(&d).violations.iter().map(|v| v.rule.name()).collect();
    assert!(rules.contains(&"no_overlap"), "{rules:?}");

    // A case closed without the history to show for it.
    let mut d = good.clone();
    let c = d
        .cases
        .iter_mut()
        .find(|c| c.status == CaseStatus::Closed)
        .unwrap();
    c.status = CaseStatus::Handling;
    let rules: Vec<&str> = check(&d).violations.iter().map(|v| v.rule.name()).collect();
    assert!(rules.contains(&"case_workflow"), "{rules:?}");
}
