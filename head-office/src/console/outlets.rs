//! Outlets, their workstations and enrolment codes, with each outlet's sync health: the newest
//! push and the lag since, missing sequence numbers, fenced workstations, open quarantines.

use axum::Json;
use axum::extract::{Path, State};
use tokio_postgres::Row;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::sql::utc;
use super::types::{
    EnrolmentCodeView, GapView as SeqRange, NewCodeArgs, NewCodeReply, NewOutletArgs, OutletDetail, OutletSummary,
    SeriesView as SeriesHead, WorkstationView,
};
use crate::AppState;

fn summary_sql(filter: &str) -> String {
    format!(
        "SELECT o.code, o.name, o.areas,
           coalesce(w.total, 0), coalesce(w.revoked, 0), coalesce(w.fenced, 0), coalesce(q.open, 0),
           coalesce(s.missing, 0)::bigint, {last},
           extract(epoch FROM now() - w.last_push_at)::bigint, coalesce(m.open, 0)
         FROM outlets o
         LEFT JOIN (SELECT outlet_code, count(*) AS total, count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked,
                           count(*) FILTER (WHERE fenced IS NOT NULL) AS fenced, max(last_push_at) AS last_push_at
                    FROM workstations GROUP BY outlet_code) w ON w.outlet_code = o.code
         LEFT JOIN (SELECT outlet_code, count(*) AS open FROM quarantine WHERE resolved_at IS NULL GROUP BY outlet_code) q ON q.outlet_code = o.code
         LEFT JOIN (SELECT outlet_code, sum(highest - stored) AS missing FROM series GROUP BY outlet_code) s ON s.outlet_code = o.code
         LEFT JOIN (SELECT outlet_code, count(*) AS open FROM late_money WHERE resolved_at IS NULL GROUP BY outlet_code) m ON m.outlet_code = o.code
         {filter} ORDER BY o.code",
        last = utc("w.last_push_at"),
    )
}

fn summary(row: &Row) -> OutletSummary {
    OutletSummary {
        code: row.get(0),
        name: row.get(1),
        areas: row.get(2),
        workstations: row.get(3),
        revoked: row.get(4),
        fenced: row.get(5),
        quarantined: row.get(6),
        missing_events: row.get(7),
        last_push_at: row.get(8),
        lag_seconds: row.get(9),
        late_money_open: row.get(10),
    }
}

pub async fn list(State(state): State<AppState>, _: Operator) -> ConsoleResult<Json<Vec<OutletSummary>>> {
    let client = state.pool.get().await?;
    let rows = client.query(&summary_sql(""), &[]).await?;
    Ok(Json(rows.iter().map(summary).collect()))
}

fn no_outlet() -> ConsoleError {
    ConsoleError::not_found("outlet.unknown", "没有这个营业网点", "No such outlet")
}

async fn outlet_summary(client: &tokio_postgres::Client, code: &str) -> ConsoleResult<OutletSummary> {
    let row = client.query_opt(&summary_sql("WHERE o.code = $1"), &[&code]).await?;
    row.as_ref().map(summary).ok_or_else(no_outlet)
}

pub async fn create(State(state): State<AppState>, _: Operator, Json(args): Json<NewOutletArgs>) -> ConsoleResult<Json<OutletSummary>> {
    crate::admin::outlet_add(&state.pool, args.code.trim(), &args.name, &args.areas).await.map_err(super::hq_error)?;
    let client = state.pool.get().await?;
    Ok(Json(outlet_summary(&client, args.code.trim()).await?))
}

pub async fn detail(State(state): State<AppState>, _: Operator, Path(code): Path<String>) -> ConsoleResult<Json<OutletDetail>> {
    let client = state.pool.get().await?;
    Ok(Json(load_detail(&client, &code).await?))
}

