//! `hall bench search`: builds a database of N demo customers through the CSV import, then times
//! each kind of search query against a plain `LIKE '%q%'` scan of the same column.
//! `hall bench backup`: on the same database, a paced backup while the counter searches, against
//! the same searches without it.

use std::path::Path;
use std::time::{Duration, Instant};

use hall::demo::Generator;
use hall::store::search::{self as customer_search, SearchQuery};
use hall::store::{Actor, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One kind of query: its name, sample queries, and the LIKE scan it replaces.
struct Kind {
    name: &'static str,
    queries: Vec<String>,
    scan_sql: &'static str,
}

/// A benchmark database of `customers` demo customers built through the CSV import, with samples
/// of the customers for queries.
pub(crate) struct BenchDb {
    /// Holds the files; removed when dropped.
    pub _temp: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub store: Store,
    pub samples: Vec<hall::model::customer::CustomerDraft>,
    pub import_secs: f64,
}

pub(crate) fn build(customers: u64, queries: usize, dir: Option<&Path>) -> anyhow::Result<BenchDb> {
    let temp = tempfile::tempdir_in(dir.unwrap_or(&std::env::temp_dir()))?;
    let csv_path = temp.path().join("customers.csv");
    let db_path = temp.path().join("bench.db");
    // The customers as a legacy CSV export, and samples of each kind of key from them.
    // Enough samples that every kind of query (a 2-character name, say) finds its examples.
    let sample_every = (customers / (queries as u64 * 4).max(2_000)).max(1);
    let mut samples = Vec::new();
    {
        let mut writer = csv::Writer::from_path(&csv_path)?;
        writer.write_record(hall::transfer::COLUMNS)?;
        let mut generator = Generator::new(7);
        for i in 0..customers {
            let c = generator.customer(i);
            writer.write_record(hall::transfer::to_row(&c))?;
            if i % sample_every == 0 {
                samples.push(c);
            }
        }
        writer.flush()?;
    }

    let mut store = Store::open(&db_path)?;
    let actor = Actor { user_id: None, at: chrono::Utc::now() };
    let started = Instant::now();
    let size = std::fs::metadata(&csv_path)?.len();
    let input = std::io::BufReader::new(std::fs::File::open(&csv_path)?);
    let report = hall::transfer::import_customers(&mut store, &actor, input, Some(size), |_| {})?;
    let import_secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(report.imported == customers, "import rejected {} rows", report.rejected.len());
    std::fs::remove_file(&csv_path)?;
    // The main database only: the first whole-connection checkpoint after a bulk load was
    // refused (SQLITE_LOCKED) once, for the in-memory temp database, and went through after that.
    store.conn().query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    store.conn().execute_batch("ANALYZE")?;
    Ok(BenchDb { _temp: temp, path: db_path, store, samples, import_secs })
}

pub fn search(customers: u64, queries: usize, dir: Option<&Path>) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    println!("customers: {customers}");
    // The temporary directory is bound, not left to `..`: a field left out is dropped at once.
    let BenchDb { _temp: _dir, store, samples, import_secs, path: db_path } = build(customers, queries, dir)?;
    let mut rng = StdRng::seed_from_u64(11);
    let db_bytes = std::fs::metadata(&db_path)?.len();
    println!("import_seconds: {import_secs:.1}");

    let pick = |rng: &mut StdRng, f: &dyn Fn(&hall::model::customer::CustomerDraft) -> Option<String>| -> Vec<String> {
        let mut out = Vec::new();
        while out.len() < queries {
            if let Some(q) = f(&samples[rng.gen_range(0..samples.len())]) {
                out.push(q);
            }
        }
        out
    };
    let chars = |s: &str| s.chars().collect::<Vec<_>>();
    let kinds = vec![
        Kind {
            name: "account",
            queries: pick(&mut rng, &|c| Some(c.account.clone())),
            scan_sql: "SELECT pk FROM customers WHERE account LIKE ?1",
        },
        Kind {
            name: "meter",
            queries: pick(&mut rng, &|c| Some(c.meters[0].number.clone())),
            scan_sql: "SELECT customer_pk FROM meters WHERE number LIKE ?1",
        },
        Kind {
            name: "id_number",
            queries: pick(&mut rng, &|c| Some(c.id_number.clone())),
            scan_sql: "SELECT pk FROM customers WHERE id_number LIKE ?1",
        },
        Kind {
            name: "phone",
            queries: pick(&mut rng, &|c| Some(c.phones[0].clone())),
            scan_sql: "SELECT customer_pk FROM customer_phones WHERE phone LIKE ?1",
        },
        Kind {
            name: "phone_tail",
            queries: pick(&mut rng, &|c| Some(c.phones[0][7..].to_owned())),
            scan_sql: "SELECT customer_pk FROM customer_phones WHERE phone LIKE ?1",
        },
        Kind {
            name: "name_2char",
            queries: pick(&mut rng, &|c| (c.name.chars().count() == 2).then(|| c.name.clone())),
            scan_sql: "SELECT pk FROM customers WHERE name LIKE ?1",
        },
        Kind {
            name: "name_3char",
            queries: pick(&mut rng, &|c| (c.name.chars().count() == 3).then(|| c.name.clone())),
            scan_sql: "SELECT pk FROM customers WHERE name LIKE ?1",
        },
        Kind {
            name: "name_fragment",
            queries: pick(&mut rng, &|c| {
                let n = chars(&c.name);
                (n.len() == 3).then(|| n[1..].iter().collect())
            }),
            scan_sql: "SELECT pk FROM customers WHERE name LIKE ?1",
        },
        Kind {
            name: "pinyin_initials",
            queries: pick(&mut rng, &|c| {
                let i = hall::model::name_keys::initials(&c.name);
                (c.name.chars().count() <= 3).then_some(i)
            }),
            scan_sql: "SELECT pk FROM customers WHERE name_initials LIKE ?1",
        },
        Kind {
            name: "address_fragment",
            queries: pick(&mut rng, &|c| {
                // A fragment of 2 to 4 characters from the street-level part of the address.
                let a = chars(&c.address);
                let start = 9.min(a.len().saturating_sub(4));
                let len = 2 + (a.len() % 3);
                Some(a[start..(start + len).min(a.len())].iter().collect())
            }),
            scan_sql: "SELECT pk FROM customers WHERE address LIKE ?1",
        },
    ];

    let mut worst_p99 = 0f64;
    let mut min_speedup = f64::INFINITY;
    for kind in &kinds {
        // Warm the page cache the way a counter that has been running would be.
        for q in kind.queries.iter().take(10) {
            customer_search::search(store.conn(), &SearchQuery { text: q.clone(), offset: 0, limit: 20 })?;
        }
        let mut times = Vec::with_capacity(kind.queries.len());
        let mut found = 0;
        let mut slowest = (Duration::ZERO, String::new());
        for q in &kind.queries {
            let t = Instant::now();
            let page = customer_search::search(store.conn(), &SearchQuery { text: q.clone(), offset: 0, limit: 20 })?;
            let elapsed = t.elapsed();
            times.push(elapsed);
            if elapsed > slowest.0 {
                slowest = (elapsed, q.clone());
            }
            found += usize::from(!page.hits.is_empty());
        }
        let (p50, p99) = percentiles(&mut times);
        let mut scan_times = Vec::new();
        let mut stmt = store.conn().prepare(kind.scan_sql)?;
        for q in kind.queries.iter().take(7) {
            let t = Instant::now();
            let rows = stmt.query_map([format!("%{q}%")], |r| r.get::<_, i64>(0))?.count();
            scan_times.push(t.elapsed());
            std::hint::black_box(rows);
        }
        let (scan_p50, _) = percentiles(&mut scan_times);
        let speedup = scan_p50 / p50;
        println!("search_{}_p50_ms: {p50:.3}", kind.name);
        println!("search_{}_p99_ms: {p99:.3}", kind.name);
        println!("scan_{}_p50_ms: {scan_p50:.1}", kind.name);
        println!("search_{}_speedup_vs_scan: {speedup:.0}", kind.name);
        println!("search_{}_found_ratio: {:.2}", kind.name, found as f64 / kind.queries.len() as f64);
        println!("search_{}_slowest: {:.3} ms for {}", kind.name, slowest.0.as_secs_f64() * 1000.0, slowest.1);
        worst_p99 = worst_p99.max(p99);
        min_speedup = min_speedup.min(speedup);
    }
    // Everything the counter keeps per customer: row, side tables, indexes, full-text index,
    // history and the outbox events not yet sent.
    println!("outbox_events: {}", hall::store::outbox::pending(store.conn())?);
    println!("search_p99_worst_ms: {worst_p99:.3}");
    println!("search_speedup_vs_scan_min: {min_speedup:.0}");
    println!("import_rows_per_s: {:.0}", customers as f64 / import_secs);
    println!("db_bytes_per_customer: {:.0}", db_bytes as f64 / customers as f64);
    Ok(())
}

