//! A fault-injecting HTTPS proxy between test workstations and head office.
//!
//! It terminates TLS with its own certificate (the workstations under test trust its CA), reads
//! each request whole, and forwards it to head office unless the plan says otherwise. The faults
//! are those a rural link and a busy server produce: a request that never arrives, a slow one, one
//! that arrives twice, an earlier request arriving again after later ones, a response cut in the
//! middle, and the commonest of all: a response lost after head office committed.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded, and the response returned.
    Pass,
    /// Never forwarded; the client's connection breaks.
    Drop,
    /// Forwarded after a pause.
    Delay(Duration),
    /// Forwarded twice; the second response is returned.
    Duplicate,
    /// Forwarded; then the oldest remembered request to the same endpoint is sent again (an old
    /// batch arriving late).
    ReplayEarlier,
    /// Forwarded; only the first half of the response body reaches the client.
    CutResponse,
    /// Forwarded and committed at head office; the client gets a broken response.
    LoseResponse,
}

/// The faults to apply: a script consumed request by request, then a random mix.
pub struct Plan {
    script: VecDeque<Fault>,
    /// Out of 100 requests once the script is done, how many get each random fault.
    pub fault_percent: u32,
    rng: StdRng,
}

impl Plan {
    pub fn clean() -> Plan {
        Plan { script: VecDeque::new(), fault_percent: 0, rng: StdRng::seed_from_u64(0) }
    }

    /// A random mix with `fault_percent`% of requests faulted, reproducible from `seed`.
    pub fn random(seed: u64, fault_percent: u32) -> Plan {
        Plan { script: VecDeque::new(), fault_percent, rng: StdRng::seed_from_u64(seed) }
    }

    pub fn then(mut self, faults: &[Fault]) -> Plan {
        self.script.extend(faults.iter().copied());
        self
    }

    fn next(&mut self) -> Fault {
        if let Some(fault) = self.script.pop_front() {
            return fault;
        }
        if self.fault_percent == 0 || self.rng.gen_range(0..100) >= self.fault_percent {
            return Fault::Pass;
        }
        match self.rng.gen_range(0..6) {
            0 => Fault::Drop,
            1 => Fault::Delay(Duration::from_millis(self.rng.gen_range(10..200))),
            2 => Fault::Duplicate,
            3 => Fault::ReplayEarlier,
            4 => Fault::CutResponse,
            _ => Fault::LoseResponse,
        }
    }
}

/// A request as received, kept for replaying.
#[derive(Clone)]
struct Recorded {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// Where requests go: head office's base URL and a client trusting its CA.
struct Upstream {
    url: String,
    client: reqwest::Client,
}

struct Shared {
    upstream: Mutex<Arc<Upstream>>,
    /// Requests forwarded to head office so far (a test waits on it to act mid-request).
    forwarded: AtomicU64,
    plan: Mutex<Plan>,
    /// Recent requests, for `ReplayEarlier`.
    history: Mutex<VecDeque<Recorded>>,
    /// Every fault applied, in order, for the test's report.
    applied: Mutex<Vec<(String, Fault)>>,
}

pub struct FaultProxy {
    pub url: String,
    /// The CA certificate (PEM) the workstations must trust to talk to the proxy.
    pub ca_pem: String,
    shared: Arc<Shared>,
    handle: axum_server::Handle<SocketAddr>,
}

/// A client for head office that hands responses on as they come: no decompression (the
/// workstation decompresses), no redirects, no pooled connection surviving a restart for long.
fn upstream(url: &str, ca_pem: &str) -> Arc<Upstream> {
    head_office::app::install_crypto();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("head office's CA parses"))
        .no_gzip()
        .no_zstd()
        .no_brotli()
        .no_deflate()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client for head office");
    Arc::new(Upstream { url: url.trim_end_matches('/').to_owned(), client })
}

