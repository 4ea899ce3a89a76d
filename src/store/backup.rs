//! Backups of the local database and restoring one (SPEC §10).
//!
//! A backup is written by SQLite's online backup API from a read connection of its own, holding one
//! read transaction for the whole copy: in WAL mode that snapshot blocks no writer, the copy is
//! consistent however many payments commit meanwhile, and it can go in steps with pauses without
//! restarting. The file is written under a `.partial` name, checked with `PRAGMA integrity_check`,
//! synced and only then renamed, so a file named `hall-….db` is always a whole, verified backup.
//! The attachment files it records are copied beside it (`attachments/` in the backup folder,
//! content addressed, so only new ones are copied) before that rename, and a restore copies them
//! back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Actor, Store, Tx, attachments, audit, open_connection};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};

/// How fast a backup copies: pages per step and the pause between steps, which leaves the disk
/// and a core to the counter.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub pages_per_step: i32,
    pub pause: Duration,
}

impl Pace {
    /// As fast as possible (the command line, tests).
    pub const FULL: Pace = Pace { pages_per_step: -1, pause: Duration::ZERO };
    /// Beside a working counter: 1 MiB (at 4 KiB pages) at a time, then a pause longer than the
    /// step (`hall bench backup` measures the counter's searches meanwhile: 10 ms pauses left
    /// their p99 1.5–1.75 times the quiet one on two cores).
    pub const GENTLE: Pace = Pace { pages_per_step: 256, pause: Duration::from_millis(40) };
}

const PREFIX: &str = "hall-";
const SUFFIX: &str = ".db";
const NAME_TIME: &str = "%Y%m%dT%H%M%SZ";

/// A backup's file name from the time it was taken: `hall-20261201T203000Z.db`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(NAME_TIME))
}

/// When a backup was taken, from its name; `None` for a file that is not one of ours.
pub fn taken_at(name: &str) -> Option<DateTime<Utc>> {
    let time = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    // A second backup in the same second is named `…Z-2.db`.
    let time = time.split_once('-').map_or(time, |(t, _)| t);
    NaiveDateTime::parse_from_str(time, NAME_TIME).ok().map(|t| t.and_utc())
}

/// One backup file in the backup directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupFile {
    pub file: String,
    pub taken_at: String,
    pub bytes: u64,
}

/// The backups in `dir`, newest first; a directory that is not there (an unplugged drive) has none.
pub fn list(dir: &Path) -> Result<Vec<BackupFile>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut found: Vec<(DateTime<Utc>, BackupFile)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let at = taken_at(&file)?;
            let bytes = e.metadata().ok().filter(|m| m.is_file())?.len();
            Some((at, BackupFile { file, taken_at: stamp(at), bytes }))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.file.cmp(&a.1.file)));
    Ok(found.into_iter().map(|(_, f)| f).collect())
}

/// Removes the backups in `dir` taken more than `keep_days` days before `now`; returns their names.
pub fn prune(dir: &Path, now: DateTime<Utc>, keep_days: i64) -> Result<Vec<String>> {
    let cutoff = now - chrono::Duration::days(keep_days);
    let mut removed = Vec::new();
    // The newest `keep_days` backups stay whatever their age: a clock set years ahead must not
    // leave only the backup just taken.
    for backup in list(dir)?.into_iter().skip(usize::try_from(keep_days).unwrap_or(0)) {
        if taken_at(&backup.file).is_some_and(|at| at < cutoff) {
            std::fs::remove_file(dir.join(&backup.file))?;
            removed.push(backup.file);
        }
    }
    if !removed.is_empty() {
        prune_attachments(dir)?;
    }
    Ok(removed)
}

/// Removes the attachment copies in `dir` that no backup left there records. Any backup that
/// cannot be read leaves every copy in place: a file is removed only when it is known unused.
fn prune_attachments(dir: &Path) -> Result<()> {
    // A backup being written (by another process) has copied files it does not list yet.
    let writing = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).any(|e| e.file_name().to_string_lossy().ends_with(".partial"));
    if writing {
        return Ok(());
    }
    let mut keep = std::collections::HashSet::new();
    for backup in list(dir)? {
        let listed = Connection::open_with_flags(dir.join(&backup.file), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(Error::from)
            .and_then(|conn| attachments::hashes(&conn));
        match listed {
            Ok(hashes) => keep.extend(hashes),
            // A backup from before attachments (no table) holds none.
            Err(e) if e.to_string().contains("no such table") => {}
            Err(e) => {
                eprintln!("backup: {} not read, its attachments kept: {e}", backup.file);
                return Ok(());
            }
        }
    }
    attachments::remove_others(dir, &keep)?;
    Ok(())
}

