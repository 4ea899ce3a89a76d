//! Sync through a faulty link: real head office (PostgreSQL, HTTPS), real workstations (SQLite,
//! the command set), the fault proxy between them. Random faults over many rounds, then each
//! fault scripted once with its own assertion; every scenario ends with the shared checker.

mod support;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::fault_proxy::{Fault, Plan};
use support::harness::{Hq, Station, check, now};

/// The seed of a random scenario: `SCENARIO_SEED` to reproduce one, otherwise a new one (printed).
fn seed() -> u64 {
    let seed = std::env::var("SCENARIO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("SCENARIO_SEED={seed}");
    seed
}

/// One random business action at a workstation: a new customer, an edit of any customer it holds,
/// or a payment.
fn act(station: &mut Station, rng: &mut StdRng, step: usize) {
    let customers = station.customer_ids();
    match rng.gen_range(0..10) {
        0..=1 => {
            station.create_customer(&format!("客户{step}"));
        }
        2..=4 if !customers.is_empty() => {
            let id = &customers[rng.gen_range(0..customers.len())];
            let note = format!("{} 第{step}步", station.name);
            let phone = format!("139{:08}", rng.gen_range(0..100_000_000u32));
            let edit_phone = rng.gen_bool(0.5);
            // An edit may meet a version just changed by a pull: that refusal is the clerk's to retry.
            let _ = station.edit_customer(id, |d| {
                if edit_phone {
                    d.phones = vec![phone];
                } else {
                    d.notes = note;
                }
            });
        }
        _ if !customers.is_empty() => {
            let id = customers[rng.gen_range(0..customers.len())].clone();
            station.pay(&id, rng.gen_range(1..50_000));
        }
        _ => {
            station.create_customer(&format!("客户{step}"));
        }
    }
}

/// Pushes and pulls until every workstation has everyone's changes: each syncs once to push, then
/// once more to pull what the others pushed.
fn settle(stations: &[&Station]) {
    for _ in 0..2 {
        for station in stations {
            station.sync_until_ok(3);
        }
    }
}

#[test]
fn random_faults_over_many_rounds_lose_and_duplicate_nothing() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let hq = Hq::start();
    hq.outlet("330106");
    hq.outlet("330107");
    let start = now();
    let mut stations = [
        Station::enrol(&hq, "a1", "330106", 1, start),
        Station::enrol(&hq, "a2", "330106", 2, start),
        Station::enrol(&hq, "b1", "330107", 1, start),
    ];
    hq.set_plan(Plan::random(seed, 35));
    let (mut ok, mut failed) = (0, 0);
    for round in 0..25 {
        for station in stations.iter_mut() {
            for step in 0..rng.gen_range(1..5) {
                act(station, &mut rng, round * 10 + step);
            }
        }
        let order = rng.gen_range(0..stations.len());
        for i in 0..stations.len() {
            match stations[(i + order) % stations.len()].sync() {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert!(!e.is_fenced(), "an honest workstation was fenced under faults: {e:?}");
                    failed += 1
                }
            }
        }
    }
    let faults = hq.proxy.applied().iter().filter(|(_, f)| *f != Fault::Pass).count();
    println!("rounds: {ok} succeeded, {failed} failed; {faults} faults applied");
    assert!(failed > 0 && faults > 10, "the faults were felt");
    hq.set_plan(Plan::clean());
    let all: Vec<&Station> = stations.iter().collect();
    settle(&all);
    let report = check(&hq, &all);
    println!("{report:?}");
    assert!(report.events > 50 && report.customers > 5);
    assert_eq!((report.quarantined, report.late_money, report.kept_changes, report.rejected_changes), (0, 0, 0, 0));
}

/// Two workstations of one outlet with a customer each knows, for the scripted faults.
fn pair(hq: &Hq) -> (Station, Station, String) {
    hq.outlet("330106");
    let mut a = Station::enrol(hq, "a", "330106", 1, now());
    let b = Station::enrol(hq, "b", "330106", 2, now());
    let id = a.create_customer("张三");
    a.sync().expect("a pushes");
    b.sync().expect("b pulls");
    (a, b, id)
}

fn events_at_hq(hq: &Hq) -> i64 {
    hq.count("SELECT count(*) FROM events WHERE outlet_code = $1", "330106")
}

#[test]
fn an_acknowledgement_lost_after_commit_is_resent_and_stored_once() {
    let hq = Hq::start();
    let (mut a, b, id) = pair(&hq);
    a.pay(&id, 1234);
    a.pay(&id, 5678);
    let before = events_at_hq(&hq);
    // The push is committed at head office; its answer never arrives.
    hq.set_plan(Plan::clean().then(&[Fault::LoseResponse]));
    assert!(a.sync().is_err(), "the round fails without the answer");
    assert_eq!(events_at_hq(&hq), before + 2, "head office committed the batch");
    assert_eq!(a.status().pending_events, 2, "nothing acknowledged without an answer");
    assert!(a.status().error.is_some(), "the failure is shown");
    let round = a.sync().expect("the retry");
    assert_eq!((round.pushed.sent, round.pushed.acked, round.pushed.duplicates), (2, 2, 2));
    assert_eq!(events_at_hq(&hq), before + 2, "stored once");
    b.sync().unwrap();
    check(&hq, &[&a, &b]);
}

