//! `POST /v1/push` and `GET /v1/workstation`: storing a batch of outbox events exactly once.
//!
//! One transaction per batch, holding the workstation's row lock (pushes of one workstation are
//! serialised even across server instances). The keys the batch carries that are already stored
//! are read (one index range per epoch) and their stored hashes compared; the new events go in
//! with one binary `COPY`. Any key whose content differs, or a new key under an epoch below
//! the highest seen, rolls the batch back; then, in a second transaction, the offending events go
//! to quarantine and the workstation is fenced.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use deadpool_postgres::GenericClient;
use hall_protocol::hash::event_hash;
use hall_protocol::push::{MAX_BATCH_EVENTS, PushRequest, PushResponse, SeqRange, SeriesHead, WireEvent, WorkstationState};

use crate::AppState;
use crate::auth::Workstation;
use crate::error::{Error, Result};
use crate::extract::JsonBody;

#[utoipa::path(post, path = "/v1/push", request_body = PushRequest, tag = "sync",
    params(("hall-protocol" = u32, Header, description = "protocol version")),
    security(("bearer" = [])),
    responses((status = 200, body = PushResponse), (status = 400, body = hall_protocol::ErrorBody),
        (status = 401, body = hall_protocol::ErrorBody), (status = 403, body = hall_protocol::ErrorBody),
        (status = 409, body = hall_protocol::ErrorBody), (status = 413, body = hall_protocol::ErrorBody),
        (status = 503, body = hall_protocol::ErrorBody)))]
pub async fn push(State(state): State<AppState>, ws: Workstation, JsonBody(request): JsonBody<PushRequest>) -> Result<Json<PushResponse>> {
    if request.workstation_id != ws.workstation_id {
        return Err(Error::WrongWorkstation);
    }
    if let Some(reason) = ws.fenced {
        return Err(Error::Fenced(reason));
    }
    check(&request.events)?;
    let hashes: Vec<String> = request.events.iter().map(event_hash).collect();
    let mut client = state.pool.get().await?;
    match store(&mut client, &ws, &request.events, &hashes).await? {
        Stored::Ok { stored, duplicates, in_review } => {
            let state = workstation_state(&client, &ws.outlet_code, &ws.workstation_id).await?;
            Ok(Json(PushResponse { acked: ranges(&request.events), stored, duplicates, in_review, state }))
        }
        Stored::Fence { reason, offenders } => {
            fence(&mut client, &ws, reason, &offenders, &request.events, &hashes).await?;
            Err(Error::Fenced(reason.to_owned()))
        }
    }
}

enum Stored {
    Ok {
        stored: u64,
        duplicates: u64,
        in_review: u64,
    },
    /// Rolled back: these events (by index, with the hash stored under the key, if any) are why.
    Fence {
        reason: &'static str,
        offenders: Vec<(usize, Option<String>)>,
    },
}

/// Ordered by (epoch, seq), positive, at most the batch size; a bad batch is refused whole.
fn check(events: &[WireEvent]) -> Result<()> {
    if events.len() > MAX_BATCH_EVENTS {
        return Err(Error::invalid(
            "push.too_many",
            format!("一批最多 {MAX_BATCH_EVENTS} 个事件"),
            format!("A batch carries at most {MAX_BATCH_EVENTS} events"),
        ));
    }
    let mut previous: Option<(i64, i64)> = None;
    for event in events {
        if event.epoch < 1 || event.seq < 1 {
            return Err(Error::invalid("push.bad_key", "事件的纪元和序号须为正整数", "An event's epoch and seq must be positive"));
        }
        if event.kind.is_empty() || event.kind.len() > 100 || event.entity_id.len() > 200 {
            return Err(Error::invalid("push.bad_event", "事件类型为空或字段过长", "An event's kind is empty or a field is too long"));
        }
        if previous.is_some_and(|p| p >= (event.epoch, event.seq)) {
            return Err(Error::invalid(
                "push.unordered",
                "批次中的事件须按纪元和序号递增且不重复",
                "A batch's events must be in increasing (epoch, seq) order without repeats",
            ));
        }
        previous = Some((event.epoch, event.seq));
    }
    Ok(())
}

