//! `hall bench sync`: sync against a real head office (`hall-hq sandbox`: a throwaway PostgreSQL
//! and the server on loopback HTTPS), with real workstation stores:
//! - `push_100k_s`: one workstation's 100,000 pending events pushed (goal < 10 s);
//! - `ingest_events_per_s` from 20 workstations pushing at once, and `ingest_ratio_vs_copy` against
//!   PostgreSQL `COPY` of the same rows into the same table (`hall-hq bench copy`; goals ≥ 20,000/s
//!   and ≥ 0.3×);
//! - `snapshot_s`: a new workstation's initial snapshot of 100,000 customers and 1.2M bills
//!   (pushed by another workstation of the outlet; the bills seeded by `hall-hq bench seed-bills`;
//!   goal < 60 s);
//! - `payment_during_sync_ratio`: a payment's posting time (mean) on that workstation while its
//!   snapshot runs, against after it, both at one payment every 10 ms (goal ≤ 1.2×); head office
//!   runs at a lower CPU priority for this part (in the field it is another machine).
//!
//! The hall binary does not link head office: it runs the `hall-hq` binary built beside it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hall::billing::late_fee::LateFeeBook;
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::store::payments::{PostPayment, post};
use hall::store::{Actor, Store, outbox, users};

use crate::bench::machine;
use crate::bench_money::{clerk_actor, customer_ids, desk_for_today};

pub struct SyncBench {
    pub snapshot_only: bool,
    pub events: usize,
    pub workstations: usize,
    pub per_workstation: usize,
    pub customers: u64,
    pub bills_per_customer: u64,
    pub payments: usize,
    pub hq: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

/// The running sandbox: killed (and its cluster removed) when dropped.
struct Sandbox {
    child: Child,
    hq: PathBuf,
    url: String,
    ca_pem: String,
    database_url: String,
}

impl Sandbox {
    /// Starts `hall-hq sandbox`; with `nice`, it and its PostgreSQL run at that lower CPU priority.
    fn start(hq: &Path, dir: &Path, nice: Option<u8>) -> anyhow::Result<Sandbox> {
        let mut command = match nice {
            Some(n) => {
                let mut command = Command::new("nice");
                command.arg("-n").arg(n.to_string()).arg(hq);
                command
            }
            None => Command::new(hq),
        };
        let mut child = command
            .args(["sandbox", "--dir"])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", hq.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("sandbox stdout")?).read_line(&mut line)?;
        let ready: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("sandbox said: {line:?}"))?;
        let field = |name: &str| ready[name].as_str().map(str::to_owned).with_context(|| format!("sandbox: no {name} in {line}"));
        let ca_pem = std::fs::read_to_string(field("ca_pem_path")?)?;
        Ok(Sandbox { child, hq: hq.to_owned(), url: field("url")?, ca_pem, database_url: field("database_url")? })
    }

