//! Reading a server document: its rows are fetched into a SQLite mirror with the file's
//! columns and then decoded by the very reader that reads files (`store::read`). One decoder
//! and one set of field checks for both backends, so a row cannot mean one thing in the file
//! and another on the server; the mirror costs a copy in memory, measured by `bench open`.

use std::collections::HashSet;
use std::path::Path;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use rusqlite::Connection;

use crate::model::Dataset;
use crate::store::StoreError;
use crate::store::error::SqliteContext;
use crate::store::server::schema::quoted;
use crate::store::server::{ServerContext, ServerUrl, blob, connect};

/// How a server column crosses into SQLite.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wire {
    Integer,
    Real,
    Text,
    Bytes,
    Geometry,
}

#[derive(Debug, Clone)]
struct ServerTable {
    name: String,
    columns: Vec<(String, Wire)>,
}

impl ServerTable {
    fn select_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, w)| match w {
                Wire::Geometry => format!("ST_AsBinary({0}) AS {0}", quoted(c)),
                Wire::Integer => format!("{}::bigint", quoted(c)),
                _ => quoted(c),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The document's tables on the server (the change log aside), with their columns in order.
/// Asked of the catalogue once per server and process: a step reads them under the write lock,
/// and the catalogue query costs more than the step.
fn server_tables(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
) -> Result<Vec<ServerTable>, StoreError> {
    if let Some((_, t)) = known_tables()
        .lock()
        .expect("table cache")
        .iter()
        .find(|(u, _)| u == url.secret())
    {
        return Ok(t.clone());
    }
    let tables = read_server_tables(tx, url)?;
    if tables.iter().any(|t| t.name == "cases") {
        known_tables()
            .lock()
            .expect("table cache")
            .push((url.secret().to_owned(), tables.clone()));
    }
    Ok(tables)
}

/// Refuses a database without the document's tables (an empty one, or someone else's).
fn require_document(tables: &[ServerTable], url: &ServerUrl) -> Result<(), StoreError> {
    if tables.iter().any(|t| t.name == "gridatlas_meta") {
        return Ok(());
    }
    Err(StoreError::NotGridAtlas {
        path: url.label(),
        what: "the database holds no GridAtlas document (no gridatlas_meta table); `gridatlas publish` one into it".into(),
    })
}

/// Forgets what the catalogue said of `url`'s tables (a write created one).
pub(super) fn forget_tables(url: &ServerUrl) {
    if let Ok(mut known) = known_tables().lock() {
        known.retain(|(u, _)| u != url.secret());
    }
}

type KnownTables = std::sync::Mutex<Vec<(String, Vec<ServerTable>)>>;

fn known_tables() -> &'static KnownTables {
    static KNOWN: KnownTables = std::sync::Mutex::new(Vec::new());
    &KNOWN
}

fn read_server_tables(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
) -> Result<Vec<ServerTable>, StoreError> {
    let rows = tx
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, udt_name::text
               FROM information_schema.columns
              WHERE table_schema = current_schema()
                AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = current_schema())
                AND table_name NOT IN ('gridatlas_changes', 'spatial_ref_sys')
              ORDER BY table_name, ordinal_position",
            &[],
        )
        .sctx(url, "listing tables")?;
    let mut tables: Vec<ServerTable> = Vec::new();
    for r in rows {
        let (table, column, data_type, udt): (String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let wire = match (data_type.as_str(), udt.as_str()) {
            (_, "geometry") => Wire::Geometry,
            ("bigint" | "integer" | "smallint", _) => Wire::Integer,
            ("double precision" | "real" | "numeric", _) => Wire::Real,
            ("bytea", _) => Wire::Bytes,
            _ => Wire::Text,
        };
        match tables.last_mut() {
            Some(t) if t.name == table => t.columns.push((column, wire)),
            _ => tables.push(ServerTable {
                name: table,
                columns: vec![(column, wire)],
            }),
        }
    }
    Ok(tables)
}

/// Creates `table` in the mirror (`id` as SQLite's rowid, so the reader's `ORDER BY id` is free).
fn create_in_mirror(mirror: &Connection, label: &Path, t: &ServerTable) -> Result<(), StoreError> {
    let columns: Vec<String> = t
        .columns
        .iter()
        .map(|(c, _)| {
            if c == "id" {
                "id INTEGER PRIMARY KEY".to_owned()
            } else {
                quoted(c)
            }
        })
        .collect();
    mirror
        .execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            quoted(&t.name),
            columns.join(", ")
        ))
        .ctx(label, "building the mirror")
}