async fn store(client: &mut deadpool_postgres::Client, ws: &Workstation, events: &[WireEvent], hashes: &[String]) -> Result<Stored> {
    let (outlet, workstation) = (&ws.outlet_code, &ws.workstation_id);
    let tx = client.transaction().await?;
    let fenced: Option<String> = tx
        .query_one("SELECT fenced FROM workstations WHERE outlet_code = $1 AND workstation_id = $2 FOR UPDATE", &[outlet, workstation])
        .await?
        .get(0);
    if let Some(reason) = fenced {
        return Err(Error::Fenced(reason));
    }
    if events.is_empty() {
        return Ok(Stored::Ok { stored: 0, duplicates: 0, in_review: 0 });
    }
    let top_epoch: Option<i64> =
        tx.query_one("SELECT max(epoch) FROM series WHERE outlet_code = $1 AND workstation_id = $2", &[outlet, workstation]).await?.get(0);
    // The keys already stored, read as one index range per epoch of the batch (a batch is a run of
    // seqs); under the workstation's lock no other push of it can add any meanwhile.
    let index: HashMap<(i64, i64), usize> = events.iter().enumerate().map(|(i, e)| ((e.epoch, e.seq), i)).collect();
    let mut stored: HashMap<(i64, i64), String> = HashMap::new();
    for (epoch, (low, high)) in seq_ranges(events) {
        for row in tx
            .query(
                "SELECT seq, hash FROM events WHERE outlet_code = $1 AND workstation_id = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5",
                &[outlet, workstation, &epoch, &low, &high],
            )
            .await?
        {
            let seq: i64 = row.get(0);
            if index.contains_key(&(epoch, seq)) {
                stored.insert((epoch, seq), row.get(1));
            }
        }
    }
    let fresh: Vec<usize> = (0..events.len()).filter(|i| !stored.contains_key(&(events[*i].epoch, events[*i].seq))).collect();
    // A new key under an epoch older than one already seen: a machine restored without a new epoch.
    if let Some(top) = top_epoch {
        let regressed: Vec<(usize, Option<String>)> = fresh.iter().filter(|i| events[**i].epoch < top).map(|i| (*i, None)).collect();
        if !regressed.is_empty() {
            tx.rollback().await?;
            return Ok(Stored::Fence { reason: "epoch_regressed", offenders: sorted(regressed) });
        }
    }
    let repeated: Vec<usize> = (0..events.len()).filter(|i| stored.contains_key(&(events[*i].epoch, events[*i].seq))).collect();
    if !repeated.is_empty() {
        let re_seqs: Vec<i64> = repeated.iter().map(|i| events[*i].seq).collect();
        // A fork an operator has already resolved is not raised again: its resend is acknowledged.
        let resolved: HashSet<(i64, i64, String)> = tx
            .query(
                "SELECT epoch, seq, hash FROM quarantine
                 WHERE outlet_code = $1 AND workstation_id = $2 AND resolved_at IS NOT NULL AND seq = ANY($3)",
                &[outlet, workstation, &re_seqs],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let forked: Vec<(usize, Option<String>)> = repeated
            .iter()
            .filter_map(|&i| {
                let key = (events[i].epoch, events[i].seq);
                let hash = &stored[&key];
                let known = resolved.contains(&(key.0, key.1, hashes[i].clone()));
                (*hash != hashes[i] && !known).then(|| (i, Some(hash.clone())))
            })
            .collect();
        if !forked.is_empty() {
            tx.rollback().await?;
            return Ok(Stored::Fence { reason: "clone_suspected", offenders: sorted(forked) });
        }
    }
    copy_events(&tx, outlet, workstation, fresh.iter().map(|i| (&events[*i], hashes[*i].as_str()))).await?;
    let inserted: HashSet<(i64, i64)> = fresh.iter().map(|i| (events[*i].epoch, events[*i].seq)).collect();
    let new_events: Vec<&WireEvent> = events.iter().filter(|e| inserted.contains(&(e.epoch, e.seq))).collect();
    let in_review = crate::projection::project(&tx, outlet, workstation, &new_events).await?;
    update_series(&tx, outlet, workstation, &new_events).await?;
    tx.execute("UPDATE workstations SET last_push_at = now() WHERE outlet_code = $1 AND workstation_id = $2", &[outlet, workstation])
        .await?;
    tx.commit().await?;
    Ok(Stored::Ok { stored: new_events.len() as u64, duplicates: repeated.len() as u64, in_review })
}

/// Each epoch of the batch with the lowest and highest seq it carries.
fn seq_ranges(events: &[WireEvent]) -> std::collections::BTreeMap<i64, (i64, i64)> {
    let mut ranges = std::collections::BTreeMap::new();
    for e in events {
        let range = ranges.entry(e.epoch).or_insert((e.seq, e.seq));
        range.0 = range.0.min(e.seq);
        range.1 = range.1.max(e.seq);
    }
    ranges
}

/// Writes new events with `COPY … FROM STDIN BINARY`: the cheapest way into PostgreSQL (the ingest
/// benchmark's baseline is exactly this), and the keys were checked above.
async fn copy_events<'a>(
    tx: &tokio_postgres::Transaction<'_>,
    outlet: &str,
    workstation: &str,
    events: impl Iterator<Item = (&'a WireEvent, &'a str)>,
) -> Result<()> {
    use tokio_postgres::binary_copy::BinaryCopyInWriter;
    use tokio_postgres::types::Type;
    let sink = tx
        .copy_in("COPY events (outlet_code, workstation_id, epoch, seq, kind, entity_id, payload, recorded_at, hash) FROM STDIN BINARY")
        .await?;
    let types = [Type::TEXT, Type::TEXT, Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT];
    let writer = BinaryCopyInWriter::new(sink, &types);
    futures_util::pin_mut!(writer);
    for (e, hash) in events {
        writer.as_mut().write(&[&outlet, &workstation, &e.epoch, &e.seq, &e.kind, &e.entity_id, &e.payload, &e.recorded_at, &hash]).await?;
    }
    writer.finish().await?;
    Ok(())
}

