//! Whole-life sync scenarios against a real head office: a cloned workstation and a restore, three
//! workstations editing one customer offline, skewed clocks, a month offline, and head office
//! restarted mid-batch. Each ends with the shared checker.

mod support;

use std::process::Command;
use std::time::Duration;

use hall::api::{CustomerRef, Request};
use support::harness::{Hq, Station, check, now};

#[test]
fn a_cloned_workstation_is_fenced_its_fork_quarantined_and_a_restore_starts_a_new_epoch() {
    let hq = Hq::start();
    hq.outlet("330106");
    let mut a = Station::enrol(&hq, "a", "330106", 1, now());
    let id = a.create_customer("张三");
    a.pay(&id, 1000);
    a.sync().expect("a syncs");
    // The clone: a's database file copied, as a disk image would be.
    a.app.store().conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let clone_dir = tempfile::tempdir().unwrap();
    std::fs::copy(a.path(), clone_dir.path().join("hall.db")).unwrap();
    let mut clone = Station::open("clone", clone_dir, "330106", now());
    assert_eq!(clone.workstation_id(), a.workstation_id());
    a.pay(&id, 2000);
    a.pay(&id, 3000);
    clone.pay(&id, 7000);
    clone.pay(&id, 8000);
    clone.pay(&id, 9000);
    a.sync().expect("the first to arrive is accepted");
    let e = clone.sync().expect_err("the clone is refused");
    assert!(e.is_fenced(), "{e:?}");
    assert!(clone.status().fenced.is_some(), "the clone says plainly that it is fenced");
    let ws = a.workstation_id();
    let quarantined = hq.rows("SELECT reason FROM quarantine WHERE outlet_code = $1 ORDER BY seq", "330106");
    assert_eq!(quarantined, vec![vec!["clone_suspected".to_owned()]; 2], "the clone's two differing events are quarantined");
    assert_eq!(clone.status().pending_events, 3, "nothing of the clone acknowledged");
    // The fence is on the workstation id: the original is held too until an operator acts.
    a.pay(&id, 400);
    assert!(a.sync().expect_err("a is held by the fence").is_fenced());
    hq.unfence("330106", &ws);
    drop(clone);
    a.sync().expect("a syncs after the operator lifted the fence");
    let report = check(&hq, &[&a]);
    assert_eq!(report.quarantined, 2);
    assert_eq!(report.money_fen["330106"], 6400, "none of the clone's money counted, none of a's lost");

    // `hall restore` of a's backup onto a's database: a new epoch, above what head office knows.
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("backup.db");
    a.app.store().backup_to(&backup).unwrap();
    let restored_dir = tempfile::tempdir().unwrap();
    a.app.store().conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    std::fs::copy(a.path(), restored_dir.path().join("hall.db")).unwrap();
    let epoch = a.epoch();
    drop(a);
    let output = Command::new(env!("CARGO_BIN_EXE_hall"))
        .arg("--db")
        .arg(restored_dir.path().join("hall.db"))
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut restored = Station::open("restored", restored_dir, "330106", now());
    assert!(restored.epoch() > epoch, "a new epoch");
    restored.call(Request::OpenDesk(hall::api::OpenDeskArgs { float: hall::model::money::Fen(0) })).ok();
    restored.pay(&id, 500);
    restored.sync().expect("the restored workstation's new epoch is accepted");
    let report = check(&hq, &[&restored]);
    assert_eq!(report.money_fen["330106"], 6900);
    assert_eq!(hq.count("SELECT count(*) FROM workstations WHERE outlet_code = $1 AND fenced IS NOT NULL", "330106"), 0);
}

fn history(station: &Station, id: &str) -> String {
    station.call(Request::CustomerHistory(CustomerRef { id: id.to_owned() })).unwrap().to_string()
}

#[test]
fn three_workstations_editing_one_customer_offline_converge_in_any_order() {
    let hq = Hq::start();
    hq.outlet("330106");
    let mut stations: Vec<Station> =
        ["a", "b", "c"].iter().enumerate().map(|(i, n)| Station::enrol(&hq, n, "330106", i as i64 + 1, now())).collect();
    for order in [[2usize, 0, 1], [1, 2, 0], [0, 1, 2]] {
        let id = stations[0].create_customer("王五");
        for s in &stations {
            s.sync().unwrap();
        }
        // Offline, one after the other in time: a's note, b's note and phone, c's address.
        stations[0].edit_customer(&id, |d| d.notes = "甲的备注".into()).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        stations[1]
            .edit_customer(&id, |d| {
                d.notes = "乙的备注".into();
                d.phones = vec!["13900000002".into()];
            })
            .unwrap();
        std::thread::sleep(Duration::from_millis(5));
        stations[2].edit_customer(&id, |d| d.address = "浙江省杭州市西湖区文三路8号".into()).unwrap();
        for _ in 0..2 {
            for &i in &order {
                stations[i].sync().unwrap();
            }
        }
        let merged = &hq.customers("330106")[&id];
        assert_eq!(merged.fields["notes"].value, serde_json::json!("乙的备注"), "order {order:?}: the later note wins");
        assert_eq!(merged.fields["phones"].value, serde_json::json!(["13900000002"]));
        assert_eq!(merged.fields["address"].value, serde_json::json!("浙江省杭州市西湖区文三路8号"));
        let overwritten = hq.count(
            "SELECT count(*) FROM customer_overwrites WHERE outlet_code = $1 AND overwritten_value = '\"甲的备注\"'::jsonb",
            "330106",
        );
        assert!(overwritten >= 1, "order {order:?}: a's lost note is kept at head office");
        assert!(history(&stations[0], &id).contains("甲的备注"), "a's customer history shows its overwritten note");
        let all: Vec<&Station> = stations.iter().collect();
        check(&hq, &all);
    }
    // All three customers the same on every replica (the checker compared each with head office).
    let ids = stations[0].customer_ids();
    for s in &stations {
        for id in &ids {
            assert_eq!(s.record(id), stations[0].record(id));
        }
    }
}