/// Copies the rows of `t` matching `filter` (SQL after WHERE; `params` fill its `$n`) into the
/// mirror; returns how many.
fn copy_rows(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    mirror: &Connection,
    t: &ServerTable,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let label = url.label();
    create_in_mirror(mirror, &label, t)?;
    let order = if t.columns.iter().any(|(c, _)| c == "id") {
        " ORDER BY id"
    } else {
        ""
    };
    // A row lock (`FOR UPDATE`) comes after the order.
    let (filter, lock) = match filter.strip_suffix(" FOR UPDATE") {
        Some(f) => (f, " FOR UPDATE"),
        None => (filter, ""),
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE {filter}{order}{lock}",
        t.select_list(),
        quoted(&t.name)
    );
    let placeholders = (1..=t.columns.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut insert = mirror
        .prepare(&format!(
            "INSERT OR REPLACE INTO {} VALUES ({placeholders})",
            quoted(&t.name)
        ))
        .ctx(&label, "building the mirror")?;
    let mut rows = tx
        .query_raw(&sql, params.iter().copied())
        .sctx(url, "reading")?;
    let mut count = 0;
    while let Some(row) = rows.next().sctx(url, "reading")? {
        // Bound straight from the row (SQLite copies what it keeps): a city's units, workers
        // and cases are a million rows, and a String per cell only to be copied again cost
        // a good part of the mirror.
        for (i, (_, wire)) in t.columns.iter().enumerate() {
            let at = i + 1;
            match wire {
                Wire::Integer => insert.raw_bind_parameter(at, row.get::<_, Option<i64>>(i)),
                Wire::Real => insert.raw_bind_parameter(at, row.get::<_, Option<f64>>(i)),
                Wire::Text => insert.raw_bind_parameter(at, row.get::<_, Option<&str>>(i)),
                Wire::Bytes => insert.raw_bind_parameter(at, row.get::<_, Option<&[u8]>>(i)),
                Wire::Geometry => {
                    insert.raw_bind_parameter(at, row.get::<_, Option<&[u8]>>(i).map(blob::gpkg_of))
                }
            }
            .ctx(&label, "building the mirror")?;
        }
        insert.raw_execute().ctx(&label, "building the mirror")?;
        count += 1;
    }
    Ok(count)
}

/// Starts the read-only, repeatable-read transaction every read of a server document runs
/// in: one snapshot across all tables, as a file's read transaction is.
pub(crate) fn snapshot<'a>(
    client: &'a mut postgres::Client,
    url: &ServerUrl,
) -> Result<postgres::Transaction<'a>, StoreError> {
    client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .sctx(url, "starting the read")
}

/// The last change-log entry the snapshot includes (where a watch starts).
pub(crate) fn last_seq(tx: &mut postgres::Transaction, url: &ServerUrl) -> Result<i64, StoreError> {
    Ok(tx
        .query_one("SELECT coalesce(max(seq), 0) FROM gridatlas_changes", &[])
        .sctx(url, "reading the change log")?
        .get(0))
}

/// Every table of the document, as one snapshot, into `mirror`; returns the last change-log
/// entry it includes.
pub(crate) fn mirror_all(
    client: &mut postgres::Client,
    url: &ServerUrl,
    mirror: &Connection,
) -> Result<i64, StoreError> {
    let mut tx = snapshot(client, url)?;
    let tables = server_tables(&mut tx, url)?;
    require_document(&tables, url)?;
    let seq = last_seq(&mut tx, url)?;
    let label = url.label();
    let w = mirror
        .unchecked_transaction()
        .ctx(&label, "building the mirror")?;
    for t in &tables {
        copy_rows(&mut tx, url, &w, t, "true", &[])?;
    }
    w.commit().ctx(&label, "building the mirror")?;
    tx.commit().sctx(url, "ending the read")?;
    check_version(mirror, url)?;
    Ok(seq)
}

/// Some tables of the document, as one snapshot, into `mirror` (those that exist).
pub(crate) fn mirror_tables(
    client: &mut postgres::Client,
    url: &ServerUrl,
    mirror: &Connection,
    names: &[&str],
) -> Result<(), StoreError> {
    let mut tx = snapshot(client, url)?;
    let tables = server_tables(&mut tx, url)?;
    for t in tables.iter().filter(|t| names.contains(&t.name.as_str())) {
        copy_rows(&mut tx, url, mirror, t, "true", &[])?;
    }
    tx.commit().sctx(url, "ending the read")?;
    Ok(())
}

