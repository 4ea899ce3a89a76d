//! The crash harness, shared by tests/crash.rs (SIGKILL) and scripts/test-power-loss.sh (a power
//! cut on LazyFS). `hall payment-loop` posts payments, with a backup and a customer import among
//! them, and reports each after it returns; `hall crash-test` ends that child at random moments and
//! checks after every round that everything it reported survived and that the ledger adds up.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use hall::billing::late_fee::LateFeeBook;
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::store::payments::{PostPayment, post};
use hall::store::{Actor, Store, audit, receipts};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags};

use crate::bench_money::{clerk_actor, customer_ids, desk_for_today};

/// Of every `CYCLE` steps of the loop, one is a backup and one a customer import; the rest are
/// payments. Both come early, so that most rounds are ended during or after one.
const CYCLE: u64 = 16;
const BACKUP_STEP: u64 = 4;
const IMPORT_STEP: u64 = 9;

/// Where the loop writes its backups: next to the database, on the same file system.
fn backup_dir(db: &Path) -> PathBuf {
    db.with_extension("backups")
}

/// Posts payments until ended, reporting each step after it returned:
/// `committed KEY RECEIPT AMOUNT`, `backup PATH`, `imported ACCOUNT`. `unsynced` commits without
/// syncing, which a power cut must catch out.
pub fn payment_loop(db: &Path, seed: u64, unsynced: bool) -> anyhow::Result<()> {
    let mut store = Store::open(db)?;
    if unsynced {
        store.conn().pragma_update(None, "synchronous", "OFF")?;
    }
    let actor = clerk_actor(&store)?;
    desk_for_today(&mut store, &actor)?;
    let customers = customer_ids(&store, 50)?;
    std::fs::create_dir_all(backup_dir(db))?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let actor = Actor { at: chrono::Utc::now(), ..actor.clone() };
        match i % CYCLE {
            BACKUP_STEP => {
                let path = backup_dir(db).join(format!("{seed}-{i}.db"));
                store.backup_to(&path)?;
                writeln!(out, "backup {}", path.display())?;
            }
            IMPORT_STEP => {
                // Accounts 39SSSSNNNN: unique per seed and step, apart from the demo's 33….
                let account = format!("39{:04}{:04}", seed % 10_000, i / CYCLE % 10_000);
                let report = hall::transfer::import_customers(&mut store, &actor, customer_csv(&account)?.as_bytes(), None, |_| {})?;
                ensure!(report.imported == 1, "the import of {account} was refused: {:?}", report.rejected);
                writeln!(out, "imported {account}")?;
            }
            _ => {
                let customer_id = customers[rng.gen_range(0..customers.len())].clone();
                let amount = Fen(rng.gen_range(100..50_000));
                let key = format!("loop-{seed}-{i}");
                let request = PostPayment {
                    customer_id,
                    amount,
                    tenders: vec![Tender { kind: TenderKind::Cash, amount, reference: None }],
                    idempotency_key: key.clone(),
                    confirmed_large_cash: false,
                };
                let payment = store.write(|tx| post(tx, &actor, LateFeeBook::defaults(), &request))?;
                writeln!(out, "committed {key} {} {}", payment.receipt_no, amount.0)?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// A one-customer import file, as the legacy system exports it.
fn customer_csv(account: &str) -> anyhow::Result<String> {
    let draft = hall::demo::sample_customer(account, "导入测试");
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(hall::transfer::COLUMNS)?;
    w.write_record(hall::transfer::to_row(&draft))?;
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// How a round ends the child.
pub enum Ending {
    /// SIGKILL: the process dies, the kernel keeps what it wrote.
    Kill,
    /// A power cut on LazyFS: the process is frozen, LazyFS drops every write not synced (told
    /// through its faults FIFO, done when it answers on the second FIFO), then the process dies.
    /// Clearing first matters: a dying process closes its files, and what a close flushes would
    /// survive, which a power cut does not allow.
    PowerCut { faults: PathBuf, done: PathBuf },
}

/// What the children reported, across all rounds.
#[derive(Default)]
struct Reported {
    payments: HashMap<String, (String, i64)>,
    accounts: Vec<String>,
    backups: usize,
}

/// Runs `rounds` rounds against `db` (a database with the demo in it) and checks after each;
/// `unsynced` runs the children as `payment-loop --unsynced`.
pub fn run(db: &Path, rounds: u64, max_ms: u64, ending: &Ending, unsynced: bool) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    // LazyFS writes its answers once a reader has the FIFO open; it stays open for the run.
    let mut answers = match ending {
        Ending::PowerCut { done, .. } => Some(BufReader::new(std::fs::File::open(done).context("the LazyFS answer FIFO")?)),
        Ending::Kill => None,
    };
    let mut rng = StdRng::seed_from_u64(2026);
    let mut reported = Reported::default();
    for seed in 0..rounds {
        let mut child = Command::new(&exe)
            .arg("--db")
            .arg(db)
            .args(["payment-loop", "--seed", &seed.to_string()])
            .args(unsynced.then_some("--unsynced"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let lines = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
        let errors = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..max_ms)));
        if let Some(status) = child.try_wait()? {
            bail!("round {seed}: the payment loop ended by itself ({status}): {}", errors.join().unwrap_or_default());
        }
        match ending {
            Ending::Kill => {}
            Ending::PowerCut { faults, .. } => {
                freeze(&child)?;
                std::fs::OpenOptions::new().write(true).open(faults)?.write_all(b"lazyfs::clear-cache\n")?;
                let mut answer = String::new();
                answers.as_mut().expect("opened for a power cut").read_line(&mut answer)?;
                ensure!(answer.trim() == "finished::clear-cache", "LazyFS answered {answer:?}");
            }
        }
        child.kill()?;
        child.wait()?;
        let round = read_report(&lines.join().expect("reader"), &mut reported);
        check(db, &reported, &round).with_context(|| format!("round {seed} (ended after {} steps)", round.steps))?;
    }
    ensure!(!reported.payments.is_empty(), "no round committed a payment; raise --max-ms");
    println!("rounds: {rounds}");
    println!("committed payments: {}", reported.payments.len());
    println!("backups: {}", reported.backups);
    println!("imports: {}", reported.accounts.len());
    Ok(())
}

/// Stops the child and waits until every thread of it is stopped: a thread inside a system call
/// stops only when the call returns, and until then its write may still land.
fn freeze(child: &Child) -> anyhow::Result<()> {
    let pid = child.id();
    ensure!(Command::new("kill").args(["-STOP", &pid.to_string()]).status()?.success(), "kill -STOP {pid}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut running = 0;
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let stat = std::fs::read_to_string(task?.path().join("stat")).unwrap_or_default();
            // The state follows the command name, which is in parentheses.
            let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
            if !matches!(state, Some('T' | 't') | None) {
                running += 1;
            }
        }
        if running == 0 {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "process {pid} did not stop");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// One round's report: its backups, each with the payments reported before it.
struct Round {
    steps: usize,
    backups: Vec<(PathBuf, Vec<String>)>,
}

fn read_report(lines: &[String], reported: &mut Reported) -> Round {
    let mut round = Round { steps: lines.len(), backups: Vec::new() };
    for line in lines {
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            ["committed", key, receipt, amount] => {
                let amount = amount.parse().expect("the loop prints integers");
                reported.payments.insert(key.to_owned(), (receipt.to_owned(), amount));
            }
            ["backup", path] => round.backups.push((PathBuf::from(path), reported.payments.keys().cloned().collect())),
            ["imported", account] => reported.accounts.push(account.to_owned()),
            _ => {}
        }
    }
    reported.backups += round.backups.len();
    round
}

/// What must hold after the child was ended, however it was.
fn check(db: &Path, reported: &Reported, round: &Round) -> anyhow::Result<()> {
    let store = Store::open(db).context("the database does not open")?;
    let conn = store.conn();
    integrity(conn).context("the database")?;
    // Every payment the child saw committed exists exactly once, as reported.
    let mut by_key = conn.prepare("SELECT receipt_no, amount_fen FROM payments WHERE idempotency_key = ?1")?;
    for (key, (receipt, amount)) in &reported.payments {
        let rows: Vec<(String, i64)> = by_key.query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        ensure!(rows == vec![(receipt.clone(), *amount)], "payment {key}: reported ({receipt}, {amount}), stored {rows:?}");
    }
    // Every customer the child saw imported exists.
    for account in &reported.accounts {
        ensure!(hall::store::customers::by_account(conn, account)?.is_some(), "imported customer {account} is missing");
    }
    ledger(conn)?;
    // Every backup the child saw written is whole and holds the payments committed before it.
    for (path, keys) in &round.backups {
        let backup = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        integrity(&backup).with_context(|| format!("backup {}", path.display()))?;
        let mut held = backup.prepare("SELECT count(*) FROM payments WHERE idempotency_key = ?1")?;
        for key in keys {
            ensure!(held.query_row([key], |r| r.get::<_, i64>(0))? == 1, "backup {} lacks payment {key}", path.display());
        }
    }
    // The backups, reported or cut short, are not needed again.
    if backup_dir(db).exists() {
        std::fs::remove_dir_all(backup_dir(db))?;
    }
    Ok(())
}

fn integrity(conn: &Connection) -> anyhow::Result<()> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    ensure!(result == "ok", "integrity_check: {result}");
    Ok(())
}

/// Receipt numbers, balances, the outbox and the audit chain.
fn ledger(conn: &Connection) -> anyhow::Result<()> {
    // Receipt numbers: gap-free (each is unique by the schema).
    let gaps = receipts::gaps(conn)?;
    ensure!(gaps.is_empty(), "receipt number gaps: {gaps:?}");
    // Each bill's paid amount is what payments and prepayment put on it.
    let unbalanced_bills: i64 = conn.query_row(
        "SELECT count(*) FROM bills b WHERE b.paid_fen !=
           coalesce((SELECT sum(principal_fen) FROM allocations a WHERE a.bill_pk = b.pk), 0)
         + coalesce((SELECT amount_fen FROM prepayment_uses u WHERE u.bill_pk = b.pk), 0)",
        [],
        |r| r.get(0),
    )?;
    ensure!(unbalanced_bills == 0, "{unbalanced_bills} bills' paid amounts differ from their allocations");
    // Each customer's money in equals what it settled, the late fees, and the prepayment held.
    let unbalanced_customers: i64 = conn.query_row(
        "SELECT count(*) FROM customers c WHERE
           coalesce((SELECT sum(amount_fen) FROM payments p WHERE p.customer_pk = c.pk AND p.status = 'posted'), 0)
         != coalesce((SELECT sum(a.principal_fen + a.late_fee_fen) FROM allocations a JOIN payments p ON p.pk = a.payment_pk
                      WHERE p.customer_pk = c.pk AND p.status = 'posted'), 0)
          + coalesce((SELECT prepaid_fen FROM balances b WHERE b.customer_pk = c.pk), 0)
          + coalesce((SELECT sum(u.amount_fen) FROM prepayment_uses u JOIN bills b ON b.pk = u.bill_pk WHERE b.customer_pk = c.pk), 0)",
        [],
        |r| r.get(0),
    )?;
    ensure!(unbalanced_customers == 0, "{unbalanced_customers} customers' payments differ from what they settled and hold");
    // The outbox has no gaps, and the audit chain is whole.
    let (events, first, last): (i64, i64, i64) =
        conn.query_row("SELECT count(*), min(seq), max(seq) FROM outbox", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    ensure!(events == last - first + 1, "outbox: {events} events for sequence numbers {first}..={last}");
    if let Some(broken) = audit::verify(conn)?.first_broken {
        bail!("the audit chain breaks at {}: {}", broken.seq, broken.reason);
    }
    Ok(())
}
