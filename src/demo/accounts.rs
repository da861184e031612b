//! The demo's accounts, one per role, with published passphrases (README): a newcomer signs
//! in as any of them to see what that role sees. The grid worker answers for the demo's
//! busiest grid. Real documents never get these: `gridatlas new --admin NAME` takes its own.

use crate::model::{Dataset, Level, Role};

/// (name, role, passphrase), the admin first.
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 5] = [
    ("管理员", Role::Admin, "gridatlas-admin"),
    ("规划员", Role::Planner, "gridatlas-planner"),
    ("操作员", Role::Operator, "gridatlas-operator"),
    ("领导", Role::Leader, "gridatlas-leader"),
    ("网格员", Role::GridWorker, "gridatlas-worker"),
];

/// The demo's accounts with their scopes: the grid worker's is the grid with the most
/// households, the smallest code among equals (none in a document without grids).
pub fn demo_accounts(d: &Dataset) -> Vec<(&'static str, Role, Option<String>, &'static str)> {
    let parent: std::collections::HashMap<_, _> =
        d.units.iter().map(|u| (u.id, u.parent)).collect();
    let mut per_grid: std::collections::HashMap<crate::model::UnitId, usize> =
        std::collections::HashMap::new();
    for h in &d.households {
        if let Some(grid) = h.unit.and_then(|m| parent.get(&m).copied().flatten()) {
            *per_grid.entry(grid).or_default() += 1;
        }
    }
    let first_grid = d
        .units_of_level(Level::Grid)
        .map(|u| {
            let n = per_grid.get(&u.id).copied().unwrap_or(0);
            (std::cmp::Reverse(n), u.code.clone())
        })
        .min()
        .map(|(_, code)| code);
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
