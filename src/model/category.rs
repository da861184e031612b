//! Case categories: a two-level code, major + minor (GB/T 30428.2 splits parts 部件 and events
//! 事件; governance classes are added). Stored as text `MM.NN`, e.g. `10.02` (安全隐患 / 路灯损坏).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryCode {
    pub major: u8,
    pub minor: u8,
}

impl CategoryCode {
    pub fn parse(text: &str) -> Option<CategoryCode> {
        let (major, minor) = text.trim().split_once('.')?;
        if major.len() != 2 || minor.len() != 2 {
            return None;
        }
        let code = CategoryCode {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        };
        Category::find(code).map(|_| code)
    }
}

impl std::fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}.{:02}", self.major, self.minor)
    }
}

pub struct MajorCategory {
    pub major: u8,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub minors: &'static [Category],
}

pub struct Category {
    pub code: CategoryCode,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Default handling window in hours at the micro-grid level (the `cases` module scales it
    /// by escalation level).
    pub window_hours: u32,
}

const fn c(major: u8, minor: u8, zh: &'static str, en: &'static str, hours: u32) -> Category {
    Category {
        code: CategoryCode { major, minor },
        name_zh: zh,
        name_en: en,
        window_hours: hours,
    }
}

pub static CATEGORIES: &[MajorCategory] = &[
    MajorCategory {
        major: 1,
        name_zh: "市容环境",
        name_en: "City appearance",
        minors: &[
            c(1, 1, "暴露垃圾", "Exposed rubbish", 24),
            c(1, 2, "乱堆物料", "Piled materials", 48),
            c(1, 3, "污水外溢", "Sewage overflow", 24),
        ],
    },
    MajorCategory {
        major: 2,
        name_zh: "宣传广告",
        name_en: "Advertising",
        minors: &[
            c(2, 1, "违章张贴", "Illegal posting", 48),
            c(2, 2, "破损广告牌", "Damaged billboard", 72),
        ],
    },
    MajorCategory {
        major: 3,
        name_zh: "施工管理",
        name_en: "Construction",
        minors: &[
            c(3, 1, "违规施工", "Unlicensed works", 48),
            c(3, 2, "施工扰民", "Construction noise", 48),
        ],
    },
    MajorCategory {
        major: 4,
        name_zh: "突发事件",
        name_en: "Emergencies",
        minors: &[
            c(4, 1, "道路积水", "Flooded road", 4),
            c(4, 2, "山体滑坡", "Landslide", 4),
            c(4, 3, "火情", "Fire", 2),
        ],
    },
    MajorCategory {
        major: 5,
        name_zh: "街面秩序",
        name_en: "Street order",
        minors: &[
            c(5, 1, "占道经营", "Street vending", 24),
            c(5, 2, "乱停车", "Illegal parking", 24),
        ],
    },
    MajorCategory {
        major: 6,
        name_zh: "公用设施",
        name_en: "Public facilities",
        minors: &[
            c(6, 1, "井盖缺失", "Missing manhole cover", 24),
            c(6, 2, "路灯损坏", "Broken street lamp", 48),
            c(6, 3, "供水设施损坏", "Broken water supply", 24),
        ],
    },
    MajorCategory {
        major: 7,
        name_zh: "道路交通",
        name_en: "Roads and traffic",
        minors: &[
            c(7, 1, "路面破损", "Damaged road surface", 72),
            c(7, 2, "交通标志损坏", "Damaged traffic sign", 48),
        ],
    },
    MajorCategory {
        major: 8,
        name_zh: "园林绿化",
        name_en: "Greenery",
        minors: &[
            c(8, 1, "绿地破坏", "Damaged green space", 72),
            c(8, 2, "树木倒伏", "Fallen tree", 24),
        ],
    },
    MajorCategory {
        major: 9,
        name_zh: "矛盾纠纷",
        name_en: "Disputes",
        minors: &[
            c(9, 1, "邻里纠纷", "Neighbour dispute", 72),
            c(9, 2, "土地纠纷", "Land dispute", 168),
            c(9, 3, "婚姻家庭纠纷", "Family dispute", 72),
            c(9, 4, "劳资纠纷", "Wage dispute", 120),
            c(9, 5, "山林坟地纠纷", "Forest or burial-site dispute", 168),
        ],
    },
    MajorCategory {
        major: 10,
        name_zh: "安全隐患",
        name_en: "Safety hazards",
        minors: &[
            c(10, 1, "危险边坡", "Dangerous slope", 24),
            c(10, 2, "消防隐患", "Fire hazard", 24),
            c(10, 3, "危房", "Unsafe building", 48),
            c(10, 4, "燃气隐患", "Gas hazard", 12),
        ],
    },
    MajorCategory {
        major: 11,
        name_zh: "民生诉求",
        name_en: "Resident requests",
        minors: &[
            c(11, 1, "维修求助", "Repair request", 48),
            c(11, 2, "证明办理", "Certificate request", 48),
            c(11, 3, "政策咨询", "Policy enquiry", 48),
        ],
    },
    MajorCategory {
        major: 12,
        name_zh: "特殊人群",
        name_en: "Special-population follow-up",
        minors: &[
            c(12, 1, "走访帮扶", "Support visit", 72),
            c(
                12,
                2,
                "重点人员动态",
                "Follow-up of a person under management",
                24,
            ),
        ],
    },
    MajorCategory {
        major: 99,
        name_zh: "其他",
        name_en: "Other",
        minors: &[c(99, 1, "其他事项", "Other matter", 48)],
    },
];

impl Category {
    pub fn find(code: CategoryCode) -> Option<&'static Category> {
        CATEGORIES
            .iter()
            .find(|m| m.major == code.major)?
            .minors
            .iter()
            .find(|c| c.code == code)
    }

    pub fn all() -> impl Iterator<Item = &'static Category> {
        CATEGORIES.iter().flat_map(|m| m.minors.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_only_when_known() {
        let code = CategoryCode::parse("06.02").unwrap();
        assert_eq!(code.to_string(), "06.02");
        assert_eq!(Category::find(code).unwrap().name_zh, "路灯损坏");
        assert_eq!(CategoryCode::parse("06.09"), None);
        assert_eq!(CategoryCode::parse("6.2"), None);
        for cat in Category::all() {
            assert_eq!(CategoryCode::parse(&cat.code.to_string()), Some(cat.code));
        }
    }
}
