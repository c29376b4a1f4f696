//! Certificate times: the DER choice between UTCTime and GeneralizedTime, and validity
//! periods counted in calendar years.

use ::time::{Date, Month, OffsetDateTime};
use der::asn1::{GeneralizedTime, UtcTime};
use std::time::Duration;
use x509_cert::time::Time;

use crate::DerError;

/// Encodes an instant as RFC 5280 requires: UTCTime through 2049, GeneralizedTime from
/// 2050 on. Sub-second parts are dropped.
pub fn to_x509_time(t: OffsetDateTime) -> Result<Time, DerError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| der::Error::from(der::ErrorKind::DateTime))?;
    let d = Duration::from_secs(secs);
    Ok(if t.year() < 2050 {
        Time::UtcTime(UtcTime::from_unix_duration(d)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_unix_duration(d)?)
    })
}

/// Reads an X.509 time back as an `OffsetDateTime`.
pub fn from_x509_time(t: &Time) -> OffsetDateTime {
    let secs = t.to_unix_duration().as_secs();
    // x509 times are between 1950 and 9999, well inside i64 and OffsetDateTime's range.
    OffsetDateTime::from_unix_timestamp(secs as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The same calendar instant `years` later; 29 February becomes 1 March in a year
/// without it.
pub fn add_years(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let date = t.date();
    let year = date.year() + years;
    let new_date = Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(date);
    t.replace_date(new_date)
}

/// A validity period `[not_before, not_after]` of `years` calendar years minus one
/// second, starting at `now` truncated to the second. RFC 5280 validity is inclusive of
/// both ends, so this is exactly `years` years long.
pub fn years_minus_one_second(now: OffsetDateTime, years: i32) -> (OffsetDateTime, OffsetDateTime) {
    let not_before = now.replace_nanosecond(0).unwrap_or(now);
    let not_after = add_years(not_before, years) - ::time::Duration::seconds(1);
    (not_before, not_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;

    #[test]
    fn three_years_minus_one_second() {
        let (nb, na) = years_minus_one_second(datetime!(2026-11-26 10:00:00.7 UTC), 3);
        assert_eq!(nb, datetime!(2026-11-26 10:00:00 UTC));
        assert_eq!(na, datetime!(2029-11-26 09:59:59 UTC));
        let (_, na) = years_minus_one_second(datetime!(2028-02-29 00:00:00 UTC), 3);
        assert_eq!(na, datetime!(2031-02-28 23:59:59 UTC));
    }

    #[test]
    fn time_choice_switches_in_2050() {
        assert!(matches!(
            to_x509_time(datetime!(2049-12-31 23:59:59 UTC)),
            Ok(Time::UtcTime(_))
        ));
        assert!(matches!(
            to_x509_time(datetime!(2050-01-01 00:00:00 UTC)),
            Ok(Time::GeneralTime(_))
        ));
    }
}
