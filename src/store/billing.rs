//! Tariff versions, meter readings and bills. A bill is issued from a reading at the counter, from
//! an imported file, or (later) by sync; whichever way, a prepayment the customer holds pays it at
//! once, and the bill, its outbox event and its audit entry are written together.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{Actor, Tx, audit, customers, outbox};
use crate::billing::late_fee::LateFeeBook;
use crate::billing::power_factor::PfStandard;
use crate::billing::{BasicBy, BasicSegment, BillCalc, BillContext, BillLine, Usage, compute_bill};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::{CustomerClass, CustomerStatus};
use crate::model::money::Fen;
use crate::model::tariff::{TariffBook, TariffVersion};

/// Records tariff versions as received. A version already recorded must be identical once it is
/// in force on `today`: a version in force is immutable; a correction is a new version.
pub fn record_tariffs(tx: &Tx, versions: &[TariffVersion], today: NaiveDate) -> Result<usize> {
    let mut added = 0;
    for version in versions {
        let body = serde_json::to_string(version)?;
        let hash = hex::encode(Sha256::digest(body.as_bytes()));
        let key = (version.code.as_str(), version.effective_from.to_string());
        let existing: Option<String> = tx
            .query_row("SELECT sha256 FROM tariff_versions WHERE code = ?1 AND effective_from = ?2", (key.0, &key.1), |r| r.get(0))
            .optional()?;
        match existing {
            None => {
                tx.execute(
                    "INSERT INTO tariff_versions (code, effective_from, body, sha256) VALUES (?1, ?2, ?3, ?4)",
                    (key.0, &key.1, &body, &hash),
                )?;
                added += 1;
            }
            Some(h) if h == hash => {}
            Some(_) if version.effective_from <= today => {
                return Err(Error::Conflict(UserMessage::new(
                    "tariff.immutable",
                    format!("电价 {} 自 {} 起已生效，不能修改；请发布新版本", version.code, version.effective_from),
                    format!("Tariff {} in force since {} cannot be changed; publish a new version", version.code, version.effective_from),
                )));
            }
            Some(_) => {
                tx.execute(
                    "UPDATE tariff_versions SET body = ?3, sha256 = ?4 WHERE code = ?1 AND effective_from = ?2",
                    (key.0, &key.1, &body, &hash),
                )?;
            }
        }
    }
    Ok(added)
}

/// Every recorded tariff version.
pub fn tariff_book(conn: &Connection) -> Result<TariffBook> {
    let mut stmt = conn.prepare_cached("SELECT body FROM tariff_versions")?;
    let versions = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|body| Ok(serde_json::from_str::<TariffVersion>(&body?)?))
        .collect::<Result<Vec<_>>>()?;
    Ok(TariffBook::new(versions))
}

/// A bill as the counter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Bill {
    pub id: String,
    pub customer_id: String,
    pub period: String,
    pub source: String,
    pub tariff_code: String,
    pub kwh: i64,
    pub amount: Fen,
    pub paid: Fen,
    pub outstanding: Fen,
    #[ts(type = "string")]
    pub due_date: NaiveDate,
    #[ts(type = "string | null")]
    pub waived_through: Option<NaiveDate>,
    pub lines: Vec<BillLine>,
    pub issued_at: String,
}

const BILL_COLUMNS: &str =
    "b.id, c.id, b.period, b.source, b.tariff_code, b.kwh, b.amount_fen, b.paid_fen, b.due_date, b.waived_through, b.lines, b.issued_at";
/// The same columns with the lines left out (read as an empty list).
const BILL_COLUMNS_NO_LINES: &str =
    "b.id, c.id, b.period, b.source, b.tariff_code, b.kwh, b.amount_fen, b.paid_fen, b.due_date, b.waived_through, '[]', b.issued_at";

fn bill_from_row(r: &rusqlite::Row) -> rusqlite::Result<Bill> {
    let amount: i64 = r.get(6)?;
    let paid: i64 = r.get(7)?;
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> { Ok(r.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok())) };
    Ok(Bill {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        period: r.get(2)?,
        source: r.get(3)?,
        tariff_code: r.get(4)?,
        kwh: r.get(5)?,
        amount: Fen(amount),
        paid: Fen(paid),
        outstanding: Fen(amount - paid),
        due_date: date(8)?.unwrap_or_default(),
        waived_through: date(9)?,
        lines: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
        issued_at: r.get(11)?,
    })
}

