//! Payments, reversals and refunds. Each is one transaction: the payment row, its tenders and
//! allocations, the bills' paid amounts, the prepayment balance, the receipt number, the outbox
//! event and the audit entry land together or not at all.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::billing::{self, open_bills_of, open_bills_without_lines, period_year, prepaid, set_prepaid};
use super::{Actor, Tx, audit, customers, desk, outbox, receipts, settings};
use crate::billing::allocation::{Allocation, OpenBill, Plan, allocate};
use crate::billing::late_fee::{Debtor, LateFeeBook};
use crate::clock::{business_date, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::CustomerClass;
use crate::model::money::Fen;
use crate::model::payment::{PaymentKind, PaymentStatus, ReasonCode, Tender, TenderKind, check_tenders};

/// A bill as the collection screen shows it: what it owes today, late fee included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuotedBill {
    pub bill: billing::Bill,
    pub late_days: i64,
    pub late_fee: Fen,
    pub due_now: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Quote {
    pub customer_id: String,
    pub bills: Vec<QuotedBill>,
    pub prepaid: Fen,
    /// Everything owed today, late fees included, less the prepayment held.
    pub total_due: Fen,
    #[ts(type = "string")]
    pub on: NaiveDate,
}

fn debtor(class: CustomerClass) -> Debtor {
    if billing::is_residential(class) { Debtor::Residential } else { Debtor::Other }
}

fn open_bills(conn: &Connection, customer_pk: i64, with_lines: bool) -> Result<Vec<(i64, billing::Bill, OpenBill)>> {
    let bills = if with_lines { open_bills_of(conn, customer_pk)? } else { open_bills_without_lines(conn, customer_pk)? };
    Ok(bills
        .into_iter()
        .map(|(pk, bill)| {
            let open = OpenBill {
                bill_id: bill.id.clone(),
                period: bill.period.clone(),
                year: period_year(&bill.period),
                due: bill.due_date,
                outstanding: bill.outstanding,
                waived_through: bill.waived_through,
            };
            (pk, bill, open)
        })
        .collect())
}

/// What the customer owes if they pay today.
pub fn quote(conn: &Connection, book: &LateFeeBook, customer_id: &str, on: NaiveDate) -> Result<Quote> {
    let customer = customers::brief(conn, customer_id)?;
    let (customer_pk, debtor) = (customer.pk, debtor(customer.class));
    let bills: Vec<QuotedBill> = open_bills(conn, customer_pk, true)?
        .into_iter()
        .map(|(_, bill, open)| {
            let fee = open.late_fee(book, debtor, on, open.outstanding);
            QuotedBill { due_now: bill.outstanding + fee.fee, late_days: fee.days, late_fee: fee.fee, bill }
        })
        .collect();
    let prepaid = prepaid(conn, customer_pk)?;
    let owed: Fen = bills.iter().map(|b| b.due_now).sum();
    Ok(Quote { customer_id: customer_id.to_owned(), bills, prepaid, total_due: (owed - prepaid).max(Fen::ZERO), on })
}

/// One bill a payment settled (or a red letter unsettled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settled {
    pub bill_id: String,
    pub period: String,
    pub kwh: i64,
    pub principal: Fen,
    pub late_fee: Fen,
    pub late_days: i64,
}

/// A payment as receipts, lists and the day-end see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Payment {
    /// The payment's identity: unique across outlets and never reused.
    pub receipt_no: String,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub customer_id: String,
    pub account: String,
    pub customer_name: String,
    pub clerk_id: String,
    pub clerk_name: String,
    pub desk_id: String,
    #[ts(type = "string")]
    pub business_date: NaiveDate,
    pub posted_at: String,
    /// Paid into the account (negative for a red letter or a refund).
    pub amount: Fen,
    pub tendered: Fen,
    pub change: Fen,
    pub bills_total: Fen,
    pub late_fees: Fen,
    pub prepaid_before: Fen,
    pub prepaid_after: Fen,
    pub tenders: Vec<Tender>,
    pub settled: Vec<Settled>,
    pub reason_code: Option<ReasonCode>,
    pub reason_note: Option<String>,
    pub approved_by: Option<String>,
    /// The receipt this red letter corrects.
    pub corrects: Option<String>,
    pub reversed_at: Option<String>,
    pub print_count: i64,
    /// The posting was a replay of an earlier request with the same idempotency key.
    pub replayed: bool,
}

