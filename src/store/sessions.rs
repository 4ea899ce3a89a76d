//! Login sessions. A session is locked when idle longer than the configured minutes or when its
//! user locks it, and ends after a maximum age, at logout, or when its user is disabled or has
//! their password reset. The token is random; only its SHA-256 is stored.

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
    /// Locked by its user (the lock button), at this instant.
    pub locked_at: Option<DateTime<Utc>>,
    pub ended: bool,
}

pub fn find(conn: &Connection, token: &str) -> Result<Option<Session>> {
    let row = conn
        .prepare_cached(
            "SELECT token_hash, user_id, created_at, last_active_at, locked_at, ended_at IS NOT NULL FROM sessions WHERE token_hash = ?1",
        )?
        .query_row([hash_token(token)], |r| {
            Ok(Session {
                token_hash: r.get(0)?,
                user_id: r.get(1)?,
                created_at: parse_stamp(&r.get::<_, String>(2)?).unwrap_or_default(),
                last_active_at: parse_stamp(&r.get::<_, String>(3)?).unwrap_or_default(),
                locked_at: r.get::<_, Option<String>>(4)?.as_deref().and_then(parse_stamp),
                ended: r.get(5)?,
            })
        })
        .optional()?;
    Ok(row)
}

/// Records activity, unless it was recorded less than [`TOUCH_INTERVAL_SECONDS`] ago.
pub fn touch(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    if now - session.last_active_at >= Duration::seconds(TOUCH_INTERVAL_SECONDS) {
        conn.execute("UPDATE sessions SET last_active_at = ?2 WHERE token_hash = ?1", params![session.token_hash, stamp(now)])?;
    }
    Ok(())
}

/// Marks activity now, whatever the interval, and lifts a lock (after an unlock).
pub fn renew(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET last_active_at = ?2, locked_at = NULL WHERE token_hash = ?1",
        params![session.token_hash, stamp(now)],
    )?;
    Ok(())
}

/// Locks the session at its user's request; only the password unlocks it ([`renew`]).
pub fn lock(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET locked_at = ?2 WHERE token_hash = ?1 AND locked_at IS NULL",
        params![session.token_hash, stamp(now)],
    )?;
    Ok(())
}

/// Ends every open session of a user (disabled, or their password reset).
pub fn end_all_of(conn: &Connection, user_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute("UPDATE sessions SET ended_at = ?2 WHERE user_id = ?1 AND ended_at IS NULL", params![user_id, stamp(now)])?;
    Ok(())
}

pub fn end(conn: &Connection, session: &Session, now: DateTime<Utc>) -> Result<()> {
    conn.execute("UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL", params![session.token_hash, stamp(now)])?;
    Ok(())
}