/// A customer's bills, newest first.
pub fn bills_of(conn: &Connection, customer_pk: i64) -> Result<Vec<Bill>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {BILL_COLUMNS} FROM bills b JOIN customers c ON c.pk = b.customer_pk WHERE b.customer_pk = ?1 ORDER BY b.period DESC"
    ))?;
    Ok(stmt.query_map([customer_pk], bill_from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// A customer's bills with money owed, oldest first.
pub fn open_bills_of(conn: &Connection, customer_pk: i64) -> Result<Vec<(i64, Bill)>> {
    open_bills_query(conn, customer_pk, BILL_COLUMNS)
}

/// The same without the bill lines, for posting a payment, which does not print them.
pub fn open_bills_without_lines(conn: &Connection, customer_pk: i64) -> Result<Vec<(i64, Bill)>> {
    open_bills_query(conn, customer_pk, BILL_COLUMNS_NO_LINES)
}

fn open_bills_query(conn: &Connection, customer_pk: i64, columns: &str) -> Result<Vec<(i64, Bill)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, b.pk FROM bills b JOIN customers c ON c.pk = b.customer_pk
         WHERE b.customer_pk = ?1 AND b.paid_fen < b.amount_fen ORDER BY b.period"
    ))?;
    Ok(stmt.query_map([customer_pk], |r| Ok((r.get(12)?, bill_from_row(r)?)))?.collect::<rusqlite::Result<_>>()?)
}

pub fn bill_pk(conn: &Connection, id: &str) -> Result<(i64, i64)> {
    conn.query_row("SELECT pk, customer_pk FROM bills WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(UserMessage::new("bill.not_found", "找不到该账单", "No such bill")))
}

/// A customer's prepayment balance.
pub fn prepaid(conn: &Connection, customer_pk: i64) -> Result<Fen> {
    Ok(Fen(conn
        .prepare_cached("SELECT prepaid_fen FROM balances WHERE customer_pk = ?1")?
        .query_row([customer_pk], |r| r.get(0))
        .optional()?
        .unwrap_or(0)))
}

pub(crate) fn set_prepaid(tx: &Tx, customer_pk: i64, amount: Fen) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO balances (customer_pk, prepaid_fen) VALUES (?1, ?2)
         ON CONFLICT (customer_pk) DO UPDATE SET prepaid_fen = excluded.prepaid_fen",
    )?
    .execute((customer_pk, amount.0))?;
    Ok(())
}

/// `YYYY-MM` → (year, month), or a clear error.
pub fn parse_period(period: &str) -> Result<(i32, u32)> {
    let bad = || {
        Error::invalid(
            UserMessage::new("bill.period", "账期格式应为 年-月，如 2026-10", "The period must be year-month, e.g. 2026-10").at("period"),
        )
    };
    let (y, m) = period.split_once('-').ok_or_else(bad)?;
    let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if y.len() != 4 || m.len() != 2 || !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    Ok((year, month))
}

/// What a new bill is made of, however it was computed.
pub struct NewBill<'a> {
    pub customer_pk: i64,
    pub customer_id: &'a str,
    pub period: &'a str,
    pub source: &'a str,
    pub tariff: (&'a str, NaiveDate),
    pub kwh: i64,
    pub calc: &'a BillCalc,
    pub due_date: NaiveDate,
    pub reading_pk: Option<i64>,
}

