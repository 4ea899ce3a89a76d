//! Real workstations (the hall core on SQLite files) syncing with the real head office (its own
//! PostgreSQL cluster, the server in-process on loopback HTTPS with a CA made for the test) through
//! the workstation's own sync client: enrolment, push and acknowledgement, a replayed push, the
//! initial snapshot, pull, a change of a newer schema kept, a cloned workstation fenced, a restore
//! starting an epoch above head office's.

use std::sync::Arc;

use hall::api::{App, NoArgs, Request, SyncStatus};
use hall::clock::SystemClock;
use hall::store::{Actor, Store, outbox, sync_state};
use hall::sync::{Round, SyncError, run_round};
use head_office::testing::{TestPostgres, TestServer, unique_outlet};

struct Hq {
    rt: tokio::runtime::Runtime,
    server: Option<TestServer>,
    _pg: TestPostgres,
}

impl Hq {
    fn start() -> Hq {
        head_office::app::install_crypto();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let pg = TestPostgres::start().expect("PostgreSQL starts");
        let server = rt.block_on(TestServer::start(&pg.url)).expect("head office starts");
        Hq { rt, server: Some(server), _pg: pg }
    }

    fn server(&self) -> &TestServer {
        self.server.as_ref().unwrap()
    }

    fn outlet(&self) -> String {
        let code = unique_outlet("S");
        self.rt
            .block_on(head_office::admin::outlet_add(&self.server().pool, &code, &format!("营业厅 {code}"), &["A1".to_owned()]))
            .unwrap();
        code
    }

    fn code(&self, outlet: &str, counter: i64) -> String {
        self.rt.block_on(head_office::admin::workstation_add(&self.server().pool, outlet, counter)).unwrap()
    }

    fn count(&self, sql: &str, outlet: &str) -> i64 {
        self.rt.block_on(async {
            let db = self.server().pool.get().await.unwrap();
            db.query_one(sql, &[&outlet]).await.unwrap().get(0)
        })
    }

    fn sql(&self, sql: &str) {
        self.rt.block_on(async { self.server().pool.get().await.unwrap().batch_execute(sql).await.unwrap() })
    }
}

impl Drop for Hq {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.stop());
        }
    }
}

struct Workstation {
    dir: tempfile::TempDir,
    store: Store,
}

