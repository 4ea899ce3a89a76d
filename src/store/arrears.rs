//! Arrears (欠费): the aging of what is owed, the notices printed, disconnection orders, and the
//! reconnection a clearing payment raises.
//!
//! The rules are `model::arrears`; this module reads the debt from the bills, records each notice
//! with its delivery, and writes every order with its outbox event and audit entry. The payment
//! path calls [`after_payment`] inside its own transaction, so that the payment that clears a
//! disconnected customer's arrears raises the reconnection order with it, or neither lands.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

use super::billing::period_year;
use super::{Actor, Tx, audit, customers, outbox};
use crate::billing::late_fee::{Accrual, Debtor, LateFeeBook, accrual};
use crate::clock::{business_date, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::arrears::{self, Bucket, Debt, Delivery, NoticeKind};
use crate::model::customer::CustomerClass;
use crate::model::money::Fen;

/// What one customer owes overdue today.
pub fn debt(conn: &Connection, customer_pk: i64, class: CustomerClass, today: NaiveDate) -> Result<Debt> {
    let (overdue, oldest): (i64, Option<String>) = conn
        .prepare_cached(
            "SELECT coalesce(sum(amount_fen - paid_fen), 0), min(due_date) FROM bills
             WHERE customer_pk = ?1 AND paid_fen < amount_fen AND due_date < ?2",
        )?
        .query_row(params![customer_pk, today.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let oldest_days = oldest.and_then(|d| d.parse::<NaiveDate>().ok()).map_or(0, |d| arrears::days_overdue(d, today));
    Ok(Debt { class, overdue: Fen(overdue), oldest_days })
}

/// One printed notice.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Notice {
    pub id: String,
    pub kind: NoticeKind,
    pub delivery: Delivery,
    pub owed: Fen,
    #[ts(type = "string | null")]
    pub planned_date: Option<NaiveDate>,
    pub sms_text: Option<String>,
    pub printed_at: String,
    pub printed_by_name: String,
}

/// A disconnection and what became of it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Disconnection {
    pub id: String,
    pub customer_id: String,
    pub account: String,
    pub customer_name: String,
    pub owed: Fen,
    pub ordered_at: String,
    pub ordered_by_name: String,
    pub paid_at: Option<String>,
    pub paid_receipt: Option<String>,
    /// 24 hours after the clearing payment.
    pub reconnect_due: Option<String>,
    pub reconnected_at: Option<String>,
}

/// A notice to print: for whom, which, how it is delivered, and the date a disconnection notice names.
#[derive(Debug, Clone, serde::Deserialize, Serialize, TS)]
pub struct NoticeRequest {
    pub customer_id: String,
    pub kind: NoticeKind,
    pub delivery: Delivery,
    #[ts(type = "string | null")]
    pub planned_date: Option<NaiveDate>,
}

/// Records a notice printed for the customer: checked against the notice periods first.
pub fn record_notice(tx: &Tx, actor: &Actor, user_id: &str, request: &NoticeRequest, company: &str) -> Result<Notice> {
    let NoticeRequest { customer_id, kind, delivery, planned_date: planned } = request;
    let (customer_id, kind, delivery, planned) = (customer_id.as_str(), *kind, *delivery, *planned);
    let c = customers::brief(tx, customer_id)?;
    let today = business_date(actor.at);
    let debt = debt(tx, c.pk, c.class, today)?;
    let planned = planned.filter(|_| kind == NoticeKind::Disconnection);
    arrears::check_notice(kind, debt, today, planned)?;
    let sms = (delivery == Delivery::Sms).then(|| arrears::sms_text(kind, &c.account, debt.overdue, planned, company));
    let id = uuid::Uuid::now_v7().to_string();
    let at = stamp(actor.at);
    tx.prepare_cached(
        "INSERT INTO arrears_notices (id, customer_pk, kind, delivery, owed_fen, planned_date, sms_text, printed_at, printed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id, c.pk, kind.code(), delivery.code(), debt.overdue.0, planned.map(|d| d.to_string()), sms, at, user_id])?;
    let payload = serde_json::json!({ "id": id, "customer_id": customer_id, "kind": kind.code(), "delivery": delivery.code(), "owed": debt.overdue.0, "planned_date": planned });
    outbox::append(tx, actor, "arrears.notice", &id, &payload)?;
    audit::append(tx, actor, "arrears.notice", customer_id, &payload)?;
    Ok(notices(tx, c.pk)?.into_iter().next().expect("the notice just written"))
}

/// A customer's notices, newest first.
pub fn notices(conn: &Connection, customer_pk: i64) -> Result<Vec<Notice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, n.kind, n.delivery, n.owed_fen, n.planned_date, n.sms_text, n.printed_at, coalesce(u.display_name, n.printed_by)
         FROM arrears_notices n LEFT JOIN users u ON u.id = n.printed_by WHERE n.customer_pk = ?1 ORDER BY n.pk DESC",
    )?;
    let rows = stmt.query_map([customer_pk], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, delivery, owed, planned, sms_text, printed_at, printed_by_name) = row?;
        out.push(Notice {
            id,
            kind: NoticeKind::from_code(&kind).ok_or_else(|| Error::Internal(format!("notice kind {kind}")))?,
            delivery: Delivery::from_code(&delivery).ok_or_else(|| Error::Internal(format!("notice delivery {delivery}")))?,
            owed: Fen(owed),
            planned_date: planned.and_then(|d| d.parse().ok()),
            sms_text,
            printed_at,
            printed_by_name,
        });
    }
    Ok(out)
}

