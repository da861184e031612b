//! Opening a document: validate first (bytes, GeoPackage identity, schema version, tables and
//! columns), read-only, so that a file we cannot use is never modified; then load every row,
//! checking each field, and say which row and field is wrong.

use std::collections::HashSet;

use rustc_hash::FxHashSet;
use std::path::Path;

use rusqlite::{Connection, Row};

use crate::model::{
    Case, CaseAction, CaseEvent, CaseEventId, CaseId, CaseStatus, CategoryCode, Dataset,
    DatasetMeta, Household, HouseholdId, Level, TagSet, Timestamp, Unit, UnitId, Worker, WorkerId,
    WorkerRole,
};
use crate::store::error::SqliteContext;
use crate::store::schema::{GPKG_APPLICATION_ID, MIGRATIONS, REQUIRED, SCHEMA_VERSION};
use crate::store::{StoreError, file_header, geometry};

/// Opens `path` read-only after checking that it is a GridAtlas GeoPackage this program can
/// read. Never writes to the file.
pub fn open_validated(path: &Path) -> Result<Connection, StoreError> {
    open_validated_for(path, crate::store::server::Tables::All)
}

/// [`open_validated`], for a reader that needs only `tables`: a server document is then
/// mirrored in part (a plan list need not fetch the county's households).
pub(crate) fn open_validated_for(
    path: &Path,
    tables: crate::store::server::Tables,
) -> Result<Connection, StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        return crate::store::server::open_mirror(&url, tables);
    }
    file_header::check(path)?;
    let conn = crate::store::access::open_for_reading(path).ctx(path, "opening")?;
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .ctx(path, "reading the header")?;
    let app_id = app_id as u32;
    if app_id != GPKG_APPLICATION_ID {
        return Err(StoreError::NotGeoPackage {
            path: path.to_owned(),
            found: app_id,
        });
    }
    let tables: HashSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .ctx(path, "listing tables")?;
    if !tables.contains("gridatlas_meta") {
        return Err(StoreError::NotGridAtlas {
            path: path.to_owned(),
            what: "it has no gridatlas_meta table".into(),
        });
    }
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM gridatlas_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .ctx(path, "reading the schema version")?;
    let version: i64 = version
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| StoreError::NotGridAtlas {
            path: path.to_owned(),
            what: format!(
                "gridatlas_meta.schema_version is {}",
                version.map_or("missing".into(), |v| format!("'{v}', not a number"))
            ),
        })?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION && !MIGRATIONS.iter().any(|(from, _)| *from == version) {
        return Err(StoreError::NotGridAtlas {
            path: path.to_owned(),
            what: format!("unknown schema version {version}"),
        });
    }
    for (table, columns) in REQUIRED {
        if !tables.contains(*table) {
            return Err(StoreError::MissingTable {
                path: path.to_owned(),
                table: (*table).into(),
            });
        }
        let present: HashSet<String> = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .and_then(|mut s| s.query_map([], |r| r.get(1))?.collect())
            .ctx(path, "reading table columns")?;
        if let Some(column) = columns.iter().find(|c| !present.contains(**c)) {
            return Err(StoreError::MissingColumn {
                path: path.to_owned(),
                table: (*table).into(),
                column: (*column).into(),
            });
        }
    }
    Ok(conn)
}

/// Validates and reads a whole document into memory.
pub fn load(path: &Path) -> Result<Dataset, StoreError> {
    load_with_seq(path).map(|(d, _)| d)
}

/// Reads a whole document and opens its sealed personal data with `key` (the key a sign-in
/// unwrapped). A document without accounts reads as with [`load`].
pub fn load_unlocked(path: &Path, key: &crate::store::DocumentKey) -> Result<Dataset, StoreError> {
    load_unlocked_with_seq(path, key).map(|(d, _)| d)
}

/// [`load_unlocked`] and the last change-log entry it includes.
pub fn load_unlocked_with_seq(
    path: &Path,
    key: &crate::store::DocumentKey,
) -> Result<(Dataset, i64), StoreError> {
    let (mut d, seq) = load_with_seq(path)?;
    let failed = crate::store::personal::open_dataset(&mut d, key);
    if failed > 0 {
        log::warn!(
            "{}: {failed} personal values do not open with this key (changed in the file?); they stay sealed",
            path.display()
        );
    }
    Ok((d, seq))
}

