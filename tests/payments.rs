//! The counter's money, end to end through the command set on a real SQLite file: bills from
//! readings, the desk, payments with tenders and change, idempotency, late fees and waivers,
//! reversal (冲正) and red letter (冲红), refunds, receipts and their codes, the day-end.

mod common;

use chrono::Duration;
use hall::api::*;
use hall::model::money::Fen;
use hall::model::payment::{PaymentKind, PaymentStatus, ReasonCode, Tender, TenderKind};
use hall::print::receipt::Layout;
use hall::store::billing::{Bill, ReadingInput};
use hall::store::desk::DenominationCount;
use hall::store::payments::{Payment, PostPayment, Quote, Refund, Reversal};
use hall::store::receipts;
use serde_json::Value;

use common::Fixture;

fn call<T: serde::de::DeserializeOwned>(f: &Fixture, token: &str, request: Request) -> hall::Result<T> {
    f.app.call(Some(token), request).map(|v| serde_json::from_value(v).unwrap())
}

fn ok<T: serde::de::DeserializeOwned>(f: &Fixture, token: &str, request: Request) -> T {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn customer(f: &Fixture, token: &str, account: &str) -> String {
    let saved: Value = ok(f, token, Request::CreateCustomer(common::draft(account, "王小明")));
    saved["view"]["customer"]["id"].as_str().unwrap().to_owned()
}

fn reading(f: &Fixture, token: &str, customer_id: &str, account: &str, period: &str, total: i64) -> Bill {
    let input = ReadingInput {
        customer_id: customer_id.into(),
        meter_number: format!("M{account}"),
        period: period.into(),
        total,
        ..Default::default()
    };
    ok(f, token, Request::EnterReading(input))
}

fn cash(fen: i64) -> Vec<Tender> {
    vec![Tender { kind: TenderKind::Cash, amount: Fen(fen), reference: None }]
}

fn pay(f: &Fixture, token: &str, customer_id: &str, amount: i64, tenders: Vec<Tender>, key: &str) -> hall::Result<Payment> {
    call(
        f,
        token,
        Request::PostPayment(PostPayment {
            customer_id: customer_id.into(),
            amount: Fen(amount),
            tenders,
            idempotency_key: key.into(),
            confirmed_large_cash: false,
        }),
    )
}

fn manager() -> ManagerApproval {
    ManagerApproval { username: "manager".into(), password: "manager1234".into() }
}

fn open_desk(f: &Fixture, token: &str, float: i64) {
    let _: DeskState = ok(f, token, Request::OpenDesk(OpenDeskArgs { float: Fen(float) }));
}

/// Row counts of everything a payment writes.
fn money_footprint(f: &Fixture) -> Vec<i64> {
    let store = f.app.store();
    ["payments", "payment_tenders", "allocations", "outbox", "audit_log", "balances"]
        .iter()
        .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
        .collect()
}

fn quote(f: &Fixture, token: &str, customer_id: &str) -> Quote {
    ok(f, token, Request::QuotePayment(QuoteArgs { customer_id: customer_id.into() }))
}

#[test]
fn a_reading_makes_a_bill_and_a_lower_reading_is_refused() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000001");
    // First reading 0 → 300 kWh in January: 300 × 0.538 = 161.40.
    let january = reading(&f, &clerk, &id, "3300000001", "2026-01", 300);
    assert_eq!((january.kwh, january.amount, january.due_date.to_string()), (300, Fen(16140), "2026-02-25".into()));
    // February 300 → 2900: year to date 300, 2600 kWh: 2460 in tier 1, 140 in tier 2:
    // 2460 × 0.538 = 1323.48; 140 × 0.588 = 82.32; total 1405.80.
    let february = reading(&f, &clerk, &id, "3300000001", "2026-02", 2900);
    assert_eq!(february.amount, Fen(140580));
    let before = f.footprint();
    let err = call::<Bill>(
        &f,
        &clerk,
        Request::EnterReading(ReadingInput {
            customer_id: id.clone(),
            meter_number: "M3300000001".into(),
            period: "2026-03".into(),
            total: 2800,
            ..Default::default()
        }),
    )
    .unwrap_err();
    assert_eq!((err.code().as_str(), err.messages()[0].field.as_deref()), ("reading.lower", Some("total")));
    let err = call::<Bill>(
        &f,
        &clerk,
        Request::EnterReading(ReadingInput {
            customer_id: id.clone(),
            meter_number: "M3300000001".into(),
            period: "2026-13".into(),
            total: 3000,
            ..Default::default()
        }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "bill.period");
    assert_eq!(f.footprint(), before, "a refused reading leaves nothing");
    let bills: BillList = ok(&f, &clerk, Request::ListBills(BillsArgs { customer_id: id }));
    assert_eq!(bills.bills.len(), 2);
}

#[test]
fn the_new_year_resets_annual_tiers() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000002");
    reading(&f, &clerk, &id, "3300000002", "2025-12", 3000); // 2025 year to date: 3000
    // January 2026 starts again at tier 1: 200 × 0.538 = 107.60.
    assert_eq!(reading(&f, &clerk, &id, "3300000002", "2026-01", 3200).amount, Fen(10760));
}

