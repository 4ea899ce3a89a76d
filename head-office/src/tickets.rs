//! 95598 work orders (SPEC §6): head office dispatches a call the centre took to one workstation
//! of an outlet, as a `service.ticket` change of the outlet's scope, and follows its handling from
//! the request's `service.*` events that workstation pushes. The outlet's rules decide the
//! request's life; head office only records what it is told.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use hall_domain::model::service::{Category, RequestAct, RequestState};
use hall_protocol::push::WireEvent;
use hall_protocol::records::{self, ServiceTicketRecord};
use serde::Deserialize;
use serde_json::json;
use tokio_postgres::Transaction;

use crate::changes::{NewChange, append_outlet};
use crate::console::types::TicketView;
use crate::error::{Error, Result};

/// How far ahead of head office's clock a reception time may be (a centre's clock running fast).
const MAX_AHEAD_SECONDS: i64 = 300;

fn check(record: &ServiceTicketRecord, now: DateTime<Utc>) -> Result<()> {
    let no = record.ticket_no.trim();
    if !(1..=32).contains(&no.len()) || !no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid(
            "ticket.number",
            "95598工单号须为1至32位字母、数字或 -",
            "A 95598 ticket number is 1 to 32 letters, digits or -",
        ));
    }
    if record.content.trim().is_empty() {
        return Err(Error::invalid("ticket.content", "请填写客户诉求", "Write what the customer says"));
    }
    if record.category == Category::Complaint && record.complaint_class.is_none() {
        return Err(Error::invalid("ticket.complaint_class", "请选择投诉分类", "Choose what the complaint is about"));
    }
    if record.category == Category::ServiceRequest && record.service_kind.is_none() {
        return Err(Error::invalid("ticket.service_kind", "请选择服务申请类型", "Choose the kind of service request"));
    }
    if record.caller_phone.trim().is_empty() && record.customer_account.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(Error::invalid(
            "ticket.phone",
            "未提供户号时须留下来电人的电话",
            "Without an account number, the caller's phone is required",
        ));
    }
    let received = DateTime::parse_from_rfc3339(&record.received_at)
        .map_err(|_| Error::invalid("ticket.received_at", "受理时间无效", "The time the centre took the call is not valid"))?;
    if (received.with_timezone(&Utc) - now).num_seconds() > MAX_AHEAD_SECONDS {
        return Err(Error::invalid("ticket.received_at", "受理时间不能晚于现在", "The time the centre took the call is in the future"));
    }
    Ok(())
}

/// Dispatches a ticket to `outlet`'s workstation `record.workstation_id`: the ticket row and its
/// change in one transaction. A number already dispatched to the outlet is refused.
pub async fn dispatch(pool: &Pool, outlet: &str, by: &str, record: &ServiceTicketRecord) -> Result<i64> {
    check(record, Utc::now())?;
    let mut record = record.clone();
    record.ticket_no = record.ticket_no.trim().to_uppercase();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let live = tx
        .query_opt(
            "SELECT 1 FROM workstations WHERE outlet_code = $1 AND workstation_id = $2 AND revoked_at IS NULL",
            &[&outlet, &record.workstation_id],
        )
        .await?;
    if live.is_none() {
        return Err(Error::invalid(
            "ticket.workstation",
            format!("营业厅 {outlet} 没有在用的工作站 {}", record.workstation_id),
            format!("Outlet {outlet} has no workstation {} in service", record.workstation_id),
        ));
    }
    let body = serde_json::to_value(&record).map_err(|e| Error::Internal(e.to_string()))?;
    let added = tx
        .execute(
            "INSERT INTO service_tickets (outlet_code, ticket_no, workstation_id, category, record, dispatched_by)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[&outlet, &record.ticket_no, &record.workstation_id, &record.category.code(), &body, &by],
        )
        .await?;
    if added == 0 {
        return Err(Error::invalid(
            "ticket.exists",
            format!("工单 {} 已派发给营业厅 {outlet}", record.ticket_no),
            format!("Ticket {} was already dispatched to outlet {outlet}", record.ticket_no),
        ));
    }
    let pos = append_outlet(&tx, outlet, &[NewChange { kind: records::SERVICE_TICKET, key: record.ticket_no.clone(), body }]).await?;
    tx.commit().await?;
    Ok(pos)
}

/// The parts of a request's `service.*` event head office reads.
#[derive(Deserialize)]
struct ServiceEvent {
    #[serde(default)]
    ticket_no: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    act: Option<RequestAct>,
    #[serde(default)]
    state: Option<RequestState>,
    #[serde(default)]
    at: Option<String>,
}

