//! Push: the outbox to head office, oldest first, in batches of at most `MAX_BATCH_EVENTS`.
//!
//! An event is marked acknowledged only when head office lists its key in `acked`, in one SQLite
//! transaction per response, and is never deleted before (invariant 3). A lost answer means the
//! batch goes again: head office acknowledges a repeat with the same hash and stores nothing new.

use hall_protocol::push::{MAX_BATCH_BYTES, MAX_BATCH_EVENTS, PushRequest, PushResponse, SeqRange, WireEvent};
use rusqlite::Connection;

use super::client::{HeadOffice, SyncError, SyncResult};
use crate::clock::stamp;
use crate::error::Result;
use crate::store::Store;

/// The oldest unacknowledged events, at most `limit` and at most about [`MAX_BATCH_BYTES`] of
/// payload, with the records `customers.imported` events name.
pub fn next_batch(conn: &Connection, limit: usize) -> Result<Vec<WireEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT epoch, seq, kind, entity_id, payload, recorded_at FROM outbox WHERE acked_at IS NULL ORDER BY pos LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(WireEvent {
            epoch: r.get(0)?,
            seq: r.get(1)?,
            kind: r.get(2)?,
            entity_id: r.get(3)?,
            payload: r.get(4)?,
            recorded_at: r.get(5)?,
            records: Vec::new(),
        })
    })?;
    let mut events = Vec::new();
    // Each event's size as it will be sent (a guess was wrong by half for imported records, and a
    // batch over head office's limit would be refused on every round), with room for the wrapper.
    let mut bytes = 0;
    for event in rows {
        let mut event = event?;
        if event.kind == "customers.imported" {
            event.records = super::records::imported_records(conn, &event.payload)?;
        }
        bytes += serde_json::to_vec(&event)?.len() + 1;
        if !events.is_empty() && bytes > MAX_BATCH_BYTES * 3 / 4 {
            break;
        }
        events.push(event);
    }
    Ok(events)
}

/// Marks acknowledged exactly the keys `acked` lists (no others), in one transaction. Returns
/// how many events changed from pending to acknowledged.
pub fn mark_acked(store: &mut Store, acked: &[SeqRange], at: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    let at = stamp(at);
    store.write(|tx| {
        let mut stmt = tx.prepare_cached("UPDATE outbox SET acked_at = ?3 WHERE pos BETWEEN ?1 AND ?2 AND acked_at IS NULL")?;
        let mut marked = 0;
        for range in acked {
            if range.from_seq > range.to_seq || range.from_seq < 1 {
                continue;
            }
            let from = (range.epoch << 32) | range.from_seq;
            let to = (range.epoch << 32) | range.to_seq;
            marked += stmt.execute((from, to, &at))? as u64;
        }
        Ok(marked)
    })
}

/// What one push round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    pub sent: u64,
    pub acked: u64,
    pub duplicates: u64,
    pub in_review: u64,
}

/// Sends every pending event, batch after batch, calling `progress(done, total)`. Stops at the
/// first failure (what was acknowledged stays acknowledged).
pub fn push_all(
    store: &mut Store,
    office: &HeadOffice,
    workstation_id: &str,
    now: impl Fn() -> chrono::DateTime<chrono::Utc>,
    mut progress: impl FnMut(u64, u64),
) -> SyncResult<Pushed> {
    let total = crate::store::outbox::pending(store.conn())? as u64;
    let mut pushed = Pushed::default();
    progress(0, total);
    loop {
        let events = next_batch(store.conn(), MAX_BATCH_EVENTS)?;
        if events.is_empty() {
            return Ok(pushed);
        }
        let sent = events.len() as u64;
        let request = PushRequest { workstation_id: workstation_id.to_owned(), events };
        let response: PushResponse = office.push(&request)?;
        let marked = mark_acked(store, &response.acked, now())?;
        pushed.sent += sent;
        pushed.acked += marked;
        pushed.duplicates += response.duplicates;
        pushed.in_review += response.in_review;
        progress(pushed.acked.min(total), total);
        if let Some(reason) = response.state.fenced {
            return Err(SyncError::Fenced(fenced_body(&reason)));
        }
        if marked == 0 {
            // Head office kept none of the batch (nothing new acknowledged): sending it again now
            // would loop; the next round tries again after the backoff.
            return Err(SyncError::Unreachable("head office acknowledged none of the batch".into()));
        }
    }
}

/// Head office's fence reason in plain words.
pub fn fenced_body(reason: &str) -> hall_protocol::ErrorBody {
    let (zh, en) = match reason {
        "clone_suspected" => (
            "总部发现本机可能是复制或恢复出的副本，已暂停同步，请联系总部处理",
            "Head office suspects this workstation is a copy or restored clone and has stopped its sync: contact head office",
        ),
        "epoch_regressed" => (
            "本机的事件编号回退（可能恢复了旧备份），总部已暂停同步，请联系总部处理",
            "This workstation's event numbering went back (an old backup?); head office stopped its sync: contact head office",
        ),
        "revoked" => ("本机的总部授权已被撤销，请重新注册", "Head office revoked this workstation's enrolment: enrol it again"),
        _ => ("总部已暂停本机同步，请联系总部处理", "Head office has stopped this workstation's sync: contact head office"),
    };
    hall_protocol::ErrorBody::new("workstation.fenced", format!("{zh}（{reason}）"), format!("{en} ({reason})"))
}