/// The tables of the document that `wanted` names, read in the caller's transaction (a write
/// under the lock reads what it will change), into `mirror`.
pub(super) fn mirror_tables_in(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    mirror: &Connection,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(), StoreError> {
    let tables = server_tables(tx, url)?;
    let label = url.label();
    let w = mirror
        .unchecked_transaction()
        .ctx(&label, "building the mirror")?;
    for t in tables.iter().filter(|t| wanted(&t.name)) {
        copy_rows(tx, url, &w, t, "true", &[])?;
    }
    w.commit().ctx(&label, "building the mirror")
}

/// A read-only look at a server document for the file's readers: the tables `tables` names,
/// as one snapshot, in an in-memory mirror with the file's columns.
pub(crate) fn open_mirror(
    url: &ServerUrl,
    tables: crate::store::server::Tables,
) -> Result<Connection, StoreError> {
    let mut client = connect(url)?;
    let mirror = Connection::open_in_memory().ctx(&url.label(), "building the mirror")?;
    let mut tx = snapshot(&mut client, url)?;
    require_document(&server_tables(&mut tx, url)?, url)?;
    mirror_tables_in(&mut tx, url, &mirror, &|t| tables.includes(t))?;
    tx.commit().sctx(url, "ending the read")?;
    check_version(&mirror, url)?;
    Ok(mirror)
}

/// The server's schema version must be one this program reads (the same rule as a file's).
pub(super) fn check_version(mirror: &Connection, url: &ServerUrl) -> Result<(), StoreError> {
    let label = url.label();
    let version: Option<String> = mirror
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    let version: i64 = version
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| StoreError::NotGridAtlas {
            path: label.clone(),
            what: "gridatlas_meta.schema_version is missing".into(),
        })?;
    if version > crate::store::SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: label,
            found: version,
            supported: crate::store::SCHEMA_VERSION,
        });
    }
    if version < crate::store::SCHEMA_VERSION
        && !crate::store::server::schema::SERVER_MIGRATIONS
            .iter()
            .any(|(from, _)| *from == version)
    {
        return Err(StoreError::NotGridAtlas {
            path: label,
            what: format!("unknown schema version {version} on the server"),
        });
    }
    Ok(())
}

/// The rows of cases and history entries with these ids, as the server holds them now, into
/// a fresh mirror; the units and cases they refer to are mirrored by id only, which is all
/// the reader's reference checks need.
pub(crate) fn mirror_cases(
    tx: &mut postgres::Transaction,
    url: &ServerUrl,
    cases: &[i64],
    events: &[i64],
    lock: bool,
) -> Result<Connection, StoreError> {
    let label = url.label();
    let mirror = Connection::open_in_memory().ctx(&label, "building the mirror")?;
    let tables = server_tables(tx, url)?;
    let table = |name: &str| {
        tables
            .iter()
            .find(|t| t.name == name)
            .cloned()
            .ok_or_else(|| StoreError::MissingTable {
                path: label.clone(),
                table: name.into(),
            })
    };
    let (case_table, event_table) = (table("cases")?, table("case_events")?);
    let cases = cases.to_vec();
    let events = events.to_vec();
    let lock = if lock { " FOR UPDATE" } else { "" };
    copy_rows(
        tx,
        url,
        &mirror,
        &case_table,
        &format!(
            "(id = ANY($1) OR id IN (SELECT case_id FROM case_events WHERE id = ANY($2))){lock}"
        ),
        &[&cases, &events],
    )?;
    copy_rows(tx, url, &mirror, &event_table, "id = ANY($1)", &[&events])?;
    let units: Vec<i64> = tx
        .query(
            "SELECT id FROM units WHERE id IN (SELECT unit_id FROM cases WHERE id = ANY($1))",
            &[&cases],
        )
        .sctx(url, "reading")?
        .iter()
        .map(|r| r.get(0))
        .collect();
    mirror
        .execute_batch("CREATE TABLE units (id INTEGER PRIMARY KEY)")
        .ctx(&label, "building the mirror")?;
    for u in units {
        mirror
            .execute("INSERT INTO units VALUES (?1)", [u])
            .ctx(&label, "building the mirror")?;
    }
    Ok(mirror)
}

