//! Push over real HTTPS: exactly once per key, forks quarantined and fenced, gaps reported, bad
//! bodies refused with nothing written, a stalled body cut off, money in the ledger and late money
//! in review.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Env, day_closed, event, events, money};
use head_office::app::Limits;
use head_office::testing::{TestPostgres, TestServer};
use reqwest::StatusCode;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::json;

#[tokio::test]
async fn a_repeated_batch_is_acknowledged_again_and_stored_once() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    let batch = events(1, 1..=50);
    let (status, first) = env.push(&cred, &id, &batch).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!((first["stored"].as_u64(), first["duplicates"].as_u64()), (Some(50), Some(0)));
    assert_eq!(first["acked"], json!([{ "epoch": 1, "from_seq": 1, "to_seq": 50 }]));
    // The acknowledgement was lost: the same batch again, plus new events after it.
    let mut again = batch.clone();
    again.extend(events(1, 51..=60));
    let (status, second) = env.push(&cred, &id, &again).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!((second["stored"].as_u64(), second["duplicates"].as_u64()), (Some(10), Some(50)));
    assert_eq!(second["acked"], json!([{ "epoch": 1, "from_seq": 1, "to_seq": 60 }]));
    assert_eq!(second["state"]["series"], json!([{ "epoch": 1, "contiguous_through": 60, "highest": 60 }]));
    assert_eq!(second["state"]["gaps"], json!([]));
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 60);
    // A customers.imported event's records are outside its hash: a resend with later values is a duplicate.
    let mut imported = event(1, 61, "{\"ids\":[\"c1\"]}");
    imported.kind = "customers.imported".into();
    assert_eq!(env.push(&cred, &id, std::slice::from_ref(&imported)).await.0, StatusCode::OK);
    imported.records = vec![hall_protocol::records::CustomerRecord {
        id: "c1".into(),
        outlet_code: outlet.clone(),
        area: "A1".into(),
        fields: Default::default(),
    }];
    let (status, body) = env.push(&cred, &id, &[imported]).await;
    assert_eq!((status, body["duplicates"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
}

#[tokio::test]
async fn the_same_key_with_other_content_is_quarantined_and_the_workstation_fenced() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    assert_eq!(env.push(&cred, &id, &events(1, 1..=5)).await.0, StatusCode::OK);
    // A clone: seq 4 and 5 again with other content, and a new seq 6 in the same batch.
    let forked = vec![event(1, 4, "{\"clone\":4}"), event(1, 5, "{\"n\":5}"), event(1, 6, "{\"n\":6}")];
    let (status, body) = env.push(&cred, &id, &forked).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::CONFLICT, "workstation.fenced"), "{body}");
    assert!(body["en"].as_str().unwrap().contains("clone_suspected"));
    // The batch was not applied (seq 6 absent); the fork is in quarantine with both hashes.
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 5);
    let db = env.db().await;
    let rows = db.query("SELECT seq, hash, stored_hash, reason, payload FROM quarantine WHERE outlet_code = $1", &[&outlet]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, i64>(0), 4);
    assert_ne!(rows[0].get::<_, String>(1), rows[0].get::<_, String>(2));
    assert_eq!(rows[0].get::<_, String>(3), "clone_suspected");
    assert_eq!(rows[0].get::<_, String>(4), "{\"clone\":4}");
    // Later pushes, even honest ones, are fenced until an operator acts.
    let (status, body) = env.push(&cred, &id, &events(1, 6..=6)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::CONFLICT, "workstation.fenced"));
    let (_, state) = env.get("/v1/workstation", &cred).await;
    assert_eq!(state["fenced"], "clone_suspected");
    head_office::admin::unfence(&env.server.pool, &outlet, &id, "tester").await.unwrap();
    assert_eq!(env.push(&cred, &id, &events(1, 6..=6)).await.0, StatusCode::OK);
    let resolved: Option<String> =
        db.query_one("SELECT resolved_by FROM quarantine WHERE outlet_code = $1", &[&outlet]).await.unwrap().get(0);
    assert_eq!(resolved.as_deref(), Some("tester"));
    // The clone resends its resolved fork: acknowledged, not quarantined again; the stored event stays.
    let (status, body) = env.push(&cred, &id, &[event(1, 4, "{\"clone\":4}")]).await;
    assert_eq!((status, body["duplicates"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    assert_eq!(env.count("SELECT count(*) FROM quarantine WHERE outlet_code = $1", &outlet).await, 1);
    let kept: String = db.query_one("SELECT payload FROM events WHERE outlet_code = $1 AND seq = 4", &[&outlet]).await.unwrap().get(0);
    assert_eq!(kept, "{\"n\":4}");
    // Another fork of the same key is still an alarm.
    let (status, _) = env.push(&cred, &id, &[event(1, 4, "{\"clone\":44}")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn new_keys_under_a_regressed_epoch_fence_the_workstation() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    assert_eq!(env.push(&cred, &id, &events(1, 1..=3)).await.0, StatusCode::OK);
    // A restore through `hall restore` starts epoch 2: accepted.
    assert_eq!(env.push(&cred, &id, &events(2, 1..=2)).await.0, StatusCode::OK);
    // Replaying acknowledged epoch-1 events is harmless.
    let (status, body) = env.push(&cred, &id, &events(1, 2..=3)).await;
    assert_eq!((status, body["duplicates"].as_u64()), (StatusCode::OK, Some(2)));
    // New keys in epoch 1 after epoch 2 was seen: a copy of an old disk.
    let (status, body) = env.push(&cred, &id, &events(1, 4..=5)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::CONFLICT, "workstation.fenced"));
    assert_eq!(env.count("SELECT count(*) FROM quarantine WHERE outlet_code = $1 AND reason = 'epoch_regressed'", &outlet).await, 2);
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 5);
    let (_, state) = env.get("/v1/workstation", &cred).await;
    assert_eq!(state["fenced"], "epoch_regressed");
}

#[tokio::test]
async fn holes_in_a_series_are_reported() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    let mut batch = events(1, 3..=5);
    batch.extend(events(1, 9..=9));
    let (status, body) = env.push(&cred, &id, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"]["gaps"], json!([{ "epoch": 1, "from_seq": 1, "to_seq": 2 }, { "epoch": 1, "from_seq": 6, "to_seq": 8 }]));
    assert_eq!(body["state"]["series"], json!([{ "epoch": 1, "contiguous_through": 0, "highest": 9 }]));
    assert_eq!(body["acked"], json!([{ "epoch": 1, "from_seq": 3, "to_seq": 5 }, { "epoch": 1, "from_seq": 9, "to_seq": 9 }]));
    // Filling the holes clears them.
    let mut fill = events(1, 1..=2);
    fill.extend(events(1, 6..=8));
    let (_, body) = env.push(&cred, &id, &fill).await;
    assert_eq!(body["state"]["gaps"], json!([]));
    assert_eq!(body["state"]["series"], json!([{ "epoch": 1, "contiguous_through": 9, "highest": 9 }]));
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

#[tokio::test]
async fn bad_bodies_are_refused_with_a_clear_error_and_nothing_is_written() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    let send = |body: Vec<u8>, encoding: Option<&'static str>| {
        let mut request = env
            .http
            .post(env.url("/v1/push"))
            .header("hall-protocol", "1")
            .header("content-type", "application/json")
            .bearer_auth(&cred)
            .body(body);
        if let Some(e) = encoding {
            request = request.header("content-encoding", e);
        }
        async move { common::read(request.send().await.unwrap()).await }
    };
    let good = serde_json::to_vec(&json!({ "workstation_id": id, "events": events(1, 1..=20) })).unwrap();

    let (status, body) = send(good[..good.len() / 2].to_vec(), None).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "request.malformed"), "{body}");
    let (status, body) = send(b"{\"workstation_id\": 5}".to_vec(), None).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "request.malformed"));
    // A zstd stream cut in the middle.
    let compressed = zstd(&good);
    let (status, body) = send(compressed[..compressed.len() / 2].to_vec(), Some("zstd")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(matches!(body["code"].as_str().unwrap(), "request.unreadable" | "request.malformed"), "{body}");
    // Bigger than the limit once decompressed (a small zstd body that inflates past 32 MiB).
    let huge =
        format!("{{\"workstation_id\":\"{id}\",\"events\":[],\"pad\":\"{}\"}}", "x".repeat(hall_protocol::push::MAX_BATCH_BYTES + 10));
    let (status, body) = send(zstd(huge.as_bytes()), Some("zstd")).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"), "{body}");
    // Bigger than the limit as it arrives (stored, not compressed): refused on its declared length,
    // before any of it is read or inflated. The server then closes the connection on the body it
    // did not read, so the answer's status is what reliably arrives.
    let mut stored = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    stored.write_all(huge.as_bytes()).unwrap();
    let response = env
        .http
        .post(env.url("/v1/push"))
        .header("hall-protocol", "1")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .bearer_auth(&cred)
        .body(stored.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Too many events, out of order, or a bad key.
    let too_many = serde_json::to_vec(&json!({ "workstation_id": id, "events": events(1, 1..=5001) })).unwrap();
    let (status, body) = send(too_many, None).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "push.too_many"));
    let mut unordered = events(1, 1..=3);
    unordered.swap(0, 2);
    let (status, body) = env.push(&cred, &id, &unordered).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "push.unordered"));
    let (status, body) = env.push(&cred, &id, &events(0, 1..=1)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "push.bad_key"));
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 0);
    assert_eq!(env.count("SELECT count(*) FROM series WHERE outlet_code = $1", &outlet).await, 0);

    // The good batch, compressed with zstd and with gzip, is stored once.
    let (status, body) = send(zstd(&good), Some("zstd")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&good).unwrap();
    let (status, body) = send(gz.finish().unwrap(), Some("gzip")).await;
    assert_eq!((status, body["duplicates"].as_u64()), (StatusCode::OK, Some(20)), "{body}");
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 20);
}