/// Reads the document as `session` may see it, with the last change-log entry it includes:
/// personal data opened with their key, and for a grid worker only their grid (the units
/// above it for its place), so that nothing outside can be shown, searched or counted.
pub fn load_as(
    path: &Path,
    session: &crate::store::SignedIn,
) -> Result<(Dataset, i64), StoreError> {
    let (dataset, seq) = load_with_seq(path)?;
    as_session(dataset, seq, path, session)
}

/// A dataset as `session` may see it: personal data opened with their key, and for a grid
/// worker only their grid (the units above it for its place). Both backends end their reads
/// here.
pub(crate) fn as_session(
    mut dataset: Dataset,
    seq: i64,
    path: &Path,
    session: &crate::store::SignedIn,
) -> Result<(Dataset, i64), StoreError> {
    let failed = crate::store::personal::open_dataset(&mut dataset, &session.key);
    if failed > 0 {
        log::warn!(
            "{}: {failed} personal values do not open with this key (changed in the file?); they stay sealed",
            path.display()
        );
    }
    let Some(scope) = session.account.scope.as_deref() else {
        return Ok((dataset, seq));
    };
    let root = dataset.units.iter().find(|u| u.code == scope).map(|u| u.id);
    let scoped = root.and_then(|r| dataset.scoped_to(r)).ok_or_else(|| StoreError::Refused {
        path: path.to_owned(),
        what: format!(
            "the grid {scope} of account {} is no longer in the document; an admin must give it another",
            session.account.name
        ),
    })?;
    Ok((scoped, seq))
}

/// Validates and reads a whole document, and the last change-log entry it includes (where a
/// [`crate::store::ChangeWatch`] starts). Every table is read in one read transaction: a
/// consistent snapshot, even while another process is writing (in WAL mode a reader sees the
/// file as of its first read, whatever commits meanwhile).
pub fn load_with_seq(path: &Path) -> Result<(Dataset, i64), StoreError> {
    if let Some(url) = crate::store::server::as_server(path) {
        return crate::store::server::load_with_seq(&url);
    }
    let conn = open_validated(path)?;
    let snapshot = conn
        .unchecked_transaction()
        .ctx(path, "starting the read")?;
    let seq =
        crate::store::change_log::snapshot_seq(&snapshot).ctx(path, "reading the change log")?;
    let households = crate::store::household_ranges::FileHouseholds { path, seq };
    let dataset = read_all_with(&snapshot, path, Some(&households))?;
    drop(snapshot);
    Ok((dataset, seq))
}

pub(crate) fn read_all(conn: &Connection, path: &Path) -> Result<Dataset, StoreError> {
    read_all_with(conn, path, None)
}

/// [`read_all`], the households read by `households` (in id ranges, on threads of their own,
/// beside the other tables on `conn`) when it is given and the document is large.
pub(crate) fn read_all_with(
    conn: &Connection,
    path: &Path,
    households: Option<&dyn crate::store::household_ranges::HouseholdSource>,
) -> Result<Dataset, StoreError> {
    let reader = Reader { conn, path };
    let meta = reader.meta()?;
    // The units' ids are all the households need to be checked against, so they start on
    // their threads now, while this one decodes the outlines (a city's 366,000 took 2.5 s
    // before any household was read).
    let unit_ids: FxHashSet<UnitId> = reader.unit_ids()?;
    let rest = || -> Result<_, StoreError> {
        let units = reader.units("")?;
        for u in &units {
            if let Some(p) = u.parent.filter(|p| !unit_ids.contains(p)) {
                return Err(reader.bad("units", u.id.0, format!("parent_id {p} is not a unit")));
            }
        }
        check_tree(&units).map_err(|(id, what)| reader.bad("units", id, what))?;
        let workers = reader.workers(&unit_ids)?;
        let cases = reader.cases(&unit_ids, "")?;
        let case_ids: FxHashSet<CaseId> = cases.iter().map(|c| c.id).collect();
        // History of a case deleted by another program (QGIS deletes the feature, not its
        // history) stays in the file but is not loaded; `check` lists it
        // (`orphan_case_events`).
        let case_events = reader.case_events(&case_ids, "")?;
        Ok((units, workers, cases, case_events))
    };
    let (households, (units, workers, cases, case_events)) = match households {
        Some(source) => crate::store::household_ranges::read_beside(
            source,
            &unit_ids,
            |filter| reader.households(&unit_ids, filter),
            rest,
        )?,
        None => (reader.households(&unit_ids, "")?, rest()?),
    };
    Ok(Dataset {
        meta,
        units,
        households,
        workers,
        cases,
        case_events,
    })
}

