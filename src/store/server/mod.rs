//! A document on PostgreSQL/PostGIS: the same tables as the GeoPackage (`schema`), moved
//! there and back (`publish`, `mirror::pull`), read through the file's own reader
//! (`mirror`), written one case step at a time with a row check (`case_writes`), and
//! followed live by every seat (`link`: LISTEN/NOTIFY and the server's change log). The only
//! module that knows the `postgres` crate.

mod accounts;
mod blob;
mod case_writes;
mod checkout;
mod link;
mod mirror;
mod publish;
mod schema;
mod url;

pub use accounts::{has_accounts, record_audit, sign_in};
pub use link::{LinkState, ServerDocument};
pub(crate) use mirror::open_mirror;
pub use mirror::{load_as, load_with_seq, pull};
pub use publish::{PublishReport, publish};
pub use url::{ServerUrl, is_server_url};

use crate::store::StoreError;

/// The server a document location names, when it names one: every store function takes a
/// location as a path, and a `postgresql://` URL is a location too.
pub fn as_server(path: &std::path::Path) -> Option<ServerUrl> {
    path.to_str().and_then(ServerUrl::parse)
}

/// A location as messages show it: a path, or a URL without its password.
pub fn location_name(path: &std::path::Path) -> String {
    as_server(path).map_or_else(|| path.display().to_string(), |u| u.redacted())
}

/// Opens a connection (a short timeout: a seat must learn at once that the server is gone).
pub(crate) fn connect(url: &ServerUrl) -> Result<postgres::Client, StoreError> {
    let mut config: postgres::Config =
        url.secret()
            .parse()
            .map_err(|e: postgres::Error| StoreError::Refused {
                path: url.label(),
                what: format!("not a PostgreSQL URL: {e}"),
            })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(2));
    }
    config
        .application_name("gridatlas")
        .keepalives(true)
        .keepalives_idle(std::time::Duration::from_secs(10));
    config
        .connect(postgres::NoTls)
        .map_err(|e| StoreError::Unreachable {
            path: url.label(),
            what: e.to_string(),
        })
}

/// Whether a server error means the connection is gone (rather than the server saying no).
pub(crate) fn is_disconnect(e: &postgres::Error) -> bool {
    e.as_db_error().is_none()
        && (e.is_closed()
            || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
            || e.to_string().contains("connection"))
}

/// Attaches the document and what was being done to a server error; a lost connection
/// becomes [`StoreError::Unreachable`].
pub(crate) trait ServerContext<T> {
    fn sctx(self, url: &ServerUrl, context: &'static str) -> Result<T, StoreError>;
}

impl<T> ServerContext<T> for Result<T, postgres::Error> {
    fn sctx(self, url: &ServerUrl, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| {
            if is_disconnect(&source) {
                StoreError::Unreachable {
                    path: url.label(),
                    what: format!("{context}: {source}"),
                }
            } else {
                StoreError::Server {
                    path: url.label(),
                    context,
                    source,
                }
            }
        })
    }
}

pub(crate) use checkout::Tables;

/// A write of the file's code on the server document at `url`, done through a working copy
/// (`checkout`), with the range of the server's change log that holds it. Every public
/// writer of the file's code begins by handing a server location here.
pub(crate) use checkout::write_through;
