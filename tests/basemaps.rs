//! Basemap sources load tiles off the UI thread and never block or crash: MBTiles (with the TMS
//! row flip and parent-tile fallback), an XYZ server on loopback, and PMTiles. No assertion here
//! is about time: "does not block" is shown by `at()` answering while the server still holds its
//! reply, and waits end when the source or the server says it has answered (the generous bounds
//! only turn a hang into a failure).
#![allow(clippy::unwrap_used)] // a test fails by panicking: unwrap is its assertion

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gridatlas::map::{Basemap, MbTilesSource, make_tiles};
use walkers::{TileId, Tiles};

fn png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(256, 256, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A bound that only turns a hang into a failure.
const HANG: Duration = Duration::from_secs(30);

/// Polls `at` (as the map does every frame) until a tile comes.
fn wait_for(tiles: &mut dyn Tiles, id: TileId) -> walkers::TilePiece {
    let started = Instant::now();
    loop {
        if let Some(piece) = tiles.at(id) {
            return piece;
        }
        assert!(started.elapsed() < HANG, "tile {id:?} never came");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls an MBTiles source until its reader has answered every request, then asks once more:
/// the tile, or `None` when the set does not have it (or it is broken).
fn settle(source: &mut MbTilesSource, id: TileId) -> Option<walkers::TilePiece> {
    let started = Instant::now();
    loop {
        let piece = source.at(id);
        if piece.is_some() {
            return piece;
        }
        if source.idle() {
            return source.at(id);
        }
        assert!(
            started.elapsed() < HANG,
            "the MBTiles reader never answered"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn mbtiles(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("t.mbtiles");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         INSERT INTO metadata VALUES ('name', 'test'), ('maxzoom', '2'), ('attribution', 'Test');",
    )
    .unwrap();
    // XYZ (z 2, x 1, y 1) is TMS row 2^2 - 1 - 1 = 2.
    conn.execute("INSERT INTO tiles VALUES (2, 1, 2, ?1)", [png([200, 0, 0])])
        .unwrap();
    // XYZ (2, 3, 3) holds bytes that are not an image.
    conn.execute(
        "INSERT INTO tiles VALUES (2, 3, 0, ?1)",
        [b"not a png".to_vec()],
    )
    .unwrap();
    path
}

#[test]
fn mbtiles_flips_rows_falls_back_to_parents_and_survives_bad_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let mut source = MbTilesSource::open(&mbtiles(dir.path()), ctx).unwrap();
    let at = |x, y, zoom| TileId { x, y, zoom };
    // The stored tile is found at its XYZ address (so the row was flipped)…
    let piece = settle(&mut source, at(1, 1, 2)).expect("tile (2,1,1)");
    assert_eq!(
        piece.uv,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
    );
    // …and not at the unflipped row.
    assert!(settle(&mut source, at(1, 2, 2)).is_none());
    // A child beyond the set's max zoom shows the right quarter of its parent.
    let piece = settle(&mut source, at(3, 2, 3)).expect("over-zoomed child");
    assert_eq!(
        piece.uv,
        egui::Rect::from_min_max(egui::pos2(0.5, 0.0), egui::pos2(1.0, 0.5))
    );
    // Zoom 12 tile inside the stored z2 tile (1, 1): x, y in 1024..2048.
    let piece = settle(&mut source, at(1024 + 5, 1024 + 7, 12)).expect("deep over-zoom");
    assert!((piece.uv.width() - 1.0 / 1024.0).abs() < 1e-6);
    // A broken tile is reported, not fatal.
    assert!(settle(&mut source, at(3, 3, 2)).is_none());
    assert!(
        source
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("tile 2/3/3"),
        "{:?}",
        source.last_error
    );
    assert_eq!(source.attribution().text, "Test");
}

#[test]
fn bad_files_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let not_sqlite = dir.path().join("x.mbtiles");
    std::fs::write(&not_sqlite, "hello").unwrap();
    let err = make_tiles(&Basemap::MbTiles { path: not_sqlite }, &ctx, dir.path())
        .err()
        .unwrap();
    assert!(err.contains("not a GeoPackage or SQLite file"), "{err}");
    let err = make_tiles(
        &Basemap::PmTiles {
            path: dir.path().join("none.pmtiles"),
        },
        &ctx,
        dir.path(),
    )
    .err()
    .unwrap();
    assert!(err.contains("no such file"), "{err}");
    let err = make_tiles(
        &Basemap::Xyz {
            template: "http://host/tiles.png".into(),
            attribution: String::new(),
        },
        &ctx,
        dir.path(),
    )
    .err()
    .unwrap();
    assert!(err.contains("{z}"), "{err}");
}

/// A loopback tile server answering `requests` requests with a PNG and the status
/// `status(n)` for the n-th request, then stopping. Before answering it waits for `hold` (if
/// given) to say go. Returns its port and how many requests it has answered.
fn serve_held(
    status: impl Fn(usize) -> u16 + Send + 'static,
    requests: usize,
    hold: Option<std::sync::mpsc::Receiver<()>>,
) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    std::thread::spawn(move || {
        let body = png([0, 120, 200]);
        for (n, stream) in listener.incoming().take(requests).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            if let Some(go) = &hold {
                let _ = go.recv_timeout(HANG);
            }
            let head = format!(
                "HTTP/1.1 {} X\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                status(n),
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, answered)
}

fn serve(status: impl Fn(usize) -> u16 + Send + 'static, requests: usize) -> u16 {
    serve_held(status, requests, None).0
}

#[test]
fn xyz_tiles_come_from_a_server_and_a_failing_one_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let id = TileId {
        x: 3,
        y: 2,
        zoom: 3,
    };
    // The server holds its reply until told: at() must answer meanwhile (on the UI thread it
    // would otherwise freeze the window), with nothing yet.
    let (go, hold) = std::sync::mpsc::channel();
    let (port, answered) = serve_held(|_| 200, 16, Some(hold));
    let mut tiles = make_tiles(
        &Basemap::Xyz {
            template: format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"),
            attribution: String::new(),
        },
        &ctx,
        &dir.path().join("cache"),
    )
    .unwrap()
    .unwrap();
    assert!(tiles.at(id).is_none());
    assert!(tiles.at(id).is_none());
    assert_eq!(
        answered.load(Ordering::SeqCst),
        0,
        "at() waited for the server"
    );
    for _ in 0..16 {
        let _ = go.send(());
    }
    wait_for(tiles.as_mut(), id);
    assert_eq!(tiles.attribution().text, format!("http://127.0.0.1:{port}"));

    // A server that fails: once it has answered, there is still no tile, and no error escapes.
    let (failing, answered) = serve_held(|_| 500, 16, None);
    let mut tiles = make_tiles(
        &Basemap::Xyz {
            template: format!("http://127.0.0.1:{failing}/{{z}}/{{x}}/{{y}}.png"),
            attribution: "x".into(),
        },
        &ctx,
        &dir.path().join("cache2"),
    )
    .unwrap()
    .unwrap();
    let started = Instant::now();
    while answered.load(Ordering::SeqCst) == 0 {
        assert!(tiles.at(id).is_none());
        assert!(started.elapsed() < HANG, "the tile was never asked for");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(tiles.at(id).is_none());
}

#[test]
fn a_failed_http_tile_is_asked_for_again() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    gridatlas::map::init_tls();
    // Fails three times, then recovers.
    let port = serve(|n| if n < 3 { 500 } else { 200 }, 40);
    let template = format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png");
    let cache = dir.path().join("cache");
    let make = move || {
        let options = walkers::HttpOptions {
            cache: Some(cache.clone()),
            ..Default::default()
        };
        Box::new(walkers::HttpTiles::with_options(
            gridatlas::map::XyzSource::new(&template, "t"),
            options,
            ctx.clone(),
        )) as Box<dyn Tiles + Send>
    };
    let mut tiles = gridatlas::map::RetryingTiles::new(make, Duration::from_millis(300));
    let id = TileId {
        x: 3,
        y: 2,
        zoom: 3,
    };
    let whole = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
    let started = Instant::now();
    while !tiles.at(id).is_some_and(|p| p.uv == whole) {
        assert!(
            started.elapsed() < HANG,
            "the tile never arrived after the server recovered"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(tiles.retries >= 1, "it took a retry");
}

#[test]
fn pmtiles_file_serves_raster_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pmtiles");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = pmtiles::PmTilesWriter::new(pmtiles::TileType::Png)
        .max_zoom(3)
        .create(file)
        .unwrap();
    for z in 0..=3u8 {
        for x in 0..(1u32 << z) {
            for y in 0..(1u32 << z) {
                writer
                    .add_tile(
                        pmtiles::TileCoord::new(z, x, y).unwrap(),
                        &png([20, 160, 60]),
                    )
                    .unwrap();
            }
        }
    }
    writer.finalize().unwrap();
    let ctx = egui::Context::default();
    let mut tiles = make_tiles(&Basemap::PmTiles { path }, &ctx, dir.path())
        .unwrap()
        .unwrap();
    let piece = wait_for(
        tiles.as_mut(),
        TileId {
            x: 1,
            y: 1,
            zoom: 2,
        },
    );
    assert_eq!(
        piece.uv,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
    );
}

#[test]
fn a_pmtiles_file_of_vector_tiles_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.pmtiles");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = pmtiles::PmTilesWriter::new(pmtiles::TileType::Mvt)
        .max_zoom(0)
        .create(file)
        .unwrap();
    writer
        .add_tile(pmtiles::TileCoord::new(0, 0, 0).unwrap(), b"not really mvt")
        .unwrap();
    writer.finalize().unwrap();
    let ctx = egui::Context::default();
    let err = make_tiles(&Basemap::PmTiles { path }, &ctx, dir.path())
        .err()
        .expect("refused");
    assert!(err.contains("vector tiles"), "{err}");
}
