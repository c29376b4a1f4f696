//! A moment in whole seconds since the Unix epoch (UTC): the one time type that the store,
//! the RA and the views pass around. The store keeps it as an integer column; only the
//! code that writes DER (the CA, the PKI encoders, the signing service) turns it into a
//! calendar time with [`UnixTime::to_offset`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Whole seconds since 1970-01-01T00:00:00Z. Ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixTime(i64);

/// Seconds in a day, for periods counted in days (order validity, notice points).
const DAY: i64 = 86_400;

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: UnixTime = UnixTime(0);

    /// The moment `secs` seconds after the epoch (before it when negative).
    pub const fn from_secs(secs: i64) -> UnixTime {
        UnixTime(secs)
    }

    /// Seconds since the epoch, as the store's columns hold them.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// `secs` seconds later (earlier when negative); saturates instead of wrapping.
    pub const fn plus_secs(self, secs: i64) -> UnixTime {
        UnixTime(self.0.saturating_add(secs))
    }

    /// `secs` seconds earlier; saturates instead of wrapping.
    pub const fn minus_secs(self, secs: i64) -> UnixTime {
        UnixTime(self.0.saturating_sub(secs))
    }

    /// `days` whole days of 86,400 seconds later.
    pub const fn plus_days(self, days: i64) -> UnixTime {
        self.plus_secs(days.saturating_mul(DAY))
    }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    pub const fn secs_until(self, later: UnixTime) -> i64 {
        later.0.saturating_sub(self.0)
    }

    /// The calendar time, for encoders that need one. A value outside the calendar's
    /// range (never produced by orgca's clock) gives the nearest end of the range.
    pub fn to_offset(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(if self.0 < 0 {
            OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT)
        } else {
            OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT)
        })
    }

    /// RFC 3339 in UTC (`2026-12-07T10:00:00Z`), as the API, the CLI and exports show
    /// times; a value outside the calendar is shown as its number of seconds.
    pub fn rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| self.0.to_string())
    }
}

impl From<OffsetDateTime> for UnixTime {
    /// Drops the sub-second part (certificates and the store keep whole seconds).
    fn from(t: OffsetDateTime) -> UnixTime {
        UnixTime(t.unix_timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_calendar_and_prints_rfc3339() {
        let t = UnixTime::from_secs(1_796_000_000);
        assert_eq!(UnixTime::from(t.to_offset()), t);
        assert_eq!(t.rfc3339(), "2026-11-30T00:53:20Z");
    }

    #[test]
    fn arithmetic_saturates_and_days_are_86400_seconds() {
        let t = UnixTime::from_secs(100);
        assert_eq!(t.plus_days(2).secs(), 100 + 2 * 86_400);
        assert_eq!(t.minus_secs(150).secs(), -50);
        assert_eq!(t.secs_until(UnixTime::from_secs(40)), -60);
        assert_eq!(UnixTime::from_secs(i64::MAX).plus_secs(1).secs(), i64::MAX);
        assert!(UnixTime::from_secs(i64::MAX).to_offset().year() > 9000);
        assert_eq!(
            UnixTime::from_secs(i64::MAX).rfc3339(),
            i64::MAX.to_string()
        );
    }
}