/// A history entry's columns as a backend fetched them; [`CaseEventRow::decode`] checks them
/// into a [`CaseEvent`], one code for the file and the server. The codes and the time are
/// borrowed from the row: they are only parsed, and a city has 1.2 million entries.
pub(crate) struct CaseEventRow<'a> {
    pub id: i64,
    pub case_id: i64,
    pub at: &'a str,
    pub actor: String,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub from_level: i64,
    pub to_level: i64,
    pub note: String,
}

impl CaseEventRow<'_> {
    /// The entry, if its case is among `cases` and every code is known.
    pub fn decode(self, cases: &FxHashSet<CaseId>) -> Result<CaseEvent, String> {
        if !cases.contains(&CaseId(self.case_id)) {
            return Err(format!("case_id {} is not a case", self.case_id));
        }
        let status =
            |s: &str| CaseStatus::from_code(s).ok_or_else(|| format!("status '{s}' is unknown"));
        let level = |n: i64| Level::from_number(n).ok_or_else(|| format!("level {n} is not 1–5"));
        Ok(CaseEvent {
            id: CaseEventId(self.id),
            case_id: CaseId(self.case_id),
            at: Timestamp::parse(self.at).map_err(|e| format!("at: {e}"))?,
            actor: self.actor,
            action: CaseAction::from_code(self.action)
                .ok_or_else(|| format!("action '{}' is unknown", self.action))?,
            from_status: self.from_status.map(status).transpose()?,
            to_status: status(self.to_status)?,
            from_level: level(self.from_level)?,
            to_level: level(self.to_level)?,
            note: self.note,
        })
    }
}

/// A household's columns as a backend fetched them; [`HouseholdRow::decode`] checks them
/// into a [`Household`], one code for the file and the server. The tags are borrowed from the
/// row: they are only parsed, and a city has 4.2 million of them.
pub(crate) struct HouseholdRow<'a> {
    pub id: i64,
    pub location: geo_types::Point<f64>,
    pub code: String,
    pub address: String,
    pub head_name: String,
    pub phone: String,
    pub members: i64,
    pub tags: &'a str,
    pub unit: Option<i64>,
    pub contact: Option<i64>,
}

impl HouseholdRow<'_> {
    pub(crate) fn decode(self, units: &FxHashSet<UnitId>) -> Field<Household> {
        let (known, unknown) = TagSet::decode_lenient(self.tags);
        Ok(Household {
            id: HouseholdId(self.id),
            code: self.code,
            address: self.address,
            head_name: self.head_name,
            phone: self.phone,
            members: u16::try_from(self.members)
                .map_err(|_| format!("members {} is out of range", self.members))?,
            tags: known,
            unknown_tags: unknown,
            unit: unit_ref(self.unit, units, "unit_id")?,
            // A link to a worker another program deleted is a stale link: none.
            party_contact: self.contact.map(WorkerId),
            location: check_lon_lat(self.location)?,
        })
    }
}

/// A longitude and latitude as a household's point, checked as a file's is.
pub(crate) fn household_point(x: Option<f64>, y: Option<f64>) -> Field<geo_types::Point<f64>> {
    match (x, y) {
        (Some(x), Some(y)) => check_lon_lat(geo_types::Point::new(x, y)),
        _ => Err("geometry is missing".into()),
    }
}

/// The households `filter` (a WHERE clause) selects, decoded and checked as a load would (a
/// range of a large read, `household_ranges`).
pub(crate) fn households_where(
    conn: &Connection,
    path: &Path,
    units: &FxHashSet<UnitId>,
    filter: &str,
) -> Result<Vec<Household>, StoreError> {
    Reader { conn, path }.households(units, filter)
}

