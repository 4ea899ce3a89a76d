//! A closed business day stays closed: after 日结 no desk opens for it and no payment, reversal,
//! refund or cash movement is dated for it; collection goes on for the next business date (or
//! waits for it, by the outlet's setting); a manager may reopen the last closed day with a reason,
//! and the papers printed after that say they are re-issued. Through the command set, on a real
//! SQLite file.

mod common;

use chrono::{Duration, NaiveDate};
use hall::api::*;
use hall::model::money::Fen;
use hall::model::payment::{PaymentKind, PaymentStatus, ReasonCode, Tender, TenderKind};
use hall::print::receipt::Layout;
use hall::store::billing::ReadingInput;
use hall::store::dayend::DayReport;
use hall::store::desk::{DenominationCount, DeskSession, exact_count};
use hall::store::payments::{Payment, PostPayment, Refund, Reversal};
use hall::store::settings;
use serde_json::Value;

use common::Fixture;

fn call<T: serde::de::DeserializeOwned>(f: &Fixture, token: &str, request: Request) -> hall::Result<T> {
    f.app.call(Some(token), request).map(|v| serde_json::from_value(v).unwrap())
}

fn ok<T: serde::de::DeserializeOwned>(f: &Fixture, token: &str, request: Request) -> T {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn manager() -> ManagerApproval {
    ManagerApproval { username: "manager".into(), password: "manager1234".into() }
}

fn pay(f: &Fixture, token: &str, customer_id: &str, fen: i64, key: &str) -> hall::Result<Payment> {
    call(
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

fn desk(f: &Fixture, token: &str) -> DeskState {
    ok(f, token, Request::CurrentDesk(NoArgs {}))
}

fn open_desk(f: &Fixture, token: &str, float: i64) -> hall::Result<DeskState> {
    call(f, token, Request::OpenDesk(OpenDeskArgs { float: Fen(float) }))
}

/// Closes the open desk with exactly the expected cash.
fn balance_desk(f: &Fixture, token: &str) -> DeskSession {
    let cash = desk(f, token).expected.unwrap().cash;
    ok(f, token, Request::CloseDesk(CloseDeskArgs { count: exact_count(cash), approval: None }))
}

fn report(f: &Fixture, token: &str, day: &str) -> DayReport {
    ok(f, token, Request::DayEndReport(DayArgs { date: Some(day.into()) }))
}

fn paper_text(f: &Fixture, token: &str, day: &str, paper: DayPaper) -> String {
    let path = f.dir.path().join(format!("{day}-{paper:?}.pdf"));
    let _: PdfFile = ok(f, token, Request::DayEndPdf(DayPdfArgs { date: Some(day.into()), paper, path: Some(path.display().to_string()) }));
    let out = std::process::Command::new("pdftotext").args(["-layout", &path.display().to_string(), "-"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Row counts of everything a desk, a payment or a closure writes.
fn footprint(f: &Fixture) -> Vec<i64> {
    let store = f.app.store();
    [
        "desk_sessions",
        "desk_movements",
        "payments",
        "payment_tenders",
        "allocations",
        "outbox",
        "audit_log",
        "day_closures",
        "day_reopenings",
    ]
    .iter()
    .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
    .collect()
}

/// A customer with a January bill of 300 kWh × 0.538 = 161.40 and a February one of 200 kWh ×
/// 0.538 = 107.60.
fn customer_with_bills(f: &Fixture, token: &str) -> String {
    let saved: Value = ok(f, token, Request::CreateCustomer(common::draft("3300000101", "李红")));
    let id = saved["view"]["customer"]["id"].as_str().unwrap().to_owned();
    for (period, total) in [("2026-01", 300), ("2026-02", 500)] {
        let input = ReadingInput {
            customer_id: id.clone(),
            meter_number: "M3300000101".into(),
            period: period.into(),
            total,
            ..Default::default()
        };
        let _: Value = ok(f, token, Request::EnterReading(input));
    }
    id
}

/// The day 2026-03-02 (the fixture's clock, 09:30 in Hangzhou) with one payment of 200.00 taken
/// and closed by the manager. Returns the customer and the payment.
fn closed_day(f: &Fixture) -> (String, String, Payment) {
    let clerk = f.login("clerk");
    let manager_token = f.login("manager");
    let id = customer_with_bills(f, &clerk);
    open_desk(f, &clerk, 50000).unwrap();
    let paid = pay(f, &clerk, &id, 20000, "before-close").unwrap();
    balance_desk(f, &clerk);
    let closed: DayReport = ok(f, &manager_token, Request::CloseDay(DayArgs { date: None }));
    assert!(closed.closed_at.is_some());
    f.clock.advance(Duration::hours(8)); // 17:30, after the close
    (f.login("clerk"), id, paid)
}

#[test]
fn collection_after_the_close_goes_to_the_next_business_date_and_the_closed_day_is_unchanged() {
    let f = common::fixture();
    let (clerk, id, paid) = closed_day(&f);
    let manager_token = f.login("manager");
    let before = report(&f, &manager_token, "2026-03-02");
    let daily_before = paper_text(&f, &manager_token, "2026-03-02", DayPaper::DailyReport);
    let slip_before = paper_text(&f, &manager_token, "2026-03-02", DayPaper::DepositSlip);
    assert!(daily_before.contains("实收合计（1 笔收费）"), "{daily_before}");

    // The desk bar is told which date the desk opened now is for.
    let state = desk(&f, &clerk);
    assert_eq!((state.today, state.collecting_for, state.refused.is_none()), (date("2026-03-02"), date("2026-03-03"), true));
    let opened = open_desk(&f, &clerk, 30000).unwrap().session.unwrap();
    assert_eq!(opened.business_date, date("2026-03-03"), "no desk opens for a closed date");

    // A payment, a cash movement, a refund and a red letter: all dated for 03-03.
    let p = pay(&f, &clerk, &id, 10000, "after-close").unwrap();
    assert_eq!(p.business_date, date("2026-03-03"), "a payment's business date is its desk's, not the clock's");
    let stored: Payment = ok(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: p.receipt_no.clone() }));
    assert_eq!(stored.business_date, date("2026-03-03"));
    // The receipt says which date the money was taken for (posted on 03-02 at 17:30).
    let preview: ReceiptPreview =
        ok(&f, &clerk, Request::RenderReceipt(RenderArgs { receipt_no: p.receipt_no.clone(), layout: Layout::A5 }));
    assert_eq!((preview.doc.posted_at.as_str(), preview.doc.business_date.as_deref()), ("2026-03-02 17:30:00", Some("2026-03-03")));
    let receipt = f.dir.path().join("after-close.pdf");
    std::fs::write(&receipt, base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &preview.pdf.base64).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-layout", &receipt.display().to_string(), "-"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("2026-03-03（日结后收费）"));
    let _: DeskState = ok(&f, &clerk, Request::MoveCash(MoveCashArgs { direction: "in".into(), amount: Fen(5000), reason: "零钱".into() }));
    let refund = Refund {
        customer_id: id.clone(),
        amount: Fen(1000),
        tender: TenderKind::Cash,
        reference: None,
        reason: ReasonCode::CustomerRequest,
        note: String::new(),
    };
    let r: Payment = ok(&f, &clerk, Request::RefundPrepayment(RefundArgs { refund, approval: manager() }));
    assert_eq!((r.kind, r.business_date), (PaymentKind::Refund, date("2026-03-03")));
    // The closed day's payment cannot be voided in place (its desk is closed): a 冲红 posts the
    // opposite amounts in the desk open now.
    let reversal = Reversal { receipt_no: paid.receipt_no.clone(), reason: ReasonCode::WrongAmount, note: String::new() };
    let red: Payment = ok(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval: manager() }));
    assert_eq!((red.kind, red.amount, red.business_date), (PaymentKind::RedLetter, Fen(-20000), date("2026-03-03")));
    let original: Payment = ok(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: paid.receipt_no.clone() }));
    assert_eq!(original.status, PaymentStatus::Corrected);

    // The closed day's figures and papers are those of the close.
    assert_eq!(report(&f, &manager_token, "2026-03-02"), before);
    assert_eq!(paper_text(&f, &manager_token, "2026-03-02", DayPaper::DailyReport), daily_before);
    assert_eq!(paper_text(&f, &manager_token, "2026-03-02", DayPaper::DepositSlip), slip_before);
    // The next date has them: 100.00 paid, less the 10.00 refund and the 200.00 red letter.
    let next = report(&f, &manager_token, "2026-03-03");
    assert_eq!((next.payments, next.total, next.red_letters, next.refunds), (1, Fen(10000 - 1000 - 20000), 1, 1));

    // Closing the closed day again is refused and writes nothing.
    let before = footprint(&f);
    let err = call::<DayReport>(&f, &manager_token, Request::CloseDay(DayArgs { date: Some("2026-03-02".into()) })).unwrap_err();
    assert_eq!(err.code(), "dayend.closed");
    assert_eq!(footprint(&f), before);

    // The next date takes money tonight but closes only once it has begun: closed now, all of
    // tomorrow's takings would be dated the day after.
    balance_desk(&f, &clerk);
    let before = footprint(&f);
    let err = call::<DayReport>(&f, &manager_token, Request::CloseDay(DayArgs { date: Some("2026-03-03".into()) })).unwrap_err();
    assert_eq!(err.code(), "dayend.not_begun");
    assert_eq!(footprint(&f), before);
    f.clock.advance(Duration::days(1));
    let manager_token = f.login("manager");
    assert!(ok::<DayReport>(&f, &manager_token, Request::CloseDay(DayArgs { date: Some("2026-03-03".into()) })).closed_at.is_some());
}

