//! A real head office (its own PostgreSQL cluster, HTTPS on loopback) behind the fault proxy, and
//! real workstations (SQLite files driven through the command set, `App::call`), each on a clock
//! of its own; and [`check`], the invariants every scenario ends with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hall::api::{App, LoginArgs, NoArgs, Request, SyncStatus};
use hall::clock::{Clock, FixedClock};
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::store::payments::PostPayment;
use hall::store::{Actor, Store};
use hall_protocol::records::CustomerRecord;
use head_office::testing::{TestPostgres, TestServer};

use super::fault_proxy::{FaultProxy, Plan};

/// Head office and the proxy in front of it, on a runtime of their own (the workstations' sync
/// client is blocking and runs on the test's thread).
pub struct Hq {
    pub rt: tokio::runtime::Runtime,
    pub pg: TestPostgres,
    pub server: Option<TestServer>,
    pub proxy: FaultProxy,
    pub pool: deadpool_postgres::Pool,
}

impl Hq {
    pub fn start() -> Hq {
        head_office::app::install_crypto();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
        let pg = TestPostgres::start().expect("PostgreSQL starts");
        let server = rt.block_on(TestServer::start(&pg.url)).expect("head office starts");
        let proxy = rt.block_on(FaultProxy::start(&server.url, &server.ca_pem, Plan::clean()));
        let pool = pg.pool(4).expect("a pool");
        Hq { rt, pg, server: Some(server), proxy, pool }
    }

    /// Stops head office (requests in flight get a second) and starts a new instance on the same
    /// database, the proxy pointed at it.
    pub fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.stop());
        }
        self.start_again();
    }

    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.stop());
        }
    }

    pub fn start_again(&mut self) {
        let server = self.rt.block_on(TestServer::start(&self.pg.url)).expect("head office starts again");
        self.proxy.set_upstream(&server.url, &server.ca_pem);
        self.server = Some(server);
    }

    pub fn set_plan(&self, plan: Plan) {
        self.proxy.set_plan(plan);
    }

    pub fn outlet(&self, code: &str) {
        let areas = vec!["西湖区供电所/翠苑1号台区".to_owned()];
        self.rt.block_on(head_office::admin::outlet_add(&self.pool, code, &format!("营业厅 {code}"), &areas)).expect("outlet added");
    }

    pub fn code(&self, outlet: &str, counter: i64) -> String {
        self.rt.block_on(head_office::admin::workstation_add(&self.pool, outlet, counter)).expect("an enrolment code")
    }

    /// A single number from head office's database.
    pub fn count(&self, sql: &str, outlet: &str) -> i64 {
        self.rt.block_on(async {
            let client = self.pool.get().await.expect("a connection");
            client.query_one(sql, &[&outlet]).await.expect(sql).get::<_, i64>(0)
        })
    }

    pub fn rows(&self, sql: &str, outlet: &str) -> Vec<Vec<String>> {
        self.rt.block_on(async {
            let client = self.pool.get().await.expect("a connection");
            let rows = client.query(sql, &[&outlet]).await.expect(sql);
            rows.iter().map(|r| (0..r.len()).map(|i| r.get::<_, String>(i)).collect()).collect()
        })
    }

    /// Every event head office holds of a workstation: (epoch, seq) → payload.
    pub fn events_of(&self, outlet: &str, workstation: &str) -> BTreeMap<(i64, i64), String> {
        self.rt.block_on(async {
            let client = self.pool.get().await.expect("a connection");
            let rows = client
                .query("SELECT epoch, seq, payload FROM events WHERE outlet_code = $1 AND workstation_id = $2", &[&outlet, &workstation])
                .await
                .expect("events");
            rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect()
        })
    }

    /// The customers head office holds for an outlet, as merged there.
    pub fn customers(&self, outlet: &str) -> BTreeMap<String, CustomerRecord> {
        self.rt.block_on(async {
            let client = self.pool.get().await.expect("a connection");
            let rows = client.query("SELECT id, record FROM customers WHERE outlet_code = $1", &[&outlet]).await.expect("customers");
            rows.iter()
                .map(|r| {
                    let record: serde_json::Value = r.get(1);
                    (r.get(0), serde_json::from_value(record).expect("a stored customer record"))
                })
                .collect()
        })
    }

    pub fn unfence(&self, outlet: &str, workstation: &str) {
        self.rt.block_on(head_office::admin::unfence(&self.pool, outlet, workstation, "tester")).expect("unfenced");
    }
}

