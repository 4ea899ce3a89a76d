//! Arrears end to end through the command set on a real SQLite file: the aging against totals the
//! test computes itself, notices refused for a customer who owes nothing and for a residential
//! customer not yet 30 days overdue, a bulk print into one PDF read back with pdftotext, a
//! disconnection refused inside the notice period and then allowed, refused once the debt is paid,
//! and the reconnection order raised by a real payment with its 24-hour deadline.
//!
//! The clock starts on Monday 2 March 2026, 09:30 CST. Bills fall due on the 25th of the month
//! after their period (assets/tariffs/late-fee.toml): a 2025-12 bill on 25 Jan 2026, 36 days
//! overdue on 2 Mar (6 days of January, 28 of February, 2 of March); a 2026-01 bill on 25 Feb,
//! 5 days overdue.

mod common;

use chrono::{Duration, TimeZone, Utc};
use hall::api::*;
use hall::model::arrears::{Delivery, NoticeKind};
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::store::arrears::NoticeRequest;
use hall::store::billing::{Bill, ReadingInput};
use hall::store::payments::PostPayment;
use serde_json::Value;

use common::Fixture;

fn call(f: &Fixture, token: &str, request: Request) -> hall::Result<Value> {
    f.app.call(Some(token), request)
}

fn ok(f: &Fixture, token: &str, request: Request) -> Value {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn customer(f: &Fixture, token: &str, account: &str) -> String {
    let saved = ok(f, token, Request::CreateCustomer(common::draft(account, "王小明")));
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
    serde_json::from_value(ok(f, token, Request::EnterReading(input))).unwrap()
}

fn notice(customer_id: &str, kind: NoticeKind, planned: Option<(u32, u32)>) -> NoticeRequest {
    NoticeRequest {
        customer_id: customer_id.into(),
        kind,
        delivery: Delivery::InPerson,
        planned_date: planned.map(|(m, d)| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap()),
    }
}

fn pay(f: &Fixture, token: &str, customer_id: &str, fen: i64, key: &str) -> Value {
    ok(
        f,
        token,
        Request::PostPayment(PostPayment {
            customer_id: customer_id.into(),
            amount: Fen(fen),
            tenders: vec![Tender { kind: TenderKind::Cash, amount: Fen(fen), reference: None }],
            idempotency_key: key.into(),
            confirmed_large_cash: false,
        }),
    )
}

/// The residential late fee by the published rule: 1‰ a day of the overdue amount, rounded
/// half-up to the fen, at least 1 yuan.
fn residential_fee(outstanding: i64, days: i64) -> i64 {
    ((outstanding * days + 500) / 1000).max(100)
}

fn set_day(f: &Fixture, month: u32, day: u32) {
    f.clock.set(Utc.with_ymd_and_hms(2026, month, day, 1, 30, 0).unwrap());
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output().expect("pdftotext runs");
    String::from_utf8(out.stdout).unwrap()
}

fn pdf_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo").arg(&path).output().expect("pdfinfo runs");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

fn pdf_bytes(printed: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(printed["pdf"]["base64"].as_str().unwrap()).unwrap()
}

#[test]
fn arrears_from_aging_through_notices_disconnection_payment_and_reconnection() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let a = customer(&f, &clerk, "3300000101");
    let b = customer(&f, &clerk, "3300000102");
    let c = customer(&f, &clerk, "3300000103");
    let d = customer(&f, &clerk, "3300000104");
    let a_dec = reading(&f, &clerk, &a, "3300000101", "2025-12", 1000);
    let a_jan = reading(&f, &clerk, &a, "3300000101", "2026-01", 1300);
    let b_jan = reading(&f, &clerk, &b, "3300000102", "2026-01", 400);
    let d_dec = reading(&f, &clerk, &d, "3300000104", "2025-12", 200);
    assert_eq!(a_dec.due_date.to_string(), "2026-01-25");

    // The aging, against sums computed here from the bills.
    let aging = ok(&f, &clerk, Request::ArrearsAging(NoArgs {}));
    let cell = |bucket: &str, cross_year: bool| {
        aging["rows"].as_array().unwrap().iter().find(|r| r["bucket"] == bucket && r["cross_year"] == cross_year).cloned()
    };
    let over30 = cell("31_60", true).expect("the December bills: 36 days, cross-year");
    assert_eq!(over30["bills"], 2);
    assert_eq!(over30["customers"], 2);
    assert_eq!(over30["principal"].as_i64().unwrap(), a_dec.amount.0 + d_dec.amount.0);
    let fees_dec = residential_fee(a_dec.amount.0, 36) + residential_fee(d_dec.amount.0, 36);
    assert_eq!(over30["late_fee"].as_i64().unwrap(), fees_dec);
    let recent = cell("0_30", false).expect("the January bills: 5 days, this year");
    assert_eq!(recent["principal"].as_i64().unwrap(), a_jan.amount.0 + b_jan.amount.0);
    assert_eq!(recent["late_fee"].as_i64().unwrap(), residential_fee(a_jan.amount.0, 5) + residential_fee(b_jan.amount.0, 5));
    assert!(cell("over_90", true).is_none());

    // Bulk printing: A's disconnection notice prints; B (5 days) and C (nothing owed) are refused
    // with their reasons; one PDF of one page.
    let printed = ok(
        &f,
        &clerk,
        Request::PrintNotices(PrintNoticesArgs {
            notices: vec![
                notice(&a, NoticeKind::Disconnection, Some((3, 9))),
                notice(&b, NoticeKind::Disconnection, Some((3, 9))),
                notice(&c, NoticeKind::Payment, None),
            ],
            progress: None,
        }),
    );
    let refused: Vec<(&str, &str)> = printed["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["customer_id"].as_str().unwrap(), r["message"]["code"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, [(b.as_str(), "arrears.too_early"), (c.as_str(), "arrears.none")]);
    let pdf = pdf_bytes(&printed);
    assert_eq!(pdf_pages(&pdf), 1);
    let text = pdftotext(&pdf);
    for line in ["欠费停电通知书", "3300000101", "计划停电日期：2026-03-09", "2025-12", "2026-01"] {
        assert!(text.contains(line), "{line} in {text}");
    }
    // A's notice period is 7 days: a date sooner is refused, naming the earliest.
    let e = call(
        &f,
        &clerk,
        Request::PrintNotices(PrintNoticesArgs { notices: vec![notice(&a, NoticeKind::Disconnection, Some((3, 8)))], progress: None }),
    )
    .unwrap();
    assert_eq!(e["refused"][0]["message"]["code"], "arrears.notice_period");
    assert!(e["pdf"].is_null());
    // D gets a notice too, then pays everything before the date.
    ok(
        &f,
        &clerk,
        Request::PrintNotices(PrintNoticesArgs { notices: vec![notice(&d, NoticeKind::Disconnection, Some((3, 9)))], progress: None }),
    );

    // Inside the notice period the disconnection is refused, and it is the manager's.
    let disconnect = |token: &str, id: &str| call(&f, token, Request::Disconnect(CustomerRef { id: id.into() }));
    assert_eq!(disconnect(&manager, &a).unwrap_err().code(), "arrears.notice_running");
    assert_eq!(disconnect(&clerk, &a).unwrap_err().code(), "role.denied");
    assert_eq!(disconnect(&manager, &b).unwrap_err().code(), "arrears.no_notice");

    // On 9 Mar the date has come. D pays first thing.
    set_day(&f, 3, 9);
    let clerk = f.login("clerk");
    ok(&f, &clerk, Request::OpenDesk(OpenDeskArgs { float: Fen(100_000) }));
    let d_due = ok(&f, &clerk, Request::QuotePayment(QuoteArgs { customer_id: d.clone() }))["total_due"].as_i64().unwrap();
    pay(&f, &clerk, &d, d_due, "d-1");

    // A is disconnected; D, who paid, is not.
    let manager = f.login("manager");
    let cut = disconnect(&manager, &a).unwrap();
    assert_eq!(cut["owed"].as_i64().unwrap(), a_dec.amount.0 + a_jan.amount.0);
    assert_eq!(disconnect(&manager, &a).unwrap_err().code(), "arrears.already_disconnected");
    assert_eq!(disconnect(&manager, &d).unwrap_err().code(), "arrears.paid");
    let status = ok(&f, &manager, Request::ArrearsOfCustomer(CustomerRef { id: a.clone() }));
    assert_eq!(status["disconnected"], true);
    assert_eq!(status["notices"].as_array().unwrap().len(), 1);

    // A part payment leaves the supply cut; the payment that clears the arrears raises the
    // reconnection, due 24 hours after it (9 Mar 09:30 CST + 24 h = 10 Mar 01:30 UTC).
    pay(&f, &clerk, &a, 1_000, "a-1");
    assert!(ok(&f, &clerk, Request::Reconnections(NoArgs {}))["rows"].as_array().unwrap().is_empty());
    let a_due = ok(&f, &clerk, Request::QuotePayment(QuoteArgs { customer_id: a.clone() }))["total_due"].as_i64().unwrap();
    let receipt = pay(&f, &clerk, &a, a_due, "a-2");
    assert_eq!(ok(&f, &clerk, Request::Reconnections(NoArgs {}))["rows"].as_array().unwrap().len(), 1);
    // Reversing the clearing payment puts the order back to waiting for payment; paying again
    // raises it again.
    let reversal = hall::store::payments::Reversal {
        receipt_no: receipt["receipt_no"].as_str().unwrap().into(),
        reason: hall::model::payment::ReasonCode::WrongAmount,
        note: String::new(),
    };
    let approval = ManagerApproval { username: "manager".into(), password: "manager1234".into() };
    ok(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval }));
    assert!(ok(&f, &clerk, Request::Reconnections(NoArgs {}))["rows"].as_array().unwrap().is_empty());
    let receipt = pay(&f, &clerk, &a, a_due, "a-3");
    let due = ok(&f, &clerk, Request::Reconnections(NoArgs {}));
    assert_eq!(due["rows"][0]["paid_receipt"], receipt["receipt_no"]);
    assert_eq!(due["rows"][0]["reconnect_due"], "2026-03-10T01:30:00.000Z");
    assert_eq!(due["overdue"], 0);
    // A day and a minute later it is overdue; then the crew restores the supply.
    f.clock.advance(Duration::hours(24) + Duration::minutes(1));
    let clerk = f.login("clerk");
    assert_eq!(ok(&f, &clerk, Request::Reconnections(NoArgs {}))["overdue"], 1);
    let id = due["rows"][0]["id"].as_str().unwrap().to_owned();
    let done = ok(&f, &clerk, Request::Reconnected(DisconnectionRef { id: id.clone() }));
    assert!(done["reconnected_at"].is_string());
    assert_eq!(call(&f, &clerk, Request::Reconnected(DisconnectionRef { id })).unwrap_err().code(), "arrears.already_reconnected");
    assert_eq!(ok(&f, &clerk, Request::ArrearsOfCustomer(CustomerRef { id: a.clone() }))["disconnected"], false);
    // A notice used once, or given for a debt since paid, does not serve again: A owes nothing
    // overdue now, and D's notice was for the December bill D paid.
    let manager = f.login("manager");
    assert_eq!(disconnect(&manager, &a).unwrap_err().code(), "arrears.paid");
    let d_feb = reading(&f, &clerk, &d, "3300000104", "2026-02", 300);
    f.clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 30, 0).unwrap());
    let manager = f.login("manager");
    assert_eq!(d_feb.due_date.to_string(), "2026-03-25");
    assert_eq!(disconnect(&manager, &d).unwrap_err().code(), "arrears.no_notice");
    // Every step went to the outbox for head office.
    let store = f.app.store();
    let kinds: Vec<String> = store
        .conn()
        .prepare("SELECT kind FROM outbox WHERE kind LIKE 'arrears.%' ORDER BY pos")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|k| k.unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "arrears.notice",
            "arrears.notice",
            "arrears.disconnected",
            "arrears.reconnection_raised",
            "arrears.reconnection_withdrawn",
            "arrears.reconnection_raised",
            "arrears.reconnected"
        ]
    );
}