/// Reads a whole server document into memory, and the last change-log entry it includes.
/// The households do not go through the mirror: they are fetched in ranges on connections of
/// their own that import this read's snapshot (`ServerHouseholds`) and decoded as they
/// arrive, so that a city's 4.2 million are never in a mirror at all.
pub fn load_with_seq(url: &ServerUrl) -> Result<(Dataset, i64), StoreError> {
    let label = url.label();
    let mut client = connect(url)?;
    let mirror = Connection::open_in_memory().ctx(&label, "building the mirror")?;
    let mut tx = snapshot(&mut client, url)?;
    let tables = server_tables(&mut tx, url)?;
    require_document(&tables, url)?;
    let exported: String = tx
        .query_one("SELECT pg_export_snapshot()", &[])
        .sctx(url, "starting the read")?
        .get(0);
    let seq = last_seq(&mut tx, url)?;
    let households = tables
        .iter()
        .find(|t| t.name == "households")
        .cloned()
        .ok_or_else(|| StoreError::MissingTable {
            path: label.clone(),
            table: "households".into(),
        })?;
    // The households' unit references are checked against the units as this snapshot has
    // them (the reader checks them again against the units it decodes).
    let unit_ids: rustc_hash::FxHashSet<crate::model::UnitId> = tx
        .query("SELECT id::bigint FROM units", &[])
        .sctx(url, "reading")?
        .iter()
        .map(|r| crate::model::UnitId(r.get(0)))
        .collect();
    let source = ServerHouseholds {
        url,
        snapshot: exported,
        table: households.clone(),
    };
    // The households, and the case history, are fetched on their own connections while this
    // one mirrors and decodes everything else.
    let history = std::thread::scope(|s| {
        let events = s.spawn(|| server_case_events(url, &source.snapshot));
        let read = read_rest(
            url,
            &mirror,
            &mut tx,
            &tables,
            &households,
            &unit_ids,
            &source,
        );
        let events = events
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        read.and_then(|r| Ok((r, events?)))
    });
    let ((rows, dataset), case_events) = history?;
    let dataset = Dataset {
        households: rows,
        case_events,
        ..dataset
    };
    // The exporting transaction stays open until every range has imported its snapshot.
    tx.commit().sctx(url, "ending the read")?;
    Ok((dataset, seq))
}

/// Everything but the case history, on the read's own connection (`tx`) through the mirror,
/// beside the households fetched in ranges by `source`.
fn read_rest(
    url: &ServerUrl,
    mirror: &Connection,
    tx: &mut postgres::Transaction,
    tables: &[ServerTable],
    households: &ServerTable,
    unit_ids: &rustc_hash::FxHashSet<crate::model::UnitId>,
    source: &ServerHouseholds,
) -> Result<(Vec<crate::model::Household>, Dataset), StoreError> {
    let label = url.label();
    crate::store::household_ranges::read_beside(
        source,
        unit_ids,
        |_| {
            Err(StoreError::NotGridAtlas {
                path: label.clone(),
                what: "households outside the read's snapshot".into(),
            })
        },
        || {
            let w = mirror
                .unchecked_transaction()
                .ctx(&label, "building the mirror")?;
            for t in tables
                .iter()
                .filter(|t| t.name != "households" && t.name != "case_events")
            {
                copy_rows(tx, url, &w, t, "true", &[])?;
            }
            // Their columns only: the reader asks which they have, and reads none.
            create_in_mirror(&w, &label, households)?;
            if let Some(events) = tables.iter().find(|t| t.name == "case_events") {
                create_in_mirror(&w, &label, events)?;
            }
            w.commit().ctx(&label, "building the mirror")?;
            check_version(mirror, url)?;
            crate::store::read::read_all(mirror, &label)
        },
    )
}

/// Households fetched per range on a connection of its own, in this read's exported
/// snapshot, and decoded as they arrive.
struct ServerHouseholds<'a> {
    url: &'a ServerUrl,
    snapshot: String,
    table: ServerTable,
}

impl ServerHouseholds<'_> {
    fn in_snapshot<T>(
        &self,
        read: impl FnOnce(&mut postgres::Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        in_snapshot(self.url, &self.snapshot, read)
    }
}