/// A name in `dir` for a backup taken at `at` that no file has yet.
pub fn free_name(dir: &Path, at: DateTime<Utc>) -> PathBuf {
    let first = dir.join(file_name(at));
    if !first.exists() {
        return first;
    }
    (2..).map(|n| dir.join(format!("{PREFIX}{}-{n}{SUFFIX}", at.format(NAME_TIME)))).find(|p| !p.exists()).expect("an unused name")
}

/// Copies the database at `source` to `dest` (which must not exist) at `pace`, verifies the copy
/// and returns its size in bytes.
pub fn write_verified(source: &Path, dest: &Path, pace: Pace) -> Result<u64> {
    if dest.exists() {
        return Err(Error::Conflict(UserMessage::new(
            "backup.exists",
            "备份文件已存在，请换一个文件名",
            "The backup file already exists; choose another name",
        )));
    }
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    check_directory(dir)?;
    let partial = dest.with_file_name(format!("{}.partial", dest.file_name().unwrap_or_default().to_string_lossy()));
    // On a thread of its own at the lowest priority: the copy and the integrity check give way to
    // the counter whenever both want a core (and the priority dies with the thread).
    let copied = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                lowest_priority();
                copy(source, &partial, pace).and_then(|()| verify(&partial)).and_then(|()| copy_attachments(source, &partial, dir))
            })
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the backup thread panicked".into())))
    });
    let written = copied.and_then(|()| {
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, dest)?;
        // The rename itself reaches the disk only when the directory is synced.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(std::fs::metadata(dest)?.len())
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.map_err(|e| plain_failure(e, dir))
}

/// Copies the attachment files the backup at `backup` records from beside the database at
/// `database` to `dir`'s `attachments/`, those not there yet: before the backup gets its name, so
/// a named backup has its files. Every backup in a folder shares the one content-addressed copy.
fn copy_attachments(database: &Path, backup: &Path, dir: &Path) -> Result<()> {
    let hashes = attachments::hashes(&Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?)?;
    let data_dir = database.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    attachments::copy_missing(data_dir, dir, &hashes).map(|_| ())
}

/// Lowers the calling thread's CPU and disk priority to the lowest (Linux: nice 19 and the idle
/// I/O class, for this thread only).
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority and ioprio_set take plain integers; `who` 0 is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        const IOPRIO_WHO_PROCESS: libc::c_long = 1;
        const IOPRIO_CLASS_IDLE: libc::c_long = 3;
        libc::syscall(libc::SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0 as libc::c_long, IOPRIO_CLASS_IDLE << 13);
    }
}

fn copy(source: &Path, dest: &Path, pace: Pace) -> Result<()> {
    let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    src.busy_timeout(Duration::from_secs(5))?;
    // One snapshot for every step: the backup never restarts when the counter writes.
    src.execute_batch("BEGIN")?;
    src.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
    {
        let mut target = Connection::open(dest)?;
        {
            let backup = Backup::new(&src, &mut target)?;
            loop {
                match backup.step(pace.pages_per_step)? {
                    StepResult::Done => break,
                    StepResult::More => std::thread::sleep(pace.pause),
                    _ => std::thread::sleep(pace.pause.max(Duration::from_millis(20))),
                }
            }
        }
        // A backup is a single file: no WAL beside it on a USB drive.
        target.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))?;
    }
    src.execute_batch("COMMIT")?;
    Ok(())
}

/// `PRAGMA integrity_check` on the file at `path`, opened read-only.
pub fn verify(path: &Path) -> Result<()> {
    let damaged =
        || Error::invalid(UserMessage::new("backup.damaged", "备份文件已损坏，无法使用", "The backup file is damaged and cannot be used"));
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|_| damaged())?;
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|_| damaged())?;
    if ok == "ok" { Ok(()) } else { Err(damaged()) }
}

/// The backup directory must be there and writable; said plainly, since it is often a USB drive.
fn check_directory(dir: &Path) -> Result<()> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(Error::Conflict(UserMessage::new(
            "backup.dir_missing",
            format!("备份目录{shown}不存在：请插好移动硬盘或U盘，或在设置中选择另一个目录"),
            format!("The backup folder {shown} is not there: connect the backup drive, or choose another folder in the settings"),
        )));
    }
    let probe = dir.join(".hall-write-test");
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => {
            eprintln!("backup: cannot write to {shown}: {e}");
            Err(Error::Conflict(UserMessage::new(
                "backup.dir_unwritable",
                format!("无法写入备份目录{shown}：没有写入权限或磁盘为只读，请选择另一个目录"),
                format!("Cannot write to the backup folder {shown}: no permission or a read-only disk; choose another folder"),
            )))
        }
    }
}

