//! The clock, injectable so that date rules (idle locks, deadlines, late fees) can be tested on any
//! date. Instants are UTC; business dates are in the outlet's zone, China Standard Time (UTC+8,
//! no daylight saving).

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests, demos and `--now`.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// A clock that runs at the machine's pace from a chosen start: for a test of a whole app that
/// must see a given date (the desktop suite) while time still passes for it.
pub struct ShiftedClock {
    offset: chrono::Duration,
}

impl ShiftedClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        ShiftedClock { offset: start - Utc::now() }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

/// The outlet's zone: China Standard Time.
pub fn outlet_zone() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The business date of an instant at the outlet.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&outlet_zone()).date_naive()
}

/// How instants are stored: RFC 3339 in UTC with milliseconds, which sorts as text.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_stamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// An instant as people at the outlet read it and receipts print it: `2026-11-22 09:30:15`.
fn outlet_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&outlet_zone()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A stored instant (RFC 3339, or the compact `20261122T013000Z` a receipt's code signs) in outlet
/// time; text that is neither is returned as it is.
pub fn outlet_local_text(text: &str) -> String {
    let compact = || chrono::NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ").ok().map(|t| t.and_utc());
    parse_stamp(text).or_else(compact).map(outlet_local).unwrap_or_else(|| text.to_owned())
}
