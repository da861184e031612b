//! Basemaps: none (the offline default: the dataset's own outlines on a calm background), an XYZ
//! URL template with an on-disk cache (presets for OpenStreetMap and Tianditu; any intranet
//! server), MBTiles files and PMTiles files. Tiles load off the UI thread; a missing or failing
//! tile never blocks: the parent tile stands in, and a failed one is asked again later.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use egui::{Context, Rect, pos2};
use walkers::sources::{Attribution, TileSource};
use walkers::{HttpOptions, HttpTiles, PmTiles, Style, Tile, TileId, TilePiece, Tiles};

use crate::store::MbTiles;

/// What the operator chose; persisted between runs.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum Basemap {
    #[default]
    None,
    OpenStreetMap,
    /// 天地图 vector, with the operator's key (tk).
    TiandituVector {
        key: String,
    },
    /// 天地图 imagery.
    TiandituImagery {
        key: String,
    },
    /// Any XYZ server, e.g. an intranet one: `http://10.0.0.5/tiles/{z}/{x}/{y}.png`.
    /// `{s}` picks a subdomain from `a`, `b`, `c`; `{-y}` is the TMS row.
    Xyz {
        template: String,
        attribution: String,
    },
    MbTiles {
        path: PathBuf,
    },
    PmTiles {
        path: PathBuf,
    },
}

impl Basemap {
    pub fn kind(&self) -> &'static str {
        match self {
            Basemap::None => "none",
            Basemap::OpenStreetMap => "osm",
            Basemap::TiandituVector { .. } => "tianditu-vec",
            Basemap::TiandituImagery { .. } => "tianditu-img",
            Basemap::Xyz { .. } => "xyz",
            Basemap::MbTiles { .. } => "mbtiles",
            Basemap::PmTiles { .. } => "pmtiles",
        }
    }
}

/// An XYZ template as a walkers tile source.
pub struct XyzSource {
    template: String,
    attribution: &'static str,
}

impl XyzSource {
    pub fn new(template: &str, attribution: &str) -> XyzSource {
        // walkers wants a `'static` attribution; sources are created on a settings change only.
        XyzSource {
            template: template.to_owned(),
            attribution: Box::leak(attribution.to_owned().into_boxed_str()),
        }
    }

    pub fn url(&self, id: TileId) -> String {
        let sub = ["a", "b", "c"][((id.x + id.y) % 3) as usize];
        let tianditu = ((id.x + id.y) % 8).to_string();
        self.template
            .replace("{z}", &id.zoom.to_string())
            .replace("{x}", &id.x.to_string())
            .replace("{-y}", &((1u64 << id.zoom) - 1 - id.y as u64).to_string())
            .replace("{y}", &id.y.to_string())
            .replace("{s}", sub)
            .replace("{t}", &tianditu)
    }
}

impl TileSource for XyzSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        self.url(tile_id)
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: self.attribution,
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
}

pub const OSM_TEMPLATE: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

fn tianditu(layer: &str, key: &str) -> String {
    format!(
        "https://t{{t}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
    )
}

/// Creates the tiles of a basemap choice. `cache` is the disk cache directory for HTTP tiles.
pub fn make_tiles(
    choice: &Basemap,
    ctx: &Context,
    cache: &Path,
) -> Result<Option<Box<dyn Tiles + Send>>, String> {
    let http = |template: String, attribution: &str| -> Box<dyn Tiles + Send> {
        // Any caller, not only the window, may create HTTP tiles: the client needs the provider.
        init_tls();
        let (cache, ctx, attribution) = (cache.to_owned(), ctx.clone(), attribution.to_owned());
        Box::new(RetryingTiles::new(
            move || {
                let options = HttpOptions {
                    cache: Some(cache.clone()),
                    ..Default::default()
                };
                Box::new(HttpTiles::with_options(
                    XyzSource::new(&template, &attribution),
                    options,
                    ctx.clone(),
                )) as Box<dyn Tiles + Send>
            },
            HTTP_RETRY_AFTER,
        ))
    };
    Ok(match choice {
        Basemap::None => None,
        Basemap::OpenStreetMap => Some(http(OSM_TEMPLATE.into(), "© OpenStreetMap contributors")),
        Basemap::TiandituVector { key } => Some(http(
            tianditu("vec", key),
            "© 天地图 Tianditu (GS(2024)0568号)",
        )),
        Basemap::TiandituImagery { key } => Some(http(
            tianditu("img", key),
            "© 天地图 Tianditu (GS(2024)0568号)",
        )),
        Basemap::Xyz {
            template,
            attribution,
        } => {
            if !template.contains("{z}")
                || !template.contains("{x}")
                || !(template.contains("{y}") || template.contains("{-y}"))
            {
                return Err(format!(
                    "URL template '{template}' needs {{z}}, {{x}} and {{y}} (or {{-y}})"
                ));
            }
            // Without an attribution of its own, say which server the tiles come from.
            let from = if attribution.is_empty() {
                template.split('/').take(3).collect::<Vec<_>>().join("/")
            } else {
                attribution.clone()
            };
            Some(http(template.clone(), &from))
        }
        Basemap::MbTiles { path } => Some(Box::new(MbTilesSource::open(path, ctx.clone())?)),
        Basemap::PmTiles { path } => {
            if !path.is_file() {
                return Err(format!("{}: no such file", path.display()));
            }
            pmtiles_raster_check(path)?;
            Some(Box::new(PmTiles::new(path, ctx.clone())))
        }
    })
}

