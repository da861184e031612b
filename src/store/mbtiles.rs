//! Reading MBTiles (SQLite) tile sets. MBTiles stores rows in TMS order (y up), the map asks in
//! XYZ order (y down): row = 2^z − 1 − y.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::store::StoreError;
use crate::store::error::SqliteContext;

pub struct MbTiles {
    conn: Connection,
    path: std::path::PathBuf,
    pub name: String,
    pub attribution: String,
    pub format: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
}

impl MbTiles {
    /// Opens read-only; refuses a file without the `tiles` table or view.
    pub fn open(path: &Path) -> Result<MbTiles, StoreError> {
        crate::store::file_header::check(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ctx(path, "opening the MBTiles file")?;
        let has_tiles: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'tiles'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .ctx(path, "reading the MBTiles schema")?
            > 0;
        if !has_tiles {
            return Err(StoreError::MissingTable {
                path: path.to_owned(),
                table: "tiles".into(),
            });
        }
        let meta = |key: &str| -> Option<String> {
            conn.query_row("SELECT value FROM metadata WHERE name = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .ok()
            .flatten()
        };
        let (name, attribution, format) = (meta("name"), meta("attribution"), meta("format"));
        let zoom = |key: &str, default: u8| {
            meta(key)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default)
        };
        let (min_zoom, max_zoom) = (zoom("minzoom", 0), zoom("maxzoom", 19));
        Ok(MbTiles {
            path: path.to_owned(),
            name: name.unwrap_or_default(),
            attribution: attribution.unwrap_or_default(),
            format: format.unwrap_or_else(|| "png".into()),
            min_zoom,
            max_zoom,
            conn,
        })
    }

    /// The tile at XYZ (x, y, z), `None` if the set has none there.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let row = (1i64 << z) - 1 - y as i64;
        self.conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                rusqlite::params![z, x, row],
                |r| r.get(0),
            )
            .optional()
            .ctx(&self.path, "reading a tile")
    }
}
