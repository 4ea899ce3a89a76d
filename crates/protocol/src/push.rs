//! Push: the workstation sends its outbox, oldest first, in batches.
//!
//! Head office stores each event once under its key `(workstation_id, epoch, seq)` together with a
//! hash of its content ([`crate::hash::event_hash`]). A repeated key with the same hash is
//! acknowledged again and changes nothing; the same key with a different hash is a restored or
//! cloned machine: the event is quarantined and the workstation fenced (every later push is
//! `409 workstation.fenced`) until an operator acts. An epoch lower than one already seen for the
//! workstation, carrying new keys, is the same alarm. Holes in a series are reported in
//! [`WorkstationState::gaps`], never filled in or skipped silently. A batch is committed whole or
//! not at all, so a cut connection only means sending it again.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One outbox event as recorded at the workstation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WireEvent {
    pub epoch: i64,
    pub seq: i64,
    /// `customer.updated`, `payment.posted`, … (the outbox's kinds; head office stores unknown
    /// kinds as they are).
    pub kind: String,
    pub entity_id: String,
    /// The event's JSON exactly as the outbox holds it (text, so that its hash is stable).
    pub payload: String,
    /// RFC 3339 UTC, the workstation's clock when it was recorded.
    pub recorded_at: String,
    /// For `customers.imported` (whose payload names customers by id only): the named customers as
    /// they stand when sent. Not covered by the event hash, since a resend may carry later values;
    /// those merge by their own stamps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<crate::records::CustomerRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    /// Must be the authenticated workstation's id (`push.wrong_workstation` otherwise).
    pub workstation_id: String,
    /// In `(epoch, seq)` order; at most [`MAX_BATCH_EVENTS`].
    pub events: Vec<WireEvent>,
}

/// The most events one push may carry, and the most bytes its body may have after decompression.
pub const MAX_BATCH_EVENTS: usize = 5_000;
pub const MAX_BATCH_BYTES: usize = 32 * 1024 * 1024;

/// A run of consecutive sequence numbers of one epoch, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SeqRange {
    pub epoch: i64,
    pub from_seq: i64,
    pub to_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// Keys now stored at head office (new or repeated with the same hash): the workstation marks
    /// them acknowledged.
    pub acked: Vec<SeqRange>,
    /// How many of the batch were new.
    pub stored: u64,
    /// How many were repeats of stored events (same hash).
    pub duplicates: u64,
    /// Late money (a payment for a day head office has closed, or for a superseded bill) went to
    /// the review bucket: still stored, still counted, and acknowledged.
    pub in_review: u64,
    /// The state after this batch.
    pub state: WorkstationState,
}

/// Head office's view of one workstation's series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkstationState {
    pub workstation_id: String,
    pub outlet_code: String,
    /// Per epoch, the highest sequence number below which every event is stored.
    pub series: Vec<SeriesHead>,
    /// Missing runs below the highest stored sequence number of each epoch.
    pub gaps: Vec<SeqRange>,
    /// Why the workstation is fenced (`clone_suspected`, `epoch_regressed`, `revoked`), if it is.
    pub fenced: Option<String>,
    /// Head office's clock (RFC 3339), so the workstation can tell its own is far off.
    pub server_time: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SeriesHead {
    pub epoch: i64,
    /// Every seq from the epoch's first through this one is stored.
    pub contiguous_through: i64,
    pub highest: i64,
}

/// The money event kinds and the sign of their amount in a ledger: a reversal books the opposite
/// of the payment it voids; red letters and refunds already carry negative amounts. Head office's
/// ledger and the workstation's "not yet sent" total both count by this.
pub fn money_sign(kind: &str) -> Option<i64> {
    match kind {
        "payment.posted" | "payment.red_letter" | "prepayment.refunded" => Some(1),
        "payment.reversed" => Some(-1),
        _ => None,
    }
}
