//! The cash desk (收费台): a clerk opens it with a counted float, records cash in and out, takes
//! payments into it, and closes it with a count by denomination against what the system expects.
//! One desk is open per workstation at a time.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Actor, Tx, audit, outbox, settings};
use crate::clock::{business_date, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;
use crate::model::payment::{DENOMINATIONS, MAX_AMOUNT, TenderKind, too_large};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DenominationCount {
    /// The note or coin, in fen (10000 = 100 元).
    pub denomination: i64,
    pub count: i64,
}

/// `cash` as the fewest notes and coins: the count of a drawer that holds exactly what is expected
/// (the demo's and the benchmarks' balanced desks).
pub fn exact_count(cash: Fen) -> Vec<DenominationCount> {
    let mut left = cash.0.max(0);
    DENOMINATIONS
        .iter()
        .map(|&d| {
            let count = left / d;
            left -= count * d;
            DenominationCount { denomination: d, count }
        })
        .collect()
}

/// What the system expects in the drawer and in each other tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Expected {
    pub float: Fen,
    pub cash_in: Fen,
    pub cash_out: Fen,
    /// Takings by tender (cash net of change), reversed payments excluded.
    pub takings: Vec<TenderAmount>,
    /// Float + cash in − cash out + cash takings.
    pub cash: Fen,
    pub payments: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TenderAmount {
    pub kind: TenderKind,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeskSession {
    pub id: String,
    pub clerk_id: String,
    pub clerk_name: String,
    #[ts(type = "string")]
    pub business_date: NaiveDate,
    pub opened_at: String,
    pub float: Fen,
    /// `open` or `closed`.
    pub status: String,
    pub closed_at: Option<String>,
    pub count: Vec<DenominationCount>,
    pub counted_cash: Option<Fen>,
    pub expected: Option<Expected>,
    pub over_short: Option<Fen>,
    pub confirmed_by: Option<String>,
}

const COLUMNS: &str = "d.pk, d.id, d.clerk_id, coalesce(u.display_name, d.clerk_id), d.business_date, d.opened_at, d.float_fen, d.status,
    d.closed_at, d.count, d.counted_cash_fen, d.expected, d.over_short_fen, d.confirmed_by";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<(i64, DeskSession)> {
    let json = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
    Ok((
        r.get(0)?,
        DeskSession {
            id: r.get(1)?,
            clerk_id: r.get(2)?,
            clerk_name: r.get(3)?,
            business_date: r.get::<_, String>(4)?.parse().unwrap_or_default(),
            opened_at: r.get(5)?,
            float: Fen(r.get(6)?),
            status: r.get(7)?,
            closed_at: r.get(8)?,
            count: json(9)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default(),
            counted_cash: r.get::<_, Option<i64>>(10)?.map(Fen),
            expected: json(11)?.and_then(|j| serde_json::from_str(&j).ok()),
            over_short: r.get::<_, Option<i64>>(12)?.map(Fen),
            confirmed_by: r.get(13)?,
        },
    ))
}

/// The open desk, if any.
pub fn current(conn: &Connection) -> Result<Option<(i64, DeskSession)>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM desk_sessions d LEFT JOIN users u ON u.id = d.clerk_id WHERE d.status = 'open'"))?
        .query_row([], from_row)
        .optional()?)
}

/// The sessions of a business day, in the order they were opened.
pub fn of_day(conn: &Connection, day: NaiveDate) -> Result<Vec<(i64, DeskSession)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM desk_sessions d LEFT JOIN users u ON u.id = d.clerk_id WHERE d.business_date = ?1 ORDER BY d.pk"
    ))?;
    Ok(stmt.query_map([day.to_string()], from_row)?.collect::<rusqlite::Result<_>>()?)
}

fn no_desk() -> Error {
    Error::Conflict(UserMessage::new("desk.not_open", "收费台未开台，请先开台", "The cash desk is not open; open it first"))
}

