//! The `hall-hq` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{AppState, admin, db, migrate};

#[derive(Parser)]
#[command(name = "hall-hq", version, about = "Head office for the service hall workstations: the sync server and its administration")]
struct Cli {
    /// PostgreSQL connection (URL or key=value string).
    #[arg(long, env = "HALL_HQ_DATABASE_URL", global = true, default_value = "postgresql://postgres@localhost/hall_hq")]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the migrations, then serves HTTPS.
    Serve {
        #[arg(long, default_value = "0.0.0.0:8443")]
        bind: String,
        /// PEM certificate chain.
        #[arg(long, env = "HALL_HQ_CERT")]
        cert: PathBuf,
        /// PEM private key.
        #[arg(long, env = "HALL_HQ_KEY")]
        key: PathBuf,
        /// Database connections per instance.
        #[arg(long, default_value_t = 16)]
        pool_size: usize,
    },
    /// Applies the numbered migrations; with --citus also the distribution DDL.
    Migrate {
        #[arg(long)]
        citus: bool,
        /// The distribution DDL (`*.sql`, run in name order); defaults to this crate's `citus/`.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/citus"))]
        citus_dir: PathBuf,
    },
    Outlet {
        #[command(subcommand)]
        command: OutletCommand,
    },
    Workstation {
        #[command(subcommand)]
        command: WorkstationCommand,
    },
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Operators of the head-office console.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Publishes reference data or bills to the outlets.
    Publish {
        #[command(subcommand)]
        what: Publish,
    },
    /// Counts: outlets, workstations, events, open quarantine and late money, the ledger total.
    Status,
    /// A throwaway head office for benchmarks and tests: a new PostgreSQL cluster and a server on
    /// 127.0.0.1 with a made certificate; prints one JSON line (url, ca_pem_path, database_url) and
    /// serves until SIGTERM, Ctrl+C or stdin closing, then removes everything.
    Sandbox {
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Benchmark baselines.
    Bench {
        #[command(subcommand)]
        what: Bench,
    },
    /// Writes a self-signed certificate and key (PEM) for the given host names or addresses.
    Cert {
        #[arg(long)]
        cert: PathBuf,
        #[arg(long)]
        key: PathBuf,
        #[arg(long = "host", default_values_t = ["localhost".to_string(), "127.0.0.1".to_string()])]
        hosts: Vec<String>,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Adds an operator (or sets an existing one's password); the password comes from
    /// HALL_HQ_PASSWORD or a line of standard input.
    Add {
        username: String,
        #[arg(long, default_value = "")]
        display_name: String,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// COPY of the events table's rows into a fresh table of the same definition: `copy_rows`,
    /// `copy_events_per_s`.
    Copy,
    /// Monthly bills for every customer head office holds for the outlet (push the customers
    /// first); prints `seed_bills: N` and `seed_s: X`.
    SeedBills {
        #[arg(long)]
        outlet: String,
        #[arg(long, default_value_t = 12)]
        per_customer: i32,
    },
}

#[derive(Subcommand)]
enum OutletCommand {
    /// Adds an outlet serving the given areas.
    Add {
        code: String,
        name: String,
        #[arg(long, value_delimiter = ',', required = true)]
        areas: Vec<String>,
    },
    List,
}

#[derive(Subcommand)]
enum WorkstationCommand {
    /// Prints a one-time enrolment code for a counter of the outlet.
    Add {
        #[arg(long)]
        outlet: String,
        #[arg(long)]
        counter: i64,
    },
    /// Refuses the workstation's every later request.
    Revoke {
        #[arg(long)]
        outlet: String,
        workstation_id: String,
    },
    /// Lifts a fence after the quarantined events were dealt with.
    Unfence {
        #[arg(long)]
        outlet: String,
        workstation_id: String,
        #[arg(long, default_value = "hall-hq")]
        operator: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a user to an outlet; the password comes from HALL_HQ_PASSWORD or the first line of stdin.
    Add {
        #[arg(long)]
        outlet: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// clerk, manager, head_office or admin.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum Publish {
    /// A tariff TOML file; its version is the file's stem unless --version names it.
    Tariffs {
        file: PathBuf,
        #[arg(long)]
        version: Option<String>,
    },
    /// One calendar year's TOML file.
    Calendar { file: PathBuf },
    /// A JSON array of users with their Argon2id PHC hashes.
    Users { file: PathBuf },
    /// The billing centre's monthly CSV.
    Bills { file: PathBuf },
}

pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hall-hq: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Cert { cert, key, hosts } = &cli.command {
        let (cert_pem, key_pem) = crate::tls::self_signed(hosts)?;
        std::fs::write(cert, cert_pem)?;
        std::fs::write(key, key_pem)?;
        return Ok(());
    }
    if let Command::Sandbox { dir, port } = &cli.command {
        return sandbox(dir.as_deref(), *port).await;
    }
    let pool_size = match &cli.command {
        Command::Serve { pool_size, .. } => *pool_size,
        _ => 2,
    };
    let pool = db::pool(&cli.database_url, pool_size)?;
    match cli.command {
        Command::Serve { bind, cert, key, .. } => {
            migrate::run(&pool).await?;
            let listener = std::net::TcpListener::bind(&bind)?;
            let running = crate::app::serve(listener, &std::fs::read(&cert)?, &std::fs::read(&key)?, AppState { pool }).await?;
            eprintln!("hall-hq: serving https://{}", running.addr);
            tokio::select! {
                result = tokio::signal::ctrl_c() => result?,
                _ = terminate() => {}
            }
            running.stop().await;
        }
        Command::Migrate { citus, citus_dir } => {
            let ran = migrate::run(&pool).await?;
            println!("migrations applied: {ran}");
            if citus {
                for name in migrate::run_citus(&pool, &citus_dir).await? {
                    println!("citus: {name}");
                }
            }
        }
        Command::Outlet { command: OutletCommand::Add { code, name, areas } } => {
            admin::outlet_add(&pool, &code, &name, &areas).await?;
            println!("outlet {code} added");
        }
        Command::Outlet { command: OutletCommand::List } => {
            for outlet in admin::outlets(&pool).await? {
                println!("{}\t{}\t{}", outlet.code, outlet.name, outlet.areas.join(","));
            }
        }
        Command::Workstation { command: WorkstationCommand::Add { outlet, counter } } => {
            println!("{}", admin::workstation_add(&pool, &outlet, counter).await?);
        }
        Command::Workstation { command: WorkstationCommand::Revoke { outlet, workstation_id } } => {
            admin::workstation_revoke(&pool, &outlet, &workstation_id).await?;
            println!("workstation {workstation_id} revoked");
        }
        Command::Workstation { command: WorkstationCommand::Unfence { outlet, workstation_id, operator } } => {
            admin::unfence(&pool, &outlet, &workstation_id, &operator).await?;
            println!("workstation {workstation_id} unfenced");
        }
        Command::User { command: UserCommand::Add { outlet, username, display_name, role } } => {
            let password = match std::env::var("HALL_HQ_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let user = admin::user_add(&pool, &outlet, &username, &display_name, &role, &password).await?;
            println!("user {} ({}) added to {outlet}", user.username, user.id);
        }
        Command::Operator { command: OperatorCommand::Add { username, display_name } } => {
            migrate::run(&pool).await?;
            let password = crate::console::cli::read_password()?;
            crate::console::cli::operator_add(&pool, &username, &display_name, &password).await?;
            println!("operator {username} added");
        }
        Command::Publish { what } => publish(&pool, what).await?,
        Command::Status => {
            let status = admin::status(&pool).await?;
            println!("{}", serde_json::to_string_pretty(&status)?);
        }
        Command::Bench { what: Bench::Copy } => {
            let run = crate::bench::copy_events(&pool).await?;
            println!("copy_rows: {}", run.rows);
            println!("copy_events_per_s: {:.0}", run.events_per_s);
        }
        Command::Bench { what: Bench::SeedBills { outlet, per_customer } } => {
            let started = std::time::Instant::now();
            let rows = crate::bench::seed_bills(&pool, &outlet, per_customer).await?;
            println!("seed_bills: {rows}");
            println!("seed_s: {:.2}", started.elapsed().as_secs_f64());
        }
        Command::Cert { .. } | Command::Sandbox { .. } => unreachable!("handled above"),
    }
    Ok(())
}

async fn publish(pool: &deadpool_postgres::Pool, what: Publish) -> anyhow::Result<()> {
    match what {
        Publish::Tariffs { file, version } => {
            let version = version.unwrap_or_else(|| file.file_stem().unwrap_or_default().to_string_lossy().into_owned());
            let n = admin::publish_tariffs(pool, &version, &read(&file)?).await?;
            println!("tariffs {version}: {n} versions published");
        }
        Publish::Calendar { file } => {
            let year = admin::publish_calendar(pool, &read(&file)?).await?;
            println!("calendar {year} published");
        }
        Publish::Users { file } => {
            let users = admin::parse_users(&read(&file)?)?;
            let n = admin::publish_users(pool, &users).await?.len();
            println!("users published: {n}");
        }
        Publish::Bills { file } => {
            let report = admin::publish_bills(pool, &read(&file)?).await?;
            println!("bills accepted: {}, rows published: {}, rejected: {}", report.accepted, report.published, report.rejected.len());
            for (line, reason) in &report.rejected {
                println!("line {line}: {reason}");
            }
            if !report.rejected.is_empty() {
                anyhow::bail!("{} lines rejected", report.rejected.len());
            }
        }
    }
    Ok(())
}

async fn sandbox(dir: Option<&std::path::Path>, port: u16) -> anyhow::Result<()> {
    use tokio::io::AsyncReadExt;
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let pg = crate::testing::TestPostgres::start_cluster(dir)?;
    let server = crate::testing::TestServer::start_on(&pg.url, port).await?;
    let ca_dir = match dir {
        Some(parent) => tempfile::Builder::new().prefix("hall-hq-ca").tempdir_in(parent)?,
        None => tempfile::Builder::new().prefix("hall-hq-ca").tempdir()?,
    };
    let ca_path = ca_dir.path().join("ca.pem");
    std::fs::write(&ca_path, &server.ca_pem)?;
    println!("{}", serde_json::json!({ "url": server.url, "ca_pem_path": ca_path, "database_url": pg.url }));
    let stdin_closed = async {
        let mut stdin = tokio::io::stdin();
        let mut buffer = [0u8; 256];
        while stdin.read(&mut buffer).await.is_ok_and(|n| n > 0) {}
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate() => {}
        _ = stdin_closed => {}
    }
    server.stop().await;
    drop(pg);
    // Exit here: after a signal, the blocking read of stdin still runs, and returning would make
    // the runtime wait for it for ever.
    std::process::exit(0)
}

#[cfg(unix)]
async fn terminate() {
    if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        signal.recv().await;
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}
