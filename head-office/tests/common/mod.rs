//! The head-office test harness: a real PostgreSQL (its own cluster, or `HQ_TEST_DATABASE_URL`), the
//! server in-process on loopback HTTPS, and a client that trusts the test's CA.

#![allow(dead_code)]

use base64::Engine;
use hall_protocol::push::WireEvent;
use head_office::testing::{TestPostgres, TestServer, unique_outlet};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Env {
    pub pg: TestPostgres,
    pub server: TestServer,
    pub http: reqwest::Client,
}

pub fn client(ca_pem: &str) -> reqwest::Client {
    head_office::app::install_crypto();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("the test CA parses"))
        .build()
        .expect("a client")
}

impl Env {
    pub async fn start() -> Env {
        let pg = TestPostgres::start().expect("PostgreSQL starts");
        let server = TestServer::start(&pg.url).await.expect("the server starts");
        let http = client(&server.ca_pem);
        Env { pg, server, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    pub async fn db(&self) -> deadpool_postgres::Client {
        self.server.pool.get().await.expect("a connection")
    }

    /// An outlet with a fresh code, serving `areas`.
    pub async fn outlet(&self, areas: &[&str]) -> String {
        let code = unique_outlet("T");
        self.outlet_named(&code, areas).await;
        code
    }

    pub async fn outlet_named(&self, code: &str, areas: &[&str]) {
        let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
        head_office::admin::outlet_add(&self.server.pool, code, &format!("营业厅 {code}"), &areas).await.expect("outlet added");
    }

    pub async fn code(&self, outlet: &str, counter: i64) -> String {
        head_office::admin::workstation_add(&self.server.pool, outlet, counter).await.expect("code made")
    }

    pub async fn post(&self, path: &str, credential: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut request = self.http.post(self.url(path)).header("hall-protocol", "1").json(body);
        if let Some(c) = credential {
            request = request.bearer_auth(c);
        }
        read(request.send().await.expect("the request is answered")).await
    }

    pub async fn get(&self, path: &str, credential: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).header("hall-protocol", "1").bearer_auth(credential).send().await.expect("answered");
        read(response).await
    }

    /// Enrols a new workstation at the outlet: (workstation id, credential).
    pub async fn enrol(&self, outlet: &str, counter: i64) -> (String, String) {
        let code = self.code(outlet, counter).await;
        let id = uuid::Uuid::now_v7().to_string();
        let (status, body) = self.post("/v1/enrol", None, &enrol_body(&code, &id)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (id, body["credential"].as_str().expect("a credential").to_owned())
    }

    pub async fn push(&self, credential: &str, workstation: &str, events: &[WireEvent]) -> (StatusCode, Value) {
        self.post("/v1/push", Some(credential), &json!({ "workstation_id": workstation, "events": events })).await
    }

    pub async fn count(&self, sql: &str, outlet: &str) -> i64 {
        self.db().await.query_one(sql, &[&outlet]).await.expect("counted").get(0)
    }
}

pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub fn public_key() -> String {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut seed);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes())
}

pub fn enrol_body(code: &str, workstation_id: &str) -> Value {
    json!({ "code": code, "workstation_id": workstation_id, "epoch": 1, "receipt_public_key": public_key(),
            "hostname": "counter-1", "app_version": "0.1.0" })
}

/// An ordinary event (`customer.updated`) of the series.
pub fn event(epoch: i64, seq: i64, payload: &str) -> WireEvent {
    WireEvent {
        epoch,
        seq,
        kind: "note.added".into(),
        entity_id: format!("e{seq}"),
        payload: payload.into(),
        recorded_at: "2026-12-01T01:00:00.000Z".into(),
        records: Vec::new(),
    }
}

pub fn events(epoch: i64, seqs: std::ops::RangeInclusive<i64>) -> Vec<WireEvent> {
    seqs.map(|s| event(epoch, s, &format!("{{\"n\":{s}}}"))).collect()
}

/// A money event as the workstation's outbox writes it (store::payments::Payment, the fields read).
pub fn money(epoch: i64, seq: i64, kind: &str, receipt: &str, day: &str, amount: i64, bills: &[&str]) -> WireEvent {
    let settled: Vec<Value> = bills
        .iter()
        .map(|b| json!({ "bill_id": b, "period": "2026-11", "kwh": 1, "principal": amount, "late_fee": 0, "late_days": 0 }))
        .collect();
    let payload =
        json!({ "receipt_no": receipt, "kind": "payment", "status": "posted", "business_date": day, "amount": amount, "settled": settled });
    WireEvent {
        epoch,
        seq,
        kind: kind.into(),
        entity_id: receipt.into(),
        payload: payload.to_string(),
        recorded_at: format!("{day}T02:00:00.000Z"),
        records: Vec::new(),
    }
}

pub fn day_closed(epoch: i64, seq: i64, day: &str) -> WireEvent {
    WireEvent {
        epoch,
        seq,
        kind: "day.closed".into(),
        entity_id: day.into(),
        payload: "{}".into(),
        recorded_at: format!("{day}T10:00:00.000Z"),
        records: Vec::new(),
    }
}