/// Orders the supply cut: refused inside the notice period, without a notice, or once paid.
pub fn disconnect(tx: &Tx, actor: &Actor, user_id: &str, customer_id: &str) -> Result<Disconnection> {
    let c = customers::brief(tx, customer_id)?;
    let today = business_date(actor.at);
    if open_disconnection(tx, c.pk)?.is_some() {
        return Err(Error::Conflict(UserMessage::new(
            "arrears.already_disconnected",
            "该户已停电",
            "This customer's supply is already cut",
        )));
    }
    let debt = debt(tx, c.pk, c.class, today)?;
    // The notice must be about this debt: one no disconnection has used yet, printed after the
    // oldest bill owed now had fallen overdue (a notice for a debt since paid does not carry over
    // to a newer one, which needs its own notice and, for a household, its own 30 days).
    let oldest_due: Option<String> = tx
        .prepare_cached("SELECT min(due_date) FROM bills WHERE customer_pk = ?1 AND paid_fen < amount_fen AND due_date < ?2")?
        .query_row(params![c.pk, today.to_string()], |r| r.get(0))?;
    let notice: Option<(i64, String)> = match &oldest_due {
        None => None,
        Some(oldest_due) => tx
            .prepare_cached(
                "SELECT n.pk, n.planned_date FROM arrears_notices n
                 WHERE n.customer_pk = ?1 AND n.kind = 'disconnection' AND substr(n.printed_at, 1, 10) > ?2
                   AND NOT EXISTS (SELECT 1 FROM disconnections d WHERE d.notice_pk = n.pk)
                 ORDER BY n.pk DESC LIMIT 1",
            )?
            .query_row(params![c.pk, oldest_due], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    };
    let planned = notice.as_ref().and_then(|(_, d)| d.parse::<NaiveDate>().ok());
    arrears::check_disconnection(debt, planned, today)?;
    let notice_pk = notice.map(|(pk, _)| pk).expect("checked: a notice exists");
    let id = uuid::Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO disconnections (id, customer_pk, notice_pk, owed_fen, ordered_at, ordered_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, c.pk, notice_pk, debt.overdue.0, stamp(actor.at), user_id])?;
    let payload = serde_json::json!({ "id": id, "customer_id": customer_id, "owed": debt.overdue.0 });
    outbox::append(tx, actor, "arrears.disconnected", &id, &payload)?;
    audit::append(tx, actor, "arrears.disconnect", customer_id, &payload)?;
    get_disconnection(tx, &id)
}

