//! Enrolment and identity over real HTTPS: codes, credentials, revocation, outlets kept apart, the
//! protocol version.

mod common;

use base64::Engine;
use common::{Env, enrol_body};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn enrolment_gives_a_credential_once_and_a_replayed_code_is_refused() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1", "A2"]).await;
    let code = env.code(&outlet, 3).await;
    let id = uuid::Uuid::now_v7().to_string();
    let (status, body) = env.post("/v1/enrol", None, &enrol_body(&code, &id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outlet_code"], outlet);
    assert_eq!(body["counter_no"], 3);
    assert_eq!(body["areas"], json!(["A1", "A2"]));
    let credential = body["credential"].as_str().unwrap().to_owned();
    assert!(credential.starts_with(&format!("{outlet}.{id}.")));
    // Head office keeps only a hash of the secret.
    let stored: String =
        env.db().await.query_one("SELECT credential_hash FROM workstations WHERE outlet_code = $1", &[&outlet]).await.unwrap().get(0);
    assert!(!credential.contains(&stored));

    // The same code again, even by another machine, is refused and enrols nothing.
    let (status, body) = env.post("/v1/enrol", None, &enrol_body(&code, &uuid::Uuid::now_v7().to_string())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "enrol.code_invalid");
    assert!(body["zh"].as_str().unwrap().contains("注册码"));
    assert_eq!(env.count("SELECT count(*) FROM workstations WHERE outlet_code = $1", &outlet).await, 1);

    // A made-up code and a bad public key are refused with their own codes.
    let (status, body) = env.post("/v1/enrol", None, &enrol_body(&format!("{outlet}.AAAA-BBBB-CCCC-DDDD"), &id)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "enrol.code_invalid"));
    let fresh = env.code(&outlet, 4).await;
    let mut bad_key = enrol_body(&fresh, &uuid::Uuid::now_v7().to_string());
    bad_key["receipt_public_key"] = json!("bm90IGEga2V5");
    let (status, body) = env.post("/v1/enrol", None, &bad_key).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "enrol.public_key"));
    // …and that refusal did not use the code up.
    let (status, _) = env.post("/v1/enrol", None, &enrol_body(&fresh, &uuid::Uuid::now_v7().to_string())).await;
    assert_eq!(status, StatusCode::OK);

    let (status, state) = env.get("/v1/workstation", &credential).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["workstation_id"], id);
    assert_eq!(state["fenced"], json!(null));
}

