//! The server's errors: each a stable code, a message in both languages and an HTTP status, sent
//! as [`hall_protocol::ErrorBody`]. Database and pool failures are 503 (the client retries);
//! everything the client sent wrong is a 4xx it must not retry unchanged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hall_protocol::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("protocol.unsupported: {0}")]
    ProtocolUnsupported(String),
    #[error("auth.missing")]
    AuthMissing,
    #[error("auth.invalid")]
    AuthInvalid,
    #[error("auth.revoked")]
    Revoked,
    #[error("workstation.fenced: {0}")]
    Fenced(String),
    #[error("enrol.code_invalid")]
    EnrolCodeInvalid,
    #[error("enrol.already_enrolled")]
    AlreadyEnrolled,
    #[error("push.wrong_workstation")]
    WrongWorkstation,
    #[error("pull.scope_denied: {0}")]
    ScopeDenied(String),
    #[error("request.too_large")]
    TooLarge,
    #[error("request.unreadable: {0}")]
    Unreadable(String),
    #[error("request.malformed: {0}")]
    Malformed(String),
    /// Any other rejected input, with its own code and messages.
    #[error("{0}")]
    Invalid(ErrorBody),
    #[error("request.no_route")]
    NoRoute,
    #[error("request.method")]
    MethodNotAllowed,
    #[error("not_found: {0}")]
    NotFound(ErrorBody),
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::Invalid(ErrorBody::new(code, zh, en))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::ProtocolUnsupported(_) | Error::Unreadable(_) | Error::Malformed(_) | Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::AuthMissing | Error::AuthInvalid => StatusCode::UNAUTHORIZED,
            Error::Revoked | Error::EnrolCodeInvalid | Error::WrongWorkstation | Error::ScopeDenied(_) => StatusCode::FORBIDDEN,
            Error::Fenced(_) | Error::AlreadyEnrolled => StatusCode::CONFLICT,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::NotFound(_) | Error::NoRoute => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Database(_) | Error::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            Error::ProtocolUnsupported(v) => ErrorBody::new(
                "protocol.unsupported",
                format!("不支持的同步协议版本 {v:?}；请升级工作站或总部"),
                format!("Unsupported sync protocol version {v:?}; upgrade the workstation or head office"),
            ),
            Error::AuthMissing => ErrorBody::new("auth.missing", "请求缺少工作站凭证", "The request carries no workstation credential"),
            Error::AuthInvalid => ErrorBody::new("auth.invalid", "工作站凭证无效", "The workstation credential is not valid"),
            Error::Revoked => ErrorBody::new("auth.revoked", "该工作站已被总部停用", "Head office has revoked this workstation"),
            Error::Fenced(reason) => ErrorBody::new(
                "workstation.fenced",
                format!("该工作站已被隔离（{reason}），需总部操作员处理后才能继续同步"),
                format!("This workstation is fenced ({reason}); an operator at head office must act before it syncs again"),
            ),
            Error::EnrolCodeInvalid => ErrorBody::new(
                "enrol.code_invalid",
                "注册码无效、已使用或已过期",
                "The enrolment code is not valid, already used or expired",
            ),
            Error::AlreadyEnrolled => ErrorBody::new(
                "enrol.already_enrolled",
                "该工作站编号已由另一台机器（另一收据签名密钥）在本营业厅注册",
                "A workstation with this id is already enrolled at this outlet by another machine (another receipt-signing key)",
            ),
            Error::WrongWorkstation => ErrorBody::new(
                "push.wrong_workstation",
                "批次中的工作站编号与凭证不符",
                "The batch names a workstation other than the credential's",
            ),
            Error::ScopeDenied(scope) => {
                ErrorBody::new("pull.scope_denied", format!("无权读取范围 {scope}"), format!("This workstation may not read scope {scope}"))
            }
            Error::TooLarge => ErrorBody::new("request.too_large", "请求体过大", "The request body is too large"),
            Error::Unreadable(detail) => ErrorBody::new(
                "request.unreadable",
                format!("请求体不完整或无法解压：{detail}"),
                format!("The request body is truncated or cannot be decompressed: {detail}"),
            ),
            Error::Malformed(detail) => {
                ErrorBody::new("request.malformed", format!("请求格式错误：{detail}"), format!("The request is malformed: {detail}"))
            }
            Error::NoRoute => ErrorBody::new("request.no_route", "没有该接口", "No such endpoint"),
            Error::MethodNotAllowed => ErrorBody::new("request.method", "该接口不支持此方法", "This endpoint does not take this method"),
            Error::Invalid(body) | Error::NotFound(body) => body.clone(),
            Error::Database(_) | Error::Pool(_) => ErrorBody::new(
                "server.unavailable",
                "总部数据库暂不可用，请稍后重试",
                "The head-office database is unavailable; try again later",
            ),
            Error::Internal(_) => ErrorBody::new("server.internal", "总部内部错误", "Internal error at head office"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if matches!(self, Error::Database(_) | Error::Pool(_) | Error::Internal(_)) {
            eprintln!("hall-hq: {self}");
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}
