//! Bringing a county's own data in: boundary layers (Shapefile, GeoJSON, GeoPackage) and
//! rosters (Excel, CSV). Everything a file brings is read, checked and planned in memory
//! first; the document is written once, in one transaction, or not at all.

pub mod defects;
pub mod layer;
pub mod normalise;
pub mod repair;
pub mod roster;
pub mod sheet;
pub mod snapping;
pub mod template;
pub mod unit_fields;
pub mod units;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use defects::DefectKind;
pub use layer::{LayerChoice, SourceLayer, TextEncoding, read_layer};
pub use roster::RosterMode;
pub use template::{TemplateKind, write_template};
pub use unit_fields::{FieldChoice, IncomingUnit, incoming_units};
pub use units::{Reported, UnitImportOptions, UnitPlan, plan_unit_import};

use crate::model::{CaseId, Dataset, HouseholdId, Level, Unit, UnitId};
use crate::store::{self, UnitChanges};

/// `gridatlas_meta` key: the county's outline is the union of its townships (a document made
/// by `gridatlas new`), until a 6-digit feature brings its own.
pub const COUNTY_OUTLINE_KEY: &str = "county_outline";
pub const COUNTY_OUTLINE_UNION: &str = "union_of_townships";
/// The zone a new document judges its days in unless told otherwise (all of China keeps
/// Beijing time).
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportFailure {
    /// The files could not be read as units (one line per problem).
    Input(Vec<String>),
    /// The units have defects (gaps, overlaps, …), each with its place and area.
    Defects(Vec<Reported>),
    /// The document could not be read or written.
    Store(store::StoreError),
    /// The document may not be written (a broken outline already in it).
    Unfit(String),
}

impl std::fmt::Display for ImportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = match self {
            ImportFailure::Input(p) => p.clone(),
            ImportFailure::Defects(d) => d.iter().map(|d| d.message.clone()).collect(),
            ImportFailure::Store(e) => vec![e.to_string()],
            ImportFailure::Unfit(m) => vec![m.clone()],
        };
        write!(f, "{}", lines.join("\n"))
    }
}

impl From<store::StoreError> for ImportFailure {
    fn from(e: store::StoreError) -> Self {
        ImportFailure::Store(e)
    }
}

/// What a unit import did (or, in a dry run, would do).
#[derive(Debug, Serialize)]
pub struct UnitImportReport {
    pub dry_run: bool,
    pub sources: Vec<SourceSummary>,
    pub added: usize,
    pub replaced: usize,
    /// Units written per level (county … micro-grid).
    pub per_level: [usize; 5],
    pub snapped_vertices: usize,
    pub inserted_vertices: usize,
    pub repairs: Vec<Reported>,
    pub county_outline: &'static str,
    pub households_moved: usize,
    pub cases_moved: usize,
    pub households_outside: usize,
    pub elapsed_ms: u128,
}

#[derive(Debug, Serialize)]
pub struct SourceSummary {
    pub file: String,
    pub features: usize,
    pub encoding: Option<String>,
}

/// A unit import planned and checked, not yet written: what the window previews (outlines,
/// repairs, counts) before the user says 导入.
pub struct PreparedUnits {
    pub path: PathBuf,
    pub plan: UnitPlan,
    households: Vec<(HouseholdId, Option<UnitId>, Option<UnitId>)>,
    cases: Vec<(CaseId, Option<UnitId>, Option<UnitId>)>,
    pub report: UnitImportReport,
}

/// Imports the units of `sources` into the document at `path` (see the README's `import
/// units`). With `dry_run`, reports without writing.
pub fn import_units(
    path: &Path,
    sources: &[PathBuf],
    layers: &LayerChoice,
    encoding: Option<TextEncoding>,
    fields: &FieldChoice,
    options: UnitImportOptions,
    dry_run: bool,
) -> Result<UnitImportReport, ImportFailure> {
    let started = std::time::Instant::now();
    if !dry_run {
        store::ensure_writable(path)?;
    }
    let prepared = prepare_units(path, sources, layers, encoding, fields, options)?;
    if !dry_run {
        commit_units(&prepared)?;
    }
    let mut report = prepared.report;
    report.dry_run = dry_run;
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(report)
}

