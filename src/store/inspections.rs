//! Safety inspections (用电检查): the customers due (by cycle or sample, `model::inspection`),
//! each visit with its checklist and the defects found, the follow-up visits that close them, and
//! the defects past their deadline. Every write carries its outbox event and audit entry.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Actor, Tx, audit, customers, outbox};
use crate::clock::{business_date, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::{CustomerClass, Voltage};
use crate::model::inspection::{self, CheckItem, DueReason, Finding};

/// A visit as the inspector records it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct InspectionInput {
    pub customer_id: String,
    #[ts(type = "string")]
    pub inspected_on: NaiveDate,
    pub findings: Vec<Finding>,
    pub notes: String,
}

/// A defect and where it stands.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Defect {
    pub id: String,
    pub inspection_id: String,
    pub customer_id: String,
    pub account: String,
    pub customer_name: String,
    pub item: CheckItem,
    pub description: String,
    #[ts(type = "string")]
    pub deadline: NaiveDate,
    #[ts(type = "string | null")]
    pub closed_on: Option<NaiveDate>,
    /// Follow-up visits so far.
    pub visits: u32,
}

/// A recorded inspection.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Inspection {
    pub id: String,
    pub customer_id: String,
    pub account: String,
    pub customer_name: String,
    pub address: String,
    #[ts(type = "string")]
    pub inspected_on: NaiveDate,
    pub inspector_name: String,
    pub findings: Vec<Finding>,
    pub notes: String,
    pub defects: Vec<Defect>,
}

/// A follow-up visit to a defect: `visited_on` is required (closing without it is refused).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct FollowUp {
    pub defect_id: String,
    #[ts(type = "string | null")]
    pub visited_on: Option<NaiveDate>,
    pub rectified: bool,
    pub note: String,
}

/// Records an inspection and opens a defect for every failed item.
pub fn record(tx: &Tx, actor: &Actor, user_id: &str, input: &InspectionInput) -> Result<Inspection> {
    let today = business_date(actor.at);
    if input.inspected_on > today {
        return Err(Error::invalid(
            UserMessage::new("inspected_on.future", "检查日期不能晚于今天", "The inspection date cannot be in the future")
                .at("inspected_on"),
        ));
    }
    inspection::check_findings(&input.findings, input.inspected_on)?;
    let (customer_pk, _) = customers::get_with_pk(tx, &input.customer_id)?;
    let id = uuid::Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO inspections (id, customer_pk, inspected_on, inspector, findings, notes, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, customer_pk, input.inspected_on.to_string(), user_id, serde_json::to_string(&input.findings)?, input.notes.trim(), stamp(actor.at)])?;
    let pk = tx.last_insert_rowid();
    for f in input.findings.iter().filter(|f| !f.ok) {
        let d = f.defect.as_ref().expect("checked: a failed item has its defect");
        tx.prepare_cached(
            "INSERT INTO defects (id, inspection_pk, customer_pk, item, description, deadline) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            uuid::Uuid::now_v7().to_string(),
            pk,
            customer_pk,
            f.item.code(),
            d.description.trim(),
            d.deadline.to_string()
        ])?;
    }
    let payload =
        serde_json::json!({ "id": id, "customer_id": input.customer_id, "inspected_on": input.inspected_on, "findings": input.findings });
    outbox::append(tx, actor, "inspection.recorded", &id, &payload)?;
    audit::append(tx, actor, "inspection.record", &id, &serde_json::json!({ "customer_id": input.customer_id }))?;
    get(tx, &id)
}

/// Records a follow-up visit; a rectified defect closes with it.
pub fn follow_up(tx: &Tx, actor: &Actor, user_id: &str, input: &FollowUp) -> Result<Defect> {
    let Some(visited_on) = input.visited_on else {
        return Err(Error::invalid(
            UserMessage::new(
                "defect.follow_up_required",
                "整改须经复查后方可销号：请填写复查日期",
                "A defect is closed by a follow-up visit: give its date",
            )
            .at("visited_on"),
        ));
    };
    let (pk, closed, inspected_on): (i64, Option<String>, String) = tx
        .prepare_cached(
            "SELECT d.pk, d.closed_on, i.inspected_on FROM defects d JOIN inspections i ON i.pk = d.inspection_pk WHERE d.id = ?1",
        )?
        .query_row([&input.defect_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(UserMessage::new("defect.not_found", "未找到该隐患", "No such defect")))?;
    if closed.is_some() {
        return Err(Error::Conflict(UserMessage::new("defect.closed", "该隐患已整改销号", "This defect is already closed")));
    }
    if visited_on.to_string() <= inspected_on || visited_on > business_date(actor.at) {
        return Err(Error::invalid(
            UserMessage::new(
                "visited_on.range",
                "复查日期须在检查之后、不晚于今天",
                "The follow-up must be after the inspection and not in the future",
            )
            .at("visited_on"),
        ));
    }
    tx.prepare_cached("INSERT INTO defect_visits (defect_pk, visited_on, by_user, rectified, note) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![pk, visited_on.to_string(), user_id, input.rectified, input.note.trim()])?;
    if input.rectified {
        tx.prepare_cached("UPDATE defects SET closed_on = ?2 WHERE pk = ?1")?.execute(params![pk, visited_on.to_string()])?;
    }
    let payload = serde_json::json!({ "defect_id": input.defect_id, "visited_on": visited_on, "rectified": input.rectified });
    outbox::append(tx, actor, "inspection.follow_up", &input.defect_id, &payload)?;
    audit::append(tx, actor, "inspection.follow_up", &input.defect_id, &payload)?;
    defect(tx, &input.defect_id)
}

const DEFECT_COLUMNS: &str = "d.id, i.id, c.id, c.account, c.name, d.item, d.description, d.deadline, d.closed_on,
    (SELECT count(*) FROM defect_visits v WHERE v.defect_pk = d.pk)";
const DEFECT_FROM: &str = "defects d JOIN inspections i ON i.pk = d.inspection_pk JOIN customers c ON c.pk = d.customer_pk";

fn defect_from(r: &rusqlite::Row) -> rusqlite::Result<Defect> {
    let item: String = r.get(5)?;
    let date = |s: String| {
        s.parse::<NaiveDate>().map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e)))
    };
    Ok(Defect {
        id: r.get(0)?,
        inspection_id: r.get(1)?,
        customer_id: r.get(2)?,
        account: r.get(3)?,
        customer_name: r.get(4)?,
        item: CheckItem::from_code(&item).unwrap_or(CheckItem::SafetyRules),
        description: r.get(6)?,
        deadline: date(r.get(7)?)?,
        closed_on: r.get::<_, Option<String>>(8)?.map(date).transpose()?,
        visits: r.get(9)?,
    })
}