/// Reads a PMTiles v3 header (127 bytes: magic, version, …, tile type at byte 99) and refuses
/// vector tiles: walkers draws raster tiles only, and a vector set would show a blank map with
/// no word of why.
fn pmtiles_raster_check(path: &std::path::Path) -> Result<(), String> {
    use std::io::Read;
    let mut header = [0u8; 127];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if &header[..7] != b"PMTiles" {
        return Err(format!("{}: not a PMTiles file", path.display()));
    }
    match header[99] {
        1 => Err(format!(
            "{}: holds vector tiles (MVT), which GridAtlas cannot draw; use a raster PMTiles (PNG, JPEG or WebP)",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// How long a tile may stay missing before the HTTP source asks again.
pub const HTTP_RETRY_AFTER: Duration = Duration::from_secs(20);

/// Retries failed downloads, which walkers' `HttpTiles` does not do: it keeps an empty entry for
/// a tile whose download failed and never asks for it again until that entry is evicted. When
/// a tile shown on the map has stayed missing (only a parent standing in) for `retry_after`, the
/// source is rebuilt; tiles already downloaded come back from its disk cache.
pub struct RetryingTiles {
    make: Box<dyn Fn() -> Box<dyn Tiles + Send> + Send>,
    inner: Box<dyn Tiles + Send>,
    missing_since: HashMap<TileId, Instant>,
    last_rebuild: Instant,
    retry_after: Duration,
    /// How many times the source was rebuilt.
    pub retries: u32,
}

impl RetryingTiles {
    pub fn new(
        make: impl Fn() -> Box<dyn Tiles + Send> + Send + 'static,
        retry_after: Duration,
    ) -> RetryingTiles {
        let inner = make();
        RetryingTiles {
            make: Box::new(make),
            inner,
            missing_since: HashMap::new(),
            last_rebuild: Instant::now(),
            retry_after,
            retries: 0,
        }
    }
}

impl Tiles for RetryingTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        let piece = self.inner.at(tile_id);
        // A parent standing in (a part of its uv) does not count as the tile having arrived.
        let whole = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
        if piece.as_ref().is_some_and(|p| p.uv == whole) {
            self.missing_since.remove(&tile_id);
        } else {
            self.missing_since
                .entry(tile_id)
                .or_insert_with(Instant::now);
        }
        let stale = self
            .missing_since
            .values()
            .any(|t| t.elapsed() >= self.retry_after);
        if stale && self.last_rebuild.elapsed() >= self.retry_after {
            self.inner = (self.make)();
            self.last_rebuild = Instant::now();
            self.missing_since.clear();
            self.retries += 1;
        }
        piece
    }

    fn attribution(&self) -> Attribution {
        self.inner.attribution()
    }

    fn tile_size(&self) -> u32 {
        self.inner.tile_size()
    }
}

/// Installs the TLS crypto provider once (walkers' HTTP client is built without one).
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

enum Loaded {
    Tile(TileId, Tile),
    Missing(TileId),
    Failed(TileId, String),
}

/// MBTiles as walkers tiles: a reader thread decodes tiles; the UI thread never waits.
pub struct MbTilesSource {
    requests: Sender<TileId>,
    loaded: Receiver<Loaded>,
    cache: HashMap<TileId, Tile>,
    pending: HashSet<TileId>,
    missing: HashSet<TileId>,
    failed: HashMap<TileId, Instant>,
    attribution: &'static str,
    max_zoom: u8,
    pub last_error: Option<String>,
}

const RETRY_AFTER: Duration = Duration::from_secs(5);

impl MbTilesSource {
    pub fn open(path: &Path, ctx: Context) -> Result<MbTilesSource, String> {
        let reader = MbTiles::open(path).map_err(|e| e.to_string())?;
        let attribution: &'static str = Box::leak(
            if reader.attribution.is_empty() {
                format!("MBTiles: {}", reader.name)
            } else {
                reader.attribution.clone()
            }
            .into_boxed_str(),
        );
        let max_zoom = reader.max_zoom;
        let (requests, work) = channel::<TileId>();
        let (done, loaded) = channel();
        std::thread::spawn(move || {
            for id in work {
                let result = match reader.tile(id.zoom, id.x, id.y) {
                    Ok(Some(bytes)) => match Tile::new(&bytes, &Style, id.zoom, 256, &ctx) {
                        Ok(tile) => Loaded::Tile(id, tile),
                        Err(e) => {
                            Loaded::Failed(id, format!("tile {}/{}/{}: {e}", id.zoom, id.x, id.y))
                        }
                    },
                    Ok(None) => Loaded::Missing(id),
                    Err(e) => Loaded::Failed(id, e.to_string()),
                };
                if done.send(result).is_err() {
                    break;
                }
                ctx.request_repaint();
            }
        });
        Ok(MbTilesSource {
            requests,
            loaded,
            cache: HashMap::new(),
            pending: HashSet::new(),
            missing: HashSet::new(),
            failed: HashMap::new(),
            attribution,
            max_zoom,
            last_error: None,
        })
    }

    /// Whether every tile asked for has been answered (loaded, missing or broken).
    pub fn idle(&mut self) -> bool {
        self.drain();
        self.pending.is_empty()
    }

    fn drain(&mut self) {
        while let Ok(l) = self.loaded.try_recv() {
            match l {
                Loaded::Tile(id, tile) => {
                    self.pending.remove(&id);
                    self.cache.insert(id, tile);
                }
                Loaded::Missing(id) => {
                    self.pending.remove(&id);
                    self.missing.insert(id);
                }
                Loaded::Failed(id, e) => {
                    self.pending.remove(&id);
                    self.failed.insert(id, Instant::now());
                    self.last_error = Some(e);
                }
            }
        }
    }

    fn request(&mut self, id: TileId) {
        if self.cache.contains_key(&id) || self.pending.contains(&id) || self.missing.contains(&id)
        {
            return;
        }
        if self
            .failed
            .get(&id)
            .is_some_and(|t| t.elapsed() < RETRY_AFTER)
        {
            return;
        }
        self.failed.remove(&id);
        if self.requests.send(id).is_ok() {
            self.pending.insert(id);
        }
    }
}

impl Tiles for MbTilesSource {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.drain();
        // Beyond the set's deepest level, the deepest tile is stretched.
        let mut want = tile_id;
        while want.zoom > self.max_zoom {
            want = TileId {
                x: want.x / 2,
                y: want.y / 2,
                zoom: want.zoom - 1,
            };
        }
        self.request(want);
        // The tile itself, or the nearest ancestor that is loaded, showing the right quarter.
        let mut id = tile_id;
        loop {
            if id.zoom <= self.max_zoom
                && let Some(tile) = self.cache.get(&id)
            {
                let dz = tile_id.zoom - id.zoom;
                let n = (1u32 << dz) as f32;
                let (ox, oy) = (
                    (tile_id.x % (1 << dz)) as f32 / n,
                    (tile_id.y % (1 << dz)) as f32 / n,
                );
                return Some(TilePiece::new(
                    tile.clone(),
                    Rect::from_min_max(pos2(ox, oy), pos2(ox + 1.0 / n, oy + 1.0 / n)),
                ));
            }
            if id.zoom == 0 {
                return None;
            }
            id = TileId {
                x: id.x / 2,
                y: id.y / 2,
                zoom: id.zoom - 1,
            };
        }
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: self.attribution,
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }

    fn tile_size(&self) -> u32 {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_the_tile() {
        let s = XyzSource::new("http://10.0.0.5/{z}/{x}/{y}.png?tms={-y}&s={s}", "intranet");
        let url = s.url(TileId {
            x: 3,
            y: 1,
            zoom: 2,
        });
        assert_eq!(url, "http://10.0.0.5/2/3/1.png?tms=2&s=b");
        assert!(
            tianditu("vec", "KEY").contains("LAYER=vec")
                && tianditu("vec", "KEY").contains("tk=KEY")
        );
    }
}