/// The hierarchy must be a tree, one level per step: a unit that is its own ancestor would make
/// every walk up the tree (statistics, the inspector's breadcrumb) loop for ever, and a parent at
/// the wrong level breaks every roll-up. Found here, at open, with the unit named.
fn check_tree(units: &[Unit]) -> Result<(), (i64, String)> {
    let by_id: std::collections::HashMap<UnitId, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    for u in units {
        if let Some(parent) = u.parent.and_then(|p| by_id.get(&p))
            && parent.level.number() + 1 != u.level.number()
        {
            return Err((
                u.id.0,
                format!(
                    "unit {} is a {} but its parent {} is a {} (a parent is one level up)",
                    u.code,
                    u.level.name_en(),
                    parent.code,
                    parent.level.name_en()
                ),
            ));
        }
        // Levels only go up along parents, so a walk longer than the number of levels is a
        // cycle (a cycle cannot keep levels strictly decreasing, but a file can hold anything).
        let mut chain = vec![u.id];
        let mut at = u.parent;
        while let Some(p) = at {
            if chain.contains(&p) || chain.len() > 5 {
                let names: Vec<String> = chain.iter().map(|id| id.0.to_string()).collect();
                return Err((
                    u.id.0,
                    format!(
                        "unit {} is its own ancestor (parent_id chain {} → {})",
                        u.code,
                        names.join(" → "),
                        p.0
                    ),
                ));
            }
            chain.push(p);
            at = by_id.get(&p).and_then(|x| x.parent);
        }
    }
    Ok(())
}

/// `WHERE id IN (…)` for a list of row ids (integers: nothing to escape).
fn id_filter(column: &str, ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("WHERE {column} IN ({})", list.join(","))
}

fn id_set<T>(
    conn: &Connection,
    path: &Path,
    sql: &str,
    wrap: impl Fn(i64) -> T,
) -> Result<FxHashSet<T>, StoreError>
where
    T: std::hash::Hash + Eq,
{
    conn.prepare(sql)
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, i64>(0))?
                .map(|r| r.map(&wrap))
                .collect()
        })
        .ctx(path, "reading")
}

/// The cases with these ids, as they are in the file (missing ones are simply absent), decoded
/// and checked as a load would.
pub(crate) fn read_cases_by_id(
    conn: &Connection,
    path: &Path,
    ids: &[i64],
) -> Result<Vec<Case>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let units = id_set(
        conn,
        path,
        &format!(
            "SELECT unit_id FROM cases {} AND unit_id IN (SELECT id FROM units)",
            id_filter("id", ids)
        ),
        UnitId,
    )?;
    Reader { conn, path }.cases(&units, &id_filter("id", ids))
}

/// The units with these ids, as they are in the file.
pub(crate) fn read_units_by_id(
    conn: &Connection,
    path: &Path,
    ids: &[i64],
) -> Result<Vec<Unit>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Reader { conn, path }.units(&id_filter("id", ids))
}

/// The history entries with these ids, as they are in the file.
pub(crate) fn read_case_events_by_id(
    conn: &Connection,
    path: &Path,
    ids: &[i64],
) -> Result<Vec<CaseEvent>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let cases = id_set(
        conn,
        path,
        &format!(
            "SELECT case_id FROM case_events {} AND case_id IN (SELECT id FROM cases)",
            id_filter("id", ids)
        ),
        CaseId,
    )?;
    Reader { conn, path }.case_events(
        &cases,
        &format!(
            "{} AND case_id IN (SELECT id FROM cases)",
            id_filter("id", ids)
        ),
    )
}

struct Reader<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

type Field<T> = Result<T, String>;

fn text_ts(row: &Row, i: usize, name: &str) -> rusqlite::Result<Field<Option<Timestamp>>> {
    let text: Option<String> = row.get(i)?;
    Ok(match text {
        None => Ok(None),
        Some(t) => Timestamp::parse(&t)
            .map(Some)
            .map_err(|e| format!("{name}: {e}")),
    })
}

fn check_lon_lat(p: geo_types::Point<f64>) -> Field<geo_types::Point<f64>> {
    if !(-180.0..=180.0).contains(&p.x()) {
        return Err(format!("longitude {} is out of range", p.x()));
    }
    if !(-90.0..=90.0).contains(&p.y()) {
        return Err(format!("latitude {} is out of range", p.y()));
    }
    Ok(p)
}

