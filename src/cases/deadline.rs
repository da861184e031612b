use std::collections::BTreeMap;

use crate::model::{Category, CategoryCode, Level, Timestamp};

/// Hours allowed to handle a case of `category` at `level`: the category's window (48 h for
/// ordinary requests), longer at higher levels where cases are harder.
pub fn handling_window_hours(category: CategoryCode, level: Level) -> u32 {
    scale_for_level(
        Category::find(category).map_or(48, |c| c.window_hours),
        level,
    )
}

/// A document's deadlines: the category table's windows, except where the document sets its
/// own (`DatasetMeta::deadline_hours`, at the micro-grid level; higher levels scale as usual).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeadlinePolicy<'a> {
    pub overrides: &'a BTreeMap<CategoryCode, u32>,
}

impl DeadlinePolicy<'_> {
    pub fn window_hours(&self, category: CategoryCode, level: Level) -> u32 {
        match self.overrides.get(&category) {
            Some(&hours) => scale_for_level(hours, level),
            None => handling_window_hours(category, level),
        }
    }

    pub fn due_at(
        &self,
        category: CategoryCode,
        level: Level,
        accepted_at: Timestamp,
    ) -> Timestamp {
        accepted_at.plus_seconds(self.window_hours(category, level) as i64 * Timestamp::HOUR)
    }
}

fn scale_for_level(base: u32, level: Level) -> u32 {
    match level {
        Level::MicroGrid | Level::Grid => base,
        Level::Village => base * 3 / 2,
        Level::Township => base * 2,
        Level::County => base * 3,
    }
}

/// The deadline of a case accepted at `accepted_at`.
pub fn due_at(category: CategoryCode, level: Level, accepted_at: Timestamp) -> Timestamp {
    accepted_at.plus_seconds(handling_window_hours(category, level) as i64 * Timestamp::HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_request_has_48_hours_and_crosses_days() {
        let repair = CategoryCode::parse("11.01").unwrap();
        let accepted = Timestamp::parse("2026-05-03T20:00:00Z").unwrap();
        let due = due_at(repair, Level::MicroGrid, accepted);
        assert_eq!(due.to_iso(), "2026-05-05T20:00:00Z");
        assert_eq!(handling_window_hours(repair, Level::Township), 96);
    }

    #[test]
    fn a_document_can_set_its_own_window() {
        let repair = CategoryCode::parse("11.01").unwrap();
        let other = CategoryCode::parse("06.02").unwrap();
        let overrides = BTreeMap::from([(repair, 24)]);
        let policy = DeadlinePolicy {
            overrides: &overrides,
        };
        let accepted = Timestamp::parse("2026-05-03T20:00:00Z").unwrap();
        assert_eq!(
            policy.due_at(repair, Level::MicroGrid, accepted).to_iso(),
            "2026-05-04T20:00:00Z"
        );
        assert_eq!(policy.window_hours(repair, Level::Township), 48);
        assert_eq!(
            policy.window_hours(other, Level::Grid),
            handling_window_hours(other, Level::Grid)
        );
    }
}
