//! Login sessions. A session is locked when idle longer than the configured minutes and ends after
//! a maximum age or at logout. The token is random; only its SHA-256 is stored.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Actor, Tx};
use crate::clock::{parse_stamp, stamp};
use crate::error::Result;

/// Activity is written back at most this often, so that typing in the search box does not cost a
/// disk sync per keystroke. The idle lock is therefore exact to within this interval.
pub const TOUCH_INTERVAL_SECONDS: i64 = 30;

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session and returns its token (shown to the client once).
pub fn start(tx: &Tx, actor: &Actor, user_id: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = stamp(actor.at);
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_active_at) VALUES (?1, ?2, ?3, ?3)",
        params![hash_token(&token), user_id, now],
    )?;
    Ok(token)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub last_active_at: DateTime<Utc>,
    pub ended: bool,
}

pub fn find(conn: &Connection, token: &str) -> Result<Option<Session>> {
    let row = conn
        .prepare_cached("SELECT token_hash, user_id, created_at, last_active_at, ended_at IS NOT NULL FROM sessions WHERE token_hash = ?1")?
        .query_row([hash_token(token)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?))
        })
        .optional()?;
    Ok(row.map(|(token_hash, user_id, created, active, ended)| Session {
        token_hash,
        user_id,
        created_at: parse_stamp(&created).unwrap_or_default(),
        last_active_at: parse_stamp(&active).unwrap_or_default(),
        ended,
    }))
}

/// Records activity, unless it was recorded less than [`TOUCH_INTERVAL_SECONDS`] ago.
pub fn touch(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    if now - session.last_active_at >= Duration::seconds(TOUCH_INTERVAL_SECONDS) {
        conn.execute("UPDATE sessions SET last_active_at = ?2 WHERE token_hash = ?1", params![session.token_hash, stamp(now)])?;
    }
    Ok(())
}

/// Marks activity now, whatever the interval (after an unlock).
pub fn renew(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    conn.execute("UPDATE sessions SET last_active_at = ?2 WHERE token_hash = ?1", params![session.token_hash, stamp(now)])?;
    Ok(())
}

pub fn end(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    conn.execute("UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL", params![session.token_hash, stamp(now)])?;
    Ok(())
}