#[test]
fn paying_with_cash_gives_change_settles_oldest_first_and_keeps_the_surplus() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000003");
    reading(&f, &clerk, &id, "3300000003", "2026-01", 300); // 161.40, due 2-25
    reading(&f, &clerk, &id, "3300000003", "2026-02", 500); // 200 × 0.538 = 107.60, due 3-25
    assert_eq!(pay(&f, &clerk, &id, 10000, cash(10000), "k0").unwrap_err().code(), "desk.not_open");
    open_desk(&f, &clerk, 20000);
    // Today is 3-02: January is 5 days late, 161.40 × 1‰ × 5 = 0.807 → the 1 元 minimum.
    let q = quote(&f, &clerk, &id);
    assert_eq!((q.bills[0].late_days, q.bills[0].late_fee, q.total_due), (5, Fen(100), Fen(16140 + 100 + 10760)));
    // 300.00 paid in, 500.00 handed over: change 200.00; 300 − 270.00 = 30.00 to prepayment.
    let p = pay(&f, &clerk, &id, 30000, cash(50000), "k1").unwrap();
    assert_eq!((p.change, p.bills_total, p.late_fees, p.prepaid_after), (Fen(20000), Fen(26900), Fen(100), Fen(3000)));
    assert_eq!(p.customer_name, "王*明", "payments leave the core with the name masked");
    assert!(p.receipt_no.starts_with("330106-01-1-"), "{}", p.receipt_no);
    // What `post` returns (assembled in the transaction) is what the store holds.
    let stored: Payment = ok(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: p.receipt_no.clone() }));
    assert_eq!(stored, p);
    // A double press with the same key returns the same payment and charges nothing more.
    let footprint = money_footprint(&f);
    let again = pay(&f, &clerk, &id, 30000, cash(50000), "k1").unwrap();
    assert!(again.replayed);
    assert_eq!(again.receipt_no, p.receipt_no);
    assert_eq!(money_footprint(&f), footprint);
    // The same key for another amount is refused.
    assert_eq!(pay(&f, &clerk, &id, 100, cash(100), "k1").unwrap_err().code(), "payment.key_reused");
    // The next bill is paid from the prepayment at once: 200 kWh = 107.60, 30.00 of it prepaid.
    let march = reading(&f, &clerk, &id, "3300000003", "2026-03", 700);
    assert_eq!((march.amount, march.paid), (Fen(10760), Fen(3000)));
    let q = quote(&f, &clerk, &id);
    assert_eq!((q.prepaid, q.total_due), (Fen(0), Fen(7760)));
}