pub fn defect(conn: &Connection, id: &str) -> Result<Defect> {
    conn.prepare_cached(&format!("SELECT {DEFECT_COLUMNS} FROM {DEFECT_FROM} WHERE d.id = ?1"))?
        .query_row([id], defect_from)
        .optional()?
        .ok_or_else(|| Error::NotFound(UserMessage::new("defect.not_found", "未找到该隐患", "No such defect")))
}

/// Open defects, the earliest deadline first; `overdue_on`: only those past their deadline then.
pub fn open_defects(conn: &Connection, overdue_on: Option<NaiveDate>) -> Result<Vec<Defect>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DEFECT_COLUMNS} FROM {DEFECT_FROM} WHERE d.closed_on IS NULL AND (?1 IS NULL OR d.deadline < ?1) ORDER BY d.deadline, d.pk LIMIT 500"
    ))?;
    let rows = stmt.query_map([overdue_on.map(|d| d.to_string())], defect_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: &str) -> Result<Inspection> {
    let row = conn
        .prepare_cached(
            "SELECT i.pk, i.id, c.id, c.account, c.name, c.address, i.inspected_on, coalesce(u.display_name, i.inspector), i.findings, i.notes
             FROM inspections i JOIN customers c ON c.pk = i.customer_pk LEFT JOIN users u ON u.id = i.inspector WHERE i.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(UserMessage::new("inspection.not_found", "未找到该检查记录", "No such inspection")))?;
    let (pk, id, customer_id, account, customer_name, address, on, inspector_name, findings, notes) = row;
    let mut stmt = conn.prepare_cached(&format!("SELECT {DEFECT_COLUMNS} FROM {DEFECT_FROM} WHERE d.inspection_pk = ?1 ORDER BY d.pk"))?;
    let defects = stmt.query_map([pk], defect_from)?.collect::<rusqlite::Result<_>>()?;
    Ok(Inspection {
        id,
        customer_id,
        account,
        customer_name,
        address,
        inspected_on: on.parse().map_err(|_| Error::Internal(format!("inspection date {on}")))?,
        inspector_name,
        findings: serde_json::from_str(&findings)?,
        notes,
        defects,
    })
}

/// A customer due for inspection.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DueCustomer {
    pub customer_id: String,
    pub account: String,
    pub name: String,
    pub class: CustomerClass,
    pub voltage: Voltage,
    pub reason: DueReason,
    #[ts(type = "string | null")]
    pub last_inspected: Option<NaiveDate>,
}

/// The customers due on `today`, on a cycle first (never inspected, then the longest ago), then
/// the year's sample. One pass over the active customers with their last inspection.
pub fn due(conn: &Connection, today: NaiveDate, limit: usize) -> Result<Vec<DueCustomer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.account, c.name, c.class, c.voltage, c.big_customer, (SELECT max(i.inspected_on) FROM inspections i WHERE i.customer_pk = c.pk)
         FROM customers c WHERE c.status = 'active'",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (class, voltage): (String, String) = (r.get(3)?, r.get(4)?);
        let Some(voltage) = Voltage::from_code(&voltage) else { continue };
        let account: String = r.get(1)?;
        let last = r.get::<_, Option<String>>(6)?.and_then(|d| d.parse().ok());
        if let Some(reason) = inspection::due(voltage, r.get(5)?, &account, last, today) {
            out.push(DueCustomer {
                customer_id: r.get(0)?,
                account,
                name: r.get(2)?,
                class: CustomerClass::from_code(&class).unwrap_or(CustomerClass::Residential),
                voltage,
                reason,
                last_inspected: last,
            });
        }
    }
    out.sort_by(|a, b| (a.reason.code(), a.last_inspected, &a.account).cmp(&(b.reason.code(), b.last_inspected, &b.account)));
    out.truncate(limit);
    Ok(out)
}

/// A customer's inspections, newest first (ids).
pub fn of_customer(conn: &Connection, customer_pk: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM inspections WHERE customer_pk = ?1 ORDER BY inspected_on DESC, pk DESC")?;
    let rows = stmt.query_map([customer_pk], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
