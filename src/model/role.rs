//! Who may see and do what: the five roles of an account (not to be confused with
//! [`WorkerRole`](crate::model::WorkerRole), a grid worker's post in the "1+3+N" staffing), and
//! the one table of what each may do. Menus, panels, commands and the command line all ask
//! [`Role::may`]; the README's table is this match, written out.

/// An account's role in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 管理员: accounts, imports, everything.
    Admin,
    /// 规划员: boundary plans and their approval.
    Planner,
    /// 操作员: the case desk and hazard lists.
    Operator,
    /// 领导: read-only; aggregates and the wall.
    Leader,
    /// 网格员: their own grid's subtree only (map, households, cases).
    GridWorker,
}

/// Something a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Add, remove and change accounts.
    ManageAccounts,
    /// Import boundaries and rosters; create documents.
    Import,
    /// Draft boundary plans and approve them.
    Plan,
    /// Report cases and take their workflow steps.
    CaseSteps,
    /// Draw a hazard zone and list the households inside.
    HazardLists,
    /// See households' tags (the vulnerable groups and special populations).
    SeeTags,
    /// Reveal one record's or a hazard list's personal data, with a reason (logged).
    Reveal,
    /// Export personal data unmasked, with a reason (logged, watermarked).
    ExportPersonal,
    /// Export and print what carries no personal data (briefings, masked lists).
    ExportMasked,
    /// Add, move and retire workers.
    ManageWorkers,
    /// Read the audit log.
    ReadAudit,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Planner,
        Role::Operator,
        Role::Leader,
        Role::GridWorker,
    ];

    /// The stored code in `gridatlas_accounts.role`.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Operator => "operator",
            Role::Leader => "leader",
            Role::GridWorker => "grid_worker",
        }
    }

    /// A code as stored, or as typed on the command line (the Chinese name works too).
    pub fn from_code(code: &str) -> Option<Role> {
        let code = code.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code || r.name_zh() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Planner => "规划员",
            Role::Operator => "操作员",
            Role::Leader => "领导",
            Role::GridWorker => "网格员",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Operator => "operator",
            Role::Leader => "leader",
            Role::GridWorker => "grid worker",
        }
    }

    /// Whether the role needs a unit it is confined to (a grid worker's grid).
    pub fn is_scoped(self) -> bool {
        self == Role::GridWorker
    }

    /// The table of what each role may do (the README's table).
    ///
    /// ```
    /// use gridatlas::model::{Permission, Role};
    /// assert!(Role::Operator.may(Permission::Reveal));
    /// assert!(!Role::Leader.may(Permission::CaseSteps));
    /// assert!(!Role::GridWorker.may(Permission::SeeTags) || Role::GridWorker.is_scoped());
    /// ```
    pub fn may(self, p: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::Planner => matches!(p, P::Plan | P::ExportMasked),
            Role::Operator => matches!(
                p,
                P::CaseSteps
                    | P::HazardLists
                    | P::SeeTags
                    | P::Reveal
                    | P::ExportPersonal
                    | P::ExportMasked
                    | P::ManageWorkers
            ),
            Role::Leader => matches!(p, P::ExportMasked),
            // Inside their grid only (the scope is applied where data is read).
            Role::GridWorker => matches!(p, P::CaseSteps | P::SeeTags),
        }
    }
}
