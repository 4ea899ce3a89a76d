//! The crash test: `hall crash-test` kills a child posting payments (with backups and customer
//! imports among them) with SIGKILL at random moments, 200 times, and checks after each kill that
//! every payment it reported as committed exists exactly once, receipt numbers have no gaps, and
//! every balance reconciles (see src/bin/hall/crash.rs; scripts/test-power-loss.sh runs the same
//! rounds with power cuts on LazyFS).

use std::process::{Command, Stdio};

#[test]
fn payments_survive_being_killed_at_any_moment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let hall = env!("CARGO_BIN_EXE_hall");
    let status = Command::new(hall)
        .arg("--db")
        .arg(&db)
        .args(["demo", "--customers", "60", "--history", "60"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    let out = Command::new(hall).arg("--db").arg(&db).args(["crash-test", "--rounds", "200"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let count = |label: &str| -> usize {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{label} in {stdout}"))
    };
    assert!(count("committed payments:") > 200, "the child should have committed payments between kills: {stdout}");
    assert!(count("backups:") > 20, "the child should have made backups between kills: {stdout}");
    assert!(count("imports:") > 20, "the child should have imported customers between kills: {stdout}");
}