const COLUMNS: &str = "p.pk, p.receipt_no, p.kind, p.status, c.id, c.account, c.name, p.clerk_id, coalesce(u.display_name, p.clerk_id),
    d.id, p.business_date, p.posted_at, p.amount_fen, p.tendered_fen, p.change_fen, p.bills_fen, p.late_fee_fen, p.prepaid_before_fen,
    p.prepaid_after_fen, p.reason_code, p.reason_note, p.approved_by, (SELECT receipt_no FROM payments o WHERE o.pk = p.corrects_pk),
    p.reversed_at, p.print_count, p.session_pk, p.customer_pk";
const FROM: &str = "payments p JOIN customers c ON c.pk = p.customer_pk JOIN desk_sessions d ON d.pk = p.session_pk LEFT JOIN users u ON u.id = p.clerk_id";

struct Row {
    pk: i64,
    session_pk: i64,
    customer_pk: i64,
    payment: Payment,
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let code = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    Ok(Row {
        pk: r.get(0)?,
        session_pk: r.get(25)?,
        customer_pk: r.get(26)?,
        payment: Payment {
            receipt_no: r.get(1)?,
            kind: PaymentKind::from_code(&code(2)?).unwrap_or(PaymentKind::Payment),
            status: PaymentStatus::from_code(&code(3)?).unwrap_or(PaymentStatus::Posted),
            customer_id: r.get(4)?,
            account: r.get(5)?,
            customer_name: r.get(6)?,
            clerk_id: r.get(7)?,
            clerk_name: r.get(8)?,
            desk_id: r.get(9)?,
            business_date: code(10)?.parse().unwrap_or_default(),
            posted_at: r.get(11)?,
            amount: Fen(r.get(12)?),
            tendered: Fen(r.get(13)?),
            change: Fen(r.get(14)?),
            bills_total: Fen(r.get(15)?),
            late_fees: Fen(r.get(16)?),
            prepaid_before: Fen(r.get(17)?),
            prepaid_after: Fen(r.get(18)?),
            tenders: Vec::new(),
            settled: Vec::new(),
            reason_code: r.get::<_, Option<String>>(19)?.and_then(|c| ReasonCode::from_code(&c)),
            reason_note: r.get(20)?,
            approved_by: r.get(21)?,
            corrects: r.get(22)?,
            reversed_at: r.get(23)?,
            print_count: r.get(24)?,
            replayed: false,
        },
    })
}

