use crate::model::Level;

/// The size a unit should have: about 100 households / 300 persons for a grid (rural), 10–30
/// households for a micro-grid; `tolerance` is the accepted relative deviation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GridStandard {
    pub households: u32,
    pub persons: u32,
    pub tolerance: f64,
}

impl GridStandard {
    pub const GRID: GridStandard = GridStandard {
        households: 100,
        persons: 300,
        tolerance: 0.2,
    };
    pub const MICRO_GRID: GridStandard = GridStandard {
        households: 20,
        persons: 60,
        tolerance: 0.5,
    };

    /// The default standard for a level, if it has one.
    pub fn for_level(level: Level) -> Option<GridStandard> {
        match level {
            Level::Grid => Some(Self::GRID),
            Level::MicroGrid => Some(Self::MICRO_GRID),
            _ => None,
        }
    }

    pub fn deviation(&self, households: u32, persons: u32) -> Deviation {
        let rel = |v: u32, target: u32| (v as f64 - target as f64) / target.max(1) as f64;
        let (h, p) = (rel(households, self.households), rel(persons, self.persons));
        Deviation {
            households: households as i64 - self.households as i64,
            persons: persons as i64 - self.persons as i64,
            households_rel: h,
            persons_rel: p,
            within: h.abs() <= self.tolerance && p.abs() <= self.tolerance,
        }
    }
}

/// How far a unit is from its standard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviation {
    pub households: i64,
    pub persons: i64,
    /// (actual − standard) / standard.
    pub households_rel: f64,
    pub persons_rel: f64,
    pub within: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviation_against_the_grid_standard() {
        let d = GridStandard::GRID.deviation(118, 330);
        assert_eq!(d.households, 18);
        assert!((d.households_rel - 0.18).abs() < 1e-12);
        assert!(d.within);
        assert!(!GridStandard::GRID.deviation(125, 300).within);
        let strict = GridStandard {
            tolerance: 0.1,
            ..GridStandard::GRID
        };
        assert!(!strict.deviation(118, 300).within);
    }
}
