//! Shared test fixtures: a real SQLite file in a temporary directory, an app on a fixed clock,
//! the demo users, and valid customer drafts.
#![allow(dead_code)]

pub mod cups;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use hall::api::{App, LoginArgs, Request};
use hall::clock::FixedClock;
use hall::model::customer::*;
use hall::model::ids::resident_id_check_char;
use hall::store::{Actor, Store};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub app: App,
    pub clock: Arc<FixedClock>,
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()
}

/// A fresh database file with the demo users and no customers.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(start_time()));
    let mut store = Store::open(&dir.path().join("hall.db")).unwrap();
    hall::demo::populate(&mut store, &Actor { user_id: None, at: start_time() }, 0, 1, |_| {}).unwrap();
    let app = App::new(store, clock.clone());
    Fixture { dir, app, clock }
}

impl Fixture {
    pub fn login(&self, username: &str) -> String {
        let password = hall::demo::USERS.iter().find(|u| u.0 == username).unwrap().3;
        let reply = self.app.call(None, Request::Login(LoginArgs { username: username.into(), password: password.into() })).unwrap();
        reply["token"].as_str().unwrap().to_owned()
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("hall.db")
    }

    /// Row counts of every table a customer write touches.
    pub fn footprint(&self) -> Vec<i64> {
        let store = self.app.store();
        ["customers", "customer_phones", "meters", "customer_history", "outbox", "audit_log", "customer_name_text", "customer_address_text"]
            .iter()
            .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
            .collect()
    }
}

/// A valid resident ID for a birth date and serial.
pub fn resident_id(serial: u32) -> String {
    let first17 = format!("330106198{}0{}1{}{:03}", serial % 10, 1 + serial % 9, serial % 10, serial % 1000);
    format!("{first17}{}", resident_id_check_char(&first17) as char)
}

/// A valid residential customer.
pub fn draft(account: &str, name: &str) -> CustomerDraft {
    hall::demo::sample_customer(account, name)
}

/// Runs a Python program of a test oracle (an independent implementation of a published rule,
/// from PyPI: scripts/oracles.txt) with `input` on its standard input and returns what it prints.
/// The interpreter is `HALL_PYTHON` (scripts/test.sh sets it) or the checkout's `.venv`. A missing
/// environment fails the test: the oracle is part of it.
pub fn oracle(program: &str, input: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let python = std::env::var_os("HALL_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    assert!(
        python.exists(),
        "the oracle environment is missing: {} does not exist. Set HALL_PYTHON, or create .venv with scripts/setup.sh \
         (python3 -m venv .venv && .venv/bin/pip install -r scripts/oracles.txt)",
        python.display()
    );
    let mut child = Command::new(&python)
        .args(["-c", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the oracle");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the oracle failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}
