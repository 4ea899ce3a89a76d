//! The router and the HTTPS server. Nothing that matters lives in the process between requests:
//! every fact is in PostgreSQL, so any number of instances serve one database.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use deadpool_postgres::Pool;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::{enrol, openapi, pull, push};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
}

/// The console's JSON API (the console branch fills this in), nested at `/console/api`.
pub fn console_router() -> Router<AppState> {
    crate::console::router()
}

pub fn router(state: AppState) -> Router {
    router_with(state, Limits::default())
}

/// What a server may tune about its connections; [`Limits::default`] is what production runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a request body may go without a byte arriving.
    pub body_stall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { body_stall: BODY_STALL_LIMIT }
    }
}

/// The router with `limits` (tests shorten them so that a stall is seen in seconds).
pub fn router_with(state: AppState, limits: Limits) -> Router {
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
        .merge(crate::console::ui_router())
        .fallback(|| async { crate::error::Error::NoRoute })
        .method_not_allowed_fallback(|| async { crate::error::Error::MethodNotAllowed })
        // The limit applies to the body after decompression (the decompression layer is outside it)…
        .layer(DefaultBodyLimit::max(hall_protocol::push::MAX_BATCH_BYTES))
        .layer(RequestDecompressionLayer::new().gzip(true).zstd(true))
        // …and to the bytes as they arrive, which must also keep coming: a client that stops
        // sending mid-body is cut off rather than holding a connection and its buffer.
        .layer(axum::middleware::from_fn(limit_wire_body))
        .layer(RequestBodyTimeoutLayer::new(limits.body_stall))
        .layer(CompressionLayer::new().gzip(true).zstd(true))
        .with_state(state)
}

/// How long a request body may go without a byte arriving. Generous for a rural link; a whole
/// request has no limit, since a large batch over a slow line takes minutes.
const BODY_STALL_LIMIT: Duration = Duration::from_secs(60);

/// Refuses a body whose declared length is over the limit before reading any of it. (One that
/// does not declare its length is bounded after decompression, which reads it as a stream.)
async fn limit_wire_body(request: Request, next: Next) -> Result<Response, crate::error::Error> {
    let declared = request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > hall_protocol::push::MAX_BATCH_BYTES as u64) {
        return Err(crate::error::Error::TooLarge);
    }
    Ok(next.run(request).await)
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
    serve_with(listener, cert_pem, key_pem, state, Limits::default()).await
}

/// [`serve`] with `limits`.
pub async fn serve_with(
    listener: std::net::TcpListener,
    cert_pem: &[u8],
    key_pem: &[u8],
    state: AppState,
    limits: Limits,
) -> anyhow::Result<Running> {
    install_crypto();
    let tls = RustlsConfig::from_pem(cert_pem.to_vec(), key_pem.to_vec()).await?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle: Handle<SocketAddr> = Handle::new();
    let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle.clone());
    let app = router_with(state, limits);
    let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
    Ok(Running { addr, handle, task })
}
