//! `hall bench service`: the arrears aging over 1M customers with 12M bills (through the command
//! set, late fees included) against one plain SQL `GROUP BY` of the principal alone; 1,000
//! payment notices into one PDF through the command set (each recorded, its debt read); and the
//! due-soon and overdue request lists over 500,000 service requests (p99 through the command set).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use hall::api::{App, ArrearsListArgs, LoginArgs, NoArgs, PrintNoticesArgs, Request, RequestDue, RequestListArgs};
use hall::clock::FixedClock;
use hall::model::arrears::{Delivery, NoticeKind};
use hall::model::service::{Category, RequestState};
use hall::store::Store;
use hall::store::arrears::NoticeRequest;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use crate::bench::{build, machine, percentiles};

/// The bench's "today": Monday 15 June 2026, 10:00 CST.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("date")
}

pub struct ServiceBench {
    pub customers: u64,
    pub bills_per_customer: u32,
    pub requests: usize,
    pub queries: usize,
}

/// Writes `per` monthly bills for every customer, the last `per` months before today's, due on
/// the 25th of the month after: the two latest months one in five unpaid, older ones one in
/// thirty (so about 6% of the bills are open, as an outlet's book looks).
fn bills(store: &mut Store, per: u32, seed: u64) -> anyhow::Result<u64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0;
    store.write(|tx| {
        let customers: Vec<i64> = tx.prepare("SELECT pk FROM customers ORDER BY pk")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut insert = tx.prepare(
            "INSERT INTO bills (id, customer_pk, period, source, tariff_code, tariff_effective_from, kwh, amount_fen, paid_fen, due_date, lines, issued_at)
             VALUES (?1, ?2, ?3, 'bench', 'ZJ-RES-TIER', '2025-01-01', ?4, ?5, ?6, ?7, '[]', ?8)",
        )?;
        let first = today().with_day(1).expect("day 1");
        for pk in &customers {
            for back in (1..=per).rev() {
                let month = first - chrono::Months::new(back);
                let period = format!("{:04}-{:02}", month.year(), month.month());
                let due = (month + chrono::Months::new(1)).with_day(25).expect("day 25");
                let amount: i64 = rng.gen_range(3_000..60_000);
                let unpaid = if back <= 2 { rng.gen_ratio(1, 5) } else { rng.gen_ratio(1, 30) };
                let paid = if unpaid { 0 } else { amount };
                insert.execute(params![format!("b{pk}-{period}"), pk, period, amount / 60, amount, paid, due.to_string(), format!("{month}T00:00:00.000Z")])?;
                written += 1;
            }
        }
        Ok(())
    })?;
    store.conn().execute_batch("ANALYZE")?;
    Ok(written)
}

/// Writes `count` service requests: nine in ten closed, the open ones with their next deadline
/// within three days either side of now.
fn requests(store: &mut Store, count: usize, now: chrono::DateTime<Utc>, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    store.write(|tx| {
        let clerk: String = tx.query_row("SELECT id FROM users WHERE username = 'clerk'", [], |r| r.get(0))?;
        let mut insert = tx.prepare(
            "INSERT INTO service_requests (id, number, number_epoch, number_seq, category, area_type, caller_name, caller_phone, address, content,
                 state, rules_version, accepted_at, accepted_by, reply_due, next_due, version)
             VALUES (?1, ?2, 9, ?3, ?4, 'urban', '来电人', '13900001111', '', '诉求', ?5, '2025-01-01', ?6, ?7, ?8, ?9, 1)",
        )?;
        for seq in 1..=count as i64 {
            let category = Category::ALL[rng.gen_range(0..Category::ALL.len())];
            let open = rng.gen_ratio(1, 10);
            let accepted = now - Duration::minutes(rng.gen_range(0..(300 * 24 * 60)));
            let due = now + Duration::minutes(rng.gen_range(-(3 * 24 * 60)..(3 * 24 * 60)));
            let state = if open { RequestState::Assigned } else { RequestState::Closed };
            insert.execute(params![
                format!("bench-{seq}"),
                format!("GD330106-01-9-{seq:06}"),
                seq,
                category.code(),
                state.code(),
                hall::clock::stamp(accepted),
                clerk,
                hall::clock::stamp(due),
                open.then(|| hall::clock::stamp(due)),
            ])?;
        }
        Ok(())
    })?;
    store.conn().execute_batch("ANALYZE")?;
    Ok(())
}

/// The plain SQL a report writer would start from: one GROUP BY of the principal, no late fees.
fn plain_aging(store: &Store) -> anyhow::Result<usize> {
    let today = today();
    let days = |d: i64| (today - Duration::days(d)).to_string();
    let mut stmt = store.conn().prepare(
        "SELECT c.class, c.supply_area,
                CASE WHEN b.due_date >= ?2 THEN '0_30' WHEN b.due_date >= ?3 THEN '31_60' WHEN b.due_date >= ?4 THEN '61_90' ELSE 'over_90' END,
                substr(b.period, 1, 4) < ?5, count(*), count(DISTINCT b.customer_pk), sum(b.amount_fen - b.paid_fen)
         FROM bills b JOIN customers c ON c.pk = b.customer_pk
         WHERE b.paid_fen < b.amount_fen AND b.due_date < ?1
         GROUP BY 1, 2, 3, 4",
    )?;
    let rows =
        stmt.query_map(params![today.to_string(), days(30), days(60), days(90), today.year().to_string()], |r| r.get::<_, i64>(4))?;
    Ok(rows.count())
}

