//! The one error type the command set returns.
//!
//! Every failure a user can cause is an [`Error`] value with a stable `code` (which the UI and tests
//! match on) and a message in both interface languages. Failures of the machine itself (a broken
//! disk, a corrupt file) are [`Error::Internal`]: they carry the underlying text for the log and a
//! generic message for the counter.

use serde::Serialize;
use ts_rs::TS;

/// The interface languages. zh-CN is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// A message a person reads: a stable code, the field it concerns (if any) and both translations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct UserMessage {
    pub code: String,
    pub field: Option<String>,
    pub zh: String,
    pub en: String,
}

impl UserMessage {
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        UserMessage { code: code.to_owned(), field: None, zh: zh.into(), en: en.into() }
    }

    pub fn at(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for UserMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} [{}]: {} / {}", self.code, field, self.zh, self.en),
            None => write!(f, "{}: {} / {}", self.code, self.zh, self.en),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was rejected; one message per offending field, so a form can show them all at once.
    #[error("invalid input: {}", list(.0))]
    Invalid(Vec<UserMessage>),
    /// The caller is not logged in, is locked, or lacks the role.
    #[error("{0}")]
    Denied(UserMessage),
    #[error("{0}")]
    NotFound(UserMessage),
    /// The request collides with the current state (a duplicate key, a stale edit).
    #[error("{0}")]
    Conflict(UserMessage),
    /// The machine failed, not the user. The detail is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

fn list(messages: &[UserMessage]) -> String {
    messages.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(message: UserMessage) -> Self {
        Error::Invalid(vec![message])
    }

    /// The messages a person sees: all field messages, or the single one.
    pub fn messages(&self) -> Vec<UserMessage> {
        match self {
            Error::Invalid(list) => list.clone(),
            Error::Denied(m) | Error::NotFound(m) | Error::Conflict(m) => vec![m.clone()],
            Error::Internal(_) => {
                vec![UserMessage::new("internal", "系统内部错误，请联系管理员", "Internal error; please contact the administrator")]
            }
        }
    }

    /// The stable code of the first message; what tests and the UI branch on.
    pub fn code(&self) -> String {
        self.messages().first().map(|m| m.code.clone()).unwrap_or_default()
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::Denied(_) => "denied",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Internal(_) => "internal",
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Internal(format!("sqlite: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("io: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}
