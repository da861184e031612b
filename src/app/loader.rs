//! Opening a document off the UI thread, generating the default demo first if it does not
//! exist yet, with progress reported to the window.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::app::Document;
use crate::demo::{self, DemoParams, Scale};
use crate::model::Timestamp;
use crate::store;

pub enum DocumentSource {
    /// The county demo in the user's data directory, generated on first start.
    DefaultDemo,
    File(PathBuf),
}

pub enum LoadEvent {
    /// Fraction done and what is happening.
    Progress(f32, String),
    Done(Result<Box<Document>, String>),
}

/// `<data dir>/GridAtlas/liuyang-demo.gpkg` (e.g. ~/.local/share/GridAtlas on Linux).
pub fn default_demo_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("GridAtlas")
        .join("liuyang-demo.gpkg")
}

/// Starts loading in a background thread; `wake` is called after each event.
pub fn start_loading(
    source: DocumentSource,
    wake: impl Fn() + Send + Sync + 'static,
) -> Receiver<LoadEvent> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let result = load(source, &tx, &wake);
        let _ = tx.send(LoadEvent::Done(result.map(Box::new)));
        wake();
    });
    rx
}

fn load(
    source: DocumentSource,
    tx: &Sender<LoadEvent>,
    wake: &(dyn Fn() + Send + Sync),
) -> Result<Document, String> {
    let path = match source {
        DocumentSource::File(path) => path,
        DocumentSource::DefaultDemo => {
            let path = default_demo_path();
            if !path.exists() {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                // The first-start demo is "as of" today, so its open cases are current.
                let params = DemoParams {
                    scale: Scale::County,
                    seed: 1,
                    // Today's start in the demo county's time zone (Beijing).
                    as_of: crate::model::TimeZone::beijing().day_start(Timestamp::now()),
                    cases: None,
                };
                let send = |f: f32, what: &str| {
                    let _ = tx.send(LoadEvent::Progress(f * 0.8, what.to_owned()));
                    wake();
                };
                let dataset = demo::generate(&params, &send)?;
                let _ = tx.send(LoadEvent::Progress(0.85, "写入文件".into()));
                wake();
                store::create(&path, &dataset, false).map_err(|e| e.to_string())?;
            }
            path
        }
    };
    let _ = tx.send(LoadEvent::Progress(0.9, format!("{}", path.display())));
    wake();
    Document::open(path).map_err(|e| e.to_string())
}