fn sorted(mut offenders: Vec<(usize, Option<String>)>) -> Vec<(usize, Option<String>)> {
    offenders.sort();
    offenders
}

async fn update_series(tx: &tokio_postgres::Transaction<'_>, outlet: &str, workstation: &str, events: &[&WireEvent]) -> Result<()> {
    let mut per_epoch: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    for event in events {
        let entry = per_epoch.entry(event.epoch).or_insert((0, 0));
        entry.0 = entry.0.max(event.seq);
        entry.1 += 1;
    }
    for (epoch, (highest, stored)) in per_epoch {
        tx.execute(
            "INSERT INTO series (outlet_code, workstation_id, epoch, highest, stored) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (outlet_code, workstation_id, epoch)
             DO UPDATE SET highest = greatest(series.highest, excluded.highest), stored = series.stored + excluded.stored",
            &[&outlet, &workstation, &epoch, &highest, &stored],
        )
        .await?;
    }
    Ok(())
}

/// Quarantines the offending events and fences the workstation, in a transaction of its own (the
/// batch itself was rolled back).
async fn fence(
    client: &mut deadpool_postgres::Client,
    ws: &Workstation,
    reason: &str,
    offenders: &[(usize, Option<String>)],
    events: &[WireEvent],
    hashes: &[String],
) -> Result<()> {
    let tx = client.transaction().await?;
    // Under the workstation's lock, and once per open fork: a retry of the same batch arriving
    // while the first was being fenced must not quarantine the fork twice.
    tx.execute(
        "SELECT 1 FROM workstations WHERE outlet_code = $1 AND workstation_id = $2 FOR UPDATE",
        &[&ws.outlet_code, &ws.workstation_id],
    )
    .await?;
    for (i, stored_hash) in offenders {
        let e = &events[*i];
        tx.execute(
            "INSERT INTO quarantine (outlet_code, workstation_id, epoch, seq, kind, entity_id, payload, recorded_at, hash, stored_hash, reason)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
             WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE outlet_code = $1 AND workstation_id = $2 AND epoch = $3 AND seq = $4
                               AND hash = $9 AND resolved_at IS NULL)",
            &[&ws.outlet_code, &ws.workstation_id, &e.epoch, &e.seq, &e.kind, &e.entity_id, &e.payload, &e.recorded_at, &hashes[*i], stored_hash, &reason],
        )
        .await?;
    }
    tx.execute(
        "UPDATE workstations SET fenced = $3, fenced_at = now() WHERE outlet_code = $1 AND workstation_id = $2 AND fenced IS NULL",
        &[&ws.outlet_code, &ws.workstation_id, &reason],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The batch's keys as runs of consecutive seqs.
pub fn ranges(events: &[WireEvent]) -> Vec<SeqRange> {
    let mut out: Vec<SeqRange> = Vec::new();
    for e in events {
        match out.last_mut() {
            Some(last) if last.epoch == e.epoch && last.to_seq + 1 == e.seq => last.to_seq = e.seq,
            _ => out.push(SeqRange { epoch: e.epoch, from_seq: e.seq, to_seq: e.seq }),
        }
    }
    out
}

#[utoipa::path(get, path = "/v1/workstation", tag = "sync",
    params(("hall-protocol" = u32, Header, description = "protocol version")),
    security(("bearer" = [])),
    responses((status = 200, body = WorkstationState), (status = 400, body = hall_protocol::ErrorBody), (status = 401, body = hall_protocol::ErrorBody), (status = 403, body = hall_protocol::ErrorBody), (status = 503, body = hall_protocol::ErrorBody)))]
