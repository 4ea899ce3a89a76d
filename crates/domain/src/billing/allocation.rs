//! How money meets bills: oldest bill first, each bill's late fee with it; a part-paid bill takes
//! as much principal as the money covers together with that part's own late fee; what is left
//! becomes prepayment (预存).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::late_fee::{Accrual, Debtor, LateFee, LateFeeBook, accrual};
use crate::model::money::Fen;

/// A bill with money still owed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBill {
    pub bill_id: String,
    /// `YYYY-MM`; bills are settled in this order.
    pub period: String,
    pub year: i32,
    pub due: NaiveDate,
    pub outstanding: Fen,
    pub waived_through: Option<NaiveDate>,
}

impl OpenBill {
    pub fn late_fee(&self, book: &LateFeeBook, debtor: Debtor, on: NaiveDate, principal: Fen) -> LateFee {
        self.accrual(book, debtor, on).on(principal)
    }

    pub fn accrual(&self, book: &LateFeeBook, debtor: Debtor, on: NaiveDate) -> Accrual {
        accrual(book, debtor, self.year, self.due, self.waived_through, on)
    }
}

/// Money applied to one bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Allocation {
    pub bill_id: String,
    pub principal: Fen,
    pub late_fee: Fen,
    pub late_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Plan {
    pub allocations: Vec<Allocation>,
    /// What is left for prepayment.
    pub remainder: Fen,
}

impl Plan {
    pub fn principal(&self) -> Fen {
        self.allocations.iter().map(|a| a.principal).sum()
    }

    pub fn late_fees(&self) -> Fen {
        self.allocations.iter().map(|a| a.late_fee).sum()
    }
}

/// Applies `funds` to `bills` (any order; settled oldest first) on `paid_on`.
pub fn allocate(bills: &[OpenBill], debtor: Debtor, book: &LateFeeBook, paid_on: NaiveDate, funds: Fen) -> Plan {
    let mut ordered: Vec<&OpenBill> = bills.iter().filter(|b| b.outstanding.is_positive()).collect();
    ordered.sort_by(|a, b| (&a.period, a.due, &a.bill_id).cmp(&(&b.period, b.due, &b.bill_id)));
    let mut left = funds;
    let mut allocations = Vec::new();
    for bill in ordered {
        let accrued = bill.accrual(book, debtor, paid_on);
        let full = accrued.on(bill.outstanding);
        if left >= bill.outstanding + full.fee {
            allocations.push(Allocation {
                bill_id: bill.bill_id.clone(),
                principal: bill.outstanding,
                late_fee: full.fee,
                late_days: full.days,
            });
            left -= bill.outstanding + full.fee;
            continue;
        }
        // The largest principal whose own late fee still fits: the fee grows with the principal,
        // so a binary search over [0, outstanding) finds it.
        let fits = |p: i64| p + accrued.on(Fen(p)).fee.0 <= left.0;
        let (mut lo, mut hi) = (0i64, bill.outstanding.0 - 1);
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2;
            if fits(mid) { lo = mid } else { hi = mid - 1 }
        }
        if lo > 0 {
            let fee = accrued.on(Fen(lo));
            allocations.push(Allocation { bill_id: bill.bill_id.clone(), principal: Fen(lo), late_fee: fee.fee, late_days: fee.days });
            left -= Fen(lo) + fee.fee;
        }
        break;
    }
    Plan { allocations, remainder: left }
}