/// A machine failure during a backup in words an administrator can act on; the raw text goes to
/// the log.
fn plain_failure(e: Error, dir: &Path) -> Error {
    let Error::Internal(detail) = &e else { return e };
    eprintln!("backup: {detail}");
    let full = detail.contains("full") || detail.contains("No space");
    let (zh, en) = if full {
        (
            format!("备份磁盘{}空间已满：请清理磁盘或换一个目录", dir.display()),
            format!("The backup disk {} is full: free some space or choose another folder", dir.display()),
        )
    } else {
        (
            format!("备份未能完成：写入{}时出错，请检查备份磁盘后重试", dir.display()),
            format!("The backup did not complete: writing to {} failed; check the backup disk and try again", dir.display()),
        )
    };
    Error::Conflict(UserMessage::new(if full { "backup.disk_full" } else { "backup.failed" }, zh, en))
}

/// One recorded backup attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupRun {
    pub started_at: String,
    pub finished_at: String,
    /// `auto` (the daily backup) or `manual`.
    pub trigger: String,
    /// The file written, when it succeeded.
    pub file: Option<String>,
    pub bytes: Option<u64>,
    /// Why it failed, when it did.
    pub error: Option<UserMessage>,
}

/// Records an attempt and audits it, in the caller's write.
pub fn record(tx: &Tx, actor: &Actor, run: &BackupRun) -> Result<()> {
    insert_run(tx, run)?;
    let action = if run.error.is_some() { "backup.failed" } else { "backup.written" };
    audit::append(tx, actor, action, "database", run)
}

fn insert_run(tx: &Tx, run: &BackupRun) -> Result<()> {
    let error = run.error.as_ref();
    tx.execute(
        "INSERT INTO backup_runs (started_at, finished_at, trigger, file, bytes, error_code, error_zh, error_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            run.started_at,
            run.finished_at,
            run.trigger,
            run.file,
            run.bytes.map(|b| b as i64),
            error.map(|m| &m.code),
            error.map(|m| &m.zh),
            error.map(|m| &m.en)
        ],
    )?;
    Ok(())
}

const RUN_COLUMNS: &str = "started_at, finished_at, trigger, file, bytes, error_code, error_zh, error_en";

fn run_from_row(r: &rusqlite::Row) -> rusqlite::Result<BackupRun> {
    let code: Option<String> = r.get(5)?;
    Ok(BackupRun {
        started_at: r.get(0)?,
        finished_at: r.get(1)?,
        trigger: r.get(2)?,
        file: r.get(3)?,
        bytes: r.get::<_, Option<i64>>(4)?.map(|b| b as u64),
        error: code
            .map(|code| Ok::<_, rusqlite::Error>(UserMessage::new(&code, r.get::<_, String>(6)?, r.get::<_, String>(7)?)))
            .transpose()?,
    })
}