#[test]
fn the_desk_opened_for_the_next_date_stays_valid_into_that_date_and_goes_stale_after_it() {
    let f = common::fixture();
    let (clerk, id, _) = closed_day(&f);
    open_desk(&f, &clerk, 30000).unwrap();
    pay(&f, &clerk, &id, 1000, "evening").unwrap();
    f.clock.advance(Duration::hours(10)); // 03:30 on 03-03: the desk's own date
    let clerk = f.login("clerk");
    assert_eq!(pay(&f, &clerk, &id, 1000, "night").unwrap().business_date, date("2026-03-03"));
    f.clock.advance(Duration::days(1)); // 03-04: the desk is from an earlier date
    let clerk = f.login("clerk");
    assert_eq!(pay(&f, &clerk, &id, 1000, "stale").unwrap_err().code(), "desk.stale");
}

#[test]
fn a_red_letter_pays_back_cash_only_from_a_drawer_that_holds_it() {
    let f = common::fixture();
    let (clerk, _, paid) = closed_day(&f);
    open_desk(&f, &clerk, 0).unwrap();
    let reversal = Reversal { receipt_no: paid.receipt_no.clone(), reason: ReasonCode::WrongAmount, note: String::new() };
    let before = footprint(&f);
    let err =
        call::<Payment>(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal: reversal.clone(), approval: manager() })).unwrap_err();
    assert_eq!(err.code(), "desk.overdraw");
    assert!(err.messages()[0].zh.contains("200.00"), "{}", err.messages()[0].zh);
    assert_eq!(footprint(&f)[..5], before[..5], "nothing but the authorisation's audit entry is written");
    let _: DeskState =
        ok(&f, &clerk, Request::MoveCash(MoveCashArgs { direction: "in".into(), amount: Fen(20000), reason: "备付冲红".into() }));
    let red: Payment = ok(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval: manager() }));
    assert_eq!(red.amount, Fen(-20000));
    assert_eq!(desk(&f, &clerk).expected.unwrap().cash, Fen(0));
}

