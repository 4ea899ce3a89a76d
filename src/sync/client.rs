//! The HTTP client for head office's `/v1` endpoints: rustls (ring) trusting the system's roots
//! plus an optional configured CA, the protocol version header on every request, request bodies
//! compressed with zstd, responses decompressed. Blocking: it runs on the sync task's own thread
//! (the core has no async), and never while the store's lock is held.

use std::sync::Arc;
use std::time::Duration;

use hall_protocol::enrol::{EnrolRequest, EnrolResponse};
use hall_protocol::pull::{ChangePage, SnapshotPage};
use hall_protocol::push::{PushRequest, PushResponse, WorkstationState};
use hall_protocol::{ErrorBody, VERSION, VERSION_HEADER};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::UserMessage;

/// Why a request to head office failed, sorted by what the task does about it.
#[derive(Debug)]
pub enum SyncError {
    /// Head office could not be reached or answered 5xx or garbage: try again later.
    Unreachable(String),
    /// Head office's certificate is not trusted (a wrong CA, a wrong address).
    Untrusted(String),
    /// Head office refused the request (4xx) with its reason.
    Refused { status: u16, body: ErrorBody },
    /// Head office refuses this workstation until an operator acts: a suspected clone, a revoked
    /// credential. Retrying cannot help; the status says so plainly.
    Fenced(ErrorBody),
    /// Something failed here (the store).
    Local(crate::error::Error),
}

impl SyncError {
    /// The failure in plain words for the top bar.
    pub fn message(&self) -> UserMessage {
        match self {
            SyncError::Unreachable(detail) => UserMessage::new(
                "sync.unreachable",
                format!("无法连接总部，稍后将自动重试（{detail}）"),
                format!("Cannot reach head office; it will be tried again automatically ({detail})"),
            ),
            SyncError::Untrusted(detail) => UserMessage::new(
                "sync.untrusted",
                format!("总部的证书不受信任，请检查总部地址和证书文件（{detail}）"),
                format!("Head office's certificate is not trusted: check its address and the CA file ({detail})"),
            ),
            SyncError::Refused { body, .. } | SyncError::Fenced(body) => UserMessage::new(&body.code, &body.zh, &body.en),
            SyncError::Local(e) => e.messages().into_iter().next().unwrap_or_else(|| {
                UserMessage::new("sync.local", format!("本机数据库出错：{e}"), format!("The local database failed: {e}"))
            }),
        }
    }

    /// Whether head office will refuse this workstation whatever it sends (fenced or revoked).
    pub fn is_fenced(&self) -> bool {
        matches!(self, SyncError::Fenced(_))
    }
}

impl From<crate::error::Error> for SyncError {
    fn from(e: crate::error::Error) -> Self {
        SyncError::Local(e)
    }
}

impl From<SyncError> for crate::error::Error {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Local(e) => e,
            SyncError::Refused { status, .. } if status == 400 || status == 422 => crate::error::Error::invalid(e.message()),
            other => crate::error::Error::Conflict(other.message()),
        }
    }
}

pub type SyncResult<T> = std::result::Result<T, SyncError>;

/// A connection to one head office.
#[derive(Clone)]
pub struct HeadOffice {
    http: reqwest::blocking::Client,
    base: String,
    credential: Option<String>,
}