#[test]
fn a_response_cut_in_the_middle_is_read_as_no_answer() {
    let hq = Hq::start();
    let (mut a, b, id) = pair(&hq);
    a.edit_customer(&id, |d| d.notes = "改过".into()).unwrap();
    a.pay(&id, 999);
    // The push's answer is cut halfway; then the pull's.
    hq.set_plan(Plan::clean().then(&[Fault::CutResponse]));
    assert!(a.sync().is_err());
    assert_eq!(a.status().pending_events, 2);
    a.sync().expect("the retry");
    // b has nothing to push: its first request is the pull, whose page is cut.
    hq.set_plan(Plan::clean().then(&[Fault::CutResponse]));
    let cursor_before = b.cursor();
    let history_before = b.scalar("SELECT count(*) FROM customer_history");
    assert!(b.sync().is_err(), "b's pull page is cut");
    assert_eq!(b.cursor(), cursor_before, "a cut page moves no cursor");
    assert_eq!(b.scalar("SELECT count(*) FROM customer_history"), history_before, "a cut page applied nothing");
    b.sync().expect("the retry");
    assert_eq!(b.record(&id), a.record(&id));
    check(&hq, &[&a, &b]);
}

#[test]
fn a_duplicated_push_is_stored_once_and_acknowledged() {
    let hq = Hq::start();
    let (mut a, b, id) = pair(&hq);
    for fen in [100, 200, 300] {
        a.pay(&id, fen);
    }
    let before = events_at_hq(&hq);
    let ledger_before = hq.count("SELECT count(*) FROM ledger WHERE outlet_code = $1", "330106");
    hq.set_plan(Plan::clean().then(&[Fault::Duplicate]));
    let round = a.sync().expect("the duplicate's answer is an acknowledgement");
    // The answer the workstation got is the second one's: everything a duplicate.
    assert_eq!((round.pushed.acked, round.pushed.duplicates), (3, 3));
    assert_eq!(events_at_hq(&hq), before + 3);
    assert_eq!(hq.count("SELECT count(*) FROM ledger WHERE outlet_code = $1", "330106"), ledger_before + 3, "money booked once");
    b.sync().unwrap();
    check(&hq, &[&a, &b]);
}

#[test]
fn an_earlier_batch_replayed_late_changes_nothing() {
    let hq = Hq::start();
    let (mut a, b, id) = pair(&hq);
    a.edit_customer(&id, |d| d.notes = "第一次".into()).unwrap();
    a.pay(&id, 500);
    a.sync().unwrap();
    a.edit_customer(&id, |d| d.notes = "第二次".into()).unwrap();
    a.pay(&id, 700);
    let before = events_at_hq(&hq);
    let customers_before = hq.count("SELECT count(*) FROM outlet_changes WHERE outlet_code = $1", "330106");
    // After the second push is forwarded, the oldest request the proxy saw (a's first batch, with
    // the earlier note) arrives again.
    hq.set_plan(Plan::clean().then(&[Fault::ReplayEarlier, Fault::ReplayEarlier, Fault::ReplayEarlier]));
    a.sync().expect("the round itself is unharmed");
    assert_eq!(events_at_hq(&hq), before + 2, "the replay stored nothing new");
    let notes = hq.customers("330106")[&id].fields["notes"].value.clone();
    assert_eq!(notes, serde_json::json!("第二次"), "the late replay did not bring the old note back");
    assert_eq!(
        hq.count("SELECT count(*) FROM outlet_changes WHERE outlet_code = $1", "330106"),
        customers_before + 1,
        "one customer change published, none for the replay"
    );
    b.sync().unwrap();
    check(&hq, &[&a, &b]);
}

#[test]
fn a_dropped_request_and_a_slow_one_are_retried_harmlessly() {
    let hq = Hq::start();
    let (mut a, b, id) = pair(&hq);
    a.pay(&id, 4321);
    let before = events_at_hq(&hq);
    hq.set_plan(Plan::clean().then(&[Fault::Drop]));
    assert!(a.sync().is_err());
    assert_eq!(events_at_hq(&hq), before, "a dropped request never reached head office");
    assert_eq!(a.status().pending_events, 1);
    hq.set_plan(Plan::clean().then(&[Fault::Delay(Duration::from_millis(800)), Fault::Delay(Duration::from_millis(800))]));
    let started = std::time::Instant::now();
    a.sync().expect("slow, but through");
    assert!(started.elapsed() >= Duration::from_millis(1600), "both requests were held");
    assert_eq!(events_at_hq(&hq), before + 1);
    b.sync().unwrap();
    check(&hq, &[&a, &b]);
}