/// A client that stops sending mid-body is cut off once its body has gone the stall limit without
/// a byte (the router's `RequestBodyTimeoutLayer`), rather than holding the connection and its
/// buffer until it goes away; the part that arrived is not stored. Over a raw TLS connection, since
/// an HTTP client will not send less than the `Content-Length` it declared. The limit is shortened
/// to a second (production waits a minute); the answer must come no sooner than the limit, and
/// within it plus a margin.
#[tokio::test]
async fn a_body_that_stalls_is_cut_off_and_nothing_of_it_is_stored() {
    const STALL: Duration = Duration::from_secs(1);
    let pg = TestPostgres::start().expect("PostgreSQL starts");
    let server = TestServer::start_with(&pg.url, 0, Limits { body_stall: STALL }).await.expect("the server starts");
    let http = common::client(&server.ca_pem);
    let env = Env { pg, server, http };
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    assert_eq!(env.push(&cred, &id, &events(1, 1..=5)).await.0, StatusCode::OK);

    let body = serde_json::to_vec(&json!({ "workstation_id": id, "events": events(1, 6..=20) })).unwrap();
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nhost: 127.0.0.1\r\nhall-protocol: 1\r\nauthorization: Bearer {cred}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let addr = env.server.url.strip_prefix("https://").unwrap().to_owned();
    let ca = env.server.ca_pem.clone();
    let sent = body[..body.len() / 2].to_vec();
    let (waited, answer, closed) = tokio::task::spawn_blocking(move || {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(ca.as_bytes()).expect("the test CA parses")).unwrap();
        let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        let tls = rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("127.0.0.1").unwrap()).unwrap();
        let tcp = std::net::TcpStream::connect(&addr).expect("connected");
        // A server that never answers fails the test here instead of hanging it.
        tcp.set_read_timeout(Some(STALL + Duration::from_secs(5))).unwrap();
        let mut stream = rustls::StreamOwned::new(tls, tcp);
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&sent).unwrap();
        stream.flush().unwrap();
        let stalled = Instant::now();
        // Read to the end of the connection: the answer (if any), then the server closing it.
        let (mut answer, mut buffer) = (Vec::new(), [0u8; 4096]);
        let mut waited = None;
        let closed = loop {
            match stream.read(&mut buffer) {
                Ok(0) => break true,
                Ok(n) => {
                    waited.get_or_insert_with(|| stalled.elapsed());
                    answer.extend_from_slice(&buffer[..n]);
                }
                // Closed without TLS's close_notify, or reset: closed all the same.
                Err(e) if matches!(e.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset) => break true,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break false,
                Err(e) => panic!("reading the answer: {e}"),
            }
        };
        (waited.unwrap_or_else(|| stalled.elapsed()), String::from_utf8_lossy(&answer).into_owned(), closed)
    })
    .await
    .unwrap();

    assert!(waited >= STALL - Duration::from_millis(50), "answered after {waited:?}, before the stall limit: {answer}");
    assert!(waited < STALL + Duration::from_secs(3), "answered only after {waited:?}: {answer}");
    // The body's read fails, which the push's body extractor reports as an unreadable body.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("\"code\":\"request.unreadable\""), "{answer}");
    assert!(closed, "the server kept the connection after the stalled body: {answer}");
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 5);
    // The same batch sent whole is stored: the stall, not the content, was refused.
    let (status, body) = env.push(&cred, &id, &events(1, 6..=20)).await;
    assert_eq!((status, body["stored"].as_u64()), (StatusCode::OK, Some(15)), "{body}");
}