#[test]
fn bad_payments_are_refused_and_leave_nothing() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000004");
    reading(&f, &clerk, &id, "3300000004", "2026-02", 100); // 53.80
    open_desk(&f, &clerk, 0);
    let before = money_footprint(&f);
    let card = |fen: i64| vec![Tender { kind: TenderKind::Card, amount: Fen(fen), reference: None }];
    let cheque = vec![Tender { kind: TenderKind::Cheque, amount: Fen(5380), reference: Some("12-34".into()) }];
    for (amount, tenders, code) in [
        (0, cash(100), "payment.amount"),
        (-500, cash(100), "payment.amount"),
        (5380, card(10000), "payment.no_change"),
        (5380, cheque, "tender.reference"),
        (5380, cash(5000), "payment.short"),
        (5380, vec![], "payment.no_tender"),
    ] {
        assert_eq!(pay(&f, &clerk, &id, amount, tenders, &format!("bad-{code}")).unwrap_err().code(), code);
    }
    assert_eq!(pay(&f, &clerk, "no-such-customer", 100, cash(100), "bad-customer").unwrap_err().code(), "customer.not_found");
    assert_eq!(money_footprint(&f), before);
}

#[test]
fn impossible_cash_is_refused_and_unlikely_cash_must_be_confirmed() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000015");
    open_desk(&f, &clerk, 500000); // a float of 5,000.00
    let before = money_footprint(&f);
    // 99,999,999.99 on a 122.59 payment: past the largest amount a counter takes.
    let err = pay(&f, &clerk, &id, 12259, cash(9_999_999_999), "absurd").unwrap_err();
    assert_eq!((err.code().as_str(), err.messages()[0].field.as_deref()), ("payment.too_large", Some("tenders.0")));
    // 10,000,000.00 tendered: change of 9,999,877.41 from a drawer holding 5,000.00.
    let err = pay(&f, &clerk, &id, 12259, cash(1_000_000_000), "impossible").unwrap_err();
    assert_eq!(err.code(), "payment.change_exceeds_drawer");
    assert!(err.messages()[0].zh.contains("9999877.41") && err.messages()[0].zh.contains("5000.00"), "{}", err.messages()[0].zh);
    // 2,000.00 tendered: change of 1,877.41 is possible but above the 1,000.00 to confirm.
    let err = pay(&f, &clerk, &id, 12259, cash(200000), "unlikely").unwrap_err();
    assert_eq!(err.code(), "payment.confirm_large_cash");
    assert_eq!(money_footprint(&f), before, "refused payments leave nothing");
    let confirmed = PostPayment {
        customer_id: id.clone(),
        amount: Fen(12259),
        tenders: cash(200000),
        idempotency_key: "unlikely".into(),
        confirmed_large_cash: true,
    };
    let p: Payment = ok(&f, &clerk, Request::PostPayment(confirmed));
    assert_eq!(p.change, Fen(187741));
    // Change of exactly 1,000.00 needs no confirmation.
    assert_eq!(pay(&f, &clerk, &id, 12259, cash(112259), "limit").unwrap().change, Fen(100000));
    // The drawer now holds 5,000.00 + 122.59 × 2 = 5,245.18; change of 5,245.19 is one fen too much.
    let err = pay(&f, &clerk, &id, 100, cash(100 + 524519), "one-fen-over").unwrap_err();
    assert_eq!(err.code(), "payment.change_exceeds_drawer");
}

