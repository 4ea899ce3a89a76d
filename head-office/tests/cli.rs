//! The `hall-hq` command line against a real PostgreSQL: migrate, outlets, codes, users, publishing,
//! status, a certificate, and `serve` answering an enrolment over HTTPS.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use head_office::testing::{TestPostgres, unique_outlet};

fn hq(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hall-hq"))
        .args(args)
        .env("HALL_HQ_DATABASE_URL", url)
        .env("HALL_HQ_PASSWORD", "secret123")
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test]
async fn the_command_line_administers_head_office_and_serves_it() {
    let pg = TestPostgres::start().unwrap();
    let url = pg.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = hq(url, &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("migrations applied"));
    assert!(hq(url, &["migrate"]).0, "a second migrate is a no-op");

    let outlet = unique_outlet("C");
    let (ok, _, err) = hq(url, &["outlet", "add", &outlet, "西湖营业厅", "--areas", "XH1,XH2"]);
    assert!(ok, "{err}");
    let (ok, _, err) = hq(url, &["outlet", "add", &outlet, "again", "--areas", "XH1"]);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (_, list, _) = hq(url, &["outlet", "list"]);
    assert!(list.contains(&format!("{outlet}\t西湖营业厅\tXH1,XH2")), "{list}");
    let (ok, code, err) = hq(url, &["workstation", "add", "--outlet", &outlet, "--counter", "2"]);
    assert!(ok, "{err}");
    let code = code.trim().to_owned();
    assert!(code.starts_with(&format!("{outlet}.")) && code.len() == outlet.len() + 1 + 19, "{code}");
    let (ok, _, err) = hq(url, &["workstation", "add", "--outlet", "NOPE", "--counter", "1"]);
    assert!(!ok && err.contains("No outlet"), "{err}");
    let (ok, out, err) =
        hq(url, &["user", "add", "--outlet", &outlet, "--username", "wang.wu", "--display-name", "王五", "--role", "manager"]);
    assert!(ok && out.contains("wang.wu"), "{err}");
    let (ok, _, err) = hq(url, &["user", "add", "--outlet", &outlet, "--username", "x", "--display-name", "X", "--role", "boss"]);
    assert!(!ok, "{err}");

    let bills = dir.path().join("bills.csv");
    std::fs::write(
        &bills,
        format!(
            "id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at\n\
             CB1,{},3300000009,XH1,2026-11,residential,2026-01-01,10,530,2026-12-25,2026-12-01T00:00:00Z\n\
             CB2,{},33000,XH1,2026-11,residential,2026-01-01,10,530,2026-12-25,2026-12-01T00:00:00Z\n",
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7()
        ),
    )
    .unwrap();
    let (ok, out, _) = hq(url, &["publish", "bills", bills.to_str().unwrap()]);
    assert!(!ok, "a file with rejected lines exits non-zero");
    assert!(out.contains("bills accepted: 1") && out.contains("line 3: account"), "{out}");
    let calendar = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/calendar/2026.toml");
    let (ok, out, err) = hq(url, &["publish", "calendar", calendar.to_str().unwrap()]);
    assert!(ok && out.contains("calendar 2026"), "{err}");
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "year = 'x'").unwrap();
    assert!(!hq(url, &["publish", "calendar", broken.to_str().unwrap()]).0);
    let (ok, status, _) = hq(url, &["status"]);
    assert!(ok);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert!(status["outlets"].as_i64().unwrap() >= 1);

    // serve, with a certificate made by `hall-hq cert`, answers an enrolment with the printed code.
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    assert!(hq(url, &["cert", "--cert", cert.to_str().unwrap(), "--key", key.to_str().unwrap()]).0);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_hall-hq"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--cert", cert.to_str().unwrap(), "--key", key.to_str().unwrap()])
        .env("HALL_HQ_DATABASE_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The chain's second certificate is the CA.
    let chain = std::fs::read_to_string(&cert).unwrap();
    let ca = &chain[chain.rfind("-----BEGIN CERTIFICATE-----").unwrap()..];
    let http = common::client(ca);
    let mut answer = None;
    for _ in 0..50 {
        let sent = http
            .post(format!("https://127.0.0.1:{port}/v1/enrol"))
            .header("hall-protocol", "1")
            .json(&common::enrol_body(&code, &uuid::Uuid::now_v7().to_string()))
            .send()
            .await;
        if let Ok(response) = sent {
            answer = Some(common::read(response).await);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    let (status, body) = answer.expect("hall-hq serve answered");
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(body["counter_no"], 2);
    assert_eq!(body["outlet_name"], "西湖营业厅");
}
