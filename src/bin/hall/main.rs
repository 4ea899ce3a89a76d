//! `hall`: the workstation's command line. It works on the local database directly, as the
//! machine's administrator would; the counter's own actions go through the command set in
//! `hall::api`, as `hall shell` shows.

mod bench;
mod bench_applications;
mod bench_money;
mod bench_service;
mod bench_sync;
mod crash;
mod serve;
mod shell;
mod sync;

/// mimalloc: an import's parser thread allocates every row and the writer frees it, which
/// glibc's allocator does slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use hall::api::App;
use hall::calendar::Calendar;
use hall::clock::{Clock, FixedClock, SystemClock, parse_stamp};
use hall::model::user::Role;
use hall::store::{Actor, Store, audit, users};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(name = "hall", version, about = "营业厅工作站 Service Hall Workstation")]
struct Cli {
    /// The local database file.
    #[arg(long, env = "HALL_DB", default_value = "hall.db", global = true)]
    db: PathBuf,
    /// Run as if it were this instant (RFC 3339, e.g. 2026-01-05T09:00:00+08:00), for testing date rules.
    #[arg(long, env = "HALL_NOW", global = true)]
    now: Option<String>,
    #[command(subcommand)]
    command: Command,
    /// Whether `--db` or `HALL_DB` was given (not the default): the calendar's queries then read
    /// the years stored in that database too.
    #[arg(skip)]
    db_given: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty database with a demo outlet: customers and one user per role.
    Demo {
        #[arg(long, default_value_t = 20_000)]
        customers: u64,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// How many of the customers get a year of readings, bills and payments.
        #[arg(long, default_value_t = 500)]
        history: u64,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Import records from a CSV file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export records to a CSV file.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Copy the live database to FILE with SQLite's online backup.
    Backup { file: PathBuf },
    /// Replace the database with the backup in FILE (starts a new event epoch).
    Restore { file: PathBuf },
    /// Enrol this workstation with head office: exchange the one-time CODE, then take the
    /// initial snapshot.
    Enrol {
        /// Head office's address, https://…
        url: String,
        code: String,
        /// A CA certificate (PEM) to trust besides the system's roots.
        #[arg(long)]
        ca: Option<PathBuf>,
    },
    /// Sync with head office once (push the outbox, pull changes), with a progress bar.
    Sync {
        /// Keep syncing on the background task's schedule until interrupted.
        #[arg(long)]
        watch: bool,
    },
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Search customers as the counter does.
    Search {
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// The workstation's identity and counts.
    Status,
    /// An interactive counter session on the terminal: log in, search, open a customer.
    Shell,
    /// Serve the UI and the command set over HTTP on 127.0.0.1 (the browser and thin-client mode).
    Serve {
        /// The port; 0 picks a free one (the chosen address is printed).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// The built UI (ui/dist).
        #[arg(long, default_value = "ui/dist")]
        ui: PathBuf,
    },
    /// Benchmarks (not part of the tests).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Receipt tools: verify a scanned code, print this workstation's public key.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// The working-day calendar: the shipped years, and with --db those stored in the database.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Posts payments as fast as it can, with a backup and a customer import among them, and
    /// reports each after it returned; `hall crash-test` ends it at random moments.
    #[command(hide = true)]
    PaymentLoop {
        #[arg(long)]
        seed: u64,
        /// The control experiment: commit without syncing (`synchronous=OFF`).
        #[arg(long)]
        unsynced: bool,
    },
    /// Ends `hall payment-loop` at random moments, `rounds` times, and checks after each that
    /// what it reported survived and the ledger adds up (tests/crash.rs,
    /// scripts/test-power-loss.sh).
    #[command(hide = true)]
    CrashTest {
        #[arg(long, default_value_t = 200)]
        rounds: u64,
        /// The longest a round runs before its end, in milliseconds.
        #[arg(long, default_value_t = 250)]
        max_ms: u64,
        /// Cut the power instead of killing: LazyFS's faults FIFO, and the FIFO it answers on.
        #[arg(long, requires = "power_cut_done")]
        power_cut: Option<PathBuf>,
        #[arg(long)]
        power_cut_done: Option<PathBuf>,
        /// The control experiment: the child commits without syncing, so power cuts must lose
        /// payments it reported and the checks must fail.
        #[arg(long)]
        unsynced: bool,
    },
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Check a receipt's QR code (as scanned or pasted) against the outlet's public keys.
    Verify {
        code: String,
        /// A file with the outlet's public keys, one hex key per line; this workstation's own by default.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Print this workstation's public key, for the outlet's key file.
    PublicKey,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Whether DATE (YYYY-MM-DD) is a working day: exit status 0 if it is, 1 for a rest day, 2 for
    /// an error (such as a year whose holidays are not published).
    IsWorking { date: NaiveDate },
    /// The date N working days after DATE (DATE itself not counted), as YYYY-MM-DD.
    Add { date: NaiveDate, n: u32 },
    /// The working days after FROM up to and including TO (negative when TO is before FROM).
    Between { from: NaiveDate, to: NaiveDate },
    /// Store a published year (the format of assets/calendar/2025.toml) in the database.
    Load { file: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from --password or, if absent, from standard input.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        password: Option<String>,
    },
    /// Set a user's password.
    Password {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Change a user's role.
    Role {
        username: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Customers from a legacy export (see `hall::transfer` for the columns).
    Customers { file: PathBuf },
    /// Bills from the billing centre: account,period,kwh,amount[,tariff_code,due_date].
    Bills { file: PathBuf },
}

#[derive(Subcommand)]
enum ExportCommand {
    Customers { file: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; exits with 1 if any row was altered.
    Verify,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The due-today, overdue and at-risk lists over many applications (p99 through the command
    /// set), the calendar's add, and the acceptance slip's render time and size.
    Applications {
        #[arg(long, default_value_t = 100_000)]
        applications: usize,
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Where to build the benchmark database (a temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Payment posting latency against a raw one-row SQLite commit on the same disk; day-end over
    /// 5,000 payments.
    Payments {
        #[arg(long, default_value_t = 2000)]
        payments: usize,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Sync against a throwaway head office (`hall-hq sandbox`): one workstation's push, twenty
    /// pushing at once against COPY, a new workstation's snapshot, and payments during it.
    Sync {
        /// Events of the single workstation's push.
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 20)]
        workstations: usize,
        /// Events of each of them.
        #[arg(long, default_value_t = 5_000)]
        per_workstation: usize,
        /// Customers of the snapshot, and bills of each.
        #[arg(long, default_value_t = 100_000)]
        customers: u64,
        #[arg(long, default_value_t = 12)]
        bills_per_customer: u64,
        /// At most this many payments posted during the snapshot.
        #[arg(long, default_value_t = 300)]
        payments: usize,
        /// Only the snapshot and the payments during it.
        #[arg(long)]
        snapshot_only: bool,
        /// The `hall-hq` binary (default: beside this one).
        #[arg(long)]
        hq: Option<PathBuf>,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The arrears aging over many customers and bills against a plain SQL GROUP BY, 1,000
    /// notices into one PDF, and the due lists over many service requests.
    Service {
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        #[arg(long, default_value_t = 12)]
        bills_per_customer: u32,
        #[arg(long, default_value_t = 500_000)]
        requests: usize,
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Where to build the benchmark database (a temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Receipt render time and size against headless Chromium printing the same receipt from HTML.
    Receipt {
        #[arg(long, default_value_t = 200)]
        receipts: usize,
    },
    /// A paced backup of a large database while the counter searches: its time, and the searches'
    /// p99 during it against without.
    Backup {
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        #[arg(long, default_value_t = 400)]
        queries: usize,
        /// Where to build the benchmark database (a temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Search latency per query kind at scale, against a LIKE scan; import rate; bytes per customer.
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Where to build the benchmark database (a temporary directory by default).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_code(s).ok_or_else(|| format!("roles: {}", Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")))
}

fn main() {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.db_given = matches.value_source("db").is_some_and(|source| source != ValueSource::DefaultValue);
    if let Err(e) = run(cli) {
        // User errors carry both languages; print them plainly, without a backtrace.
        match e.downcast_ref::<hall::Error>() {
            Some(err) => {
                for m in err.messages() {
                    eprintln!("错误 error [{}]{}: {} / {}", m.code, m.field.map(|f| format!(" ({f})")).unwrap_or_default(), m.zh, m.en);
                }
            }
            None => eprintln!("错误 error: {e:#}"),
        }
        std::process::exit(2);
    }
}

fn clock(now: Option<&str>) -> anyhow::Result<Arc<dyn Clock>> {
    Ok(match now {
        Some(text) => Arc::new(FixedClock::new(parse_stamp(text).with_context(|| format!("--now: not an RFC 3339 instant: {text}"))?)),
        None => Arc::new(SystemClock),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let clock = clock(cli.now.as_deref())?;
    let system = || Actor { user_id: None, at: clock.now() };
    match cli.command {
        Command::Demo { customers, seed, history } => {
            let mut store = Store::open(&cli.db)?;
            if hall::store::customers::count(store.conn())? > 0 {
                bail!("{} already holds customers; the demo fills only an empty database", cli.db.display());
            }
            let bar = progress_bar(customers, "customers");
            hall::demo::populate(&mut store, &system(), customers, seed, |n| bar.set_position(n))?;
            bar.finish_and_clear();
            hall::demo::populate_history(&mut store, clock.now(), history.min(customers), seed)?;
            println!(
                "demo outlet {} with {customers} customers ({} with a year of bills and payments) in {}",
                hall::demo::OUTLET_CODE,
                history.min(customers),
                cli.db.display()
            );
            for (username, name, role, password) in hall::demo::USERS {
                println!("  user {username:<8} password {password:<12} {} ({name})", role.label(hall::error::Lang::ZhCn));
            }
        }
        Command::User(command) => user(&cli.db, command, system())?,
        Command::Import(ImportCommand::Customers { file }) => {
            let mut store = Store::open(&cli.db)?;
            let size = std::fs::metadata(&file).with_context(|| format!("{}", file.display()))?.len();
            let input = std::fs::File::open(&file).with_context(|| format!("{}", file.display()))?;
            let bar = progress_bar(size, "bytes");
            let report = hall::transfer::import_customers(&mut store, &system(), std::io::BufReader::new(input), Some(size), |b| {
                bar.set_position(b)
            })?;
            bar.finish_and_clear();
            for r in &report.rejected {
                for m in &r.messages {
                    println!("line {} account {}: rejected [{}] {} / {}", r.line, r.account, m.code, m.zh, m.en);
                }
            }
            for r in &report.warned {
                for m in &r.messages {
                    println!("line {} account {}: warning [{}] {} / {}", r.line, r.account, m.code, m.zh, m.en);
                }
            }
            println!(
                "imported {} customers, rejected {} rows, {} with warnings",
                report.imported,
                report.rejected.len(),
                report.warned.len()
            );
        }
        Command::Import(ImportCommand::Bills { file }) => {
            let mut store = Store::open(&cli.db)?;
            let input = std::fs::File::open(&file).with_context(|| format!("{}", file.display()))?;
            let report = hall::transfer::import_bills(&mut store, &system(), std::io::BufReader::new(input), |_, _| {})?;
            for r in &report.rejected {
                for m in &r.messages {
                    println!("line {}: rejected [{}] {} / {}", r.line, m.code, m.zh, m.en);
                }
            }
            println!("imported {} bills, rejected {} rows", report.imported, report.rejected.len());
        }
        Command::Export(ExportCommand::Customers { file }) => {
            let store = Store::open(&cli.db)?;
            let output = std::fs::File::create(&file).with_context(|| format!("{}", file.display()))?;
            let n = hall::transfer::export_customers(&store, std::io::BufWriter::new(output))?;
            println!("exported {n} customers to {}", file.display());
        }
        Command::Backup { file } => {
            Store::open(&cli.db)?.backup_to(&file)?;
            println!("backed up {} to {}", cli.db.display(), file.display());
        }
        Command::Restore { file } => {
            // Above every epoch head office knows of this workstation, when it can be asked.
            let floor = hall::sync::restore::epoch_floor(&cli.db, &file)?;
            let store = Store::restore_above(&file, &cli.db, &system(), floor)?;
            let ws = store.workstation()?;
            println!("restored {} from {}; event epoch is now {}", cli.db.display(), file.display(), ws.epoch);
        }
        Command::Enrol { url, code, ca } => sync::enrol(&cli.db, &url, &code, ca.as_deref(), clock)?,
        Command::Sync { watch } => sync::sync(&cli.db, watch, clock)?,
        Command::Audit(AuditCommand::Verify) => {
            let store = Store::open(&cli.db)?;
            let result = audit::verify(store.conn())?;
            match result.first_broken {
                None => println!("audit log intact: {} entries", result.entries),
                Some(broken) => {
                    println!("audit log BROKEN at entry {}: {}", broken.seq, broken.reason);
                    std::process::exit(1);
                }
            }
        }
        Command::Search { text, limit } => {
            let store = Store::open(&cli.db)?;
            let page = hall::store::search::search(store.conn(), &hall::store::search::SearchQuery { text, offset: 0, limit })?;
            for hit in page.hits {
                println!("{}  {:<12} {:<10?} {}", hit.account, hit.name, hit.matched_by, hit.address);
            }
        }
        Command::Status => {
            let store = Store::open(&cli.db)?;
            let ws = store.workstation()?;
            println!("database     {}", cli.db.display());
            println!("outlet       {}", ws.outlet_code);
            println!("workstation  {} (epoch {}, next event {})", ws.workstation_id, ws.epoch, ws.next_seq);
            println!("customers    {}", hall::store::customers::count(store.conn())?);
            println!("pending      {} events for head office", hall::store::outbox::pending(store.conn())?);
        }
        Command::Shell => shell::run(App::new(Store::open(&cli.db)?, clock))?,
        Command::Serve { port, ui } => serve::run(App::new(Store::open(&cli.db)?, clock), ui, port)?,
        Command::Bench(BenchCommand::Search { customers, queries, dir }) => bench::search(customers, queries, dir.as_deref())?,
        Command::Bench(BenchCommand::Backup { customers, queries, dir }) => bench::backup(customers, queries, dir.as_deref())?,
        Command::Bench(BenchCommand::Applications { applications, queries, dir }) => {
            bench_applications::applications(applications, queries, dir.as_deref())?
        }
        Command::Bench(BenchCommand::Payments { payments, dir }) => bench_money::payments(payments, dir.as_deref())?,
        Command::Bench(BenchCommand::Service { customers, bills_per_customer, requests, queries, dir }) => {
            bench_service::service(bench_service::ServiceBench { customers, bills_per_customer, requests, queries }, dir.as_deref())?
        }
        Command::Bench(BenchCommand::Receipt { receipts }) => bench_money::receipt(receipts)?,
        Command::Bench(BenchCommand::Sync {
            events,
            workstations,
            per_workstation,
            customers,
            bills_per_customer,
            payments,
            snapshot_only,
            hq,
            dir,
        }) => bench_sync::sync(bench_sync::SyncBench {
            snapshot_only,
            events,
            workstations,
            per_workstation,
            customers,
            bills_per_customer,
            payments,
            hq,
            dir,
        })?,
        Command::Receipt(ReceiptCommand::Verify { code, keys }) => {
            let keys = match keys {
                Some(file) => hall::model::signed_code::parse_public_keys(
                    &std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?,
                )?,
                None => hall::store::receipts::outlet_public_keys(Store::open(&cli.db)?.conn())?,
            };
            // An acceptance slip's code (HA1) or a receipt's (HR1).
            let verified = if hall::model::signed_code::prefix(&code) == hall::model::application_code::PREFIX {
                hall::model::application_code::verify(&code, &keys)
                    .map(|a| format!("valid: application {} accepted {}, promised by {}", a.application_no, a.accepted_at, a.promised_date))
            } else {
                hall::model::receipt::verify(&code, &keys).map(|f| {
                    format!(
                        "valid: receipt {} issued {} for account {}, amount {} (late fee {}, prepayment after {})",
                        f.receipt_no, f.posted_at, f.account, f.amount, f.late_fee, f.prepaid_after
                    )
                })
            };
            match verified {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    for m in e.messages() {
                        println!("INVALID [{}]: {} / {}", m.code, m.zh, m.en);
                    }
                    std::process::exit(1);
                }
            }
        }
        Command::Receipt(ReceiptCommand::PublicKey) => {
            let store = Store::open(&cli.db)?;
            let key = hall::store::receipts::signing_key(store.conn())?.verifying_key();
            println!(
                "{}  # {} workstation {}",
                hex::encode(key.as_bytes()),
                store.workstation()?.outlet_code,
                store.workstation()?.workstation_id
            );
        }
        Command::Calendar(command) => calendar(&cli.db, cli.db_given, command, system())?,
        Command::PaymentLoop { seed, unsynced } => crash::payment_loop(&cli.db, seed, unsynced)?,
        Command::CrashTest { rounds, max_ms, power_cut, power_cut_done, unsynced } => {
            let ending = match (power_cut, power_cut_done) {
                (Some(faults), Some(done)) => crash::Ending::PowerCut { faults, done },
                _ => crash::Ending::Kill,
            };
            crash::run(&cli.db, rounds, max_ms, &ending, unsynced)?
        }
    }
    Ok(())
}

fn user(db: &Path, command: UserCommand, actor: Actor) -> anyhow::Result<()> {
    let mut store = Store::open(db)?;
    match command {
        UserCommand::Add { username, name, role, password } => {
            let password = password_or_stdin(password)?;
            let user = store.write(|tx| users::create(tx, &actor, &username, &name, role, &password, users::PasswordKind::Chosen))?;
            println!("added {} ({}) as {}", user.username, user.display_name, role.code());
        }
        UserCommand::Password { username, password } => {
            let password = password_or_stdin(password)?;
            store.write(|tx| users::set_password(tx, &actor, &username, &password, users::PasswordKind::Chosen))?;
            println!("password of {username} changed");
        }
        UserCommand::Role { username, role } => {
            store.write(|tx| users::set_role(tx, &actor, &username, role))?;
            println!("{username} is now {}", role.code());
        }
        UserCommand::List => {
            for users::UserStatus { user: u, .. } in users::list(store.conn(), actor.at)? {
                println!("{:<12} {:<8} {:<12} {}", u.username, u.display_name, u.role.code(), if u.active { "" } else { "disabled" });
            }
        }
    }
    Ok(())
}

fn calendar(db: &Path, db_given: bool, command: CalendarCommand, actor: Actor) -> anyhow::Result<()> {
    // The queries read the shipped years and those stored in the database (the default one when
    // it exists, so that a year just loaded counts); they never create a database.
    let published = || -> anyhow::Result<Calendar> {
        if !db.exists() {
            if db_given {
                bail!("no database at {}", db.display());
            }
            return Ok(Calendar::shipped().clone());
        }
        Ok(hall::store::calendar::load(Store::open(db)?.conn())?)
    };
    match command {
        CalendarCommand::IsWorking { date } => {
            if published()?.is_working(date)? {
                println!("{date} 工作日 working day");
            } else {
                println!("{date} 休息日 rest day");
                std::process::exit(1);
            }
        }
        CalendarCommand::Add { date, n } => println!("{}", published()?.add_working_days(date, n)?),
        CalendarCommand::Between { from, to } => println!("{}", published()?.working_days_between(from, to)?),
        CalendarCommand::Load { file } => {
            let body = std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            let mut store = Store::open(db)?;
            let table = store.write(|tx| hall::store::calendar::publish(tx, &actor, &body, hall::calendar::Source::File))?;
            println!(
                "stored the {} calendar in {}: days off {}, working weekends {} ({})",
                table.year(),
                db.display(),
                table.holiday_days(),
                table.working_weekends().len(),
                table.notice()
            );
        }
    }
    Ok(())
}

fn password_or_stdin(password: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = password {
        return Ok(p);
    }
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub(crate) fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)")).expect("valid template"),
    );
    bar
}
