//! The outbox: change events for head office, numbered `(workstation_id, epoch, seq)` with no
//! gaps. The sequence is taken from the `workstation` row inside the writer's transaction, so a
//! rolled-back write leaves no hole and concurrent writers (serialised by SQLite) cannot share a
//! number.

use serde::Serialize;

use super::{Actor, Tx};
use crate::clock::stamp;
use crate::error::Result;

/// One recorded event, as sync will send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub workstation_id: String,
    pub epoch: i64,
    pub seq: i64,
    pub kind: String,
    pub entity_id: String,
    pub payload: String,
    pub recorded_at: String,
}

/// Appends an event in the caller's transaction and returns its sequence number.
pub fn append(tx: &Tx, actor: &Actor, kind: &str, entity_id: &str, payload: &impl Serialize) -> Result<i64> {
    // A read and an update, not `UPDATE … RETURNING` (a temporary table per call).
    let (epoch, seq): (i64, i64) =
        tx.prepare_cached("SELECT epoch, next_seq FROM workstation")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    tx.prepare_cached("UPDATE workstation SET next_seq = ?1")?.execute([seq + 1])?;
    // The row's key is (epoch, seq) packed into the rowid (see migration 005): one b-tree, no index.
    tx.prepare_cached("INSERT INTO outbox (pos, kind, entity_id, payload, recorded_at) VALUES ((?1 << 32) | ?2, ?3, ?4, ?5, ?6)")?
        .execute((epoch, seq, kind, entity_id, serde_json::to_string(payload)?, stamp(actor.at)))?;
    Ok(seq)
}

/// All events in order, for sync and for tests.
pub fn all(conn: &rusqlite::Connection) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT w.workstation_id, o.epoch, o.seq, o.kind, o.entity_id, o.payload, o.recorded_at
         FROM outbox o CROSS JOIN workstation w ORDER BY o.pos",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Event {
            workstation_id: r.get(0)?,
            epoch: r.get(1)?,
            seq: r.get(2)?,
            kind: r.get(3)?,
            entity_id: r.get(4)?,
            payload: r.get(5)?,
            recorded_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of events head office has not acknowledged yet.
pub fn pending(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM outbox WHERE acked_at IS NULL", [], |r| r.get(0))?)
}
