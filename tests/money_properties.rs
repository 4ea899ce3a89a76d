//! Property tests of money: allocations sum to the money applied; a reversal (冲正 or 冲红)
//! restores every balance exactly; receipt numbers stay gap-free under any mix of payments,
//! reversals, refunds and refused requests.

mod common;

use chrono::{Duration, NaiveDate};
use hall::api::*;
use hall::billing::allocation::{OpenBill, allocate};
use hall::billing::late_fee::{Debtor, LateFeeBook};
use hall::model::money::Fen;
use hall::model::payment::{PaymentKind, ReasonCode, Tender, TenderKind};
use hall::store::billing::ReadingInput;
use hall::store::payments::{Payment, PostPayment, Refund, Reversal};
use hall::store::receipts;
use proptest::prelude::*;

fn bill_strategy() -> impl Strategy<Value = OpenBill> {
    (1u32..=12, 2024i32..=2026, 1i64..200_000, prop::option::of(0i64..40)).prop_map(|(month, year, outstanding, waived)| {
        let due = NaiveDate::from_ymd_opt(year, month, 25).unwrap();
        OpenBill {
            bill_id: format!("{year}-{month:02}"),
            period: format!("{year}-{month:02}"),
            year,
            due,
            outstanding: Fen(outstanding),
            waived_through: waived.map(|d| due + Duration::days(d)),
        }
    })
}

proptest! {
    #[test]
    fn allocations_sum_to_the_money_applied(
        bills in prop::collection::vec(bill_strategy(), 0..6),
        funds in 0i64..500_000,
        residential in any::<bool>(),
        paid_days in 0i64..900,
    ) {
        let paid_on = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(paid_days);
        let debtor = if residential { Debtor::Residential } else { Debtor::Other };
        let mut unique = bills.clone();
        unique.sort_by(|a, b| a.bill_id.cmp(&b.bill_id));
        unique.dedup_by(|a, b| a.bill_id == b.bill_id);
        let plan = allocate(&unique, debtor, LateFeeBook::defaults(), paid_on, Fen(funds));
        let applied: i64 = plan.allocations.iter().map(|a| a.principal.0 + a.late_fee.0).sum();
        prop_assert_eq!(applied + plan.remainder.0, funds);
        prop_assert!(plan.remainder.0 >= 0);
        for a in &plan.allocations {
            let bill = unique.iter().find(|b| b.bill_id == a.bill_id).unwrap();
            prop_assert!(a.principal.0 > 0 && a.principal <= bill.outstanding);
            prop_assert_eq!(a.late_fee, bill.late_fee(LateFeeBook::defaults(), debtor, paid_on, a.principal).fee);
        }
        // Oldest first: only the last bill touched may be part-paid, and money is left over only
        // when every bill is paid in full or the next part would not cover its own late fee.
        for a in plan.allocations.iter().rev().skip(1) {
            let bill = unique.iter().find(|b| b.bill_id == a.bill_id).unwrap();
            prop_assert_eq!(a.principal, bill.outstanding);
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Pay { customer: usize, amount: i64, card: bool },
    Reverse { nth: usize },
    Refund { customer: usize, amount: i64 },
    Refused { customer: usize },
    NextDay,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..3, 1i64..40_000, any::<bool>()).prop_map(|(customer, amount, card)| Op::Pay { customer, amount, card }),
        2 => (0usize..20).prop_map(|nth| Op::Reverse { nth }),
        1 => (0usize..3, 1i64..5_000).prop_map(|(customer, amount)| Op::Refund { customer, amount }),
        1 => (0usize..3).prop_map(|customer| Op::Refused { customer }),
        1 => Just(Op::NextDay),
    ]
}

struct Counter {
    f: common::Fixture,
    clerk: String,
    customers: Vec<String>,
    payments: Vec<Payment>,
    /// Every receipt number handed out (payments, red letters, refunds), and the same-day voids.
    issued: Vec<String>,
    voided: usize,
}

fn manager() -> ManagerApproval {
    ManagerApproval { username: "manager".into(), password: "manager1234".into() }
}

impl Counter {
    fn new() -> Counter {
        let f = common::fixture();
        let clerk = f.login("clerk");
        let mut customers = Vec::new();
        for (n, account) in ["3300000101", "3300000102", "3300000103"].iter().enumerate() {
            let saved = f.app.call(Some(&clerk), Request::CreateCustomer(common::draft(account, "赵钱"))).unwrap();
            let id = saved["view"]["customer"]["id"].as_str().unwrap().to_owned();
            for (period, total) in
                [("2025-11", 400 + n as i64 * 300), ("2026-01", 900 + n as i64 * 500), ("2026-02", 1300 + n as i64 * 700)]
            {
                let input = ReadingInput {
                    customer_id: id.clone(),
                    meter_number: format!("M{account}"),
                    period: period.into(),
                    total,
                    ..Default::default()
                };
                f.app.call(Some(&clerk), Request::EnterReading(input)).unwrap();
            }
            customers.push(id);
        }
        f.app.call(Some(&clerk), Request::OpenDesk(OpenDeskArgs { float: Fen(100_000) })).unwrap();
        Counter { f, clerk, customers, payments: Vec::new(), issued: Vec::new(), voided: 0 }
    }

