//! The layering of ARCHITECTURE.md, enforced cheaply: each module may only import what its
//! row of the table allows. Fails with the file, line and the rule broken.

use std::path::{Path, PathBuf};

/// (module, crates or crate modules it must not use)
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "model",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "rstar",
            "crate::geom",
            "crate::index",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
            "crate::stats",
            "crate::edit",
        ],
    ),
    (
        "geom",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "crate::index",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
        ],
    ),
    (
        "index",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
        ],
    ),
    (
        "cases",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "crate::geom",
            "crate::index",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
        ],
    ),
    (
        "store",
        &[
            "egui",
            "eframe",
            "walkers",
            "crate::index",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
        ],
    ),
    (
        "demo",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
        ],
    ),
    (
        "check",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::index",
        ],
    ),
    ("map", &["eframe", "rusqlite", "crate::app"]),
    (
        "edit",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "crate::store",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
            "crate::ledger",
        ],
    ),
    (
        "ledger",
        &[
            "egui",
            "eframe",
            "walkers",
            "rusqlite",
            "geozero",
            "crate::map",
            "crate::ui",
            "crate::app",
            "crate::demo",
        ],
    ),
    ("ui", &["eframe", "rusqlite", "crate::app"]),
    ("cli", &["egui", "walkers", "rusqlite"]),
];

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
    let mut problems = Vec::new();
    for (module, forbidden) in FORBIDDEN {
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
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in code_lines(&text) {
                for name in *forbidden {
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
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
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
