//! A seat's link to a server document: a connection for writes and reads, one that LISTENs
//! for other seats' commits, the change-log entry this seat has applied, and what happens
//! when the server goes away (the seat says so, keeps what it shows, retries, and catches up
//! from the change log when it is back — a step that was being committed is then looked up,
//! so the operator learns whether it was written).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::model::{Case, CaseEvent, CaseEventId, CaseId, TimeZone};
use crate::store::change_log::{Changes, SeqRange};
use crate::store::server::schema::CHANNEL;
use crate::store::server::{ServerContext, ServerUrl, case_writes, connect, mirror};
use crate::store::{StoreError, WrittenCases};

/// How long a seat waits between attempts to reach a server that went away.
const RETRY: Duration = Duration::from_secs(1);

/// Whether the seat can write.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkState {
    Connected,
    /// Since when, and the last error; the seat shows what it has, read-only, and retries.
    Down {
        since: Instant,
        error: String,
    },
}

/// A step whose commit was cut off: looked up when the server is back.
#[derive(Debug, Clone)]
struct InDoubt {
    case_code: String,
    event: CaseEvent,
}

pub struct ServerDocument {
    url: ServerUrl,
    tz: TimeZone,
    client: Option<postgres::Client>,
    listener: Option<postgres::Client>,
    seen: i64,
    own: Vec<SeqRange>,
    state: LinkState,
    next_try: Instant,
    /// Notifications arrived since the change log was last read.
    notified: bool,
    in_doubt: Option<InDoubt>,
    /// What became of a step that was in doubt: its case code and whether it was written.
    resolved: Option<(String, bool)>,
}

impl ServerDocument {
    /// Links a seat to the document it has loaded up to change-log entry `loaded_at`.
    pub fn open(
        url: &ServerUrl,
        loaded_at: i64,
        tz: TimeZone,
    ) -> Result<ServerDocument, StoreError> {
        let mut doc = ServerDocument {
            url: url.clone(),
            tz,
            client: None,
            listener: None,
            seen: loaded_at,
            own: Vec::new(),
            state: LinkState::Connected,
            next_try: Instant::now(),
            notified: false,
            in_doubt: None,
            resolved: None,
        };
        doc.connect()?;
        Ok(doc)
    }

    pub fn url(&self) -> &ServerUrl {
        &self.url
    }

    pub fn state(&self) -> &LinkState {
        &self.state
    }

    pub fn is_connected(&self) -> bool {
        self.state == LinkState::Connected
    }

    /// The last change-log entry this seat has applied.
    pub fn seen(&self) -> i64 {
        self.seen
    }

    /// What became of a step that was being committed when the connection broke, once known:
    /// its case code and whether it was written. Taken once.
    pub fn take_resolution(&mut self) -> Option<(String, bool)> {
        self.resolved.take()
    }

    fn connect(&mut self) -> Result<(), StoreError> {
        let client = connect(&self.url)?;
        let mut listener = connect(&self.url)?;
        listener
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .sctx(&self.url, "listening for other seats")?;
        self.client = Some(client);
        self.listener = Some(listener);
        self.state = LinkState::Connected;
        // Whatever was committed while this seat was away is read from the log.
        self.notified = true;
        Ok(())
    }

    fn went_down(&mut self, error: &StoreError) {
        self.client = None;
        self.listener = None;
        if self.state == LinkState::Connected {
            self.state = LinkState::Down {
                since: Instant::now(),
                error: error.to_string(),
            };
        }
        self.next_try = Instant::now() + RETRY;
    }

    /// Marks a write of our own as applied already.
    pub fn own_write(&mut self, range: SeqRange) {
        if range.after > range.before {
            self.own.push(range);
        }
    }

