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

pub fn get(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// The company and outlet names printed on receipts and reports.
pub const COMPANY_NAME: &str = "print.company_name";
pub const DEFAULT_COMPANY_NAME: &str = "国网杭州供电公司";
pub const OUTLET_NAME: &str = "print.outlet_name";
pub const DEFAULT_OUTLET_NAME: &str = "营业厅";

pub fn get_or(conn: &rusqlite::Connection, key: &str, default: &str) -> Result<String> {
    Ok(get(conn, key)?.unwrap_or_else(|| default.to_owned()))
}

/// Collection after 日结: `next_day` (the default) dates it for the next business date, `refuse`
/// waits until that date begins.
pub const DESK_AFTER_CLOSE: &str = "desk.after_close";
/// Change above this (in fen) must be confirmed by the clerk: a cash tender that far above what is
/// due is more likely a typing error than a customer's banknotes.
pub const CONFIRM_CHANGE_OVER: &str = "payment.confirm_change_over_fen";
pub const DEFAULT_CONFIRM_CHANGE_OVER: i64 = 100_000;
