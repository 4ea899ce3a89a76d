//! The record kinds head office publishes ([`crate::pull::Change::kind`]) and their bodies at
//! schema version 1. A later schema version adds fields with defaults, or is a new version number
//! when an old reader would misread it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use hall_domain::model::service::{AreaType, Category, ComplaintClass, ServiceKind};

use crate::hlc::Hlc;

pub const CUSTOMER: &str = "customer";
pub const BILL: &str = "bill";
pub const TARIFF: &str = "tariff";
pub const CALENDAR: &str = "calendar";
pub const USER: &str = "user";
pub const APPLICATION_PROGRESS: &str = "application.progress";
pub const SERVICE_TICKET: &str = "service.ticket";

/// The schema version of each kind this build reads and writes.
pub fn schema_of(kind: &str) -> Option<u32> {
    match kind {
        CUSTOMER | BILL | TARIFF | CALENDAR | USER | APPLICATION_PROGRESS | SERVICE_TICKET => Some(1),
        _ => None,
    }
}

/// A field's value with the stamp of the edit that set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stamped {
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    pub hlc: Hlc,
}

/// A customer as merged at head office: each field the last writer's by [`Hlc`] (the workstation id
/// breaks ties). Merging two records field by field with that rule is commutative, associative and
/// idempotent, so every replica converges whatever order the edits arrive in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomerRecord {
    pub id: String,
    pub outlet_code: String,
    pub area: String,
    /// Field name (the workstation's `customer` record's) → stamped value.
    pub fields: BTreeMap<String, Stamped>,
}

/// One calendar year as published (`assets/calendar/` TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarRecord {
    pub year: i32,
    pub body: String,
}

/// One tariff table as published (`assets/tariffs/` TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TariffRecord {
    pub version: String,
    pub body: String,
}

/// A user of an outlet as head office administers it. The password hash is the PHC string the
/// workstation verifies (Argon2id); head office never sees a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub updated_at: String,
}

/// A bill from the billing centre's monthly export, as the workstation's `bills` table holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BillRecord {
    pub id: String,
    /// The customer's id (UUID text).
    pub customer_id: String,
    /// The customer's 10-digit account number.
    pub account: String,
    /// The area whose outlets receive the bill.
    pub area: String,
    /// `YYYY-MM`.
    pub period: String,
    /// `billing_centre`.
    pub source: String,
    pub tariff_code: String,
    /// `YYYY-MM-DD`.
    pub tariff_effective_from: String,
    pub kwh: i64,
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// The bill's lines (the workstation's BillLine list), possibly empty.
    #[schema(value_type = Object)]
    pub lines: serde_json::Value,
    /// RFC 3339.
    pub issued_at: String,
}

/// A transition of an application made at another place, for the owning outlet to validate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationProgressRecord {
    pub number: String,
    pub expected_version: i64,
    /// The action's code (`model::application::Act`).
    pub action: String,
    pub step: Option<String>,
    pub by_user: String,
    /// RFC 3339.
    pub at: String,
    pub note: Option<String>,
    pub origin_workstation: String,
}

/// A work order the 95598 centre took by phone and head office dispatched to one workstation of
/// an outlet (a workstation's store is its own, so the order lands in exactly one). The
/// workstation accepts it as a service request under its own `GD` number; its deadlines run from
/// `received_at`, when the centre took the call. The handling goes back as the request's
/// `service.*` events, which name the ticket in `service.accepted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceTicketRecord {
    /// The 95598 centre's work-order number.
    pub ticket_no: String,
    /// The workstation that handles it (`<outlet>-<counter>`); the others of the outlet skip it.
    pub workstation_id: String,
    #[schema(value_type = String)]
    pub category: Category,
    #[schema(value_type = Option<String>)]
    pub complaint_class: Option<ComplaintClass>,
    #[schema(value_type = Option<String>)]
    pub service_kind: Option<ServiceKind>,
    #[schema(value_type = Option<String>)]
    pub area_type: Option<AreaType>,
    /// The customer's 10-digit account, when the caller gave one.
    pub customer_account: Option<String>,
    pub caller_name: String,
    pub caller_phone: String,
    pub address: String,
    pub content: String,
    /// RFC 3339: when the 95598 centre took the call.
    pub received_at: String,
}