/// Writes a bill, lets the customer's prepayment pay it, and records the event and audit entry.
pub fn insert_bill(tx: &Tx, actor: &Actor, new: NewBill) -> Result<Bill> {
    let exists: Option<i64> = tx
        .query_row("SELECT 1 FROM bills WHERE customer_pk = ?1 AND period = ?2", (new.customer_pk, new.period), |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Err(Error::Conflict(
            UserMessage::new(
                "bill.duplicate",
                format!("该户 {} 的账单已存在", new.period),
                format!("This customer already has a bill for {}", new.period),
            )
            .at("period"),
        ));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let prepaid = prepaid(tx, new.customer_pk)?;
    let from_prepaid = prepaid.min(new.calc.total);
    tx.prepare_cached(
        "INSERT INTO bills (id, customer_pk, period, source, tariff_code, tariff_effective_from, kwh, amount_fen, paid_fen, due_date, lines, reading_pk, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        new.customer_pk,
        new.period,
        new.source,
        new.tariff.0,
        new.tariff.1.to_string(),
        new.kwh,
        new.calc.total.0,
        from_prepaid.0,
        new.due_date.to_string(),
        serde_json::to_string(&new.calc.lines)?,
        new.reading_pk,
        stamp(actor.at),
    ])?;
    if from_prepaid.is_positive() {
        let bill_pk = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO prepayment_uses (bill_pk, amount_fen, at) VALUES (?1, ?2, ?3)",
            (bill_pk, from_prepaid.0, stamp(actor.at)),
        )?;
        set_prepaid(tx, new.customer_pk, prepaid - from_prepaid)?;
    }
    let bill = Bill {
        id: id.clone(),
        customer_id: new.customer_id.to_owned(),
        period: new.period.to_owned(),
        source: new.source.to_owned(),
        tariff_code: new.tariff.0.to_owned(),
        kwh: new.kwh,
        amount: new.calc.total,
        paid: from_prepaid,
        outstanding: new.calc.total - from_prepaid,
        due_date: new.due_date,
        waived_through: None,
        lines: new.calc.lines.clone(),
        issued_at: stamp(actor.at),
    };
    outbox::append(tx, actor, "bill.issued", &id, &serde_json::json!({ "bill": bill, "paid_from_prepayment": from_prepaid }))?;
    if actor.user_id.is_some() {
        audit::append(
            tx,
            actor,
            "bill.issue",
            &id,
            &serde_json::json!({ "customer": new.customer_id, "period": new.period, "amount": new.calc.total }),
        )?;
    }
    Ok(bill)
}

/// A meter reading as entered at the counter: the registers' current values.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
pub struct ReadingInput {
    pub customer_id: String,
    pub meter_number: String,
    pub period: String,
    /// The previous total register, only for a meter's first reading here.
    pub previous_total: Option<i64>,
    pub total: i64,
    pub peak: Option<i64>,
    pub valley: Option<i64>,
    pub reactive: Option<i64>,
    pub max_demand_kw: Option<i64>,
    pub basic_by: Option<BasicBy>,
    #[serde(default)]
    pub basic_segments: Vec<BasicSegment>,
}

#[derive(Debug, Clone)]
struct LastReading {
    total: i64,
    peak: Option<i64>,
    valley: Option<i64>,
    reactive: Option<i64>,
    period: String,
}

fn last_reading(conn: &Connection, meter: &str) -> Result<Option<LastReading>> {
    Ok(conn
        .query_row(
            "SELECT total, peak, valley, reactive, period FROM readings WHERE meter_number = ?1 ORDER BY period DESC LIMIT 1",
            [meter],
            |r| Ok(LastReading { total: r.get(0)?, peak: r.get(1)?, valley: r.get(2)?, reactive: r.get(3)?, period: r.get(4)? }),
        )
        .optional()?)
}