/// Reads, plans and checks a unit import without writing anything.
pub fn prepare_units(
    path: &Path,
    sources: &[PathBuf],
    layers: &LayerChoice,
    encoding: Option<TextEncoding>,
    fields: &FieldChoice,
    options: UnitImportOptions,
) -> Result<PreparedUnits, ImportFailure> {
    let started = std::time::Instant::now();
    let doc = store::load(path)?;
    if let Some(v) = crate::check::unfit_to_write(&doc) {
        return Err(ImportFailure::Unfit(format!(
            "{}: {}; nothing was written — fix the outline first (gridatlas check lists every problem)",
            path.display(),
            v.message
        )));
    }
    let mut incoming = Vec::new();
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    for source in sources {
        match read_layer(source, layers.for_file(source), encoding) {
            Ok(l) => {
                summaries.push(SourceSummary {
                    file: l.label.clone(),
                    features: l.features.len(),
                    encoding: l.encoding.clone(),
                });
                match incoming_units(&l, fields, options.datum) {
                    Ok(units) => incoming.extend(units),
                    Err(p) => problems.extend(p),
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(ImportFailure::Input(problems));
    }
    let county_is_union =
        store::read_meta_value(path, COUNTY_OUTLINE_KEY)?.as_deref() == Some(COUNTY_OUTLINE_UNION);
    let plan = plan_unit_import(&doc, incoming, options, county_is_union)
        .map_err(ImportFailure::Defects)?;
    let after = with_units(&doc, &plan.upsert);
    let index = crate::index::SpatialIndex::build(&after);
    let a = index.assign_all(&after);
    let (households, cases) = a.changes(&doc);
    let mut per_level = [0; 5];
    for u in &plan.upsert {
        per_level[u.level.number() as usize - 1] += 1;
    }
    let report = UnitImportReport {
        dry_run: true,
        sources: summaries,
        added: plan.added,
        replaced: plan
            .replaced
            .iter()
            .filter(|u| u.level != Level::County || plan.county_imported)
            .count(),
        per_level,
        snapped_vertices: plan.snapped.moved,
        inserted_vertices: plan.snapped.inserted,
        repairs: plan.repairs.clone(),
        county_outline: if plan.county_imported {
            "imported"
        } else if plan.county_from_union {
            "union of the townships"
        } else {
            "unchanged"
        },
        households_moved: households.len(),
        cases_moved: cases.len(),
        households_outside: a.households.iter().filter(|u| u.is_none()).count(),
        elapsed_ms: started.elapsed().as_millis(),
    };
    Ok(PreparedUnits {
        path: path.to_owned(),
        plan,
        households,
        cases,
        report,
    })
}

/// Writes a prepared unit import: one transaction, refused whole when another program changed
/// a replaced unit (or a household or case about to move) since it was prepared.
pub fn commit_units(p: &PreparedUnits) -> Result<(), ImportFailure> {
    store::ensure_writable(&p.path)?;
    let net = UnitChanges {
        upsert: &p.plan.upsert,
        delete: &[],
        households: &p.households,
        cases: &p.cases,
        workers: &[],
    };
    let meta: Vec<(&str, Option<&str>)> = if p.plan.county_imported {
        vec![(COUNTY_OUTLINE_KEY, None)]
    } else {
        Vec::new()
    };
    store::write_unit_import(&p.path, &p.plan.replaced, &net, &meta)?;
    Ok(())
}

/// `d` with `upsert` written over its units (by id) or added.
fn with_units(d: &Dataset, upsert: &[Unit]) -> Dataset {
    let mut after = d.clone();
    for u in upsert {
        match after.units.iter_mut().find(|x| x.id == u.id) {
            Some(slot) => *slot = u.clone(),
            None => after.units.push(u.clone()),
        }
    }
    after.units.sort_by_key(|u| u.id);
    after
}

/// What a roster import did (or, in a dry run, would do).
#[derive(Debug, Serialize)]
pub struct RosterReport {
    pub dry_run: bool,
    pub file: String,
    pub rows: usize,
    pub added: usize,
    /// Rows of `--mode update` whose record differed (the others were already as the file).
    pub changed: usize,
    pub unchanged: usize,
    /// With `--by-location`: rows whose stated micro-grid was not where the point lies, each
    /// named (the point decided).
    pub relocated: Vec<String>,
    pub elapsed_ms: u128,
}

/// How a roster import runs: for real or as a dry run, and by whom. A document with accounts
/// needs someone signed in (their key opens the rows to compare and seals the new ones); the
/// import is recorded in the audit log in the transaction that writes it.
#[derive(Debug, Clone, Copy)]
pub struct ImportAs<'a> {
    pub dry_run: bool,
    pub by: Option<&'a store::SignedIn>,
}

impl ImportAs<'_> {
    pub fn dry_run() -> ImportAs<'static> {
        ImportAs {
            dry_run: true,
            by: None,
        }
    }

    pub fn write() -> ImportAs<'static> {
        ImportAs {
            dry_run: false,
            by: None,
        }
    }

    fn key(&self) -> Option<&store::DocumentKey> {
        self.by.map(|s| &s.key)
    }

    fn audit(&self, from: &Path, what: &str, rows: usize) -> store::AuditEvent {
        store::AuditEvent {
            at: crate::model::Timestamp::now(),
            actor: self
                .by
                .map_or_else(|| "命令行".to_owned(), |s| s.account.name.clone()),
            action: store::AuditAction::Import,
            target: from
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            reason: String::new(),
            detail: format!("{what}: {rows} rows"),
        }
    }
}

