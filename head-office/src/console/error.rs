//! The console API's errors: an HTTP status and a body with a stable code and both languages.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::types::ConsoleErrorBody;

#[derive(Debug)]
pub struct ConsoleError {
    pub status: StatusCode,
    pub body: ConsoleErrorBody,
}

pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl ConsoleError {
    pub fn new(status: StatusCode, code: &str, zh: &str, en: &str) -> Self {
        ConsoleError { status, body: ConsoleErrorBody { code: code.into(), zh: zh.into(), en: en.into() } }
    }

    pub fn bad_request(code: &str, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    pub fn not_found(code: &str, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, zh, en)
    }

    pub fn conflict(code: &str, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::CONFLICT, code, zh, en)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "console.session_required", "请先登录", "Please log in")
    }

    /// A failure of head office itself; the detail goes to the log, not to the operator.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("console: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "console.internal",
            "总部服务器内部错误，请稍后重试",
            "Head office failed internally; try again shortly",
        )
    }
}

impl From<tokio_postgres::Error> for ConsoleError {
    fn from(error: tokio_postgres::Error) -> Self {
        ConsoleError::internal(format!("database: {error}"))
    }
}

impl From<deadpool_postgres::PoolError> for ConsoleError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        ConsoleError::internal(format!("database pool: {error}"))
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// A sync-side failure inside a console action (projecting an accepted fork): a rejected record
/// is told as such, anything else is head office's own failure.
impl From<crate::error::Error> for ConsoleError {
    fn from(error: crate::error::Error) -> Self {
        match error {
            crate::error::Error::Invalid(body) => ConsoleError::conflict(&body.code, &body.zh, &body.en),
            other => ConsoleError::internal(other),
        }
    }
}
