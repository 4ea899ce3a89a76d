//! `hall sync`, the real binary, killed with SIGKILL at random moments mid-sync (at least 50
//! times) against a real head office behind a slowed link, while the counter keeps taking money
//! and editing customers; then one clean sync, and the shared checker.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::fault_proxy::{Fault, Plan};
use support::harness::{Hq, Station, check, now};

const KILLS: usize = 50;

#[test]
fn hall_sync_killed_mid_sync_fifty_times_loses_and_duplicates_nothing() {
    let seed = std::env::var("SCENARIO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("SCENARIO_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let hq = Hq::start();
    hq.outlet("330106");
    let mut a = Station::enrol(&hq, "a", "330106", 1, now());
    let b = Station::enrol(&hq, "b", "330106", 2, now());
    let mut customers = vec![a.create_customer("张三"), a.create_customer("李四")];
    // Every request held 5–40 ms: a round spans a few of them, so a kill lands inside one.
    let delays: Vec<Fault> = (0..20_000).map(|_| Fault::Delay(Duration::from_millis(rng.gen_range(5..40)))).collect();
    hq.set_plan(Plan::clean().then(&delays));
    let started = Instant::now();
    // A kill counts when it lands mid-sync: after the child sent its first request.
    let (mut kills, mut early, mut finished, mut runs) = (0, 0, 0, 0);
    while kills < KILLS {
        runs += 1;
        assert!(runs < 400, "{kills} kills in {runs} runs: the kills do not land");
        for _ in 0..rng.gen_range(1..4) {
            match rng.gen_range(0..4) {
                0 => customers.push(a.create_customer(&format!("客户{runs}"))),
                1 => {
                    let id = &customers[rng.gen_range(0..customers.len())];
                    a.edit_customer(id, |d| d.notes = format!("第{runs}次")).expect("an edit");
                }
                _ => {
                    let id = customers[rng.gen_range(0..customers.len())].clone();
                    a.pay(&id, rng.gen_range(1..20_000));
                }
            }
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_hall"))
            .arg("--db")
            .arg(a.path())
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("hall sync starts");
        let forwarded = hq.proxy.forwarded();
        std::thread::sleep(Duration::from_millis(rng.gen_range(30..180)));
        if child.try_wait().expect("the child's state").is_some() {
            finished += 1;
            continue;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("the killed child is reaped");
        if hq.proxy.forwarded() > forwarded {
            kills += 1;
        } else {
            early += 1;
        }
    }
    println!(
        "{kills} kills mid-sync, {early} before the first request, {finished} rounds finished first, in {runs} runs, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    hq.set_plan(Plan::clean());
    for station in [&a, &b, &a, &b] {
        station.sync_until_ok(2);
    }
    let report = check(&hq, &[&a, &b]);
    println!("{report:?}");
    assert_eq!((report.quarantined, report.kept_changes, report.rejected_changes), (0, 0, 0));
    assert!(report.events > KILLS, "the counter kept working between the kills");
}
