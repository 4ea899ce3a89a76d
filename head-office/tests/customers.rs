//! Customer events merged at head office per field (hall_protocol::merge) and published to the
//! outlet; overwritten values kept for review; far-future stamps clamped and flagged.

mod common;

use common::Env;
use hall_protocol::hlc::Hlc;
use hall_protocol::push::WireEvent;
use hall_protocol::records::{CustomerRecord, Stamped};
use reqwest::StatusCode;
use serde_json::json;

fn record(id: &str, outlet: &str, fields: &[(&str, serde_json::Value, i64, &str)]) -> CustomerRecord {
    CustomerRecord {
        id: id.into(),
        outlet_code: outlet.into(),
        area: "A1".into(),
        fields: fields
            .iter()
            .map(|(f, v, ms, node)| {
                (f.to_string(), Stamped { value: v.clone(), hlc: Hlc { millis: *ms, counter: 0, node: node.to_string() } })
            })
            .collect(),
    }
}

fn updated(seq: i64, record: &CustomerRecord) -> WireEvent {
    WireEvent {
        epoch: 1,
        seq,
        kind: if seq == 1 { "customer.created".into() } else { "customer.updated".into() },
        entity_id: record.id.clone(),
        payload: json!({ "id": record.id, "record": record }).to_string(),
        recorded_at: "2026-12-01T01:00:00.000Z".into(),
        records: Vec::new(),
    }
}

#[tokio::test]
async fn edits_from_two_counters_merge_per_field_and_reach_the_outlet() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (a, cred_a) = env.enrol(&outlet, 1).await;
    let (b, cred_b) = env.enrol(&outlet, 2).await;
    let id = uuid::Uuid::now_v7().to_string();
    let now = chrono::Utc::now().timestamp_millis() - 60_000;
    let created = record(&id, &outlet, &[("name", json!("王五"), now, &a), ("phone", json!("13800000000"), now, &a)]);
    assert_eq!(env.push(&cred_a, &a, &[updated(1, &created)]).await.0, StatusCode::OK);
    // B changed the phone later; A (offline) changed the name later still but the phone earlier.
    let from_b = record(&id, &outlet, &[("phone", json!("13900000000"), now + 2_000, &b)]);
    let from_a = record(&id, &outlet, &[("name", json!("王五一"), now + 3_000, &a), ("phone", json!("13700000000"), now + 1_000, &a)]);
    assert_eq!(env.push(&cred_b, &b, &[updated(1, &from_b)]).await.0, StatusCode::OK);
    let (status, body) = env.push(&cred_a, &a, &[updated(2, &from_a)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let db = env.db().await;
    let stored: serde_json::Value =
        db.query_one("SELECT record FROM customers WHERE outlet_code = $1 AND id = $2", &[&outlet, &id]).await.unwrap().get(0);
    assert_eq!(stored["fields"]["name"]["value"], "王五一");
    assert_eq!(stored["fields"]["phone"]["value"], "13900000000");
    // A's older phone lost to B's: kept for the reviewer.
    let lost: Vec<String> = db
        .query(
            "SELECT overwritten_value #>> '{}' FROM customer_overwrites WHERE outlet_code = $1 AND customer_id = $2 AND field = 'phone'",
            &[&outlet, &id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(lost.contains(&"13700000000".to_string()), "{lost:?}");
    // A's later name replacing A's own earlier one is no conflict: nothing for the reviewer.
    let own = db
        .query_one(
            "SELECT count(*) FROM customer_overwrites WHERE outlet_code = $1 AND customer_id = $2 AND field = 'name'",
            &[&outlet, &id],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(own, 0);

    // The outlet's change log carries the merged record, last one as stored.
    let (status, page) = env.get("/v1/changes", &cred_b).await;
    assert_eq!(status, StatusCode::OK);
    let customers: Vec<&serde_json::Value> = page["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "customer").collect();
    assert_eq!(customers.last().unwrap()["body"], stored);
    // Replaying every batch changes nothing and publishes nothing new.
    let before = env.count("SELECT count(*) FROM outlet_changes WHERE outlet_code = $1", &outlet).await;
    assert_eq!(env.push(&cred_a, &a, &[updated(1, &created), updated(2, &from_a)]).await.0, StatusCode::OK);
    assert_eq!(env.push(&cred_b, &b, &[updated(1, &from_b)]).await.0, StatusCode::OK);
    assert_eq!(env.count("SELECT count(*) FROM outlet_changes WHERE outlet_code = $1", &outlet).await, before);
    let (_, snapshot) = env.get("/v1/snapshot?table=customers", &cred_a).await;
    assert_eq!(snapshot["records"][0]["body"], stored);
}

#[tokio::test]
async fn a_stamp_a_day_ahead_is_clamped_and_flagged() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (a, cred) = env.enrol(&outlet, 1).await;
    let id = uuid::Uuid::now_v7().to_string();
    let ahead = chrono::Utc::now().timestamp_millis() + 86_400_000;
    let mut imported = WireEvent {
        epoch: 1,
        seq: 1,
        kind: "customers.imported".into(),
        entity_id: "customers".into(),
        payload: json!({ "ids": [id] }).to_string(),
        recorded_at: "2026-12-01T01:00:00.000Z".into(),
        records: Vec::new(),
    };
    imported.records = vec![record(&id, &outlet, &[("name", json!("赵六"), ahead, &a)])];
    assert_eq!(env.push(&cred, &a, &[imported]).await.0, StatusCode::OK);
    let db = env.db().await;
    let stored: serde_json::Value =
        db.query_one("SELECT record FROM customers WHERE outlet_code = $1 AND id = $2", &[&outlet, &id]).await.unwrap().get(0);
    let stamp: Hlc = serde_json::from_value(stored["fields"]["name"]["hlc"].clone()).unwrap();
    assert!(stamp.millis < ahead - 3_600_000, "not clamped: {stamp}");
    assert_eq!(env.count("SELECT count(*) FROM customer_clamps WHERE outlet_code = $1", &outlet).await, 1);
}
