//! Instants in UTC, stored in files as ISO 8601 text (`2026-05-03T08:15:00Z`).

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Seconds since the Unix epoch, UTC. Whole seconds are all the domain needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}' is not an ISO 8601 UTC timestamp like 2026-05-03T08:15:00Z or a date like 2026-05-03"
)]
pub struct TimestampError {
    pub text: String,
}

impl Timestamp {
    pub const HOUR: i64 = 3600;
    pub const DAY: i64 = 86_400;

    pub fn now() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Parses `2026-05-03T08:15:00Z` (any RFC 3339 offset is accepted and converted to UTC)
    /// or a bare date `2026-05-03`, meaning its midnight UTC.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let err = || TimestampError {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.len() == 10 {
            let date = time::Date::parse(
                trimmed,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| err())?;
            return Ok(Timestamp(date.midnight().assume_utc().unix_timestamp()));
        }
        OffsetDateTime::parse(trimmed, &Rfc3339)
            .map(|t| Timestamp(t.unix_timestamp()))
            .map_err(|_| err())
    }

    /// `2026-05-03T08:15:00Z`.
    pub fn to_iso(self) -> String {
        match OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            // Outside ±9999 years: cannot come from a valid file, keep it visible.
            Err(_) => format!("@{}", self.0),
        }
    }

    /// Midnight UTC of this instant's day.
    pub fn day_start(self) -> Timestamp {
        Timestamp(self.0.div_euclid(Self::DAY) * Self::DAY)
    }

    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0 + seconds)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_and_dates() {
        let t = Timestamp::parse("2026-05-03T08:15:00Z").unwrap();
        assert_eq!(t.to_iso(), "2026-05-03T08:15:00Z");
        assert_eq!(Timestamp::parse(&t.to_iso()).unwrap(), t);
        let d = Timestamp::parse("2026-05-03").unwrap();
        assert_eq!(d.to_iso(), "2026-05-03T00:00:00Z");
        assert_eq!(t.day_start(), d);
        assert_eq!(
            Timestamp::parse("2026-05-03T16:15:00+08:00").unwrap(),
            t,
            "offsets are converted to UTC"
        );
        assert!(Timestamp::parse("2026-13-03").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
