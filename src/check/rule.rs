//! The rules a document or an edit can break: one list for the checker's violations and the
//! editor's refusals, so a refusal in the window and a line of `gridatlas check` name a rule
//! the same way. Serialized as the snake_case names the JSON of `check` has always used.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    // The file itself: SQLite's integrity check.
    SqliteIntegrity,
    // The hierarchy.
    OneCounty,
    UniqueCode,
    CodeFormat,
    CodePrefix,
    ParentExists,
    ParentLevel,
    // Outlines and tiling.
    ValidPolygon,
    InsideParent,
    NoOverlap,
    NoGap,
    // Households and cases.
    OneMicroGrid,
    InMicroGrid,
    UnitId,
    HouseholdInOneMicroGrid,
    /// A household's tags are known tags (codes or their Chinese names).
    KnownTags,
    // Cases.
    CaseWorkflow,
    // What an edit needs before it can be tried.
    Split,
    Merge,
    Paint,
    Carve,
    InsertVertex,
    DeleteVertex,
    /// An automatic proposal (partition, rebalance) that cannot be made or drafted.
    Propose,
    /// The file could not be written.
    Write,
}

impl Rule {
    /// The rule's name, as `check` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::SqliteIntegrity => "sqlite_integrity",
            Rule::OneCounty => "one_county",
            Rule::UniqueCode => "unique_code",
            Rule::CodeFormat => "code_format",
            Rule::CodePrefix => "code_prefix",
            Rule::ParentExists => "parent_exists",
            Rule::ParentLevel => "parent_level",
            Rule::ValidPolygon => "valid_polygon",
            Rule::InsideParent => "inside_parent",
            Rule::NoOverlap => "no_overlap",
            Rule::NoGap => "no_gap",
            Rule::OneMicroGrid => "one_micro_grid",
            Rule::InMicroGrid => "in_micro_grid",
            Rule::UnitId => "unit_id",
            Rule::HouseholdInOneMicroGrid => "household_in_one_micro_grid",
            Rule::KnownTags => "known_tags",
            Rule::CaseWorkflow => "case_workflow",
            Rule::Split => "split",
            Rule::Merge => "merge",
            Rule::Paint => "paint",
            Rule::Carve => "carve",
            Rule::InsertVertex => "insert_vertex",
            Rule::DeleteVertex => "delete_vertex",
            Rule::Propose => "propose",
            Rule::Write => "write",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_serde_writes() {
        for r in [Rule::OneCounty, Rule::HouseholdInOneMicroGrid, Rule::UnitId] {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.name())
            );
        }
    }
}
