//! The console API's request and response bodies. The UI's TypeScript copies are generated from
//! these by `cargo test` (`console::types::tests::typescript_types_are_exported`) into
//! `ui/src/console/generated/`; nothing is written twice by hand.

use hall_domain::model::receipt::SignedFields;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every error body of the console API (the protocol's shape: a stable code and both languages).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsoleErrorBody {
    pub code: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LoginArgs {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OperatorInfo {
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LoginReply {
    /// The bearer token of this session; head office keeps only its hash.
    pub token: String,
    pub operator: OperatorInfo,
    /// RFC 3339: the session ends then (or after the idle limit, whichever is first).
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Done {
    pub ok: bool,
}

/// An outlet with the sync health of its workstations.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OutletSummary {
    pub code: String,
    pub name: String,
    pub areas: Vec<String>,
    pub workstations: i64,
    pub revoked: i64,
    /// Workstations fenced (refused) until an operator acts.
    pub fenced: i64,
    /// Quarantined events not yet resolved.
    pub quarantined: i64,
    /// Missing sequence numbers below the highest stored, over all workstations.
    pub missing_events: i64,
    /// The newest push of any workstation (RFC 3339), if any.
    pub last_push_at: Option<String>,
    /// Seconds since then (the outlet's lag as head office sees it).
    pub lag_seconds: Option<i64>,
    /// Late payments waiting for review.
    pub late_money_open: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct WorkstationView {
    pub id: String,
    pub outlet_code: String,
    pub counter_no: i64,
    pub hostname: String,
    pub app_version: String,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
    /// `clone_suspected`, `epoch_regressed`, …: pushes are refused until an operator acts.
    pub fenced: Option<String>,
    pub last_push_at: Option<String>,
    pub lag_seconds: Option<i64>,
    pub events: i64,
    pub series: Vec<SeriesView>,
    pub gaps: Vec<GapView>,
    /// The id of its receipt-signing key (`model::signed_code::key_id`).
    pub key_id: String,
}

/// One epoch of a workstation's series as head office holds it (the protocol's `SeriesHead`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SeriesView {
    pub epoch: i64,
    /// Every seq from 1 through this one is stored.
    pub contiguous_through: i64,
    pub highest: i64,
}

/// A run of missing sequence numbers, both ends included (the protocol's `SeqRange`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GapView {
    pub epoch: i64,
    pub from_seq: i64,
    pub to_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EnrolmentCodeView {
    pub counter_no: i64,
    pub created_at: String,
    pub expires_at: String,
    /// Set once a workstation used it.
    pub used_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OutletDetail {
    pub outlet: OutletSummary,
    pub workstations: Vec<WorkstationView>,
    pub codes: Vec<EnrolmentCodeView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NewOutletArgs {
    pub code: String,
    pub name: String,
    pub areas: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NewCodeArgs {
    pub counter_no: i64,
}

/// A fresh one-time enrolment code. Shown once: head office keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NewCodeReply {
    pub code: String,
    pub outlet_code: String,
    pub counter_no: i64,
    pub expires_at: String,
}

/// One side of a quarantined key: what head office stored first, or what arrived later under the
/// same `(workstation, epoch, seq)`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EventSide {
    pub kind: String,
    pub entity_id: String,
    /// The event's JSON as the workstation recorded it.
    pub payload: String,
    pub hash: String,
    pub recorded_at: String,
    pub received_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionChoice {
    /// The later payload is recorded as a fork-resolution record beside the stored event (both
    /// kept, the money in both counted); a resend of it is acknowledged from then on.
    AcceptNew,
    /// The later payload is discarded (kept here for the audit only); the stored event stands and
    /// a resend of the discarded one is acknowledged without being stored.
    Discard,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Resolution {
    pub choice: ResolutionChoice,
    pub note: String,
    pub resolved_by: String,
    pub resolved_at: String,
    /// Whether this resolution lifted the workstation's fence (it does when it was the
    /// workstation's last open quarantine).
    pub unfenced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct QuarantinedEvent {
    pub id: i64,
    pub outlet_code: String,
    pub workstation_id: String,
    pub epoch: i64,
    pub seq: i64,
    pub stored: EventSide,
    pub incoming: EventSide,
    pub quarantined_at: String,
    pub resolution: Option<Resolution>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ResolveArgs {
    pub choice: ResolutionChoice,
    pub note: String,
}

/// A late payment (for a day head office had closed, or a superseded bill): stored, counted and
/// acknowledged, waiting for an operator's look.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LateMoneyItem {
    pub outlet_code: String,
    pub workstation_id: String,
    pub epoch: i64,
    pub seq: i64,
    pub receipt_no: String,
    pub account: String,
    pub amount: i64,
    pub reason: String,
    pub received_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReviewArgs {
    pub note: String,
}

/// A customer field whose value one edit overwrote in the merge (last writer by HLC).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CustomerConflict {
    pub id: i64,
    pub customer_id: String,
    pub outlet_code: String,
    pub field: String,
    /// JSON text of the value that stands.
    pub kept_value: String,
    pub kept_by: String,
    /// JSON text of the value the merge overwrote.
    pub overwritten_value: String,
    pub overwritten_by: String,
    pub merged_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PublishKind {
    Tariffs,
    Calendar,
    Users,
    Bills,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PublishArgs {
    pub kind: PublishKind,
    /// The tariff table's version (tariffs only; ignored otherwise). Tariffs and calendars go to
    /// every outlet; each bill goes to the outlets serving its area; each user names its outlet.
    pub version: String,
    /// The file as uploaded: tariff or calendar TOML, users JSON, the billing centre's bills CSV.
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RejectedLine {
    pub line: i64,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PublishReply {
    pub kind: PublishKind,
    /// What was published, in both languages (`2027 calendar`, `3 tariff versions`, …).
    pub zh: String,
    pub en: String,
    /// Valid records read (for bills: lines accepted).
    pub accepted: i64,
    /// Rows written or changed (bills: across the outlets serving their areas).
    pub published: i64,
    pub rejected: Vec<RejectedLine>,
}

/// A payment as head office received it (`payment.posted` events).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReceiptRecord {
    pub receipt_no: String,
    pub outlet_code: String,
    pub workstation_id: String,
    pub account: String,
    pub customer_name: String,
    pub amount: i64,
    pub late_fee: i64,
    pub prepaid_after: i64,
    pub posted_at: String,
    pub received_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReceiptQuery {
    /// A receipt number, or its prefix.
    pub receipt_no: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct VerifyArgs {
    /// The receipt's QR text (`HR1|…`), scanned or typed.
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct VerifyReply {
    /// The signature is good and made by a registered workstation's key.
    pub valid: bool,
    /// Why not, when it is not.
    pub error: Option<ConsoleErrorBody>,
    pub fields: Option<SignedFields>,
    /// The workstation whose key signed it.
    pub workstation_id: Option<String>,
    pub outlet_code: Option<String>,
    /// The receipt as head office received it, if it arrived.
    pub record: Option<ReceiptRecord>,
    /// The signed fields equal the received record's (`None` when there is no record yet).
    pub matches_record: Option<bool>,
}

/// A 95598 work order to dispatch to one workstation of an outlet. The codes are those of
/// `model::service` (category, complaint class, service kind, area type).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DispatchArgs {
    pub outlet_code: String,
    pub workstation_id: String,
    pub ticket_no: String,
    pub category: String,
    pub complaint_class: Option<String>,
    pub service_kind: Option<String>,
    pub area_type: Option<String>,
    pub customer_account: Option<String>,
    pub caller_name: String,
    pub caller_phone: String,
    pub address: String,
    pub content: String,
    /// RFC 3339, when the centre took the call; now when not given.
    pub received_at: Option<String>,
}

/// One step of an outlet's handling of a ticket, as its pushed events told it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TicketStep {
    /// `accept`, then the request's action codes (`model::service::RequestAction`).
    pub action: String,
    pub at: Option<String>,
    /// The request's state after it.
    pub state: String,
    pub text: Option<String>,
}

/// A dispatched ticket as the console lists it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TicketView {
    pub outlet_code: String,
    pub ticket_no: String,
    pub workstation_id: String,
    pub category: String,
    pub caller_name: String,
    pub content: String,
    pub received_at: String,
    pub dispatched_by: String,
    pub dispatched_at: String,
    /// The outlet's `GD` number, once it accepted the ticket.
    pub request_number: Option<String>,
    /// `dispatched`, then the request's state code.
    pub state: String,
    pub reply: Option<String>,
    /// The last callback's outcome code.
    pub satisfaction: Option<String>,
    pub closed_at: Option<String>,
    pub handling: Vec<TicketStep>,
}

/// `(method and path, request body, response body)` of every endpoint, for `endpoints.ts`.
pub const ENDPOINTS: &[(&str, &str, &str)] = &[
    ("POST /login", "LoginArgs", "LoginReply"),
    ("POST /logout", "null", "Done"),
    ("GET /me", "null", "OperatorInfo"),
    ("GET /outlets", "null", "Array<OutletSummary>"),
    ("POST /outlets", "NewOutletArgs", "OutletSummary"),
    ("GET /outlets/{code}", "null", "OutletDetail"),
    ("POST /outlets/{code}/codes", "NewCodeArgs", "NewCodeReply"),
    ("POST /workstations/{id}/revoke", "null", "WorkstationView"),
    ("GET /quarantine", "null", "Array<QuarantinedEvent>"),
    ("POST /quarantine/{id}/resolve", "ResolveArgs", "QuarantinedEvent"),
    ("GET /late-money", "null", "Array<LateMoneyItem>"),
    ("POST /late-money/{key}/reviewed", "ReviewArgs", "LateMoneyItem"),
    ("GET /conflicts", "null", "Array<CustomerConflict>"),
    ("POST /conflicts/{id}/reviewed", "ReviewArgs", "CustomerConflict"),
    ("POST /publish", "PublishArgs", "PublishReply"),
    ("POST /receipts/lookup", "ReceiptQuery", "Array<ReceiptRecord>"),
    ("POST /receipts/verify", "VerifyArgs", "VerifyReply"),
    ("GET /tickets", "null", "Array<TicketView>"),
    ("POST /tickets", "DispatchArgs", "TicketView"),
];

/// Writes every type and `endpoints.ts` into `dir`.
pub fn export_typescript(dir: &std::path::Path) -> Result<(), ts_rs::ExportError> {
    let cfg = ts_rs::Config::new().with_large_int("number").with_out_dir(dir);
    LoginReply::export_all(&cfg)?;
    Done::export_all(&cfg)?;
    OutletDetail::export_all(&cfg)?;
    NewOutletArgs::export_all(&cfg)?;
    NewCodeArgs::export_all(&cfg)?;
    NewCodeReply::export_all(&cfg)?;
    QuarantinedEvent::export_all(&cfg)?;
    ResolveArgs::export_all(&cfg)?;
    LateMoneyItem::export_all(&cfg)?;
    ReviewArgs::export_all(&cfg)?;
    CustomerConflict::export_all(&cfg)?;
    PublishArgs::export_all(&cfg)?;
    PublishReply::export_all(&cfg)?;
    ReceiptQuery::export_all(&cfg)?;
    VerifyArgs::export_all(&cfg)?;
    VerifyReply::export_all(&cfg)?;
    LoginArgs::export_all(&cfg)?;
    DispatchArgs::export_all(&cfg)?;
    TicketView::export_all(&cfg)?;
    ConsoleErrorBody::export_all(&cfg)?;
    let mut names: Vec<&str> = ENDPOINTS
        .iter()
        .flat_map(|(_, a, r)| [*a, *r])
        .map(|t| t.trim_start_matches("Array<").trim_end_matches('>'))
        .filter(|t| *t != "null")
        .collect();
    names.sort_unstable();
    names.dedup();
    let imports: String = names.iter().map(|t| format!("import type {{ {t} }} from \"./{t}\";\n")).collect();
    let entries: String = ENDPOINTS.iter().map(|(e, a, r)| format!("  \"{e}\": {{ body: {a}; result: {r} }};\n")).collect();
    let map = format!(
        "// Generated from head-office/src/console/types.rs by `cargo test`; do not edit.\n{imports}\nexport type Endpoints = {{\n{entries}}};\n\nexport type Endpoint = keyof Endpoints;\n"
    );
    std::fs::write(dir.join("endpoints.ts"), map).map_err(ts_rs::ExportError::from)
}

#[cfg(test)]
mod tests {
    #[test]
    fn typescript_types_are_exported() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/console/generated");
        std::fs::create_dir_all(&dir).unwrap();
        super::export_typescript(&dir).unwrap();
        let map = std::fs::read_to_string(dir.join("endpoints.ts")).unwrap();
        assert!(map.contains("\"POST /quarantine/{id}/resolve\": { body: ResolveArgs; result: QuarantinedEvent };"), "{map}");
        let choice = std::fs::read_to_string(dir.join("ResolutionChoice.ts")).unwrap();
        assert!(choice.contains("\"accept_new\" | \"discard\""), "{choice}");
    }
}