#[test]
fn mixed_tenders_and_the_desk_count() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000005");
    reading(&f, &clerk, &id, "3300000005", "2026-02", 1000); // 1000 × 0.538 = 538.00
    open_desk(&f, &clerk, 50000);
    let tenders = vec![
        Tender { kind: TenderKind::MobileQr, amount: Fen(30000), reference: Some("4200001234202603021234567890".into()) },
        Tender { kind: TenderKind::Card, amount: Fen(20000), reference: None },
        Tender { kind: TenderKind::Cash, amount: Fen(5000), reference: None },
    ];
    let p = pay(&f, &clerk, &id, 53800, tenders, "mixed").unwrap();
    assert_eq!((p.tendered, p.change, p.tenders.len()), (Fen(55000), Fen(1200), 3));
    let state: DeskState = ok(&f, &clerk, Request::CurrentDesk(NoArgs {}));
    let expected = state.expected.unwrap();
    // Float 500.00 + cash 50.00 − change 12.00 = 538.00 in the drawer.
    assert_eq!(expected.cash, Fen(53800));
    let by = |k: TenderKind| expected.takings.iter().find(|t| t.kind == k).unwrap().amount;
    assert_eq!((by(TenderKind::MobileQr), by(TenderKind::Card), by(TenderKind::Cash)), (Fen(30000), Fen(20000), Fen(3800)));
    // Counted 537.00: short 1.00, which a manager must confirm.
    let count = vec![
        DenominationCount { denomination: 10000, count: 5 },
        DenominationCount { denomination: 1000, count: 3 },
        DenominationCount { denomination: 100, count: 7 },
    ];
    let err = call::<Value>(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count: count.clone(), approval: None })).unwrap_err();
    assert_eq!(err.code(), "desk.over_short_approval");
    let closed: hall::store::desk::DeskSession = ok(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count, approval: Some(manager()) }));
    assert_eq!((closed.over_short, closed.status.as_str()), (Some(Fen(-100)), "closed"));
    let report: hall::store::dayend::DayReport = ok(&f, &clerk, Request::DayEndReport(DayArgs { date: None }));
    assert_eq!(
        (report.total, report.payments, report.cash_counted, report.floats, report.deposit),
        (Fen(53800), 1, Fen(53700), Fen(50000), Fen(3700))
    );
    // Day-end papers render with the figures on them.
    let slip: PdfFile = ok(&f, &clerk, Request::DayEndPdf(DayPdfArgs { date: None, paper: DayPaper::DepositSlip, path: None }));
    assert!(slip.bytes > 1000 && slip.bytes < 100_000, "{}", slip.bytes);
    let manager_token = f.login("manager");
    let err = call::<Value>(&f, &clerk, Request::CloseDay(DayArgs { date: None })).unwrap_err();
    assert_eq!(err.code(), "role.denied");
    let closed_day: hall::store::dayend::DayReport = ok(&f, &manager_token, Request::CloseDay(DayArgs { date: None }));
    assert!(closed_day.closed_at.is_some());
}

#[test]
fn reversal_the_same_day_voids_and_a_red_letter_later_posts_the_opposite() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000006");
    reading(&f, &clerk, &id, "3300000006", "2026-02", 200); // 107.60
    open_desk(&f, &clerk, 0);
    let before = quote(&f, &clerk, &id);
    let p = pay(&f, &clerk, &id, 20000, cash(20000), "r1").unwrap(); // 92.40 to prepayment
    assert_eq!(p.prepaid_after, Fen(9240));
    let wrong = ManagerApproval { username: "manager".into(), password: "nope".into() };
    let reversal = Reversal { receipt_no: p.receipt_no.clone(), reason: ReasonCode::WrongAmount, note: String::new() };
    let err =
        call::<Payment>(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal: reversal.clone(), approval: wrong })).unwrap_err();
    assert_eq!(err.code(), "approval.denied");
    let reversed: Payment = ok(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal: reversal.clone(), approval: manager() }));
    assert_eq!(reversed.status, PaymentStatus::Reversed);
    assert_eq!(quote(&f, &clerk, &id), before, "a reversal restores every balance");
    let voided: Payment = ok(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: p.receipt_no.clone() }));
    assert_eq!(voided.status, PaymentStatus::Reversed, "the voided number stays on its payment");
    // Twice is refused.
    let err = call::<Payment>(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval: manager() })).unwrap_err();
    assert_eq!(err.code(), "reversal.not_posted");

    // Pay again, balance the desk, and next day correct it: a red letter with its own number.
    let p2 = pay(&f, &clerk, &id, 10760, cash(10760), "r2").unwrap();
    let count = vec![
        DenominationCount { denomination: 10000, count: 1 },
        DenominationCount { denomination: 500, count: 1 },
        DenominationCount { denomination: 100, count: 2 },
        DenominationCount { denomination: 50, count: 1 },
        DenominationCount { denomination: 10, count: 1 },
    ];
    let _: Value = ok(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count, approval: None }));
    f.clock.advance(Duration::days(1));
    let clerk = f.login("clerk");
    open_desk(&f, &clerk, 20000);
    let red: Payment = ok(
        &f,
        &clerk,
        Request::ReversePayment(ReverseArgs {
            reversal: Reversal { receipt_no: p2.receipt_no.clone(), reason: ReasonCode::WrongAccount, note: String::new() },
            approval: manager(),
        }),
    );
    assert_eq!((red.kind, red.amount, red.corrects.as_deref()), (PaymentKind::RedLetter, Fen(-10760), Some(p2.receipt_no.as_str())));
    assert_ne!(red.receipt_no, p2.receipt_no);
    let original: Payment = ok(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: p2.receipt_no.clone() }));
    assert_eq!(original.status, PaymentStatus::Corrected);
    let after = quote(&f, &clerk, &id);
    assert_eq!((after.prepaid, after.bills[0].bill.outstanding), (Fen(0), Fen(10760)));
    assert!(receipts::gaps(f.app.store().conn()).unwrap().is_empty());
}

