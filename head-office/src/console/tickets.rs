//! 95598 work orders in the console: dispatch one to a workstation of an outlet, and follow the
//! outlet's handling (`crate::tickets`).

use axum::Json;
use axum::extract::State;
use hall_domain::model::service::{AreaType, Category, ComplaintClass, ServiceKind};
use hall_protocol::records::ServiceTicketRecord;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::hq_error;
use super::types::{DispatchArgs, TicketView};
use crate::AppState;
use crate::tickets;

pub async fn list(State(state): State<AppState>, _: Operator) -> ConsoleResult<Json<Vec<TicketView>>> {
    Ok(Json(tickets::list(&state.pool, None, false, 200).await.map_err(hq_error)?))
}

fn code<T>(text: Option<&str>, parse: impl Fn(&str) -> Option<T>, field: &str, zh: &str, en: &str) -> ConsoleResult<Option<T>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse(t).map(Some).ok_or_else(|| ConsoleError::bad_request(&format!("ticket.{field}"), zh, en)),
    }
}

pub async fn dispatch(
    State(state): State<AppState>,
    operator: Operator,
    Json(args): Json<DispatchArgs>,
) -> ConsoleResult<Json<TicketView>> {
    let category = code(Some(&args.category), Category::from_code, "category", "请选择工单类别", "Choose the category")?
        .ok_or_else(|| ConsoleError::bad_request("ticket.category", "请选择工单类别", "Choose the category"))?;
    let record = ServiceTicketRecord {
        ticket_no: args.ticket_no.trim().to_uppercase(),
        workstation_id: args.workstation_id.trim().to_owned(),
        category,
        complaint_class: code(
            args.complaint_class.as_deref(),
            ComplaintClass::from_code,
            "complaint_class",
            "投诉分类无效",
            "Unknown complaint class",
        )?,
        service_kind: code(
            args.service_kind.as_deref(),
            ServiceKind::from_code,
            "service_kind",
            "服务申请类型无效",
            "Unknown service kind",
        )?,
        area_type: code(args.area_type.as_deref(), AreaType::from_code, "area_type", "区域类型无效", "Unknown area type")?,
        customer_account: args.customer_account.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
        caller_name: args.caller_name.trim().to_owned(),
        caller_phone: args.caller_phone.trim().to_owned(),
        address: args.address.trim().to_owned(),
        content: args.content.trim().to_owned(),
        received_at: args
            .received_at
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    };
    let outlet = args.outlet_code.trim();
    tickets::dispatch(&state.pool, outlet, &operator.username, &record).await.map_err(hq_error)?;
    eprintln!("console: {} dispatched 95598 ticket {} to {}", operator.username, record.ticket_no, record.workstation_id);
    Ok(Json(tickets::get(&state.pool, outlet, &record.ticket_no).await.map_err(hq_error)?))
}
