//! `GET /v1/changes` and `GET /v1/snapshot`: what a workstation pulls. Every query names the
//! workstation's outlet (one shard on Citus) or reads a reference table.

use axum::Json;
use axum::extract::State;
use deadpool_postgres::GenericClient;
use hall_protocol::pull::{Change, ChangePage, ChangesQuery, Cursor, MAX_PAGE, SNAPSHOT_TABLES, SnapshotPage, SnapshotQuery};
use hall_protocol::records;
use tokio_postgres::Row;

use crate::AppState;
use crate::auth::Workstation;
use crate::error::{Error, Result};
use crate::extract::QueryParams;

pub const GLOBAL: &str = "global";

pub fn outlet_scope(outlet: &str) -> String {
    format!("outlet:{outlet}")
}

fn limit(asked: Option<u32>) -> Result<i64> {
    match asked {
        None => Ok(i64::from(MAX_PAGE)),
        Some(0) => Err(Error::invalid("pull.limit", "每页条数须大于0", "The page size must be positive")),
        Some(n) => Ok(i64::from(n.min(MAX_PAGE))),
    }
}

fn change(scope: &str, row: &Row) -> Change {
    Change {
        scope: scope.to_owned(),
        pos: row.get(0),
        kind: row.get(1),
        schema: row.get::<_, i32>(2) as u32,
        key: row.get(3),
        body: row.get(4),
    }
}

#[utoipa::path(get, path = "/v1/changes", tag = "sync", params(ChangesQuery, ("hall-protocol" = u32, Header, description = "protocol version")),
    security(("bearer" = [])),
    responses((status = 200, body = ChangePage), (status = 400, body = hall_protocol::ErrorBody), (status = 401, body = hall_protocol::ErrorBody), (status = 403, body = hall_protocol::ErrorBody), (status = 503, body = hall_protocol::ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    ws: Workstation,
    QueryParams(query): QueryParams<ChangesQuery>,
) -> Result<Json<ChangePage>> {
    let limit = limit(query.limit)?;
    let mut cursor: Cursor = match query.cursor.as_deref() {
        None => Cursor::default(),
        Some(text) => text
            .parse()
            .map_err(|e: String| Error::invalid("pull.cursor", format!("游标无效：{e}"), format!("The cursor is not valid: {e}")))?,
    };
    let own = outlet_scope(&ws.outlet_code);
    if let Some(other) = cursor.0.keys().find(|scope| scope.as_str() != GLOBAL && **scope != own) {
        return Err(Error::ScopeDenied(other.clone()));
    }
    let mut client = state.pool.get().await?;
    let tx = client.build_transaction().read_only(true).start().await?;
    keyset_pages(&tx).await?;
    let global = tx
        .query(
            "SELECT pos, kind, schema, key, body FROM global_changes WHERE pos > $1 ORDER BY pos LIMIT $2",
            &[&cursor.position(GLOBAL), &(limit + 1)],
        )
        .await?;
    let outlet = tx
        .query(
            "SELECT pos, kind, schema, key, body FROM outlet_changes WHERE outlet_code = $1 AND pos > $2 ORDER BY pos LIMIT $3",
            &[&ws.outlet_code, &cursor.position(&own), &(limit + 1)],
        )
        .await?;
    tx.commit().await?;
    let mut changes: Vec<Change> = Vec::new();
    for (scope, rows) in [(GLOBAL, &global), (own.as_str(), &outlet)] {
        for row in rows.iter() {
            if changes.len() as i64 == limit {
                break;
            }
            let change = change(scope, row);
            cursor.advance(scope, change.pos);
            changes.push(change);
        }
    }
    let more = (global.len() + outlet.len()) as i64 > changes.len() as i64;
    // Name both scopes even before their first change, so the client's cursor lists what it reads.
    cursor.advance(GLOBAL, 0);
    cursor.advance(&own, 0);
    Ok(Json(ChangePage { changes, cursor: cursor.to_string(), more }))
}

/// Makes the transaction's page queries (`key > $after ORDER BY key LIMIT $n`) walk their key's
/// index. Right after a large publish or import, before autovacuum has analysed the table, the
/// planner guesses a few thousand matching rows and sorts them instead; measured on 1.2M bills,
/// that plan took 320 ms a page against 2 ms (BENCHMARKS.md, `hall bench sync`).
async fn keyset_pages(tx: &tokio_postgres::Transaction<'_>) -> Result<()> {
    tx.batch_execute("SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off").await?;
    Ok(())
}

/// The change cursor at this moment: every position committed so far.
pub async fn current_cursor(client: &impl GenericClient, outlet: &str) -> Result<Cursor> {
    let global: i64 = client.query_one("SELECT head FROM global_head WHERE id = 1", &[]).await?.get(0);
    let own: i64 = client.query_opt("SELECT head FROM outlet_heads WHERE outlet_code = $1", &[&outlet]).await?.map_or(0, |r| r.get(0));
    let mut cursor = Cursor::default();
    cursor.advance(GLOBAL, global);
    cursor.advance(&outlet_scope(outlet), own);
    Ok(cursor)
}

#[utoipa::path(get, path = "/v1/snapshot", tag = "sync", params(SnapshotQuery, ("hall-protocol" = u32, Header, description = "protocol version")),
    security(("bearer" = [])),
    responses((status = 200, body = SnapshotPage), (status = 400, body = hall_protocol::ErrorBody), (status = 401, body = hall_protocol::ErrorBody), (status = 403, body = hall_protocol::ErrorBody), (status = 503, body = hall_protocol::ErrorBody)))]