#[test]
fn an_outlet_may_refuse_collection_until_the_next_date_begins() {
    let f = common::fixture();
    let (clerk, id, _) = closed_day(&f);
    // The rule is the outlet's: a manager sets it, a clerk may not, a value it does not know is refused.
    let set = |token: &str, value: &str| {
        f.app.call(Some(token), Request::SetSetting(SetSettingArgs { key: settings::DESK_AFTER_CLOSE.into(), value: value.into() }))
    };
    assert_eq!(set(&clerk, "refuse").unwrap_err().code(), "setting.denied");
    let manager_token = f.login("manager");
    assert_eq!(set(&manager_token, "sometimes").unwrap_err().code(), "setting.invalid");
    set(&manager_token, "refuse").unwrap();
    let state = desk(&f, &clerk);
    assert_eq!(state.refused.as_ref().map(|m| m.code.as_str()), Some("desk.day_closed"));
    assert!(state.refused.unwrap().zh.contains("2026-03-03"), "the message names the date collection resumes");
    let before = footprint(&f);
    assert_eq!(open_desk(&f, &clerk, 30000).unwrap_err().code(), "desk.day_closed");
    assert_eq!(pay(&f, &clerk, &id, 1000, "refused").unwrap_err().code(), "desk.not_open");
    assert_eq!(footprint(&f), before, "a refused command writes nothing");
    f.clock.advance(Duration::hours(7)); // 00:30 on 03-03
    let clerk = f.login("clerk");
    assert_eq!(open_desk(&f, &clerk, 30000).unwrap().session.unwrap().business_date, date("2026-03-03"));
}