pub async fn state(State(state): State<AppState>, ws: Workstation) -> Result<Json<WorkstationState>> {
    let client = state.pool.get().await?;
    Ok(Json(workstation_state(&client, &ws.outlet_code, &ws.workstation_id).await?))
}

/// Head office's view of a workstation's series: heads per epoch and the holes below them. The
/// events are scanned only for an epoch whose stored count says it has holes.
pub async fn workstation_state(client: &impl GenericClient, outlet: &str, workstation: &str) -> Result<WorkstationState> {
    let fenced = client
        .query_opt(
            "SELECT CASE WHEN revoked_at IS NOT NULL THEN 'revoked' ELSE fenced END FROM workstations WHERE outlet_code = $1 AND workstation_id = $2",
            &[&outlet, &workstation],
        )
        .await?
        .ok_or_else(|| Error::NotFound(hall_protocol::ErrorBody::new("workstation.not_found", "没有该工作站", "No such workstation")))?
        .get(0);
    let rows = client
        .query(
            "SELECT epoch, highest, stored FROM series WHERE outlet_code = $1 AND workstation_id = $2 ORDER BY epoch",
            &[&outlet, &workstation],
        )
        .await?;
    let mut series = Vec::new();
    let mut gaps = Vec::new();
    for row in rows {
        let (epoch, highest, stored): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        let mut contiguous_through = highest;
        if stored < highest {
            let holes = client
                .query(
                    "SELECT prev + 1, seq - 1 FROM (
                         SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev FROM events
                         WHERE outlet_code = $1 AND workstation_id = $2 AND epoch = $3) s
                     WHERE seq > prev + 1 ORDER BY seq",
                    &[&outlet, &workstation, &epoch],
                )
                .await?;
            for hole in holes {
                let range = SeqRange { epoch, from_seq: hole.get(0), to_seq: hole.get(1) };
                contiguous_through = contiguous_through.min(range.from_seq - 1);
                gaps.push(range);
            }
        }
        series.push(SeriesHead { epoch, contiguous_through, highest });
    }
    Ok(WorkstationState {
        workstation_id: workstation.to_owned(),
        outlet_code: outlet.to_owned(),
        series,
        gaps,
        fenced,
        server_time: hall_domain::clock::stamp(chrono::Utc::now()),
    })
}