fn open_disconnection(conn: &Connection, customer_pk: i64) -> Result<Option<(i64, String, Option<String>)>> {
    Ok(conn
        .prepare_cached("SELECT pk, id, paid_at FROM disconnections WHERE customer_pk = ?1 AND reconnected_at IS NULL")?
        .query_row([customer_pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Called by the payment path in its transaction: when the customer's supply is cut and nothing
/// is owed overdue any more, raises the reconnection order, due 24 hours after the payment.
pub fn after_payment(tx: &Tx, actor: &Actor, customer_pk: i64, class: CustomerClass, receipt_no: &str) -> Result<()> {
    let Some((pk, id, None)) = open_disconnection(tx, customer_pk)? else { return Ok(()) };
    if debt(tx, customer_pk, class, business_date(actor.at))?.overdue > Fen::ZERO {
        return Ok(());
    }
    let due = stamp(arrears::reconnection_due(actor.at));
    tx.prepare_cached("UPDATE disconnections SET paid_at = ?2, paid_receipt = ?3, reconnect_due = ?4 WHERE pk = ?1")?.execute(params![
        pk,
        stamp(actor.at),
        receipt_no,
        due
    ])?;
    let payload = serde_json::json!({ "id": id, "receipt_no": receipt_no, "reconnect_due": due });
    outbox::append(tx, actor, "arrears.reconnection_raised", &id, &payload)?;
    audit::append(tx, actor, "arrears.reconnection_raised", &id, &payload)
}

/// Called by a reversal in its transaction: when the reversed payment was the one that raised a
/// reconnection not yet carried out, the order goes back to waiting for payment.
pub fn after_reversal(tx: &Tx, actor: &Actor, receipt_no: &str) -> Result<()> {
    let raised: Option<String> = tx
        .prepare_cached("SELECT id FROM disconnections WHERE paid_receipt = ?1 AND reconnected_at IS NULL")?
        .query_row([receipt_no], |r| r.get(0))
        .optional()?;
    let Some(id) = raised else { return Ok(()) };
    tx.prepare_cached("UPDATE disconnections SET paid_at = NULL, paid_receipt = NULL, reconnect_due = NULL WHERE id = ?1")?
        .execute([&id])?;
    let payload = serde_json::json!({ "id": id, "reversed_receipt": receipt_no });
    outbox::append(tx, actor, "arrears.reconnection_withdrawn", &id, &payload)?;
    audit::append(tx, actor, "arrears.reconnection_withdrawn", &id, &payload)
}

/// Records the supply restored on a raised reconnection order.
pub fn reconnected(tx: &Tx, actor: &Actor, user_id: &str, id: &str) -> Result<Disconnection> {
    let d = get_disconnection(tx, id)?;
    if d.reconnected_at.is_some() {
        return Err(Error::Conflict(UserMessage::new("arrears.already_reconnected", "已恢复供电", "The supply is already restored")));
    }
    if d.paid_at.is_none() {
        return Err(Error::Conflict(UserMessage::new(
            "arrears.not_paid",
            "欠费结清后才能恢复供电",
            "The supply is restored once the arrears are paid",
        )));
    }
    tx.prepare_cached("UPDATE disconnections SET reconnected_at = ?2, reconnected_by = ?3 WHERE id = ?1")?.execute(params![
        id,
        stamp(actor.at),
        user_id
    ])?;
    outbox::append(tx, actor, "arrears.reconnected", id, &serde_json::json!({ "id": id }))?;
    audit::append(tx, actor, "arrears.reconnected", id, &serde_json::json!({ "id": id }))?;
    get_disconnection(tx, id)
}

const DISCONNECTION_COLUMNS: &str = "d.id, c.id, c.account, c.name, d.owed_fen, d.ordered_at, coalesce(u.display_name, d.ordered_by),
    d.paid_at, d.paid_receipt, d.reconnect_due, d.reconnected_at";

fn disconnection_from(r: &rusqlite::Row) -> rusqlite::Result<Disconnection> {
    Ok(Disconnection {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        account: r.get(2)?,
        customer_name: r.get(3)?,
        owed: Fen(r.get(4)?),
        ordered_at: r.get(5)?,
        ordered_by_name: r.get(6)?,
        paid_at: r.get(7)?,
        paid_receipt: r.get(8)?,
        reconnect_due: r.get(9)?,
        reconnected_at: r.get(10)?,
    })
}

pub fn get_disconnection(conn: &Connection, id: &str) -> Result<Disconnection> {
    conn.prepare_cached(&format!(
        "SELECT {DISCONNECTION_COLUMNS} FROM disconnections d JOIN customers c ON c.pk = d.customer_pk
         LEFT JOIN users u ON u.id = d.ordered_by WHERE d.id = ?1"
    ))?
    .query_row([id], disconnection_from)
    .optional()?
    .ok_or_else(|| Error::NotFound(UserMessage::new("disconnection.not_found", "未找到该停电记录", "No such disconnection")))
}

/// The customer's disconnections, newest first.
pub fn disconnections_of(conn: &Connection, customer_pk: i64) -> Result<Vec<Disconnection>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DISCONNECTION_COLUMNS} FROM disconnections d JOIN customers c ON c.pk = d.customer_pk
         LEFT JOIN users u ON u.id = d.ordered_by WHERE d.customer_pk = ?1 ORDER BY d.pk DESC"
    ))?;
    let rows = stmt.query_map([customer_pk], disconnection_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reconnection orders raised and not yet done, the earliest due first.
pub fn reconnections_due(conn: &Connection) -> Result<Vec<Disconnection>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DISCONNECTION_COLUMNS} FROM disconnections d JOIN customers c ON c.pk = d.customer_pk
         LEFT JOIN users u ON u.id = d.ordered_by WHERE d.reconnect_due IS NOT NULL AND d.reconnected_at IS NULL ORDER BY d.reconnect_due"
    ))?;
    let rows = stmt.query_map([], disconnection_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Aging

/// One cell of the aging: a class, a supply area, a bucket, current-year or cross-year bills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AgingRow {
    pub class: CustomerClass,
    pub area: String,
    pub bucket: Bucket,
    /// Bills of an earlier year than today's (跨年欠费).
    pub cross_year: bool,
    pub bills: u64,
    pub customers: u64,
    pub principal: Fen,
    /// Late fees accrued to today on those bills.
    pub late_fee: Fen,
}

