//! What the wall may show, and nothing else. The wall is drawn from a [`WallView`] alone; it is
//! built (by `app::wall_feed`) only of aggregates, unit names and codes, and cases' category,
//! status, place and times. No household or worker record, name, phone or address is in it,
//! so nothing on the wall can show one — whatever the wall's code does. `tests/layering.rs`
//! keeps this module from naming the types that hold personal data, and `tests/wall.rs` walks
//! every value of a built view looking for them.

use serde::Serialize;

/// Which figure colours the wall's map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum WallIndicator {
    /// 结案率 of the month.
    #[default]
    ClosureRate,
    /// 按期结案率 of the month.
    OnTimeRate,
    /// Overdue cases now.
    Overdue,
    /// Open cases now.
    OpenCases,
    /// Households.
    Households,
}

impl WallIndicator {
    pub const ALL: [WallIndicator; 5] = [
        WallIndicator::ClosureRate,
        WallIndicator::OnTimeRate,
        WallIndicator::Overdue,
        WallIndicator::OpenCases,
        WallIndicator::Households,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            WallIndicator::ClosureRate => "本月结案率",
            WallIndicator::OnTimeRate => "本月按期结案率",
            WallIndicator::Overdue => "超期事件",
            WallIndicator::OpenCases => "在办事件",
            WallIndicator::Households => "户数",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            WallIndicator::ClosureRate => "Closure rate this month",
            WallIndicator::OnTimeRate => "On-time closure rate this month",
            WallIndicator::Overdue => "Overdue cases",
            WallIndicator::OpenCases => "Open cases",
            WallIndicator::Households => "Households",
        }
    }

    /// Whether a higher value is better (green) or worse (red).
    pub fn higher_is_better(self) -> bool {
        matches!(self, WallIndicator::ClosureRate | WallIndicator::OnTimeRate)
    }

    pub fn is_rate(self) -> bool {
        self.higher_is_better()
    }
}

/// The headline figures of a place (the county, a township, a pushed unit).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WallTiles {
    pub cases_today: u32,
    pub cases_month: u32,
    pub open: u32,
    pub overdue: u32,
    pub closure_rate: Option<f64>,
    pub closure_rate_last_month: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub on_time_rate_last_month: Option<f64>,
    pub households: u32,
    pub persons: u32,
    pub grids: u32,
    pub workers: u32,
}

/// A unit as the wall shows it: name, code, its tiles, and its outline as triangles and rings
/// in normalized Web Mercator (prepared once; a frame only transforms them).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WallUnit {
    pub code: String,
    pub name: String,
    pub tiles: WallTiles,
    #[serde(skip)]
    pub vertices: Vec<[f64; 2]>,
    #[serde(skip)]
    pub triangles: Vec<u32>,
    #[serde(skip)]
    pub rings: Vec<Vec<[f64; 2]>>,
    /// Where its name goes.
    #[serde(skip)]
    pub label_at: [f64; 2],
    /// [min x, min y, max x, max y].
    #[serde(skip)]
    pub bbox: [f64; 4],
}

impl WallUnit {
    pub fn value(&self, i: WallIndicator) -> Option<f64> {
        let t = &self.tiles;
        match i {
            WallIndicator::ClosureRate => t.closure_rate,
            WallIndicator::OnTimeRate => t.on_time_rate,
            WallIndicator::Overdue => Some(f64::from(t.overdue)),
            WallIndicator::OpenCases => Some(f64::from(t.open)),
            WallIndicator::Households => Some(f64::from(t.households)),
        }
    }
}

/// A case as the wall shows it: never its title, description or reporter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WallCase {
    pub code: String,
    /// 路灯损坏.
    pub category: String,
    /// 上报, 处置…
    pub status: String,
    pub township: String,
    /// Local time, `2026-11-29 08:15`.
    pub reported: String,
    pub open: bool,
    pub overdue: bool,
    /// Normalized Web Mercator.
    #[serde(skip)]
    pub at: [f64; 2],
}

/// The label of a pushed hazard zone (the wall is in Chinese: it is read in the room).
pub const HAZARD_ZONE: &str = "危险区域";

/// What the desk pushed to the wall (推送到大屏).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum WallFocus {
    /// A unit: index into `WallView::focus_units`.
    Unit(usize),
    /// A case: index into `WallView::recent`-like list of pushed cases.
    Case(WallCase),
    /// A hazard zone: its label and totals (households and persons by tag, no one named).
    Zone {
        label: String,
        households: u32,
        persons: u32,
        by_tag: Vec<(String, u32)>,
    },
}

/// Everything the wall draws.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WallView {
    pub title: String,
    /// Local date and time of the figures.
    pub as_of: String,
    pub county: WallUnit,
    /// The tour's stops, in code order.
    pub townships: Vec<WallUnit>,
    /// Units pushed from the desk (any level), kept while the view lives.
    pub focus_units: Vec<WallUnit>,
    /// Open cases, for the pins.
    pub pins: Vec<WallCase>,
    /// The newest cases, newest first.
    pub recent: Vec<WallCase>,
    /// Cases reported per day, the last 30 local days: (`11-29`, count).
    pub per_day: Vec<(String, u32)>,
}
