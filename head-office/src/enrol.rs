//! `POST /v1/enrol`: a one-time code becomes the workstation's credential.
//!
//! The code is `<outlet>.<XXXX-XXXX-XXXX-XXXX>`; its outlet part routes the lookup to the outlet's
//! shard and only the code's SHA-256 is stored. The code row is locked while it is used, so two
//! machines presenting the same code cannot both enrol; a used code is refused from then on.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use hall_protocol::enrol::{EnrolRequest, EnrolResponse};

use crate::AppState;
use crate::auth::{new_secret, sha256_hex};
use crate::error::{Error, Result};
use crate::extract::JsonBody;

#[utoipa::path(post, path = "/v1/enrol", request_body = EnrolRequest, tag = "sync",
    params(("hall-protocol" = u32, Header, description = "protocol version")),
    responses((status = 200, body = EnrolResponse), (status = 400, body = hall_protocol::ErrorBody),
        (status = 403, body = hall_protocol::ErrorBody), (status = 409, body = hall_protocol::ErrorBody),
        (status = 413, body = hall_protocol::ErrorBody), (status = 503, body = hall_protocol::ErrorBody)))]
pub async fn enrol(State(state): State<AppState>, JsonBody(request): JsonBody<EnrolRequest>) -> Result<Json<EnrolResponse>> {
    check(&request)?;
    let outlet = request.code.split_once('.').map(|(outlet, _)| outlet.to_owned()).ok_or(Error::EnrolCodeInvalid)?;
    let code_hash = sha256_hex(&normalise_code(&request.code));
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let code = tx
        .query_opt(
            "SELECT counter_no, used_at IS NOT NULL, expires_at < now() FROM enrol_codes
             WHERE outlet_code = $1 AND code_hash = $2 FOR UPDATE",
            &[&outlet, &code_hash],
        )
        .await?
        .ok_or(Error::EnrolCodeInvalid)?;
    let (counter_no, used, expired): (i64, bool, bool) = (code.get(0), code.get(1), code.get(2));
    if used || expired {
        return Err(Error::EnrolCodeInvalid);
    }
    let existing: Option<String> = tx
        .query_opt(
            "SELECT receipt_public_key FROM workstations WHERE outlet_code = $1 AND workstation_id = $2 FOR UPDATE",
            &[&outlet, &request.workstation_id],
        )
        .await?
        .map(|row| row.get(0));
    let secret = new_secret();
    match existing {
        // Enrolling again with a new code an operator made: after a revocation, or when the answer
        // to the first enrolment was lost on the way (the code used, the credential never seen).
        // The new credential replaces the old; a fence stays until an operator lifts it, and the
        // series stay as they are. The same workstation signs receipts with the same key: another
        // key under its id is another machine, refused.
        Some(key) if key != request.receipt_public_key => return Err(Error::AlreadyEnrolled),
        Some(_) => {
            tx.execute(
                "UPDATE workstations SET credential_hash = $3, counter_no = $4, hostname = $5, app_version = $6, revoked_at = NULL
                 WHERE outlet_code = $1 AND workstation_id = $2",
                &[&outlet, &request.workstation_id, &sha256_hex(&secret), &counter_no, &request.hostname, &request.app_version],
            )
            .await?;
        }
        None => {
            tx.execute(
                "INSERT INTO workstations (outlet_code, workstation_id, counter_no, credential_hash, receipt_public_key, hostname, app_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &outlet,
                    &request.workstation_id,
                    &counter_no,
                    &sha256_hex(&secret),
                    &request.receipt_public_key,
                    &request.hostname,
                    &request.app_version,
                ],
            )
            .await?;
        }
    }
    tx.execute(
        "UPDATE enrol_codes SET used_at = now(), used_by = $3 WHERE outlet_code = $1 AND code_hash = $2",
        &[&outlet, &code_hash, &request.workstation_id],
    )
    .await?;
    let row = tx.query_one("SELECT name, areas FROM outlets WHERE code = $1", &[&outlet]).await?;
    tx.commit().await?;
    Ok(Json(EnrolResponse {
        workstation_id: request.workstation_id.clone(),
        outlet_code: outlet.clone(),
        outlet_name: row.get(0),
        counter_no,
        areas: row.get(1),
        credential: format!("{outlet}.{}.{secret}", request.workstation_id),
    }))
}

/// Upper case, without spaces, so a code typed from paper matches.
pub fn normalise_code(code: &str) -> String {
    let code = code.trim();
    match code.split_once('.') {
        Some((outlet, rest)) => format!("{outlet}.{}", rest.to_ascii_uppercase().replace(' ', "")),
        None => code.to_owned(),
    }
}

fn check(request: &EnrolRequest) -> Result<()> {
    if uuid::Uuid::parse_str(&request.workstation_id).is_err() {
        return Err(Error::invalid("enrol.workstation_id", "工作站编号不是有效的UUID", "The workstation id is not a UUID"));
    }
    if request.epoch < 1 {
        return Err(Error::invalid("enrol.epoch", "纪元须为正整数", "The epoch must be a positive integer"));
    }
    let key = base64::engine::general_purpose::STANDARD.decode(request.receipt_public_key.trim()).ok();
    let valid = key
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .is_some_and(|bytes| ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_ok());
    if !valid {
        return Err(Error::invalid(
            "enrol.public_key",
            "收据签名公钥不是有效的 Ed25519 公钥（Base64）",
            "The receipt-signing key is not an Ed25519 public key in Base64",
        ));
    }
    if request.hostname.len() > 255 || request.app_version.len() > 64 {
        return Err(Error::invalid("enrol.field_too_long", "主机名或版本过长", "The host name or version is too long"));
    }
    Ok(())
}