pub fn service(bench: ServiceBench, dir: Option<&Path>) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    println!("customers: {}", bench.customers);
    let db = build(bench.customers, 10, dir)?;
    println!("customers_import_s: {:.1}", db.import_secs);
    let mut store = db.store;
    // The demo users (the import brings customers only).
    hall::demo::populate(&mut store, &hall::store::Actor { user_id: None, at: Utc::now() }, 0, 1, |_| {})?;
    let started = Instant::now();
    let written = bills(&mut store, bench.bills_per_customer, 5)?;
    println!("bills: {written}");
    println!("bills_load_s: {:.1}", started.elapsed().as_secs_f64());
    let open: i64 = store.conn().query_row("SELECT count(*) FROM bills WHERE paid_fen < amount_fen", [], |r| r.get(0))?;
    println!("bills_open: {open}");
    let now = Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).single().expect("instant");
    requests(&mut store, bench.requests, now, 9)?;
    println!("requests: {}", bench.requests);

    // The plain GROUP BY first, then the report: the same warm cache for both.
    let mut plain = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        std::hint::black_box(plain_aging(&store)?);
        plain = plain.min(t.elapsed().as_secs_f64());
    }
    let app = App::new(store, Arc::new(FixedClock::new(now)));
    let login = |user: &str, password: &str| -> anyhow::Result<String> {
        let reply = app.call(None, Request::Login(LoginArgs { username: user.into(), password: password.into() }))?;
        Ok(reply["token"].as_str().unwrap_or_default().to_owned())
    };
    let manager = login("manager", "manager1234")?;
    let mut aging = f64::MAX;
    let mut cells = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let report = app.call(Some(&manager), Request::ArrearsAging(NoArgs {}))?;
        aging = aging.min(t.elapsed().as_secs_f64());
        cells = report["rows"].as_array().map_or(0, Vec::len);
    }
    println!("aging_cells: {cells}");
    println!("aging_1m_s: {aging:.3}");
    println!("aging_plain_sql_s: {plain:.3}");
    println!("aging_vs_plain_sql: {:.2}", aging / plain);

    // 1,000 payment notices: the list they are chosen from, then one PDF.
    let list = app.call(Some(&manager), Request::ListArrears(ArrearsListArgs { class: None, area: None, min_days: 1, limit: 1000 }))?;
    let customers: Vec<String> =
        list["rows"].as_array().into_iter().flatten().filter_map(|r| r["customer_id"].as_str().map(str::to_owned)).collect();
    let notices = customers
        .iter()
        .map(|id| NoticeRequest { customer_id: id.clone(), kind: NoticeKind::Payment, delivery: Delivery::Posted, planned_date: None })
        .collect::<Vec<_>>();
    let t = Instant::now();
    let printed = app.call(Some(&manager), Request::PrintNotices(PrintNoticesArgs { notices, progress: None }))?;
    let secs = t.elapsed().as_secs_f64();
    let bytes = printed["pdf"]["bytes"].as_f64().unwrap_or(0.0);
    println!("notices: {}", printed["printed"].as_array().map_or(0, Vec::len));
    println!("notices_1000_s: {secs:.2}");
    println!("notices_1000_mb: {:.2}", bytes / 1_048_576.0);

    // The due lists a clerk opens all day.
    let clerk = login("clerk", "clerk1234")?;
    let mut worst = 0.0f64;
    for (name, due) in [("overdue", RequestDue::Overdue), ("soon", RequestDue::Soon), ("all", RequestDue::All)] {
        let mut times = Vec::with_capacity(bench.queries);
        let mut total = 0;
        for i in 0..bench.queries {
            let args = RequestListArgs {
                due,
                state: None,
                category: None,
                assignee: None,
                customer_id: None,
                offset: (i % 3) as u32 * 50,
                limit: 50,
            };
            let t = Instant::now();
            let list = app.call(Some(&clerk), Request::ListServiceRequests(args))?;
            times.push(t.elapsed());
            total = list["total"].as_u64().unwrap_or(0);
        }
        let (p50, p99) = percentiles(&mut times);
        if due != RequestDue::All {
            worst = worst.max(p99);
        }
        println!("requests_list_{name}_rows: {total}");
        println!("requests_list_{name}_p50_ms: {p50:.2}");
        println!("requests_list_{name}_p99_ms: {p99:.2}");
    }
    println!("requests_list_p99_ms: {worst:.2}");
    let mut times = Vec::with_capacity(bench.queries);
    for _ in 0..bench.queries {
        let t = Instant::now();
        app.call(Some(&clerk), Request::ServiceRequestCounts(NoArgs {}))?;
        times.push(t.elapsed());
    }
    let (_, p99) = percentiles(&mut times);
    println!("requests_counts_p99_ms: {p99:.2}");
    Ok(())
}
