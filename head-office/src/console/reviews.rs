//! The review buckets: late money (stored, counted and acknowledged, waiting for an operator's
//! look) and customer values the merge overwrote. Marking one reviewed records who and when; it
//! changes no money and no customer.

use axum::Json;
use axum::extract::{Path, State};
use tokio_postgres::Row;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::sql::utc;
use super::types::{CustomerConflict, LateMoneyItem, ReviewArgs};
use crate::AppState;

fn late_sql(filter: &str) -> String {
    format!(
        "SELECT m.outlet_code, m.workstation_id, m.epoch, m.seq, m.receipt_no,
           coalesce(e.payload::jsonb ->> 'account', ''), m.amount_fen, m.reason, {created},
           r.reviewed_by, {reviewed}, coalesce(r.note, '')
         FROM late_money m
         LEFT JOIN events e ON e.outlet_code = m.outlet_code AND e.workstation_id = m.workstation_id
                           AND e.epoch = m.epoch AND e.seq = m.seq
         LEFT JOIN console_late_money_review r ON r.outlet_code = m.outlet_code AND r.workstation_id = m.workstation_id
                           AND r.epoch = m.epoch AND r.seq = m.seq
         {filter}
         ORDER BY r.reviewed_at IS NOT NULL, m.created_at DESC LIMIT 500",
        created = utc("m.created_at"),
        reviewed = utc("r.reviewed_at"),
    )
}

fn late(row: &Row) -> LateMoneyItem {
    LateMoneyItem {
        outlet_code: row.get(0),
        workstation_id: row.get(1),
        epoch: row.get(2),
        seq: row.get(3),
        receipt_no: row.get(4),
        account: row.get(5),
        amount: row.get(6),
        reason: row.get(7),
        received_at: row.get(8),
        reviewed_by: row.get(9),
        reviewed_at: row.get(10),
        note: row.get(11),
    }
}

pub async fn late_money(State(state): State<AppState>, _: Operator) -> ConsoleResult<Json<Vec<LateMoneyItem>>> {
    let client = state.pool.get().await?;
    Ok(Json(client.query(&late_sql(""), &[]).await?.iter().map(late).collect()))
}

/// The late-money row's key as the UI names it: `outlet.workstation.epoch.seq`.
fn late_key(key: &str) -> ConsoleResult<(String, String, i64, i64)> {
    let parts: Vec<&str> = key.rsplitn(3, '.').collect();
    let bad = || ConsoleError::bad_request("review.key", "记录标识格式不正确", "Malformed record key");
    let [seq, epoch, rest] = parts[..] else { return Err(bad()) };
    let (outlet, workstation) = rest.split_once('.').ok_or_else(bad)?;
    Ok((outlet.into(), workstation.into(), epoch.parse().map_err(|_| bad())?, seq.parse().map_err(|_| bad())?))
}

pub async fn late_money_reviewed(
    State(state): State<AppState>,
    operator: Operator,
    Path(key): Path<String>,
    Json(args): Json<ReviewArgs>,
) -> ConsoleResult<Json<LateMoneyItem>> {
    let (outlet, workstation, epoch, seq) = late_key(&key)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let updated = tx
        .execute(
            "UPDATE late_money SET resolved_at = least(resolved_at, now()), resolved_by = coalesce(resolved_by, $5)
             WHERE outlet_code = $1 AND workstation_id = $2 AND epoch = $3 AND seq = $4",
            &[&outlet, &workstation, &epoch, &seq, &operator.username],
        )
        .await?;
    if updated == 0 {
        return Err(ConsoleError::not_found("review.unknown", "没有这笔待复核款项", "No such late payment"));
    }
    tx.execute(
        "INSERT INTO console_late_money_review (outlet_code, workstation_id, epoch, seq, note, reviewed_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        &[&outlet, &workstation, &epoch, &seq, &args.note.trim(), &operator.username],
    )
    .await?;
    tx.commit().await?;
    let filter = "WHERE m.outlet_code = $1 AND m.workstation_id = $2 AND m.epoch = $3 AND m.seq = $4";
    let row = client.query_one(&late_sql(filter), &[&outlet, &workstation, &epoch, &seq]).await?;
    Ok(Json(late(&row)))
}

fn conflict_sql(filter: &str) -> String {
    format!(
        "SELECT c.id, c.customer_id, c.outlet_code, c.field, c.kept_value::text, c.kept_hlc,
           c.overwritten_value::text, c.overwritten_hlc, {merged}, r.reviewed_by, {reviewed}
         FROM customer_overwrites c
         LEFT JOIN console_conflict_review r ON r.outlet_code = c.outlet_code AND r.conflict_id = c.id
         {filter}
         ORDER BY r.reviewed_at IS NOT NULL, c.merged_at DESC LIMIT 500",
        merged = utc("c.merged_at"),
        reviewed = utc("r.reviewed_at"),
    )
}

fn conflict(row: &Row) -> CustomerConflict {
    CustomerConflict {
        id: row.get(0),
        customer_id: row.get(1),
        outlet_code: row.get(2),
        field: row.get(3),
        kept_value: row.get(4),
        kept_by: row.get(5),
        overwritten_value: row.get(6),
        overwritten_by: row.get(7),
        merged_at: row.get(8),
        reviewed_by: row.get(9),
        reviewed_at: row.get(10),
    }
}

pub async fn conflicts(State(state): State<AppState>, _: Operator) -> ConsoleResult<Json<Vec<CustomerConflict>>> {
    let client = state.pool.get().await?;
    Ok(Json(client.query(&conflict_sql(""), &[]).await?.iter().map(conflict).collect()))
}

pub async fn conflict_reviewed(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<i64>,
    Json(args): Json<ReviewArgs>,
) -> ConsoleResult<Json<CustomerConflict>> {
    let client = state.pool.get().await?;
    let outlet: String = client
        .query_opt("SELECT outlet_code FROM customer_overwrites WHERE id = $1", &[&id])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| ConsoleError::not_found("review.unknown", "没有这条冲突记录", "No such conflict"))?;
    client
        .execute(
            "INSERT INTO console_conflict_review (outlet_code, conflict_id, note, reviewed_by)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&outlet, &id, &args.note.trim(), &operator.username],
        )
        .await?;
    let row = client.query_one(&conflict_sql("WHERE c.outlet_code = $1 AND c.id = $2"), &[&outlet, &id]).await?;
    Ok(Json(conflict(&row)))
}
