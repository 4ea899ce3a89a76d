//! Settings stored in the database, with defaults for the ones never set.

use rusqlite::OptionalExtension;

use crate::error::Result;

/// Minutes without activity after which a session is locked (SPEC §9).
pub const IDLE_LOCK_MINUTES: &str = "session.idle_lock_minutes";
pub const DEFAULT_IDLE_LOCK_MINUTES: i64 = 10;
/// Hours after which a session ends whatever its activity.
pub const SESSION_MAX_HOURS: &str = "session.max_hours";
pub const DEFAULT_SESSION_MAX_HOURS: i64 = 12;

pub fn get_i64(conn: &rusqlite::Connection, key: &str, default: i64) -> Result<i64> {
    let value: Option<String> = conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(default))
}

pub fn set(conn: &rusqlite::Connection, key: &str, value: &str, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, at),
    )?;
    Ok(())
}
