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
    /// The document has accounts: someone must sign in before it is read.
    NeedsSignIn(PathBuf),
    Done(Result<Box<Opened>, String>),
}

/// A document read, and who it was opened as.
pub struct Opened {
    pub doc: Document,
    pub session: Option<store::SignedIn>,
    /// Signed in without asking (the demo's admin on first start): the status bar says so.
    pub automatic: bool,
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
        match load(source, &tx, &wake) {
            Ok(Loaded::Opened(o)) => {
                let _ = tx.send(LoadEvent::Done(Ok(o)));
            }
            Ok(Loaded::NeedsSignIn(path)) => {
                let _ = tx.send(LoadEvent::NeedsSignIn(path));
            }
            Err(e) => {
                let _ = tx.send(LoadEvent::Done(Err(e)));
            }
        }
        wake();
    });
    rx
}

/// Signs `name` in and opens the document as them, in the background (the passphrase's
/// Argon2id and the county's decryption take a moment).
pub fn start_signed_loading(
    path: PathBuf,
    name: String,
    passphrase: String,
    wake: impl Fn() + Send + Sync + 'static,
) -> Receiver<LoadEvent> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let shown = crate::store::server::location_name(&path);
        let _ = tx.send(LoadEvent::Progress(0.3, shown));
        wake();
        let result = store::sign_in(&path, &name, &passphrase, Timestamp::now())
            .and_then(|s| {
                Document::open_as(path, Some(&s)).map(|doc| Opened {
                    doc,
                    session: Some(s),
                    automatic: false,
                })
            })
            .map(Box::new)
            .map_err(|e| e.to_string());
        let _ = tx.send(LoadEvent::Done(result));
        wake();
    });
    rx
}

enum Loaded {
    Opened(Box<Opened>),
    NeedsSignIn(PathBuf),
}

fn load(
    source: DocumentSource,
    tx: &Sender<LoadEvent>,
    wake: &(dyn Fn() + Send + Sync),
) -> Result<Loaded, String> {
    let demo = matches!(source, DocumentSource::DefaultDemo);
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
                let _ = tx.send(LoadEvent::Progress(0.88, "加密个人信息".into()));
                wake();
                // The demo has one account per role (README), and is encrypted like a real
                // document; a partial file is never left: the accounts go in one transaction.
                store::install_accounts(
                    &path,
                    &demo::demo_accounts(&dataset),
                    params.as_of,
                    store::KeySource::Seeded(params.seed),
                )
                .map_err(|e| e.to_string())?;
            }
            path
        }
    };
    let shown = crate::store::server::location_name(&path);
    let _ = tx.send(LoadEvent::Progress(0.9, shown));
    wake();
    if !store::has_accounts(&path).map_err(|e| e.to_string())? {
        return Document::open(path)
            .map(|doc| {
                Loaded::Opened(Box::new(Opened {
                    doc,
                    session: None,
                    automatic: false,
                }))
            })
            .map_err(|e| e.to_string());
    }
    if !demo {
        return Ok(Loaded::NeedsSignIn(path));
    }
    // The demo on first start stays one step for a newcomer: its admin is signed in.
    let (name, _, passphrase) = demo::DEMO_ACCOUNTS[0];
    let session =
        store::sign_in(&path, name, passphrase, Timestamp::now()).map_err(|e| e.to_string())?;
    Document::open_as(path, Some(&session))
        .map(|doc| {
            Loaded::Opened(Box::new(Opened {
                doc,
                session: Some(session),
                automatic: true,
            }))
        })
        .map_err(|e| e.to_string())
}
