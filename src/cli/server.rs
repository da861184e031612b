//! Commands on a document that lives on a server: `publish` and `pull`, the read-only
//! commands (run on a snapshot), and `bench seats`.

use std::path::PathBuf;

use serde_json::json;

use crate::cli::Reply;
use crate::store::server::ServerUrl;

fn url_of(text: &str) -> anyhow::Result<ServerUrl> {
    ServerUrl::parse(text).ok_or_else(|| {
        anyhow::anyhow!("'{text}' is not a PostgreSQL URL (postgresql://user@host:port/database)")
    })
}

pub(super) fn publish(file: PathBuf, to: String) -> anyhow::Result<Reply> {
    let url = url_of(&to)?;
    let report = crate::store::server::publish(&file, &url, &mut |table, rows| {
        eprintln!("published {table}: {rows} rows");
    })?;
    Ok(Reply::ok(serde_json::to_value(report)?))
}

pub(super) fn pull(from: String, to: PathBuf) -> anyhow::Result<Reply> {
    let url = url_of(&from)?;
    let started = std::time::Instant::now();
    crate::store::server::pull(&url, &to)?;
    Ok(Reply::ok(json!({
        "from": url.redacted(),
        "to": to.display().to_string(),
        "elapsed_ms": started.elapsed().as_millis(),
    })))
}

/// A read-only command on a server document runs on a snapshot of it (one repeatable-read
/// transaction, pulled into a temporary GeoPackage), so that every reading command — `info`,
/// `check`, `stats`, `staffing`, `audit`, exports and briefings — sees one consistent state
/// through the same code as for a file; the snapshot's path is replaced by the URL in what
/// the command prints.
pub(super) fn on_snapshot(
    file: PathBuf,
    command: impl FnOnce(PathBuf) -> anyhow::Result<Reply>,
) -> anyhow::Result<Reply> {
    let Some(url) = crate::store::server::as_server(&file) else {
        return command(file);
    };
    let dir = std::env::temp_dir().join(format!(
        "gridatlas-snapshot-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir)?;
    let _cleanup = RemoveDir(dir.clone());
    let snapshot = dir.join("snapshot.gpkg");
    crate::store::server::pull(&url, &snapshot)?;
    let mut reply = command(snapshot.clone())?;
    let from = snapshot.display().to_string();
    rename_paths(&mut reply.json, &from, &url.redacted());
    for line in &mut reply.stderr {
        *line = line.replace(&from, &url.redacted());
    }
    Ok(reply)
}

fn rename_paths(v: &mut serde_json::Value, from: &str, to: &str) {
    match v {
        serde_json::Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| rename_paths(x, from, to)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| rename_paths(x, from, to)),
        _ => {}
    }
}

struct RemoveDir(PathBuf);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn bench_seats(
    url: String,
    seats: usize,
    seconds: f64,
    seed: u64,
) -> anyhow::Result<Reply> {
    let url = url_of(&url)?;
    let result = crate::bench::run_seats(&url, seats.max(1), seconds, seed)?;
    let code = i32::from(result.lost_updates > 0);
    Ok(Reply {
        json: serde_json::to_value(result)?,
        stderr: Vec::new(),
        code,
    })
}
