use crate::model::{
    Case, CaseEvent, CategoryCode, Household, Level, TimeZone, Timestamp, Unit, Worker,
};

/// Facts about a dataset as a whole, kept in the `gridatlas_meta` table.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetMeta {
    /// A title for the window and reports, e.g. "浏阳市（演示数据）".
    pub title: String,
    /// Where the data came from, e.g. which parts are real and which are synthetic.
    pub provenance: String,
    /// The instant the data describes ("now" for overdue computations of a demo).
    pub as_of: Timestamp,
    /// The zone times are shown and days judged in (`gridatlas_meta.time_zone`).
    pub time_zone: TimeZone,
    /// Handling windows in hours (at the micro-grid level) that replace the category table's,
    /// set per document (`gridatlas_meta` keys `deadline_hours.MM.NN`).
    pub deadline_hours: std::collections::BTreeMap<CategoryCode, u32>,
}

/// Everything a GridAtlas document holds, in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub meta: DatasetMeta,
    pub units: Vec<Unit>,
    pub households: Vec<Household>,
    pub workers: Vec<Worker>,
    pub cases: Vec<Case>,
    pub case_events: Vec<CaseEvent>,
}

impl DatasetMeta {
    /// No title or provenance, as of the epoch, in Beijing time: for a dataset that is a
    /// container (a working copy's empty start, a test's), not a document of its own.
    pub fn blank() -> DatasetMeta {
        DatasetMeta {
            title: String::new(),
            provenance: String::new(),
            as_of: Timestamp(0),
            time_zone: TimeZone::beijing(),
            deadline_hours: Default::default(),
        }
    }
}

impl Dataset {
    /// A dataset with nothing in it but `meta`.
    pub fn empty(meta: DatasetMeta) -> Dataset {
        Dataset {
            meta,
            units: Vec::new(),
            households: Vec::new(),
            workers: Vec::new(),
            cases: Vec::new(),
            case_events: Vec::new(),
        }
    }

    pub fn units_of_level(&self, level: Level) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.level == level)
    }

    /// The part of the dataset a grid worker confined to `root` may see: the units of its
    /// subtree and the chain above it (so the map has its place), and only the households,
    /// cases (with their histories) and workers inside it. `None` when `root` is no unit.
    pub fn scoped_to(&self, root: crate::model::UnitId) -> Option<Dataset> {
        let tree = crate::model::UnitTree::new(self);
        tree.level(root)?;
        let above: Vec<crate::model::UnitId> = tree.ancestors(root).into_iter().flatten().collect();
        let inside = |u: Option<crate::model::UnitId>| u.is_some_and(|u| tree.is_within(u, root));
        let cases: Vec<_> = self
            .cases
            .iter()
            .filter(|c| inside(c.unit))
            .cloned()
            .collect();
        let kept: std::collections::HashSet<_> = cases.iter().map(|c| c.id).collect();
        Some(Dataset {
            meta: self.meta.clone(),
            units: self
                .units
                .iter()
                .filter(|u| inside(Some(u.id)) || above.contains(&u.id))
                .cloned()
                .collect(),
            households: self
                .households
                .iter()
                .filter(|h| inside(h.unit))
                .cloned()
                .collect(),
            workers: self
                .workers
                .iter()
                .filter(|w| inside(Some(w.unit)))
                .cloned()
                .collect(),
            case_events: self
                .case_events
                .iter()
                .filter(|e| kept.contains(&e.case_id))
                .cloned()
                .collect(),
            cases,
        })
    }

    /// Unit counts indexed by `Level::number() - 1`.
    pub fn unit_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for unit in &self.units {
            counts[unit.level.number() as usize - 1] += 1;
        }
        counts
    }
}