#[test]
fn a_closed_date_takes_nothing_even_past_the_commands() {
    let f = common::fixture();
    let (clerk, _, _) = closed_day(&f);
    let _ = clerk;
    let store = f.app.store();
    let err = store
        .conn()
        .execute(
            "INSERT INTO desk_sessions (id, clerk_id, business_date, opened_at, float_fen, status)
             SELECT 'x', clerk_id, '2026-03-02', opened_at, 0, 'closed' FROM desk_sessions LIMIT 1",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("closed business day"), "{err}");
    let err = store.conn().execute("UPDATE payments SET status = 'reversed' WHERE business_date = '2026-03-02'", []).unwrap_err();
    assert!(err.to_string().contains("closed business day"), "{err}");
    let err = store
        .conn()
        .execute(
            "INSERT INTO desk_movements (session_pk, direction, amount_fen, reason, user_id, at)
             SELECT pk, 'in', 100, 'x', clerk_id, opened_at FROM desk_sessions WHERE business_date = '2026-03-02'",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("closed business day"), "{err}");
    // Nor does any figure of it change or go, whatever the statement.
    for sql in [
        "UPDATE payments SET amount_fen = amount_fen + 1 WHERE business_date = '2026-03-02'",
        "UPDATE payments SET session_pk = session_pk WHERE business_date = '2026-03-02'",
        "DELETE FROM payments WHERE business_date = '2026-03-02'",
        "UPDATE payment_tenders SET amount_fen = 1",
        "DELETE FROM payment_tenders",
        "UPDATE desk_sessions SET float_fen = 1 WHERE business_date = '2026-03-02'",
        "DELETE FROM desk_sessions WHERE business_date = '2026-03-02'",
    ] {
        let err = store.conn().execute(sql, []);
        assert!(err.as_ref().is_err_and(|e| e.to_string().contains("closed business day")), "{sql}: {err:?}");
    }
    // A reprint still counts its copy.
    store.conn().execute("UPDATE payments SET print_count = print_count + 1 WHERE business_date = '2026-03-02'", []).unwrap();
}

#[test]
fn a_manager_reopens_the_last_closed_day_with_a_reason_and_the_papers_say_re_issued() {
    let f = common::fixture();
    let (clerk, id, _) = closed_day(&f);
    let manager_token = f.login("manager");
    let daily_at_close = paper_text(&f, &manager_token, "2026-03-02", DayPaper::DailyReport);
    assert!(!daily_at_close.contains("重开后补打"));
    let args = |reason: &str, approval: Option<ManagerApproval>| {
        Request::ReopenDay(ReopenDayArgs { date: Some("2026-03-02".into()), reason: reason.into(), approval })
    };
    let before = footprint(&f);
    // A clerk needs a manager's password; a reason is required; a wrong password is refused.
    assert_eq!(call::<DayReport>(&f, &clerk, args("补录", None)).unwrap_err().code(), "approval.required");
    assert_eq!(call::<DayReport>(&f, &manager_token, args("  ", None)).unwrap_err().code(), "dayend.reason");
    let wrong = ManagerApproval { username: "manager".into(), password: "nope".into() };
    assert_eq!(call::<DayReport>(&f, &clerk, args("补录", Some(wrong))).unwrap_err().code(), "approval.denied");
    let not_closed = Request::ReopenDay(ReopenDayArgs { date: Some("2026-03-01".into()), reason: "x".into(), approval: None });
    assert_eq!(call::<DayReport>(&f, &manager_token, not_closed).unwrap_err().code(), "dayend.not_closed");
    // While a desk is open (for the next date) the day cannot be reopened.
    open_desk(&f, &clerk, 0).unwrap();
    assert_eq!(call::<DayReport>(&f, &manager_token, args("补录", None)).unwrap_err().code(), "dayend.open_desk");
    balance_desk(&f, &clerk);
    let after_refusals = footprint(&f);
    assert_eq!(after_refusals[7..], before[7..], "no closure or reopening was written by a refusal");

    // A clerk with the manager's password reopens it.
    f.clock.advance(Duration::minutes(5)); // 17:35 Hangzhou time
    let clerk = f.login("clerk");
    let reopened: DayReport = ok(&f, &clerk, args("漏收一笔，须补录", Some(manager())));
    assert_eq!((reopened.closed_at.as_deref(), reopened.reopened_at.as_deref()), (None, Some("2026-03-02T09:35:00.000Z")));
    {
        let store = f.app.store();
        let (action, detail): (String, String) = store
            .conn()
            .query_row("SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(action, "day.reopen");
        assert!(detail.contains("漏收一笔，须补录"), "{detail}");
        let event: String = store.conn().query_row("SELECT kind FROM outbox ORDER BY rowid DESC LIMIT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(event, "day.reopened");
    }
    // Collection is for 03-02 again, then the day closes anew; the papers say they are re-issued.
    let state = open_desk(&f, &clerk, 0).unwrap();
    assert_eq!(state.session.unwrap().business_date, date("2026-03-02"));
    assert_eq!(pay(&f, &clerk, &id, 1000, "late-entry").unwrap().business_date, date("2026-03-02"));
    balance_desk(&f, &clerk);
    let manager_token = f.login("manager");
    let closed: DayReport = ok(&f, &manager_token, Request::CloseDay(DayArgs { date: Some("2026-03-02".into()) }));
    assert_eq!((closed.payments, closed.closed_at.is_some()), (2, true));
    let daily = paper_text(&f, &manager_token, "2026-03-02", DayPaper::DailyReport);
    assert!(daily.contains("重开后补打 RE-ISSUED（重开于 2026-03-02 17:35:00）"), "{daily}");
    assert!(paper_text(&f, &manager_token, "2026-03-02", DayPaper::DepositSlip).contains("重开后补打 RE-ISSUED"));

    // Only the last closed day may be reopened: close 03-03 too, then 03-02 is refused.
    f.clock.advance(Duration::days(1));
    let manager_token = f.login("manager");
    let _: DayReport = ok(&f, &manager_token, Request::CloseDay(DayArgs { date: None }));
    assert_eq!(call::<DayReport>(&f, &manager_token, args("x", None)).unwrap_err().code(), "dayend.not_last");
}

#[test]
fn a_future_date_is_refused_for_the_report_and_the_close() {
    let f = common::fixture();
    let manager_token = f.login("manager");
    let err = call::<DayReport>(&f, &manager_token, Request::DayEndReport(DayArgs { date: Some("2026-03-03".into()) })).unwrap_err();
    assert_eq!((err.code().as_str(), err.messages()[0].field.as_deref()), ("dayend.future", Some("date")));
    let err = call::<DayReport>(&f, &manager_token, Request::CloseDay(DayArgs { date: Some("2026-03-03".into()) })).unwrap_err();
    assert_eq!(err.code(), "dayend.future");
    // Once today is closed, the date being collected for may be reported.
    let _: DayReport = ok(&f, &manager_token, Request::CloseDay(DayArgs { date: None }));
    assert_eq!(report(&f, &manager_token, "2026-03-03").payments, 0);
    assert_eq!(
        call::<DayReport>(&f, &manager_token, Request::DayEndReport(DayArgs { date: Some("2026-03-04".into()) })).unwrap_err().code(),
        "dayend.future"
    );
}

#[test]
fn denomination_counts_are_bounded() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    open_desk(&f, &clerk, 10000).unwrap();
    let count = vec![DenominationCount { denomination: 10000, count: 99_999_999_999 }];
    let err = call::<DeskSession>(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count, approval: Some(manager()) })).unwrap_err();
    assert_eq!((err.code().as_str(), err.messages()[0].field.as_deref()), ("desk.count", Some("count.0")));
    assert!(desk(&f, &clerk).session.is_some(), "the desk stays open");
    // 100,000 notes is the most a count may hold; 1 × 100 元 is the float.
    let count = vec![DenominationCount { denomination: 10000, count: 100_001 }];
    assert_eq!(
        call::<DeskSession>(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count, approval: None })).unwrap_err().code(),
        "desk.count"
    );
    let count = vec![DenominationCount { denomination: 10000, count: 1 }];
    let closed: DeskSession = ok(&f, &clerk, Request::CloseDesk(CloseDeskArgs { count, approval: None }));
    assert_eq!(closed.over_short, Some(Fen(0)));
}

