//! The router and the HTTPS server. Nothing that matters lives in the process between requests:
//! every fact is in PostgreSQL, so any number of instances serve one database.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use deadpool_postgres::Pool;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

use crate::{enrol, openapi, pull, push};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
}

/// The console's JSON API (the console branch fills this in), nested at `/console/api`.
pub fn console_router() -> Router<AppState> {
    Router::new()
}

pub fn router(state: AppState) -> Router {
    let sync = Router::new()
        .route("/enrol", post(enrol::enrol))
        .route("/workstation", get(push::state))
        .route("/push", post(push::push))
        .route("/changes", get(pull::changes))
        .route("/snapshot", get(pull::snapshot))
        .layer(axum::middleware::from_fn(crate::auth::require_protocol))
        .route("/openapi.json", get(openapi::serve));
    Router::new()
        .nest("/v1", sync)
        .nest("/console/api", console_router())
        .fallback(|| async { crate::error::Error::NoRoute })
        .method_not_allowed_fallback(|| async { crate::error::Error::MethodNotAllowed })
        // The limit applies to the body after decompression (the decompression layer is outside it).
        .layer(DefaultBodyLimit::max(hall_protocol::push::MAX_BATCH_BYTES))
        .layer(RequestDecompressionLayer::new().gzip(true).zstd(true))
        .layer(CompressionLayer::new().gzip(true).zstd(true))
        .with_state(state)
}

/// Installs the process's TLS crypto provider (ring); harmless when already installed.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A running server: its address and the handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: Handle<SocketAddr>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish for up to a second.
    pub async fn stop(self) {
        self.handle.graceful_shutdown(Some(std::time::Duration::from_secs(1)));
        let _ = self.task.await;
    }
}

/// Serves HTTPS on `listener` with the PEM certificate chain and key.
pub async fn serve(listener: std::net::TcpListener, cert_pem: &[u8], key_pem: &[u8], state: AppState) -> anyhow::Result<Running> {
    install_crypto();
    let tls = RustlsConfig::from_pem(cert_pem.to_vec(), key_pem.to_vec()).await?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle: Handle<SocketAddr> = Handle::new();
    let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle.clone());
    let app = router(state);
    let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
    Ok(Running { addr, handle, task })
}
