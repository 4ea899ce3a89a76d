//! The console API against a real PostgreSQL and the real server over HTTPS: operators log in,
//! make an outlet and an enrolment code, a workstation enrols and pushes, a forked key is
//! quarantined and resolved (lifting the fence), late money is reviewed, a receipt is verified.

use base64::Engine;
use ed25519_dalek::SigningKey;
use hall_domain::model::money::Fen;
use hall_domain::model::receipt::{self, SignedFields};
use hall_domain::model::signed_code::key_id;
use head_office::testing::{TestPostgres, TestServer, unique_outlet};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Console {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Console {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.url));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if method != reqwest::Method::GET {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, &format!("/console/api{path}"), Value::Null).await
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, &format!("/console/api{path}"), body).await
    }
}

fn http(server: &TestServer) -> reqwest::Client {
    head_office::app::install_crypto();
    reqwest::Client::builder().add_root_certificate(reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap()).build().unwrap()
}

async fn sync(http: &reqwest::Client, url: &str, path: &str, credential: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut request = http.post(format!("{url}{path}")).header(hall_protocol::VERSION_HEADER, "1").json(&body);
    if let Some(c) = credential {
        request = request.bearer_auth(c);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn event(seq: i64, kind: &str, entity: &str, payload: Value) -> Value {
    json!({ "epoch": 1, "seq": seq, "kind": kind, "entity_id": entity, "payload": payload.to_string(),
            "recorded_at": "2026-11-20T02:00:00.000Z" })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_enrols_a_workstation_and_resolves_its_quarantined_event() {
    let pg = TestPostgres::start().unwrap();
    let server = TestServer::start(&pg.url).await.unwrap();
    let client = server.pool.get().await.unwrap();
    head_office::console::upsert_operator(&client, "ops1", "值班员一", "correct horse").await.unwrap();
    let short = head_office::console::upsert_operator(&client, "ops2", "", "short").await.unwrap_err();
    assert_eq!(short.body.code, "operator.password_short");

    let mut console = Console { http: http(&server), url: server.url.clone(), token: None };
    let (status, body) = console.get("/outlets").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = console.post("/login", json!({ "username": "ops1", "password": "wrong password" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("console.login_failed")));
    let (status, login) = console.post("/login", json!({ "username": "ops1", "password": "correct horse" })).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["operator"]["display_name"], "值班员一");
    console.token = Some(login["token"].as_str().unwrap().to_owned());

    let outlet = unique_outlet("C");
    let (status, made) = console.post("/outlets", json!({ "code": outlet, "name": "西湖营业厅", "areas": ["西湖区供电所"] })).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let (status, again) = console.post("/outlets", json!({ "code": outlet, "name": "x", "areas": ["y"] })).await;
    assert_eq!((status, again["code"].as_str()), (StatusCode::BAD_REQUEST, Some("outlet.exists")));
    let (status, code) = console.post(&format!("/outlets/{outlet}/codes"), json!({ "counter_no": 2 })).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    let code = code["code"].as_str().unwrap().to_owned();

    // The workstation enrols with the code and pushes two events, then a clone pushes seq 2 again
    // with other content: quarantined, and the workstation fenced.
    let key = SigningKey::from_bytes(&[7; 32]);
    let workstation = uuid::Uuid::now_v7().to_string();
    let public = base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes());
    let sync_http = http(&server);
    let (status, enrolled) = sync(
        &sync_http,
        &server.url,
        "/v1/enrol",
        None,
        json!({
        "code": code, "workstation_id": workstation, "epoch": 1, "receipt_public_key": public,
        "hostname": "counter-2", "app_version": "0.1.0" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    let credential = enrolled["credential"].as_str().unwrap().to_owned();
    let receipt_no = format!("{outlet}-02-1-000001");
    let payment = json!({ "receipt_no": receipt_no, "business_date": "2026-11-20", "amount": 12345, "account": "3300000001",
        "customer_name": "张三", "late_fees": 100, "prepaid_after": 0, "posted_at": "2026-11-20T01:30:00.000Z", "settled": [] });
    let events =
        vec![event(1, "day.closed", "2026-11-20", json!({ "date": "2026-11-20" })), event(2, "payment.posted", &receipt_no, payment)];
    let (status, pushed) =
        sync(&sync_http, &server.url, "/v1/push", Some(&credential), json!({ "workstation_id": workstation, "events": events })).await;
    assert_eq!(status, StatusCode::OK, "{pushed}");
    let fork = vec![event(2, "customer.updated", "c-1", json!({ "name": "李四" }))];
    let (status, forked) =
        sync(&sync_http, &server.url, "/v1/push", Some(&credential), json!({ "workstation_id": workstation, "events": fork })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{forked}");

    let (_, detail) = console.get(&format!("/outlets/{outlet}")).await;
    let ws = &detail["workstations"][0];
    assert_eq!((ws["id"].as_str(), ws["counter_no"].as_i64(), ws["events"].as_i64()), (Some(workstation.as_str()), Some(2), Some(2)));
    assert!(ws["fenced"].is_string(), "{ws}");
    assert_eq!(ws["key_id"].as_str(), Some(key_id(&key.verifying_key()).as_str()));
    assert_eq!(detail["outlet"]["quarantined"], 1);
    assert!(detail["codes"][0]["used_by"].is_string(), "{detail}");

    let (_, list) = console.get("/quarantine").await;
    let item = list.as_array().unwrap().iter().find(|q| q["outlet_code"] == outlet.as_str()).unwrap().clone();
    assert_eq!(item["stored"]["kind"], "payment.posted");
    assert_eq!(item["incoming"]["kind"], "customer.updated");
    assert!(item["resolution"].is_null());
    let id = item["id"].as_i64().unwrap();
    let (status, resolved) = console.post(&format!("/quarantine/{id}/resolve"), json!({ "choice": "accept_new", "note": "克隆机" })).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!((resolved["resolution"]["choice"].as_str(), resolved["resolution"]["unfenced"].as_bool()), (Some("accept_new"), Some(true)));
    let (status, twice) = console.post(&format!("/quarantine/{id}/resolve"), json!({ "choice": "discard", "note": "" })).await;
    assert_eq!((status, twice["code"].as_str()), (StatusCode::CONFLICT, Some("quarantine.resolved")));
    let forks: i64 =
        client.query_one("SELECT count(*) FROM fork_resolution WHERE outlet_code = $1 AND seq = 2", &[&outlet]).await.unwrap().get(0);
    assert_eq!(forks, 1);
    let (_, detail) = console.get(&format!("/outlets/{outlet}")).await;
    assert!(detail["workstations"][0]["fenced"].is_null(), "{detail}");
    // Unfenced: the workstation pushes again.
    let next = vec![event(3, "customer.updated", "c-2", json!({ "name": "王五" }))];
    let (status, body) =
        sync(&sync_http, &server.url, "/v1/push", Some(&credential), json!({ "workstation_id": workstation, "events": next })).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A clone's payment under seq 3: money taken at a counter. Accepted, it is booked beside the
    // stored event (a fork row of the ledger), so head office's total holds both counters' money.
    let clone_receipt = format!("{outlet}-02-1-000002");
    let clone_payment = json!({ "receipt_no": clone_receipt, "business_date": "2026-11-21", "amount": 500, "account": "3300000002",
        "customer_name": "王五", "late_fees": 0, "prepaid_after": 0, "posted_at": "2026-11-21T01:30:00.000Z", "settled": [] });
    let fork = vec![event(3, "payment.posted", &clone_receipt, clone_payment)];
    let (status, forked) =
        sync(&sync_http, &server.url, "/v1/push", Some(&credential), json!({ "workstation_id": workstation, "events": fork })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{forked}");
    let (_, list) = console.get("/quarantine").await;
    let money_fork = list.as_array().unwrap().iter().find(|q| q["outlet_code"] == outlet.as_str() && q["resolution"].is_null()).unwrap();
    let (status, resolved) =
        console.post(&format!("/quarantine/{}/resolve", money_fork["id"]), json!({ "choice": "accept_new", "note": "克隆机收款" })).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let ledger: Vec<(i64, i64)> = client
        .query("SELECT amount_fen, fork FROM ledger WHERE outlet_code = $1 ORDER BY seq", &[&outlet])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        ledger,
        vec![(12345, 0), (500, money_fork["id"].as_i64().unwrap())],
        "the accepted fork's money is booked once, as a fork row"
    );

    // The payment for the closed day is in the late-money bucket; marking it reviewed sticks.
    let (_, late) = console.get("/late-money").await;
    let item = late.as_array().unwrap().iter().find(|m| m["outlet_code"] == outlet.as_str()).unwrap().clone();
    assert_eq!((item["amount"].as_i64(), item["account"].as_str()), (Some(12345), Some("3300000001")));
    let late_key = format!("{outlet}.{workstation}.1.2");
    let (status, reviewed) = console.post(&format!("/late-money/{late_key}/reviewed"), json!({ "note": "已核对" })).await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!((reviewed["reviewed_by"].as_str(), reviewed["note"].as_str()), (Some("ops1"), Some("已核对")));

    // The receipt: found by number, its code verified, an altered code refused.
    let (_, found) = console.post("/receipts/lookup", json!({ "receipt_no": "000001" })).await;
    assert!(found.as_array().unwrap().iter().any(|r| r["receipt_no"] == receipt_no.as_str() && r["amount"] == 12345), "{found}");
    let fields = SignedFields {
        key_id: key_id(&key.verifying_key()),
        receipt_no: receipt_no.clone(),
        posted_at: "20261120T013000Z".into(),
        account: "3300000001".into(),
        amount: Fen(12345),
        late_fee: Fen(100),
        prepaid_after: Fen(0),
    };
    let qr = receipt::sign(&key, &fields);
    let (_, verdict) = console.post("/receipts/verify", json!({ "code": qr })).await;
    assert_eq!((verdict["valid"].as_bool(), verdict["matches_record"].as_bool()), (Some(true), Some(true)), "{verdict}");
    assert_eq!(verdict["workstation_id"].as_str(), Some(workstation.as_str()));
    let altered = receipt::sign(&key, &SignedFields { amount: Fen(99999), ..fields.clone() });
    let (_, verdict) = console.post("/receipts/verify", json!({ "code": altered })).await;
    assert_eq!((verdict["valid"].as_bool(), verdict["matches_record"].as_bool()), (Some(true), Some(false)), "{verdict}");
    let forged = qr.replace("|12345|", "|12346|");
    let (_, verdict) = console.post("/receipts/verify", json!({ "code": forged })).await;
    assert_eq!((verdict["valid"].as_bool(), verdict["error"]["code"].as_str()), (Some(false), Some("receipt_code.forged")), "{verdict}");

    // Revoking refuses the workstation; logging out ends the session.
    let (status, revoked) = console.post(&format!("/workstations/{workstation}/revoke"), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let (status, _) =
        sync(&sync_http, &server.url, "/v1/push", Some(&credential), json!({ "workstation_id": workstation, "events": [] })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = console.post("/logout", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = console.get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}
