//! Where a case write goes: the document's file, or the server the document lives on. The
//! ledger and the window write through this one interface and cannot tell which backend
//! answers, except by what can go wrong (a server may be away; see `server::link`).

use std::path::Path;

use crate::model::{Case, CaseEvent, CaseEventId, CaseId};
use crate::store::server::ServerDocument;
use crate::store::{StoreError, WrittenCases};

pub enum Target<'a> {
    File(&'a Path),
    Server(&'a mut ServerDocument),
}

impl Target<'_> {
    /// The document's name for messages (a path, or the server's URL without its password).
    pub fn label(&self) -> std::path::PathBuf {
        match self {
            Target::File(p) => p.to_path_buf(),
            Target::Server(s) => s.url().label(),
        }
    }

    /// One step on a case, written only if the document still holds `seen`.
    pub fn save_case_step(
        &mut self,
        seen: &Case,
        next: &Case,
        events: &[CaseEvent],
    ) -> Result<WrittenCases, StoreError> {
        match self {
            Target::File(p) => crate::store::save_case_step(p, seen, next, events),
            Target::Server(s) => s.save_case_step(seen, next, events),
        }
    }

    /// New cases with their creating events, ids taken under the write lock.
    pub fn insert_new_cases<E: From<StoreError>>(
        &mut self,
        make: impl FnOnce(CaseId, CaseEventId) -> Result<(Vec<Case>, Vec<CaseEvent>), E>,
    ) -> Result<WrittenCases, E> {
        match self {
            Target::File(p) => crate::store::insert_new_cases(p, make),
            Target::Server(s) => s.insert_new_cases(make),
        }
    }
}
