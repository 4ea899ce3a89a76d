//! Who is asking: the protocol version header and the workstation's bearer credential.
//!
//! A credential is `<outlet>.<workstation_id>.<secret>`; head office keeps only the secret's
//! SHA-256. Carrying the outlet in the credential lets the lookup go to the outlet's shard.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::Error;

/// Refuses a request whose `hall-protocol` header is missing or names a version this server does
/// not speak.
pub async fn require_protocol(request: Request, next: Next) -> Response {
    let header = request.headers().get(hall_protocol::VERSION_HEADER).map(|v| v.to_str().unwrap_or("?").to_owned());
    let supported = header.as_deref().and_then(|v| v.trim().parse::<u32>().ok()).is_some_and(|v| hall_protocol::SUPPORTED.contains(&v));
    if !supported {
        return Error::ProtocolUnsupported(header.unwrap_or_else(|| "none".into())).into_response();
    }
    next.run(request).await
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A random secret: 32 bytes, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// An authenticated, unrevoked workstation.
#[derive(Debug, Clone)]
pub struct Workstation {
    pub outlet_code: String,
    pub workstation_id: String,
    pub fenced: Option<String>,
}

/// Splits a credential into (outlet, workstation, secret).
pub fn parse_credential(credential: &str) -> Option<(&str, &str, &str)> {
    let mut parts = credential.splitn(3, '.');
    let (outlet, workstation, secret) = (parts.next()?, parts.next()?, parts.next()?);
    (!outlet.is_empty() && !workstation.is_empty() && !secret.is_empty()).then_some((outlet, workstation, secret))
}

impl FromRequestParts<AppState> for Workstation {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(Error::AuthMissing)?;
        let credential = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")).ok_or(Error::AuthInvalid)?.trim();
        let (outlet, workstation, secret) = parse_credential(credential).ok_or(Error::AuthInvalid)?;
        let client = state.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT credential_hash, revoked_at IS NOT NULL, fenced FROM workstations WHERE outlet_code = $1 AND workstation_id = $2",
                &[&outlet, &workstation],
            )
            .await?
            .ok_or(Error::AuthInvalid)?;
        let stored: String = row.get(0);
        // Both sides are fixed-length hex digests, so comparing them leaks nothing about the secret.
        if stored != sha256_hex(secret) {
            return Err(Error::AuthInvalid);
        }
        if row.get::<_, bool>(1) {
            return Err(Error::Revoked);
        }
        Ok(Workstation { outlet_code: outlet.to_owned(), workstation_id: workstation.to_owned(), fenced: row.get(2) })
    }
}
