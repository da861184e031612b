//! The demo's accounts, one per role, with published passphrases (README): a newcomer signs
//! in as any of them to see what that role sees. The grid worker answers for the demo's first
//! grid. Real documents never get these: `gridatlas new --admin NAME` takes its own.

use crate::model::{Dataset, Level, Role};

/// (name, role, passphrase), the admin first.
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 5] = [
    ("管理员", Role::Admin, "gridatlas-admin"),
    ("规划员", Role::Planner, "gridatlas-planner"),
    ("操作员", Role::Operator, "gridatlas-operator"),
    ("领导", Role::Leader, "gridatlas-leader"),
    ("网格员", Role::GridWorker, "gridatlas-worker"),
];

/// The demo's accounts with their scopes: the grid worker's is the grid with the smallest
/// code (none in a document without grids).
pub fn demo_accounts(d: &Dataset) -> Vec<(&'static str, Role, Option<String>, &'static str)> {
    let first_grid = d.units_of_level(Level::Grid).map(|u| u.code.clone()).min();
    DEMO_ACCOUNTS
        .iter()
        .filter_map(|&(name, role, pass)| {
            let scope = if role.is_scoped() {
                Some(first_grid.clone()?)
            } else {
                None
            };
            Some((name, role, scope, pass))
        })
        .collect()
}