fn load(conn: &Connection, filter: &str, key: &dyn rusqlite::ToSql) -> Result<Option<Row>> {
    let Some(mut row) =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} WHERE {filter}"))?.query_row([key], from_row).optional()?
    else {
        return Ok(None);
    };
    let mut tenders =
        conn.prepare_cached("SELECT kind, amount_fen, reference FROM payment_tenders WHERE payment_pk = ?1 ORDER BY position")?;
    row.payment.tenders = tenders
        .query_map([row.pk], |r| {
            Ok(Tender {
                kind: TenderKind::from_code(&r.get::<_, String>(0)?).unwrap_or(TenderKind::Cash),
                amount: Fen(r.get(1)?),
                reference: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut settled = conn.prepare_cached(
        "SELECT b.id, b.period, b.kwh, a.principal_fen, a.late_fee_fen, a.late_days FROM allocations a JOIN bills b ON b.pk = a.bill_pk
         WHERE a.payment_pk = ?1 ORDER BY b.period",
    )?;
    row.payment.settled = settled
        .query_map([row.pk], |r| {
            Ok(Settled {
                bill_id: r.get(0)?,
                period: r.get(1)?,
                kwh: r.get(2)?,
                principal: Fen(r.get(3)?),
                late_fee: Fen(r.get(4)?),
                late_days: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(row))
}

fn not_found() -> Error {
    Error::NotFound(UserMessage::new("payment.not_found", "找不到该笔收费", "No such payment"))
}

pub fn by_receipt(conn: &Connection, receipt_no: &str) -> Result<Payment> {
    load(conn, "p.receipt_no = ?1", &receipt_no)?.map(|r| r.payment).ok_or_else(not_found)
}

/// A customer's payments, newest first.
pub fn of_customer(conn: &Connection, customer_id: &str, limit: i64) -> Result<Vec<Payment>> {
    let numbers: Vec<String> = conn
        .prepare_cached(
            "SELECT p.receipt_no FROM payments p JOIN customers c ON c.pk = p.customer_pk WHERE c.id = ?1 ORDER BY p.pk DESC LIMIT ?2",
        )?
        .query_map((customer_id, limit), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    numbers.iter().map(|number| by_receipt(conn, number)).collect()
}

/// What the clerk asks for: money paid into a customer's account.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct PostPayment {
    pub customer_id: String,
    /// Paid into the account; the tenders may exceed it by cash change.
    pub amount: Fen,
    pub tenders: Vec<Tender>,
    /// Chosen by the UI once per payment screen: a second press or a retry with the same key
    /// returns the first payment instead of charging again.
    pub idempotency_key: String,
    /// The clerk confirmed a cash tender far above what is due (see `check_change`).
    #[serde(default)]
    pub confirmed_large_cash: bool,
}

fn replay(tx: &Tx, key: &str, customer_id: &str, amount: Fen) -> Result<Option<Payment>> {
    let seen: Option<i64> =
        tx.prepare_cached("SELECT 1 FROM payments WHERE idempotency_key = ?1")?.query_row([key], |r| r.get(0)).optional()?;
    if seen.is_none() {
        return Ok(None);
    }
    let Some(row) = load(tx, "p.idempotency_key = ?1", &key)? else { return Ok(None) };
    if row.payment.customer_id != customer_id || row.payment.amount != amount {
        return Err(Error::Conflict(UserMessage::new(
            "payment.key_reused",
            "该请求编号已用于另一笔收费，请刷新后重试",
            "This request key was used for a different payment; refresh and try again",
        )));
    }
    Ok(Some(Payment { replayed: true, ..row.payment }))
}

fn check_key(key: &str) -> Result<()> {
    if key.trim().is_empty() || key.len() > 100 {
        return Err(Error::invalid(UserMessage::new("payment.key", "缺少请求编号", "The request key is missing").at("idempotency_key")));
    }
    Ok(())
}

struct NewPayment<'a> {
    kind: PaymentKind,
    /// The desk's business date, never the clock's: after 日结 money is taken for the next date.
    business_date: NaiveDate,
    customer_pk: i64,
    session_pk: i64,
    amount: Fen,
    tendered: Fen,
    change: Fen,
    tenders: &'a [Tender],
    plan: &'a Plan,
    bill_pks: &'a [(String, i64)],
    prepaid_before: Fen,
    prepaid_after: Fen,
    idempotency_key: Option<&'a str>,
    corrects_pk: Option<i64>,
    reason: Option<(ReasonCode, &'a str, &'a str)>,
}

/// Writes a payment row with its receipt number, tenders and allocations, and moves the bills'
/// paid amounts and the prepayment balance. Returns the payment's row key and receipt number.
fn write_payment(tx: &Tx, actor: &Actor, new: NewPayment) -> Result<(i64, String)> {
    let receipt = receipts::allocate(tx)?;
    let (reason_code, reason_note, approved_by) = match new.reason {
        Some((code, note, by)) => (Some(code.code()), Some(note), Some(by)),
        None => (None, None, None),
    };
    tx.prepare_cached(
        "INSERT INTO payments (receipt_no, receipt_epoch, receipt_seq, kind, status, customer_pk, session_pk, clerk_id, business_date,
             posted_at, amount_fen, tendered_fen, change_fen, bills_fen, late_fee_fen, prepaid_before_fen, prepaid_after_fen,
             idempotency_key, corrects_pk, reason_code, reason_note, approved_by)
         VALUES (?1, ?2, ?3, ?4, 'posted', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?
    .execute(params![
        receipt.text,
        receipt.epoch,
        receipt.seq,
        new.kind.code(),
        new.customer_pk,
        new.session_pk,
        actor.user_id,
        new.business_date.to_string(),
        stamp(actor.at),
        new.amount.0,
        new.tendered.0,
        new.change.0,
        new.plan.principal().0,
        new.plan.late_fees().0,
        new.prepaid_before.0,
        new.prepaid_after.0,
        new.idempotency_key,
        new.corrects_pk,
        reason_code,
        reason_note,
        approved_by,
    ])?;
    let pk = tx.last_insert_rowid();
    let mut tender =
        tx.prepare_cached("INSERT INTO payment_tenders (payment_pk, position, kind, amount_fen, reference) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (i, t) in new.tenders.iter().enumerate() {
        let reference = t.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
        tender.execute(params![pk, i as i64, t.kind.code(), t.amount.0, reference])?;
    }
    let mut allocation = tx.prepare_cached(
        "INSERT INTO allocations (payment_pk, bill_pk, principal_fen, late_fee_fen, late_days) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut settle = tx.prepare_cached("UPDATE bills SET paid_fen = paid_fen + ?2 WHERE pk = ?1")?;
    for a in &new.plan.allocations {
        let bill_pk = new.bill_pks.iter().find(|(id, _)| *id == a.bill_id).map(|(_, pk)| *pk).expect("an allocation names an open bill");
        allocation.execute(params![pk, bill_pk, a.principal.0, a.late_fee.0, a.late_days])?;
        settle.execute((bill_pk, a.principal.0))?;
    }
    if new.prepaid_after != new.prepaid_before {
        set_prepaid(tx, new.customer_pk, new.prepaid_after)?;
    }
    Ok((pk, receipt.text))
}

/// Change comes out of the drawer as it stands, so it can never exceed the cash the drawer holds;
/// and change above the outlet's limit is far more often a mistyped tender than a customer's
/// banknotes, so the clerk must confirm it.
fn check_change(tx: &Tx, session_pk: i64, change: Fen, confirmed: bool) -> Result<()> {
    if change == Fen::ZERO {
        return Ok(());
    }
    let drawer = desk::drawer_cash(tx, session_pk)?;
    if change > drawer {
        return Err(Error::invalid(
            UserMessage::new(
                "payment.change_exceeds_drawer",
                format!("找零 {change} 元超过钱箱现有现金 {drawer} 元，请核对收款金额"),
                format!("The change of {change} exceeds the {drawer} cash in the drawer; check the amount tendered"),
            )
            .at("tenders"),
        ));
    }
    let limit = Fen(settings::get_i64(tx, settings::CONFIRM_CHANGE_OVER, settings::DEFAULT_CONFIRM_CHANGE_OVER)?);
    if change > limit && !confirmed {
        return Err(Error::Conflict(
            UserMessage::new(
                "payment.confirm_large_cash",
                format!("现金收款比应收多 {change} 元（超过 {limit} 元），请与客户核对后确认"),
                format!("The cash tendered is {change} more than the amount (over {limit}); check with the customer and confirm"),
            )
            .at("tenders"),
        ));
    }
    Ok(())
}

/// Posts a payment at the open desk.
pub fn post(tx: &Tx, actor: &Actor, book: &LateFeeBook, args: &PostPayment) -> Result<Payment> {
    check_key(&args.idempotency_key)?;
    if let Some(earlier) = replay(tx, &args.idempotency_key, &args.customer_id, args.amount)? {
        return Ok(earlier);
    }
    let totals = check_tenders(args.amount, &args.tenders)?;
    let (session_pk, session) = desk::require_open(tx, actor)?;
    check_change(tx, session_pk, totals.change, args.confirmed_large_cash)?;
    let customer = customers::brief(tx, &args.customer_id)?;
    let (customer_pk, class) = (customer.pk, customer.class);
    let today = business_date(actor.at);
    let open = open_bills(tx, customer_pk, false)?;
    let prepaid_before = prepaid(tx, customer_pk)?;
    let bills: Vec<OpenBill> = open.iter().map(|(_, _, o)| o.clone()).collect();
    let plan = allocate(&bills, debtor(class), book, today, args.amount + prepaid_before);
    let bill_pks: Vec<(String, i64)> = open.iter().map(|(pk, b, _)| (b.id.clone(), *pk)).collect();
    let (_, receipt_no) = write_payment(
        tx,
        actor,
        NewPayment {
            kind: PaymentKind::Payment,
            business_date: session.business_date,
            customer_pk,
            session_pk,
            amount: args.amount,
            tendered: totals.tendered,
            change: totals.change,
            tenders: &args.tenders,
            plan: &plan,
            bill_pks: &bill_pks,
            prepaid_before,
            prepaid_after: plan.remainder,
            idempotency_key: Some(&args.idempotency_key),
            corrects_pk: None,
            reason: None,
        },
    )?;
    // The payment as written, assembled from what this transaction holds rather than read back.
    let settled = plan
        .allocations
        .iter()
        .map(|a| {
            let bill = &open.iter().find(|(_, b, _)| b.id == a.bill_id).expect("an allocation names an open bill").1;
            Settled {
                bill_id: a.bill_id.clone(),
                period: bill.period.clone(),
                kwh: bill.kwh,
                principal: a.principal,
                late_fee: a.late_fee,
                late_days: a.late_days,
            }
        })
        .collect();
    let payment = Payment {
        receipt_no,
        kind: PaymentKind::Payment,
        status: PaymentStatus::Posted,
        customer_id: args.customer_id.clone(),
        account: customer.account,
        customer_name: customer.name,
        clerk_id: session.clerk_id,
        clerk_name: session.clerk_name,
        desk_id: session.id,
        business_date: session.business_date,
        posted_at: stamp(actor.at),
        amount: args.amount,
        tendered: totals.tendered,
        change: totals.change,
        bills_total: plan.principal(),
        late_fees: plan.late_fees(),
        prepaid_before,
        prepaid_after: plan.remainder,
        tenders: args
            .tenders
            .iter()
            .map(|t| Tender { reference: t.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(Into::into), ..t.clone() })
            .collect(),
        settled,
        reason_code: None,
        reason_note: None,
        approved_by: None,
        corrects: None,
        reversed_at: None,
        print_count: 0,
        replayed: false,
    };
    record(tx, actor, "payment.posted", "payment.post", &payment)?;
    // A payment that clears a disconnected customer's arrears raises the reconnection with it.
    super::arrears::after_payment(tx, actor, customer_pk, class, &payment.receipt_no)?;
    Ok(payment)
}

fn record(tx: &Tx, actor: &Actor, event: &str, action: &str, payment: &Payment) -> Result<()> {
    outbox::append(tx, actor, event, &payment.receipt_no, payment)?;
    audit::append(
        tx,
        actor,
        action,
        &payment.receipt_no,
        &serde_json::json!({ "receipt_no": payment.receipt_no, "account": payment.account, "amount": payment.amount, "approved_by": payment.approved_by }),
    )
}

/// A manager-authorised reversal request.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct Reversal {
    /// The receipt number of the payment to undo.
    pub receipt_no: String,
    pub reason: ReasonCode,
    pub note: String,
}

fn check_reason(reason: ReasonCode, note: &str) -> Result<()> {
    if reason == ReasonCode::Other && note.trim().is_empty() {
        return Err(Error::invalid(
            UserMessage::new("reversal.note", "原因为“其他”时请填写说明", "Explain the reason when it is “other”").at("note"),
        ));
    }
    Ok(())
}

/// Refuses to pay `cash` out of the desk `session_pk` when its drawer holds less: a void, a red
/// letter and a refund give money back from the drawer as change does.
fn check_pay_back(tx: &Tx, session_pk: i64, cash: Fen, field: Option<&str>) -> Result<()> {
    let drawer = desk::drawer_cash(tx, session_pk)?;
    if cash <= drawer {
        return Ok(());
    }
    let message = UserMessage::new(
        "desk.overdraw",
        format!("须从钱箱退还现金 {cash} 元，钱箱现有现金 {drawer} 元不足"),
        format!("This pays back {cash} in cash; the drawer holds only {drawer}"),
    );
    Err(match field {
        Some(field) => Error::invalid(message.at(field)),
        None => Error::Conflict(message),
    })
}

/// Undoes a payment: 冲正 (the payment and its receipt are voided) the same day while its desk is
/// still open, otherwise 冲红 (a negative payment with its own receipt posts the opposite amounts).
/// Either way every bill and the prepayment return to what they would be without it.
pub fn reverse(tx: &Tx, actor: &Actor, request: &Reversal, approved_by: &str) -> Result<Payment> {
    check_reason(request.reason, &request.note)?;
    let row = load(tx, "p.receipt_no = ?1", &request.receipt_no)?.ok_or_else(not_found)?;
    let original = &row.payment;
    if original.kind != PaymentKind::Payment || original.status != PaymentStatus::Posted {
        return Err(Error::Conflict(UserMessage::new(
            "reversal.not_posted",
            "该笔收费已冲正或冲红，或本身就是冲红/退费记录",
            "This payment was already reversed or corrected, or is itself a correction or refund",
        )));
    }
    let prepaid_now = prepaid(tx, row.customer_pk)?;
    let prepaid_delta = original.prepaid_after - original.prepaid_before;
    if prepaid_now < prepaid_delta {
        return Err(Error::Conflict(UserMessage::new(
            "reversal.prepaid_used",
            "该笔收费转入的预存已被后续账单或退费使用，无法冲销",
            "The prepayment this payment created has since been used; it cannot be undone",
        )));
    }
    // 冲正 while the payment's own desk is still open for taking money; a closed business date is
    // never changed, so its payments are corrected by a 冲红 in the desk open now.
    let open_desk = desk::current(tx)?.filter(|(pk, _)| *pk == row.session_pk);
    let void_in_place = match open_desk {
        Some(_) => desk::require_open(tx, actor).is_ok() && !desk::is_closed(tx, original.business_date)?,
        None => false,
    };
    // The cash it took, net of change, goes back out of a drawer, which must hold it.
    let cash_back = original.tenders.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount).sum::<Fen>() - original.change;
    if void_in_place {
        check_pay_back(tx, row.session_pk, cash_back, None)?;
        let mut unsettle = tx.prepare_cached("UPDATE bills SET paid_fen = paid_fen - ?2 WHERE id = ?1")?;
        for s in &original.settled {
            unsettle.execute((&s.bill_id, s.principal.0))?;
        }
        tx.execute(
            "UPDATE payments SET status = 'reversed', reversed_at = ?2, reason_code = ?3, reason_note = ?4, approved_by = ?5 WHERE pk = ?1",
            params![row.pk, stamp(actor.at), request.reason.code(), request.note.trim(), approved_by],
        )?;
        set_prepaid(tx, row.customer_pk, prepaid_now - prepaid_delta)?;
        let payment = load(tx, "p.pk = ?1", &row.pk)?.expect("exists").payment;
        record(tx, actor, "payment.reversed", "payment.reverse", &payment)?;
        super::arrears::after_reversal(tx, actor, &request.receipt_no)?;
        return Ok(payment);
    }
    // 冲红: the opposite amounts, in the desk open now; writing its negative allocations unsettles the bills.
    let (session_pk, session) = desk::require_open(tx, actor)?;
    check_pay_back(tx, session_pk, cash_back, None)?;
    let negated: Vec<Tender> = original.tenders.iter().map(|t| Tender { amount: -t.amount, ..t.clone() }).collect();
    let plan = Plan {
        allocations: original
            .settled
            .iter()
            .map(|s| Allocation { bill_id: s.bill_id.clone(), principal: -s.principal, late_fee: -s.late_fee, late_days: s.late_days })
            .collect(),
        remainder: prepaid_now - prepaid_delta,
    };
    let bill_pks: Vec<(String, i64)> =
        original.settled.iter().map(|s| Ok((s.bill_id.clone(), billing::bill_pk(tx, &s.bill_id)?.0))).collect::<Result<_>>()?;
    let (pk, _) = write_payment(
        tx,
        actor,
        NewPayment {
            kind: PaymentKind::RedLetter,
            business_date: session.business_date,
            customer_pk: row.customer_pk,
            session_pk,
            amount: -original.amount,
            tendered: -original.tendered,
            change: -original.change,
            tenders: &negated,
            plan: &plan,
            bill_pks: &bill_pks,
            prepaid_before: prepaid_now,
            prepaid_after: plan.remainder,
            idempotency_key: None,
            corrects_pk: Some(row.pk),
            reason: Some((request.reason, request.note.trim(), approved_by)),
        },
    )?;
    tx.execute(
        "UPDATE payments SET status = 'corrected', reason_code = ?2, reason_note = ?3, approved_by = ?4 WHERE pk = ?1",
        params![row.pk, request.reason.code(), request.note.trim(), approved_by],
    )?;
    let payment = load(tx, "p.pk = ?1", &pk)?.expect("just written").payment;
    record(tx, actor, "payment.red_letter", "payment.red_letter", &payment)?;
    // The bills it settled are owed again: a reconnection it raised waits for payment again.
    super::arrears::after_reversal(tx, actor, &request.receipt_no)?;
    Ok(payment)
}

/// A manager-authorised refund of prepayment.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct Refund {
    pub customer_id: String,
    pub amount: Fen,
    /// Cash from the drawer, or a bank transfer (with its serial number).
    pub tender: TenderKind,
    pub reference: Option<String>,
    pub reason: ReasonCode,
    pub note: String,
}

pub fn refund(tx: &Tx, actor: &Actor, request: &Refund, approved_by: &str) -> Result<Payment> {
    check_reason(request.reason, &request.note)?;
    if !matches!(request.tender, TenderKind::Cash | TenderKind::Transfer) {
        return Err(Error::invalid(
            UserMessage::new("refund.tender", "预存退费只能以现金或转账退还", "A refund is paid in cash or by transfer").at("tender"),
        ));
    }
    let tender = Tender { kind: request.tender, amount: request.amount, reference: request.reference.clone() };
    check_tenders(request.amount, std::slice::from_ref(&tender))?;
    let (session_pk, session) = desk::require_open(tx, actor)?;
    let customer_pk = customers::brief(tx, &request.customer_id)?.pk;
    let before = prepaid(tx, customer_pk)?;
    if request.amount > before {
        return Err(Error::invalid(
            UserMessage::new(
                "refund.exceeds",
                format!("退费金额超过预存余额 {before} 元"),
                format!("The refund exceeds the prepayment of {before}"),
            )
            .at("amount"),
        ));
    }
    if request.tender == TenderKind::Cash {
        check_pay_back(tx, session_pk, request.amount, Some("amount"))?;
    }
    let negated = [Tender { amount: -request.amount, ..tender }];
    let (pk, _) = write_payment(
        tx,
        actor,
        NewPayment {
            kind: PaymentKind::Refund,
            business_date: session.business_date,
            customer_pk,
            session_pk,
            amount: -request.amount,
            tendered: -request.amount,
            change: Fen::ZERO,
            tenders: &negated,
            plan: &Plan { allocations: Vec::new(), remainder: before - request.amount },
            bill_pks: &[],
            prepaid_before: before,
            prepaid_after: before - request.amount,
            idempotency_key: None,
            corrects_pk: None,
            reason: Some((request.reason, request.note.trim(), approved_by)),
        },
    )?;
    let payment = load(tx, "p.pk = ?1", &pk)?.expect("just written").payment;
    record(tx, actor, "prepayment.refunded", "prepayment.refund", &payment)?;
    Ok(payment)
}

/// Counts a print of the receipt; the first is the original, later ones are duplicates (重打).
pub fn count_print(tx: &Tx, receipt_no: &str) -> Result<i64> {
    tx.prepare_cached("UPDATE payments SET print_count = print_count + 1 WHERE receipt_no = ?1 RETURNING print_count")?
        .query_row([receipt_no], |r| r.get(0))
        .optional()?
        .ok_or_else(not_found)
}
