//! `hall serve`: the UI and the command set over HTTP on the loopback interface only. The browser
//! build of the UI posts `{cmd, args}` to `/api/invoke` with its session token as a bearer token;
//! everything else is the UI's static files. This is also the thin-client mode for a counter PC
//! that cannot install the desktop app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hall::api::{self, App};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// No remote content: scripts, styles, images and requests all come from this server. Inline
/// styles are allowed because Ant Design writes its styles at run time.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
                   font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn run(app: App, ui_dir: PathBuf, port: u16) -> anyhow::Result<()> {
    anyhow::ensure!(ui_dir.join("index.html").is_file(), "no UI build in {} (run `npm run build` in ui/)", ui_dir.display());
    let app = Arc::new(app);
    // The daily backup, on its own thread and its own read connection.
    api::backup::start(Arc::clone(&app));
    // Sync with head office on its own thread and connection (idle until enrolled).
    api::start_sync(&app);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let address = listener.local_addr()?;
        let index = ui_dir.join("index.html");
        let router = Router::new()
            .route("/api/invoke", post(invoke))
            // An attachment arrives as base64 inside the JSON body (axum's default limit is 2 MB).
            .layer(DefaultBodyLimit::max(hall::store::attachments::max_request_bytes()))
            .fallback_service(ServeDir::new(&ui_dir).fallback(ServeFile::new(index)))
            .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
            .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
            .layer(middleware::from_fn_with_state(address, only_loopback_hosts))
            .with_state(app);
        // The test harness and scripts read this line to learn the port.
        println!("listening on http://{address}");
        axum::serve(listener, router).await?;
        Ok(())
    })
}

async fn invoke(State(app): State<Arc<App>>, headers: axum::http::HeaderMap, body: String) -> Response {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned);
    match tokio::task::spawn_blocking(move || api::dispatch_json(&app, token.as_deref(), &body)).await {
        Ok(reply) => Json(reply).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Refuses requests whose Host is not this loopback address (a DNS-rebinding page cannot reach
/// the counter's data) and cross-origin posts.
async fn only_loopback_hosts(State(address): State<SocketAddr>, request: Request, next: Next) -> Response {
    let port = address.port();
    let allowed = |value: &str| value == format!("127.0.0.1:{port}") || value == format!("localhost:{port}");
    let host_ok = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(allowed);
    let origin_ok =
        request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_none_or(|o| o.strip_prefix("http://").is_some_and(allowed));
    if host_ok && origin_ok { next.run(request).await } else { StatusCode::FORBIDDEN.into_response() }
}
