//! Pull over real HTTPS: the change cursor under transactions that commit out of order, paging,
//! the snapshot, and two server instances on one database.

mod common;

use std::time::Duration;

use common::{Env, events};
use head_office::changes::{NewChange, append_outlet};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn note(key: &str) -> NewChange {
    NewChange { kind: hall_protocol::records::USER, key: key.into(), body: json!({ "key": key }) }
}

async fn pull_all(env: &Env, credential: &str, cursor: &str, limit: u32) -> (Vec<Value>, String) {
    let mut cursor = cursor.to_owned();
    let mut all = Vec::new();
    loop {
        let path = format!("/v1/changes?limit={limit}&cursor={}", urlencode(&cursor));
        let (status, page) = env.get(&path, credential).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["cursor"].as_str().unwrap().to_owned();
        if !page["more"].as_bool().unwrap() {
            return (all, cursor);
        }
    }
}

fn urlencode(text: &str) -> String {
    text.replace('%', "%25").replace(':', "%3A").replace('=', "%3D").replace(';', "%3B")
}

#[tokio::test]
async fn the_cursor_cannot_skip_a_transaction_that_commits_late() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (_, cred) = env.enrol(&outlet, 1).await;
    let scope = format!("outlet:{outlet}");

    // A starts first and does its work; B starts later, publishes and commits first.
    let mut a_client = env.server.pool.get().await.unwrap();
    let a = a_client.transaction().await.unwrap();
    a.execute("SELECT 1", &[]).await.unwrap();
    {
        let mut b_client = env.server.pool.get().await.unwrap();
        let b = b_client.transaction().await.unwrap();
        assert_eq!(append_outlet(&b, &outlet, &[note("b")]).await.unwrap(), 1);
        b.commit().await.unwrap();
    }
    let (seen, cursor) = pull_all(&env, &cred, "", 100).await;
    assert_eq!(seen.iter().map(|c| c["key"].as_str().unwrap()).collect::<Vec<_>>(), ["b"]);
    assert!(cursor.contains(&format!("{scope}=1")), "{cursor}");

    // A publishes now: it takes the scope's lock, so C (below) must wait for A's commit.
    assert_eq!(append_outlet(&a, &outlet, &[note("a")]).await.unwrap(), 2);
    let pool = env.server.pool.clone();
    let c_outlet = outlet.clone();
    let c = tokio::spawn(async move {
        let mut client = pool.get().await.unwrap();
        let c = client.transaction().await.unwrap();
        let pos = append_outlet(&c, &c_outlet, &[note("c")]).await.unwrap();
        c.commit().await.unwrap();
        pos
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!c.is_finished(), "C got a position while A held the scope");
    // Nothing past the cursor is visible while A is open: the reader waits rather than skips.
    let (seen, still) = pull_all(&env, &cred, &cursor, 100).await;
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(still, cursor);
    a.commit().await.unwrap();
    assert_eq!(c.await.unwrap(), 3);
    let (seen, _) = pull_all(&env, &cred, &cursor, 100).await;
    let keys: Vec<(&str, i64)> = seen.iter().map(|c| (c["key"].as_str().unwrap(), c["pos"].as_i64().unwrap())).collect();
    assert_eq!(keys, [("a", 2), ("c", 3)]);
}

fn bills_csv(area: &str, n: usize) -> String {
    let mut csv =
        String::from("id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at,lines\n");
    for i in 0..n {
        csv.push_str(&format!(
            "BILL{i:04},{},33{i:08},{area},2026-11,residential,2026-01-01,{},{},2026-12-25,2026-12-01T00:00:00Z,\n",
            uuid::Uuid::now_v7(),
            100 + i,
            5_000 + i
        ));
    }
    csv
}

#[tokio::test]
async fn bills_publish_with_rejected_lines_reported_and_page_by_changes_and_snapshot() {
    let env = Env::start().await;
    let area = head_office::testing::unique_outlet("AREA");
    let outlet = env.outlet(&[&area]).await;
    let (_, cred) = env.enrol(&outlet, 1).await;
    let mut csv = bills_csv(&area, 23);
    csv.push_str("BAD1,not-a-uuid,3300000001,X,2026-11,r,2026-01-01,1,1,2026-12-25,2026-12-01T00:00:00Z,\n");
    csv.push_str(&format!("BAD2,{},3300000001,NOBODY,2026-11,r,2026-01-01,1,1,2026-12-25,2026-12-01T00:00:00Z,\n", uuid::Uuid::now_v7()));
    csv.push_str(&format!("BAD3,{},3300000001,{area},2026-13,r,2026-01-01,1,-1,2026-12-25,2026-12-01T00:00:00Z,\n", uuid::Uuid::now_v7()));
    let report = head_office::admin::publish_bills(&env.server.pool, &csv).await.unwrap();
    assert_eq!((report.accepted, report.published), (23, 23));
    let lines: Vec<usize> = report.rejected.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [25, 26, 27], "{:?}", report.rejected);
    assert!(report.rejected[0].1.contains("customer_id"));
    assert!(report.rejected[1].1.contains("no outlet"));
    let users = [("zhang.san", "张三"), ("li.si", "李四")];
    for (username, name) in users {
        head_office::admin::user_add(&env.server.pool, &outlet, username, name, "clerk", "secret123").await.unwrap();
    }

    // Changes, 7 a page: 25 outlet changes plus whatever the global scope holds, each once, in order.
    let (changes, cursor) = pull_all(&env, &cred, "", 7).await;
    let own: Vec<&Value> = changes.iter().filter(|c| c["scope"] == format!("outlet:{outlet}")).collect();
    assert_eq!(own.len(), 25);
    assert_eq!(own.iter().map(|c| c["pos"].as_i64().unwrap()).collect::<Vec<_>>(), (1..=25).collect::<Vec<_>>());
    assert_eq!(own[0]["kind"], "bill");
    assert_eq!(own[0]["body"]["amount_fen"], 5_000);
    assert_eq!(own[24]["kind"], "user");
    assert!(own[24]["body"]["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    assert!(cursor.contains(&format!("outlet:{outlet}=25")));

    // The snapshot of bills, 10 a page, keyset by id; the total comes with the first page.
    let mut after: Option<String> = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let path = match &after {
            None => "/v1/snapshot?table=bills&limit=10".to_owned(),
            Some(key) => format!("/v1/snapshot?table=bills&limit=10&after={key}"),
        };
        let (status, page) = env.get(&path, &cred).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if pages == 0 {
            assert_eq!(page["total"], 23);
            assert!(page["cursor"].as_str().unwrap().contains(&format!("outlet:{outlet}=25")));
        } else {
            assert!(page.get("total").is_none());
        }
        pages += 1;
        ids.extend(page["records"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (0..23).map(|i| format!("BILL{i:04}")).collect::<Vec<_>>());
    let (_, page) = env.get("/v1/snapshot?table=users", &cred).await;
    let names: Vec<&str> = page["records"].as_array().unwrap().iter().map(|r| r["body"]["username"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"zhang.san") && names.contains(&"li.si"));
    let (status, body) = env.get("/v1/snapshot?table=payments", &cred).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "snapshot.table"));
    let (status, body) = env.get("/v1/changes?cursor=nonsense", &cred).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "pull.cursor"));
}