#[tokio::test]
async fn a_missing_wrong_or_revoked_credential_is_refused() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (id, credential) = env.enrol(&outlet, 1).await;

    let response = env.http.get(env.url("/v1/workstation")).header("hall-protocol", "1").send().await.unwrap();
    let (status, body) = common::read(response).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::UNAUTHORIZED, "auth.missing"));

    let forged = format!("{outlet}.{id}.{}", "0".repeat(64));
    let (status, body) = env.get("/v1/workstation", &forged).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::UNAUTHORIZED, "auth.invalid"));
    let (status, _) = env.get("/v1/workstation", "garbage").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    head_office::admin::workstation_revoke(&env.server.pool, &outlet, &id).await.unwrap();
    let (status, body) = env.get("/v1/workstation", &credential).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "auth.revoked"));
    let (status, body) = env.push(&credential, &id, &common::events(1, 1..=2)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "auth.revoked"));
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 0);

    // A new code from an operator enrols the same workstation again (after a revocation, or when
    // the answer to an enrolment was lost): a new credential, the old one still refused.
    let key: String = env
        .server
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT receipt_public_key FROM workstations WHERE outlet_code = $1 AND workstation_id = $2", &[&outlet, &id])
        .await
        .unwrap()
        .get(0);
    let mut again = enrol_body(&env.code(&outlet, 1).await, &id);
    again["receipt_public_key"] = json!(key);
    let (status, body) = env.post("/v1/enrol", None, &again).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["credential"].as_str().unwrap().to_owned();
    assert_eq!(env.get("/v1/workstation", &renewed).await.0, StatusCode::OK);
    assert_eq!(env.get("/v1/workstation", &credential).await.0, StatusCode::UNAUTHORIZED);
    // Another signing key under the same id is another machine: refused, the code left unused.
    let mut other_key = enrol_body(&env.code(&outlet, 1).await, &id);
    let other = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key();
    other_key["receipt_public_key"] = json!(base64::engine::general_purpose::STANDARD.encode(other.to_bytes()));
    let (status, body) = env.post("/v1/enrol", None, &other_key).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::CONFLICT, "enrol.already_enrolled"));
    assert_eq!(env.get("/v1/workstation", &renewed).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_workstation_reaches_only_its_own_outlet() {
    let env = Env::start().await;
    // 3301 and 3305 land on different Citus workers (the citus suite checks it).
    env.outlet_named("3301", &["A1"]).await;
    env.outlet_named("3305", &["B1"]).await;
    let (id_a, cred_a) = env.enrol("3301", 1).await;
    let (id_b, cred_b) = env.enrol("3305", 1).await;

    // A's credential with B's workstation id inside is not B's credential.
    let secret_a = cred_a.rsplit('.').next().unwrap();
    let (status, _) = env.get("/v1/workstation", &format!("3305.{id_b}.{secret_a}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = env.get("/v1/workstation", &format!("3305.{id_a}.{secret_a}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A batch naming the other workstation is refused and nothing is stored.
    let (status, body) = env.push(&cred_a, &id_b, &common::events(1, 1..=3)).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "push.wrong_workstation"));
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", "3305").await, 0);
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", "3301").await, 0);

    // Reading the other outlet's scope is refused; the own scopes are fine.
    let (status, body) = env.get("/v1/changes?cursor=outlet%3A3305%3D0", &cred_a).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "pull.scope_denied"));
    let (status, body) = env.get("/v1/changes?cursor=outlet%3A3301%3D0%3Bglobal%3D0", &cred_a).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Both push their own events; each outlet holds only its own.
    assert_eq!(env.push(&cred_a, &id_a, &common::events(1, 1..=4)).await.0, StatusCode::OK);
    assert_eq!(env.push(&cred_b, &id_b, &common::events(1, 1..=2)).await.0, StatusCode::OK);
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", "3301").await, 4);
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", "3305").await, 2);
}

#[tokio::test]
async fn an_unknown_protocol_version_is_refused_and_writes_nothing() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let code = env.code(&outlet, 1).await;
    let id = uuid::Uuid::now_v7().to_string();
    for version in [Some("99"), Some("one"), None] {
        let mut request = env.http.post(env.url("/v1/enrol")).json(&enrol_body(&code, &id));
        if let Some(v) = version {
            request = request.header("hall-protocol", v);
        }
        let (status, body) = common::read(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{version:?}");
        assert_eq!(body["code"], "protocol.unsupported");
        assert!(body["en"].as_str().unwrap().contains("protocol"));
    }
    assert_eq!(env.count("SELECT count(*) FROM workstations WHERE outlet_code = $1", &outlet).await, 0);
    // The code is still good.
    let (status, _) = env.post("/v1/enrol", None, &enrol_body(&code, &id)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_description_is_served_from_the_protocol_types() {
    let env = Env::start().await;
    let response = env.http.get(env.url("/v1/openapi.json")).send().await.unwrap();
    let (status, body) = common::read(response).await;
    assert_eq!(status, StatusCode::OK);
    for path in ["/v1/enrol", "/v1/push", "/v1/changes", "/v1/snapshot", "/v1/workstation"] {
        assert!(body["paths"][path].is_object(), "{path} missing");
    }
    for schema in ["PushRequest", "WireEvent", "ErrorBody", "BillRecord", "SnapshotPage"] {
        assert!(body["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
}
