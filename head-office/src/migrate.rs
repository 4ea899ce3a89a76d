//! Numbered migrations, run at start and by `hall-hq migrate`. Each runs once, in its own
//! transaction, under an advisory lock so that two servers starting together do not race.
//! `--citus` then runs the distribution DDL of `head-office/citus/` (idempotent files, by name).

use std::path::Path;

use deadpool_postgres::Pool;

/// (version, name, SQL). 002 belongs to the console.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "001_core", include_str!("../migrations/001_core.sql")),
    (2, "002_console", include_str!("../migrations/002_console.sql")),
    (3, "003_fork_ledger", include_str!("../migrations/003_fork_ledger.sql")),
    (4, "004_service_tickets", include_str!("../migrations/004_service_tickets.sql")),
];

const LOCK_KEY: i64 = 0x4841_4c4c_4851; // "HALLHQ"

/// Applies the migrations not yet applied; returns how many ran.
pub async fn run(pool: &Pool) -> anyhow::Result<usize> {
    let mut client = pool.get().await?;
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY]).await?;
    let result = apply(&mut client).await;
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await?;
    result
}

async fn apply(client: &mut deadpool_postgres::Client) -> anyhow::Result<usize> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let mut ran = 0;
    for (version, name, sql) in MIGRATIONS {
        let done = client.query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version]).await?.is_some();
        if done {
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await.map_err(|e| anyhow::anyhow!("migration {name}: {e}"))?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[version, name]).await?;
        tx.commit().await?;
        ran += 1;
    }
    Ok(ran)
}

/// Runs every `*.sql` file of `dir` in name order (the Citus distribution DDL); returns their names.
pub async fn run_citus(pool: &Pool, dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    let client = pool.get().await?;
    let mut names = Vec::new();
    for file in files {
        let sql = std::fs::read_to_string(&file)?;
        client.batch_execute(&sql).await.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        names.push(file.file_name().unwrap_or_default().to_string_lossy().into_owned());
    }
    Ok(names)
}
