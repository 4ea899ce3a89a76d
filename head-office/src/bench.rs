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
