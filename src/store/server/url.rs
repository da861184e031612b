//! Where a document on a server is: a `postgresql://` URL, as libpq, QGIS and psql write it.

use std::path::PathBuf;

/// A `postgresql://user:pass@host:port/db` URL naming a GridAtlas document on a server.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl {
    url: String,
}

/// Whether a command-line argument names a server rather than a file.
pub fn is_server_url(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://")
}

impl ServerUrl {
    /// `None` when `s` is not a PostgreSQL URL.
    pub fn parse(s: &str) -> Option<ServerUrl> {
        is_server_url(s).then(|| ServerUrl { url: s.to_owned() })
    }

    /// The URL as given, with its password (for connecting only).
    pub(crate) fn secret(&self) -> &str {
        &self.url
    }

    /// The URL without its password: what messages, titles and logs show.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.url.clone();
        };
        match rest.split_once('@') {
            Some((user, host)) => {
                let user = user.split_once(':').map_or(user, |(u, _)| u);
                format!("{scheme}://{user}@{host}")
            }
            None => self.url.clone(),
        }
    }

    /// The redacted URL as a path: the store's errors name a document by path, and a server
    /// document is named by its URL.
    pub fn label(&self) -> PathBuf {
        PathBuf::from(self.redacted())
    }
}

impl std::fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        let u = ServerUrl::parse("postgresql://ops:s3cret@10.0.0.5:5432/liuyang").unwrap();
        assert_eq!(u.redacted(), "postgresql://ops@10.0.0.5:5432/liuyang");
        assert_eq!(
            ServerUrl::parse("postgres://db.local/x")
                .unwrap()
                .redacted(),
            "postgres://db.local/x"
        );
        assert!(ServerUrl::parse("county.gpkg").is_none());
    }
}
