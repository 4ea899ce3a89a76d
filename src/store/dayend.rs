//! Day-end (日结/解款): the outlet's takings of one business day by tender, clerk and desk, the
//! deposit slip's figures, and the closing of the day.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::desk::{self, DenominationCount, DeskSession, TenderAmount};
use super::{Actor, Tx, audit, outbox};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;
use crate::model::payment::{DENOMINATIONS, TenderKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClerkTakings {
    pub clerk_id: String,
    pub clerk_name: String,
    pub payments: i64,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayReport {
    #[ts(type = "string")]
    pub date: NaiveDate,
    pub outlet_code: String,
    /// Money taken (payments less red letters and refunds; reversed payments are not counted).
    pub total: Fen,
    pub payments: i64,
    pub bills_settled: Fen,
    pub late_fees: Fen,
    pub to_prepayment: Fen,
    pub reversals: i64,
    pub reversed_amount: Fen,
    pub red_letters: i64,
    pub red_letter_amount: Fen,
    pub refunds: i64,
    pub refund_amount: Fen,
    pub by_tender: Vec<TenderAmount>,
    pub by_clerk: Vec<ClerkTakings>,
    pub desks: Vec<DeskSession>,
    /// Cash counted at all closed desks, by denomination, and what goes to the bank after the
    /// floats stay behind.
    pub counted: Vec<DenominationCount>,
    pub cash_counted: Fen,
    pub floats: Fen,
    pub deposit: Fen,
    pub over_short: Fen,
    pub open_desks: i64,
    /// Events not yet acknowledged by head office: the day can close offline, but it says so.
    pub pending_events: i64,
    pub closed_at: Option<String>,
    /// When a manager last reopened the day: papers printed since are re-issues (重开后补打).
    pub reopened_at: Option<String>,
}

/// The payments of the business day `?1`. A payment's day is its desk's, so they are found through
/// the day's desk sessions (both indexed).
const OF_DAY: &str = "session_pk IN (SELECT pk FROM desk_sessions WHERE business_date = ?1)";

/// The report of `date`, from the payments and desks of that business day.
pub fn report(conn: &Connection, date: NaiveDate) -> Result<DayReport> {
    let day = date.to_string();
    let one = |sql: &str| -> Result<(i64, i64)> {
        Ok(conn.prepare_cached(sql)?.query_row([&day], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0))))?)
    };
    let (payments, total) =
        one(&format!("SELECT count(*), sum(amount_fen) FROM payments WHERE {OF_DAY} AND status != 'reversed' AND kind = 'payment'"))?;
    let (reversals, reversed_amount) =
        one(&format!("SELECT count(*), sum(amount_fen) FROM payments WHERE {OF_DAY} AND status = 'reversed'"))?;
    let (red_letters, red_letter_amount) =
        one(&format!("SELECT count(*), sum(amount_fen) FROM payments WHERE {OF_DAY} AND kind = 'red_letter'"))?;
    let (refunds, refund_amount) = one(&format!("SELECT count(*), sum(amount_fen) FROM payments WHERE {OF_DAY} AND kind = 'refund'"))?;
    let (bills_settled, late_fees, to_prepayment): (i64, i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(bills_fen), 0), coalesce(sum(late_fee_fen), 0), coalesce(sum(prepaid_after_fen - prepaid_before_fen), 0)
         FROM payments WHERE {OF_DAY} AND status != 'reversed'"
        ))?
        .query_row([&day], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;

    let mut by_kind: std::collections::HashMap<String, i64> = conn
        .prepare_cached(&format!(
            "SELECT t.kind, sum(t.amount_fen) FROM payment_tenders t JOIN payments p ON p.pk = t.payment_pk
             WHERE p.{OF_DAY} AND p.status != 'reversed' GROUP BY t.kind"
        ))?
        .query_map([&day], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let change: i64 = conn
        .prepare_cached(&format!("SELECT coalesce(sum(change_fen), 0) FROM payments WHERE {OF_DAY} AND status != 'reversed'"))?
        .query_row([&day], |r| r.get(0))?;
    *by_kind.entry("cash".into()).or_default() -= change;
    let by_tender =
        TenderKind::ALL.iter().map(|k| TenderAmount { kind: *k, amount: Fen(by_kind.get(k.code()).copied().unwrap_or(0)) }).collect();

    let by_clerk = conn
        .prepare_cached(&format!(
            "SELECT p.clerk_id, coalesce(u.display_name, p.clerk_id), count(*) FILTER (WHERE p.kind = 'payment'), sum(p.amount_fen)
             FROM payments p LEFT JOIN users u ON u.id = p.clerk_id
             WHERE p.{OF_DAY} AND p.status != 'reversed' GROUP BY p.clerk_id ORDER BY 2"
        ))?
        .query_map([&day], |r| {
            Ok(ClerkTakings { clerk_id: r.get(0)?, clerk_name: r.get(1)?, payments: r.get(2)?, amount: Fen(r.get(3)?) })
        })?
        .collect::<rusqlite::Result<_>>()?;

    let desks: Vec<DeskSession> = desk::of_day(conn, date)?.into_iter().map(|(_, d)| d).collect();
    let mut counted: Vec<DenominationCount> = DENOMINATIONS.iter().map(|&d| DenominationCount { denomination: d, count: 0 }).collect();
    for c in desks.iter().flat_map(|d| &d.count) {
        if let Some(slot) = counted.iter_mut().find(|s| s.denomination == c.denomination) {
            slot.count += c.count;
        }
    }
    let closed = || desks.iter().filter(|d| d.status == "closed");
    let cash_counted: Fen = closed().filter_map(|d| d.counted_cash).sum();
    let floats: Fen = closed().map(|d| d.float).sum();
    let over_short: Fen = closed().filter_map(|d| d.over_short).sum();
    let open_desks = desks.iter().filter(|d| d.status == "open").count() as i64;
    // A closed day's report is the one of its close, the count of unsent events included.
    let closure: Option<(String, i64)> = conn
        .query_row("SELECT closed_at, pending_events FROM day_closures WHERE business_date = ?1", [&day], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let pending_events = match &closure {
        Some((_, pending)) => *pending,
        None => super::outbox::pending(conn)?,
    };
    let closed_at = closure.map(|(at, _)| at);
    let reopened_at: Option<String> =
        conn.query_row("SELECT max(reopened_at) FROM day_reopenings WHERE business_date = ?1", [&day], |r| r.get(0)).optional()?.flatten();
    let outlet_code: String = conn.query_row("SELECT outlet_code FROM workstation", [], |r| r.get(0))?;
    Ok(DayReport {
        date,
        outlet_code,
        total: Fen(total + red_letter_amount + refund_amount),
        payments,
        bills_settled: Fen(bills_settled),
        late_fees: Fen(late_fees),
        to_prepayment: Fen(to_prepayment),
        reversals,
        reversed_amount: Fen(reversed_amount),
        red_letters,
        red_letter_amount: Fen(red_letter_amount),
        refunds,
        refund_amount: Fen(refund_amount),
        by_tender,
        by_clerk,
        desks,
        counted,
        cash_counted,
        floats,
        deposit: cash_counted - floats,
        over_short,
        open_desks,
        pending_events,
        closed_at,
        reopened_at,
    })
}

/// A date may be reported or closed up to the one money is taken for now (the next business date
/// once today is closed), never later.
pub fn check_not_future(conn: &Connection, at: chrono::DateTime<chrono::Utc>, date: NaiveDate) -> Result<()> {
    let latest = desk::next_open_date(conn, at)?;
    if date > latest {
        return Err(Error::invalid(
            UserMessage::new(
                "dayend.future",
                format!("{date} 尚未到来，营业日期不能晚于 {latest}"),
                format!("{date} has not come yet; the business date cannot be after {latest}"),
            )
            .at("date"),
        ));
    }
    Ok(())
}

/// Neither closing nor reopening a day happens while a desk is open.
fn desk_still_open() -> Error {
    Error::Conflict(UserMessage::new("dayend.open_desk", "仍有收费台未轧账，请先轧账", "A desk is still open; close it first"))
}

/// Closes the business day once every desk of it is balanced. A day closes once it has begun:
/// after today's close the next date takes money, but closing it too before it begins would date
/// all of that real day's takings a day ahead.
pub fn close_day(tx: &Tx, actor: &Actor, date: NaiveDate) -> Result<DayReport> {
    check_not_future(tx, actor.at, date)?;
    let today = crate::clock::business_date(actor.at);
    if date > today {
        return Err(Error::invalid(
            UserMessage::new(
                "dayend.not_begun",
                format!("{date} 营业日尚未开始，不能日结（今天是 {today}）"),
                format!("{date} has not begun and cannot be closed yet (today is {today})"),
            )
            .at("date"),
        ));
    }
    let before = report(tx, date)?;
    if before.closed_at.is_some() {
        return Err(Error::Conflict(UserMessage::new("dayend.closed", format!("{date} 已日结"), format!("{date} is already closed"))));
    }
    if before.open_desks > 0 {
        return Err(desk_still_open());
    }
    let closed_by = actor.user_id.clone().unwrap_or_default();
    tx.execute(
        "INSERT INTO day_closures (business_date, closed_at, closed_by, pending_events) VALUES (?1, ?2, ?3, ?4)",
        (date.to_string(), stamp(actor.at), &closed_by, before.pending_events),
    )?;
    let detail = serde_json::json!({ "date": date, "total": before.total, "deposit": before.deposit, "over_short": before.over_short });
    outbox::append(tx, actor, "day.closed", &date.to_string(), &detail)?;
    audit::append(tx, actor, "day.close", &date.to_string(), &detail)?;
    report(tx, date)
}

/// Reopens the last closed business day, with the manager's reason: the day takes money again
/// until it is closed anew, and its papers printed from now on say they are re-issued.
pub fn reopen_day(tx: &Tx, actor: &Actor, date: NaiveDate, reason: &str, approved_by: &str) -> Result<DayReport> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(UserMessage::new("dayend.reason", "请填写重开原因", "Enter the reason for reopening").at("reason")));
    }
    let closure: Option<(String, String)> = tx
        .query_row("SELECT closed_at, closed_by FROM day_closures WHERE business_date = ?1", [date.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((closed_at, closed_by)) = closure else {
        return Err(Error::Conflict(UserMessage::new("dayend.not_closed", format!("{date} 尚未日结"), format!("{date} is not closed"))));
    };
    let last: String = tx.query_row("SELECT max(business_date) FROM day_closures", [], |r| r.get(0))?;
    if last != date.to_string() {
        return Err(Error::Conflict(UserMessage::new(
            "dayend.not_last",
            format!("只能重开最近一个已日结的营业日（{last}）"),
            format!("Only the last closed business day ({last}) can be reopened"),
        )));
    }
    if desk::current(tx)?.is_some() {
        return Err(desk_still_open());
    }
    let by = actor.user_id.clone().unwrap_or_default();
    tx.execute(
        "INSERT INTO day_reopenings (business_date, closed_at, closed_by, reopened_at, reopened_by, approved_by, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (date.to_string(), &closed_at, &closed_by, stamp(actor.at), &by, approved_by, reason),
    )?;
    tx.execute("DELETE FROM day_closures WHERE business_date = ?1", [date.to_string()])?;
    let detail = serde_json::json!({ "date": date, "reason": reason, "approved_by": approved_by, "closed_at": closed_at });
    outbox::append(tx, actor, "day.reopened", &date.to_string(), &detail)?;
    audit::append(tx, actor, "day.reopen", &date.to_string(), &detail)?;
    report(tx, date)
}
