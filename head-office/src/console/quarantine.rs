//! Quarantined events: a key `(workstation, epoch, seq)` that arrived again with other content
//! (a cloned or restored machine), shown beside the stored event, and the operator's resolution.
//!
//! Either choice closes the quarantine row; the stored event is never rewritten:
//! - `accept_new`: the later content is kept as a fork-resolution record (`fork_resolution`)
//!   beside the stored event, so both are at head office, and projected: money into the ledger
//!   (as a fork row), customer values merged by their stamps;
//! - `discard`: the later content is dropped (it stays in the quarantine row for the audit only).
//!
//! The workstation's fence is lifted by the resolution that closes its last open quarantine row;
//! while others remain it stays fenced and every push is refused.

use axum::Json;
use axum::extract::{Path, State};
use tokio_postgres::Row;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::sql::utc;
use super::types::{EventSide, QuarantinedEvent, Resolution, ResolutionChoice, ResolveArgs};
use crate::AppState;

fn select_sql(filter: &str) -> String {
    format!(
        "SELECT q.id, q.outlet_code, q.workstation_id, q.epoch, q.seq,
           coalesce(e.kind, ''), coalesce(e.entity_id, ''), coalesce(e.payload, ''), coalesce(e.hash, q.stored_hash, ''),
           coalesce(e.recorded_at, ''), coalesce({e_received}, ''),
           q.kind, q.entity_id, q.payload, q.hash, q.recorded_at, {q_received},
           r.choice, r.note, r.resolved_by, {r_resolved}, r.unfenced
         FROM quarantine q
         LEFT JOIN events e ON e.outlet_code = q.outlet_code AND e.workstation_id = q.workstation_id
                           AND e.epoch = q.epoch AND e.seq = q.seq
         LEFT JOIN console_quarantine_resolution r ON r.outlet_code = q.outlet_code AND r.quarantine_id = q.id
         {filter}
         ORDER BY q.resolved_at IS NOT NULL, q.received_at DESC, q.id DESC LIMIT 500",
        e_received = utc("e.received_at"),
        q_received = utc("q.received_at"),
        r_resolved = utc("r.resolved_at"),
    )
}

fn quarantined(row: &Row) -> QuarantinedEvent {
    let received: String = row.get(16);
    let choice: Option<String> = row.get(17);
    QuarantinedEvent {
        id: row.get(0),
        outlet_code: row.get(1),
        workstation_id: row.get(2),
        epoch: row.get(3),
        seq: row.get(4),
        stored: EventSide {
            kind: row.get(5),
            entity_id: row.get(6),
            payload: row.get(7),
            hash: row.get(8),
            recorded_at: row.get(9),
            received_at: row.get(10),
        },
        incoming: EventSide {
            kind: row.get(11),
            entity_id: row.get(12),
            payload: row.get(13),
            hash: row.get(14),
            recorded_at: row.get(15),
            received_at: received.clone(),
        },
        quarantined_at: received,
        resolution: choice.map(|choice| Resolution {
            choice: if choice == "accept_new" { ResolutionChoice::AcceptNew } else { ResolutionChoice::Discard },
            note: row.get(18),
            resolved_by: row.get(19),
            resolved_at: row.get(20),
            unfenced: row.get(21),
        }),
    }
}

pub async fn list(State(state): State<AppState>, _: Operator) -> ConsoleResult<Json<Vec<QuarantinedEvent>>> {
    let client = state.pool.get().await?;
    let rows = client.query(&select_sql(""), &[]).await?;
    Ok(Json(rows.iter().map(quarantined).collect()))
}

pub async fn resolve(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<i64>,
    Json(args): Json<ResolveArgs>,
) -> ConsoleResult<Json<QuarantinedEvent>> {
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let outlet_of: Option<String> = tx.query_opt("SELECT outlet_code FROM quarantine WHERE id = $1", &[&id]).await?.map(|r| r.get(0));
    let row = tx
        .query_opt(
            "SELECT outlet_code, workstation_id, epoch, seq, kind, entity_id, payload, hash, recorded_at,
               resolved_at IS NOT NULL
             FROM quarantine WHERE outlet_code = $2 AND id = $1 FOR UPDATE",
            &[&id, &outlet_of.unwrap_or_default()],
        )
        .await?
        .ok_or_else(|| ConsoleError::not_found("quarantine.unknown", "没有这条隔离记录", "No such quarantined event"))?;
    if row.get::<_, bool>(9) {
        return Err(ConsoleError::conflict(
            "quarantine.resolved",
            "这条隔离记录已由他人处理",
            "This quarantined event was already resolved",
        ));
    }
    let (outlet, workstation): (String, String) = (row.get(0), row.get(1));
    // Money taken at a counter is a fact: discarding it would acknowledge to the workstation a
    // payment head office then holds nowhere.
    if matches!(args.choice, ResolutionChoice::Discard) && crate::projection::money_sign(&row.get::<_, String>(4)).is_some() {
        return Err(ConsoleError::conflict(
            "quarantine.money_discard",
            "收费记录是柜台实收的款项，不能丢弃，只能保留",
            "A payment is money taken at the counter: it cannot be discarded, only kept",
        ));
    }
    let choice = match args.choice {
        ResolutionChoice::AcceptNew => {
            tx.execute(
                "INSERT INTO fork_resolution (outlet_code, workstation_id, epoch, seq, kind, entity_id, payload, hash,
                   recorded_at, quarantine_id, resolved_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
                &[
                    &outlet,
                    &workstation,
                    &row.get::<_, i64>(2),
                    &row.get::<_, i64>(3),
                    &row.get::<_, String>(4),
                    &row.get::<_, String>(5),
                    &row.get::<_, String>(6),
                    &row.get::<_, String>(7),
                    &row.get::<_, String>(8),
                    &id,
                    &operator.username,
                ],
            )
            .await?;
            let accepted = hall_protocol::push::WireEvent {
                epoch: row.get(2),
                seq: row.get(3),
                kind: row.get(4),
                entity_id: row.get(5),
                payload: row.get(6),
                recorded_at: row.get(8),
                records: Vec::new(),
            };
            crate::projection::project_accepted_fork(&tx, &outlet, &workstation, &accepted, id).await?;
            "accept_new"
        }
        ResolutionChoice::Discard => "discard",
    };
    tx.execute(
        "UPDATE quarantine SET resolved_at = now(), resolved_by = $3 WHERE outlet_code = $1 AND id = $2",
        &[&outlet, &id, &operator.username],
    )
    .await?;
    let still_open: i64 = tx
        .query_one(
            "SELECT count(*) FROM quarantine WHERE outlet_code = $1 AND workstation_id = $2 AND resolved_at IS NULL",
            &[&outlet, &workstation],
        )
        .await?
        .get(0);
    let unfenced = still_open == 0;
    if unfenced {
        tx.execute(
            "UPDATE workstations SET fenced = NULL, fenced_at = NULL WHERE outlet_code = $1 AND workstation_id = $2",
            &[&outlet, &workstation],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO console_quarantine_resolution (outlet_code, quarantine_id, choice, note, resolved_by, unfenced)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&outlet, &id, &choice, &args.note.trim(), &operator.username, &unfenced],
    )
    .await?;
    tx.commit().await?;
    let row = client.query_one(&select_sql("WHERE q.outlet_code = $1 AND q.id = $2"), &[&outlet, &id]).await?;
    Ok(Json(quarantined(&row)))
}
