//! The document on disk: an OGC GeoPackage (SQLite) that QGIS and GDAL open directly.
//! The only layer that knows rusqlite. Schema: see `schema.rs` and the README.

mod access;
mod accounts;
pub mod audit;
mod boundary;
mod case_export;
mod case_import;
mod case_ledger;
mod change_log;
mod datum;
mod error;
mod export;
mod feature_export;
mod file_header;
mod foreign_layer;
mod geometry;
mod household_ranges;
mod info;
mod mbtiles;
mod personal;
mod plans;
mod read;
mod roster_write;
mod schema;
mod sealing;
pub mod server;
mod soundness;
mod spatial_index;
mod sql_functions;
mod target;
mod unit_import;
mod update;
mod wkb_bounds;
mod worker_ledger;
mod workload;
mod write;
mod xlsx_export;

pub use accounts::{
    Account, CIPHER_KEY, EncryptReport, KeySource, MIN_PASSPHRASE_CHARS, SignedIn, add_account,
    change_passphrase, create_first_admin, has_accounts, install_accounts, list_accounts,
    remove_account, sign_in, verify_passphrase,
};
pub use audit::{AuditAction, AuditEntry, AuditEvent, AuditFinding};
pub use boundary::UnitChanges;
pub use case_export::{
    CaseRow, export_cases_csv, export_cases_geojson, export_cases_geojson_marked,
};
pub use case_import::{ImportError, ImportedCase, REQUIRED_COLUMNS, read_cases_csv};
pub use case_ledger::{WrittenCases, insert_new_cases, save_case_step, set_deadline_hours};
pub use change_log::{ChangeWatch, Changes, SeqRange};
pub use datum::CoordinateDatum;
pub use error::StoreError;
pub use export::{export_csv, export_csv_titled, export_text};
pub use feature_export::{export_gpkg, export_shapefile};
pub use foreign_layer::{ForeignFeature, ForeignLayer, polygon_layers, read_foreign_layer};
pub use geometry::{decode_multipolygon, decode_point, encode_multipolygon, encode_point};
pub use info::{FileInfo, read_info};
pub use mbtiles::MbTiles;
pub use personal::open_dataset;
pub use plans::{
    PlanInfo, StoredChange, approve_plan, create_plan, due_plans, list_plans, plan_steps,
    pop_plan_step, push_plan_step, retired_codes, schedule_plan,
};
pub use read::{
    load, load_as, load_unlocked, load_unlocked_with_seq, load_with_seq, open_validated,
};
pub use roster_write::{write_households, write_workers};
pub use schema::{GPKG_APPLICATION_ID, GPKG_USER_VERSION, SCHEMA_VERSION};
pub use sealing::{CIPHER, DocumentKey, SealError, is_sealed};
pub use soundness::{
    background_verdict as background_soundness_verdict,
    check_in_background as check_soundness_in_background,
    wait_for_check as wait_for_soundness_check,
};
pub use sql_functions::register as register_sql_functions;
pub use target::Target;
pub use unit_import::{read_meta_value, write_unit_import};
pub use update::{
    Reassignment, ensure_writable, integrity_problems, orphan_case_events, prepare_for_sharing,
    update_assignments,
};
pub use worker_ledger::{link_party_contact, save_worker};
pub use workload::write_workload;
pub use write::create;
pub use xlsx_export::export_xlsx;