#[test]
fn prepayment_refund_needs_a_manager_and_cannot_exceed_the_balance() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000007");
    open_desk(&f, &clerk, 10000);
    let p = pay(&f, &clerk, &id, 5000, cash(5000), "pre").unwrap();
    assert_eq!((p.bills_total, p.prepaid_after), (Fen(0), Fen(5000)), "prepayment alone is allowed");
    let refund = |amount: i64| Refund {
        customer_id: id.clone(),
        amount: Fen(amount),
        tender: TenderKind::Cash,
        reference: None,
        reason: ReasonCode::CustomerRequest,
        note: String::new(),
    };
    let err = call::<Payment>(&f, &clerk, Request::RefundPrepayment(RefundArgs { refund: refund(6000), approval: manager() })).unwrap_err();
    assert_eq!(err.code(), "refund.exceeds");
    let r: Payment = ok(&f, &clerk, Request::RefundPrepayment(RefundArgs { refund: refund(2000), approval: manager() }));
    assert_eq!((r.kind, r.amount, r.prepaid_after), (PaymentKind::Refund, Fen(-2000), Fen(3000)));
}

#[test]
fn a_manager_may_waive_a_late_fee_with_a_reason() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000008");
    let bill = reading(&f, &clerk, &id, "3300000008", "2026-01", 300); // due 2-25, 5 days late today
    assert_eq!(quote(&f, &clerk, &id).bills[0].late_fee, Fen(100));
    let args = |reason: &str| WaiveArgs { bill_id: bill.id.clone(), reason: reason.into(), approval: manager() };
    assert_eq!(call::<Done>(&f, &clerk, Request::WaiveLateFee(args(" "))).unwrap_err().code(), "waiver.reason");
    let _: Done = ok(&f, &clerk, Request::WaiveLateFee(args("台风停电期间无法缴费")));
    assert_eq!(quote(&f, &clerk, &id).bills[0].late_fee, Fen(0));
    // It waives what accrued until today; tomorrow a new day counts again (1 day → the minimum).
    f.clock.advance(Duration::days(1));
    let clerk = f.login("clerk");
    assert_eq!(quote(&f, &clerk, &id).bills[0].late_fee, Fen(100));
}