/// Projects the batch's new `service.*` events onto the tickets they belong to (in the push's
/// transaction, new events only). An event of a request that came from no ticket matches no row.
pub async fn project(tx: &Transaction<'_>, outlet: &str, events: &[&WireEvent]) -> Result<()> {
    for event in events.iter().filter(|e| e.kind.starts_with("service.") || e.kind == "sync.rejected") {
        if event.kind == "sync.rejected" {
            reject(tx, outlet, event).await?;
            continue;
        }
        // A payload head office cannot read is still stored as an event; it is not guessed at.
        let Ok(e) = serde_json::from_str::<ServiceEvent>(&event.payload) else { continue };
        if event.kind == "service.accepted" {
            let Some(ticket) = e.ticket_no.as_deref() else { continue };
            let entry = json!({ "action": "accept", "at": event.recorded_at, "state": "accepted", "text": e.number });
            tx.execute(
                "UPDATE service_tickets SET request_id = $3, request_number = $4, state = 'accepted',
                     handling = handling || jsonb_build_array($5::jsonb), updated_at = now()
                 WHERE outlet_code = $1 AND ticket_no = $2 AND request_id IS NULL",
                &[&outlet, &ticket, &event.entity_id, &e.number, &entry],
            )
            .await?;
            continue;
        }
        let (Some(act), Some(state)) = (&e.act, e.state) else { continue };
        let entry = json!({ "action": act.action().code(), "at": e.at, "state": state.code(), "text": act.text() });
        let reply = matches!(act, RequestAct::Reply { .. }).then(|| act.text().to_owned());
        let satisfaction = match act {
            RequestAct::Callback { outcome, .. } => Some(outcome.code()),
            _ => None,
        };
        let closed_at = (state == RequestState::Closed).then(|| e.at.clone()).flatten();
        tx.execute(
            "UPDATE service_tickets SET state = $3, handling = handling || jsonb_build_array($4::jsonb),
                 reply = coalesce($5, reply), satisfaction = coalesce($6, satisfaction), closed_at = $7, updated_at = now()
             WHERE outlet_code = $1 AND request_id = $2",
            &[&outlet, &event.entity_id, &state.code(), &entry, &reply, &satisfaction, &closed_at],
        )
        .await?;
    }
    Ok(())
}

/// A ticket the workstation refused (its `sync.rejected` names the change): the reason is shown
/// on the ticket, for the operator to correct and dispatch again under a new number.
async fn reject(tx: &Transaction<'_>, outlet: &str, event: &WireEvent) -> Result<()> {
    #[derive(Deserialize)]
    struct Rejected {
        kind: String,
        key: String,
        zh: String,
        en: String,
    }
    let Ok(r) = serde_json::from_str::<Rejected>(&event.payload) else { return Ok(()) };
    if r.kind != records::SERVICE_TICKET {
        return Ok(());
    }
    let entry = json!({ "action": "rejected", "at": event.recorded_at, "state": "rejected", "text": format!("{} / {}", r.zh, r.en) });
    tx.execute(
        "UPDATE service_tickets SET state = 'rejected', handling = handling || jsonb_build_array($3::jsonb), updated_at = now()
         WHERE outlet_code = $1 AND ticket_no = $2 AND request_id IS NULL",
        &[&outlet, &r.key, &entry],
    )
    .await?;
    Ok(())
}

const VIEW_SQL: &str = "SELECT outlet_code, ticket_no, workstation_id, category, record, dispatched_by,
        to_char(dispatched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
        request_number, state, reply, satisfaction, closed_at, handling
    FROM service_tickets";

fn view(r: &tokio_postgres::Row) -> TicketView {
    let record: serde_json::Value = r.get(4);
    let text = |field: &str| record.get(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let handling: serde_json::Value = r.get(12);
    TicketView {
        outlet_code: r.get(0),
        ticket_no: r.get(1),
        workstation_id: r.get(2),
        category: r.get(3),
        caller_name: text("caller_name"),
        content: text("content"),
        received_at: text("received_at"),
        dispatched_by: r.get(5),
        dispatched_at: r.get(6),
        request_number: r.get(7),
        state: r.get(8),
        reply: r.get(9),
        satisfaction: r.get(10),
        closed_at: r.get(11),
        // Written only by `project` above, in this shape.
        handling: serde_json::from_value(handling).unwrap_or_default(),
    }
}

/// One ticket of an outlet.
pub async fn get(pool: &Pool, outlet: &str, ticket_no: &str) -> Result<TicketView> {
    let client = pool.get().await?;
    let row = client.query_opt(&format!("{VIEW_SQL} WHERE outlet_code = $1 AND ticket_no = $2"), &[&outlet, &ticket_no]).await?;
    row.as_ref().map(view).ok_or_else(|| {
        Error::NotFound(hall_protocol::ErrorBody::new(
            "ticket.not_found",
            format!("没有工单 {ticket_no}"),
            format!("No ticket {ticket_no}"),
        ))
    })
}

/// The newest tickets first, of one outlet or all; `open` leaves out the closed ones. Across
/// outlets this is a deliberate fan-out (an operator's list, a page of at most 200).
pub async fn list(pool: &Pool, outlet: Option<&str>, open: bool, limit: i64) -> Result<Vec<TicketView>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!(
                "{VIEW_SQL} WHERE ($1::text IS NULL OR outlet_code = $1) AND (NOT $2 OR state NOT IN ('closed', 'rejected'))
                 ORDER BY dispatched_at DESC, ticket_no LIMIT $3"
            ),
            &[&outlet, &open, &limit.clamp(1, 200)],
        )
        .await?;
    Ok(rows.iter().map(view).collect())
}