pub fn backup(customers: u64, queries: usize, dir: Option<&Path>) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    println!("customers: {customers}");
    let db = build(customers, queries, dir)?;
    // The counter's mix: accounts, phone tails, names and pinyin initials of sampled customers.
    let mut rng = StdRng::seed_from_u64(12);
    let mix: Vec<String> = (0..queries)
        .map(|i| {
            let c = &db.samples[rng.gen_range(0..db.samples.len())];
            match i % 4 {
                0 => c.account.clone(),
                1 => c.phones[0][7..].to_owned(),
                2 => c.name.clone(),
                _ => hall::model::name_keys::initials(&c.name),
            }
        })
        .collect();
    let search_once = |q: &String| -> anyhow::Result<Duration> {
        let t = Instant::now();
        customer_search::search(db.store.conn(), &SearchQuery { text: q.clone(), offset: 0, limit: 20 })?;
        Ok(t.elapsed())
    };
    for q in &mix {
        search_once(q)?; // a counter that has been running has these pages cached
    }
    // Without a backup: the same number of rounds as run during one, measured below.
    let mut quiet = Vec::new();
    let quiet_started = Instant::now();
    while quiet.len() < mix.len() * 3 || quiet_started.elapsed() < Duration::from_secs(10) {
        quiet.push(search_once(&mix[quiet.len() % mix.len()])?);
    }
    let dest = db.path.with_file_name("backup.db");
    let started = Instant::now();
    let (source, target) = (db.path.clone(), dest.clone());
    let copier = std::thread::spawn(move || hall::store::backup::write_verified(&source, &target, hall::store::backup::Pace::GENTLE));
    let mut during = Vec::new();
    while !copier.is_finished() {
        during.push(search_once(&mix[during.len() % mix.len()])?);
    }
    let bytes = copier.join().expect("the backup thread")?;
    let backup_secs = started.elapsed().as_secs_f64();
    let (quiet_p50, quiet_p99) = percentiles(&mut quiet);
    let (during_p50, during_p99) = percentiles(&mut during);
    println!("backup_bytes: {bytes}");
    println!("backup_1m_s: {backup_secs:.1}");
    println!("search_without_backup_p50_ms: {quiet_p50:.3}");
    println!("search_without_backup_p99_ms: {quiet_p99:.3}");
    println!("search_during_backup_p50_ms: {during_p50:.3}");
    println!("search_during_backup_p99_ms: {during_p99:.3}");
    println!("searches_during_backup: {}", during.len());
    println!("search_during_backup_ratio: {:.2}", during_p99 / quiet_p99);
    Ok(())
}

/// p50 and p99 in milliseconds.
pub(crate) fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.50), at(0.99))
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()))
}
