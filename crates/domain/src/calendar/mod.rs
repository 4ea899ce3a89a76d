//! The working-day calendar: the official holidays and the weekend days worked instead (调休), by
//! published year, and the date arithmetic of deadlines counted in working days.
//!
//! A year is known only when it is published: shipped in `assets/calendar/`, or stored in
//! `calendar_years` (a file the operator loaded, later head office). A date in any other year is an
//! error (`calendar.unpublished`), never a Monday-to-Friday guess: a promised date must come from
//! the notice. Each year keeps a cumulative count of its working days, so that a count between two
//! dates or the date n working days on is a lookup per year crossed, not a walk over the days.
//!
//! Everything here is pure except [`Calendar::load`], which reads `calendar_years` itself (one
//! query), so that the calendar does not depend on the store; `store::calendar` writes that table.

mod year;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

pub use year::{Holiday, YearTable};

use crate::error::{Error, Result, UserMessage};

/// The years shipped with this build.
const SHIPPED: &[&str] = &[include_str!("../../../../assets/calendar/2025.toml"), include_str!("../../../../assets/calendar/2026.toml")];

const DAY_SECONDS: i64 = 86_400;

/// Where a year's table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `assets/calendar/`, built in.
    Shipped,
    /// A file the operator loaded (`calendar.load`, `hall calendar load`).
    File,
    /// Published by head office through sync.
    HeadOffice,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Shipped => "shipped",
            Source::File => "file",
            Source::HeadOffice => "head_office",
        }
    }

    pub fn from_code(code: &str) -> Option<Source> {
        [Source::Shipped, Source::File, Source::HeadOffice].into_iter().find(|s| s.code() == code)
    }
}

/// The message for a date in a year with no published table: the clerk is told to update the
/// calendar.
pub fn unpublished_message(year: i32) -> UserMessage {
    UserMessage::new(
        "calendar.unpublished",
        format!("{year}年的节假日安排尚未发布，请更新工作日历"),
        format!("The {year} holiday calendar is not published yet: update the working-day calendar"),
    )
}

/// The published working-day tables, by year.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, (YearTable, Source)>,
}

impl Calendar {
    /// The years shipped in assets/calendar/ (2025, 2026), parsed once.
    pub fn shipped() -> &'static Calendar {
        static SHIPPED_CALENDAR: OnceLock<Calendar> = OnceLock::new();
        SHIPPED_CALENDAR.get_or_init(|| {
            let mut calendar = Calendar::default();
            for text in SHIPPED {
                calendar.insert(year::parse(text).expect("the shipped calendar years are valid"), Source::Shipped);
            }
            calendar
        })
    }

    /// Parses one published year (the assets' TOML format) and checks it.
    pub fn parse_year(text: &str) -> Result<YearTable> {
        year::parse(text)
    }

    /// The published years, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearTable> {
        self.years.values().map(|(table, _)| table)
    }

    /// Where the table of `year` came from, if it is published.
    pub fn source(&self, year: i32) -> Option<Source> {
        self.years.get(&year).map(|(_, source)| *source)
    }

    pub fn is_published(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Adds or replaces a year's table; returns the one it replaced.
    pub fn insert(&mut self, table: YearTable, source: Source) -> Option<YearTable> {
        self.years.insert(table.year(), (table, source)).map(|(old, _)| old)
    }

    fn table(&self, year: i32) -> Result<&YearTable> {
        self.years.get(&year).map(|(table, _)| table).ok_or_else(|| Error::invalid(unpublished_message(year)))
    }

    /// Whether `date` is a working day. A date in a year with no published table is
    /// `Error::Invalid` with code `calendar.unpublished` and a message naming the year.
    pub fn is_working(&self, date: NaiveDate) -> Result<bool> {
        Ok(self.table(date.year())?.is_working(date))
    }

    /// The date `n` working days after `date` (`date` itself not counted; n = 0 gives `date`).
    /// 2026-02-13 (Fri) + 1 = 2026-02-14 (a working Saturday); + 2 = 2026-02-24. Past the end of
    /// `date`'s year the count goes on in the next year, which must be published too.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        let mut table = self.table(date.year())?;
        if n == 0 {
            return Ok(date);
        }
        // The rank of the wanted day among the working days of `table`'s year, counted from 1 January.
        let mut rank = u64::from(table.working_through(date)) + u64::from(n);
        loop {
            let count = u64::from(table.working_day_count());
            if rank <= count {
                return Ok(table.nth_working(rank as u32));
            }
            rank -= count;
            table = self.table(table.year() + 1)?;
        }
    }

    /// Working days in (from, to]: add_working_days(d, n) = e implies working_days_between(d, e) = n.
    /// Negative when to < from.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        if to < from {
            return Ok(-self.working_days_between(to, from)?);
        }
        let (first, last) = (self.table(from.year())?, self.table(to.year())?);
        // Counts from 1 January of `from`'s year: those through `to`, less those through `from`.
        let mut total = i64::from(last.working_through(to)) - i64::from(first.working_through(from));
        for year in from.year()..to.year() {
            total += i64::from(self.table(year)?.working_day_count());
        }
        Ok(total)
    }

    /// Working time between two instants, in whole seconds: the part of [from, to) that falls on
    /// working days, days taken in China Standard Time (crate::clock's business date). A deadline
    /// clock counts this, minus the time suspended. Negative when to < from.
    pub fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64> {
        if to < from {
            return Ok(-self.working_seconds_between(to, from)?);
        }
        let local = |at: DateTime<Utc>| {
            let at = at.with_timezone(&crate::clock::outlet_zone());
            (at.date_naive(), i64::from(at.num_seconds_from_midnight()))
        };
        let ((first, from_secs), (last, to_secs)) = (local(from), local(to));
        let worked = |date| -> Result<i64> { Ok(i64::from(self.is_working(date)?)) };
        if first == last {
            return Ok(worked(first)? * (to_secs - from_secs));
        }
        // The rest of the first day, the whole days after it before the last, the last day's start
        // (none when `to` is midnight: that day, perhaps in an unpublished year, is not entered).
        let mut total = worked(first)? * (DAY_SECONDS - from_secs);
        let day_before_last = last.pred_opt().expect("last is after first");
        total += self.working_days_between(first, day_before_last)? * DAY_SECONDS;
        if to_secs > 0 {
            total += worked(last)? * to_secs;
        }
        Ok(total)
    }
}

