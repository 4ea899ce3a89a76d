//! Sync's commands: its state for the top bar, "sync now", and enrolment with head office (from
//! the settings or the first-start screen). The work itself is `crate::sync`'s.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller};
use crate::error::{Error, Result, UserMessage};

/// What the top bar and the day-end show about sync.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub head_office_url: Option<String>,
    pub outlet_code: String,
    /// Outbox events head office has not acknowledged yet.
    pub pending_events: i64,
    /// When the oldest of them was recorded (RFC 3339).
    pub oldest_pending_at: Option<String>,
    /// Unacknowledged payments among them, and their total: what the day-end says is not yet sent.
    pub pending_payments: i64,
    pub pending_payments_fen: i64,
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// When the background task tries next (after a failure, with backoff).
    pub next_attempt_at: Option<String>,
    /// A sync is running now.
    pub running: bool,
    pub progress: Option<SyncProgress>,
    /// The last attempt's failure in plain words, cleared by a success.
    pub error: Option<UserMessage>,
    /// Head office refuses this workstation until an operator acts (a suspected clone, a revoked
    /// credential): said plainly, since retrying cannot help.
    pub fenced: Option<UserMessage>,
}

/// A long transfer's progress.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    /// `push`, `pull` or `snapshot`.
    pub phase: String,
    pub done: u64,
    /// Known for a push (the pending count) and a snapshot (head office's row counts).
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct EnrolArgs {
    /// Head office's base URL, `https://…`.
    pub url: String,
    /// The one-time code the operator gave.
    pub code: String,
}

/// Whether this is a first start: the login screen offers enrolment or the demo outlet then.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetupState {
    pub has_users: bool,
    pub enrolled: bool,
}

fn not_built() -> Error {
    Error::Conflict(UserMessage::new("sync.not_built", "同步功能尚未完成", "Sync is not built yet"))
}

pub(super) fn status(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SyncStatus> {
    Err(not_built())
}

pub(super) fn now(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SyncStatus> {
    Err(not_built())
}

pub(super) fn enrol(_app: &App, _caller: Option<&Caller>, _args: EnrolArgs) -> Result<SyncStatus> {
    Err(not_built())
}

pub(super) fn setup_state(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SetupState> {
    Err(not_built())
}

pub(super) fn setup_demo(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SetupState> {
    Err(not_built())
}