impl Workstation {
    fn new() -> Workstation {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("hall.db")).unwrap();
        Workstation { dir, store }
    }

    fn enrolled(hq: &Hq, outlet: &str, counter: i64) -> Workstation {
        let mut ws = Workstation::new();
        let code = hq.code(outlet, counter);
        let response = hall::sync::enrol::enrol(&mut ws.store, &hq.server().url, &code, Some(&hq.server().ca_pem), chrono::Utc::now())
            .expect("enrolled");
        assert_eq!(response.outlet_code, outlet);
        ws
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("hall.db")
    }

    fn round(&mut self) -> Result<Round, SyncError> {
        run_round(&mut self.store, &SystemClock, |_| {})
    }

    fn customer(&mut self, account: &str, name: &str) -> String {
        let actor = Actor { user_id: None, at: chrono::Utc::now() };
        let draft = hall::demo::sample_customer(account, name);
        self.store.write(|tx| hall::store::customers::create(tx, &actor, &draft, hall::store::customers::AuditEach::Yes)).unwrap().id
    }

    fn events(&mut self, n: usize, tag: &str) {
        let actor = Actor { user_id: None, at: chrono::Utc::now() };
        self.store
            .write(|tx| {
                for i in 0..n {
                    outbox::append(tx, &actor, "note.added", &format!("{tag}{i}"), &serde_json::json!({ "tag": tag, "i": i }))?;
                }
                Ok(())
            })
            .unwrap();
    }

    fn pending(&self) -> i64 {
        outbox::pending(self.store.conn()).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

const EVENTS_AT_HQ: &str = "SELECT count(*) FROM events WHERE outlet_code = $1";

#[test]
fn an_enrolled_workstation_pushes_every_event_once_and_a_replayed_push_changes_nothing() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    let mut ws = Workstation::enrolled(&hq, &outlet, 2);
    let identity = ws.store.workstation().unwrap();
    assert_eq!(identity.outlet_code, outlet);
    let counter: i64 = ws.store.conn().query_row("SELECT counter_no FROM workstation", [], |r| r.get(0)).unwrap();
    assert_eq!(counter, 2);
    // The receipt key head office registered is this workstation's.
    let registered = hq.count("SELECT count(*) FROM workstations WHERE outlet_code = $1 AND receipt_public_key <> ''", &outlet);
    assert_eq!(registered, 1);

    ws.customer("3301000001", "张三");
    ws.events(6_000, "n");
    let local = ws.count("SELECT count(*) FROM outbox");
    assert!(local > hall_protocol::push::MAX_BATCH_EVENTS as i64, "more than one batch");
    let round = ws.round().expect("the round succeeds");
    assert_eq!(round.pushed.acked as i64, local);
    assert_eq!(ws.pending(), 0);
    assert_eq!(hq.count(EVENTS_AT_HQ, &outlet), local);
    assert!(sync_state::attempts(ws.store.conn()).unwrap().last_success_at.is_some());

    // The acknowledgements lost (say the answers never arrived): everything goes again, head office
    // acknowledges the repeats and stores nothing new.
    ws.store.conn().execute("UPDATE outbox SET acked_at = NULL", []).unwrap();
    let round = ws.round().expect("the replay succeeds");
    assert_eq!(round.pushed.duplicates as i64, local);
    assert_eq!(ws.pending(), 0);
    assert_eq!(hq.count(EVENTS_AT_HQ, &outlet), local, "exactly once at head office");
    // Nothing is deleted locally.
    assert_eq!(ws.count("SELECT count(*) FROM outbox"), local);
}

#[test]
fn a_new_workstation_takes_the_snapshot_then_follows_the_changes_and_keeps_what_it_cannot_read() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    hq.rt.block_on(head_office::admin::user_add(&hq.server().pool, &outlet, "hqclerk", "总部柜员", "clerk", "counter1234")).unwrap();
    let mut first = Workstation::enrolled(&hq, &outlet, 1);
    let customer = first.customer("3301000002", "李四");
    first.round().expect("the first workstation syncs");

    let mut second = Workstation::enrolled(&hq, &outlet, 2);
    let round = second.round().expect("the second workstation takes its snapshot");
    assert!(round.snapshot.applied >= 2, "{round:?}");
    assert_eq!(sync_state::snapshot_position(second.store.conn()).unwrap(), sync_state::SnapshotPosition::Done);
    assert_eq!(second.count("SELECT count(*) FROM users WHERE username = 'hqclerk' AND active = 1"), 1);
    let copy = hall::store::customers::get(second.store.conn(), &customer).expect("the customer arrived");
    assert_eq!(copy.record.name, "李四");
    // The user head office made can log in here.
    let app = App::new(Store::open(&second.path()).unwrap(), Arc::new(SystemClock));
    let login = app.call(None, Request::Login(hall::api::LoginArgs { username: "hqclerk".into(), password: "counter1234".into() }));
    assert!(login.is_ok(), "{login:?}");

    // An edit at the first workstation reaches the second by pull.
    let actor = Actor { user_id: None, at: chrono::Utc::now() };
    let mut draft = hall::store::customers::get(first.store.conn(), &customer).unwrap();
    draft.record.name = "李四华".into();
    first.store.write(|tx| hall::store::customers::update(tx, &actor, &customer, draft.version, &draft.record)).unwrap();
    first.round().unwrap();
    let round = second.round().unwrap();
    assert!(round.pulled.applied >= 1, "{round:?}");
    assert_eq!(hall::store::customers::get(second.store.conn(), &customer).unwrap().record.name, "李四华");

    // Head office publishes a calendar in schema version 2 and a kind this build does not know:
    // both are kept, the cursor moves past them, and nothing stops.
    hq.sql(&format!(
        "WITH h AS (UPDATE outlet_heads SET head = head + 2 WHERE outlet_code = '{outlet}' RETURNING head)
         INSERT INTO outlet_changes (outlet_code, pos, kind, schema, key, body)
         SELECT '{outlet}', head - 1, 'calendar', 2, '2030', '{{\"year\": 2030, \"body\": \"year = 2030\", \"regions\": []}}'::jsonb FROM h
         UNION ALL SELECT '{outlet}', head, 'meter_route', 1, 'r1', '{{\"route\": 7}}'::jsonb FROM h"
    ));
    let before = sync_state::cursor(second.store.conn()).unwrap().position(&format!("outlet:{outlet}"));
    let round = second.round().unwrap();
    assert_eq!(round.pulled.kept, 2, "{round:?}");
    assert_eq!(sync_state::cursor(second.store.conn()).unwrap().position(&format!("outlet:{outlet}")), before + 2);
    assert_eq!(hall::store::replica::kept_count(second.store.conn()).unwrap(), 2);
    // A later round does not lose them.
    second.round().unwrap();
    assert_eq!(hall::store::replica::kept_count(second.store.conn()).unwrap(), 2);
}