/// An open bill as the aging needs it.
struct OpenBill {
    customer_pk: i64,
    due: NaiveDate,
    year: i32,
    outstanding: i64,
    waived: Option<NaiveDate>,
}

/// Every customer's class and area, the areas interned to small numbers.
struct Classes {
    areas: Vec<String>,
    of: HashMap<i64, (CustomerClass, u32)>,
}

/// Every customer's class and area, from the narrow index.
fn customer_classes(conn: &Connection) -> Result<Classes> {
    let mut areas: Vec<String> = Vec::new();
    let mut area_ids: HashMap<String, u32> = HashMap::new();
    let mut customers = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT pk, class, supply_area FROM customers INDEXED BY customers_class_area")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let class = CustomerClass::from_code(text(r.get_ref(1)?)?).unwrap_or(CustomerClass::Residential);
        let area = text(r.get_ref(2)?)?;
        let id = match area_ids.get(area) {
            Some(id) => *id,
            None => {
                let id = areas.len() as u32;
                areas.push(area.to_owned());
                area_ids.insert(area.to_owned(), id);
                id
            }
        };
        customers.insert(r.get(0)?, (class, id));
    }
    Ok(Classes { areas, of: customers })
}

/// The bills overdue and unpaid on `today`, from the partial index of open bills, in customer order.
fn open_bills(conn: &Connection, today: NaiveDate) -> Result<Vec<OpenBill>> {
    let mut stmt = conn.prepare_cached(
        "SELECT customer_pk, due_date, period, amount_fen - paid_fen, waived_through FROM bills INDEXED BY bills_open_aging
         WHERE paid_fen < amount_fen AND due_date < ?1",
    )?;
    let mut rows = stmt.query([today.to_string()])?;
    let date = |text: &str| text.parse::<NaiveDate>().map_err(|_| Error::Internal(format!("bill date {text}")));
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(OpenBill {
            customer_pk: r.get(0)?,
            due: date(text(r.get_ref(1)?)?)?,
            year: period_year(text(r.get_ref(2)?)?),
            outstanding: r.get(3)?,
            waived: r.get::<_, Option<String>>(4)?.as_deref().map(date).transpose()?,
        });
    }
    Ok(out)
}

