//! The sync client's store side on real SQLite files: pulled pages applied with their cursor in
//! one transaction, idempotent re-application, refusals reported and never blocking the queue,
//! changes of an unknown kind or newer schema kept and applied by a build that knows them, the
//! snapshot's resumable position, push batches and exact acknowledgement, enrolment's outlet
//! check, the backoff.

mod common;

use chrono::Duration;
use hall::api::{NoArgs, Request, SyncStatus};
use hall::store::replica::{self, Outcome};
use hall::store::sync_state::{self, Enrolment, SnapshotPosition};
use hall::store::{Actor, Store, outbox};
use hall::sync::pull::apply_page;
use hall::sync::push::{mark_acked, next_batch};
use hall_protocol::enrol::EnrolResponse;
use hall_protocol::pull::{Change, ChangePage, SnapshotPage};
use hall_protocol::push::SeqRange;
use serde_json::json;

fn actor() -> Actor {
    Actor { user_id: None, at: common::start_time() }
}

fn change(scope: &str, pos: i64, kind: &str, schema: u32, key: &str, body: serde_json::Value) -> Change {
    Change { scope: scope.into(), pos, kind: kind.into(), schema, key: key.into(), body }
}

const CALENDAR_2027: &str = r#"
year = 2027
notice = "国办发明电〔2026〕1号"
holidays = [{ name = "元旦", date = "2027-01-01" }]
working_weekends = []
"#;

fn calendar_change(pos: i64, schema: u32) -> Change {
    change("global", pos, "calendar", schema, "2027", json!({ "year": 2027, "body": CALENDAR_2027 }))
}