#[test]
fn a_cloned_workstation_is_fenced_and_its_status_says_so_plainly() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    let mut original = Workstation::enrolled(&hq, &outlet, 1);
    original.events(3, "a");
    original.round().unwrap();

    // A copy of the database on another machine: the same identity and numbering.
    let clone_dir = tempfile::tempdir().unwrap();
    let clone_path = clone_dir.path().join("hall.db");
    original.store.backup_to(&clone_path).unwrap();
    let mut clone = Workstation { store: Store::open(&clone_path).unwrap(), dir: clone_dir };

    original.events(2, "original");
    original.round().unwrap();
    clone.events(2, "clone");
    let refused = clone.round().expect_err("the clone's events collide with the original's keys");
    assert!(refused.is_fenced(), "{refused:?}");
    assert_eq!(clone.pending(), 2, "the clone's events stay, unacknowledged");

    let app = App::new(Store::open(&clone.path()).unwrap(), Arc::new(SystemClock));
    let token = {
        let mut store = app.store();
        let actor = Actor { user_id: None, at: chrono::Utc::now() };
        let user = store
            .write(|tx| {
                hall::store::users::create(
                    tx,
                    &actor,
                    "admin",
                    "管理员",
                    hall::model::user::Role::Admin,
                    "admin1234",
                    hall::store::users::PasswordKind::Chosen,
                )
            })
            .unwrap();
        store.write(|tx| hall::store::sessions::start(tx, &actor, &user.id)).unwrap()
    };
    let status: SyncStatus = serde_json::from_value(app.call(Some(&token), Request::GetSyncStatus(NoArgs {})).unwrap()).unwrap();
    let fenced = status.fenced.expect("fenced is said");
    assert!(fenced.zh.contains("总部") && !fenced.en.is_empty(), "{fenced:?}");
    assert!(status.error.is_none());
    assert_eq!(status.pending_events, 3, "the clone's two events and its new user's");
    // Head office quarantined the colliding events: visible to an operator, not dropped.
    assert!(hq.count("SELECT count(*) FROM quarantine WHERE outlet_code = $1", &outlet) >= 1);
    // The identity is fenced for the original too until an operator acts: retrying says so again.
    original.events(1, "later");
    assert!(original.round().expect_err("the identity is fenced").is_fenced());
    let attempts = sync_state::attempts(original.store.conn()).unwrap();
    assert!(attempts.fenced.is_some());
    assert!(attempts.next_attempt_at.is_some(), "the fenced task waits its longest before the next try");
}