/// Every recorded attempt, oldest first.
fn all_runs(conn: &Connection) -> Result<Vec<BackupRun>> {
    let mut stmt = conn.prepare(&format!("SELECT {RUN_COLUMNS} FROM backup_runs ORDER BY id"))?;
    let runs = stmt.query_map([], run_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(runs)
}

/// The latest attempt, and the latest one that succeeded.
pub fn last_runs(conn: &Connection) -> Result<(Option<BackupRun>, Option<BackupRun>)> {
    let last = conn.query_row(&format!("SELECT {RUN_COLUMNS} FROM backup_runs ORDER BY id DESC LIMIT 1"), [], run_from_row).optional()?;
    let ok = conn
        .query_row(&format!("SELECT {RUN_COLUMNS} FROM backup_runs WHERE file IS NOT NULL ORDER BY id DESC LIMIT 1"), [], run_from_row)
        .optional()?;
    Ok((last, ok))
}

impl Store {
    /// Copies the live database to `dest` through SQLite's online backup API, verified; the
    /// counter can keep working while it runs.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        write_verified(self.path(), dest, Pace::FULL).map(|_| ())
    }

    /// Replaces the database at `dest` with the backup at `source`, with a new epoch (events and
    /// receipts numbered after a restore can never collide with those the lost copy may already
    /// have issued), every session the backup held ended, and the restore audited.
    ///
    /// Those changes are made to a staged copy beside `dest` first, which then replaces `dest`'s
    /// content in one backup (one transaction on `dest`): a crash at any moment leaves either the
    /// old database or the restored one with its new epoch, never the backup's own numbering.
    pub fn restore(source: &Path, dest: &Path, actor: &Actor) -> Result<Store> {
        Store::restore_above(source, dest, actor, 0)
    }

    /// As [`Store::restore`], with the new epoch also above `known_epoch`: the highest epoch head
    /// office holds events of for this workstation (`sync::restore::known_epoch`), which may be
    /// above the live database's when that was itself restored or lost.
    pub fn restore_above(source: &Path, dest: &Path, actor: &Actor, known_epoch: i64) -> Result<Store> {
        verify(source).map_err(|_| {
            Error::invalid(UserMessage::new(
                "restore.corrupt",
                "备份文件已损坏，无法恢复",
                "The backup file is damaged and cannot be restored",
            ))
        })?;
        // The record of backups outlives the restore: the backups themselves are still there, and a
        // backup never holds its own record (that is written after the copy). The live epoch counts
        // too: the new one must be past every epoch this workstation has issued under.
        let live = Connection::open_with_flags(dest, OpenFlags::SQLITE_OPEN_READ_ONLY).ok();
        let history = live.as_ref().and_then(|c| all_runs(c).ok()).unwrap_or_default();
        let live_epoch: i64 =
            live.as_ref().and_then(|c| c.query_row("SELECT epoch FROM workstation", [], |r| r.get(0)).ok()).unwrap_or(0).max(known_epoch);
        // A shared backup drive may hold another counter's backups: restoring one would clone that
        // workstation's identity and its receipt series.
        let workstation = |c: &Connection| c.query_row("SELECT workstation_id FROM workstation", [], |r| r.get::<_, String>(0)).ok();
        let live_id = live.as_ref().and_then(workstation);
        let backup_id = workstation(&Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        if let (Some(live_id), Some(backup_id)) = (&live_id, &backup_id)
            && live_id != backup_id
        {
            return Err(Error::Conflict(UserMessage::new(
                "restore.other_workstation",
                "该备份属于另一台工作站，不能在本机恢复",
                "This backup belongs to another workstation and cannot be restored here",
            )));
        }
        drop(live);
        // The backup's attachments first (from the folder it lies in, into the live data folder,
        // those not there yet), so that the restored rows find their files.
        let hashes = attachments::hashes(&Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?)?;
        let folder = |p: &Path| p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
        attachments::copy_missing(&folder(source), &folder(dest), &hashes)?;
        let staged = dest.with_extension("restoring");
        remove_with_sidecars(&staged);
        let outcome = stage(source, &staged, actor, live_epoch, &history).and_then(|()| {
            let staged_conn = Connection::open_with_flags(&staged, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let mut target = open_connection(dest)?;
            // All pages in one step: `dest` changes in one transaction.
            match Backup::new(&staged_conn, &mut target)?.step(-1)? {
                rusqlite::backup::StepResult::Done => Ok(()),
                other => Err(Error::Internal(format!("restore: the database stayed busy ({other:?})"))),
            }
        });
        remove_with_sidecars(&staged);
        outcome?;
        Store::open(dest)
    }
}

/// Removes a database file and the journal files SQLite may have left beside it.
fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

/// Copies `source` to `staged` and, there, starts the epoch after `live_epoch` and the backup's
/// own, ends the sessions, carries the backup history over and audits the restore.
fn stage(source: &Path, staged: &Path, actor: &Actor, live_epoch: i64, history: &[BackupRun]) -> Result<()> {
    {
        let backup = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut target = Connection::open(staged)?;
        Backup::new(&backup, &mut target)?.run_to_completion(1024, Duration::ZERO, None)?;
    }
    // Opening migrates a backup taken under an older schema.
    let mut store = Store::open(staged)?;
    store.write(|tx| {
        tx.execute(
            "UPDATE workstation SET epoch = max(epoch, ?1) + 1, next_seq = 1, next_receipt_seq = 1, next_application_seq = 1, next_request_seq = 1",
            [live_epoch],
        )?;
        tx.execute("UPDATE sessions SET ended_at = ?1 WHERE ended_at IS NULL", [stamp(actor.at)])?;
        for run in history {
            let known: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM backup_runs WHERE started_at = ?1)", [&run.started_at], |r| r.get(0))?;
            if !known {
                insert_run(tx, run)?;
            }
        }
        let epoch: i64 = tx.query_row("SELECT epoch FROM workstation", [], |r| r.get(0))?;
        let file = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        audit::append(tx, actor, "backup.restore", "database", &serde_json::json!({ "file": file, "epoch": epoch }))
    })?;
    // The staged copy goes into `dest` as one file, without a WAL beside it.
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(())
}
