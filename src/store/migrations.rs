//! Numbered schema migrations. Each is a SQL file under `sql/`; the schema version is SQLite's
//! `user_version`. Migrations only ever get appended.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, Result};

const STEPS: &[&str] = &[
    include_str!("sql/001_base.sql"),
    include_str!("sql/002_customers.sql"),
    include_str!("sql/003_search.sql"),
    include_str!("sql/004_billing.sql"),
    include_str!("sql/005_lean_writes.sql"),
    include_str!("sql/006_bulk_friendly_keys.sql"),
    include_str!("sql/007_day_reopenings.sql"),
    include_str!("sql/008_people.sql"),
    include_str!("sql/009_backups.sql"),
    include_str!("sql/010_surname_keys.sql"),
    include_str!("sql/011_attachments.sql"),
    include_str!("sql/012_calendar_years.sql"),
    include_str!("sql/013_applications.sql"),
    include_str!("sql/014_sync.sql"),
    include_str!("sql/015_field_clocks.sql"),
    include_str!("sql/016_service_requests.sql"),
    include_str!("sql/017_arrears.sql"),
    include_str!("sql/018_inspections.sql"),
    include_str!("sql/019_service_tickets.sql"),
];

pub const LATEST_VERSION: usize = STEPS.len();

/// Brings the schema to `version` (for tests of upgrades from an earlier version).
pub fn migrate_to(conn: &mut Connection, version: usize) -> Result<()> {
    let migrations = Migrations::new(STEPS.iter().map(|sql| M::up(sql).foreign_key_check()).collect());
    // A migration that rebuilds a table drops the old one while other tables still refer to it,
    // so foreign keys are off while migrations run (SQLite's documented procedure) and each
    // migration is checked with `PRAGMA foreign_key_check` before it commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = migrations.to_version(conn, version).map_err(|e| Error::Internal(format!("migration: {e}")));
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated
}