#[tokio::test]
async fn money_goes_into_the_ledger_once_and_late_money_into_review() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    let batch = vec![
        money(1, 1, "payment.posted", "R1", "2026-12-01", 10_000, &["B1"]),
        money(1, 2, "payment.posted", "R2", "2026-12-01", 2_550, &[]),
        money(1, 3, "payment.reversed", "R2", "2026-12-01", 2_550, &[]),
        money(1, 4, "prepayment.refunded", "R3", "2026-12-01", -500, &[]),
        day_closed(1, 5, "2026-12-01"),
    ];
    let (status, body) = env.push(&cred, &id, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["in_review"], 0);
    let total = "SELECT coalesce(sum(amount_fen), 0)::bigint FROM ledger WHERE outlet_code = $1";
    assert_eq!(env.count(total, &outlet).await, 10_000 - 500);
    // Replayed: nothing counted twice.
    assert_eq!(env.push(&cred, &id, &batch).await.0, StatusCode::OK);
    assert_eq!(env.count(total, &outlet).await, 9_500);

    // A restored machine (epoch 2) posts money for the day head office saw closed: stored, counted,
    // acknowledged, and in review.
    let late =
        vec![money(2, 1, "payment.posted", "R9", "2026-12-01", 700, &[]), money(2, 2, "payment.posted", "R10", "2026-12-02", 300, &[])];
    let (status, body) = env.push(&cred, &id, &late).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["in_review"], 1);
    assert_eq!(body["acked"], json!([{ "epoch": 2, "from_seq": 1, "to_seq": 2 }]));
    assert_eq!(env.count(total, &outlet).await, 10_500);
    let db = env.db().await;
    let review = db.query("SELECT receipt_no, reason, amount_fen FROM late_money WHERE outlet_code = $1", &[&outlet]).await.unwrap();
    assert_eq!(review.len(), 1);
    assert_eq!(
        (review[0].get::<_, String>(0), review[0].get::<_, String>(1), review[0].get::<_, i64>(2)),
        ("R9".into(), "day_closed".into(), 700)
    );
}

