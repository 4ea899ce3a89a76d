//! The daily backup, backing up now, and restoring a chosen backup.
//!
//! The copy runs outside the store's lock, on a read connection of its own (`store::backup`), so
//! the counter keeps working; the store is locked only to read the settings and to record the
//! outcome. The transports start [`start`], which calls [`run_if_due`] every few minutes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, NoArgs, require_caller};
use crate::clock::{parse_stamp, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::store::backup::{self as repo, BackupFile, BackupRun, Pace};
use crate::store::settings::{self, BACKUP_DIR, BACKUP_KEEP_DAYS, DEFAULT_BACKUP_KEEP_DAYS};
use crate::store::{Actor, Store};

/// How often the background thread asks whether a backup is due.
pub const CHECK_EVERY: Duration = Duration::from_secs(5 * 60);
/// A backup is due a day after the last one that succeeded …
const DAILY: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// … and a failed one is tried again after an hour (the drive may have been plugged back in).
const RETRY_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What the settings screen shows.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BackupStatus {
    /// The directory backups go to (the one configured, or the default beside the database).
    pub dir: String,
    pub dir_is_default: bool,
    pub keep_days: i64,
    /// The latest attempt and the latest success (the same run when the latest succeeded).
    pub last: Option<BackupRun>,
    pub last_success: Option<BackupRun>,
    /// The backups in the directory, newest first.
    pub backups: Vec<BackupFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RestoreArgs {
    /// A file name from [`BackupStatus::backups`].
    pub file: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Restored {
    pub file: String,
    /// The new event epoch.
    pub epoch: i64,
}

/// Starts the background thread that takes the daily backup.
pub fn start(app: Arc<App>) {
    let spawned = std::thread::Builder::new().name("backup".into()).spawn(move || {
        loop {
            // Not at once: the first minutes after a start belong to logging in.
            std::thread::sleep(CHECK_EVERY);
            if let Err(e) = run_if_due(&app) {
                eprintln!("backup: {e}");
            }
        }
    });
    if let Err(e) = spawned {
        eprintln!("backup: the backup thread did not start: {e}");
    }
}

/// Takes the daily backup if one is due; returns the recorded attempt if it ran.
pub fn run_if_due(app: &App) -> Result<Option<BackupRun>> {
    let (last, last_success) = repo::last_runs(app.store().conn())?;
    if !is_due(app.clock().now(), last.as_ref(), last_success.as_ref()) {
        return Ok(None);
    }
    run(app, "auto", &app.actor(None)).map(Some)
}

fn is_due(now: DateTime<Utc>, last: Option<&BackupRun>, last_success: Option<&BackupRun>) -> bool {
    let age = |run: &BackupRun| parse_stamp(&run.started_at).map_or(DAILY, |at| now - at);
    if last_success.is_some_and(|run| age(run) < DAILY) {
        return false;
    }
    last.is_none_or(|run| run.error.is_none() || age(run) >= RETRY_AFTER)
}

/// Where backups go: the configured directory, or `backups` beside the database.
fn backup_dir(store: &Store) -> Result<(PathBuf, bool)> {
    match settings::get(store.conn(), BACKUP_DIR)?.filter(|d| !d.is_empty()) {
        Some(dir) => Ok((PathBuf::from(dir), false)),
        None => Ok((store.path().parent().unwrap_or(std::path::Path::new(".")).join("backups"), true)),
    }
}

fn busy() -> Error {
    Error::Conflict(UserMessage::new("backup.running", "正在备份，请稍后再试", "A backup is running; try again shortly"))
}

/// Writes one backup, prunes the old ones and records the outcome (a failure included).
fn run(app: &App, trigger: &str, actor: &Actor) -> Result<BackupRun> {
    let _one_at_a_time = app.backup_running.try_lock().map_err(|_| busy())?;
    let (source, (dir, is_default), keep_days) = {
        let store = app.store();
        (store.path().to_owned(), backup_dir(&store)?, settings::get_i64(store.conn(), BACKUP_KEEP_DAYS, DEFAULT_BACKUP_KEEP_DAYS)?)
    };
    let started = app.clock().now();
    if is_default {
        std::fs::create_dir_all(&dir)?;
    }
    let dest = repo::free_name(&dir, started);
    let written = repo::write_verified(&source, &dest, Pace::GENTLE);
    if written.is_ok()
        && let Err(e) = repo::prune(&dir, started, keep_days)
    {
        eprintln!("backup: old backups in {} not removed: {e}", dir.display());
    }
    let file = dest.file_name().map(|n| n.to_string_lossy().into_owned());
    let run = BackupRun {
        started_at: stamp(started),
        finished_at: stamp(app.clock().now()),
        trigger: trigger.to_owned(),
        bytes: written.as_ref().ok().copied(),
        file: written.as_ref().ok().and(file),
        error: written.err().map(|e| e.messages().remove(0)),
    };
    app.store().write(|tx| repo::record(tx, actor, &run))?;
    Ok(run)
}

pub(super) fn status(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<BackupStatus> {
    let store = app.store();
    let (dir, dir_is_default) = backup_dir(&store)?;
    let (last, last_success) = repo::last_runs(store.conn())?;
    Ok(BackupStatus {
        dir: dir.display().to_string(),
        dir_is_default,
        keep_days: settings::get_i64(store.conn(), BACKUP_KEEP_DAYS, DEFAULT_BACKUP_KEEP_DAYS)?,
        last,
        last_success,
        backups: repo::list(&dir)?,
    })
}

pub(super) fn run_now(app: &App, caller: Option<&Caller>, args: NoArgs) -> Result<BackupStatus> {
    let caller = require_caller(caller)?;
    run(app, "manual", &app.actor(Some(&caller.user)))?;
    status(app, Some(caller), args)
}

/// Replaces the running database with a backup from the list. The store is swapped under its
/// lock, so no command sees a half-restored database; every session ends (the restore ends them
/// in the restored file), so everyone logs in again.
pub(super) fn restore(app: &App, caller: Option<&Caller>, args: RestoreArgs) -> Result<Restored> {
    let caller = require_caller(caller)?;
    if repo::taken_at(&args.file).is_none() || args.file.contains(['/', '\\']) {
        return Err(Error::invalid(
            UserMessage::new("restore.not_a_backup", "请从列表中选择一个备份", "Choose a backup from the list").at("file"),
        ));
    }
    let _no_backup_meanwhile = app.backup_running.try_lock().map_err(|_| busy())?;
    // Head office's epochs for this workstation, asked before the store's lock is taken (network).
    let enrolment = crate::store::sync_state::enrolment(app.store().conn())?;
    let known_epoch = crate::sync::restore::known_epoch(enrolment.as_ref())?.unwrap_or(0);
    let mut store = app.store();
    let source = backup_dir(&store)?.0.join(&args.file);
    if !source.is_file() {
        return Err(Error::NotFound(
            UserMessage::new("restore.missing", "所选备份已不存在", "The chosen backup is no longer there").at("file"),
        ));
    }
    let path = store.path().to_owned();
    let restored = Store::restore_above(&source, &path, &app.actor(Some(&caller.user)), known_epoch)?;
    let epoch = restored.workstation()?.epoch;
    *store = restored;
    Ok(Restored { file: args.file, epoch })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_at(at: &str, failed: bool) -> BackupRun {
        BackupRun {
            started_at: at.into(),
            finished_at: at.into(),
            trigger: "auto".into(),
            file: (!failed).then(|| "hall-x.db".into()),
            bytes: (!failed).then_some(1),
            error: failed.then(|| UserMessage::new("backup.failed", "失败", "failed")),
        }
    }

    #[test]
    fn a_backup_is_due_daily_and_a_failed_one_hourly() {
        let now = parse_stamp("2026-03-02T12:00:00Z").unwrap();
        let ok_23h = run_at("2026-03-01T13:00:00Z", false);
        let ok_25h = run_at("2026-03-01T11:00:00Z", false);
        let failed_30m = run_at("2026-03-02T11:30:00Z", true);
        let failed_2h = run_at("2026-03-02T10:00:00Z", true);
        assert!(is_due(now, None, None), "never backed up");
        assert!(!is_due(now, Some(&ok_23h), Some(&ok_23h)));
        assert!(is_due(now, Some(&ok_25h), Some(&ok_25h)));
        assert!(!is_due(now, Some(&failed_30m), Some(&ok_25h)), "a failure is not retried at once");
        assert!(is_due(now, Some(&failed_2h), Some(&ok_25h)));
        assert!(!is_due(now, Some(&failed_2h), Some(&ok_23h)), "the day's backup exists");
    }
}
