//! Enrolment: a one-time code (printed by `hall-hq workstation add`) is exchanged for the
//! workstation's credential. The workstation keeps its own id (made when its database was created)
//! and registers its receipt-signing public key, so head office can verify its receipts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrolRequest {
    /// The one-time enrolment code; a used or expired code is `enrol.code_invalid`.
    pub code: String,
    /// The workstation's own id (UUIDv7 text, the `workstation` row's).
    pub workstation_id: String,
    /// The current epoch of its event series.
    pub epoch: i64,
    /// Its receipt-signing Ed25519 public key, Base64 (standard, padded).
    pub receipt_public_key: String,
    /// The machine's host name, shown to operators.
    pub hostname: String,
    /// The workstation's build version (`hall --version`).
    pub app_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrolResponse {
    pub workstation_id: String,
    /// The outlet the code was made for; the workstation adopts it (and its counter number).
    pub outlet_code: String,
    pub outlet_name: String,
    pub counter_no: i64,
    /// The areas (供电所 / 台区 groups) whose customers this outlet serves.
    pub areas: Vec<String>,
    /// The bearer credential for every later request. Shown once; head office keeps only a hash.
    pub credential: String,
}