    fn pay(&mut self, customer: usize, amount: i64, card: bool) -> Option<Payment> {
        let kind = if card { TenderKind::Card } else { TenderKind::Cash };
        let request = PostPayment {
            customer_id: self.customers[customer].clone(),
            amount: Fen(amount),
            tenders: vec![Tender { kind, amount: Fen(amount), reference: None }],
            idempotency_key: uuid::Uuid::now_v7().to_string(),
            confirmed_large_cash: false,
        };
        let p: Payment = serde_json::from_value(self.f.app.call(Some(&self.clerk), Request::PostPayment(request)).ok()?).unwrap();
        self.payments.push(p.clone());
        self.issued.push(p.receipt_no.clone());
        Some(p)
    }

    fn reverse(&mut self, payment: &Payment) -> bool {
        let reversal = Reversal { receipt_no: payment.receipt_no.clone(), reason: ReasonCode::WrongAmount, note: String::new() };
        let Ok(done) = self.f.app.call(Some(&self.clerk), Request::ReversePayment(ReverseArgs { reversal, approval: manager() })) else {
            return false;
        };
        let done: Payment = serde_json::from_value(done).unwrap();
        match done.kind {
            PaymentKind::RedLetter => self.issued.push(done.receipt_no),
            _ => self.voided += 1,
        }
        true
    }

    /// Balances the desk, moves to the next day and opens a new desk.
    fn next_day(&mut self) {
        let state: DeskState =
            serde_json::from_value(self.f.app.call(Some(&self.clerk), Request::CurrentDesk(NoArgs {})).unwrap()).unwrap();
        let count = hall::store::desk::exact_count(state.expected.unwrap().cash);
        self.f.app.call(Some(&self.clerk), Request::CloseDesk(CloseDeskArgs { count, approval: None })).unwrap();
        self.f.clock.advance(Duration::days(1));
        self.clerk = self.f.login("clerk");
        self.f.app.call(Some(&self.clerk), Request::OpenDesk(OpenDeskArgs { float: Fen(100_000) })).unwrap();
    }

    /// Every bill's paid amount and every prepayment held (no row and a zero row are the same).
    fn balances(&self) -> Vec<(String, i64)> {
        let store = self.f.app.store();
        let mut stmt = store
            .conn()
            .prepare("SELECT 'bill ' || id, paid_fen FROM bills UNION ALL SELECT 'prepaid ' || customer_pk, prepaid_fen FROM balances WHERE prepaid_fen != 0 ORDER BY 1")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn run(&mut self, op: &Op) {
        match *op {
            Op::Pay { customer, amount, card } => {
                self.pay(customer, amount, card);
            }
            Op::Reverse { nth } => {
                if !self.payments.is_empty() {
                    let p = self.payments[nth % self.payments.len()].clone();
                    self.reverse(&p);
                }
            }
            Op::Refund { customer, amount } => {
                let refund = Refund {
                    customer_id: self.customers[customer].clone(),
                    amount: Fen(amount),
                    tender: TenderKind::Cash,
                    reference: None,
                    reason: ReasonCode::CustomerRequest,
                    note: String::new(),
                };
                if let Ok(done) = self.f.app.call(Some(&self.clerk), Request::RefundPrepayment(RefundArgs { refund, approval: manager() }))
                {
                    self.issued.push(serde_json::from_value::<Payment>(done).unwrap().receipt_no);
                }
            }
            Op::Refused { customer } => {
                let request = PostPayment {
                    customer_id: self.customers[customer].clone(),
                    amount: Fen(0),
                    tenders: vec![Tender { kind: TenderKind::Card, amount: Fen(100), reference: None }],
                    idempotency_key: uuid::Uuid::now_v7().to_string(),
                    confirmed_large_cash: false,
                };
                assert!(self.f.app.call(Some(&self.clerk), Request::PostPayment(request)).is_err());
            }
            Op::NextDay => self.next_day(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_reversal_restores_every_balance_exactly(
        ops in prop::collection::vec(op_strategy(), 0..10),
        customer in 0usize..3,
        amount in 1i64..60_000,
        card in any::<bool>(),
        after_close in any::<bool>(),
    ) {
        let mut counter = Counter::new();
        for op in &ops {
            counter.run(op);
        }
        let before = counter.balances();
        let payment = counter.pay(customer, amount, card).expect("a valid payment posts");
        if after_close {
            counter.next_day(); // now it can only be corrected by a red letter
        }
        prop_assert!(counter.reverse(&payment), "the reversal is allowed");
        prop_assert_eq!(counter.balances(), before);
    }

    #[test]
    fn receipt_numbers_stay_gap_free(ops in prop::collection::vec(op_strategy(), 1..25)) {
        let mut counter = Counter::new();
        for op in &ops {
            counter.run(op);
        }
        let store = counter.f.app.store();
        prop_assert_eq!(receipts::gaps(store.conn()).unwrap(), vec![]);
        // Every number handed out is on record once, and the voided ones are the same-day reversals.
        let mut on_record: Vec<String> =
            store.conn().prepare("SELECT receipt_no FROM payments").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        let mut issued = counter.issued.clone();
        on_record.sort();
        issued.sort();
        prop_assert_eq!(on_record, issued);
        let reversed: i64 = store.conn().query_row("SELECT count(*) FROM payments WHERE status = 'reversed'", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(reversed as usize, counter.voided);
    }
}
