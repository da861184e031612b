use crate::model::{Category, CategoryCode, Level, Timestamp};

/// Hours allowed to handle a case of `category` at `level`: the category's window (48 h for
/// ordinary requests), longer at higher levels where cases are harder.
pub fn handling_window_hours(category: CategoryCode, level: Level) -> u32 {
    let base = Category::find(category).map_or(48, |c| c.window_hours);
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
}