pub async fn snapshot(
    State(state): State<AppState>,
    ws: Workstation,
    QueryParams(query): QueryParams<SnapshotQuery>,
) -> Result<Json<SnapshotPage>> {
    let limit = limit(query.limit)?;
    if !SNAPSHOT_TABLES.contains(&query.table.as_str()) {
        return Err(Error::invalid(
            "snapshot.table",
            format!("没有可快照的表 {:?}", query.table),
            format!("No snapshot table {:?} (one of {})", query.table, SNAPSHOT_TABLES.join(", ")),
        ));
    }
    let mut client = state.pool.get().await?;
    // One snapshot of the database for the cursor and the rows, so the rows are at least as new as
    // the cursor (changes after it may repeat some of them; applying a record twice is harmless).
    let tx = client.build_transaction().isolation_level(tokio_postgres::IsolationLevel::RepeatableRead).read_only(true).start().await?;
    keyset_pages(&tx).await?;
    let cursor = current_cursor(&tx, &ws.outlet_code).await?;
    let after = query.after.clone().unwrap_or_default();
    let outlet = ws.outlet_code.as_str();
    let (sql, count_sql, kind): (&str, &str, &str) = match query.table.as_str() {
        "users" => (
            "SELECT id, jsonb_build_object('id', id, 'username', username, 'display_name', display_name, 'role', role,
                    'password_hash', password_hash, 'active', active, 'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))
             FROM users WHERE outlet_code = $1 AND id > $2 ORDER BY id LIMIT $3",
            "SELECT count(*) FROM users WHERE outlet_code = $1",
            records::USER,
        ),
        "customers" => (
            "SELECT id, record FROM customers WHERE outlet_code = $1 AND id > $2 ORDER BY id LIMIT $3",
            "SELECT count(*) FROM customers WHERE outlet_code = $1",
            records::CUSTOMER,
        ),
        "bills" => (
            "SELECT id, record FROM bills WHERE outlet_code = $1 AND id > $2 ORDER BY id LIMIT $3",
            "SELECT count(*) FROM bills WHERE outlet_code = $1",
            records::BILL,
        ),
        // 95598 tickets the outlet has not accepted yet (each workstation takes only its own).
        "service_tickets" => (
            "SELECT ticket_no, record FROM service_tickets WHERE outlet_code = $1 AND request_id IS NULL AND ticket_no > $2
             ORDER BY ticket_no LIMIT $3",
            "SELECT count(*) FROM service_tickets WHERE outlet_code = $1 AND request_id IS NULL",
            records::SERVICE_TICKET,
        ),
        "tariffs" => (
            "SELECT version, jsonb_build_object('version', version, 'body', body) FROM tariffs
             WHERE $1::text IS NOT NULL AND version > $2 ORDER BY version LIMIT $3",
            "SELECT count(*) FROM tariffs WHERE $1::text IS NOT NULL",
            records::TARIFF,
        ),
        _ => (
            "SELECT year::text, jsonb_build_object('year', year, 'body', body) FROM calendars
             WHERE $1::text IS NOT NULL AND year > coalesce(nullif($2, '')::int, -1) ORDER BY year LIMIT $3",
            "SELECT count(*) FROM calendars WHERE $1::text IS NOT NULL",
            records::CALENDAR,
        ),
    };
    if kind == records::CALENDAR && !after.is_empty() && after.parse::<i32>().is_err() {
        return Err(Error::invalid("snapshot.after", "续传位置无效", "The `after` key is not valid for this table"));
    }
    let rows = tx.query(sql, &[&outlet, &after, &(limit + 1)]).await?;
    let total = match query.after {
        None => Some(tx.query_one(count_sql, &[&outlet]).await?.get::<_, i64>(0) as u64),
        Some(_) => None,
    };
    tx.commit().await?;
    let more = rows.len() as i64 > limit;
    // The scope whose changes keep this table current after the snapshot.
    let scope = if kind == records::TARIFF || kind == records::CALENDAR { GLOBAL.to_owned() } else { outlet_scope(outlet) };
    let records: Vec<Change> = rows
        .iter()
        .take(limit as usize)
        .map(|row| Change {
            scope: scope.clone(),
            pos: 0,
            kind: kind.to_owned(),
            schema: records::schema_of(kind).unwrap_or(1),
            key: row.get(0),
            body: row.get(1),
        })
        .collect();
    let next = if more { records.last().map(|r| r.key.clone()) } else { None };
    Ok(Json(SnapshotPage { records, next, cursor: cursor.to_string(), total }))
}
