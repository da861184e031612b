//! Basemap sources load tiles off the UI thread and never block or crash: MBTiles (with the TMS
//! row flip and parent-tile fallback), an XYZ server on loopback, and PMTiles.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use gridatlas::map::{Basemap, MbTilesSource, make_tiles};
use walkers::{TileId, Tiles};

fn png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(256, 256, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Polls `at` (as the map does every frame) until a tile comes or `timeout` passes; no call may
/// take long, since it runs on the UI thread.
fn wait_for(tiles: &mut dyn Tiles, id: TileId, timeout: Duration) -> Option<walkers::TilePiece> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        let call = Instant::now();
        let piece = tiles.at(id);
        assert!(
            call.elapsed() < Duration::from_millis(50),
            "at() blocked for {:?}",
            call.elapsed()
        );
        if piece.is_some() {
            return piece;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
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
    let piece = wait_for(&mut source, at(1, 1, 2), Duration::from_secs(5)).expect("tile (2,1,1)");
    assert_eq!(
        piece.uv,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
    );
    // …and not at the unflipped row.
    assert!(wait_for(&mut source, at(1, 2, 2), Duration::from_millis(300)).is_none());
    // A child beyond the set's max zoom shows the right quarter of its parent.
    let piece =
        wait_for(&mut source, at(3, 2, 3), Duration::from_secs(2)).expect("over-zoomed child");
    assert_eq!(
        piece.uv,
        egui::Rect::from_min_max(egui::pos2(0.5, 0.0), egui::pos2(1.0, 0.5))
    );
    // Zoom 12 tile inside the stored z2 tile (1, 1): x, y in 1024..2048.
    let piece = wait_for(
        &mut source,
        at(1024 + 5, 1024 + 7, 12),
        Duration::from_secs(2),
    )
    .expect("deep over-zoom");
    assert!((piece.uv.width() - 1.0 / 1024.0).abs() < 1e-6);
    // A broken tile is reported, not fatal.
    assert!(wait_for(&mut source, at(3, 3, 2), Duration::from_millis(500)).is_none());
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
/// `status(n)` for the n-th request, then stopping.
fn serve(status: impl Fn(usize) -> u16 + Send + 'static, requests: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let body = png([0, 120, 200]);
        for (n, stream) in listener.incoming().take(requests).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 {} X\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                status(n),
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

#[test]
fn xyz_tiles_come_from_a_server_and_a_failing_one_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let port = serve(|_| 200, 16);
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
    assert!(
        wait_for(
            tiles.as_mut(),
            TileId {
                x: 3,
                y: 2,
                zoom: 3
            },
            Duration::from_secs(10)
        )
        .is_some(),
        "tile from the server"
    );
    assert_eq!(tiles.attribution().text, format!("http://127.0.0.1:{port}"));

    let failing = serve(|_| 500, 16);
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
    assert!(
        wait_for(
            tiles.as_mut(),
            TileId {
                x: 3,
                y: 2,
                zoom: 3
            },
            Duration::from_millis(800)
        )
        .is_none()
    );
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
    let mut arrived = false;
    while started.elapsed() < Duration::from_secs(10) {
        if tiles.at(id).is_some_and(|p| p.uv == whole) {
            arrived = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(arrived, "the tile arrives once the server recovers");
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
    assert!(
        wait_for(
            tiles.as_mut(),
            TileId {
                x: 1,
                y: 1,
                zoom: 2
            },
            Duration::from_secs(10)
        )
        .is_some()
    );
}