/// Records a reading and issues its bill under the tariff in force for the period.
pub fn enter_reading(tx: &Tx, actor: &Actor, book: &TariffBook, late_fees: &LateFeeBook, input: &ReadingInput) -> Result<Bill> {
    let (year, month) = parse_period(&input.period)?;
    let (customer_pk, customer) = customers::get_with_pk(tx, &input.customer_id)?;
    if customer.status != CustomerStatus::Active {
        return Err(Error::invalid(UserMessage::new(
            "bill.customer_closed",
            "该户已销户，不能抄表出账",
            "This account is closed; no bills can be issued",
        )));
    }
    let meter = customer.record.meters.iter().find(|m| m.number == input.meter_number).ok_or_else(|| {
        Error::invalid(
            UserMessage::new("reading.meter", "该电能表不属于此户", "This meter does not belong to the customer").at("meter_number"),
        )
    })?;
    let last = last_reading(tx, &meter.number)?;
    if let Some(last) = &last
        && last.period >= input.period
    {
        return Err(Error::invalid(
            UserMessage::new(
                "reading.period",
                format!("该表已抄至 {}，账期须在其后", last.period),
                format!("This meter is read up to {}; the period must be later", last.period),
            )
            .at("period"),
        ));
    }
    let previous = last.clone().unwrap_or(LastReading {
        total: input.previous_total.unwrap_or(0),
        peak: input.peak.map(|_| 0),
        valley: input.valley.map(|_| 0),
        reactive: input.reactive.map(|_| 0),
        period: String::new(),
    });
    let lower = |field: &str, now: Option<i64>, before: Option<i64>| -> Result<Option<i64>> {
        match (now, before) {
            (Some(n), Some(b)) if n < b => Err(Error::invalid(
                UserMessage::new(
                    "reading.lower",
                    format!("本次示数 {n} 小于上次示数 {b}"),
                    format!("The reading {n} is lower than the last one, {b}"),
                )
                .at(field),
            )),
            (Some(n), b) => Ok(Some((n - b.unwrap_or(0)) * meter.multiplier as i64)),
            (None, _) => Ok(None),
        }
    };
    let total_kwh = lower("total", Some(input.total), Some(previous.total))?.unwrap_or(0);
    let usage = Usage {
        total_kwh,
        peak_kwh: lower("peak", input.peak, previous.peak)?,
        valley_kwh: lower("valley", input.valley, previous.valley)?,
        reactive_kvarh: lower("reactive", input.reactive, previous.reactive)?,
        max_demand_kw: input.max_demand_kw,
    };
    let first_day = NaiveDate::from_ymd_opt(year, month, 1).expect("a parsed period is a valid month");
    let version = book.in_force(&customer.record.tariff_code, first_day)?;
    let year_to_date_kwh: i64 = tx.query_row(
        "SELECT coalesce(sum(kwh), 0) FROM bills WHERE customer_pk = ?1 AND period >= ?2 AND period < ?3",
        (customer_pk, format!("{year}-01"), &input.period),
        |r| r.get(0),
    )?;
    let ctx = BillContext {
        year_to_date_kwh,
        basic_by: input.basic_by,
        basic_segments: input.basic_segments.clone(),
        capacity_kva: customer.record.capacity_kva as i64,
        pf_standard: PfStandard::for_customer(customer.record.class, customer.record.capacity_kva),
    };
    let calc = compute_bill(version, &usage, &ctx)?;
    tx.prepare_cached(
        "INSERT INTO readings (id, customer_pk, meter_number, period, previous_total, total, peak, valley, reactive, max_demand_kw, multiplier, user_id, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        uuid::Uuid::now_v7().to_string(),
        customer_pk,
        meter.number,
        input.period,
        previous.total,
        input.total,
        input.peak,
        input.valley,
        input.reactive,
        input.max_demand_kw,
        meter.multiplier,
        actor.user_id,
        stamp(actor.at),
    ])?;
    let reading_pk = tx.last_insert_rowid();
    insert_bill(
        tx,
        actor,
        NewBill {
            customer_pk,
            customer_id: &customer.id,
            period: &input.period,
            source: "counter",
            tariff: (&version.code, version.effective_from),
            kwh: total_kwh,
            calc: &calc,
            due_date: late_fees.due_date(year, month),
            reading_pk: Some(reading_pk),
        },
    )
}

/// Whether the customer pays the residential late-fee rate.
pub fn is_residential(class: CustomerClass) -> bool {
    class == CustomerClass::Residential
}

/// The year of a `YYYY-MM` period (periods are checked before they are stored).
pub fn period_year(period: &str) -> i32 {
    period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// Waives the late fee a bill has accrued up to `through` (a manager's decision, with a reason).
pub fn waive_late_fee(tx: &Tx, actor: &Actor, bill_id: &str, through: NaiveDate, reason: &str, approved_by: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(UserMessage::new("waiver.reason", "请填写减免原因", "Enter the reason for the waiver").at("reason")));
    }
    let (bill_pk, _) = bill_pk(tx, bill_id)?;
    tx.execute(
        "INSERT INTO late_fee_waivers (bill_pk, through_date, reason, approved_by, user_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![bill_pk, through.to_string(), reason, approved_by, actor.user_id, stamp(actor.at)],
    )?;
    tx.execute("UPDATE bills SET waived_through = max(coalesce(waived_through, ''), ?2) WHERE pk = ?1", (bill_pk, through.to_string()))?;
    let detail = serde_json::json!({ "bill": bill_id, "through": through, "reason": reason, "approved_by": approved_by });
    outbox::append(tx, actor, "late_fee.waived", bill_id, &detail)?;
    audit::append(tx, actor, "late_fee.waive", bill_id, &detail)?;
    Ok(())
}
