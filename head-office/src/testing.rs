//! For tests (this crate's and other crates'): a throwaway PostgreSQL cluster and an in-process
//! server on loopback HTTPS with a certificate made for the test.
//!
//! `HQ_TEST_DATABASE_URL` set (the Citus suite): that database is used instead of a new cluster;
//! tests then tell their data apart by unique outlet codes, never by global counts.

use std::path::PathBuf;
use std::process::Command;

use deadpool_postgres::Pool;

use crate::{AppState, app, db, migrate, tls};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL to test against: a cluster of its own (stopped on drop) or the one named by
/// `HQ_TEST_DATABASE_URL`.
pub struct TestPostgres {
    pub url: String,
    cluster: Option<(tempfile::TempDir, bool)>,
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as user `postgres` when we are root (PostgreSQL refuses root).
fn pg(as_postgres: bool, program: &str, args: &[&str]) -> anyhow::Result<()> {
    let path = format!("{PG_BIN}/{program}");
    let mut command = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &path]);
        c
    } else {
        Command::new(&path)
    };
    let output = command.args(args).output().map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{program} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TestPostgres {
    pub fn start() -> anyhow::Result<TestPostgres> {
        if let Ok(url) = std::env::var("HQ_TEST_DATABASE_URL") {
            return Ok(TestPostgres { url, cluster: None });
        }
        Self::start_cluster(None)
    }

    /// A new cluster in a temporary directory under `parent` (the system's temp dir by default).
    pub fn start_cluster(parent: Option<&std::path::Path>) -> anyhow::Result<TestPostgres> {
        anyhow::ensure!(
            PathBuf::from(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 is not installed ({PG_BIN}); apt-get install postgresql-15 (scripts/setup.sh does)"
        );
        let builder = tempfile::Builder::new().prefix("hall-hq-pg").to_owned();
        let dir = match parent {
            Some(parent) => builder.tempdir_in(parent)?,
            None => builder.tempdir()?,
        };
        let root = is_root();
        if root {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status()?;
            anyhow::ensure!(status.success(), "chown of the test cluster's directory failed");
        }
        let data = dir.path().join("data");
        let data_s = data.to_string_lossy().into_owned();
        pg(root, "initdb", &["-D", &data_s, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])?;
        let port = free_port()?;
        let socket = dir.path().to_string_lossy().into_owned();
        let log = dir.path().join("log").to_string_lossy().into_owned();
        let options = format!("-p {port} -k {socket} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");
        pg(root, "pg_ctl", &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"])?;
        Ok(TestPostgres { url: format!("postgresql://postgres@127.0.0.1:{port}/postgres"), cluster: Some((dir, root)) })
    }

    pub fn pool(&self, size: usize) -> anyhow::Result<Pool> {
        db::pool(&self.url, size)
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some((dir, root)) = &self.cluster {
            let data = dir.path().join("data").to_string_lossy().into_owned();
            let _ = pg(*root, "pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
    }
}

/// A server on 127.0.0.1 over HTTPS, its database migrated.
pub struct TestServer {
    pub url: String,
    /// The CA a client must trust (PEM).
    pub ca_pem: String,
    pub pool: Pool,
    running: Option<app::Running>,
}

impl TestServer {
    pub async fn start(database_url: &str) -> anyhow::Result<TestServer> {
        Self::start_on(database_url, 0).await
    }

    /// On 127.0.0.1:`port` (0: any free port).
    pub async fn start_on(database_url: &str, port: u16) -> anyhow::Result<TestServer> {
        Self::start_with(database_url, port, app::Limits::default()).await
    }

    /// On 127.0.0.1:`port` (0: any free port) with `limits` in place of production's.
    pub async fn start_with(database_url: &str, port: u16, limits: app::Limits) -> anyhow::Result<TestServer> {
        let pool = db::pool(database_url, 16)?;
        migrate::run(&pool).await?;
        let made = tls::make(&["127.0.0.1".to_string(), "localhost".to_string()])?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let running =
            app::serve_with(listener, made.cert_pem.as_bytes(), made.key_pem.as_bytes(), AppState { pool: pool.clone() }, limits).await?;
        Ok(TestServer { url: format!("https://127.0.0.1:{}", running.addr.port()), ca_pem: made.ca_pem, pool, running: Some(running) })
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

/// A unique outlet code for a test (tests sharing one database keep apart by outlet).
pub fn unique_outlet(prefix: &str) -> String {
    format!("{prefix}{}", &uuid::Uuid::now_v7().simple().to_string()[20..])
}
