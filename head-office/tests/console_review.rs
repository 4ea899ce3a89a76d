//! The console's review and publishing endpoints on a real merge and real publishing: values the
//! customer merge overwrote are listed and marked reviewed; bills published from the console report
//! their rejected lines and reach the outlet's change log; bad input gets a clear refusal.

mod common;

use common::Env;
use hall_protocol::hlc::Hlc;
use hall_protocol::push::WireEvent;
use hall_protocol::records::{CustomerRecord, Stamped};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn operator_token(env: &Env) -> String {
    let db = env.db().await;
    head_office::console::upsert_operator(&db, "reviewer", "复核员", "review-password").await.unwrap();
    let (status, login) = console(env, None, "/login", json!({ "username": "reviewer", "password": "review-password" })).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    login["token"].as_str().unwrap().to_owned()
}

async fn console(env: &Env, token: Option<&str>, path: &str, body: Value) -> (StatusCode, Value) {
    let url = env.url(&format!("/console/api{path}"));
    let mut request = if body.is_null() { env.http.get(url) } else { env.http.post(url).json(&body) };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    common::read(request.send().await.unwrap()).await
}

fn customer_event(seq: i64, id: &str, outlet: &str, phone: &str, millis: i64, node: &str) -> WireEvent {
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("phone".to_owned(), Stamped { value: json!(phone), hlc: Hlc { millis, counter: 0, node: node.into() } });
    let record = CustomerRecord { id: id.into(), outlet_code: outlet.into(), area: "A1".into(), fields };
    WireEvent {
        epoch: 1,
        seq,
        kind: if seq == 1 { "customer.created".into() } else { "customer.updated".into() },
        entity_id: id.into(),
        payload: json!({ "id": id, "record": record }).to_string(),
        recorded_at: "2026-12-01T01:00:00.000Z".into(),
        records: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn overwritten_customer_values_are_reviewed_and_bills_are_published_with_rejected_lines() {
    let env = Env::start().await;
    let token = operator_token(&env).await;
    let token = Some(token.as_str());
    let area = head_office::testing::unique_outlet("AREA");
    let outlet = env.outlet(&[&area]).await;
    let (a, cred_a) = env.enrol(&outlet, 1).await;
    let (b, cred_b) = env.enrol(&outlet, 2).await;

    // Two counters edit the same customer's phone offline; B's later stamp wins, A's value is kept
    // for the reviewer.
    let id = uuid::Uuid::now_v7().to_string();
    let now = chrono::Utc::now().timestamp_millis() - 60_000;
    assert_eq!(env.push(&cred_a, &a, &[customer_event(1, &id, &outlet, "13700000000", now, &a)]).await.0, StatusCode::OK);
    assert_eq!(env.push(&cred_b, &b, &[customer_event(1, &id, &outlet, "13900000000", now + 2_000, &b)]).await.0, StatusCode::OK);
    let (status, list) = console(&env, token, "/conflicts", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let conflict = list.as_array().unwrap().iter().find(|c| c["customer_id"] == id.as_str()).expect("the overwrite is listed").clone();
    assert_eq!((conflict["field"].as_str(), conflict["kept_value"].as_str()), (Some("phone"), Some("\"13900000000\"")));
    assert_eq!(conflict["overwritten_value"].as_str(), Some("\"13700000000\""));
    assert!(conflict["kept_by"].as_str().unwrap().contains(&b), "{conflict}");
    assert!(conflict["reviewed_at"].is_null());
    let conflict_id = conflict["id"].as_i64().unwrap();
    let (status, reviewed) = console(&env, token, &format!("/conflicts/{conflict_id}/reviewed"), json!({ "note": "" })).await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["reviewed_by"].as_str(), Some("reviewer"));

    // Bills from the console: the good lines published to the outlet, the bad ones reported.
    let mut csv =
        String::from("id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at,lines\n");
    for i in 0..3 {
        csv.push_str(&format!(
            "CB{i:03},{},33{i:08},{area},2026-11,residential,2026-01-01,120,6000,2026-12-25,2026-12-01T00:00:00Z,\n",
            uuid::Uuid::now_v7()
        ));
    }
    csv.push_str(&format!(
        "CBBAD,{},3300000009,{area},2026-13,residential,2026-01-01,120,6000,2026-12-25,2026-12-01T00:00:00Z,\n",
        uuid::Uuid::now_v7()
    ));
    let (status, report) = console(&env, token, "/publish", json!({ "kind": "bills", "version": "", "body": csv })).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["accepted"].as_i64(), report["published"].as_i64()), (Some(3), Some(3)), "{report}");
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{report}");
    assert_eq!(rejected[0]["line"].as_i64(), Some(5));
    assert!(rejected[0]["en"].as_str().unwrap().contains("period"), "{report}");
    let bills = env.count("SELECT count(*) FROM bills WHERE outlet_code = $1", &outlet).await;
    assert_eq!(bills, 3);

    // A calendar year from the console is the same publish as `hall-hq publish calendar`.
    let calendar = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/calendar/2026.toml")).unwrap();
    let (status, done) = console(&env, token, "/publish", json!({ "kind": "calendar", "version": "", "body": calendar })).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["en"].as_str().unwrap().contains("2026"), "{done}");

    // Bad input: a refusal with a code and both languages, nothing written.
    let (status, body) = console(&env, token, "/publish", json!({ "kind": "tariffs", "version": "", "body": "x = 1" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("publish.version")));
    let (status, body) = console(&env, token, "/publish", json!({ "kind": "calendar", "version": "", "body": "not toml" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["zh"].is_string() && body["en"].is_string(), "{body}");
    let (status, body) = console(&env, token, "/outlets/NOPE", Value::Null).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("outlet.unknown")));
    let (status, body) = console(&env, token, "/late-money/garbage/reviewed", json!({ "note": "" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("review.key")));
    let (status, body) = console(&env, token, "/quarantine/999999/resolve", json!({ "choice": "discard", "note": "" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("quarantine.unknown")));
    let (status, body) = console(&env, token, &format!("/outlets/{outlet}/codes"), json!({ "counter_no": 0 })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("enrol.counter_no")));
    let (status, body) = console(&env, token, "/receipts/lookup", json!({ "receipt_no": "1" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("receipt.query_short")));
    let (status, _) = console(&env, Some("not-a-session"), "/conflicts", Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
