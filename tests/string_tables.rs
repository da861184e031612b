//! Every message the window shows comes from the string tables, in both languages (issue
//! #11: "未执行：上报上级 escalation needs a reason (note)"). This scans the window's source
//! (`src/app`, `src/ui`) for string literals holding words — Chinese, or English of three
//! letters or more once `{…}` placeholders are taken out — outside the tables
//! (`ui/strings.rs`, `ui/commands.rs`, `app/messages.rs`). What remains must be on the list
//! below, each with the reason it is not a message.

use std::path::Path;

/// Literals that hold words but are not messages to translate.
const NOT_MESSAGES: &[(&str, &str)] = &[
    ("GridAtlas", "the product's name"),
    (
        "GridAtlas 网格图",
        "the window title: the product's name in both scripts",
    ),
    (
        "GridAtlas 大屏",
        "the wall window's title: the product's name and 大屏 (the wall is read in Chinese)",
    ),
    (
        "YYYY-MM-DD",
        "the date fields' format hint, read the same in both languages",
    ),
    ("GCJ-02", "a datum's name"),
    ("WGS84", "a datum's name"),
    ("~/cases", "a path hint"),
    ("{} Ctrl+K", "a key name after a translated label"),
    (
        "指挥中心值班员",
        "the default actor stored in case histories: data, not a message",
    ),
    (
        "写入文件",
        "a first-start progress stage, named like the demo generator's stages (Chinese data labels)",
    ),
    (
        "加密个人信息",
        "a first-start progress stage, named like the demo generator's stages (Chinese data labels)",
    ),
    (
        "hazard zone: {} households",
        "an audit log entry's target: data for auditors, not a message",
    ),
    (
        "hazard list",
        "an audit log entry's detail: data, not a message",
    ),
    (
        "effective {date}",
        "an audit log entry's detail: data, not a message",
    ),
    (
        "added {} to {}",
        "an audit log entry's detail: data, not a message",
    ),
    (
        "party contact: none",
        "an audit log entry's detail: data, not a message",
    ),
    (
        "party contact: worker {}",
        "an audit log entry's detail: data, not a message",
    ),
    ("危险区域名单-{stamp}.csv", "an export's file name"),
    ("危险区域名单-{stamp}-{n}.csv", "an export's file name"),
    ("plan-{safe}-assignment.csv", "an export's file name"),
    ("GRIDATLAS_CJK_FONT", "an environment variable's name"),
    (
        "no CJK font found; Chinese text cannot be shown",
        "a log line for the developer; the window shows s.no_cjk_font",
    ),
    ("cannot read font {}", "a log line for the developer"),
    (
        "cannot open the window: {e}",
        "printed on the terminal before any window exists",
    ),
    (
        "draw the line across a unit of the edited level",
        "the English detail of a split refusal; the desk shows Rule::Split's sentence from app/messages.rs",
    ),
];

fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    let mut cur: Option<String> = None;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        match (&mut cur, c) {
            (None, '"') => cur = Some(String::new()),
            (None, '/') if chars.peek() == Some(&'/') => break,
            (Some(_), '\\') if !escaped => escaped = true,
            (Some(s), '"') if !escaped => {
                out.push(std::mem::take(s));
                cur = None;
            }
            (Some(s), c) => {
                s.push(c);
                escaped = false;
            }
            (None, _) => {}
        }
    }
    out
}

fn has_words(text: &str) -> bool {
    // Placeholders are filled from the tables or from data.
    let mut bare = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    let cjk = bare.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut run = 0;
    let mut english = false;
    for c in bare.chars() {
        run = if c.is_ascii_alphabetic() { run + 1 } else { 0 };
        english |= run >= 3;
    }
    // Identifiers, ids and paths: lower-case words joined by _ - . / :
    let identifier = bare
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-./:".contains(c));
    // File system paths (the fonts looked for).
    let path = bare.starts_with('/') || bare.starts_with("C:\\");
    (cjk || english) && !identifier && !path
}

#[test]
fn the_window_says_nothing_outside_the_string_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tables = [
        "ui/strings.rs",
        "ui/import_strings.rs",
        "ui/access_strings.rs",
        "ui/staffing_strings.rs",
        "ui/export_strings.rs",
        "ui/commands.rs",
        "app/messages.rs",
    ];
    let mut found = Vec::new();
    for dir in ["app", "ui"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let rel = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            // The benchmarks print figures to a terminal, not to an operator.
            if tables.contains(&rel.as_str()) || rel.contains("bench_") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.contains("#[cfg(test)]") {
                    break;
                }
                let code = line.trim_start();
                if code.starts_with("//") || code.starts_with("#[") {
                    continue;
                }
                for lit in literals(line) {
                    if has_words(&lit) && !NOT_MESSAGES.iter().any(|(t, _)| *t == lit) {
                        found.push(format!("src/{rel}:{}: {lit:?}", n + 1));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "user-visible text outside the string tables:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_finds_what_it_must() {
    assert!(has_words("escalation needs a reason"));
    assert!(has_words("未执行"));
    assert!(!has_words("{}：{}"));
    assert!(!has_words("hazard_rows"));
    assert_eq!(literals(r#"f("a \"b\"", "c") // "d""#), ["a \"b\"", "c"]);
}
