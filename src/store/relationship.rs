//! The customer relationship (客户关系) on the profile: every contact with the customer in one
//! timeline (service requests and their callbacks, arrears notices, disconnections, inspections,
//! payments), the satisfaction recorded at callbacks over time, and for a big customer the account
//! manager with what is open for them.

use rusqlite::{Connection, params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::model::money::Fen;

/// One contact, newest first in the timeline.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Contact {
    /// UTC, RFC 3339 (a date for an inspection: its day).
    pub at: String,
    pub kind: ContactKind,
    /// The code of what happened within the kind (a request's category, a callback's outcome, a
    /// notice's kind, a payment's status).
    pub code: String,
    /// A number to show: the request's or the receipt's.
    pub reference: String,
    pub amount: Option<Fen>,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Request,
    Callback,
    Notice,
    Disconnection,
    Inspection,
    Payment,
}

/// A satisfaction recorded at a callback.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Satisfaction {
    pub at: String,
    pub outcome: String,
}

/// What is open for a customer: the account manager's list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OpenItems {
    pub requests: u32,
    pub defects: u32,
    pub applications: u32,
    pub overdue: Fen,
}

/// The timeline, at most `limit` contacts, newest first.
pub fn timeline(conn: &Connection, customer_pk: i64, limit: u32) -> Result<Vec<Contact>> {
    let sql = "
        SELECT r.accepted_at, 'request', r.category, r.number, NULL, r.content FROM service_requests r WHERE r.customer_pk = ?1
        UNION ALL
        SELECT e.at, 'callback', e.outcome, r.number, NULL, e.note FROM service_events e JOIN service_requests r ON r.pk = e.request_pk
            WHERE r.customer_pk = ?1 AND e.action = 'callback'
        UNION ALL
        SELECT n.printed_at, 'notice', n.kind, '', n.owed_fen, coalesce(n.planned_date, '') FROM arrears_notices n WHERE n.customer_pk = ?1
        UNION ALL
        SELECT d.ordered_at, 'disconnection', 'cut', '', d.owed_fen, '' FROM disconnections d WHERE d.customer_pk = ?1
        UNION ALL
        SELECT d.reconnected_at, 'disconnection', 'restored', coalesce(d.paid_receipt, ''), NULL, ''
            FROM disconnections d WHERE d.customer_pk = ?1 AND d.reconnected_at IS NOT NULL
        UNION ALL
        SELECT i.inspected_on || 'T00:00:00.000Z', 'inspection', CAST((SELECT count(*) FROM defects x WHERE x.inspection_pk = i.pk) AS TEXT), '', NULL, i.notes
            FROM inspections i WHERE i.customer_pk = ?1
        UNION ALL
        SELECT p.posted_at, 'payment', p.status, p.receipt_no, p.amount_fen, '' FROM payments p WHERE p.customer_pk = ?1
        ORDER BY 1 DESC LIMIT ?2";
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![customer_pk, limit.clamp(1, 500)], |r| {
        let kind: String = r.get(1)?;
        Ok(Contact {
            at: r.get(0)?,
            kind: match kind.as_str() {
                "request" => ContactKind::Request,
                "callback" => ContactKind::Callback,
                "notice" => ContactKind::Notice,
                "disconnection" => ContactKind::Disconnection,
                "inspection" => ContactKind::Inspection,
                _ => ContactKind::Payment,
            },
            code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            reference: r.get(3)?,
            amount: r.get::<_, Option<i64>>(4)?.map(Fen),
            note: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The satisfaction recorded at callbacks, oldest first (the trend).
pub fn satisfaction(conn: &Connection, customer_pk: i64) -> Result<Vec<Satisfaction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.outcome FROM service_events e JOIN service_requests r ON r.pk = e.request_pk
         WHERE r.customer_pk = ?1 AND e.action = 'callback' AND e.outcome IN ('satisfied', 'fairly_satisfied', 'unsatisfied')
         ORDER BY e.at",
    )?;
    let rows = stmt.query_map([customer_pk], |r| Ok(Satisfaction { at: r.get(0)?, outcome: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What is open for the customer today.
pub fn open_items(conn: &Connection, customer_pk: i64, today: chrono::NaiveDate) -> Result<OpenItems> {
    let count = |sql: &str| -> Result<u32> { Ok(conn.prepare_cached(sql)?.query_row([customer_pk], |r| r.get(0))?) };
    let overdue: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(amount_fen - paid_fen), 0) FROM bills WHERE customer_pk = ?1 AND paid_fen < amount_fen AND due_date < ?2",
        )?
        .query_row(params![customer_pk, today.to_string()], |r| r.get(0))?;
    Ok(OpenItems {
        requests: count("SELECT count(*) FROM service_requests WHERE customer_pk = ?1 AND state <> 'closed'")?,
        defects: count("SELECT count(*) FROM defects WHERE customer_pk = ?1 AND closed_on IS NULL")?,
        applications: count("SELECT count(*) FROM applications WHERE customer_pk = ?1 AND state IN ('active', 'suspended')")?,
        overdue: Fen(overdue),
    })
}