#[test]
fn a_void_pays_back_cash_only_from_a_drawer_that_still_holds_it() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer_with_bills(&f, &clerk);
    open_desk(&f, &clerk, 0).unwrap();
    let paid = pay(&f, &clerk, &id, 10000, "void-me").unwrap();
    // The 100.00 taken goes to the bank before the void: the drawer is empty again.
    let _: DeskState =
        ok(&f, &clerk, Request::MoveCash(MoveCashArgs { direction: "out".into(), amount: Fen(10000), reason: "解款".into() }));
    let reversal = Reversal { receipt_no: paid.receipt_no.clone(), reason: ReasonCode::WrongAmount, note: String::new() };
    let err = call::<Payment>(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval: manager() })).unwrap_err();
    assert_eq!(err.code(), "desk.overdraw");
    assert!(err.messages()[0].zh.contains("100.00"), "{}", err.messages()[0].zh);
    assert_eq!(ok::<Payment>(&f, &clerk, Request::GetPayment(ReceiptRef { receipt_no: paid.receipt_no })).status, PaymentStatus::Posted);
}

#[test]
fn the_float_and_cash_movements_are_bounded_like_payments() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    assert_eq!(open_desk(&f, &clerk, i64::MAX / 2).unwrap_err().code(), "payment.too_large");
    open_desk(&f, &clerk, 0).unwrap();
    let err = call::<DeskState>(
        &f,
        &clerk,
        Request::MoveCash(MoveCashArgs { direction: "in".into(), amount: Fen(i64::MAX / 2), reason: "存入".into() }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "payment.too_large");
}

