//! The words of the staffing list (网格员配备), in both languages.

use crate::ui::Lang;

pub struct StaffingStrings {
    pub title: &'static str,
    pub grids: &'static str,
    pub without_leader: &'static str,
    pub without_full_time: &'static str,
    pub micro_without_leader: &'static str,
    pub busiest: &'static str,
    pub grid: &'static str,
    pub households: &'static str,
    pub workers: &'static str,
    pub per_worker: &'static str,
}

static ZH: StaffingStrings = StaffingStrings {
    title: "网格员配备",
    grids: "网格数",
    without_leader: "缺网格长的网格",
    without_full_time: "缺专职网格员的网格",
    micro_without_leader: "缺微网格长的微网格",
    busiest: "缺员的网格在前，其次是每名网格员户数最多的",
    grid: "网格",
    households: "户数",
    workers: "网格员",
    per_worker: "户/人",
};

static EN: StaffingStrings = StaffingStrings {
    title: "Staffing",
    grids: "Grids",
    without_leader: "Grids without a 网格长",
    without_full_time: "Grids without a 专职网格员",
    micro_without_leader: "Micro-grids without a 微网格长",
    busiest: "Grids with a gap first, then the most households per worker",
    grid: "Grid",
    households: "Households",
    workers: "Workers",
    per_worker: "per worker",
};

impl StaffingStrings {
    pub fn get(lang: Lang) -> &'static StaffingStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}
