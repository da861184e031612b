use crate::model::{UnitId, WorkerId};

/// The roles of the staffing models "1+3+N", "一长三员".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerRole {
    /// 网格长
    GridLeader,
    /// 专职网格员
    FullTime,
    /// 兼职网格员
    PartTime,
    /// 网格指导员 (sent from the township)
    Instructor,
    /// 微网格长
    MicroGridLeader,
    /// "N" volunteers: 楼道长, retired cadres …
    Volunteer,
}

impl WorkerRole {
    pub const ALL: [WorkerRole; 6] = [
        WorkerRole::GridLeader,
        WorkerRole::FullTime,
        WorkerRole::PartTime,
        WorkerRole::Instructor,
        WorkerRole::MicroGridLeader,
        WorkerRole::Volunteer,
    ];

    /// The stored code in `workers.role`.
    pub fn code(self) -> &'static str {
        match self {
            WorkerRole::GridLeader => "grid_leader",
            WorkerRole::FullTime => "full_time",
            WorkerRole::PartTime => "part_time",
            WorkerRole::Instructor => "instructor",
            WorkerRole::MicroGridLeader => "micro_grid_leader",
            WorkerRole::Volunteer => "volunteer",
        }
    }

    pub fn from_code(code: &str) -> Option<WorkerRole> {
        WorkerRole::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            WorkerRole::GridLeader => "网格长",
            WorkerRole::FullTime => "专职网格员",
            WorkerRole::PartTime => "兼职网格员",
            WorkerRole::Instructor => "网格指导员",
            WorkerRole::MicroGridLeader => "微网格长",
            WorkerRole::Volunteer => "志愿者",
        }
    }
}

/// A person answerable for a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub phone: String,
    pub role: WorkerRole,
    pub unit: UnitId,
    pub party_member: bool,
    /// When they left their post (离任): kept, because cases they handled name them, but no
    /// longer counted, listed or dispatched to.
    pub retired_at: Option<crate::model::Timestamp>,
}

impl Worker {
    pub fn is_active(&self) -> bool {
        self.retired_at.is_none()
    }
}