#[test]
fn the_drawers_running_cash_follows_every_movement_of_money() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer_with_bills(&f, &clerk);
    open_desk(&f, &clerk, 5000).unwrap();
    let drawer = |f: &Fixture| {
        let store = f.app.store();
        let (pk, _) = hall::store::desk::current(store.conn()).unwrap().unwrap();
        (hall::store::desk::drawer_cash(store.conn(), pk).unwrap(), hall::store::desk::expected(store.conn(), pk).unwrap().cash)
    };
    // 50.00 float; 100.00 cash for 80.00 (20.00 change): 130.00.
    let with_change = PostPayment {
        customer_id: id.clone(),
        amount: Fen(8000),
        tenders: vec![Tender { kind: TenderKind::Cash, amount: Fen(10000), reference: None }],
        idempotency_key: "change".into(),
        confirmed_large_cash: false,
    };
    let paid: Payment = ok(&f, &clerk, Request::PostPayment(with_change));
    assert_eq!(drawer(&f), (Fen(13000), Fen(13000)));
    // 30.00 out: 100.00.
    let _: DeskState =
        ok(&f, &clerk, Request::MoveCash(MoveCashArgs { direction: "out".into(), amount: Fen(3000), reason: "零钱".into() }));
    assert_eq!(drawer(&f), (Fen(10000), Fen(10000)));
    // The payment voided: its 80.00 net goes back out: 20.00.
    let reversal = Reversal { receipt_no: paid.receipt_no, reason: ReasonCode::WrongAmount, note: String::new() };
    let _: Payment = ok(&f, &clerk, Request::ReversePayment(ReverseArgs { reversal, approval: manager() }));
    assert_eq!(drawer(&f), (Fen(2000), Fen(2000)));
    // 50.00 exact in cash, then 10.00 cash in: 80.00.
    pay(&f, &clerk, &id, 5000, "exact").unwrap();
    let _: DeskState =
        ok(&f, &clerk, Request::MoveCash(MoveCashArgs { direction: "in".into(), amount: Fen(1000), reason: "补零钱".into() }));
    assert_eq!(drawer(&f), (Fen(8000), Fen(8000)));
}
