//! The words of the staffing list (网格员配备) and the workers panel (网格员管理), in both
//! languages.

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
    pub manage: &'static str,
    pub which: &'static str,
    pub new_worker: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub post: &'static str,
    pub unit_code: &'static str,
    pub party_member: &'static str,
    pub save: &'static str,
    pub retire: &'static str,
    pub party_contact: &'static str,
    pub nobody: &'static str,
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
    manage: "网格员管理",
    which: "选择网格员",
    new_worker: "新增网格员…",
    name: "姓名",
    phone: "联系电话",
    post: "岗位",
    unit_code: "所属单元编码",
    party_member: "党员",
    save: "保存网格员",
    retire: "离任",
    party_contact: "联户党员",
    nobody: "（无）",
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
    manage: "Workers",
    which: "Choose a worker",
    new_worker: "New worker…",
    name: "Name",
    phone: "Phone",
    post: "Post",
    unit_code: "Unit code",
    party_member: "Party member",
    save: "Save worker",
    retire: "Retire",
    party_contact: "Party contact",
    nobody: "(none)",
};

impl StaffingStrings {
    pub fn get(lang: Lang) -> &'static StaffingStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}