#[tokio::test]
async fn published_tariffs_and_calendars_reach_every_outlet_through_the_global_scope() {
    let env = Env::start().await;
    let outlet = env.outlet(&["A1"]).await;
    let (_, cred) = env.enrol(&outlet, 1).await;
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let tariffs = std::fs::read_to_string(assets.join("tariffs/zhejiang.toml")).unwrap();
    assert!(head_office::admin::publish_tariffs(&env.server.pool, "zhejiang", &tariffs).await.unwrap() > 0);
    let year_file = std::fs::read_dir(assets.join("calendar"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .unwrap();
    let year = head_office::admin::publish_calendar(&env.server.pool, &std::fs::read_to_string(&year_file).unwrap()).await.unwrap();
    // Bad files are refused before anything is written.
    assert!(head_office::admin::publish_tariffs(&env.server.pool, "broken", "[[nonsense").await.is_err());
    assert!(head_office::admin::publish_calendar(&env.server.pool, "year = 'x'").await.is_err());

    let (changes, _) = pull_all(&env, &cred, "", 100).await;
    let global: Vec<(&str, &str)> =
        changes.iter().filter(|c| c["scope"] == "global").map(|c| (c["kind"].as_str().unwrap(), c["key"].as_str().unwrap())).collect();
    assert!(global.contains(&("tariff", "zhejiang")), "{global:?}");
    assert!(global.contains(&("calendar", year.to_string().as_str())), "{global:?}");
    assert!(!global.iter().any(|(_, key)| *key == "broken"));
    let (_, page) = env.get("/v1/snapshot?table=calendars", &cred).await;
    assert!(page["records"].as_array().unwrap().iter().any(|r| r["body"]["year"] == year));
    let (_, page) = env.get("/v1/snapshot?table=tariffs", &cred).await;
    assert!(page["records"].as_array().unwrap().iter().any(|r| r["body"]["body"] == tariffs.as_str()));
}

#[tokio::test]
async fn two_server_instances_on_one_database_serve_at_once() {
    let env = Env::start().await;
    let second = head_office::testing::TestServer::start(&env.pg.url).await.unwrap();
    let http2 = common::client(&second.ca_pem);
    let outlet = env.outlet(&["A1"]).await;
    let mut workstations = Vec::new();
    for counter in 1..=4 {
        workstations.push(env.enrol(&outlet, counter).await);
    }
    // Every workstation pushes the same 10 batches of 100 through both servers at once.
    let mut tasks = Vec::new();
    for (i, (id, cred)) in workstations.iter().enumerate() {
        for (server_url, http) in [(env.server.url.clone(), env.http.clone()), (second.url.clone(), http2.clone())] {
            let (id, cred) = (id.clone(), cred.clone());
            tasks.push(tokio::spawn(async move {
                for batch in 0..10 {
                    let evs = events(1, batch * 100 + 1..=batch * 100 + 100);
                    let response = http
                        .post(format!("{server_url}/v1/push"))
                        .header("hall-protocol", "1")
                        .bearer_auth(&cred)
                        .json(&json!({ "workstation_id": id, "events": evs }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK, "workstation {i}: {}", response.text().await.unwrap());
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(env.count("SELECT count(*) FROM events WHERE outlet_code = $1", &outlet).await, 4 * 1_000);
    // Both instances tell the same state.
    let (id, cred) = &workstations[0];
    let (_, one) = env.get("/v1/workstation", cred).await;
    let response = http2.get(format!("{}/v1/workstation", second.url)).header("hall-protocol", "1").bearer_auth(cred).send().await.unwrap();
    let (_, two) = common::read(response).await;
    assert_eq!(one["series"], json!([{ "epoch": 1, "contiguous_through": 1000, "highest": 1000 }]));
    assert_eq!(one["series"], two["series"]);
    assert_eq!(one["workstation_id"], id.as_str());
    second.stop().await;
}