/// The aging of every overdue bill on `today`, by class, area, bucket and year.
///
/// Two sequential passes, no join: every customer's class and area from a narrow index (interned
/// to small numbers), then every open bill from the partial index of open bills, in customer
/// order. (Running the two on two connections at once gained nothing: BENCHMARKS.md.) A bill's late fee takes the accrual shared by every bill of the same rate, year, due
/// date and waiver, computed once.
pub fn aging(conn: &Connection, book: &LateFeeBook, today: NaiveDate) -> Result<Vec<AgingRow>> {
    let Classes { areas, of: customers } = customer_classes(conn)?;
    let open = open_bills(conn, today)?;
    #[derive(Default)]
    struct Cell {
        bills: u64,
        customers: u64,
        principal: i64,
        fee: i64,
    }
    let mut accruals: HashMap<(bool, i32, NaiveDate, Option<NaiveDate>), Accrual> = HashMap::new();
    let mut cells: HashMap<(CustomerClass, u32, Bucket, bool), Cell> = HashMap::new();
    // The cells the current customer's bills have fallen in so far (a handful).
    let (mut seen_of, mut seen) = (i64::MIN, Vec::new());
    for bill in open {
        let OpenBill { customer_pk, due, year, outstanding, waived } = bill;
        let Some(&(class, area)) = customers.get(&customer_pk) else { continue };
        let Some(bucket) = arrears::bucket(arrears::days_overdue(due, today)) else { continue };
        let residential = class == CustomerClass::Residential;
        let acc = accruals.entry((residential, year, due, waived)).or_insert_with(|| {
            let debtor = if residential { Debtor::Residential } else { Debtor::Other };
            accrual(book, debtor, year, due, waived, today)
        });
        let fee = acc.on(Fen(outstanding)).fee;
        let key = (class, area, bucket, year < today.year());
        let cell = cells.entry(key).or_default();
        cell.bills += 1;
        // The bills come in customer order: a customer is counted once in each cell its bills
        // fall in, whatever order its bills come in.
        if seen_of != customer_pk {
            seen_of = customer_pk;
            seen.clear();
        }
        if !seen.contains(&key) {
            seen.push(key);
            cell.customers += 1;
        }
        cell.principal += outstanding;
        cell.fee += fee.0;
    }
    let mut out: Vec<AgingRow> = cells
        .into_iter()
        .map(|((class, area, bucket, cross_year), c)| AgingRow {
            class,
            area: areas[area as usize].clone(),
            bucket,
            cross_year,
            bills: c.bills,
            customers: c.customers,
            principal: Fen(c.principal),
            late_fee: Fen(c.fee),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.class.code(), &a.area, a.bucket.code(), a.cross_year).cmp(&(b.class.code(), &b.area, b.bucket.code(), b.cross_year))
    });
    Ok(out)
}

/// A text column read in place (no copy per row).
fn text(v: rusqlite::types::ValueRef<'_>) -> Result<&str> {
    v.as_str().map_err(|e| Error::Internal(format!("aging: {e}")))
}

/// A customer in arrears, for the list the notices are printed from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ArrearsCustomer {
    pub customer_id: String,
    pub account: String,
    pub name: String,
    pub class: CustomerClass,
    pub area: String,
    pub overdue: Fen,
    pub oldest_days: i64,
    pub disconnected: bool,
}

/// Customers owing overdue bills, most overdue first, filtered by class, area and minimum days.
pub fn debtors(
    conn: &Connection,
    today: NaiveDate,
    class: Option<CustomerClass>,
    area: Option<&str>,
    min_days: i64,
    limit: u32,
) -> Result<Vec<ArrearsCustomer>> {
    let latest_due = today - chrono::Duration::days(min_days.max(1));
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.account, c.name, c.class, c.supply_area, sum(b.amount_fen - b.paid_fen), min(b.due_date),
                EXISTS (SELECT 1 FROM disconnections d WHERE d.customer_pk = c.pk AND d.reconnected_at IS NULL)
         FROM bills b JOIN customers c ON c.pk = b.customer_pk
         WHERE b.paid_fen < b.amount_fen AND b.due_date < ?1 AND (?2 IS NULL OR c.class = ?2) AND (?3 IS NULL OR c.supply_area = ?3)
         GROUP BY c.pk HAVING min(b.due_date) <= ?4
         ORDER BY min(b.due_date), c.account LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![today.to_string(), class.map(CustomerClass::code), area, latest_due.to_string(), limit.clamp(1, 5000)],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, bool>(7)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (customer_id, account, name, class, area, overdue, oldest, disconnected) = row?;
        out.push(ArrearsCustomer {
            customer_id,
            account,
            name,
            class: CustomerClass::from_code(&class).unwrap_or(CustomerClass::Residential),
            area,
            overdue: Fen(overdue),
            oldest_days: oldest.parse::<NaiveDate>().map_or(0, |d| arrears::days_overdue(d, today)),
            disconnected,
        });
    }
    Ok(out)
}

/// Whether an instant has passed (for the reconnection deadline).
pub fn overdue_at(due: &str, now: DateTime<Utc>) -> bool {
    crate::clock::parse_stamp(due).is_some_and(|d| now > d)
}
