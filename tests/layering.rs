//! The layering of ARCHITECTURE.md, enforced cheaply: the table there is the source; each
//! module may only import the crate modules and heavy crates its row names. Fails with the
//! file, line and the rule broken.
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Crates whose use is a layering decision (the UI toolkit, the map widget, SQLite and the
/// geometry codec, the R-tree). Light crates (geo, serde, thiserror…) are free for all.
const GATED_CRATES: &[&str] = &[
    "egui",
    "eframe",
    "walkers",
    "rusqlite",
    "geozero",
    "rstar",
    "egui_plot",
    "postgres",
];

/// Each module's row: `None` for "everything", else the names it may import.
fn table() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .find("| module | holds | may import |")
        .expect("ARCHITECTURE.md has the layering table");
    let mut rows = BTreeMap::new();
    for line in text[start..].lines().skip(2) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let module = cells[1].trim_matches('`').to_owned();
        // Parenthesised remarks are for people.
        let mut allowed = String::new();
        let mut depth = 0;
        for c in cells[3].chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => allowed.push(c),
                _ => {}
            }
        }
        let names: BTreeSet<String> = allowed
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty() && n != "—")
            .collect();
        rows.insert(
            module,
            if names.contains("everything") {
                None
            } else {
                Some(names)
            },
        );
    }
    rows
}

/// The top-level modules of the library.
fn modules() -> Vec<String> {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    std::fs::read_to_string(lib)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code lines of a file, without comments and without `#[cfg(test)]` modules at its end.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .collect()
}

fn uses(line: &str, name: &str) -> bool {
    let bare = name.trim_start_matches("crate::");
    if name.starts_with("crate::") {
        line.contains(name) || (line.contains("use crate::{") && line.contains(bare))
    } else {
        line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|token| token == name)
            && (line.contains(&format!("{name}::")) || line.contains(&format!("use {name}")))
    }
}

#[test]
fn layers_import_only_what_they_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let table = table();
    let modules = modules();
    let mut problems = Vec::new();
    for module in &modules {
        let Some(row) = table.get(module) else {
            problems.push(format!(
                "module `{module}` has no row in ARCHITECTURE.md's layering table"
            ));
            continue;
        };
        let Some(allowed) = row else { continue };
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let single = src.join(format!("{module}.rs"));
        if single.is_file() {
            files.push(single);
        }
        assert!(!files.is_empty(), "module {module} not found under src/");
        let forbidden: Vec<String> = modules
            .iter()
            .filter(|m| *m != module && !allowed.contains(*m))
            .map(|m| format!("crate::{m}"))
            .chain(
                GATED_CRATES
                    .iter()
                    .filter(|c| !allowed.contains(**c))
                    .map(|c| (*c).to_owned()),
            )
            .collect();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in code_lines(&text) {
                for name in &forbidden {
                    if uses(line, name) {
                        problems.push(format!(
                            "{}:{n}: module `{module}` must not use `{name}`: {}",
                            file.display(),
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    for row in table.keys() {
        if !modules.contains(row) {
            problems.push(format!(
                "ARCHITECTURE.md's layering table names `{row}`, which is not a module"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

/// The wall is drawn from its own view type alone: no file of `src/wall` names a type or a
/// field that holds personal data, so no change to the wall's drawing can show one.
#[test]
fn the_wall_cannot_name_personal_data() {
    const PERSONAL: [&str; 8] = [
        "Household",
        "Worker",
        "Dataset",
        "head_name",
        "phone",
        "address",
        "reporter",
        "description",
    ];
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/wall"),
        &mut files,
    );
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in code_lines(&text) {
            for word in PERSONAL {
                if line
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|t| t == word)
                {
                    problems.push(format!("{}:{n}: names `{word}`", file.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_is_read() {
    let table = table();
    assert_eq!(table.get("app"), Some(&None));
    let check = table["check"].as_ref().unwrap();
    assert!(check.contains("cases") && !check.contains("index"));
    assert!(table["model"].as_ref().unwrap().is_empty());
}

#[test]
fn the_checker_itself_catches_a_forbidden_import() {
    assert!(uses("use egui::Color32;", "egui"));
    assert!(uses(
        "    let x = rusqlite::Connection::open(p);",
        "rusqlite"
    ));
    assert!(uses("use crate::store::load;", "crate::store"));
    assert!(uses("use crate::{model, store};", "crate::store"));
    assert!(
        !uses("// egui is not used here", "egui")
            || code_lines("// egui").iter().all(|(_, l)| !uses(l, "egui"))
    );
    assert!(!uses("let egui_like = 1;", "egui"));
}
