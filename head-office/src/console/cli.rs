//! `hall-hq operator add USERNAME [--display-name NAME]`: the password comes from
//! `HALL_HQ_PASSWORD` or the first line of standard input, never from the command line.

use deadpool_postgres::Pool;

pub async fn operator_add(pool: &Pool, username: &str, display_name: &str, password: &str) -> anyhow::Result<()> {
    let client = pool.get().await?;
    super::auth::upsert_operator(&client, username, display_name, password)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {}", e.body.code, e.body.en))
}

/// The password for `operator add`: `HALL_HQ_PASSWORD`, else a line of standard input.
pub fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("HALL_HQ_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