fn tls_config(ca_pem: Option<&str>) -> crate::error::Result<rustls::ClientConfig> {
    let bad_ca = |why: String| {
        crate::error::Error::invalid(
            UserMessage::new("enrol.ca", format!("证书文件无法读取：{why}"), format!("The CA certificate file cannot be read: {why}"))
                .at("ca"),
        )
    };
    let mut roots = rustls::RootCertStore::empty();
    // The system's roots; a machine without any still trusts the configured CA.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(pem) = ca_pem {
        let certs: Vec<CertificateDer> =
            CertificateDer::pem_slice_iter(pem.as_bytes()).collect::<Result<_, _>>().map_err(|e| bad_ca(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad_ca("no certificate in it".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad_ca(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| crate::error::Error::Internal(format!("tls: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl HeadOffice {
    /// A client for head office at `url` (`https://…`), trusting `ca_pem` besides the system's
    /// roots, authenticating with `credential` once enrolled.
    pub fn new(url: &str, ca_pem: Option<&str>, credential: Option<String>) -> crate::error::Result<HeadOffice> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base).ok().filter(|u| u.scheme() == "https" && u.host().is_some());
        if parsed.is_none() {
            return Err(crate::error::Error::invalid(
                UserMessage::new("enrol.url", "总部地址应为 https:// 开头的网址", "Head office's address must be an https:// URL")
                    .at("url"),
            ));
        }
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls_config(ca_pem)?)
            .https_only(true)
            .connect_timeout(Duration::from_secs(10))
            // A snapshot page of bills is large; a stalled connection still ends.
            .timeout(Duration::from_secs(180))
            .user_agent(concat!("hall/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| crate::error::Error::Internal(format!("http client: {e}")))?;
        Ok(HeadOffice { http, base, credential })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).header(VERSION_HEADER, VERSION.to_string());
        if let Some(credential) = &self.credential {
            request = request.header(AUTHORIZATION, format!("Bearer {credential}"));
        }
        request
    }

    fn post<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> SyncResult<R> {
        let json = serde_json::to_vec(body).map_err(|e| SyncError::Local(e.into()))?;
        let compressed = zstd::encode_all(json.as_slice(), 3).map_err(|e| SyncError::Local(e.into()))?;
        let request = self
            .request(reqwest::Method::POST, path)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "zstd")
            .body(compressed);
        answer(request.send())
    }

    fn get<R: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> SyncResult<R> {
        answer(self.request(reqwest::Method::GET, path).query(query).send())
    }

    pub fn enrol(&self, request: &EnrolRequest) -> SyncResult<EnrolResponse> {
        self.post("/v1/enrol", request)
    }

    pub fn workstation(&self) -> SyncResult<WorkstationState> {
        self.get("/v1/workstation", &[])
    }

    pub fn push(&self, request: &PushRequest) -> SyncResult<PushResponse> {
        self.post("/v1/push", request)
    }

    pub fn changes(&self, cursor: &str, limit: u32) -> SyncResult<ChangePage> {
        self.get("/v1/changes", &[("cursor", cursor.to_owned()), ("limit", limit.to_string())])
    }

    pub fn snapshot(&self, table: &str, after: Option<&str>, limit: u32) -> SyncResult<SnapshotPage> {
        let mut query = vec![("table", table.to_owned()), ("limit", limit.to_string())];
        if let Some(after) = after {
            query.push(("after", after.to_owned()));
        }
        self.get("/v1/snapshot", &query)
    }
}

/// Reads a response: JSON of `R` on success, head office's [`ErrorBody`] otherwise.
fn answer<R: DeserializeOwned>(sent: reqwest::Result<reqwest::blocking::Response>) -> SyncResult<R> {
    let response = sent.map_err(transport)?;
    let status = response.status();
    let bytes = response.bytes().map_err(transport)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| SyncError::Unreachable(format!("unreadable answer: {e}")));
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    if status.is_server_error() || body.is_none() {
        return Err(SyncError::Unreachable(format!("HTTP {}", status.as_u16())));
    }
    let body = body.expect("checked above");
    let fenced = status == StatusCode::UNAUTHORIZED || body.code == "workstation.fenced" || body.code.ends_with(".revoked");
    if fenced { Err(SyncError::Fenced(body)) } else { Err(SyncError::Refused { status: status.as_u16(), body }) }
}

fn transport(e: reqwest::Error) -> SyncError {
    // The chain's innermost cause names the real problem (a refused connection, a certificate).
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.to_ascii_lowercase().contains("certificate") { SyncError::Untrusted(detail) } else { SyncError::Unreachable(detail) }
}