impl FaultProxy {
    /// Starts a proxy on a random loopback port in front of `upstream` (head office's base URL),
    /// trusting `upstream_ca_pem` for its connection to head office.
    pub async fn start(upstream_url: &str, upstream_ca_pem: &str, plan: Plan) -> FaultProxy {
        let made = head_office::tls::make(&["127.0.0.1".to_owned(), "localhost".to_owned()]).expect("a certificate for the proxy");
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem(made.cert_pem.into_bytes(), made.key_pem.into_bytes())
            .await
            .expect("the proxy's TLS configuration");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream(upstream_url, upstream_ca_pem)),
            forwarded: AtomicU64::new(0),
            plan: Mutex::new(plan),
            history: Mutex::new(VecDeque::new()),
            applied: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new().fallback(forward).with_state(shared.clone());
        let handle: axum_server::Handle<SocketAddr> = axum_server::Handle::new();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let addr: SocketAddr = listener.local_addr().expect("the proxy's address");
        let server = axum_server::from_tcp_rustls(listener, tls).expect("the proxy serves").handle(handle.clone());
        tokio::spawn(async move { server.serve(app.into_make_service()).await });
        FaultProxy { url: format!("https://127.0.0.1:{}", addr.port()), ca_pem: made.ca_pem, shared, handle }
    }

    /// Points the proxy at another head office instance (a restarted server on a new port).
    pub fn set_upstream(&self, url: &str, ca_pem: &str) {
        *self.shared.upstream.lock().unwrap() = upstream(url, ca_pem);
    }

    /// How many requests have been forwarded to head office so far.
    pub fn forwarded(&self) -> u64 {
        self.shared.forwarded.load(Ordering::SeqCst)
    }

    /// Replaces the plan (e.g. a clean link for the final sync of a scenario).
    pub fn set_plan(&self, plan: Plan) {
        *self.shared.plan.lock().unwrap() = plan;
    }

    /// The faults applied so far, with the request path each hit.
    pub fn applied(&self) -> Vec<(String, Fault)> {
        self.shared.applied.lock().unwrap().clone()
    }

    pub fn stop(&self) {
        self.handle.shutdown();
    }
}

const HOP_BY_HOP: &[&str] = &["host", "content-length", "connection", "transfer-encoding"];

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return broken();
    };
    let recorded = Recorded { method: parts.method, uri: parts.uri, headers: parts.headers, body };
    let fault = shared.plan.lock().unwrap().next();
    shared.applied.lock().unwrap().push((recorded.uri.path().to_owned(), fault));
    match fault {
        Fault::Drop => return broken(),
        Fault::Delay(pause) => tokio::time::sleep(pause).await,
        _ => {}
    }
    let response = send(&shared, &recorded).await;
    let response = match fault {
        Fault::Duplicate => send(&shared, &recorded).await,
        Fault::ReplayEarlier => {
            // The oldest request to the same endpoint still remembered: an old batch arriving late.
            let earlier =
                shared.history.lock().unwrap().iter().find(|r| r.method == recorded.method && r.uri.path() == recorded.uri.path()).cloned();
            if let Some(earlier) = earlier {
                // The replay's own answer goes nowhere, as a late duplicate's would.
                let _ = send(&shared, &earlier).await;
            }
            response
        }
        _ => response,
    };
    {
        let mut history = shared.history.lock().unwrap();
        history.push_back(recorded);
        if history.len() > 64 {
            history.pop_front();
        }
    }
    let Some((status, headers, body)) = response else { return broken() };
    match fault {
        Fault::LoseResponse => broken(),
        Fault::CutResponse => {
            let half = body.slice(..body.len() / 2);
            let stream = futures::stream::iter([Ok::<Bytes, std::io::Error>(half), Err(std::io::Error::other("cut by the proxy"))]);
            reply(status, &headers, Body::from_stream(stream))
        }
        _ => reply(status, &headers, Body::from(body)),
    }
}

/// Sends `request` to head office; `None` when head office could not be reached.
async fn send(shared: &Shared, request: &Recorded) -> Option<(StatusCode, HeaderMap, Bytes)> {
    let path = request.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let upstream = shared.upstream.lock().unwrap().clone();
    shared.forwarded.fetch_add(1, Ordering::SeqCst);
    let mut outgoing = upstream.client.request(request.method.clone(), format!("{}{path}", upstream.url)).body(request.body.clone());
    for (name, value) in &request.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            outgoing = outgoing.header(name, value);
        }
    }
    let response = outgoing.send().await.ok()?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.ok()?;
    Some((status, headers, body))
}

fn reply(status: StatusCode, headers: &HeaderMap, body: Body) -> Response {
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            response = response.header(name, value);
        }
    }
    response.body(body).unwrap()
}

/// A response whose body fails at once: the client sees a broken connection, not an answer.
fn broken() -> Response {
    let stream = futures::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::other("dropped by the proxy"))]);
    Response::builder()
        .status(StatusCode::OK)
        .header(HeaderName::from_static("content-type"), "application/json")
        .body(Body::from_stream(stream))
        .unwrap()
}
