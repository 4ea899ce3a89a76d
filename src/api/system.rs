//! The workstation's state and the audit log.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, NoArgs};
use crate::clock::{business_date, stamp};
use crate::error::{Lang, Result};
use crate::model::application::{Action, ApplicationKind, ApplicationState, DocumentKind, StepKind};
use crate::model::customer::{CreditRating, CustomerClass, CustomerStatus, IdKind, MeterKind, PaymentMethod, Voltage};
use crate::model::payment::{DENOMINATIONS, PaymentKind, PaymentStatus, ReasonCode, TenderKind, denomination_label};
use crate::model::user::Role;
use crate::model::{arrears, inspection, service};
use crate::store::audit::{self, Entry, Verification};
use crate::store::{customers, outbox};

#[derive(Debug, Clone, Serialize, TS)]
pub struct StatusInfo {
    pub outlet_code: String,
    pub workstation_id: String,
    pub epoch: i64,
    /// Events not yet acknowledged by head office.
    pub pending_events: i64,
    pub customers: i64,
    pub now: String,
    pub business_date: String,
}

/// One value of a coded field, with its labels: the UI shows these instead of keeping its own
/// copy of the Rust enums' labels.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CodeLabel {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// Every coded field's values, for forms and for showing codes as words.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Catalog {
    pub customer_classes: Vec<CodeLabel>,
    pub id_kinds: Vec<CodeLabel>,
    pub voltages: Vec<CodeLabel>,
    pub payment_methods: Vec<CodeLabel>,
    pub credit_ratings: Vec<CodeLabel>,
    pub meter_kinds: Vec<CodeLabel>,
    pub customer_statuses: Vec<CodeLabel>,
    pub roles: Vec<CodeLabel>,
    pub tender_kinds: Vec<CodeLabel>,
    pub reason_codes: Vec<CodeLabel>,
    pub payment_kinds: Vec<CodeLabel>,
    pub payment_statuses: Vec<CodeLabel>,
    /// The notes and coins a desk counts; the code is the value in fen.
    pub denominations: Vec<CodeLabel>,
    pub application_kinds: Vec<CodeLabel>,
    pub application_states: Vec<CodeLabel>,
    pub step_kinds: Vec<CodeLabel>,
    pub document_kinds: Vec<CodeLabel>,
    pub application_actions: Vec<CodeLabel>,
    pub request_categories: Vec<CodeLabel>,
    pub complaint_classes: Vec<CodeLabel>,
    pub service_kinds: Vec<CodeLabel>,
    pub area_types: Vec<CodeLabel>,
    pub request_states: Vec<CodeLabel>,
    pub milestones: Vec<CodeLabel>,
    pub callback_outcomes: Vec<CodeLabel>,
    pub request_actions: Vec<CodeLabel>,
    pub aging_buckets: Vec<CodeLabel>,
    pub notice_kinds: Vec<CodeLabel>,
    pub deliveries: Vec<CodeLabel>,
    pub check_items: Vec<CodeLabel>,
    pub inspection_due_reasons: Vec<CodeLabel>,
}

macro_rules! labels {
    ($ty:ty) => {
        <$ty>::ALL
            .iter()
            .map(|v| CodeLabel { code: v.code().into(), zh: v.label(Lang::ZhCn).into(), en: v.label(Lang::En).into() })
            .collect()
    };
}

pub(super) fn catalog(_: &App, _: Option<&Caller>, _: NoArgs) -> Result<Catalog> {
    Ok(Catalog {
        customer_classes: labels!(CustomerClass),
        id_kinds: labels!(IdKind),
        voltages: labels!(Voltage),
        payment_methods: labels!(PaymentMethod),
        credit_ratings: labels!(CreditRating),
        meter_kinds: labels!(MeterKind),
        customer_statuses: labels!(CustomerStatus),
        roles: labels!(Role),
        tender_kinds: labels!(TenderKind),
        reason_codes: labels!(ReasonCode),
        payment_kinds: labels!(PaymentKind),
        payment_statuses: labels!(PaymentStatus),
        denominations: DENOMINATIONS
            .iter()
            .map(|&d| CodeLabel { code: d.to_string(), zh: denomination_label(d, Lang::ZhCn), en: denomination_label(d, Lang::En) })
            .collect(),
        application_kinds: labels!(ApplicationKind),
        application_states: labels!(ApplicationState),
        step_kinds: labels!(StepKind),
        document_kinds: labels!(DocumentKind),
        application_actions: labels!(Action),
        request_categories: labels!(service::Category),
        complaint_classes: labels!(service::ComplaintClass),
        service_kinds: labels!(service::ServiceKind),
        area_types: labels!(service::AreaType),
        request_states: labels!(service::RequestState),
        milestones: labels!(service::Milestone),
        callback_outcomes: labels!(service::CallbackOutcome),
        request_actions: labels!(service::RequestAction),
        aging_buckets: labels!(arrears::Bucket),
        notice_kinds: labels!(arrears::NoticeKind),
        deliveries: labels!(arrears::Delivery),
        check_items: labels!(inspection::CheckItem),
        inspection_due_reasons: labels!(inspection::DueReason),
    })
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RecentArgs {
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEntries {
    pub entries: Vec<Entry>,
}

pub(super) fn status(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<StatusInfo> {
    let store = app.store();
    let ws = store.workstation()?;
    let now = app.clock().now();
    Ok(StatusInfo {
        outlet_code: ws.outlet_code,
        workstation_id: ws.workstation_id,
        epoch: ws.epoch,
        pending_events: outbox::pending(store.conn())?,
        customers: customers::count(store.conn())?,
        now: stamp(now),
        business_date: business_date(now).to_string(),
    })
}

pub(super) fn verify_audit(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<Verification> {
    audit::verify(app.store().conn())
}

pub(super) fn recent_audit(app: &App, _: Option<&Caller>, args: RecentArgs) -> Result<AuditEntries> {
    Ok(AuditEntries { entries: audit::recent(app.store().conn(), args.limit.clamp(1, 500))? })
}
