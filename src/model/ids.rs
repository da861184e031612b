//! Typed ids, so that a household id can never be passed where a unit id is expected.
//! The inner value is the row id (`id` column) in the GeoPackage.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A unit of any level (county … micro-grid).
    UnitId
);
id_type!(
    /// A household (一户一档).
    HouseholdId
);
id_type!(
    /// A grid worker, leader or volunteer.
    WorkerId
);
id_type!(
    /// A case (事件).
    CaseId
);
id_type!(
    /// One entry in a case's history.
    CaseEventId
);
