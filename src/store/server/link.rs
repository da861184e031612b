//! A seat's link to a server document: a connection for writes and reads, one that LISTENs
//! for other seats' commits, the change-log entry this seat has applied, and what happens
//! when the server goes away (the seat says so, keeps what it shows, retries, and catches up
//! from the change log when it is back — a step that was being committed is then looked up,
//! so the operator learns whether it was written).

use std::time::{Duration, Instant};

use crate::model::{Case, CaseEvent, CaseEventId, CaseId, TimeZone};
use crate::store::change_log::{Changes, LogCursor, SeqRange};
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
    /// The row as the write would leave it.
    next: Case,
    /// The history entry it appends (an edit of the text appends none).
    event: Option<CaseEvent>,
}

pub struct ServerDocument {
    url: ServerUrl,
    tz: TimeZone,
    client: Option<postgres::Client>,
    listener: Option<postgres::Client>,
    cursor: LogCursor,
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
            cursor: LogCursor::new(loaded_at),
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
        self.cursor.seen
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
        self.cursor.own_write(range);
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
                &[&self.cursor.seen],
            )
            .sctx(&url, "reading the change log")?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let pending = self.cursor.take(&entries, false);
        if !pending.needs_rows() {
            tx.commit().sctx(&url, "ending the read")?;
            return Ok(pending.changes);
        }
        let mirrored = mirror::mirror_cases(&mut tx, &url, &pending.cases, &pending.events, false)?;
        tx.commit().sctx(&url, "ending the read")?;
        pending.read_rows(&mirrored, &url.label())
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
        match &result {
            Ok(w) => self.own_write(w.log),
            Err(e) => self.after_failure(e, || {
                Some(InDoubt {
                    case_code: seen.code.clone(),
                    next: next.clone(),
                    event: events.first().cloned(),
                })
            }),
        }
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
            first = made.0.first().map(|c| InDoubt {
                case_code: c.code.clone(),
                next: c.clone(),
                event: made.1.first().cloned(),
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
                self.after_failure(&e, || first);
                Err(e.into())
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

    /// A write failed: if the connection went, the link is down (and a commit cut off is
    /// remembered to be looked up); any other refusal leaves the link as it is.
    fn after_failure(&mut self, e: &StoreError, in_doubt: impl FnOnce() -> Option<InDoubt>) {
        match e {
            StoreError::InDoubt { .. } => {
                self.in_doubt = in_doubt();
                self.went_down(e);
            }
            StoreError::Unreachable { .. } => self.went_down(e),
            _ => {}
        }
    }

    /// Back on line with a write in doubt: is its history entry there (or, for an edit that
    /// appends none, does the case hold what the write would have left)?
    fn resolve_in_doubt(&mut self) {
        let Some(doubt) = self.in_doubt.take() else {
            return;
        };
        match self.was_written(&doubt) {
            Ok(written) => self.resolved = Some((doubt.case_code, written)),
            Err(_) => self.in_doubt = Some(doubt),
        }
    }

    fn was_written(&mut self, doubt: &InDoubt) -> Result<bool, StoreError> {
        let url = self.url.clone();
        let client = self
            .client
            .as_mut()
            .ok_or_else(|| StoreError::Unreachable {
                path: url.label(),
                what: "not connected".into(),
            })?;
        let mut tx = mirror::snapshot(client, &url)?;
        let id = doubt.next.id.0;
        let written = match &doubt.event {
            Some(e) => {
                let row = tx
                    .query_one(
                        "SELECT count(*) FROM case_events WHERE case_id = $1 AND at = $2 AND actor = $3 AND to_status = $4 AND action = $5",
                        &[&e.case_id.0, &e.at.to_iso(), &e.actor, &e.to_status.code(), &e.action.code()],
                    )
                    .sctx(&url, "looking up the step")?;
                row.get::<_, i64>(0) > 0
            }
            None => {
                let mirrored = mirror::mirror_cases(&mut tx, &url, &[id], &[], false)?;
                crate::store::read::read_cases_by_id(&mirrored, &url.label(), &[id])?
                    .first()
                    .is_some_and(|c| *c == doubt.next)
            }
        };
        tx.commit().sctx(&url, "ending the read")?;
        Ok(written)
    }
}
