//! The late fee (电费违约金, 供电营业规则 Art. 98), from versioned rules.
//!
//! From the day after the due date to the payment date, each day adds the day's rate times the
//! overdue amount: 1‰ for residential customers; for others 2‰ while the arrears are of the current
//! year and 3‰ once they are of an earlier year. The days are added up, never compounded, and
//! rounded half-up to the fen once, at the end; a total under the minimum (1 元) is the minimum.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::money::Fen;

/// One version of the rules, in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct LateFeeRules {
    #[ts(type = "string")]
    pub effective_from: NaiveDate,
    #[ts(type = "string")]
    pub residential_per_mille: Decimal,
    #[ts(type = "string")]
    pub current_year_per_mille: Decimal,
    #[ts(type = "string")]
    pub cross_year_per_mille: Decimal,
    pub minimum_fen: i64,
    /// The day of the month after the billing period on which a bill falls due.
    pub due_day: u32,
}

#[derive(Debug, Deserialize)]
struct RulesFile {
    version: Vec<LateFeeRules>,
}

/// The versions of the rules, oldest first.
#[derive(Debug, Clone)]
pub struct LateFeeBook {
    versions: Vec<LateFeeRules>,
}

impl LateFeeBook {
    pub fn new(mut versions: Vec<LateFeeRules>) -> LateFeeBook {
        assert!(!versions.is_empty(), "at least one version of the late-fee rules");
        versions.sort_by_key(|v| v.effective_from);
        LateFeeBook { versions }
    }

    /// The rules shipped in `assets/tariffs/late-fee.toml`.
    pub fn defaults() -> &'static LateFeeBook {
        static BOOK: OnceLock<LateFeeBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            let file: RulesFile =
                toml::from_str(include_str!("../../../../assets/tariffs/late-fee.toml")).expect("the shipped late-fee rules are valid");
            LateFeeBook::new(file.version)
        })
    }

    /// The rules in force on `day` (the oldest version for days before all of them).
    pub fn in_force(&self, day: NaiveDate) -> &LateFeeRules {
        self.versions.iter().rfind(|v| v.effective_from <= day).unwrap_or(&self.versions[0])
    }

    /// The due date of a bill for the month `year`-`month`.
    pub fn due_date(&self, year: i32, month: u32) -> NaiveDate {
        let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        let first_of_next = NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month");
        let day = self.in_force(first_of_next).due_day.clamp(1, 28);
        NaiveDate::from_ymd_opt(y, m, day).expect("days 1-28 exist in every month")
    }
}

/// What a bill owes for lateness on one payment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LateFee {
    pub days: i64,
    pub fee: Fen,
}

/// Who owes, for the rate: residential customers pay a lower one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debtor {
    Residential,
    Other,
}

/// What lateness a bill has accrued by a payment date, before it is applied to an amount: the days
/// and the sum of their daily rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    pub days: i64,
    per_mille_days: Decimal,
    minimum: Fen,
}

impl Accrual {
    /// The fee on `overdue`: rates added up over the days, rounded half-up once, at least the minimum.
    pub fn on(&self, overdue: Fen) -> LateFee {
        if self.days == 0 || overdue.0 <= 0 {
            return LateFee { days: 0, fee: Fen::ZERO };
        }
        let fee = Fen::round_yuan(overdue.yuan() * self.per_mille_days / Decimal::ONE_THOUSAND);
        LateFee { days: self.days, fee: fee.max(self.minimum) }
    }
}

/// The accrual of a bill of `bill_year` due on `due`, paid on `paid_on`. Days up to
/// `waived_through` (a manager's waiver) are not counted.
pub fn accrual(
    book: &LateFeeBook,
    debtor: Debtor,
    bill_year: i32,
    due: NaiveDate,
    waived_through: Option<NaiveDate>,
    paid_on: NaiveDate,
) -> Accrual {
    let start = waived_through.map_or(due, |w| w.max(due));
    let minimum = Fen(book.in_force(paid_on).minimum_fen);
    let mut per_mille_days = Decimal::ZERO;
    let mut days = 0;
    let mut day = start;
    while day < paid_on {
        day = day.succ_opt().expect("dates in range");
        let rules = book.in_force(day);
        per_mille_days += match debtor {
            Debtor::Residential => rules.residential_per_mille,
            Debtor::Other if day.year() > bill_year => rules.cross_year_per_mille,
            Debtor::Other => rules.current_year_per_mille,
        };
        days += 1;
    }
    Accrual { days, per_mille_days, minimum }
}

/// The late fee on `overdue` for a bill of `bill_year` due on `due`, paid on `paid_on`. Days up to
/// `waived_through` (a manager's waiver) are not charged.
pub fn late_fee(
    book: &LateFeeBook,
    overdue: Fen,
    debtor: Debtor,
    bill_year: i32,
    due: NaiveDate,
    waived_through: Option<NaiveDate>,
    paid_on: NaiveDate,
) -> LateFee {
    accrual(book, debtor, bill_year, due, waived_through, paid_on).on(overdue)
}