#[tokio::test]
async fn a_payment_for_a_superseded_bill_is_late_money() {
    let env = Env::start().await;
    // An area of its own, so no other test's outlet receives the bill on a shared database.
    let area = head_office::testing::unique_outlet("AREA");
    let outlet = env.outlet(&[&area]).await;
    let (id, cred) = env.enrol(&outlet, 1).await;
    let customer = uuid::Uuid::now_v7().to_string();
    let csv = |amount: i64| {
        format!(
            "id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at\n\
             B7,{customer},3300000001,{area},2026-11,residential,2026-01-01,120,{amount},2026-12-25,2026-12-01T00:00:00Z\n"
        )
    };
    head_office::admin::publish_bills(&env.server.pool, &csv(6_000)).await.unwrap();
    let report = head_office::admin::publish_bills(&env.server.pool, &csv(5_800)).await.unwrap();
    assert_eq!(report.published, 1);
    // Paid at the counter before the correction, of the bill as it was: late money.
    let mut before = money(1, 1, "payment.posted", "R1", "2026-12-03", 6_000, &["B7"]);
    before.recorded_at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let (status, body) = env.push(&cred, &id, &[before]).await;
    assert_eq!((status, body["in_review"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    assert_eq!(env.count("SELECT count(*) FROM late_money WHERE outlet_code = $1 AND reason = 'bill_superseded'", &outlet).await, 1);
    assert_eq!(env.count("SELECT coalesce(sum(amount_fen), 0)::bigint FROM ledger WHERE outlet_code = $1", &outlet).await, 6_000);
    // A payment recorded after the correction paid the corrected bill: not late.
    let mut after = money(1, 2, "payment.posted", "R2", "2026-12-03", 5_800, &["B7"]);
    after.recorded_at = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let (status, body) = env.push(&cred, &id, &[after]).await;
    assert_eq!((status, body["in_review"].as_u64()), (StatusCode::OK, Some(0)), "{body}");
    assert_eq!(env.count("SELECT count(*) FROM late_money WHERE outlet_code = $1", &outlet).await, 1);
}

#[tokio::test]
async fn a_bill_twice_in_one_file_is_a_rejected_line() {
    let env = Env::start().await;
    let area = head_office::testing::unique_outlet("AREA");
    env.outlet(&[&area]).await;
    let customer = uuid::Uuid::now_v7().to_string();
    let line = |amount: i64| {
        format!("B8,{customer},3300000001,{area},2026-11,residential,2026-01-01,120,{amount},2026-12-25,2026-12-01T00:00:00Z\n")
    };
    let csv = format!(
        "id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at\n{}{}",
        line(6_000),
        line(6_100)
    );
    let report = head_office::admin::publish_bills(&env.server.pool, &csv).await.unwrap();
    assert_eq!(report.published, 1);
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    assert_eq!(report.rejected[0].0, 3);
    assert!(report.rejected[0].1.contains("line 2"), "{:?}", report.rejected);
}
