//! The connection pool.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

/// A pool over `url` (a libpq URL or key=value string), at most `size` connections.
pub fn pool(url: &str, size: usize) -> anyhow::Result<Pool> {
    let config: tokio_postgres::Config = url.parse()?;
    let manager = Manager::from_config(config, tokio_postgres::NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Ok(Pool::builder(manager).max_size(size).build()?)
}
