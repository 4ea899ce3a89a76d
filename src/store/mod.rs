//! The local store: one SQLite file per workstation.
//!
//! Every write goes through [`Store::write`], which opens an immediate transaction; the repository
//! functions called inside it write the business rows, their history, the outbox event and the
//! audit entry together, so that either all of them land or none does.

pub mod applications;
pub mod arrears;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod calendar;
pub mod customer_clocks;
mod customer_merge;
pub mod customers;
pub mod dayend;
pub mod desk;
pub mod inspections;
pub mod memory;
mod migrations;
pub mod numbering;
pub mod outbox;
pub mod payments;
pub mod receipts;
pub mod relationship;
pub mod replica;
pub mod search;
pub mod service;
pub mod sessions;
pub mod settings;
pub mod sync_state;
pub mod users;
pub mod write_gate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, functions::FunctionFlags};

use crate::clock::stamp;
use crate::error::Result;
use crate::model::name_keys;

pub use migrations::{LATEST_VERSION, migrate_to};
use write_gate::{Gate, Priority};

/// Who is writing, and when: stamped on history, outbox and audit rows.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `None` for the system itself (imports from the command line, migrations).
    pub user_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// A connection's usual checkpoint interval, put back by [`DeferredCheckpoints::restore`].
#[must_use = "restore the checkpoint interval when the background work is done"]
pub struct DeferredCheckpoints {
    usual: i64,
}

impl DeferredCheckpoints {
    pub fn restore(self, store: &mut Store) -> Result<()> {
        store.conn.pragma_update(None, "wal_autocheckpoint", self.usual)?;
        store.checkpoint_between_writes()
    }
}

/// This workstation's identity and numbering state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workstation {
    pub workstation_id: String,
    pub outlet_code: String,
    pub epoch: i64,
    pub next_seq: i64,
}

/// Page cache during a bulk load: enough for the indexes of a million customers.
pub const BULK_CACHE_MIB: i64 = 1024;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Fixed for the life of a database file; read once at open.
    workstation_id: String,
    /// Shared with every other store of this process on the same file.
    gate: Arc<Gate>,
}

/// An open write transaction, with the workstation's identity at hand for outbox and audit rows.
pub struct Tx<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) workstation_id: String,
    gate: Option<Arc<Gate>>,
}

