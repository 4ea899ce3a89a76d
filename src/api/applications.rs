//! Application commands (业扩报装): intake, the step actions, the lists and the slip.
//!
//! CONTRACT FIRST: these types are the interface the UI is built against; the handlers are being
//! written on the `apps-core` branch and every one still answers "not built". Nothing here is
//! done until that branch is merged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller};
use crate::error::{Error, Result};
pub use crate::model::application::{Act, ConnectionInput};
use crate::model::application::{Action, ApplicationDraft, ApplicationKind, ApplicationState, DocumentKind, Step, StepKind};

/// An application as the UI shows it (applicant masked as receipts mask).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationView {
    pub id: String,
    /// `YK` + outlet-counter-epoch-seq, gap-free per workstation.
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub draft: ApplicationDraft,
    /// The time-limit rules it was accepted under (their effective date).
    pub rules_version: String,
    pub customer_id: Option<String>,
    pub customer_account: Option<String>,
    pub accepted_at: String,
    pub accepted_by: String,
    /// The total promise, moved on by suspensions.
    pub promised_date: NaiveDate,
    pub promise_days: u32,
    pub steps: Vec<Step>,
    /// The step now open (`None` when finished, withdrawn or rejected).
    pub current: Option<u32>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<DocumentView>,
    /// The actions the caller may take now (role and state): the UI shows only these.
    pub actions: Vec<Action>,
    /// Working days used against the total promise, in hundredths of a day.
    pub used_centidays: u32,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TimelineEntry {
    pub at: String,
    pub by: String,
    pub action: Action,
    pub step: Option<StepKind>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DocumentView {
    pub kind: DocumentKind,
    pub sha256: String,
    pub mime: String,
    pub file_name: String,
    pub size_bytes: u64,
    pub step: Option<StepKind>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ApplicationRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ApplicationNumberRef {
    pub number: String,
}

/// What a kind needs at intake: its steps with their limits and the documents to hand in.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequirementsArgs {
    pub kind: ApplicationKind,
    pub important: bool,
    pub simplified: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Requirements {
    pub steps: Vec<PlannedStep>,
    pub documents: Vec<RequiredDocument>,
    pub promise_days: u32,
    /// The date promised if accepted now.
    pub promised_date: NaiveDate,
    pub rules_version: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub limit_days: Option<u32>,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RequiredDocument {
    pub kind: DocumentKind,
    pub required: bool,
}

/// A step action. `expected_version` refuses an action on a stale view.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ActArgs {
    pub id: String,
    pub expected_version: i64,
    pub act: Act,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// The open step is due today.
    Today,
    /// Past the open step's due date or the total promise.
    Overdue,
    /// Due within one working day.
    AtRisk,
    All,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListArgs {
    pub due: Due,
    pub kind: Option<ApplicationKind>,
    pub state: Option<ApplicationState>,
    /// Only those whose open step this user owns (`"me"` for the caller).
    pub owner: Option<String>,
    pub customer_id: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationRow {
    pub id: String,
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub applicant_name: String,
    pub customer_account: Option<String>,
    pub step: Option<StepKind>,
    pub owner_name: Option<String>,
    pub step_due: Option<NaiveDate>,
    pub promised_date: NaiveDate,
    pub overdue: bool,
    pub at_risk: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationList {
    pub rows: Vec<ApplicationRow>,
    pub total: u32,
}

/// The overdue badge in the navigation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DueCounts {
    pub due_today: u32,
    pub overdue: u32,
    pub at_risk: u32,
    pub mine_overdue: u32,
}

fn not_built() -> Error {
    Error::Internal("applications: not built yet (apps-core branch)".into())
}

pub(super) fn requirements(_app: &App, _caller: Option<&Caller>, _args: RequirementsArgs) -> Result<Requirements> {
    Err(not_built())
}

pub(super) fn create(_app: &App, _caller: Option<&Caller>, _args: ApplicationDraft) -> Result<ApplicationView> {
    Err(not_built())
}

pub(super) fn get(_app: &App, _caller: Option<&Caller>, _args: ApplicationRef) -> Result<ApplicationView> {
    Err(not_built())
}

pub(super) fn by_number(_app: &App, _caller: Option<&Caller>, _args: ApplicationNumberRef) -> Result<ApplicationView> {
    Err(not_built())
}

pub(super) fn act(_app: &App, _caller: Option<&Caller>, _args: ActArgs) -> Result<ApplicationView> {
    Err(not_built())
}

pub(super) fn list(_app: &App, _caller: Option<&Caller>, _args: ListArgs) -> Result<ApplicationList> {
    Err(not_built())
}

pub(super) fn counts(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<DueCounts> {
    Err(not_built())
}

pub(super) fn slip(_app: &App, _caller: Option<&Caller>, _args: ApplicationRef) -> Result<super::PdfFile> {
    Err(not_built())
}