/// A workstation: a real SQLite file, the `App` over it on a clock the test moves, a clerk signed in.
pub struct Station {
    pub name: String,
    pub dir: tempfile::TempDir,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub outlet: String,
    pub token: String,
    /// How far this workstation's clock is from the real one (a skewed machine, a simulated past).
    pub skew: chrono::Duration,
    accounts: u32,
    keys: u64,
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Station {
    /// A new workstation with the demo's users and no customers, enrolled at `outlet` through the
    /// proxy, its first round done, its desk open.
    pub fn enrol(hq: &Hq, name: &str, outlet: &str, counter: i64, at: DateTime<Utc>) -> Station {
        // Taken before the slow part (hashing the demo's passwords, enrolling): measured after it,
        // each station's clock would lag by however long its own setup took, and edits made one
        // after the other on two stations could be stamped in the other order.
        let skew = at - Utc::now();
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("hall.db");
        let mut store = Store::open(&path).expect("the store opens");
        store.set_outlet_code(outlet).expect("outlet code");
        hall::demo::populate(&mut store, &Actor { user_id: None, at }, 0, 1, |_| {}).expect("users");
        let code = hq.code(outlet, counter);
        hall::sync::enrol::enrol(&mut store, &hq.proxy.url, &code, Some(&hq.proxy.ca_pem), at).expect("enrolled");
        let mut station = Station::new(name, dir, store, outlet, at, skew);
        station.sync().expect("the first round");
        station.login();
        station.open_desk();
        station
    }

    /// Opens an existing database file (a copy, a restore) as a workstation.
    pub fn open(name: &str, dir: tempfile::TempDir, outlet: &str, at: DateTime<Utc>) -> Station {
        let skew = at - Utc::now();
        let store = Store::open(&dir.path().join("hall.db")).expect("the store opens");
        let mut station = Station::new(name, dir, store, outlet, at, skew);
        station.login();
        station
    }

    fn new(name: &str, dir: tempfile::TempDir, store: Store, outlet: &str, at: DateTime<Utc>, skew: chrono::Duration) -> Station {
        let clock = Arc::new(FixedClock::new(at));
        let app = App::new(store, clock.clone());
        Station { name: name.to_owned(), dir, app, clock, outlet: outlet.to_owned(), token: String::new(), skew, accounts: 0, keys: 0 }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("hall.db")
    }

    pub fn workstation_id(&self) -> String {
        self.app.store().workstation().expect("workstation").workstation_id
    }

    pub fn epoch(&self) -> i64 {
        self.app.store().workstation().expect("workstation").epoch
    }

    pub fn login(&mut self) {
        let reply = self
            .app
            .call(None, Request::Login(LoginArgs { username: "clerk".into(), password: "clerk1234".into() }))
            .expect("the clerk signs in");
        self.token = reply["token"].as_str().expect("a token").to_owned();
    }

    pub fn call(&self, request: Request) -> hall::Result<serde_json::Value> {
        self.app.call(Some(&self.token), request)
    }

    fn open_desk(&self) {
        self.call(Request::OpenDesk(hall::api::OpenDeskArgs { float: Fen(0) })).expect("the desk opens");
    }

    /// Moves this workstation's clock on: to the real time plus its skew, and at least a
    /// millisecond (each business action takes a moment, and none shares an instant).
    pub fn tick(&self) {
        let next = (self.clock.now() + chrono::Duration::milliseconds(1)).max(Utc::now() + self.skew);
        self.clock.set(next);
    }

    /// Sets the skew (the clock follows at the next action).
    pub fn set_skew(&mut self, skew: chrono::Duration) {
        self.skew = skew;
        self.clock.set(Utc::now() + skew);
        // A session does not survive its clock jumping a day.
        self.login();
    }

    /// One sync round, as the background task runs it.
    pub fn sync(&self) -> Result<hall::sync::Round, hall::sync::SyncError> {
        self.tick();
        let mut store = self.app.store();
        hall::sync::run_round(&mut store, &*self.clock, |_| {})
    }

    /// A new customer of this outlet; its id.
    pub fn create_customer(&mut self, name: &str) -> String {
        self.accounts += 1;
        let account = format!("3{:03}{:06}", self.name.bytes().map(u32::from).sum::<u32>() % 1000, self.accounts);
        self.tick();
        let saved = self.call(Request::CreateCustomer(hall::demo::sample_customer(&account, name))).expect("customer created");
        saved["view"]["customer"]["id"].as_str().expect("an id").to_owned()
    }

    /// Edits a customer as a clerk would: the current version, one change.
    pub fn edit_customer(&self, id: &str, change: impl FnOnce(&mut hall::model::customer::CustomerDraft)) -> hall::Result<()> {
        self.tick();
        let current = hall::store::customers::get(self.app.store().conn(), id)?;
        let mut draft = current.record.clone();
        change(&mut draft);
        self.call(Request::UpdateCustomer(hall::api::UpdateCustomerArgs { id: id.to_owned(), version: current.version, draft }))?;
        Ok(())
    }

    /// A cash payment into the customer's account; the receipt number.
    pub fn pay(&mut self, customer_id: &str, fen: i64) -> String {
        self.keys += 1;
        self.tick();
        let payment = self
            .call(Request::PostPayment(PostPayment {
                customer_id: customer_id.to_owned(),
                amount: Fen(fen),
                tenders: vec![Tender { kind: TenderKind::Cash, amount: Fen(fen), reference: None }],
                idempotency_key: format!("{}-{}", self.name, self.keys),
                confirmed_large_cash: false,
            }))
            .unwrap_or_else(|e| panic!("{}: payment of {fen} fen refused: {e}", self.name));
        payment["receipt_no"].as_str().expect("a receipt").to_owned()
    }

    pub fn customer_ids(&self) -> Vec<String> {
        let store = self.app.store();
        let mut stmt = store.conn().prepare("SELECT id FROM customers ORDER BY id").expect("customers");
        stmt.query_map([], |r| r.get(0)).expect("customers").collect::<Result<_, _>>().expect("customers")
    }

    pub fn record(&self, id: &str) -> CustomerRecord {
        hall::store::customers::to_record(self.app.store().conn(), id).expect("a customer record")
    }

    pub fn scalar(&self, sql: &str) -> i64 {
        self.app.store().conn().query_row(sql, [], |r| r.get(0)).expect(sql)
    }

    /// The money this workstation took, in fen: its local ledger.
    pub fn ledger_fen(&self) -> i64 {
        self.scalar("SELECT coalesce(sum(amount_fen), 0) FROM payments")
    }

    /// Every outbox event: (epoch, seq) → (payload, acknowledged).
    pub fn outbox(&self) -> BTreeMap<(i64, i64), (String, bool)> {
        let store = self.app.store();
        let mut stmt = store.conn().prepare("SELECT epoch, seq, payload, acked_at IS NOT NULL FROM outbox").expect("outbox");
        stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
            .expect("outbox")
            .collect::<Result<_, _>>()
            .expect("outbox")
    }

    /// The pull cursor as stored.
    pub fn cursor(&self) -> String {
        hall::store::sync_state::cursor(self.app.store().conn()).expect("the cursor").to_string()
    }

    pub fn status(&self) -> SyncStatus {
        serde_json::from_value(self.call(Request::GetSyncStatus(NoArgs {})).expect("sync.status")).expect("a status")
    }

    /// Syncs until a round succeeds (at most `tries`), as the background task's retries would.
    pub fn sync_until_ok(&self, tries: usize) {
        let mut last = None;
        for _ in 0..tries {
            match self.sync() {
                Ok(_) => return,
                Err(e) => last = Some(e),
            }
        }
        panic!("{}: no round succeeded in {tries} tries: {last:?}", self.name);
    }
}

/// What the checker saw, for a scenario's own assertions and its printout.
#[derive(Debug, Default)]
pub struct Report {
    pub events: usize,
    pub money_fen: BTreeMap<String, i64>,
    pub customers: usize,
    pub quarantined: i64,
    pub late_money: i64,
    pub overwrites: i64,
    pub clamps: i64,
    pub kept_changes: i64,
    pub rejected_changes: i64,
}

/// The invariants after a scenario, over the workstations that still stand (a discarded clone is
/// not passed): every outbox event is at head office exactly once with the same content and
/// acknowledged here, and head office holds no event of them that is not in an outbox; each
/// outlet's money at head office is the sum of its workstations' ledgers; every replica of every
/// customer equals head office's; nothing was refused without a trace (a sync error or fence in
/// `sync.status`, quarantine rows, changes kept or refused locally are all counted, and the
/// caller says how many of each it expects through the report).
pub fn check(hq: &Hq, stations: &[&Station]) -> Report {
    let mut report = Report::default();
    let outlets: BTreeSet<String> = stations.iter().map(|s| s.outlet.clone()).collect();
    for station in stations {
        let status = station.status();
        assert!(status.error.is_none() && status.fenced.is_none(), "{}: sync reports a problem: {status:?}", station.name);
        assert_eq!(status.pending_events, 0, "{}: events still pending", station.name);
        let outbox = station.outbox();
        let unacked: Vec<_> = outbox.iter().filter(|(_, (_, acked))| !acked).map(|(k, _)| *k).collect();
        assert!(unacked.is_empty(), "{}: not acknowledged: {unacked:?}", station.name);
        let held = hq.events_of(&station.outlet, &station.workstation_id());
        let local: BTreeMap<(i64, i64), String> = outbox.into_iter().map(|(k, (payload, _))| (k, payload)).collect();
        let missing: Vec<_> = local.keys().filter(|k| !held.contains_key(k)).collect();
        let extra: Vec<_> = held.keys().filter(|k| !local.contains_key(k)).collect();
        let differing: Vec<_> = local.iter().filter(|(k, p)| held.get(k).is_some_and(|h| h != *p)).map(|(k, _)| k).collect();
        assert!(
            missing.is_empty() && extra.is_empty() && differing.is_empty(),
            "{}: head office's events differ: missing {missing:?}, extra {extra:?}, other content {differing:?}",
            station.name
        );
        report.events += local.len();
        report.kept_changes += station.scalar("SELECT count(*) FROM sync_kept_changes");
        report.rejected_changes += station.scalar("SELECT count(*) FROM outbox WHERE kind = 'sync.rejected'");
    }
    for outlet in &outlets {
        let here: Vec<&&Station> = stations.iter().filter(|s| &s.outlet == outlet).collect();
        let local: i64 = here.iter().map(|s| s.ledger_fen()).sum();
        let at_hq = hq.count("SELECT coalesce(sum(amount_fen), 0)::bigint FROM ledger WHERE outlet_code = $1", outlet);
        assert_eq!(at_hq, local, "outlet {outlet}: head office's ledger against the workstations' (fen)");
        report.money_fen.insert(outlet.clone(), at_hq);
        let customers = hq.customers(outlet);
        for station in &here {
            let ids: BTreeSet<String> = station.customer_ids().into_iter().collect();
            let held: BTreeSet<String> = customers.keys().cloned().collect();
            assert_eq!(ids, held, "{}: its customers against head office's", station.name);
            for (id, record) in &customers {
                assert_eq!(&station.record(id), record, "{}: customer {id} differs from head office's", station.name);
            }
        }
        report.customers += customers.len();
        report.quarantined += hq.count("SELECT count(*) FROM quarantine WHERE outlet_code = $1", outlet);
        report.late_money += hq.count("SELECT count(*) FROM late_money WHERE outlet_code = $1", outlet);
        report.overwrites += hq.count("SELECT count(*) FROM customer_overwrites WHERE outlet_code = $1", outlet);
        report.clamps += hq.count("SELECT count(*) FROM customer_clamps WHERE outlet_code = $1", outlet);
    }
    report
}