/// The workflow counts its deadlines on this calendar.
impl crate::model::workflow::WorkingDays for Calendar {
    fn is_working(&self, date: NaiveDate) -> Result<bool> {
        Calendar::is_working(self, date)
    }
    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        Calendar::add_working_days(self, date, n)
    }
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Calendar::working_days_between(self, from, to)
    }
    fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64> {
        Calendar::working_seconds_between(self, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_shipped_years_count_their_days() {
        let cal = Calendar::shipped();
        let years: Vec<(i32, u32, usize, u32)> =
            cal.years().map(|t| (t.year(), t.holiday_days(), t.working_weekends().len(), t.working_day_count())).collect();
        // 2025 (from a Wednesday, 365 days: 52 × 5 + 1 = 261 weekdays): 1 + 8 + 3 + 5 + 3 + 8 = 28
        // days off, 18 of them weekdays (1/1, 1/28-31, 2/3-4, 4/4, 5/1-2, 5/5, 6/2, 10/1-3, 10/6-8);
        // 261 - 18 + 5 working weekends = 248.
        // 2026 (from a Thursday: again 261 weekdays):
        // 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33 days off, 19 of
        // them weekdays (1/1-2, 2/16-20, 2/23, 4/6, 5/1, 5/4-5, 6/19, 9/25, 10/1-2, 10/5-7);
        // 261 - 19 + 6 working weekends = 248.
        assert_eq!(years, [(2025, 28, 5, 248), (2026, 33, 6, 248)]);
    }

    #[test]
    fn the_api_examples_hold() {
        let cal = Calendar::shipped();
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1).unwrap(), d("2026-02-14"));
        assert_eq!(cal.add_working_days(d("2026-02-13"), 2).unwrap(), d("2026-02-24"));
        assert_eq!(cal.working_days_between(d("2026-02-13"), d("2026-02-24")).unwrap(), 2);
        assert_eq!(cal.working_days_between(d("2026-02-24"), d("2026-02-13")).unwrap(), -2);
        assert_eq!(cal.is_working(d("2027-01-04")).unwrap_err().code(), "calendar.unpublished");
    }
}
