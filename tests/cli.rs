//! The `hall` binary end to end: demo, users, import with rejected lines, export, backup and
//! restore, audit verification of a tampered file.

use std::path::Path;
use std::process::{Command, Output};

fn hall(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hall")).arg("--db").arg(db).args(args).env("HALL_NOW", "2026-03-02T09:30:00+08:00").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_command_line_covers_the_maintenance_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");

    let demo = hall(&db, &["demo", "--customers", "300"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    assert!(stdout(&demo).contains("clerk1234"));
    let again = hall(&db, &["demo", "--customers", "10"]);
    assert!(!again.status.success(), "the demo refuses a database that holds customers");

    let add = hall(&db, &["user", "add", "liufang", "--name", "刘芳", "--role", "clerk", "--password", "weak"]);
    assert!(!add.status.success());
    assert!(String::from_utf8_lossy(&add.stderr).contains("password.weak"));
    assert!(hall(&db, &["user", "add", "liufang", "--name", "刘芳", "--role", "clerk", "--password", "strong1234"]).status.success());
    assert!(hall(&db, &["user", "role", "liufang", "manager"]).status.success());
    assert!(stdout(&hall(&db, &["user", "list"])).contains("liufang"));

    let exported = dir.path().join("out.csv");
    let export = hall(&db, &["export", "customers", exported.to_str().unwrap()]);
    assert!(stdout(&export).contains("exported 300 customers"));

    // The exported file into a second database, with one broken line appended.
    let mut text = std::fs::read_to_string(&exported).unwrap();
    text.push_str("3300999999,坏数据,residential,resident_id,123,13800000000,某地,某所,220V,8,ZJ-RES-TIER,counter,A,0,,,,\n");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, text).unwrap();
    let other = dir.path().join("other.db");
    let import = hall(&other, &["import", "customers", input.to_str().unwrap()]);
    let out = stdout(&import);
    assert!(out.contains("line 302 account 3300999999: rejected [id_number.format]"), "{out}");
    assert!(out.contains("imported 300 customers, rejected 1 rows"), "{out}");

    let found = stdout(&hall(&other, &["search", "3300000007"]));
    assert!(found.starts_with("3300000007"), "{found}");

    let backup = dir.path().join("backup.db");
    assert!(hall(&db, &["backup", backup.to_str().unwrap()]).status.success());
    let restored = dir.path().join("restored.db");
    let restore = hall(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(stdout(&restore).contains("epoch is now 2"), "{}", stdout(&restore));

    assert!(stdout(&hall(&restored, &["audit", "verify"])).contains("audit log intact"));
    let conn = rusqlite::Connection::open(&restored).unwrap();
    conn.execute("UPDATE audit_log SET action = 'user.delete' WHERE seq = 3", []).unwrap();
    drop(conn);
    let verify = hall(&restored, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(stdout(&verify).contains("BROKEN at entry 3"));
}