impl Tx<'_> {
    /// Whether a background transaction (a sync page) should commit what it has: a foreground
    /// writer of this process waits for the file, or has just written.
    pub fn should_yield(&self) -> bool {
        self.gate.as_ref().is_some_and(|gate| gate.should_yield())
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = open_connection(path)?;
        migrations::migrate_to(&mut conn, LATEST_VERSION)?;
        ensure_workstation(&conn)?;
        receipts::ensure_signing_key(&conn)?;
        ensure_tariffs(&mut conn)?;
        let workstation_id = conn.query_row("SELECT workstation_id FROM workstation", [], |r| r.get(0))?;
        Ok(Store { conn, path: path.to_owned(), workstation_id, gate: Gate::of(path) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder beside the database that holds its attachments (and the default backups).
    pub fn data_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Read access. Writes must go through [`Store::write`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one immediate transaction and commits if it returns `Ok`. On `Err` nothing
    /// that `f` wrote remains. Work a user waits for: it goes before background writers.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.write_as(Priority::Foreground, f)
    }

    /// As [`Store::write`] for work nobody waits for (sync): it waits while a foreground writer
    /// of this process does, and `f` should stop early when [`Tx::should_yield`] says so.
    pub fn write_background<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.write_as(Priority::Background, f)
    }

    fn write_as<T>(&mut self, priority: Priority, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let gate = self.gate.clone();
        let _turn = gate.enter(priority);
        let workstation_id = self.workstation_id.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tx = Tx { tx, workstation_id, gate: Some(gate.clone()) };
        let value = f(&tx)?;
        tx.tx.commit()?;
        Ok(value)
    }

    /// As [`Store::write`] for a load of customers: a large one is written by [`Store::write_bulk`].
    pub fn write_load<T>(&mut self, size: customers::LoadSize, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        match size {
            customers::LoadSize::Large { .. } => self.write_bulk(f),
            customers::LoadSize::Small => self.write(f),
        }
    }

    /// As [`Store::write`], for a load of many new rows (an import, the demo):
    /// - through a rollback journal instead of the WAL when this is the only connection: pages
    ///   past the end of the file need no journal, so the new rows are written once, where through
    ///   the WAL every page is written twice (to the log at commit, then back by the checkpoint);
    /// - without foreign-key checks: a load's rows refer only to rows it has just written (the
    ///   import tests check this with `PRAGMA foreign_key_check`);
    /// - with a page cache of [`BULK_CACHE_MIB`], so that the indexes' pages stay in memory.
    fn write_bulk<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        // Leaving WAL mode needs the only connection; with another open this stays in WAL.
        let journaled = self.conn.pragma_update_and_check(Some("main"), "journal_mode", "DELETE", |r| r.get::<_, String>(0));
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.with_cache_mib(BULK_CACHE_MIB, |store| store.write(f));
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        if journaled.is_ok_and(|mode| mode.eq_ignore_ascii_case("delete")) {
            self.conn.pragma_update_and_check(Some("main"), "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        }
        result
    }

    /// Makes this connection a background writer's (the sync task's): it never checkpoints the WAL
    /// inside its commits, which the write gate would make the counter wait for; it calls
    /// [`Store::checkpoint_between_writes`] between its transactions instead. Until `restore`d.
    pub fn defer_checkpoints(&mut self) -> Result<DeferredCheckpoints> {
        let usual: i64 = self.conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(DeferredCheckpoints { usual })
    }

    /// Copies the WAL back into the database as far as no reader needs it, without waiting for or
    /// blocking writers (a passive checkpoint), outside any transaction and the write gate.
    pub fn checkpoint_between_writes(&self) -> Result<()> {
        self.conn.query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn workstation(&self) -> Result<Workstation> {
        Ok(self.conn.query_row("SELECT workstation_id, outlet_code, epoch, next_seq FROM workstation", [], |r| {
            Ok(Workstation { workstation_id: r.get(0)?, outlet_code: r.get(1)?, epoch: r.get(2)?, next_seq: r.get(3)? })
        })?)
    }

    /// Runs `f` with a page cache of `mib` MiB; the usual size is restored afterwards.
    fn with_cache_mib<T>(&mut self, mib: i64, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let usual: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -mib * 1024)?;
        let result = f(self);
        self.conn.pragma_update(None, "cache_size", usual)?;
        result
    }

    /// Sets the outlet code this workstation issues under (from enrolment or the demo).
    pub fn set_outlet_code(&mut self, code: &str) -> Result<()> {
        self.conn.execute("UPDATE workstation SET outlet_code = ?1", [code])?;
        Ok(())
    }
}

/// Records the shipped tariff versions the database does not have yet (a version in force that
/// differs from the recorded one is refused, not overwritten).
fn ensure_tariffs(conn: &mut Connection) -> Result<()> {
    let workstation_id = conn.query_row("SELECT workstation_id FROM workstation", [], |r| r.get(0))?;
    let tx = Tx { tx: conn.transaction_with_behavior(TransactionBehavior::Immediate)?, workstation_id, gate: None };
    let today = crate::clock::business_date(Utc::now());
    billing::record_tariffs(&tx, crate::model::tariff::TariffBook::defaults().versions(), today)?;
    tx.tx.commit()?;
    Ok(())
}

/// Gives a new database its workstation identity: a fresh id, epoch 1, and no outlet yet.
fn ensure_workstation(conn: &Connection) -> Result<()> {
    let exists: Option<i64> = conn.query_row("SELECT 1 FROM workstation", [], |r| r.get(0)).optional()?;
    if exists.is_none() {
        conn.execute(
            "INSERT INTO workstation (singleton, workstation_id, outlet_code, epoch, next_seq, created_at)
             VALUES (1, ?1, '000000', 1, 1, ?2)",
            (uuid::Uuid::now_v7().to_string(), stamp(Utc::now())),
        )?;
    }
    Ok(())
}

/// Opens a connection with the pragmas every connection needs and the SQL functions the schema
/// uses.
pub fn open_connection(path: &Path) -> Result<Connection> {
    memory::install();
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a payment the clerk saw confirmed survives a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache (the default is 2 MiB): the search indexes of a large outlet stay in
    // memory. The cache grows only as pages are used.
    conn.pragma_update(None, "cache_size", -65536)?;
    // Statement journals in memory: every insert with a foreign key writes one, and on disk they
    // cost a system call per page.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Checkpoint the WAL every 8192 pages (32 MiB) instead of every 1000: a payment writes some
    // fifteen pages, and a checkpoint (copying the WAL back and syncing the database file) inside
    // a clerk's commit is what its slowest commits are made of.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    // Up to two helper threads for SQLite's sorter: a bulk import rebuilds its indexes in parallel
    // sort passes. Ordinary queries never sort enough to start one.
    conn.pragma_update(None, "threads", 2)?;
    // rusqlite keeps 16 prepared statements by default; a payment alone uses more than that, and
    // past the limit every statement is parsed again on each use.
    conn.set_prepared_statement_cache_capacity(128);
    register_functions(&conn)?;
    Ok(conn)
}

fn register_functions(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("hall_initials", 1, flags, |ctx| Ok(name_keys::initials(&ctx.get::<String>(0)?)))?;
    conn.create_scalar_function("hall_pinyin", 1, flags, |ctx| Ok(name_keys::full_pinyin(&ctx.get::<String>(0)?)))?;
    conn.create_scalar_function("hall_phone_key", 1, flags, |ctx| Ok(crate::model::ids::phone_key(&ctx.get::<String>(0)?)))?;
    conn.create_scalar_function("hall_text_tokens", 1, flags, |ctx| Ok(name_keys::text_tokens(&ctx.get::<String>(0)?)))?;
    Ok(())
}