#[test]
fn clocks_a_day_off_keep_the_order_and_far_future_stamps_are_clamped_and_flagged() {
    let hq = Hq::start();
    hq.outlet("330106");
    let mut n = Station::enrol(&hq, "n", "330106", 1, now());
    let mut fast = Station::enrol(&hq, "fast", "330106", 2, now() + chrono::Duration::days(1));
    let mut slow = Station::enrol(&hq, "slow", "330106", 3, now() - chrono::Duration::days(1));
    let id = n.create_customer("赵六");
    n.pay(&id, 100);
    for s in [&n, &fast, &slow] {
        s.sync().unwrap();
    }
    fast.edit_customer(&id, |d| d.notes = "快钟".into()).unwrap();
    fast.pay(&id, 200);
    fast.sync().unwrap();
    assert!(hq.count("SELECT count(*) FROM customer_clamps WHERE outlet_code = $1", "330106") >= 1, "the future stamp is flagged");
    // The slow workstation sees the fast one's edit, then edits after it: its edit is the later.
    slow.sync().unwrap();
    slow.edit_customer(&id, |d| d.notes = "慢钟".into()).unwrap();
    slow.pay(&id, 300);
    for _ in 0..2 {
        for s in [&slow, &fast, &n] {
            s.sync().unwrap();
        }
    }
    let report = check(&hq, &[&n, &fast, &slow]);
    assert!(report.clamps >= 1);
    assert_eq!(report.money_fen["330106"], 600);
    assert_eq!(hq.customers("330106")[&id].fields["notes"].value, serde_json::json!("慢钟"), "the causally last edit wins");
}

#[test]
fn a_workstation_offline_for_thirty_days_with_ten_thousand_events_syncs_at_once() {
    let hq = Hq::start();
    hq.outlet("330106");
    let start = now() - chrono::Duration::days(30);
    let mut a = Station::enrol(&hq, "a", "330106", 1, start);
    let b = Station::enrol(&hq, "b", "330106", 2, now());
    let began = std::time::Instant::now();
    let mut customers = Vec::new();
    // Day one: the desk open, customers and their payments.
    for i in 0..400 {
        customers.push(a.create_customer(&format!("客户{i}")));
    }
    for i in 0..3_600 {
        a.pay(&customers[i % customers.len()].clone(), 100 + i as i64);
    }
    // The next 29 days: the customers' details change, day after day.
    for day in 1..30 {
        a.set_skew(chrono::Duration::days(day - 30));
        a.login();
        for k in 0..207 {
            let id = &customers[(day as usize * 207 + k) % customers.len()];
            a.edit_customer(id, |d| d.notes = format!("第{day}天")).unwrap();
        }
    }
    let events = a.scalar("SELECT count(*) FROM outbox WHERE acked_at IS NULL");
    println!("{events} events written in {:.1} s", began.elapsed().as_secs_f64());
    assert!(events >= 10_000, "{events}");
    a.set_skew(chrono::Duration::zero());
    let synced = std::time::Instant::now();
    let round = a.sync().expect("one sync");
    println!("pushed {} events in {:.1} s", round.pushed.acked, synced.elapsed().as_secs_f64());
    assert_eq!(round.pushed.acked as i64, events);
    b.sync().unwrap();
    a.sync().unwrap();
    let report = check(&hq, &[&a, &b]);
    assert_eq!(report.customers, 400);
}

#[test]
fn head_office_restarted_mid_batch_loses_and_doubles_nothing() {
    let mut hq = Hq::start();
    hq.outlet("330106");
    let mut a = Station::enrol(&hq, "a", "330106", 1, now());
    let b = Station::enrol(&hq, "b", "330106", 2, now());
    let id = a.create_customer("钱七");
    for i in 0..6_000 {
        a.pay(&id, 1 + i);
    }
    let before = hq.proxy.forwarded();
    std::thread::scope(|scope| {
        let pushing = scope.spawn(|| a.sync());
        // As soon as the first batch is on its way, head office goes down.
        while hq.proxy.forwarded() == before {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(30));
        hq.stop();
        assert!(pushing.join().unwrap().is_err(), "the round cannot finish without head office");
    });
    let stored = hq.count("SELECT count(*) FROM events WHERE outlet_code = $1", "330106");
    println!("{stored} events stored when head office went down");
    assert!(a.status().pending_events > 0);
    hq.start_again();
    a.sync_until_ok(3);
    b.sync().unwrap();
    check(&hq, &[&a, &b]);
}
