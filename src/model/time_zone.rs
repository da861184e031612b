//! The document's time zone. Instants are stored in UTC (`Timestamp`); times are shown, and
//! "today", months and report periods are judged, in the zone the document names
//! (`gridatlas_meta.time_zone`, Asia/Shanghai when absent — domain §7).
//!
//! jiff does the calendar work with its bundled IANA database: an intranet desktop (or Windows)
//! has no zoneinfo of its own, and the shown times must not depend on the machine's settings.

use super::{Timestamp, TimestampError};

/// A named IANA time zone.
#[derive(Clone, Debug)]
pub struct TimeZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A local calendar time: what a clock on the wall of the command centre shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i16,
    pub month: i8,
    pub day: i8,
    pub hour: i8,
    pub minute: i8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{name}' is not a time zone name like Asia/Shanghai")]
pub struct TimeZoneError {
    pub name: String,
}

impl TimeZone {
    /// Beijing time, what every command centre works in.
    pub const DEFAULT: &'static str = "Asia/Shanghai";

    pub fn named(name: &str) -> Result<TimeZone, TimeZoneError> {
        let name = name.trim();
        jiff::tz::TimeZone::get(name)
            .map(|zone| TimeZone {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| TimeZoneError {
                name: name.to_owned(),
            })
    }

    /// Asia/Shanghai.
    pub fn beijing() -> TimeZone {
        TimeZone::named(Self::DEFAULT).unwrap_or_else(|_| TimeZone {
            // The database is compiled in, so this cannot happen; UTC+8 is the same zone
            // since 1991 in any case.
            name: Self::DEFAULT.to_owned(),
            zone: jiff::tz::TimeZone::fixed(jiff::tz::offset(8)),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, t: Timestamp) -> Option<jiff::Zoned> {
        jiff::Timestamp::from_second(t.0)
            .ok()
            .map(|ts| ts.to_zoned(self.zone.clone()))
    }

    /// The local calendar time of an instant (None only far outside any real date).
    pub fn local(&self, t: Timestamp) -> Option<LocalTime> {
        self.zoned(t).map(|z| LocalTime {
            year: z.year(),
            month: z.month(),
            day: z.day(),
            hour: z.hour(),
            minute: z.minute(),
        })
    }

    /// The UTC offset at an instant, as shown next to times: `UTC+8`.
    pub fn offset_label(&self, t: Timestamp) -> String {
        let seconds = self
            .zone
            .to_offset(jiff::Timestamp::from_second(t.0).unwrap_or_default());
        let seconds = seconds.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let (h, m) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
        if m == 0 {
            format!("UTC{sign}{h}")
        } else {
            format!("UTC{sign}{h}:{m:02}")
        }
    }

    /// Local midnight of the instant's local day.
    pub fn day_start(&self, t: Timestamp) -> Timestamp {
        self.zoned(t)
            .and_then(|z| z.start_of_day().ok())
            .map_or(t.day_start(), |z| Timestamp(z.timestamp().as_second()))
    }

    /// Local midnight of the first day of the instant's local month.
    pub fn month_start(&self, t: Timestamp) -> Timestamp {
        self.zoned(t)
            .and_then(|z| z.first_of_month().ok())
            .and_then(|z| z.start_of_day().ok())
            .map_or(t.day_start(), |z| Timestamp(z.timestamp().as_second()))
    }

    /// Local midnight `days` days after the local day of `t` (calendar days, so a day with a
    /// daylight-saving change still ends at midnight).
    pub fn days_after(&self, t: Timestamp, days: i64) -> Timestamp {
        self.zoned(t)
            .and_then(|z| z.date().checked_add(jiff::Span::new().days(days)).ok())
            .and_then(|d| d.to_zoned(self.zone.clone()).ok())
            .map_or(self.day_start(t).plus_seconds(days * Timestamp::DAY), |z| {
                Timestamp(z.timestamp().as_second())
            })
    }

    /// Whole local days from the local day of `from` to that of `to`.
    pub fn days_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        match (self.zoned(from), self.zoned(to)) {
            (Some(a), Some(b)) => a
                .date()
                .until((jiff::Unit::Day, b.date()))
                .map_or(0, |s| i64::from(s.get_days())),
            _ => (to.0 - from.0).div_euclid(Timestamp::DAY),
        }
    }

    /// `2026-11-29`.
    pub fn date(&self, t: Timestamp) -> String {
        self.local(t).map_or_else(
            || t.to_iso(),
            |l| format!("{:04}-{:02}-{:02}", l.year, l.month, l.day),
        )
    }

    /// `11-29`, for chart axes.
    pub fn month_day(&self, t: Timestamp) -> String {
        self.local(t)
            .map_or_else(|| t.to_iso(), |l| format!("{:02}-{:02}", l.month, l.day))
    }

    /// `2026-11-29 07:31`.
    pub fn minute(&self, t: Timestamp) -> String {
        self.local(t).map_or_else(
            || t.to_iso(),
            |l| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    l.year, l.month, l.day, l.hour, l.minute
                )
            },
        )
    }

