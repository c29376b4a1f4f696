//! The one clock of a running orgca. It is the system clock, or, for tests that must see
//! codes and orders expire, the system clock shifted to start at a given instant (like
//! Boulder's `FAKECLOCK`): time still moves, from a different starting point.

use orgca_model::UnixTime;
use time::OffsetDateTime;

/// The environment variable holding a fake start time (RFC 3339).
pub const FAKE_CLOCK_VAR: &str = "ORGCA_FAKE_CLOCK";

/// A clock: the system clock plus a fixed shift.
#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    shift_seconds: i64,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: OffsetDateTime) -> Clock {
        Clock {
            shift_seconds: (start - OffsetDateTime::now_utc()).whole_seconds(),
        }
    }

    /// The system clock, or a fake one when [`FAKE_CLOCK_VAR`] is set; an unreadable
    /// value is an error that names the variable.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(FAKE_CLOCK_VAR) {
            Err(_) => Ok(Clock::system()),
            Ok(v) => OffsetDateTime::parse(&v, &time::format_description::well_known::Rfc3339)
                .map(Clock::starting_at)
                .map_err(|e| format!("{FAKE_CLOCK_VAR}={v:?} is not an RFC 3339 time: {e}")),
        }
    }

    /// Whether this clock is shifted (worth a warning in the log).
    pub fn is_fake(&self) -> bool {
        self.shift_seconds != 0
    }

    /// Now, in whole seconds.
    pub fn now(&self) -> UnixTime {
        UnixTime::from(OffsetDateTime::now_utc()).plus_secs(self.shift_seconds)
    }
}
