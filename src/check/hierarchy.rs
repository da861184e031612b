//! The hierarchy: one county or more (side by side), parents that exist one level up, codes unique, well-formed and
//! extending their parent's.

use std::collections::HashMap;

use crate::check::{Rule, Violation, v};
use crate::model::{Dataset, Level, Unit, UnitCode, UnitId};

pub(super) fn hierarchy(d: &Dataset, by_id: &HashMap<UnitId, &Unit>, out: &mut Vec<Violation>) {
    // A county's document has one county; a prefecture city's centre has each of its
    // counties, side by side (their outlines must not overlap: `counties_apart`).
    let counties: Vec<&Unit> = d
        .units
        .iter()
        .filter(|u| u.level == Level::County)
        .collect();
    if counties.is_empty() {
        out.push(v(
            Rule::OneCounty,
            "units",
            0,
            None,
            "a document has at least one county; this one has none".into(),
        ));
    }
    if counties.len() > 1 {
        out.extend(crate::check::counties_apart(&counties));
    }
    let mut codes: HashMap<&str, UnitId> = HashMap::new();
    for u in &d.units {
        if let Some(other) = codes.insert(u.code.as_str(), u.id) {
            out.push(v(
                Rule::UniqueCode,
                "units",
                u.id.0,
                None,
                format!("code {} is also used by unit {other}", u.code),
            ));
        }
        if let Err(e) = UnitCode::parse(&u.code, u.level) {
            out.push(v(Rule::CodeFormat, "units", u.id.0, None, e.to_string()));
        }
        match (u.parent, u.level.parent()) {
            (None, None) => {}
            (Some(p), Some(expected)) => match by_id.get(&p) {
                Some(parent) if parent.level != expected => out.push(v(
                    Rule::ParentLevel,
                    "units",
                    u.id.0,
                    None,
                    format!(
                        "{} {} has parent {} which is a {}, not a {}",
                        u.level.name_en(),
                        u.code,
                        parent.code,
                        parent.level.name_en(),
                        expected.name_en()
                    ),
                )),
                Some(parent) if !u.code.starts_with(&parent.code) => out.push(v(
                    Rule::CodePrefix,
                    "units",
                    u.id.0,
                    None,
                    format!(
                        "code {} does not start with its parent's code {}",
                        u.code, parent.code
                    ),
                )),
                Some(_) => {}
                None => out.push(v(
                    Rule::ParentExists,
                    "units",
                    u.id.0,
                    None,
                    format!("parent_id {p} does not exist"),
                )),
            },
            (None, Some(_)) => out.push(v(
                Rule::ParentExists,
                "units",
                u.id.0,
                None,
                format!("{} {} has no parent", u.level.name_en(), u.code),
            )),
            (Some(_), None) => out.push(v(
                Rule::ParentLevel,
                "units",
                u.id.0,
                None,
                "a county cannot have a parent".into(),
            )),
        }
    }
}