    /// Cheap when nothing happened (a look at the notifications already received); otherwise
    /// reads the change log since the last entry applied and the rows it names, in one
    /// snapshot. While the server is away, retries every second; an error here means the
    /// link is down ([`ServerDocument::state`] says since when), never that data was lost.
    pub fn poll(&mut self) -> Result<Changes, StoreError> {
        if !self.is_connected() {
            if Instant::now() < self.next_try {
                return Ok(Changes::default());
            }
            if let Err(e) = self.connect() {
                self.went_down(&e);
                return Ok(Changes::default());
            }
            self.resolve_in_doubt();
        }
        if let Err(e) = self.drain_notifications() {
            self.went_down(&e);
            return Ok(Changes::default());
        }
        if !self.notified {
            return Ok(Changes::default());
        }
        match self.read_changes() {
            Ok(c) => {
                self.notified = false;
                Ok(c)
            }
            Err(e @ StoreError::Unreachable { .. }) => {
                self.went_down(&e);
                Ok(Changes::default())
            }
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` for another seat's commit (for benchmarks and tests, which have
    /// no frame loop), then polls.
    pub fn wait(&mut self, timeout: Duration) -> Result<Changes, StoreError> {
        if let Some(listener) = self.listener.as_mut() {
            use postgres::fallible_iterator::FallibleIterator;
            let got = listener
                .notifications()
                .timeout_iter(timeout)
                .next()
                .map(|n| n.is_some());
            match got {
                Ok(true) => self.notified = true,
                Ok(false) => {}
                Err(e) => {
                    let e = StoreError::Unreachable {
                        path: self.url.label(),
                        what: e.to_string(),
                    };
                    self.went_down(&e);
                }
            }
        } else {
            std::thread::sleep(timeout.min(RETRY));
        }
        self.poll()
    }

    fn drain_notifications(&mut self) -> Result<(), StoreError> {
        let Some(listener) = self.listener.as_mut() else {
            return Ok(());
        };
        use postgres::fallible_iterator::FallibleIterator;
        {
            let mut n = listener.notifications();
            // A wait of a millisecond first: the client's runtime learns that its socket is
            // readable only while it waits, so `iter` alone would never see a notification that
            // arrived since the last query.
            match n.timeout_iter(Duration::from_millis(1)).next() {
                Ok(Some(_)) => self.notified = true,
                Ok(None) => {}
                Err(e) => {
                    return Err(StoreError::Unreachable {
                        path: self.url.label(),
                        what: e.to_string(),
                    });
                }
            }
            let mut it = n.iter();
            loop {
                match it.next() {
                    Ok(Some(_)) => self.notified = true,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(StoreError::Unreachable {
                            path: self.url.label(),
                            what: e.to_string(),
                        });
                    }
                }
            }
        }
        if listener.is_closed() {
            return Err(StoreError::Unreachable {
                path: self.url.label(),
                what: "the connection was closed".into(),
            });
        }
        Ok(())
    }

    fn read_changes(&mut self) -> Result<Changes, StoreError> {
        let url = self.url.clone();
        let client = self
            .client
            .as_mut()
            .ok_or_else(|| StoreError::Unreachable {
                path: url.label(),
                what: "not connected".into(),
            })?;
        let mut tx = mirror::snapshot(client, &url)?;
        let entries: Vec<(i64, String, i64)> = tx
            .query(
                "SELECT seq, table_name, row_id FROM gridatlas_changes WHERE seq > $1 ORDER BY seq",
                &[&self.seen],
            )
            .sctx(&url, "reading the change log")?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let mut changes = Changes::default();
        let mut cases = BTreeSet::new();
        let mut events = BTreeSet::new();
        for (seq, table, row) in &entries {
            if self.own.iter().any(|r| r.before < *seq && *seq <= r.after) {
                continue;
            }
            match table.as_str() {
                "cases" => {
                    cases.insert(*row);
                }
                "case_events" => {
                    events.insert(*row);
                }
                "units" => changes.units = true,
                "households" => changes.households = true,
                "workers" => changes.workers = true,
                _ => {}
            }
        }
        if let Some(last) = entries.last() {
            self.seen = last.0;
        }
        let seen = self.seen;
        self.own.retain(|r| r.after > seen);
        if !changes.cases_only() || (cases.is_empty() && events.is_empty()) {
            tx.commit().sctx(&url, "ending the read")?;
            return Ok(changes);
        }
        let cases: Vec<i64> = cases.into_iter().collect();
        let events: Vec<i64> = events.into_iter().collect();
        let mirrored = mirror::mirror_cases(&mut tx, &url, &cases, &events, false)?;
        tx.commit().sctx(&url, "ending the read")?;
        let label = url.label();
        changes.cases = crate::store::read::read_cases_by_id(&mirrored, &label, &cases)?;
        changes.case_events =
            crate::store::read::read_case_events_by_id(&mirrored, &label, &events)?;
        let found: BTreeSet<i64> = changes.cases.iter().map(|c| c.id.0).collect();
        changes.deleted_cases = cases
            .iter()
            .filter(|id| !found.contains(id))
            .map(|id| CaseId(*id))
            .collect();
        let found: BTreeSet<i64> = changes.case_events.iter().map(|e| e.id.0).collect();
        changes.deleted_case_events = events
            .iter()
            .filter(|id| !found.contains(id))
            .map(|id| CaseEventId(*id))
            .collect();
        Ok(changes)
    }

    /// Writes one step on a case (see [`crate::store::save_case_step`]); refused while the
    /// server is away, and with [`StoreError::Stale`] when another seat changed the case.
    pub fn save_case_step(
        &mut self,
        seen: &Case,
        next: &Case,
        events: &[CaseEvent],
    ) -> Result<WrittenCases, StoreError> {
        let url = self.url.clone();
        let tz = self.tz.clone();
        let client = self.writable()?;
        let result = case_writes::save_case_step(client, &url, &tz, seen, next, events);
        self.after_write(&result, || {
            Some(InDoubt {
                case_code: seen.code.clone(),
                event: events
                    .first()
                    .cloned()
                    .unwrap_or_else(|| placeholder_event(seen)),
            })
        });
        result
    }

    /// Inserts new cases with their creating events (see [`crate::store::insert_new_cases`]).
    pub fn insert_new_cases<E: From<StoreError>>(
        &mut self,
        make: impl FnOnce(CaseId, CaseEventId) -> Result<(Vec<Case>, Vec<CaseEvent>), E>,
    ) -> Result<WrittenCases, E> {
        let url = self.url.clone();
        let client = self.writable()?;
        let mut first: Option<InDoubt> = None;
        let result = case_writes::insert_new_cases(client, &url, |c, e| {
            let made = make(c, e)?;
            first = made.0.first().zip(made.1.first()).map(|(c, e)| InDoubt {
                case_code: c.code.clone(),
                event: e.clone(),
            });
            Ok(made)
        });
        match result {
            Ok(w) => {
                self.own_write(w.log);
                Ok(w)
            }
            Err(case_writes::InsertError::Make(e)) => Err(e),
            Err(case_writes::InsertError::Store(e)) => {
                let failed: Result<WrittenCases, StoreError> = Err(e);
                self.after_write(&failed, || first);
                Err(failed.unwrap_err().into())
            }
        }
    }

    fn writable(&mut self) -> Result<&mut postgres::Client, StoreError> {
        let url = self.url.label();
        if !self.is_connected() {
            return Err(StoreError::Unreachable {
                path: url,
                what: "the server is away; the window is read-only until it is back".into(),
            });
        }
        self.client.as_mut().ok_or(StoreError::Unreachable {
            path: url,
            what: "not connected".into(),
        })
    }

    fn after_write(
        &mut self,
        result: &Result<WrittenCases, StoreError>,
        in_doubt: impl FnOnce() -> Option<InDoubt>,
    ) {
        match result {
            Ok(w) => self.own_write(w.log),
            Err(e @ StoreError::InDoubt { .. }) => {
                self.in_doubt = in_doubt();
                self.went_down(e);
            }
            Err(e @ StoreError::Unreachable { .. }) => self.went_down(e),
            Err(_) => {}
        }
    }

    /// Back on line with a step in doubt: is its history entry there?
    fn resolve_in_doubt(&mut self) {
        let Some(doubt) = self.in_doubt.take() else {
            return;
        };
        let Some(client) = self.client.as_mut() else {
            self.in_doubt = Some(doubt);
            return;
        };
        let e = &doubt.event;
        let found = client.query_one(
            "SELECT count(*) FROM case_events WHERE case_id = $1 AND at = $2 AND actor = $3 AND to_status = $4 AND action = $5",
            &[&e.case_id.0, &e.at.to_iso(), &e.actor, &e.to_status.code(), &e.action.code()],
        );
        match found {
            Ok(row) => self.resolved = Some((doubt.case_code, row.get::<_, i64>(0) > 0)),
            Err(_) => self.in_doubt = Some(doubt),
        }
    }
}

/// An edit (no history entry) in doubt is looked up by a history entry that cannot exist, so
/// it is reported as not written unless the fresh row shows it; edits are rare and retyped.
fn placeholder_event(c: &Case) -> CaseEvent {
    CaseEvent {
        id: CaseEventId(0),
        case_id: c.id,
        at: c.reported_at,
        actor: String::from("\u{0}"),
        action: crate::model::CaseAction::Transition,
        from_status: None,
        to_status: c.status,
        from_level: c.level,
        to_level: c.level,
        note: String::new(),
    }
}