    /// Runs `hall-hq ARGS` on the sandbox's database; its standard output.
    fn hq(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.hq).args(args).env("HALL_HQ_DATABASE_URL", &self.database_url).output()?;
        if !output.status.success() {
            bail!("hall-hq {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8(output.stdout)?)
    }

    /// A one-time enrolment code for a new counter of `outlet`.
    fn code(&self, outlet: &str, counter: usize) -> anyhow::Result<String> {
        let out = self.hq(&["workstation", "add", "--outlet", outlet, "--counter", &counter.to_string()])?;
        out.lines().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()).context("workstation add printed no code")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Closing stdin asks the sandbox to stop and clean up; wait for it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A fresh workstation enrolled at `outlet`, with the demo users and `customers` demo customers
/// (re-coded to the outlet it enrolled at), its desk open for the demo clerk.
fn workstation(sandbox: &Sandbox, dir: &Path, name: &str, outlet: &str, counter: usize, customers: u64) -> anyhow::Result<Store> {
    let mut store = Store::open(&dir.join(format!("{name}.db")))?;
    hall::sync::enrol::enrol(&mut store, &sandbox.url, &sandbox.code(outlet, counter)?, Some(&sandbox.ca_pem), chrono::Utc::now())?;
    let actor = Actor { user_id: None, at: chrono::Utc::now() };
    hall::demo::populate(&mut store, &actor, customers, counter as u64, |_| {})?;
    hall::demo::populate_history(&mut store, chrono::Utc::now(), customers.min(200), counter as u64)?;
    store.set_outlet_code(outlet)?;
    let clerk = clerk_actor(&store)?;
    desk_for_today(&mut store, &clerk)?;
    Ok(store)
}

/// Posts `count` cash payments spread over the store's customers; each one's posting time.
fn post_payments(store: &mut Store, count: usize, tag: &str) -> anyhow::Result<Vec<Duration>> {
    let actor = counter_actor(store)?;
    let customers = customer_ids(store, 2000)?;
    let book = LateFeeBook::defaults();
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let amount = Fen(1_000 + (i as i64 * 37) % 50_000);
        let request = PostPayment {
            customer_id: customers[i % customers.len()].clone(),
            amount,
            tenders: vec![Tender { kind: TenderKind::Cash, amount, reference: None }],
            idempotency_key: format!("{tag}-{i}"),
            confirmed_large_cash: false,
        };
        let started = Instant::now();
        store.write(|tx| post(tx, &Actor { at: chrono::Utc::now(), ..actor.clone() }, book, &request))?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// The pause between payments posted during the snapshot and after it.
const PAYMENT_PACE: Duration = Duration::from_millis(10);

/// The snapshot workstation's own clerk: a name head office's users cannot take.
const BENCH_CLERK: &str = "bench-clerk";

/// The clerk who posts: the bench's own where it exists, else the demo clerk.
fn counter_actor(store: &Store) -> anyhow::Result<Actor> {
    match users::find(store.conn(), BENCH_CLERK)? {
        Some(found) => Ok(Actor { user_id: Some(found.user.id), at: chrono::Utc::now() }),
        None => clerk_actor(store),
    }
}

/// Makes `count` events pending quickly: payments posted with the durability of a benchmark's
/// setup (synchronous=OFF), which only changes the setup's speed, not what is pushed.
fn pending_payments(store: &mut Store, count: usize, tag: &str) -> anyhow::Result<()> {
    store.conn().pragma_update(None, "synchronous", "OFF")?;
    let outcome = post_payments(store, count, tag).map(|_| ());
    store.conn().pragma_update(None, "synchronous", "FULL")?;
    outcome
}

fn push_everything(path: &Path) -> anyhow::Result<u64> {
    let mut store = Store::open(path)?;
    let round =
        hall::sync::round::run_round(&mut store, &hall::clock::SystemClock, |_| {}).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let left: Vec<(String, i64)> = store
        .conn()
        .prepare("SELECT kind, count(*) FROM outbox WHERE acked_at IS NULL GROUP BY kind")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if !left.is_empty() {
        bail!("{}: events left unacknowledged after the push: {left:?} (round: {round:?})", path.display());
    }
    Ok(round.pushed.acked)
}

fn quantile_ms(times: &[Duration], q: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
}

fn mean_ms(times: &[Duration]) -> f64 {
    times.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / times.len().max(1) as f64
}

pub fn sync(bench: SyncBench) -> anyhow::Result<()> {
    let hq = match &bench.hq {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("hall-hq"),
    };
    let parent = bench.dir.clone().unwrap_or_else(std::env::temp_dir);
    let temp = tempfile::tempdir_in(&parent)?;
    println!("machine: {}", machine());
    // Each sandbox's cluster is made in `parent`, beside the workstations' directory (not inside
    // it: PostgreSQL's own user could not enter that private directory when the bench runs as root).
    if !bench.snapshot_only {
        push_and_ingest(&bench, &hq, &parent, temp.path())?;
    }
    // A new workstation's snapshot, and the counter's payments during it. Head office gets a
    // sandbox of its own at a lower CPU priority: in the field it runs on another machine, and here
    // its server and PostgreSQL would otherwise take the counter's share of the two cores.
    let sandbox = Sandbox::start(&hq, &parent, Some(10))?;
    let seeded = "S001".to_owned();
    sandbox.hq(&["outlet", "add", &seeded, "基准快照网点", "--areas", "S001"])?;
    // Head office learns the outlet's customers as an outlet's workstation pushes them (imported
    // demo customers), then the billing centre's bills for them are seeded in SQL.
    let source = workstation(&sandbox, temp.path(), "source", &seeded, 9, bench.customers)?;
    drop(source);
    push_everything(&temp.path().join("source.db"))?;
    let seed = sandbox.hq(&["bench", "seed-bills", "--outlet", &seeded, "--per-customer", &bench.bills_per_customer.to_string()])?;
    print!("{seed}");
    let snapshot_path = temp.path().join("snapshot.db");
    let mut store = Store::open(&snapshot_path)?;
    hall::sync::enrol::enrol(&mut store, &sandbox.url, &sandbox.code(&seeded, 1)?, Some(&sandbox.ca_pem), chrono::Utc::now())?;
    // A clerk of its own: the snapshot brings head office's users, none of which the bench knows.
    store.write(|tx| {
        users::create(
            tx,
            &Actor { user_id: None, at: chrono::Utc::now() },
            "clerk",
            "基准营业员",
            hall::model::user::Role::Clerk,
            "bench-pass-1",
            users::PasswordKind::Chosen,
        )
    })?;
    drop(store);
    let bills_started = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let (snapshot_s, during) = std::thread::scope(|scope| -> anyhow::Result<(f64, Vec<Duration>)> {
        let flag = bills_started.clone();
        let path = snapshot_path.clone();
        let snapshot = scope.spawn(move || -> anyhow::Result<f64> {
            let mut store = Store::open(&path)?;
            // Each table's time: when its first page is in, the previous table is done.
            let mut table = (String::new(), Instant::now());
            hall::sync::round::run_round(&mut store, &hall::clock::SystemClock, |p| {
                if p.phase == "snapshot" && p.detail != table.0 {
                    if !table.0.is_empty() {
                        println!("snapshot_{}_s: {:.1}", table.0, table.1.elapsed().as_secs_f64());
                    }
                    table = (p.detail.clone(), Instant::now());
                }
                if p.phase == "snapshot" && p.detail == "bills" {
                    flag.store(true, Ordering::Relaxed);
                }
            })
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            println!("snapshot_{}_s: {:.1}", table.0, table.1.elapsed().as_secs_f64());
            flag.store(true, Ordering::Relaxed);
            Ok(started.elapsed().as_secs_f64())
        });
        // The counter works while the bills arrive: customers are in by then.
        while !bills_started.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut counter = Store::open(&snapshot_path)?;
        let clerk = counter_actor(&counter)?;
        desk_for_today(&mut counter, &clerk)?;
        let mut during = Vec::new();
        while !snapshot.is_finished() && during.len() < bench.payments {
            during.extend(post_payments(&mut counter, 1, &format!("during-{}", during.len()))?);
            std::thread::sleep(PAYMENT_PACE);
        }
        Ok((snapshot.join().expect("the snapshot thread panicked")?, during))
    })?;
    println!("snapshot_s: {snapshot_s:.1}");
    let mut counter = Store::open(&snapshot_path)?;
    // At the same pace as during the snapshot: back to back, a payment finds caches warmer and the
    // processor awake, and the comparison would flatter the quiet machine.
    let mut after = Vec::new();
    while after.len() < during.len().max(50) {
        after.extend(post_payments(&mut counter, 1, &format!("after-{}", after.len()))?);
        std::thread::sleep(PAYMENT_PACE);
    }
    println!("payments_during_sync: {}", during.len());
    println!("payment_during_ms: {:.2}", mean_ms(&during));
    println!("payment_during_p50_ms: {:.2}", quantile_ms(&during, 0.5));
    println!("payment_during_p99_ms: {:.2}", quantile_ms(&during, 0.99));
    println!("payment_after_p50_ms: {:.2}", quantile_ms(&after, 0.5));
    println!("payment_after_ms: {:.2}", mean_ms(&after));
    println!("payment_during_sync_ratio: {:.2}", mean_ms(&during) / mean_ms(&after));
    println!("payment_during_sync_p50_ratio: {:.2}", quantile_ms(&during, 0.5) / quantile_ms(&after, 0.5));
    Ok(())
}

/// One workstation's push of `bench.events`, then `bench.workstations` pushing at once against COPY.
fn push_and_ingest(bench: &SyncBench, hq: &Path, parent: &Path, temp: &Path) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(hq, parent, None)?;
    let outlets = (bench.workstations / 4).max(1);
    for o in 0..=outlets {
        sandbox.hq(&["outlet", "add", &format!("B{o:03}"), &format!("基准网点{o}"), "--areas", &format!("A{o:03}")])?;
    }

    // One workstation's 100,000 events.
    let mut one = workstation(&sandbox, temp, "one", "B000", 1, 2_000)?;
    let already = outbox::pending(one.conn())? as usize;
    pending_payments(&mut one, bench.events.saturating_sub(already), "one")?;
    let pending = outbox::pending(one.conn())?;
    drop(one);
    let started = Instant::now();
    let acked = push_everything(&temp.join("one.db"))?;
    let push_s = started.elapsed().as_secs_f64();
    println!("push_events: {acked}");
    println!("push_100k_s: {:.2}", push_s * 100_000.0 / pending as f64);

    // Twenty workstations at once.
    let mut paths = Vec::new();
    for w in 0..bench.workstations {
        // An outlet's first workstation brings its customers; the others get them by snapshot,
        // as the counters of one outlet share one customer base.
        let outlet = format!("B{:03}", 1 + w % outlets);
        let name = format!("ws{w}");
        let first = w < outlets;
        drop(workstation(&sandbox, temp, &name, &outlet, 2 + w / outlets, if first { 500 } else { 0 })?);
        let path = temp.join(format!("{name}.db"));
        push_everything(&path)?;
        let mut store = Store::open(&path)?;
        pending_payments(&mut store, bench.per_workstation, &name)?;
        paths.push(path);
    }
    let started = Instant::now();
    let pushed: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths.iter().map(|path| scope.spawn(move || push_everything(path))).collect();
        handles.into_iter().map(|h| h.join().expect("a push thread panicked")).collect::<anyhow::Result<_>>()
    })?;
    let ingest_s = started.elapsed().as_secs_f64();
    let ingested: u64 = pushed.iter().sum();
    let ingest_rate = ingested as f64 / ingest_s;
    println!("ingest_events: {ingested}");
    println!("ingest_events_per_s: {ingest_rate:.0}");
    let copy = sandbox.hq(&["bench", "copy"])?;
    print!("{copy}");
    let copy_rate: f64 = copy
        .lines()
        .find_map(|l| l.strip_prefix("copy_events_per_s:"))
        .context("hall-hq bench copy printed no copy_events_per_s")?
        .trim()
        .parse()?;
    println!("ingest_ratio_vs_copy: {:.2}", ingest_rate / copy_rate);

    Ok(())
}