fn unit_ref(id: Option<i64>, units: &FxHashSet<UnitId>, column: &str) -> Field<Option<UnitId>> {
    match id {
        None => Ok(None),
        Some(id) if units.contains(&UnitId(id)) => Ok(Some(UnitId(id))),
        Some(id) => Err(format!("{column} {id} is not a unit")),
    }
}

impl Reader<'_> {
    fn bad(&self, table: &'static str, id: i64, what: String) -> StoreError {
        StoreError::BadRow {
            path: self.path.to_owned(),
            table,
            id,
            what,
        }
    }

    /// Runs `sql` and maps each row with `f`, which returns the row id and either the value or
    /// what is wrong with the row.
    /// `column` when the table has it (schema 7), else NULL: an older file is read as it is.
    fn optional_column(&self, table: &str, column: &'static str) -> &'static str {
        let has = self
            .conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(1))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .is_ok_and(|cols| cols.iter().any(|c| c == column));
        if has { column } else { "NULL" }
    }

    fn rows<T>(
        &self,
        table: &'static str,
        sql: &str,
        f: impl Fn(&Row) -> rusqlite::Result<(i64, Field<T>)>,
    ) -> Result<Vec<T>, StoreError> {
        self.rows_kept(table, sql, |r| {
            f(r).map(|(id, value)| (id, value.map(Some)))
        })
    }

    /// [`Reader::rows`], where `f` may skip a row (`Ok(None)`).
    fn rows_kept<T>(
        &self,
        table: &'static str,
        sql: &str,
        f: impl Fn(&Row) -> rusqlite::Result<(i64, Field<Option<T>>)>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn.prepare(sql).ctx(self.path, "reading")?;
        let mut rows = stmt.query([]).ctx(self.path, "reading")?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().ctx(self.path, "reading")? {
            let (id, value) = f(row).ctx(self.path, "reading")?;
            out.extend(value.map_err(|what| self.bad(table, id, what))?);
        }
        Ok(out)
    }

    fn meta(&self) -> Result<DatasetMeta, StoreError> {
        let get = |key: &str| -> Result<Option<String>, StoreError> {
            self.conn
                .query_row(
                    "SELECT value FROM gridatlas_meta WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .ctx(self.path, "reading gridatlas_meta")
        };
        let as_of = match get("as_of")? {
            Some(t) => Timestamp::parse(&t).map_err(|e| StoreError::NotGridAtlas {
                path: self.path.to_owned(),
                what: format!("gridatlas_meta.as_of: {e}"),
            })?,
            None => Timestamp::now(),
        };
        let time_zone = match get("time_zone")? {
            Some(name) => {
                crate::model::TimeZone::named(&name).map_err(|e| StoreError::NotGridAtlas {
                    path: self.path.to_owned(),
                    what: format!("gridatlas_meta.time_zone: {e}"),
                })?
            }
            None => crate::model::TimeZone::beijing(),
        };
        let mut deadline_hours = std::collections::BTreeMap::new();
        let rows: Vec<(String, String)> = self
            .conn
            .prepare("SELECT key, value FROM gridatlas_meta WHERE key LIKE 'deadline_hours.%'")
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .ctx(self.path, "reading gridatlas_meta")?;
        for (key, value) in rows {
            let bad = |what: String| StoreError::NotGridAtlas {
                path: self.path.to_owned(),
                what: format!("gridatlas_meta.{key}: {what}"),
            };
            let code = key.trim_start_matches("deadline_hours.");
            let category = crate::model::CategoryCode::parse(code)
                .ok_or_else(|| bad(format!("{code:?} is not a known category")))?;
            let hours = value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| (1..=24 * 365).contains(h))
                .ok_or_else(|| bad(format!("{value:?} is not a number of hours (1 to 8760)")))?;
            deadline_hours.insert(category, hours);
        }
        Ok(DatasetMeta {
            title: get("title")?.unwrap_or_default(),
            provenance: get("provenance")?.unwrap_or_default(),
            as_of,
            time_zone,
            deadline_hours,
        })
    }

    /// Units, all or those `filter` (a WHERE clause) selects.
    /// The ids of all units (the same snapshot's as [`Reader::units`]).
    fn unit_ids(&self) -> Result<FxHashSet<UnitId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM units")
            .ctx(self.path, "reading")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, i64>(0).map(UnitId))
            .ctx(self.path, "reading")?
            .collect::<rusqlite::Result<FxHashSet<UnitId>>>()
            .ctx(self.path, "reading")?;
        Ok(ids)
    }

    fn units(&self, filter: &str) -> Result<Vec<Unit>, StoreError> {
        self.rows(
            "units",
            &format!(
                "SELECT id, geom, level, parent_id, code, name FROM units {filter} ORDER BY id"
            ),
            |r| {
                let id: i64 = r.get(0)?;
                let blob: Option<Vec<u8>> = r.get(1)?;
                let level: i64 = r.get(2)?;
                let parent: Option<i64> = r.get(3)?;
                let code: String = r.get(4)?;
                let name: String = r.get(5)?;
                let value = (|| {
                    let level = Level::from_number(level)
                        .ok_or_else(|| format!("level {level} is not 1–5"))?;
                    let geometry = match blob {
                        Some(b) => geometry::decode_multipolygon(&b)?,
                        None => return Err("geometry is missing".to_owned()),
                    };
                    if level != Level::County && parent.is_none() {
                        return Err(format!("a {} needs a parent_id", level.name_en()));
                    }
                    Ok(Unit {
                        id: UnitId(id),
                        level,
                        parent: parent.map(UnitId),
                        code,
                        name,
                        geometry,
                    })
                })();
                Ok((id, value))
            },
        )
    }

    fn workers(&self, units: &FxHashSet<UnitId>) -> Result<Vec<Worker>, StoreError> {
        self.rows(
            "workers",
            &format!(
                "SELECT id, name, phone, role, unit_id, party_member, {} FROM workers ORDER BY id",
                self.optional_column("workers", "retired_at")
            ),
            |r| {
                let id: i64 = r.get(0)?;
                let role: String = r.get(3)?;
                let unit: i64 = r.get(4)?;
                let retired = text_ts(r, 6, "retired_at")?;
                let value = (|| {
                    Ok(Worker {
                        id: WorkerId(id),
                        name: r.get(1).map_err(|e| e.to_string())?,
                        phone: r.get(2).map_err(|e| e.to_string())?,
                        role: WorkerRole::from_code(&role)
                            .ok_or_else(|| format!("role '{role}' is unknown"))?,
                        unit: unit_ref(Some(unit), units, "unit_id")?.unwrap_or(UnitId(unit)),
                        party_member: r.get::<_, i64>(5).map_err(|e| e.to_string())? != 0,
                        retired_at: retired?,
                    })
                })();
                Ok((id, value))
            },
        )
    }

    /// Households, all or those `filter` (a WHERE clause) selects.
    fn households(
        &self,
        units: &FxHashSet<UnitId>,
        filter: &str,
    ) -> Result<Vec<Household>, StoreError> {
        self.rows(
            "households",
            &format!(
                "SELECT id, geom, code, address, head_name, phone, members, tags, unit_id, {} FROM households {filter} ORDER BY id",
                self.optional_column("households", "party_member_id")
            ),
            |r| {
                let id: i64 = r.get(0)?;
                // Borrowed, not copied out: the geometry and the tags are only parsed.
                let blob = r.get_ref(1)?.as_blob_or_null()?;
                let fields = (|| {
                    Ok(HouseholdRow {
                        id,
                        location: check_lon_lat(geometry::decode_point(
                            blob.ok_or("geometry is missing")?,
                        )?)?,
                        code: r.get(2).map_err(|e| e.to_string())?,
                        address: r.get(3).map_err(|e| e.to_string())?,
                        head_name: r.get(4).map_err(|e| e.to_string())?,
                        phone: r.get(5).map_err(|e| e.to_string())?,
                        members: r.get(6).map_err(|e| e.to_string())?,
                        tags: r
                            .get_ref(7)
                            .and_then(|v| Ok(v.as_str()?))
                            .map_err(|e| e.to_string())?,
                        unit: r.get(8).map_err(|e| e.to_string())?,
                        contact: r.get(9).map_err(|e| e.to_string())?,
                    })
                })();
                Ok((id, fields.and_then(|f| f.decode(units))))
            },
        )
    }

    /// Cases, all or those `filter` (a WHERE clause) selects.
    fn cases(&self, units: &FxHashSet<UnitId>, filter: &str) -> Result<Vec<Case>, StoreError> {
        self.rows(
            "cases",
            &format!(
                "SELECT id, geom, code, category, title, description, status, level, reporter, handler_id,
                    reported_at, accepted_at, due_at, closed_at, unit_id FROM cases {filter} ORDER BY id"
            ),
            |r| {
                let id: i64 = r.get(0)?;
                let blob: Option<Vec<u8>> = r.get(1)?;
                let category: String = r.get(3)?;
                let status: String = r.get(6)?;
                let level: i64 = r.get(7)?;
                let reported: String = r.get(10)?;
                let accepted = text_ts(r, 11, "accepted_at")?;
                let due = text_ts(r, 12, "due_at")?;
                let closed = text_ts(r, 13, "closed_at")?;
                let unit: Option<i64> = r.get(14)?;
                let value = (|| {
                    Ok(Case {
                        id: CaseId(id),
                        code: r.get(2).map_err(|e| e.to_string())?,
                        category: CategoryCode::parse(&category)
                            .ok_or_else(|| format!("category '{category}' is unknown"))?,
                        title: r.get(4).map_err(|e| e.to_string())?,
                        description: r.get(5).map_err(|e| e.to_string())?,
                        status: CaseStatus::from_code(&status)
                            .ok_or_else(|| format!("status '{status}' is unknown"))?,
                        level: Level::from_number(level)
                            .ok_or_else(|| format!("level {level} is not 1–5"))?,
                        reporter: r.get(8).map_err(|e| e.to_string())?,
                        handler: r
                            .get::<_, Option<i64>>(9)
                            .map_err(|e| e.to_string())?
                            .map(WorkerId),
                        reported_at: Timestamp::parse(&reported)
                            .map_err(|e| format!("reported_at: {e}"))?,
                        accepted_at: accepted?,
                        due_at: due?,
                        closed_at: closed?,
                        unit: unit_ref(unit, units, "unit_id")?,
                        location: check_lon_lat(geometry::decode_point(
                            &blob.ok_or("geometry is missing")?,
                        )?)?,
                    })
                })();
                Ok((id, value))
            },
        )
    }

    /// History entries, all or those `filter` (a WHERE clause) selects.
    /// History entries, all or those `filter` (a WHERE clause) selects, of the cases in `cases`:
    /// an entry of another case (deleted by another program) is skipped here rather than by
    /// the query. `case_id IN (SELECT id FROM cases)` in SQL walked the case index and sorted
    /// the result by id again: 2 s of a city's open, for 1.2 million entries.
    fn case_events(
        &self,
        cases: &FxHashSet<CaseId>,
        filter: &str,
    ) -> Result<Vec<CaseEvent>, StoreError> {
        self.rows_kept(
            "case_events",
            &format!(
                "SELECT id, case_id, at, actor, action, from_status, to_status, from_level, to_level, note
             FROM case_events {filter} ORDER BY id"
            ),
            |r| {
                let id: i64 = r.get(0)?;
                let case_id: i64 = r.get(1)?;
                if !cases.contains(&CaseId(case_id)) {
                    return Ok((id, Ok(None)));
                }
                let row = CaseEventRow {
                    id,
                    case_id,
                    at: r.get_ref(2)?.as_str()?,
                    action: r.get_ref(4)?.as_str()?,
                    from_status: r.get_ref(5)?.as_str_or_null()?,
                    to_status: r.get_ref(6)?.as_str()?,
                    from_level: r.get(7)?,
                    to_level: r.get(8)?,
                    actor: String::new(),
                    note: String::new(),
                };
                let texts = (|| -> Result<(String, String), String> {
                    Ok((
                        r.get(3).map_err(|e| e.to_string())?,
                        r.get(9).map_err(|e| e.to_string())?,
                    ))
                })();
                let value = texts.and_then(|(actor, note)| {
                    CaseEventRow { actor, note, ..row }.decode(cases)
                });
                Ok((id, value.map(Some)))
            },
        )
    }
}