    /// `20261129_0731`, for file names.
    pub fn file_stamp(&self, t: Timestamp) -> String {
        self.local(t).map_or_else(
            || t.0.to_string(),
            |l| {
                format!(
                    "{:04}{:02}{:02}_{:02}{:02}",
                    l.year, l.month, l.day, l.hour, l.minute
                )
            },
        )
    }

    /// Reads a time a person typed or a spreadsheet holds: an instant with its offset
    /// (`2026-05-03T08:15:00Z`, `…+08:00`) is taken as it is; a local time without one
    /// (`2026-05-03 08:15`, `2026-05-03T08:15:00`) and a bare date (`2026-05-03`, its local
    /// midnight) are read in this zone.
    pub fn parse(&self, text: &str) -> Result<Timestamp, TimestampError> {
        let trimmed = text.trim();
        let err = || TimestampError {
            text: text.to_owned(),
        };
        if trimmed.len() == 10 {
            let date: jiff::civil::Date = trimmed.parse().map_err(|_| err())?;
            return date
                .to_zoned(self.zone.clone())
                .map(|z| Timestamp(z.timestamp().as_second()))
                .map_err(|_| err());
        }
        if let Ok(t) = Timestamp::parse(trimmed) {
            return Ok(t);
        }
        let civil: jiff::civil::DateTime =
            trimmed.replacen(' ', "T", 1).parse().map_err(|_| err())?;
        civil
            .to_zoned(self.zone.clone())
            .map(|z| Timestamp(z.timestamp().as_second()))
            .map_err(|_| err())
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::beijing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn beijing_days_start_at_local_midnight() {
        let tz = TimeZone::beijing();
        // 23:31 UTC on the 28th is 07:31 on the 29th in Beijing.
        let t = ts("2026-11-28T23:31:00Z");
        assert_eq!(tz.minute(t), "2026-11-29 07:31");
        assert_eq!(tz.date(t), "2026-11-29");
        assert_eq!(tz.day_start(t), ts("2026-11-28T16:00:00Z"));
        assert_eq!(tz.month_start(t), ts("2026-10-31T16:00:00Z"));
        assert_eq!(tz.days_after(t, 3), ts("2026-12-01T16:00:00Z"));
        assert_eq!(tz.days_between(ts("2026-11-01T15:59:00Z"), t), 28);
        assert_eq!(tz.offset_label(t), "UTC+8");
        assert_eq!(tz.file_stamp(t), "20261129_0731");
    }

    #[test]
    fn typed_times_without_an_offset_are_local() {
        let tz = TimeZone::beijing();
        assert_eq!(tz.parse("2026-11-29").unwrap(), ts("2026-11-28T16:00:00Z"));
        assert_eq!(
            tz.parse("2026-11-29 07:31").unwrap(),
            ts("2026-11-28T23:31:00Z")
        );
        assert_eq!(
            tz.parse("2026-11-29T07:31:00").unwrap(),
            ts("2026-11-28T23:31:00Z")
        );
        // An explicit offset wins.
        assert_eq!(
            tz.parse("2026-11-29T07:31:00Z").unwrap(),
            ts("2026-11-29T07:31:00Z")
        );
        assert!(tz.parse("2026-13-01").is_err());
        assert!(tz.parse("tomorrow").is_err());
    }

    #[test]
    fn other_zones_and_bad_names() {
        let utc = TimeZone::named("UTC").unwrap();
        assert_eq!(utc.minute(ts("2026-11-28T23:31:00Z")), "2026-11-28 23:31");
        let urumqi = TimeZone::named("Asia/Urumqi").unwrap();
        assert_eq!(urumqi.offset_label(ts("2026-11-28T23:31:00Z")), "UTC+6");
        assert!(TimeZone::named("Mars/Olympus").is_err());
    }
}