fn user_change(pos: i64, username: &str, hash: &str, active: bool) -> Change {
    change(
        "outlet:330106",
        pos,
        "user",
        1,
        &format!("u-{username}"),
        json!({ "id": format!("u-{username}"), "username": username, "display_name": "总部用户", "role": "clerk",
                "password_hash": hash, "active": active, "updated_at": "2026-03-01T00:00:00Z" }),
    )
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("hall.db")).unwrap();
    (dir, store)
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_page_is_applied_with_its_cursor_and_applying_it_again_changes_nothing() {
    let (_dir, mut store) = store();
    let hash = hall::store::users::hash_password("secret123").unwrap();
    let page = ChangePage {
        changes: vec![calendar_change(1, 1), user_change(1, "hqclerk", &hash, true)],
        cursor: "global=1;outlet:330106=1".into(),
        more: false,
    };
    let applied = apply_page(&mut store, &actor(), &page).unwrap().0;
    assert_eq!((applied.applied, applied.kept, applied.rejected), (2, 0, 0));
    assert_eq!(sync_state::cursor(store.conn()).unwrap().to_string(), "global=1;outlet:330106=1");
    assert_eq!(count(&store, "SELECT count(*) FROM calendar_years WHERE year = 2027 AND source = 'head_office'"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM users WHERE username = 'hqclerk'"), 1);
    let events = count(&store, "SELECT count(*) FROM outbox");
    let audits = count(&store, "SELECT count(*) FROM audit_log");

    // The same page again (its answer was lost): skipped by the cursor, nothing written.
    apply_page(&mut store, &actor(), &page).unwrap();
    // And the same records at later positions (the snapshot and the log overlap): no new rows.
    let again = ChangePage {
        changes: vec![calendar_change(2, 1), user_change(2, "hqclerk", &hash, true)],
        cursor: "global=2;outlet:330106=2".into(),
        more: false,
    };
    apply_page(&mut store, &actor(), &again).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM outbox"), events);
    assert_eq!(count(&store, "SELECT count(*) FROM audit_log"), audits);
    assert_eq!(sync_state::cursor(store.conn()).unwrap().to_string(), "global=2;outlet:330106=2");
}

#[test]
fn a_refused_change_is_reported_back_and_the_changes_after_it_still_apply() {
    let (_dir, mut store) = store();
    let hash = hall::store::users::hash_password("secret123").unwrap();
    let broken = change("global", 1, "calendar", 1, "2028", json!({ "year": 2028, "body": "year = 2028\nnot toml at all" }));
    let page =
        ChangePage { changes: vec![broken, user_change(1, "after", &hash, true)], cursor: "global=1;outlet:330106=1".into(), more: false };
    let applied = apply_page(&mut store, &actor(), &page).unwrap().0;
    assert_eq!((applied.applied, applied.rejected), (1, 1));
    assert_eq!(count(&store, "SELECT count(*) FROM calendar_years"), 0, "the refused year wrote nothing");
    assert_eq!(count(&store, "SELECT count(*) FROM users WHERE username = 'after'"), 1);
    let rejected: String = store.conn().query_row("SELECT payload FROM outbox WHERE kind = 'sync.rejected'", [], |r| r.get(0)).unwrap();
    let rejected: serde_json::Value = serde_json::from_str(&rejected).unwrap();
    assert_eq!((rejected["kind"].as_str(), rejected["key"].as_str(), rejected["pos"].as_i64()), (Some("calendar"), Some("2028"), Some(1)));
    assert!(!rejected["zh"].as_str().unwrap().is_empty() && !rejected["en"].as_str().unwrap().is_empty());

    // A bill with a negative amount and a progress for an unknown application are refused too.
    let bad_bill = change(
        "outlet:330106",
        2,
        "bill",
        1,
        "b1",
        json!({ "id": "b1", "customer_id": "c1", "account": "3301000001", "area": "A1", "period": "2026-02", "source": "billing_centre",
                "tariff_code": "residential", "tariff_effective_from": "2025-01-01", "kwh": 10, "amount_fen": -5,
                "due_date": "2026-03-20", "lines": [], "issued_at": "2026-03-01T00:00:00Z" }),
    );
    let progress = change(
        "outlet:330106",
        3,
        "application.progress",
        1,
        "YK330106-01-1-000009",
        json!({ "number": "YK330106-01-1-000009", "expected_version": 1, "action": "advance", "step": null, "by_user": "u-after",
                "at": "2026-03-02T02:00:00Z", "note": "现场勘查完成", "origin_workstation": "w2" }),
    );
    let page = ChangePage { changes: vec![bad_bill, progress], cursor: "global=1;outlet:330106=3".into(), more: false };
    let applied = apply_page(&mut store, &actor(), &page).unwrap().0;
    assert_eq!(applied.rejected, 2);
    assert_eq!(count(&store, "SELECT count(*) FROM outbox WHERE kind = 'sync.rejected'"), 3);
    assert_eq!(sync_state::cursor(store.conn()).unwrap().position("outlet:330106"), 3, "the queue moved on");
}

#[test]
fn a_change_of_a_newer_schema_or_unknown_kind_is_kept_and_applied_by_a_build_that_knows_it() {
    let (dir, mut store) = store();
    let page = ChangePage {
        changes: vec![calendar_change(1, 2), change("global", 2, "meter_reading_plan", 1, "p1", json!({ "route": 7 }))],
        cursor: "global=2".into(),
        more: false,
    };
    let applied = apply_page(&mut store, &actor(), &page).unwrap().0;
    assert_eq!((applied.applied, applied.kept), (0, 2));
    assert_eq!(sync_state::cursor(store.conn()).unwrap().position("global"), 2, "kept changes do not stop the cursor");
    assert_eq!(count(&store, "SELECT count(*) FROM calendar_years"), 0);
    let reasons: Vec<String> = store
        .conn()
        .prepare("SELECT reason FROM sync_kept_changes ORDER BY pk")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(reasons, ["newer_schema", "unknown_kind"]);

    // This build still does not know them: at start they stay, untouched.
    drop(store);
    let mut store = Store::open(&dir.path().join("hall.db")).unwrap();
    assert_eq!(replica::reapply_kept(&mut store, &actor()).unwrap(), 0);
    assert_eq!(replica::kept_count(store.conn()).unwrap(), 2);

    // A change an older build kept (it knew no calendars, or a schema this build reads): this
    // build applies it at start and removes it from the kept ones, in one transaction.
    store
        .conn()
        .execute(
            "INSERT INTO sync_kept_changes (scope, pos, kind, schema, key, body, reason, received_at)
             VALUES ('global', 3, 'calendar', 1, '2027', ?1, 'unknown_kind', '2026-03-01T00:00:00Z')",
            [json!({ "year": 2027, "body": CALENDAR_2027 }).to_string()],
        )
        .unwrap();
    assert_eq!(replica::reapply_kept(&mut store, &actor()).unwrap(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM calendar_years WHERE year = 2027"), 1);
    assert_eq!(replica::kept_count(store.conn()).unwrap(), 2, "the schema-2 change and the unknown kind are still kept");
}

#[test]
fn a_user_whose_password_or_state_head_office_changed_has_their_sessions_ended() {
    let (_dir, mut store) = store();
    let hash = hall::store::users::hash_password("secret123").unwrap();
    let mut pos = 0;
    let mut apply = |store: &mut Store, c: Change| {
        pos += 1;
        let page = ChangePage { changes: vec![Change { pos, ..c }], cursor: format!("outlet:330106={pos}"), more: false };
        apply_page(store, &actor(), &page).unwrap().0
    };
    apply(&mut store, user_change(0, "hqclerk", &hash, true));
    let token = store.write(|tx| hall::store::sessions::start(tx, &actor(), "u-hqclerk")).unwrap();
    let open = |store: &Store| hall::store::sessions::find(store.conn(), &token).unwrap().is_some_and(|s| !s.ended);
    assert!(open(&store));
    // The same record again: the session stays.
    apply(&mut store, user_change(0, "hqclerk", &hash, true));
    assert!(open(&store));
    let new_hash = hall::store::users::hash_password("another456").unwrap();
    apply(&mut store, user_change(0, "hqclerk", &new_hash, true));
    assert!(!open(&store), "a new password ends the sessions");
    let stored: String = store.conn().query_row("SELECT password_hash FROM users WHERE id = 'u-hqclerk'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, new_hash);

    // A local user holding the username under another id is not overwritten.
    store
        .write(|tx| {
            hall::store::users::create(
                tx,
                &actor(),
                "localone",
                "本地",
                hall::model::user::Role::Clerk,
                "secret123",
                hall::store::users::PasswordKind::Chosen,
            )
        })
        .unwrap();
    let applied = apply(&mut store, user_change(0, "localone", &hash, true));
    assert_eq!(applied.rejected, 1);
    assert_eq!(count(&store, "SELECT count(*) FROM users WHERE username = 'localone'"), 1);
}

fn bill_change(pos: i64, id: &str, customer_id: &str, period: &str, amount: i64) -> Change {
    change(
        "outlet:330106",
        pos,
        "bill",
        1,
        id,
        json!({ "id": id, "customer_id": customer_id, "account": "3301000001", "area": "A1", "period": period,
                "source": "billing_centre", "tariff_code": "residential", "tariff_effective_from": "2025-01-01",
                "kwh": 100, "amount_fen": amount, "due_date": "2026-03-20", "lines": [], "issued_at": "2026-03-01T00:00:00Z" }),
    )
}

#[test]
fn bills_are_written_once_kept_until_their_customer_arrives_and_never_overwrite_a_local_one() {
    let (_dir, mut store) = store();
    let customer = store
        .write(|tx| {
            hall::store::customers::create(tx, &actor(), &common::draft("3301000001", "张三"), hall::store::customers::AuditEach::No)
        })
        .unwrap();
    let page = SnapshotPage {
        records: vec![
            bill_change(0, "b1", &customer.id, "2026-01", 5_000),
            bill_change(0, "b2", &customer.id, "2026-02", 6_000),
            bill_change(0, "b3", "not-here-yet", "2026-02", 7_000),
        ],
        next: Some("b3".into()),
        cursor: "outlet:330106=40".into(),
        total: Some(4),
    };
    let applied = hall::sync::snapshot::apply_page(&mut store, &actor(), "bills", "outlet:330106=40", &page).unwrap();
    assert_eq!((applied.applied, applied.kept), (2, 1));
    assert_eq!(count(&store, "SELECT sum(amount_fen) FROM bills"), 11_000);
    assert_eq!(count(&store, "SELECT count(*) FROM sync_kept_changes WHERE reason = 'awaiting_customer'"), 1);
    assert_eq!(
        sync_state::snapshot_position(store.conn()).unwrap(),
        SnapshotPosition::At { table: "bills".into(), after: Some("b3".into()), cursor: "outlet:330106=40".into() }
    );
    // The page again (a resumed snapshot) writes no second bill; another bill for a period the
    // customer has is refused and reported, the local one kept.
    hall::sync::snapshot::apply_page(&mut store, &actor(), "bills", "outlet:330106=40", &page).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM bills"), 2);
    let last = SnapshotPage {
        records: vec![bill_change(0, "b9", &customer.id, "2026-01", 9_999)],
        next: None,
        cursor: "outlet:330106=41".into(),
        total: None,
    };
    let applied = hall::sync::snapshot::apply_page(&mut store, &actor(), "bills", "outlet:330106=40", &last).unwrap();
    assert_eq!(applied.rejected, 1);
    assert_eq!(count(&store, "SELECT amount_fen FROM bills WHERE period = '2026-01'"), 5_000);
    // Bills done, the open 95598 tickets come last; once they are done the pull follows from the
    // snapshot's first cursor.
    assert_eq!(
        sync_state::snapshot_position(store.conn()).unwrap(),
        SnapshotPosition::At { table: "service_tickets".into(), after: None, cursor: "outlet:330106=40".into() }
    );
    let none = SnapshotPage { records: vec![], next: None, cursor: "outlet:330106=41".into(), total: Some(0) };
    hall::sync::snapshot::apply_page(&mut store, &actor(), "service_tickets", "outlet:330106=40", &none).unwrap();
    assert_eq!(sync_state::snapshot_position(store.conn()).unwrap(), SnapshotPosition::Done);
    assert_eq!(sync_state::cursor(store.conn()).unwrap().to_string(), "outlet:330106=40");
}

#[test]
fn a_pulled_bill_is_paid_from_the_prepayment_held_here_and_that_is_reported() {
    let (_dir, mut store) = store();
    let customer = store
        .write(|tx| {
            hall::store::customers::create(tx, &actor(), &common::draft("3301000001", "张三"), hall::store::customers::AuditEach::No)
        })
        .unwrap();
    store.conn().execute("INSERT INTO balances (customer_pk, prepaid_fen) SELECT pk, 4000 FROM customers", []).unwrap();
    let page =
        ChangePage { changes: vec![bill_change(1, "b1", &customer.id, "2026-02", 6_000)], cursor: "outlet:330106=1".into(), more: false };
    apply_page(&mut store, &actor(), &page).unwrap();
    assert_eq!(count(&store, "SELECT paid_fen FROM bills WHERE id = 'b1'"), 4_000);
    assert_eq!(count(&store, "SELECT prepaid_fen FROM balances"), 0);
    let payload: String = store.conn().query_row("SELECT payload FROM outbox WHERE kind = 'bill.prepaid'", [], |r| r.get(0)).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&payload).unwrap()["amount"], 4_000);
}

#[test]
fn push_batches_go_oldest_first_and_exactly_the_acknowledged_keys_are_marked() {
    let (_dir, mut store) = store();
    store
        .write(|tx| {
            for i in 0..10 {
                outbox::append(tx, &actor(), "test.event", &format!("e{i}"), &json!({ "i": i }))?;
            }
            Ok(())
        })
        .unwrap();
    let pending_before = outbox::pending(store.conn()).unwrap();
    let batch = next_batch(store.conn(), 4).unwrap();
    let seqs: Vec<i64> = batch.iter().map(|e| e.seq).collect();
    assert_eq!(seqs.len(), 4);
    assert!(seqs.windows(2).all(|w| w[0] + 1 == w[1]), "consecutive, oldest first: {seqs:?}");
    let epoch = batch[0].epoch;
    let first = seqs[0];
    // Head office acknowledged the first and third only (say the second is in a gap it reports).
    let acked = [SeqRange { epoch, from_seq: first, to_seq: first }, SeqRange { epoch, from_seq: first + 2, to_seq: first + 2 }];
    assert_eq!(mark_acked(&mut store, &acked, common::start_time()).unwrap(), 2);
    assert_eq!(outbox::pending(store.conn()).unwrap(), pending_before - 2);
    let next: Vec<i64> = next_batch(store.conn(), 3).unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(next, [first + 1, first + 3, first + 4]);
    // Acknowledged again (a replayed answer): nothing more changes; nothing is ever deleted.
    assert_eq!(mark_acked(&mut store, &acked, common::start_time()).unwrap(), 0);
    assert_eq!(outbox::all(store.conn()).unwrap().len() as i64, count(&store, "SELECT count(*) FROM outbox"));
    assert!(count(&store, "SELECT count(*) FROM outbox") >= 10);
}

#[test]
fn a_customers_imported_event_carries_the_named_customers_as_they_stand() {
    let (_dir, mut store) = store();
    hall::demo::populate(&mut store, &actor(), 3, 1, |_| {}).unwrap();
    let batch = next_batch(store.conn(), 5_000).unwrap();
    let imported = batch.iter().find(|e| e.kind == "customers.imported").expect("the load's event");
    assert_eq!(imported.records.len(), 3);
    let first = &imported.records[0];
    assert_eq!(first.outlet_code, "330106");
    assert!(first.fields.contains_key("name") && first.fields.contains_key("account"));
    // The records are outside the event's hash: the hash is that of the stored event.
    let plain = hall_protocol::push::WireEvent { records: Vec::new(), ..imported.clone() };
    assert_eq!(hall_protocol::hash::event_hash(imported), hall_protocol::hash::event_hash(&plain));
}

#[test]
fn enrolment_adopts_the_outlet_unless_the_database_holds_records_of_another() {
    let (_dir, mut store) = store();
    let own_id = store_id(&store);
    let response = |outlet: &str| EnrolResponse {
        workstation_id: own_id.clone(),
        outlet_code: outlet.into(),
        outlet_name: "西湖营业厅".into(),
        counter_no: 3,
        areas: vec!["A1".into()],
        credential: "cred-secret".into(),
    };
    fn store_id(store: &Store) -> String {
        store.workstation().unwrap().workstation_id
    }
    let fresh = response("330199");
    hall::sync::enrol::adopt(&mut store, "https://hq.example/", None, &fresh, common::start_time()).unwrap();
    let enrolment = sync_state::enrolment(store.conn()).unwrap().unwrap();
    assert_eq!((enrolment.url.as_str(), enrolment.credential.as_str()), ("https://hq.example", "cred-secret"));
    let ws = store.workstation().unwrap();
    assert_eq!(ws.outlet_code, "330199");
    let counter: i64 = store.conn().query_row("SELECT counter_no FROM workstation", [], |r| r.get(0)).unwrap();
    assert_eq!(counter, 3);
    // An enrolled workstation does not enrol again.
    assert_eq!(hall::sync::enrol::prepare(&store, "code").unwrap_err().code(), "enrol.already");

    // A database with customers of the demo outlet cannot become another outlet.
    let (_dir2, mut demo) = self::store();
    hall::demo::populate(&mut demo, &actor(), 2, 1, |_| {}).unwrap();
    let other = EnrolResponse { workstation_id: store_id(&demo), ..response("330199") };
    let refused = hall::sync::enrol::adopt(&mut demo, "https://hq.example", None, &other, common::start_time()).unwrap_err();
    assert_eq!(refused.code(), "enrol.other_outlet");
    assert!(sync_state::enrolment(demo.conn()).unwrap().is_none());
    assert_eq!(demo.workstation().unwrap().outlet_code, "330106");
    // Into its own outlet it may.
    let same = EnrolResponse { workstation_id: store_id(&demo), ..response("330106") };
    hall::sync::enrol::adopt(&mut demo, "https://hq.example", None, &same, common::start_time()).unwrap();
    let _: Option<Enrolment> = sync_state::enrolment(demo.conn()).unwrap();
}

#[test]
fn the_backoff_grows_with_jitter_up_to_its_cap() {
    use hall::sync::round::{BACKOFF_FIRST, BACKOFF_MAX, backoff};
    let mut rng = rand::thread_rng();
    for failures in 1..40 {
        let full = (BACKOFF_FIRST * 2u32.pow((failures as u32 - 1).min(16))).min(BACKOFF_MAX);
        for _ in 0..20 {
            let wait = backoff(failures, &mut rng);
            assert!(wait >= full / 2 && wait <= full, "failures {failures}: {wait:?} outside [{:?}, {full:?}]", full / 2);
        }
    }
    let waits: std::collections::HashSet<_> = (0..50).map(|_| backoff(6, &mut rng)).collect();
    assert!(waits.len() > 10, "jittered");
}

#[test]
fn the_status_counts_unsent_money_and_says_when_not_enrolled() {
    let f = common::fixture();
    let admin = f.login("admin");
    let status: SyncStatus = serde_json::from_value(f.app.call(Some(&admin), Request::GetSyncStatus(NoArgs {})).unwrap()).unwrap();
    assert!(!status.enrolled);
    assert_eq!(status.pending_payments, 0);
    // Two unsent money events and one acknowledged.
    {
        let mut store = f.app.store();
        store
            .write(|tx| {
                for (receipt, amount) in [("r1", 12_345), ("r2", 655), ("r3", 1_000)] {
                    outbox::append(tx, &actor(), "payment.posted", receipt, &json!({ "receipt_no": receipt, "amount": amount }))?;
                }
                Ok(())
            })
            .unwrap();
        let ws = store.workstation().unwrap();
        let last = ws.next_seq - 1;
        mark_acked(&mut store, &[SeqRange { epoch: ws.epoch, from_seq: last, to_seq: last }], common::start_time()).unwrap();
    }
    let status: SyncStatus = serde_json::from_value(f.app.call(Some(&admin), Request::GetSyncStatus(NoArgs {})).unwrap()).unwrap();
    assert_eq!((status.pending_payments, status.pending_payments_fen), (2, 13_000));
    assert!(status.pending_events >= 2 && status.oldest_pending_at.is_some());
    let refused = f.app.call(Some(&admin), Request::SyncNow(NoArgs {})).unwrap_err();
    assert_eq!(refused.code(), "sync.not_enrolled");
    // A failure is recorded in plain words with the next try; fenced says so apart from errors.
    let store = f.app.store();
    let message = hall::sync::SyncError::Unreachable("connection refused".into()).message();
    sync_state::record_failure(store.conn(), common::start_time(), &message, common::start_time() + Duration::seconds(5), None).unwrap();
    drop(store);
    let status: SyncStatus = serde_json::from_value(f.app.call(Some(&admin), Request::GetSyncStatus(NoArgs {})).unwrap()).unwrap();
    assert_eq!(status.error.as_ref().map(|e| e.code.as_str()), Some("sync.unreachable"));
    assert!(status.error.unwrap().zh.contains("无法连接总部"));
    assert!(status.fenced.is_none() && status.next_attempt_at.is_some());
    let _ = Outcome::Applied;
}

#[test]
fn setup_offers_the_demo_only_on_a_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let app = hall::api::App::open(&dir.path().join("hall.db")).unwrap();
    let state: hall::api::SetupState = serde_json::from_value(app.call(None, Request::GetSetupState(NoArgs {})).unwrap()).unwrap();
    assert!(!state.has_users && !state.enrolled);
    let state: hall::api::SetupState = serde_json::from_value(app.call(None, Request::SetupDemo(NoArgs {})).unwrap()).unwrap();
    assert!(state.has_users);
    assert!(hall::store::customers::count(app.store().conn()).unwrap() > 0);
    assert_eq!(app.call(None, Request::SetupDemo(NoArgs {})).unwrap_err().code(), "setup.not_first_start");
    // With users, enrolment from the login screen (no session) is refused.
    let args = hall::api::EnrolArgs { url: "https://127.0.0.1:9".into(), code: "x".into(), ca_pem: None };
    assert_eq!(app.call(None, Request::Enrol(args)).unwrap_err().code(), "enrol.admin_only");
}

#[test]
fn a_pulled_customer_is_merged_in_and_the_same_record_again_changes_nothing() {
    let (_a_dir, mut a) = store();
    let (_b_dir, mut b) = store();
    let customer = a
        .write(|tx| {
            hall::store::customers::create(tx, &actor(), &common::draft("3301000007", "王五"), hall::store::customers::AuditEach::No)
        })
        .unwrap();
    let record = hall::store::customers::to_record(a.conn(), &customer.id).unwrap();
    let body = serde_json::to_value(&record).unwrap();
    let page = |pos: i64| ChangePage {
        changes: vec![change("outlet:330106", pos, "customer", 1, &customer.id, body.clone())],
        cursor: format!("outlet:330106={pos}"),
        more: false,
    };
    let events = count(&b, "SELECT count(*) FROM outbox");
    assert_eq!(apply_page(&mut b, &actor(), &page(1)).unwrap().0.applied, 1);
    let copy = hall::store::customers::get(b.conn(), &customer.id).unwrap();
    assert_eq!((copy.record.name.as_str(), copy.record.account.as_str()), ("王五", "3301000007"));
    assert_eq!(count(&b, "SELECT count(*) FROM outbox"), events, "a pulled customer is not echoed back");
    apply_page(&mut b, &actor(), &page(2)).unwrap();
    assert_eq!(hall::store::customers::get(b.conn(), &customer.id).unwrap().version, copy.version);
}
