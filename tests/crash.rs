//! The crash test: a child process posts payments and is killed with SIGKILL at random moments,
//! 200 times. Every payment it reported as committed must exist exactly once, the receipt numbers
//! must have no gaps, and every balance must reconcile with the payments.

use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

use hall::store::{Store, audit, receipts};
use rand::{Rng, SeedableRng};

const KILLS: u64 = 200;

#[test]
fn payments_survive_being_killed_at_any_moment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let hall = env!("CARGO_BIN_EXE_hall");
    let status = Command::new(hall)
        .arg("--db")
        .arg(&db)
        .args(["demo", "--customers", "60", "--history", "60"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut committed: HashMap<String, (String, i64)> = HashMap::new();
    for seed in 0..KILLS {
        let mut child = Command::new(hall)
            .arg("--db")
            .arg(&db)
            .args(["payment-loop", "--seed", &seed.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || std::io::BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..250)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let ["committed", key, receipt, amount] = parts[..] {
                committed.insert(key.to_owned(), (receipt.to_owned(), amount.parse().unwrap()));
            }
        }
    }
    assert!(committed.len() > 200, "the child should have committed payments between kills; got {}", committed.len());

    let store = Store::open(&db).unwrap();
    let conn = store.conn();
    // Every payment the child saw committed exists exactly once, as reported.
    for (key, (receipt, amount)) in &committed {
        let rows: Vec<(String, i64)> = conn
            .prepare("SELECT receipt_no, amount_fen FROM payments WHERE idempotency_key = ?1")
            .unwrap()
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, vec![(receipt.clone(), *amount)], "payment {key}");
    }
    // Receipt numbers: gap-free (each is unique by the schema).
    assert_eq!(receipts::gaps(conn).unwrap(), vec![]);
    // Each bill's paid amount is what payments and prepayment put on it.
    let unbalanced_bills: i64 = conn
        .query_row(
            "SELECT count(*) FROM bills b WHERE b.paid_fen !=
               coalesce((SELECT sum(principal_fen) FROM allocations a WHERE a.bill_pk = b.pk), 0)
             + coalesce((SELECT amount_fen FROM prepayment_uses u WHERE u.bill_pk = b.pk), 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unbalanced_bills, 0);
    // Each customer's money in equals what it settled, the late fees, and the prepayment held.
    let unbalanced_customers: i64 = conn
        .query_row(
            "SELECT count(*) FROM customers c WHERE
               coalesce((SELECT sum(amount_fen) FROM payments p WHERE p.customer_pk = c.pk AND p.status = 'posted'), 0)
             != coalesce((SELECT sum(a.principal_fen + a.late_fee_fen) FROM allocations a JOIN payments p ON p.pk = a.payment_pk
                          WHERE p.customer_pk = c.pk AND p.status = 'posted'), 0)
              + coalesce((SELECT prepaid_fen FROM balances b WHERE b.customer_pk = c.pk), 0)
              + coalesce((SELECT sum(u.amount_fen) FROM prepayment_uses u JOIN bills b ON b.pk = u.bill_pk WHERE b.customer_pk = c.pk), 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unbalanced_customers, 0);
    // The outbox has an event per payment with no gaps, and the audit chain is whole.
    let (events, first, last): (i64, i64, i64) =
        conn.query_row("SELECT count(*), min(seq), max(seq) FROM outbox", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(events, last - first + 1);
    assert_eq!(audit::verify(conn).unwrap().first_broken, None);
}
