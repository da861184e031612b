//! The five levels of the net (一张网), from the county down to the micro-grid.

/// A level of the hierarchy. The numeric value is what the `units.level` column stores and
/// what a case's escalation level means (5 micro-grid … 1 county).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 县 / 县级市 / 区
    County = 1,
    /// 乡 / 镇 / 街道
    Township = 2,
    /// 村 / 社区
    Village = 3,
    /// 网格, about 100 households
    Grid = 4,
    /// 微网格, 10–30 households
    MicroGrid = 5,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::County,
        Level::Township,
        Level::Village,
        Level::Grid,
        Level::MicroGrid,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i64) -> Option<Level> {
        Some(match n {
            1 => Level::County,
            2 => Level::Township,
            3 => Level::Village,
            4 => Level::Grid,
            5 => Level::MicroGrid,
            _ => return None,
        })
    }

    /// The level directly below, if any.
    pub fn child(self) -> Option<Level> {
        Level::from_number(self as i64 + 1)
    }

    /// The level directly above, if any.
    pub fn parent(self) -> Option<Level> {
        Level::from_number(self as i64 - 1)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Level::County => "县（市、区）",
            Level::Township => "乡镇（街道）",
            Level::Village => "村（社区）",
            Level::Grid => "网格",
            Level::MicroGrid => "微网格",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
            Level::Grid => "grid",
            Level::MicroGrid => "micro-grid",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_and_chain() {
        for level in Level::ALL {
            assert_eq!(Level::from_number(level.number() as i64), Some(level));
        }
        assert_eq!(Level::County.child(), Some(Level::Township));
        assert_eq!(Level::MicroGrid.child(), None);
        assert_eq!(Level::County.parent(), None);
        assert_eq!(Level::from_number(6), None);
    }
}