#[test]
fn receipts_render_small_carry_a_verifiable_code_and_mark_reprints() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000009");
    reading(&f, &clerk, &id, "3300000009", "2026-02", 321);
    open_desk(&f, &clerk, 10000); // change comes out of the float

    let p = pay(&f, &clerk, &id, 17270, cash(20000), "rcpt").unwrap();
    for layout in [Layout::A5, Layout::Roll80] {
        let preview: ReceiptPreview = ok(&f, &clerk, Request::RenderReceipt(RenderArgs { receipt_no: p.receipt_no.clone(), layout }));
        assert!(preview.pdf.bytes < 50 * 1024, "{layout:?} receipt is {} bytes", preview.pdf.bytes);
        assert!(!preview.doc.duplicate);
        let verified: Verified = ok(&f, &clerk, Request::VerifyReceipt(VerifyArgs { code: preview.doc.code.clone() }));
        assert_eq!((verified.kind, verified.application.is_none()), (VerifiedKind::Receipt, true));
        let fields = verified.fields.clone().unwrap();
        assert_eq!(
            (fields.receipt_no.as_str(), fields.amount, verified.status),
            (p.receipt_no.as_str(), Fen(17270), Some(PaymentStatus::Posted))
        );
        // Signed in UTC (01:30Z), shown as the receipt prints it: 09:30 in Hangzhou.
        assert_eq!((fields.posted_at.as_str(), verified.posted_local.as_str()), ("20260302T013000Z", "2026-03-02 09:30:00"));
        assert_eq!((preview.doc.posted_at.as_str(), preview.doc.business_date.as_deref()), ("2026-03-02 09:30:00", None));
        let forged = preview.doc.code.replace("|17270|", "|97270|");
        assert_eq!(
            call::<Verified>(&f, &clerk, Request::VerifyReceipt(VerifyArgs { code: forged })).unwrap_err().code(),
            "receipt_code.forged"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let first: Printed = ok(
        &f,
        &clerk,
        Request::SaveReceipt(SaveArgs {
            receipt_no: p.receipt_no.clone(),
            layout: Layout::A5,
            path: dir.path().join("a.pdf").display().to_string(),
        }),
    );
    let second: Printed = ok(
        &f,
        &clerk,
        Request::SaveReceipt(SaveArgs {
            receipt_no: p.receipt_no.clone(),
            layout: Layout::A5,
            path: dir.path().join("b.pdf").display().to_string(),
        }),
    );
    assert_eq!((first.duplicate, second.duplicate), (false, true));
    let text = |name: &str| {
        let out =
            std::process::Command::new("pdftotext").args(["-layout", &dir.path().join(name).display().to_string(), "-"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let original = text("a.pdf");
    for expected in [p.receipt_no.as_str(), "3300000009", "王*明", "2026-02", "321", "172.70", "200.00", "27.30", "电费收费凭证"] {
        assert!(original.contains(expected), "receipt lacks {expected}:\n{original}");
    }
    assert!(!original.contains("重打"));
    // Kept for a person to look at (pdftoppm turns them into PNG).
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::copy(dir.path().join("b.pdf"), artifacts.join("receipt-a5-duplicate.pdf")).unwrap();
    let roll: Printed = ok(
        &f,
        &clerk,
        Request::SaveReceipt(SaveArgs {
            receipt_no: p.receipt_no.clone(),
            layout: Layout::Roll80,
            path: artifacts.join("receipt-80mm.pdf").display().to_string(),
        }),
    );
    assert!(roll.duplicate);
    assert!(text("b.pdf").contains("重打"));
}

#[test]
fn bills_import_from_csv_with_each_rejected_line_and_its_reason() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3300000012");
    let csv = "account,period,kwh,amount,tariff_code,due_date\n\
               3300000012,2026-01,300,161.40,,\n\
               3300000012,2026-13,300,161.40,,\n\
               3300009999,2026-01,300,161.40,,\n\
               3300000012,2026-02,-5,10.00,,\n\
               3300000012,2026-02,100,abc,,\n\
               3300000012,2026-02,100,53.80,NO-SUCH,\n\
               3300000012,2026-01,300,161.40,,\n\
               3300000012,2026-02,100,53.80,,2026-03-31\n";
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let report = hall::transfer::import_bills(&mut f.app.store(), &actor, csv.as_bytes(), |_, _| {}).unwrap();
    assert_eq!(report.imported, 2);
    let rejected: Vec<(u64, String)> = report.rejected.iter().map(|r| (r.line, r.messages[0].code.clone())).collect();
    assert_eq!(
        rejected,
        vec![
            (3, "bill.period".into()),
            (4, "bill_import.account".into()),
            (5, "bill_import.kwh".into()),
            (6, "bill_import.amount".into()),
            (7, "tariff.unknown".into()),
            (8, "bill.duplicate".into()),
        ]
    );
    let q = quote(&f, &clerk, &id);
    assert_eq!((q.bills.len(), q.bills[1].bill.due_date.to_string()), (2, "2026-03-31".into()));
    assert_eq!(q.bills[0].bill.amount, Fen(16140));
}
