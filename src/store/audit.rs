//! The audit log (SPEC §9): every action that changes money or records, chained by SHA-256 so
//! that an altered, inserted or removed row is found by [`verify`].
//!
//! A row's hash covers the previous row's hash and all of its own fields. Removing the newest rows
//! cannot be seen from the chain alone; head office, which receives the chain by sync, holds the
//! witness for that.

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{Actor, Tx};
use crate::clock::stamp;
use crate::error::Result;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends an entry in the caller's transaction.
pub fn append(tx: &Tx, actor: &Actor, action: &str, entity: &str, detail: &impl Serialize) -> Result<()> {
    let (prev_seq, prev_hash): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok((0, GENESIS.to_owned())),
            e => Err(e),
        })?;
    let entry = Entry {
        seq: prev_seq + 1,
        at: stamp(actor.at),
        workstation_id: tx.workstation_id.clone(),
        user_id: actor.user_id.clone(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        detail: serde_json::to_string(detail)?,
    };
    let hash = entry.hash(&prev_hash);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, workstation_id, user_id, action, entity, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        entry.seq,
        &entry.at,
        &entry.workstation_id,
        &entry.user_id,
        &entry.action,
        &entry.entity,
        &entry.detail,
        prev_hash,
        hash,
    ))?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub workstation_id: String,
    pub user_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub detail: String,
}

impl Entry {
    fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        // Each field is length-prefixed so that moving text between fields changes the hash.
        for field in [
            prev_hash,
            &self.seq.to_string(),
            &self.at,
            &self.workstation_id,
            self.user_id.as_deref().unwrap_or(""),
            &self.action,
            &self.entity,
            &self.detail,
        ] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Verification {
    pub entries: i64,
    /// The first row that does not match the chain, and why.
    pub first_broken: Option<Broken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Broken {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain and reports the first row whose content, link or position is wrong.
pub fn verify(conn: &rusqlite::Connection) -> Result<Verification> {
    let mut stmt =
        conn.prepare("SELECT seq, at, workstation_id, user_id, action, entity, detail, prev_hash, hash FROM audit_log ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    while let Some(r) = rows.next()? {
        let entry = Entry {
            seq: r.get(0)?,
            at: r.get(1)?,
            workstation_id: r.get(2)?,
            user_id: r.get(3)?,
            action: r.get(4)?,
            entity: r.get(5)?,
            detail: r.get(6)?,
        };
        let prev_hash: String = r.get(7)?;
        let hash: String = r.get(8)?;
        entries += 1;
        let problem = if entry.seq != expected_seq {
            Some(format!("expected entry {expected_seq}, found {} (a row is missing)", entry.seq))
        } else if prev_hash != expected_prev {
            Some("link to the previous entry does not match".to_owned())
        } else if hash != entry.hash(&prev_hash) {
            Some("content does not match its hash (the row was altered)".to_owned())
        } else {
            None
        };
        if let Some(reason) = problem {
            return Ok(Verification { entries, first_broken: Some(Broken { seq: entry.seq, reason }) });
        }
        expected_prev = hash;
        expected_seq += 1;
    }
    Ok(Verification { entries, first_broken: None })
}

/// The newest entries first, for the audit screen.
pub fn recent(conn: &rusqlite::Connection, limit: i64) -> Result<Vec<Entry>> {
    let mut stmt =
        conn.prepare("SELECT seq, at, workstation_id, user_id, action, entity, detail FROM audit_log ORDER BY seq DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Entry {
            seq: r.get(0)?,
            at: r.get(1)?,
            workstation_id: r.get(2)?,
            user_id: r.get(3)?,
            action: r.get(4)?,
            entity: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
