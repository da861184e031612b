//! The words of 文件 › 导出简报 and 导出图片, in both languages.

use crate::ui::Lang;

pub struct ExportStrings {
    pub monthly: &'static str,
    pub grid_sheet: &'static str,
    pub map_image: &'static str,
    pub month: &'static str,
    pub unit: &'static str,
    pub unit_hint: &'static str,
    pub grid_hint: &'static str,
    pub out: &'static str,
    pub size: &'static str,
    pub export: &'static str,
    pub written: &'static str,
    pub failed: &'static str,
    pub map_title: &'static str,
    pub outlines_only: &'static str,
}

static ZH: ExportStrings = ExportStrings {
    monthly: "导出月度通报…",
    grid_sheet: "导出网格夜话…",
    map_image: "导出地图图片…",
    month: "月份（如 2026-10）",
    unit: "单元编码",
    unit_hint: "空：全县",
    grid_hint: "15 位网格编码",
    out: "保存到",
    size: "像素（宽×高）",
    export: "导出",
    written: "已写入：",
    failed: "未导出：",
    map_title: "当前地图",
    outlines_only: "边界",
};

static EN: ExportStrings = ExportStrings {
    monthly: "Export monthly bulletin…",
    grid_sheet: "Export grid-meeting sheet…",
    map_image: "Export map image…",
    month: "Month (e.g. 2026-10)",
    unit: "Unit code",
    unit_hint: "empty: the county",
    grid_hint: "a grid's 15-digit code",
    out: "Save to",
    size: "Pixels (width×height)",
    export: "Export",
    written: "Written:",
    failed: "Not exported:",
    map_title: "Current map",
    outlines_only: "outlines",
};

impl ExportStrings {
    pub fn get(lang: Lang) -> &'static ExportStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}
