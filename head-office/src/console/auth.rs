//! Operators and their sessions. Passwords are Argon2id PHC strings; a session is a random bearer
//! token of which head office keeps only the SHA-256, ending 12 hours after login or after 30
//! minutes without a request.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::error::{ConsoleError, ConsoleResult};
use super::types::{Done, LoginArgs, LoginReply, OperatorInfo};
use crate::AppState;

const SESSION_HOURS: i32 = 12;
const IDLE_MINUTES: i32 = 30;

/// The operator of an authenticated request.
#[derive(Debug, Clone)]
pub struct Operator {
    pub username: String,
    pub display_name: String,
    token_hash: String,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> ConsoleResult<String> {
    hall_domain::password::hash(password).map_err(|e| ConsoleError::internal(e.to_string()))
}

/// Adds an operator, or sets the password and name of an existing one.
pub async fn upsert_operator(client: &tokio_postgres::Client, username: &str, display_name: &str, password: &str) -> ConsoleResult<()> {
    let username = username.trim();
    if username.is_empty() || username.len() > 64 {
        return Err(ConsoleError::bad_request("operator.username", "用户名须为 1 至 64 个字符", "The username must be 1 to 64 characters"));
    }
    if password.chars().count() < 8 {
        return Err(ConsoleError::bad_request("operator.password_short", "密码至少 8 位", "The password must have at least 8 characters"));
    }
    let hash = hash_password(password)?;
    let name = if display_name.trim().is_empty() { username } else { display_name.trim() };
    client
        .execute(
            "INSERT INTO console_operator (username, display_name, password_hash) VALUES ($1, $2, $3)
             ON CONFLICT (username) DO UPDATE SET display_name = $2, password_hash = $3, active = true",
            &[&username, &name, &hash],
        )
        .await?;
    Ok(())
}

fn login_failed() -> ConsoleError {
    ConsoleError::new(axum::http::StatusCode::UNAUTHORIZED, "console.login_failed", "用户名或密码不正确", "Wrong username or password")
}

pub async fn login(State(state): State<AppState>, Json(args): Json<LoginArgs>) -> ConsoleResult<Json<LoginReply>> {
    let client = state.pool.get().await?;
    let row = client
        .query_opt("SELECT display_name, password_hash FROM console_operator WHERE username = $1 AND active", &[&args.username.trim()])
        .await?;
    let Some(row) = row else {
        let password = args.password.clone();
        let _ = tokio::task::spawn_blocking(move || hall_domain::password::matches(&DUMMY_HASH, &password)).await;
        return Err(login_failed());
    };
    let (display_name, phc): (String, String) = (row.get(0), row.get(1));
    let password = args.password.clone();
    let matches =
        tokio::task::spawn_blocking(move || hall_domain::password::matches(&phc, &password)).await.map_err(ConsoleError::internal)?;
    if !matches {
        return Err(login_failed());
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = URL_SAFE_NO_PAD.encode(secret);
    let username = args.username.trim().to_owned();
    client
        .execute(
            "INSERT INTO console_session (token_hash, username, expires_at)
             VALUES ($1, $2, now() + make_interval(hours => $3))",
            &[&token_hash(&token), &username, &SESSION_HOURS],
        )
        .await?;
    let row = client
        .query_one(
            "SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM console_session WHERE token_hash = $1",
            &[&token_hash(&token)],
        )
        .await?;
    Ok(Json(LoginReply { token, operator: OperatorInfo { username, display_name }, expires_at: row.get(0) }))
}

pub async fn logout(State(state): State<AppState>, operator: Operator) -> ConsoleResult<Json<Done>> {
    let client = state.pool.get().await?;
    client.execute("DELETE FROM console_session WHERE token_hash = $1", &[&operator.token_hash]).await?;
    Ok(Json(Done { ok: true }))
}

pub async fn me(operator: Operator) -> Json<OperatorInfo> {
    Json(OperatorInfo { username: operator.username, display_name: operator.display_name })
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ConsoleError::unauthorized)?;
        let hash = token_hash(token.trim());
        let client = state.pool.get().await?;
        // Touching the session and reading it in one statement: an idle or expired one is gone.
        let row = client
            .query_opt(
                "UPDATE console_session s SET last_seen = now()
                 FROM console_operator o
                 WHERE s.token_hash = $1 AND o.username = s.username AND o.active
                   AND s.expires_at > now() AND s.last_seen > now() - make_interval(mins => $2)
                 RETURNING o.username, o.display_name",
                &[&hash, &IDLE_MINUTES],
            )
            .await?;
        let row = row.ok_or_else(ConsoleError::unauthorized)?;
        Ok(Operator { username: row.get(0), display_name: row.get(1), token_hash: hash })
    }
}

/// A hash of a password nobody knows, checked when the username is unknown so that a miss takes as
/// long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("no operator has this password").unwrap_or_default());
