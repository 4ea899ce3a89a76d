//! The sync protocol, version [`VERSION`], between a workstation and head office.
//!
//! Every request carries the header [`VERSION_HEADER`]; head office answers every version in
//! [`SUPPORTED`] and refuses others with `protocol.unsupported`. A newer server keeps serving the
//! older versions' shapes (fields are only ever added, with defaults), and a record kind or schema
//! version a workstation does not know is kept raw and applied after its upgrade (see [`pull`]).
//!
//! The endpoints, all under `/v1` and all but [`enrol`] authenticated with
//! `Authorization: Bearer <credential>` (the credential issued at enrolment):
//!
//! | method and path            | request                  | response                 |
//! |----------------------------|--------------------------|--------------------------|
//! | `POST /v1/enrol`           | [`enrol::EnrolRequest`]  | [`enrol::EnrolResponse`] |
//! | `GET  /v1/workstation`     | –                        | [`push::WorkstationState`] |
//! | `POST /v1/push`            | [`push::PushRequest`]    | [`push::PushResponse`]   |
//! | `GET  /v1/changes`         | [`pull::ChangesQuery`]   | [`pull::ChangePage`]     |
//! | `GET  /v1/snapshot`        | [`pull::SnapshotQuery`]  | [`pull::SnapshotPage`]   |
//! | `GET  /v1/openapi.json`    | –                        | the OpenAPI description  |
//!
//! Bodies are JSON; request and response bodies may be compressed (`Content-Encoding: zstd` or
//! `gzip`); a request body may be at most [`push::MAX_BATCH_BYTES`] after decompression. Errors are
//! an HTTP status with an [`ErrorBody`]; 5xx means "retry later", 4xx "do not resend unchanged":
//!
//! | status | codes |
//! |--------|-------|
//! | 400 | `protocol.unsupported` (header missing or unknown version), `request.malformed`, `request.unreadable` (truncated or undecodable body), `push.too_many`, `push.unordered`, `push.bad_key`, `push.bad_event`, `enrol.workstation_id`, `enrol.epoch`, `enrol.public_key`, `pull.limit`, `pull.cursor`, `snapshot.table`, `snapshot.after` |
//! | 401 | `auth.missing`, `auth.invalid` |
//! | 403 | `auth.revoked`, `enrol.code_invalid` (unknown, used or expired), `push.wrong_workstation`, `pull.scope_denied` (a scope of another outlet) |
//! | 409 | `workstation.fenced` (a fork or a regressed epoch was seen; an operator must act), `enrol.already_enrolled` |
//! | 413 | `request.too_large` |
//! | 503 | `server.unavailable` (the database; retry) |
//!
//! The credential is `<outlet>.<workstation_id>.<secret>` and the enrolment code
//! `<outlet>.XXXX-XXXX-XXXX-XXXX`: both name the outlet, so head office finds the rows on the
//! outlet's shard. Change scopes are `global` and `outlet:<code>` (see [`pull`]).

pub mod enrol;
pub mod hash;
pub mod hlc;
pub mod merge;
pub mod pull;
pub mod push;
pub mod records;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;
/// The versions head office answers.
pub const SUPPORTED: std::ops::RangeInclusive<u32> = 1..=VERSION;
/// The request header naming the protocol version.
pub const VERSION_HEADER: &str = "hall-protocol";

/// The body of every error response: a stable code the client branches on and the message in both
/// interface languages (the same shape as the workstation's `UserMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl ErrorBody {
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ErrorBody { code: code.to_owned(), zh: zh.into(), en: en.into() }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} / {}", self.code, self.zh, self.en)
    }
}
