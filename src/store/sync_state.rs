//! The sync task's rows (migration 014): the enrolment with head office, the pull cursor, the
//! initial snapshot's position, and the outcome of the last attempts with the backoff.

use chrono::{DateTime, Utc};
use hall_protocol::pull::Cursor;
use rusqlite::{Connection, OptionalExtension};

use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};

/// What enrolment stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub url: String,
    pub credential: String,
    pub ca_pem: Option<String>,
    pub outlet_name: String,
    pub areas: Vec<String>,
    pub enrolled_at: String,
}

pub fn enrolment(conn: &Connection) -> Result<Option<Enrolment>> {
    let row = conn
        .prepare_cached("SELECT url, credential, ca_pem, outlet_name, areas, enrolled_at FROM sync_enrolment")?
        .query_row([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get(5)?)))
        .optional()?;
    row.map(|(url, credential, ca_pem, outlet_name, areas, enrolled_at)| {
        Ok(Enrolment { url, credential, ca_pem, outlet_name, areas: serde_json::from_str(&areas)?, enrolled_at })
    })
    .transpose()
}

/// Stores the enrolment (replacing an earlier one: a re-enrolment after a revocation).
pub fn set_enrolment(conn: &Connection, e: &Enrolment) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_enrolment (singleton, url, credential, ca_pem, outlet_name, areas, enrolled_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (singleton) DO UPDATE SET url = excluded.url, credential = excluded.credential, ca_pem = excluded.ca_pem,
             outlet_name = excluded.outlet_name, areas = excluded.areas, enrolled_at = excluded.enrolled_at",
        (&e.url, &e.credential, &e.ca_pem, &e.outlet_name, serde_json::to_string(&e.areas)?, &e.enrolled_at),
    )?;
    // A new enrolment starts unfenced, with no failures behind it.
    conn.execute("UPDATE sync_state SET fenced = NULL, failures = 0, next_attempt_at = NULL, last_error = NULL", [])?;
    Ok(())
}

pub fn cursor(conn: &Connection) -> Result<Cursor> {
    let text: String = conn.prepare_cached("SELECT pull_cursor FROM sync_state")?.query_row([], |r| r.get(0))?;
    text.parse().map_err(|e| Error::Internal(format!("sync_state.pull_cursor: {e}")))
}

/// Stores the cursor; the caller does this in the transaction that applied the page.
pub fn set_cursor(conn: &Connection, cursor: &Cursor) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET pull_cursor = ?1")?.execute([cursor.to_string()])?;
    Ok(())
}

/// Where the initial snapshot stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotPosition {
    /// Not begun: the next page is the first table's first.
    NotStarted,
    /// On `table`, after the key `after` (none: its first page), with the cursor of the first page.
    At {
        table: String,
        after: Option<String>,
        cursor: String,
    },
    Done,
}

pub fn snapshot_position(conn: &Connection) -> Result<SnapshotPosition> {
    let (table, after, cursor, done): (Option<String>, Option<String>, Option<String>, Option<String>) = conn
        .prepare_cached("SELECT snapshot_table, snapshot_after, snapshot_cursor, snapshot_done_at FROM sync_state")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(match (done, table, cursor) {
        (Some(_), _, _) => SnapshotPosition::Done,
        (None, Some(table), Some(cursor)) => SnapshotPosition::At { table, after, cursor },
        _ => SnapshotPosition::NotStarted,
    })
}

/// Moves the snapshot on, in the transaction that applied its page.
pub fn set_snapshot_position(conn: &Connection, position: &SnapshotPosition, now: DateTime<Utc>) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("UPDATE sync_state SET snapshot_table = ?1, snapshot_after = ?2, snapshot_cursor = ?3, snapshot_done_at = ?4")?;
    match position {
        SnapshotPosition::NotStarted => stmt.execute((None::<&str>, None::<&str>, None::<&str>, None::<String>))?,
        SnapshotPosition::At { table, after, cursor } => stmt.execute((table, after, cursor, None::<String>))?,
        SnapshotPosition::Done => stmt.execute((None::<&str>, None::<&str>, None::<&str>, Some(stamp(now))))?,
    };
    Ok(())
}

/// The task's record of its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attempts {
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<UserMessage>,
    pub failures: i64,
    pub next_attempt_at: Option<String>,
    pub fenced: Option<String>,
}

pub fn attempts(conn: &Connection) -> Result<Attempts> {
    let (last_attempt_at, last_success_at, error, failures, next_attempt_at, fenced): (_, _, Option<String>, _, _, _) = conn
        .prepare_cached("SELECT last_attempt_at, last_success_at, last_error, failures, next_attempt_at, fenced FROM sync_state")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
    let last_error = error.map(|e| serde_json::from_str(&e)).transpose()?;
    Ok(Attempts { last_attempt_at, last_success_at, last_error, failures, next_attempt_at, fenced })
}

pub fn record_success(conn: &Connection, at: DateTime<Utc>) -> Result<()> {
    let at = stamp(at);
    conn.execute(
        "UPDATE sync_state SET last_attempt_at = ?1, last_success_at = ?1, last_error = NULL, failures = 0, next_attempt_at = NULL, fenced = NULL",
        [at],
    )?;
    Ok(())
}

/// Records a failure and when to try again; `fenced` is head office's reason when it refuses
/// this workstation until an operator acts.
pub fn record_failure(conn: &Connection, at: DateTime<Utc>, error: &UserMessage, next: DateTime<Utc>, fenced: Option<&str>) -> Result<i64> {
    conn.execute(
        "UPDATE sync_state SET last_attempt_at = ?1, last_error = ?2, failures = failures + 1, next_attempt_at = ?3,
             fenced = coalesce(?4, fenced)",
        (stamp(at), serde_json::to_string(error)?, stamp(next), fenced),
    )?;
    Ok(conn.query_row("SELECT failures FROM sync_state", [], |r| r.get(0))?)
}

/// The outbox kinds that move money, each carrying the payment with its signed `amount`.
/// Unacknowledged money events and their total (fen, signed as head office's ledger books them:
/// reversals and refunds negative): what the day-end says is not yet sent.
pub fn pending_payments(conn: &Connection) -> Result<(i64, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, coalesce(json_extract(payload, '$.amount'), 0) FROM outbox
         WHERE acked_at IS NULL AND kind IN ('payment.posted', 'payment.red_letter', 'prepayment.refunded', 'payment.reversed')",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let (mut count, mut total) = (0, 0);
    for row in rows {
        let (kind, amount) = row?;
        count += 1;
        total += hall_protocol::push::money_sign(&kind).unwrap_or(0) * amount;
    }
    Ok((count, total))
}

/// When the oldest unacknowledged event was recorded.
pub fn oldest_pending_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT recorded_at FROM outbox WHERE acked_at IS NULL ORDER BY pos LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// Whether this database holds records this workstation made itself (customers, payments,
/// applications, outbox events other than the shipped tariffs'): enrolling it into an outlet other
/// than the one those records were made under would mislabel them.
pub fn holds_own_records(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM payments) OR EXISTS (SELECT 1 FROM applications)",
        [],
        |r| r.get(0),
    )?)
}