fn writable_document(path: &Path, how: ImportAs<'_>) -> Result<Dataset, ImportFailure> {
    if !how.dry_run {
        store::ensure_writable(path)?;
    }
    if let Some(by) = how.by {
        return Ok(store::load_unlocked(path, &by.key)?);
    }
    if store::has_accounts(path)? {
        return Err(ImportFailure::Store(store::StoreError::Refused {
            path: path.to_owned(),
            what: "this document's personal data is encrypted: sign in (--user NAME, passphrase in GRIDATLAS_PASSPHRASE) to import rosters; nothing was written".into(),
        }));
    }
    Ok(store::load(path)?)
}

/// Imports a household roster (see the README's `import households`): every row located in
/// its micro-grid; all rows or none.
pub fn import_households(
    path: &Path,
    from: &Path,
    sheet: Option<&str>,
    datum: store::CoordinateDatum,
    mode: RosterMode,
    by_location: bool,
    how: ImportAs<'_>,
) -> Result<RosterReport, ImportFailure> {
    let started = std::time::Instant::now();
    let dry_run = how.dry_run;
    let doc = writable_document(path, how)?;
    let known = roster::known_names(&roster::HOUSEHOLD_COLUMNS);
    let table =
        sheet::read_sheet(from, sheet, &known).map_err(|e| ImportFailure::Input(vec![e]))?;
    let index = crate::index::SpatialIndex::build(&doc);
    let rows = roster::read_households(&table, datum, &doc, &index, mode, by_location)
        .map_err(ImportFailure::Input)?;
    let by_id: std::collections::HashMap<_, _> = doc.households.iter().map(|h| (h.id, h)).collect();
    let mut new = Vec::new();
    let mut changed = Vec::new();
    for r in &rows {
        match mode {
            RosterMode::Add => new.push(r.household.clone()),
            RosterMode::Update => {
                if let Some(old) = by_id.get(&r.household.id)
                    && **old != r.household
                {
                    changed.push(((*old).clone(), r.household.clone()));
                }
            }
        }
    }
    let (added, n_changed) = (new.len(), changed.len());
    if !dry_run && (added > 0 || n_changed > 0) {
        let audit = how.audit(from, "households", added + n_changed);
        store::write_households(path, new, &changed, how.key(), Some(&audit))?;
    }
    Ok(RosterReport {
        dry_run,
        file: table.label,
        rows: rows.len(),
        added,
        changed: n_changed,
        unchanged: rows.len() - added - n_changed,
        relocated: rows.iter().filter_map(|r| r.relocated.clone()).collect(),
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Imports a worker roster: each worker added to the unit its code names; all rows or none.
pub fn import_workers(
    path: &Path,
    from: &Path,
    sheet: Option<&str>,
    how: ImportAs<'_>,
) -> Result<RosterReport, ImportFailure> {
    let started = std::time::Instant::now();
    let dry_run = how.dry_run;
    let doc = writable_document(path, how)?;
    let known = roster::known_names(&roster::WORKER_COLUMNS);
    let table =
        sheet::read_sheet(from, sheet, &known).map_err(|e| ImportFailure::Input(vec![e]))?;
    let workers = roster::read_workers(&table, &doc).map_err(ImportFailure::Input)?;
    let added = workers.len();
    if !dry_run && added > 0 {
        let audit = how.audit(from, "workers", added);
        store::write_workers(path, workers, how.key(), Some(&audit))?;
    }
    Ok(RosterReport {
        dry_run,
        file: table.label,
        rows: added,
        added,
        changed: 0,
        unchanged: 0,
        relocated: Vec::new(),
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Creates an empty document at `path` for the county `code` named `name`: only the county,
/// with no outline yet (it becomes the union of the townships imported). Never replaces a file.
pub fn new_document(
    path: &Path,
    code: &str,
    name: &str,
    time_zone: &str,
) -> Result<Dataset, String> {
    use crate::model::{DatasetMeta, TimeZone, Timestamp, UnitCode};
    UnitCode::parse(code, Level::County).map_err(|e| format!("--county-code: {e}"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err("--name: the county needs a name".into());
    }
    let time_zone = TimeZone::named(time_zone).map_err(|e| format!("--time-zone: {e}"))?;
    if path.exists() {
        return Err(format!(
            "{}: already exists; gridatlas new never replaces a file — choose another name",
            path.display()
        ));
    }
    let now = Timestamp::now();
    let dataset = Dataset {
        units: vec![Unit {
            id: UnitId(1),
            level: Level::County,
            parent: None,
            code: code.to_owned(),
            name: name.to_owned(),
            geometry: geo_types::MultiPolygon::new(Vec::new()),
        }],
        ..Dataset::empty(DatasetMeta {
            title: name.to_owned(),
            provenance: format!(
                "created with gridatlas new on {} for county {code}; boundaries and rosters as imported",
                time_zone.date(now)
            ),
            as_of: now,
            time_zone,
            deadline_hours: Default::default(),
        })
    };
    store::create(path, &dataset, false).map_err(|e| e.to_string())?;
    store::write_unit_import(
        path,
        &[],
        &UnitChanges::default(),
        &[(COUNTY_OUTLINE_KEY, Some(COUNTY_OUTLINE_UNION))],
    )
    .map_err(|e| e.to_string())?;
    Ok(dataset)
}
