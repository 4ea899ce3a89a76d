//! Automatic backups and restoring one, through the command set: written and verified, kept for
//! the set number of days on a fixed clock, failures recorded in plain words, a restore from the
//! list starting a new epoch and ending every session, and refusal to other roles.

mod common;

use std::path::Path;

use chrono::Duration;
use hall::api::backup::{BackupStatus, RestoreArgs, Restored, run_if_due};
use hall::api::*;

fn set(f: &common::Fixture, token: &str, key: &str, value: &str) -> hall::Result<serde_json::Value> {
    f.app.call(Some(token), Request::SetSetting(SetSettingArgs { key: key.into(), value: value.into() }))
}

fn backup_now(f: &common::Fixture, token: &str) -> BackupStatus {
    serde_json::from_value(f.app.call(Some(token), Request::RunBackup(NoArgs {})).unwrap()).unwrap()
}

fn status(f: &common::Fixture, token: &str) -> BackupStatus {
    serde_json::from_value(f.app.call(Some(token), Request::BackupStatus(NoArgs {})).unwrap()).unwrap()
}

fn customers_in(file: &Path) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0)).unwrap()
}

fn audited(f: &common::Fixture, action: &str) -> usize {
    f.app.store().conn().query_row("SELECT count(*) FROM audit_log WHERE action = ?1", [action], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn a_backup_is_written_verified_and_kept_for_the_set_days() {
    let f = common::fixture();
    let admin = f.login("admin");
    let dir = tempfile::tempdir().unwrap();
    set(&f, &admin, "backup.dir", &dir.path().display().to_string()).unwrap();
    set(&f, &admin, "backup.keep_days", "2").unwrap();
    f.app.call(Some(&admin), Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap();

    let first = backup_now(&f, &admin);
    let last = first.last.clone().unwrap();
    assert_eq!(last.error, None);
    let file = last.file.clone().unwrap();
    assert_eq!(file, "hall-20260302T013000Z.db");
    let path = dir.path().join(&file);
    assert_eq!(last.bytes, Some(std::fs::metadata(&path).unwrap().len()));
    assert_eq!(first.backups.len(), 1);
    assert_eq!(customers_in(&path), 1, "the backup holds the data");
    hall::store::backup::verify(&path).unwrap();
    assert!(!dir.path().join(format!("{file}.partial")).exists());
    assert_eq!(audited(&f, "backup.written"), 1);

    // Due again only a day later; then daily, and backups older than two days go.
    assert!(run_if_due(&f.app).unwrap().is_none(), "the day's backup exists");
    f.clock.advance(Duration::hours(23));
    assert!(run_if_due(&f.app).unwrap().is_none());
    for day in 1..=3 {
        f.clock.set(common::start_time() + Duration::days(day) + Duration::minutes(5));
        let run = run_if_due(&f.app).unwrap().expect("a day later the backup is due");
        assert_eq!(run.trigger, "auto");
        assert!(run.file.is_some(), "{run:?}");
    }
    let admin = f.login("admin"); // the session ended with the days
    let kept: Vec<String> = status(&f, &admin).backups.into_iter().map(|b| b.file).collect();
    // Day 3 at 01:35 keeping 2 days: the cutoff is day 1 at 01:35, so day 0's backup (01:30) is
    // removed and day 1's (01:35, not before the cutoff) is kept with days 2 and 3.
    assert_eq!(kept, ["hall-20260305T013500Z.db", "hall-20260304T013500Z.db", "hall-20260303T013500Z.db"]);
    // Other files in the directory are never touched.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    f.clock.advance(Duration::days(10));
    run_if_due(&f.app).unwrap().unwrap();
    assert!(dir.path().join("notes.txt").exists());
    // Ten days on, every earlier backup is past the cutoff, but the newest two (the days kept)
    // stay whatever their age: a clock set ahead does not leave only the backup just taken.
    let admin = f.login("admin");
    let kept: Vec<String> = status(&f, &admin).backups.into_iter().map(|b| b.file).collect();
    assert_eq!(kept, ["hall-20260315T013500Z.db", "hall-20260305T013500Z.db"]);
}

/// Root ignores file modes, so the directory is also made immutable where that is possible.
fn make_unwritable(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::process::Command::new("chattr").arg("+i").arg(dir).status().is_ok_and(|s| s.success())
}

#[test]
fn a_failed_backup_is_recorded_in_plain_words() {
    let f = common::fixture();
    let admin = f.login("admin");
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("usb");
    std::fs::create_dir(&dir).unwrap();
    set(&f, &admin, "backup.dir", &dir.display().to_string()).unwrap();

    let immutable = make_unwritable(&dir);
    let status = backup_now(&f, &admin);
    if immutable {
        std::process::Command::new("chattr").arg("-i").arg(&dir).status().unwrap();
    }
    let error = status.last.clone().unwrap().error.expect("the backup failed");
    assert_eq!(error.code, "backup.dir_unwritable");
    assert!(error.zh.starts_with("无法写入备份目录"), "{}", error.zh);
    assert!(error.en.contains("choose another folder"), "{}", error.en);
    assert!(status.last_success.is_none());
    assert!(status.backups.is_empty());
    assert_eq!(audited(&f, "backup.failed"), 1);

    // The drive unplugged: the folder is gone.
    std::fs::remove_dir(&dir).unwrap();
    let status = backup_now(&f, &admin);
    assert_eq!(status.last.unwrap().error.unwrap().code, "backup.dir_missing");
    // A failure is tried again after an hour, not at every check.
    assert!(run_if_due(&f.app).unwrap().is_none());
    std::fs::create_dir(&dir).unwrap();
    f.clock.advance(Duration::minutes(61));
    assert!(run_if_due(&f.app).unwrap().unwrap().file.is_some());
}

#[test]
fn restoring_a_backup_from_the_list_starts_a_new_epoch_and_ends_sessions() {
    let f = common::fixture();
    let admin = f.login("admin");
    let clerk = f.login("clerk");
    f.app.call(Some(&admin), Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap();
    let file = backup_now(&f, &admin).last.unwrap().file.unwrap();
    f.app.call(Some(&admin), Request::CreateCustomer(common::draft("3300000002", "李四"))).unwrap();
    let epoch = f.app.store().workstation().unwrap().epoch;

    // Only a file from the list.
    let bad = f.app.call(Some(&admin), Request::RestoreBackup(RestoreArgs { file: "../hall.db".into() })).unwrap_err();
    assert_eq!(bad.code(), "restore.not_a_backup");

    let restored: Restored =
        serde_json::from_value(f.app.call(Some(&admin), Request::RestoreBackup(RestoreArgs { file: file.clone() })).unwrap()).unwrap();
    assert_eq!(restored.epoch, epoch + 1);
    let ws = f.app.store().workstation().unwrap();
    assert_eq!((ws.epoch, ws.next_seq), (epoch + 1, 1));
    assert_eq!(hall::store::customers::count(f.app.store().conn()).unwrap(), 1, "the customer added after the backup is gone");
    assert_eq!(audited(&f, "backup.restore"), 1);
    // The restored file predates its own backup's record; the record is kept.
    assert_eq!(hall::store::backup::last_runs(f.app.store().conn()).unwrap().1.unwrap().file, Some(file.clone()));
    // Everyone logs in again.
    for token in [&admin, &clerk] {
        assert_eq!(f.app.call(Some(token), Request::WhoAmI(NoArgs {})).unwrap_err().code(), "session.expired");
    }
    let admin = f.login("admin");
    f.app.call(Some(&admin), Request::CreateCustomer(common::draft("3300000003", "王五"))).unwrap();
    let outbox = hall::store::outbox::all(f.app.store().conn()).unwrap();
    assert_eq!((outbox.last().unwrap().epoch, outbox.last().unwrap().seq), (epoch + 1, 1));

    // The same backup restored again: its own epoch is behind the live one, and the new epoch
    // must be past both, or the second restore would number events and receipts the first
    // restore's life already issued.
    let restored: Restored =
        serde_json::from_value(f.app.call(Some(&admin), Request::RestoreBackup(RestoreArgs { file })).unwrap()).unwrap();
    assert_eq!(restored.epoch, epoch + 2);
    assert!(!f.db_path().with_extension("restoring").exists(), "the staged copy is removed");
}

#[test]
fn backups_and_their_settings_are_for_the_administrator() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let admin = f.login("admin");
    for token in [&clerk, &manager] {
        assert_eq!(f.app.call(Some(token), Request::RunBackup(NoArgs {})).unwrap_err().code(), "role.denied");
        let restore = Request::RestoreBackup(RestoreArgs { file: "hall-20260302T013000Z.db".into() });
        assert_eq!(f.app.call(Some(token), restore).unwrap_err().code(), "role.denied");
        assert_eq!(set(&f, token, "backup.keep_days", "7").unwrap_err().code(), "setting.denied");
    }
    assert_eq!(f.app.call(Some(&clerk), Request::BackupStatus(NoArgs {})).unwrap_err().code(), "role.denied");
    assert!(status(&f, &manager).dir_is_default);

    // Values are checked, and a refused one writes nothing.
    assert_eq!(set(&f, &admin, "backup.keep_days", "0").unwrap_err().code(), "setting.invalid");
    assert_eq!(set(&f, &admin, "backup.dir", "backups").unwrap_err().code(), "setting.invalid");
    assert_eq!(set(&f, &admin, "backup.dir", "/no/such/folder").unwrap_err().code(), "setting.invalid");
    assert_eq!(set(&f, &admin, "no.such.key", "1").unwrap_err().code(), "setting.unknown");
    let list: SettingList = serde_json::from_value(f.app.call(Some(&clerk), Request::GetSettings(NoArgs {})).unwrap()).unwrap();
    let keep = list.settings.iter().find(|s| s.key == "backup.keep_days").unwrap();
    assert_eq!((keep.value.as_str(), keep.is_default, keep.editable), ("14", true, false));
    assert_eq!(audited(&f, "setting.change"), 0);
    set(&f, &admin, "backup.keep_days", " 30 ").unwrap();
    assert_eq!(status(&f, &admin).keep_days, 30);
    assert_eq!(audited(&f, "setting.change"), 1);
}

#[test]
fn another_workstations_backup_on_a_shared_drive_is_refused() {
    let here = common::fixture();
    let there = common::fixture();
    let (admin_here, admin_there) = (here.login("admin"), there.login("admin"));
    backup_now(&here, &admin_here);
    let theirs = backup_now(&there, &admin_there);
    let file = theirs.last.unwrap().file.unwrap();
    // The other counter's backup lands in this one's folder, as on a shared USB drive.
    std::fs::copy(Path::new(&theirs.dir).join(&file), Path::new(&status(&here, &admin_here).dir).join(&file)).unwrap();
    let epoch = here.app.store().workstation().unwrap().epoch;
    let err = here.app.call(Some(&admin_here), Request::RestoreBackup(RestoreArgs { file })).unwrap_err();
    assert_eq!(err.code(), "restore.other_workstation");
    assert_eq!(here.app.store().workstation().unwrap().epoch, epoch, "nothing was restored");
    assert!(here.app.call(Some(&admin_here), Request::WhoAmI(NoArgs {})).is_ok(), "the session goes on");
}