/// `read` on a connection of its own, in the exported snapshot `exported` (a read's, which
/// stays open meanwhile).
fn in_snapshot<T>(
    url: &ServerUrl,
    exported: &str,
    read: impl FnOnce(&mut postgres::Transaction) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut client = connect(url)?;
    let mut tx = snapshot(&mut client, url)?;
    // The id comes from the server itself (pg_export_snapshot), never from input.
    tx.batch_execute(&format!("SET TRANSACTION SNAPSHOT '{exported}'"))
        .sctx(url, "joining the read's snapshot")?;
    let out = read(&mut tx)?;
    tx.commit().sctx(url, "ending the read")?;
    Ok(out)
}

/// The case history in the exported snapshot, straight from the rows into the one decoder
/// (`CaseEventRow::decode`), as the households are: at a city's 1.2 million entries the
/// mirror's insert and re-read cost more than the decoding. History of a case another program
/// deleted is left out, as a file's read leaves it.
fn server_case_events(
    url: &ServerUrl,
    exported: &str,
) -> Result<Vec<crate::model::CaseEvent>, StoreError> {
    let label = url.label();
    in_snapshot(url, exported, |tx| {
        let cases: rustc_hash::FxHashSet<crate::model::CaseId> = tx
            .query("SELECT id::bigint FROM cases", &[])
            .sctx(url, "reading")?
            .iter()
            .map(|r| crate::model::CaseId(r.get(0)))
            .collect();
        let mut rows = tx
            .query_raw(
                "SELECT id::bigint, case_id::bigint, at::text, actor::text, action::text,
                        from_status::text, to_status::text, from_level::bigint,
                        to_level::bigint, note::text
                   FROM case_events ORDER BY id",
                std::iter::empty::<&(dyn ToSql + Sync)>(),
            )
            .sctx(url, "reading")?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().sctx(url, "reading")? {
            let id: i64 = r.get(0);
            let case_id: i64 = r.get(1);
            // An entry of a case another program deleted is skipped here rather than by the
            // query, which would sort the whole history again after the join (as the file's
            // read does).
            if !cases.contains(&crate::model::CaseId(case_id)) {
                continue;
            }
            let text = |i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
            let code = |i: usize| r.get::<_, Option<&str>>(i).unwrap_or_default();
            let row = crate::store::read::CaseEventRow {
                id,
                case_id,
                at: code(2),
                actor: text(3),
                action: code(4),
                from_status: r.get(5),
                to_status: code(6),
                from_level: r.get(7),
                to_level: r.get(8),
                note: text(9),
            };
            out.push(row.decode(&cases).map_err(|what| StoreError::BadRow {
                path: label.clone(),
                table: "case_events",
                id,
                what,
            })?);
        }
        Ok(out)
    })
}

impl crate::store::household_ranges::HouseholdSource for ServerHouseholds<'_> {
    fn bounds(&self) -> Result<Option<(i64, i64, i64)>, StoreError> {
        self.in_snapshot(|tx| {
            let r = tx
                .query_one(
                    "SELECT coalesce(min(id), 0)::bigint, coalesce(max(id), 0)::bigint, count(*)::bigint FROM households",
                    &[],
                )
                .sctx(self.url, "reading")?;
            Ok(Some((r.get(0), r.get(1), r.get(2))))
        })
    }

    fn range(
        &self,
        from: i64,
        to: i64,
        units: &rustc_hash::FxHashSet<crate::model::UnitId>,
    ) -> Result<Option<Vec<crate::model::Household>>, StoreError> {
        let label = self.url.label();
        let url = self.url;
        // Straight from the rows into the one household decoder (`HouseholdRow::decode`): for
        // the largest table the mirror's insert and re-read cost more than the decoding
        // itself (a city's open from PostGIS was 16 s, most of it there).
        let contact = if self
            .table
            .columns
            .iter()
            .any(|(c, _)| c == "party_member_id")
        {
            "party_member_id::bigint"
        } else {
            "NULL::bigint"
        };
        self.in_snapshot(|tx| {
            let sql = format!(
                "SELECT id::bigint, ST_X(geom), ST_Y(geom), code, address, head_name, phone,
                        members::bigint, tags, unit_id::bigint, {contact}
                   FROM households WHERE id BETWEEN $1 AND $2 ORDER BY id"
            );
            let mut rows = tx
                .query_raw(&sql, [&from as &(dyn ToSql + Sync), &to])
                .sctx(url, "reading")?;
            let mut out = Vec::with_capacity((to - from + 1).max(0) as usize);
            while let Some(r) = rows.next().sctx(url, "reading")? {
                let id: i64 = r.get(0);
                let text = |i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
                let household = crate::store::read::household_point(r.get(1), r.get(2))
                    .and_then(|location| {
                        crate::store::read::HouseholdRow {
                            id,
                            location,
                            code: text(3),
                            address: text(4),
                            head_name: text(5),
                            phone: text(6),
                            members: r.get::<_, Option<i64>>(7).unwrap_or(0),
                            tags: r.get::<_, Option<&str>>(8).unwrap_or_default(),
                            unit: r.get(9),
                            contact: r.get(10),
                        }
                        .decode(units)
                    })
                    .map_err(|what| StoreError::BadRow {
                        path: label.clone(),
                        table: "households",
                        id,
                        what,
                    })?;
                out.push(household);
            }
            Ok(Some(out))
        })
    }
}

