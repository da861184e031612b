//! Chinese text needs a CJK font, and egui ships none. We look for one installed on the system
//! (no download: the machines are often offline) and add it as a fallback for every family.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Known locations on Linux, Windows and macOS: (path, face index in a collection). For the
/// Noto/Source Han collections index 2 is the Simplified Chinese face.
const CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        2,
    ),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    (
        "/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
        0,
    ),
    ("C:\\Windows\\Fonts\\msyh.ttc", 0),
    ("C:\\Windows\\Fonts\\simhei.ttf", 0),
    ("C:\\Windows\\Fonts\\simsun.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
];

/// File-name fragments that mark a CJK font when searching font directories.
const NAME_HINTS: &[&str] = &[
    "notosanscjk",
    "notoserifcjk",
    "wqy",
    "sourcehansans",
    "msyh",
    "simhei",
    "pingfang",
    "droidsansfallback",
];

#[derive(Debug, Clone, PartialEq)]
pub enum FontStatus {
    Found(PathBuf),
    /// No CJK font: Chinese would render as empty boxes. The UI says so (in ASCII).
    Missing,
}

fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
        PathBuf::from("C:\\Windows\\Fonts"),
        PathBuf::from("/System/Library/Fonts"),
        PathBuf::from("/Library/Fonts"),
    ];
    if let Some(home) = dirs::home_dir() {
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

fn scan(dir: &Path, depth: usize, found: &mut Option<PathBuf>) {
    if depth > 4 || found.is_some() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scan(&path, depth + 1, found);
        } else if let Some(name) = path.file_name().map(|n| n.to_string_lossy().to_lowercase())
            && NAME_HINTS.iter().any(|h| name.contains(h))
            && (name.ends_with(".ttf") || name.ends_with(".ttc") || name.ends_with(".otf"))
        {
            *found = Some(path);
            return;
        }
    }
}

/// The CJK font to use, if any: `GRIDATLAS_CJK_FONT` overrides the search.
pub fn find_cjk_font() -> Option<(PathBuf, u32)> {
    if let Some(path) = std::env::var_os("GRIDATLAS_CJK_FONT").map(PathBuf::from) {
        return path.is_file().then_some((path, 0));
    }
    if let Some((p, i)) = CANDIDATES.iter().find(|(p, _)| Path::new(p).is_file()) {
        return Some((PathBuf::from(p), *i));
    }
    let mut found = None;
    for dir in search_dirs() {
        scan(&dir, 0, &mut found);
        if let Some(path) = found {
            let collection = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ttc"));
            let index = if collection && path.to_string_lossy().to_lowercase().contains("cjk") {
                2
            } else {
                0
            };
            return Some((path, index));
        }
    }
    None
}

/// Adds a system CJK font as a fallback to every font family.
pub fn install_cjk_font(ctx: &egui::Context) -> FontStatus {
    let Some((path, index)) = find_cjk_font() else {
        log::warn!("no CJK font found; Chinese text cannot be shown");
        return FontStatus::Missing;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        log::warn!("cannot read font {}", path.display());
        return FontStatus::Missing;
    };
    let mut fonts = egui::FontDefinitions::default();
    let mut data = egui::FontData::from_owned(bytes);
    data.index = index;
    fonts.font_data.insert("cjk".to_owned(), Arc::new(data));
    for family in fonts.families.values_mut() {
        family.push("cjk".to_owned());
    }
    ctx.set_fonts(fonts);
    FontStatus::Found(path)
}
