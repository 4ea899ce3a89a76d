//! The record kinds head office publishes ([`crate::pull::Change::kind`]) and their bodies at
//! schema version 1. A later schema version adds fields with defaults, or is a new version number
//! when an old reader would misread it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::hlc::Hlc;

pub const CUSTOMER: &str = "customer";
pub const BILL: &str = "bill";
pub const TARIFF: &str = "tariff";
pub const CALENDAR: &str = "calendar";
pub const USER: &str = "user";
pub const APPLICATION_PROGRESS: &str = "application.progress";

/// The schema version of each kind this build reads and writes.
pub fn schema_of(kind: &str) -> Option<u32> {
    match kind {
        CUSTOMER | BILL | TARIFF | CALENDAR | USER | APPLICATION_PROGRESS => Some(1),
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
