//! Any receipt across outlets: looked up by number among the received `payment.posted` events,
//! and its QR code verified with the registered public keys of every workstation
//! (`hall_domain::model::receipt::verify`), then compared with the payment head office received.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use hall_domain::clock::parse_stamp;
use hall_domain::model::receipt::{self, SignedFields};
use hall_domain::model::signed_code;
use tokio_postgres::Row;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::sql::utc;
use super::types::{ConsoleErrorBody, ReceiptQuery, ReceiptRecord, VerifyArgs, VerifyReply};
use crate::AppState;

/// A registered key (standard Base64 of the 32 bytes), or `None` when it does not parse.
pub fn verifying_key(base64: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = STANDARD.decode(base64.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

pub fn key_id_of(base64: &str) -> Option<String> {
    verifying_key(base64).map(|k| signed_code::key_id(&k))
}

fn record_sql(filter: &str) -> String {
    format!(
        "SELECT entity_id, outlet_code, workstation_id, payload::jsonb, {received}
         FROM events WHERE kind = 'payment.posted' AND {filter}
         ORDER BY entity_id LIMIT 50",
        received = utc("received_at"),
    )
}

fn record(row: &Row) -> ReceiptRecord {
    let payload: serde_json::Value = row.get(3);
    let text = |k: &str| payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let fen = |k: &str| payload.get(k).and_then(|v| v.as_i64()).unwrap_or_default();
    ReceiptRecord {
        receipt_no: row.get(0),
        outlet_code: row.get(1),
        workstation_id: row.get(2),
        account: text("account"),
        customer_name: text("customer_name"),
        amount: fen("amount"),
        late_fee: fen("late_fees"),
        prepaid_after: fen("prepaid_after"),
        posted_at: text("posted_at"),
        received_at: row.get(4),
    }
}

pub async fn lookup(
    State(state): State<AppState>,
    _: Operator,
    Json(query): Json<ReceiptQuery>,
) -> ConsoleResult<Json<Vec<ReceiptRecord>>> {
    let number = query.receipt_no.trim();
    if number.len() < 4 {
        return Err(ConsoleError::bad_request(
            "receipt.query_short",
            "请输入至少 4 位凭证号",
            "Enter at least 4 characters of the receipt number",
        ));
    }
    let client = state.pool.get().await?;
    // A fan-out over every outlet's shard: the receipt number says the outlet, but an operator
    // may type only its tail.
    let pattern = format!("%{}%", number.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let rows = client.query(&record_sql("entity_id LIKE $1"), &[&pattern]).await?;
    Ok(Json(rows.iter().map(record).collect()))
}

fn signed_posted_at(posted_at: &str) -> String {
    parse_stamp(posted_at).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_else(|| posted_at.to_owned())
}

fn matches(fields: &SignedFields, record: &ReceiptRecord) -> bool {
    fields.account == record.account
        && fields.amount.0 == record.amount
        && fields.late_fee.0 == record.late_fee
        && fields.prepaid_after.0 == record.prepaid_after
        && fields.posted_at == signed_posted_at(&record.posted_at)
}

pub async fn verify(State(state): State<AppState>, _: Operator, Json(args): Json<VerifyArgs>) -> ConsoleResult<Json<VerifyReply>> {
    let client = state.pool.get().await?;
    let keys: Vec<(String, String, VerifyingKey)> = client
        .query("SELECT outlet_code, workstation_id, receipt_public_key FROM workstations", &[])
        .await?
        .iter()
        .filter_map(|r| Some((r.get(0), r.get(1), verifying_key(r.get(2))?)))
        .collect();
    let just_keys: Vec<VerifyingKey> = keys.iter().map(|(_, _, k)| *k).collect();
    let fields = match receipt::verify(&args.code, &just_keys) {
        Ok(fields) => fields,
        Err(error) => {
            let message = error.messages().first().cloned();
            let body = message.map_or_else(
                || ConsoleErrorBody { code: "receipt_code.invalid".into(), zh: "凭证无效".into(), en: "Invalid receipt".into() },
                |m| ConsoleErrorBody { code: m.code.clone(), zh: m.zh.clone(), en: m.en.clone() },
            );
            return Ok(Json(VerifyReply {
                valid: false,
                error: Some(body),
                fields: None,
                workstation_id: None,
                outlet_code: None,
                record: None,
                matches_record: None,
            }));
        }
    };
    let signer = keys.iter().find(|(_, _, k)| signed_code::key_id(k) == fields.key_id);
    let row = client.query_opt(&record_sql("entity_id = $1"), &[&fields.receipt_no]).await?;
    let record = row.as_ref().map(record);
    Ok(Json(VerifyReply {
        valid: true,
        error: None,
        matches_record: record.as_ref().map(|r| matches(&fields, r)),
        workstation_id: signer.map(|s| s.1.clone()),
        outlet_code: signer.map(|s| s.0.clone()),
        fields: Some(fields),
        record,
    }))
}