#[test]
fn a_restore_starts_an_epoch_above_every_one_head_office_knows_and_is_accepted() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    let mut ws = Workstation::enrolled(&hq, &outlet, 1);
    ws.events(3, "e1-");
    ws.round().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("hall-20261201T000000Z.db");
    ws.store.backup_to(&backup).unwrap();
    let path = ws.path();
    let actor = Actor { user_id: None, at: chrono::Utc::now() };

    // A first restore (the live database still there): epoch 2, accepted.
    let floor = hall::sync::restore::epoch_floor(&path, &backup).unwrap();
    assert_eq!(floor, 1);
    ws.store = Store::restore_above(&backup, &path, &actor, floor).unwrap();
    assert_eq!(ws.store.workstation().unwrap().epoch, 2);
    ws.events(2, "e2-");
    ws.round().expect("epoch 2 is accepted");

    // The disk is replaced: the same backup restored onto an empty machine. The local rule alone
    // would start epoch 2 again, which head office already holds; head office says so.
    drop(std::mem::replace(&mut ws.store, Store::open(&backups.path().join("scratch.db")).unwrap()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let floor = hall::sync::restore::epoch_floor(&path, &backup).unwrap();
    assert_eq!(floor, 2, "read from the backup's enrolment");
    ws.store = Store::restore_above(&backup, &path, &actor, floor).unwrap();
    assert_eq!(ws.store.workstation().unwrap().epoch, 3);
    ws.events(2, "e3-");
    let round = ws.round().expect("the new epoch is accepted, nothing fenced");
    assert!(round.pushed.acked >= 2);
    assert_eq!(ws.pending(), 0);
}

#[test]
fn the_first_start_screen_enrols_and_the_background_task_takes_the_snapshot() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    hq.rt.block_on(head_office::admin::user_add(&hq.server().pool, &outlet, "hqadmin", "总部管理员", "admin", "admin12345")).unwrap();
    let ws = Workstation::new();
    let app = App::new(Store::open(&ws.path()).unwrap(), Arc::new(SystemClock));
    let setup: hall::api::SetupState = serde_json::from_value(app.call(None, Request::GetSetupState(NoArgs {})).unwrap()).unwrap();
    assert!(!setup.has_users && !setup.enrolled);
    // A wrong code is refused in plain words and nothing is stored.
    let wrong = hall::api::EnrolArgs { url: hq.server().url.clone(), code: "NOT-A-CODE".into(), ca_pem: Some(hq.server().ca_pem.clone()) };
    let refused = app.call(None, Request::Enrol(wrong)).unwrap_err();
    assert!(refused.code().starts_with("enrol."), "{refused:?}");
    assert!(sync_state::enrolment(app.store().conn()).unwrap().is_none());
    // Without the CA the certificate is not trusted, and the message says so.
    let untrusted = hall::api::EnrolArgs { url: hq.server().url.clone(), code: hq.code(&outlet, 1), ca_pem: None };
    assert_eq!(app.call(None, Request::Enrol(untrusted)).unwrap_err().code(), "sync.untrusted");

    let args = hall::api::EnrolArgs { url: hq.server().url.clone(), code: hq.code(&outlet, 1), ca_pem: Some(hq.server().ca_pem.clone()) };
    let status: SyncStatus = serde_json::from_value(app.call(None, Request::Enrol(args)).unwrap()).unwrap();
    assert!(status.enrolled);
    assert_eq!(status.outlet_code, outlet);
    // The background task takes the snapshot on its own connection; the users arrive.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let setup: hall::api::SetupState = serde_json::from_value(app.call(None, Request::GetSetupState(NoArgs {})).unwrap()).unwrap();
        if setup.has_users {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the snapshot did not arrive");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let login = app.call(None, Request::Login(hall::api::LoginArgs { username: "hqadmin".into(), password: "admin12345".into() })).unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    // `sync.now` wakes it; the status reports the success.
    app.call(Some(&token), Request::SyncNow(NoArgs {})).unwrap();
    loop {
        let status: SyncStatus = serde_json::from_value(app.call(Some(&token), Request::GetSyncStatus(NoArgs {})).unwrap()).unwrap();
        if status.last_success_at.is_some() && !status.running {
            assert!(status.error.is_none() && status.fenced.is_none(), "{status:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no successful round: {status:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The demo is not offered to an enrolled workstation.
    assert_eq!(app.call(None, Request::SetupDemo(NoArgs {})).unwrap_err().code(), "setup.not_first_start");
}

fn ticket(no: &str, workstation: &str, received: chrono::DateTime<chrono::Utc>) -> hall_protocol::records::ServiceTicketRecord {
    use hall::model::service::{Category, ComplaintClass};
    hall_protocol::records::ServiceTicketRecord {
        ticket_no: no.into(),
        workstation_id: workstation.into(),
        category: Category::Complaint,
        complaint_class: Some(ComplaintClass::Business),
        service_kind: None,
        area_type: None,
        customer_account: Some("3301000031".into()),
        caller_name: String::new(),
        caller_phone: "13800000031".into(),
        address: String::new(),
        content: "电费异常偏高，要求核查".into(),
        received_at: received.to_rfc3339(),
    }
}

fn ticket_at_hq(hq: &Hq, outlet: &str, no: &str) -> head_office::console::types::TicketView {
    hq.rt.block_on(head_office::tickets::get(&hq.server().pool, outlet, no)).unwrap()
}

#[test]
fn a_95598_ticket_reaches_its_workstation_only_and_its_handling_and_callback_come_back() {
    use hall::api::{RequestActArgs, RequestDue, RequestListArgs, RequestNumberRef};
    use hall::model::service::{CallbackOutcome, RequestAct};

    let hq = Hq::start();
    let outlet = hq.outlet();
    hq.rt.block_on(head_office::admin::user_add(&hq.server().pool, &outlet, "hqmgr", "主任甲", "manager", "manager1234")).unwrap();
    let mut first = Workstation::enrolled(&hq, &outlet, 1);
    let mut second = Workstation::enrolled(&hq, &outlet, 2);
    first.customer("3301000031", "赵六");
    first.round().unwrap();
    second.round().unwrap();
    let first_id = first.store.workstation().unwrap().workstation_id;
    let second_id = second.store.workstation().unwrap().workstation_id;

    // The centre took the call 30 hours ago: the 24-hour contact deadline has already passed.
    let received = chrono::Utc::now() - chrono::Duration::hours(30);
    let pool = &hq.server().pool;
    hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &ticket("A2026120100001", &first_id, received))).unwrap();
    // The same number again is refused; a workstation of another outlet or a revoked one too.
    let again = hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &ticket("a2026120100001", &first_id, received)));
    assert!(matches!(&again, Err(e) if e.body().code == "ticket.exists"), "{again:?}");
    let stranger = hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &ticket("A2026120100002", "X-9", received)));
    assert!(matches!(&stranger, Err(e) if e.body().code == "ticket.workstation"), "{stranger:?}");
    // A phone number the outlet's rules refuse: head office stores it, the workstation rejects it.
    let mut bad = ticket("A2026120100003", &first_id, received);
    bad.caller_phone = "12".into();
    bad.customer_account = None;
    hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &bad)).unwrap();
    hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &ticket("A2026120100004", &second_id, received))).unwrap();
    assert_eq!(ticket_at_hq(&hq, &outlet, "A2026120100001").state, "dispatched");

    first.round().unwrap();
    second.round().unwrap();
    assert_eq!(first.count("SELECT count(*) FROM service_requests"), 1, "its good ticket, once, and not the second's");
    assert_eq!(second.count("SELECT count(*) FROM service_requests WHERE ticket_no = 'A2026120100004'"), 1);
    assert_eq!(second.count("SELECT count(*) FROM service_requests"), 1, "the first's tickets are skipped");
    // Applying the page again (a cut after the apply) changes nothing.
    first.store.conn().execute("UPDATE sync_state SET pull_cursor = ''", []).unwrap();
    first.round().unwrap();
    assert_eq!(first.count("SELECT count(*) FROM service_requests"), 1);

    let app = App::new(Store::open(&first.path()).unwrap(), Arc::new(SystemClock));
    let login = app.call(None, Request::Login(hall::api::LoginArgs { username: "hqmgr".into(), password: "manager1234".into() })).unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let me_id = login["session"]["user"]["id"].as_str().unwrap().to_owned();
    let call = |request: Request| app.call(Some(&token), request).unwrap_or_else(|e| panic!("{e}"));
    let mut view = call(Request::ServiceRequestByNumber(RequestNumberRef { number: "a2026120100001".into() }));
    let request = &view["request"];
    assert_eq!(request["ticket_no"], "A2026120100001");
    assert_eq!(request["accepted_by_name"], "95598");
    assert_eq!(request["customer_account"], "3301000031", "linked to the customer by the account given");
    assert_eq!(view["overdue"], true, "the deadlines run from the centre's reception: {view}");
    let overdue = call(Request::ListServiceRequests(RequestListArgs {
        due: RequestDue::Overdue,
        state: None,
        category: None,
        assignee: None,
        customer_id: None,
        offset: 0,
        limit: 50,
    }));
    assert_eq!(overdue["rows"][0]["ticket_no"], "A2026120100001", "{overdue}");

    assert_eq!(view["request"]["events"][0]["by_name"], "95598");
    let mut act = |act: RequestAct| {
        let id = view["request"]["id"].as_str().unwrap().to_owned();
        let version = view["request"]["version"].as_i64().unwrap();
        view = call(Request::ActOnServiceRequest(RequestActArgs { id, expected_version: version, act }));
    };
    act(RequestAct::Assign { assignee: me_id, note: String::new() });
    act(RequestAct::Contact { note: "已致电客户".into() });
    act(RequestAct::Reply { reply: "经核查电表正常，系空调用电增加".into() });
    act(RequestAct::Callback { outcome: CallbackOutcome::Satisfied, comment: "客户认可".into() });
    act(RequestAct::Close { note: String::new() });
    assert_eq!(view["request"]["state"], "closed");

    first.round().unwrap();
    let at_hq = ticket_at_hq(&hq, &outlet, "A2026120100001");
    assert_eq!(at_hq.state, "closed", "{at_hq:?}");
    assert_eq!(at_hq.request_number.as_deref(), view["request"]["number"].as_str());
    assert_eq!(at_hq.satisfaction.as_deref(), Some("satisfied"));
    assert_eq!(at_hq.reply.as_deref(), Some("经核查电表正常，系空调用电增加"));
    let steps: Vec<&str> = at_hq.handling.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(steps, ["accept", "assign", "contact", "reply", "callback", "close"]);
    assert!(at_hq.closed_at.is_some());

    let refused = ticket_at_hq(&hq, &outlet, "A2026120100003");
    assert_eq!(refused.state, "rejected", "{refused:?}");
    assert!(refused.handling[0].text.as_deref().unwrap_or_default().contains("电话"), "{refused:?}");
    // A replayed push changes none of it.
    first.store.conn().execute("UPDATE outbox SET acked_at = NULL", []).unwrap();
    first.round().unwrap();
    assert_eq!(ticket_at_hq(&hq, &outlet, "A2026120100001").handling.len(), 6);
}

#[test]
fn a_ticket_dispatched_before_a_workstation_took_its_snapshot_arrives_with_the_snapshot() {
    let hq = Hq::start();
    let outlet = hq.outlet();
    let mut ws = Workstation::enrolled(&hq, &outlet, 1);
    let id = ws.store.workstation().unwrap().workstation_id;
    let pool = &hq.server().pool;
    hq.rt.block_on(head_office::tickets::dispatch(pool, &outlet, "op95598", &ticket("B1", &id, chrono::Utc::now()))).unwrap();
    // Its change is older than the snapshot's cursor; the snapshot's open tickets bring it.
    ws.round().unwrap();
    assert_eq!(ws.count("SELECT count(*) FROM service_requests WHERE ticket_no = 'B1'"), 1);
    ws.round().unwrap();
    assert_eq!(ws.count("SELECT count(*) FROM service_requests"), 1, "the change log's copy is the same ticket");
    // Unlinked: this workstation has no such customer; the account is kept in the content.
    let content: String = ws.store.conn().query_row("SELECT content FROM service_requests", [], |r| r.get(0)).unwrap();
    assert!(content.contains("3301000031"), "{content}");
}