/// A server document as `session` may see it (personal data opened, a grid worker's grid
/// only), like [`crate::store::load_as`] for a file.
pub fn load_as(
    url: &ServerUrl,
    session: &crate::store::SignedIn,
) -> Result<(Dataset, i64), StoreError> {
    let (dataset, seq) = load_with_seq(url)?;
    crate::store::read::as_session(dataset, seq, &url.label(), session)
}

/// `gridatlas pull URL --to FILE`: a GeoPackage snapshot of the server document (for a laptop
/// in the field, or an archive). Written as every new document is (a temporary file renamed
/// into place); the plans, accounts and audit log come along as they are.
pub fn pull(url: &ServerUrl, file: &Path) -> Result<(), StoreError> {
    if file.exists() {
        return Err(StoreError::Exists {
            path: file.to_owned(),
        });
    }
    let scratch = tempfile_beside(file);
    let _cleanup = Cleanup(scratch.clone());
    let mut client = connect(url)?;
    let mirror = Connection::open(&scratch).ctx(&scratch, "building the mirror")?;
    mirror_all(&mut client, url, &mirror)?;
    let dataset = crate::store::read::read_all(&mirror, &url.label())?;
    drop(mirror);
    crate::store::create(file, &dataset, false)?;
    // What the dataset does not carry: plans, history of units, accounts, the audit log, and
    // every meta key (deadlines, the audit head, the key slots' parameters).
    let conn = crate::store::update::open_for_writing(file)?;
    conn.execute("ATTACH DATABASE ?1 AS m", [scratch.to_string_lossy()])
        .ctx(file, "reading the mirror")?;
    let tx = conn
        .unchecked_transaction()
        .ctx(file, "starting the write")?;
    let theirs = table_names(&tx, "m").ctx(file, "reading the mirror")?;
    for t in [
        "plans",
        "plan_steps",
        "unit_history",
        "gridatlas_accounts",
        "gridatlas_audit",
        "gridatlas_meta",
    ] {
        if !theirs.contains(t) {
            continue;
        }
        let ours = column_names(&tx, "main", t).ctx(file, "reading columns")?;
        let common: Vec<String> = column_names(&tx, "m", t)
            .ctx(file, "reading columns")?
            .into_iter()
            .filter(|c| ours.contains(c))
            .map(|c| quoted(&c))
            .collect();
        if common.is_empty() {
            continue;
        }
        let list = common.join(", ");
        tx.execute_batch(&format!(
            "DELETE FROM main.{t}; INSERT INTO main.{t} ({list}) SELECT {list} FROM m.{t};"
        ))
        .ctx(file, "copying plans, accounts and the audit log")?;
    }
    tx.commit().ctx(file, "committing")?;
    conn.execute("DETACH DATABASE m", [])
        .ctx(file, "closing the mirror")?;
    Ok(())
}

pub(super) fn table_names(conn: &Connection, schema: &str) -> rusqlite::Result<HashSet<String>> {
    conn.prepare(&format!(
        "SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"
    ))?
    .query_map([], |r| r.get(0))?
    .collect()
}

pub(super) fn column_names(
    conn: &Connection,
    schema: &str,
    table: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!("PRAGMA {schema}.table_info({})", quoted(table)))?
        .query_map([], |r| r.get(1))?
        .collect()
}

fn tempfile_beside(file: &Path) -> std::path::PathBuf {
    let name = file
        .file_name()
        .map_or("document".into(), |n| n.to_string_lossy().into_owned());
    file.with_file_name(format!(".{name}.pull-{}", std::process::id()))
}

/// The scratch mirror of a pull is removed whatever happens.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