/// What the outlet does with collection once the business day is closed (`desk.after_close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// Collection goes on, dated for the next business date.
    NextDay,
    /// Collection waits until the next business date begins.
    Refuse,
}

fn after_close(conn: &Connection) -> Result<AfterClose> {
    Ok(match settings::get(conn, settings::DESK_AFTER_CLOSE)?.as_deref() {
        Some("refuse") => AfterClose::Refuse,
        _ => AfterClose::NextDay,
    })
}

/// Whether 日结 closed `date`: a closed business date never takes another desk, payment or cash
/// movement until a manager reopens it.
pub fn is_closed(conn: &Connection, date: NaiveDate) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM day_closures WHERE business_date = ?1")?
        .query_row([date.to_string()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The business date money is taken for at `at`: today, or, once today (or a later date) is
/// closed, the first date after the last closed one.
pub fn next_open_date(conn: &Connection, at: chrono::DateTime<chrono::Utc>) -> Result<NaiveDate> {
    let today = business_date(at);
    let last: Option<String> = conn.prepare_cached("SELECT max(business_date) FROM day_closures")?.query_row([], |r| r.get(0))?;
    let after_last = last.and_then(|d| d.parse::<NaiveDate>().ok()).and_then(|d| d.succ_opt());
    Ok(after_last.map_or(today, |d| d.max(today)))
}

/// The date a desk opened now is dated for, or why none may open (the outlet refuses collection
/// until the next business date begins).
pub fn collection_date(conn: &Connection, at: chrono::DateTime<chrono::Utc>) -> Result<NaiveDate> {
    let date = next_open_date(conn, at)?;
    let today = business_date(at);
    if date != today && after_close(conn)? == AfterClose::Refuse {
        return Err(Error::Conflict(UserMessage::new(
            "desk.day_closed",
            format!("{today} 已日结，{date} 营业日开始后方可收费"),
            format!("{today} is closed; collection resumes when {date} begins"),
        )));
    }
    Ok(date)
}

/// The open desk of `actor`, for taking money now: a desk left open from an earlier business date
/// must be closed first, and a closed date takes nothing.
pub fn require_open(conn: &Connection, actor: &Actor) -> Result<(i64, DeskSession)> {
    let (pk, session) = current(conn)?.ok_or_else(no_desk)?;
    if Some(&session.clerk_id) != actor.user_id.as_ref() {
        return Err(Error::Conflict(UserMessage::new(
            "desk.other_clerk",
            format!("收费台由 {} 开台，请先轧账", session.clerk_name),
            format!("The desk was opened by {}; close it first", session.clerk_name),
        )));
    }
    if is_closed(conn, session.business_date)? {
        return Err(day_closed(session.business_date));
    }
    if session.business_date != next_open_date(conn, actor.at)? {
        return Err(Error::Conflict(UserMessage::new(
            "desk.stale",
            format!("收费台仍停留在 {}，请先轧账后重新开台", session.business_date),
            format!("The desk is still open from {}; close it and open again", session.business_date),
        )));
    }
    Ok((pk, session))
}

/// The refusal of anything dated for a closed business date.
fn day_closed(date: NaiveDate) -> Error {
    Error::Conflict(UserMessage::new(
        "day.closed",
        format!("{date} 已日结，不能再记入该营业日"),
        format!("{date} is closed; nothing more can be posted to it"),
    ))
}

pub fn open(tx: &Tx, actor: &Actor, float: Fen) -> Result<DeskSession> {
    if float.0 < 0 {
        return Err(Error::invalid(UserMessage::new("desk.float", "备用金不能为负数", "The float cannot be negative").at("float")));
    }
    if float > MAX_AMOUNT {
        return Err(Error::invalid(too_large("float")));
    }
    if let Some((_, open)) = current(tx)? {
        return Err(Error::Conflict(UserMessage::new(
            "desk.already_open",
            format!("收费台已由 {} 开台", open.clerk_name),
            format!("The desk is already open ({})", open.clerk_name),
        )));
    }
    let clerk = actor.user_id.clone().ok_or_else(no_desk)?;
    let date = collection_date(tx, actor.at)?;
    if is_closed(tx, date)? {
        return Err(day_closed(date));
    }
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO desk_sessions (id, clerk_id, business_date, opened_at, float_fen, status) VALUES (?1, ?2, ?3, ?4, ?5, 'open')",
        params![id, clerk, date.to_string(), stamp(actor.at), float.0],
    )?;
    let detail = serde_json::json!({ "float": float });
    outbox::append(tx, actor, "desk.opened", &id, &detail)?;
    audit::append(tx, actor, "desk.open", &id, &detail)?;
    Ok(current(tx)?.expect("just opened").1)
}

/// Records cash put into (`in`) or taken out of (`out`) the drawer, with the reason.
pub fn move_cash(tx: &Tx, actor: &Actor, direction: &str, amount: Fen, reason: &str) -> Result<Expected> {
    let (pk, session) = require_open(tx, actor)?;
    let mut errors = Vec::new();
    if !amount.is_positive() {
        errors.push(UserMessage::new("desk.amount", "金额必须大于零", "The amount must be greater than zero").at("amount"));
    } else if amount > MAX_AMOUNT {
        errors.push(too_large("amount"));
    }
    if reason.trim().is_empty() {
        errors.push(UserMessage::new("desk.reason", "请填写原因", "Enter the reason").at("reason"));
    }
    if !matches!(direction, "in" | "out") {
        errors.push(UserMessage::new("desk.direction", "请选择存入或取出", "Choose in or out").at("direction"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if direction == "out" && drawer_cash(tx, pk)? < amount {
        return Err(Error::invalid(
            UserMessage::new("desk.overdraw", "取出金额超过钱箱应有现金", "More than the drawer should hold").at("amount"),
        ));
    }
    tx.execute(
        "INSERT INTO desk_movements (session_pk, direction, amount_fen, reason, user_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![pk, direction, amount.0, reason.trim(), actor.user_id, stamp(actor.at)],
    )?;
    let detail = serde_json::json!({ "direction": direction, "amount": amount, "reason": reason.trim() });
    outbox::append(tx, actor, "desk.cash_moved", &session.id, &detail)?;
    audit::append(tx, actor, "desk.move_cash", &session.id, &detail)?;
    expected(tx, pk)
}

/// The cash the drawer of `session_pk` holds now, as [`expected`] counts it, from the running
/// figure migration 007's triggers keep (one row read, however many payments the desk took).
pub fn drawer_cash(conn: &Connection, session_pk: i64) -> Result<Fen> {
    Ok(Fen(conn.prepare_cached("SELECT drawer_cash_fen FROM desk_sessions WHERE pk = ?1")?.query_row([session_pk], |r| r.get(0))?))
}

/// What the desk should hold now.
pub fn expected(conn: &Connection, session_pk: i64) -> Result<Expected> {
    let float: i64 = conn.query_row("SELECT float_fen FROM desk_sessions WHERE pk = ?1", [session_pk], |r| r.get(0))?;
    let (cash_in, cash_out): (i64, i64) = conn.query_row(
        "SELECT coalesce(sum(CASE direction WHEN 'in' THEN amount_fen END), 0), coalesce(sum(CASE direction WHEN 'out' THEN amount_fen END), 0)
         FROM desk_movements WHERE session_pk = ?1",
        [session_pk],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut takings = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT t.kind, sum(t.amount_fen) FROM payment_tenders t JOIN payments p ON p.pk = t.payment_pk
         WHERE p.session_pk = ?1 AND p.status != 'reversed' GROUP BY t.kind",
    )?;
    let change: i64 = conn.query_row(
        "SELECT coalesce(sum(change_fen), 0) FROM payments WHERE session_pk = ?1 AND status != 'reversed'",
        [session_pk],
        |r| r.get(0),
    )?;
    let payments: i64 =
        conn.query_row("SELECT count(*) FROM payments WHERE session_pk = ?1 AND status != 'reversed'", [session_pk], |r| r.get(0))?;
    let mut by_kind: std::collections::HashMap<String, i64> =
        stmt.query_map([session_pk], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    *by_kind.entry("cash".into()).or_default() -= change;
    for kind in TenderKind::ALL {
        takings.push(TenderAmount { kind: *kind, amount: Fen(by_kind.get(kind.code()).copied().unwrap_or(0)) });
    }
    let cash_takings = Fen(by_kind["cash"]);
    // The running figure the triggers keep must agree with the count from the rows; every test
    // that reads a desk checks it.
    debug_assert_eq!(drawer_cash(conn, session_pk)?, Fen(float + cash_in - cash_out) + cash_takings, "drawer_cash_fen drifted");
    Ok(Expected {
        float: Fen(float),
        cash_in: Fen(cash_in),
        cash_out: Fen(cash_out),
        cash: Fen(float + cash_in - cash_out) + cash_takings,
        takings,
        payments,
    })
}

/// The most notes or coins of one denomination a drawer count may hold: more is a typing error,
/// not an over/short (100,000 notes of 100 元 are ten million yuan).
pub const MAX_COUNT: i64 = 100_000;

/// Closes (轧账) the open desk with the drawer's count. A difference from the expected cash is the
/// over/short (长短款), which a manager must confirm (`approved_by`).
pub fn close(tx: &Tx, actor: &Actor, count: &[DenominationCount], approved_by: Option<&str>) -> Result<DeskSession> {
    let (pk, session) = current(tx)?.ok_or_else(no_desk)?;
    if is_closed(tx, session.business_date)? {
        return Err(day_closed(session.business_date));
    }
    let mut errors = Vec::new();
    for (i, c) in count.iter().enumerate() {
        if !DENOMINATIONS.contains(&c.denomination) {
            errors.push(UserMessage::new("desk.denomination", "无此面额", "No such denomination").at(&format!("count.{i}")));
        }
        if !(0..=MAX_COUNT).contains(&c.count) {
            errors.push(
                UserMessage::new(
                    "desk.count",
                    format!("张数应在 0 到 {MAX_COUNT} 之间"),
                    format!("A count must be between 0 and {MAX_COUNT}"),
                )
                .at(&format!("count.{i}")),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let counted = Fen(count.iter().map(|c| c.denomination * c.count).sum());
    let expected = expected(tx, pk)?;
    let over_short = counted - expected.cash;
    if over_short != Fen::ZERO && approved_by.is_none() {
        return Err(Error::Denied(
            UserMessage::new(
                "desk.over_short_approval",
                format!("长短款 {over_short} 元，须主管授权确认"),
                format!("Over/short of {over_short}: a manager must confirm it"),
            )
            .at("approval"),
        ));
    }
    tx.execute(
        "UPDATE desk_sessions SET status = 'closed', closed_at = ?2, count = ?3, counted_cash_fen = ?4, expected = ?5, over_short_fen = ?6, confirmed_by = ?7
         WHERE pk = ?1",
        params![pk, stamp(actor.at), serde_json::to_string(count)?, counted.0, serde_json::to_string(&expected)?, over_short.0, approved_by],
    )?;
    let detail = serde_json::json!({ "counted": counted, "expected": expected, "over_short": over_short, "confirmed_by": approved_by });
    outbox::append(tx, actor, "desk.closed", &session.id, &detail)?;
    audit::append(tx, actor, "desk.close", &session.id, &detail)?;
    let mut closed = session;
    closed.status = "closed".into();
    closed.closed_at = Some(stamp(actor.at));
    closed.count = count.to_vec();
    closed.counted_cash = Some(counted);
    closed.expected = Some(expected);
    closed.over_short = Some(over_short);
    closed.confirmed_by = approved_by.map(Into::into);
    Ok(closed)
}