async fn load_detail(client: &tokio_postgres::Client, code: &str) -> ConsoleResult<OutletDetail> {
    let code = code.to_owned();
    let outlet = outlet_summary(client, &code).await?;
    let rows = client
        .query(
            &format!(
                "SELECT workstation_id, counter_no, hostname, app_version, {}, {}, fenced, {},
                   extract(epoch FROM now() - last_push_at)::bigint, receipt_public_key,
                   (SELECT count(*) FROM events e WHERE e.outlet_code = w.outlet_code AND e.workstation_id = w.workstation_id)
                 FROM workstations w WHERE outlet_code = $1 ORDER BY counter_no, enrolled_at",
                utc("enrolled_at"),
                utc("revoked_at"),
                utc("last_push_at")
            ),
            &[&code],
        )
        .await?;
    let mut workstations = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.get(0);
        let (series, gaps) = series_and_gaps(client, &code, &id).await?;
        workstations.push(WorkstationView {
            outlet_code: code.clone(),
            counter_no: row.get(1),
            hostname: row.get(2),
            app_version: row.get(3),
            enrolled_at: row.get(4),
            revoked_at: row.get(5),
            fenced: row.get(6),
            last_push_at: row.get(7),
            lag_seconds: row.get(8),
            key_id: super::receipts::key_id_of(row.get(9)).unwrap_or_default(),
            events: row.get(10),
            series,
            gaps,
            id,
        });
    }
    let codes = client
        .query(
            &format!(
                "SELECT counter_no, {}, {}, used_by FROM enrol_codes WHERE outlet_code = $1 ORDER BY created_at DESC LIMIT 50",
                utc("created_at"),
                utc("expires_at")
            ),
            &[&code],
        )
        .await?
        .iter()
        .map(|r| EnrolmentCodeView { counter_no: r.get(0), created_at: r.get(1), expires_at: r.get(2), used_by: r.get(3) })
        .collect();
    Ok(OutletDetail { outlet, workstations, codes })
}

/// Each epoch's head and the runs missing below its highest stored sequence number.
async fn series_and_gaps(
    client: &tokio_postgres::Client,
    outlet: &str,
    workstation: &str,
) -> ConsoleResult<(Vec<SeriesHead>, Vec<SeqRange>)> {
    let gaps: Vec<SeqRange> = client
        .query(
            "SELECT epoch, prev + 1, seq - 1 FROM (
               SELECT epoch, seq, coalesce(lag(seq) OVER (PARTITION BY epoch ORDER BY seq), 0) AS prev
               FROM events WHERE outlet_code = $1 AND workstation_id = $2) t
             WHERE seq > prev + 1 ORDER BY epoch, prev",
            &[&outlet, &workstation],
        )
        .await?
        .iter()
        .map(|r| SeqRange { epoch: r.get(0), from_seq: r.get(1), to_seq: r.get(2) })
        .collect();
    let series = client
        .query(
            "SELECT epoch, max(seq) FROM events WHERE outlet_code = $1 AND workstation_id = $2 GROUP BY epoch ORDER BY epoch",
            &[&outlet, &workstation],
        )
        .await?
        .iter()
        .map(|r| {
            let (epoch, highest): (i64, i64) = (r.get(0), r.get(1));
            let first_gap = gaps.iter().find(|g| g.epoch == epoch).map(|g| g.from_seq - 1);
            SeriesHead { epoch, contiguous_through: first_gap.unwrap_or(highest), highest }
        })
        .collect();
    Ok((series, gaps))
}

pub async fn new_code(
    State(state): State<AppState>,
    operator: Operator,
    Path(code): Path<String>,
    Json(args): Json<NewCodeArgs>,
) -> ConsoleResult<Json<NewCodeReply>> {
    let client = state.pool.get().await?;
    outlet_summary(&client, &code).await?;
    if !(1..=99).contains(&args.counter_no) {
        return Err(ConsoleError::bad_request("enrol.counter_no", "柜台号须在 1 至 99 之间", "The counter number must be 1 to 99"));
    }
    let made = crate::admin::workstation_add(&state.pool, &code, args.counter_no).await.map_err(super::hq_error)?;
    eprintln!("console: {} made an enrolment code for {code} counter {}", operator.username, args.counter_no);
    let expires_at: String = client
        .query_one(
            &format!("SELECT {} FROM enrol_codes WHERE outlet_code = $1 ORDER BY created_at DESC LIMIT 1", utc("expires_at")),
            &[&code],
        )
        .await?
        .get(0);
    Ok(Json(NewCodeReply { code: made, outlet_code: code, counter_no: args.counter_no, expires_at }))
}

pub async fn revoke(State(state): State<AppState>, _: Operator, Path(id): Path<String>) -> ConsoleResult<Json<WorkstationView>> {
    let client = state.pool.get().await?;
    let outlet: Option<String> =
        client.query_opt("SELECT outlet_code FROM workstations WHERE workstation_id = $1", &[&id]).await?.map(|r| r.get(0));
    let outlet = outlet.ok_or_else(|| ConsoleError::not_found("workstation.unknown", "没有这台工作站", "No such workstation"))?;
    crate::admin::workstation_revoke(&state.pool, &outlet, &id).await.map_err(super::hq_error)?;
    load_detail(&client, &outlet)
        .await?
        .workstations
        .into_iter()
        .find(|w| w.id == id)
        .map(Json)
        .ok_or_else(|| ConsoleError::internal("revoked workstation vanished"))
}
