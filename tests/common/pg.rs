//! A PostgreSQL/PostGIS server for the tests that need one: `GRIDATLAS_TEST_PG` (a URL to a
//! cluster that may create databases; `.ci/run` starts one), else one started here with
//! `.ci/pg-cluster` from Debian's binaries. Under CI a missing server fails the tests.

use std::path::{Path, PathBuf};

use gridatlas::store;

/// A cluster this test started (and stops), or the one CI gave.
pub struct Cluster {
    pub base: String,
    pub dir: Option<PathBuf>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::process::Command::new(script())
                .arg("stop")
                .arg(dir)
                .status();
        }
    }
}

pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pg-cluster")
}

fn has_server_binaries() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|v| v.path().join("bin/initdb").exists()))
        .unwrap_or(false)
}

/// A cluster of our own, in a fresh directory (the restart test stops and starts it).
pub fn own_cluster() -> Option<Cluster> {
    if !crate::common::tool_available(
        has_server_binaries(),
        "PostgreSQL server (postgresql, postgis)",
    ) {
        return None;
    }
    let dir = std::env::temp_dir().join(format!(
        "gridatlas-test-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let out = std::process::Command::new(script())
        .arg("start")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "starting a cluster: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(Cluster {
        base: String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        dir: Some(dir),
    })
}

pub fn cluster() -> Option<Cluster> {
    match std::env::var("GRIDATLAS_TEST_PG") {
        Ok(base) if !base.is_empty() => Some(Cluster { base, dir: None }),
        _ => own_cluster(),
    }
}

impl Cluster {
    /// A fresh, empty database for one test.
    pub fn database(&self, name: &str) -> String {
        let db = format!("ga_{name}_{}", std::process::id());
        let mut c = postgres::Client::connect(&self.base, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        let (head, _) = self.base.rsplit_once('/').unwrap();
        format!("{head}/{db}")
    }

    pub fn halt(&self) {
        let dir = self.dir.as_ref().expect("our own cluster");
        assert!(
            std::process::Command::new(script())
                .arg("halt")
                .arg(dir)
                .status()
                .unwrap()
                .success()
        );
    }

    pub fn resume(&self) {
        let dir = self.dir.as_ref().expect("our own cluster");
        assert!(
            std::process::Command::new(script())
                .arg("resume")
                .arg(dir)
                .status()
                .unwrap()
                .success()
        );
    }
}

/// The township demo as a file and published to a new database: (file, url).
pub fn published(cluster: &Cluster, dir: &Path, name: &str) -> (PathBuf, String) {
    // The township with a busy desk: enough open cases for several seats to step at once.
    let file = dir.join("doc.gpkg");
    let d = gridatlas::demo::generate(
        &gridatlas::demo::DemoParams {
            scale: gridatlas::demo::Scale::Township,
            seed: 1,
            as_of: gridatlas::model::Timestamp::parse("2026-11-01").unwrap(),
            cases: Some(2000),
        },
        &|_, _| {},
    )
    .unwrap();
    store::create(&file, &d, false).unwrap();
    let url = cluster.database(name);
    let (code, json, err) =
        crate::common::gridatlas(&["publish", file.to_str().unwrap(), "--to", &url]);
    assert_eq!(code, 0, "publish: {err}");
    assert!(json["tables"].as_array().unwrap().len() >= 5, "{json}");
    (file, url)
}
