//! `hall-hq bench copy`: the baseline the ingest benchmark is measured against — PostgreSQL's
//! `COPY` of the same event rows into a fresh table of the same definition (keys and all).

use std::time::Instant;

use deadpool_postgres::Pool;
use futures_util::{SinkExt, StreamExt};

pub struct CopyRun {
    pub rows: u64,
    pub events_per_s: f64,
}

pub async fn copy_events(pool: &Pool) -> anyhow::Result<CopyRun> {
    let client = pool.get().await?;
    // The rows as COPY text, read before the clock starts.
    let mut data = Vec::new();
    let stream = client.copy_out("COPY events TO STDOUT").await?;
    futures_util::pin_mut!(stream);
    while let Some(chunk) = stream.next().await {
        data.extend_from_slice(&chunk?);
    }
    let table = format!("bench_copy_{}", std::process::id());
    client.batch_execute(&format!("DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (LIKE events INCLUDING ALL)")).await?;
    let started = Instant::now();
    let sink = client.copy_in::<_, bytes::Bytes>(&format!("COPY {table} FROM STDIN")).await?;
    futures_util::pin_mut!(sink);
    for chunk in data.chunks(1 << 20) {
        sink.send(bytes::Bytes::copy_from_slice(chunk)).await?;
    }
    let rows = sink.as_mut().finish().await?;
    let seconds = started.elapsed().as_secs_f64();
    client.batch_execute(&format!("DROP TABLE {table}")).await?;
    Ok(CopyRun { rows, events_per_s: if seconds > 0.0 { rows as f64 / seconds } else { 0.0 } })
}

/// `hall-hq bench seed-bills`: `per_customer` monthly bills (periods counting back from 2026-11) for
/// every customer head office holds for the outlet, written in SQL as the billing centre's publish
/// would leave them (BillRecord bodies), for the initial-snapshot benchmark. Returns the rows written.
pub async fn seed_bills(pool: &Pool, outlet: &str, per_customer: i32) -> anyhow::Result<u64> {
    let client = pool.get().await?;
    let rows = client
        .execute(
            "INSERT INTO bills (outlet_code, id, area, record)
             SELECT c.outlet_code, b.id, c.area, jsonb_build_object(
                 'id', b.id, 'customer_id', c.id, 'account', c.record #>> '{fields,account,value}', 'area', c.area,
                 'period', b.period, 'source', 'billing_centre', 'tariff_code', 'ZJ-RES-TIER',
                 'tariff_effective_from', '2024-01-01', 'kwh', 100 + m, 'amount_fen', 5380 + m * 10,
                 'due_date', to_char(b.month + interval '1 month' + interval '24 days', 'YYYY-MM-DD'),
                 'lines', '[]'::jsonb, 'issued_at', to_char(b.month + interval '1 month', 'YYYY-MM-DD') || 'T00:00:00Z')
             FROM customers c
             CROSS JOIN generate_series(0, $2 - 1) AS m
             CROSS JOIN LATERAL (SELECT date '2026-11-01' - make_interval(months => m) AS month) AS mm
             CROSS JOIN LATERAL (SELECT mm.month, to_char(mm.month, 'YYYY-MM') AS period,
                                        'SB-' || c.id || '-' || to_char(mm.month, 'YYYYMM') AS id) AS b
             WHERE c.outlet_code = $1
             ON CONFLICT DO NOTHING",
            &[&outlet, &per_customer],
        )
        .await?;
    // As the billing centre's publish does after a large file.
    client.batch_execute("ANALYZE bills").await?;
    Ok(rows)
}
