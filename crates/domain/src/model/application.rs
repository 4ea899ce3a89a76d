//! New-connection and change applications (业扩报装), SPEC §5: their kinds, steps, states and the
//! documents they need. The step templates and time limits are data (`assets/applications/`);
//! the workflow's rules live in `model::workflow`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::{CustomerClass, IdKind, Meter, Voltage, code_enum};

code_enum!(
    /// What the customer applies for.
    ApplicationKind {
        ResidentialNew = "residential_new", "居民新装", "New residential connection";
        LowVoltageNew = "low_voltage_new", "低压非居民新装", "New low-voltage non-residential connection";
        HighVoltageSingle = "high_voltage_single", "高压新装（单电源）", "New high-voltage connection (single supply)";
        HighVoltageDual = "high_voltage_dual", "高压新装（双电源）", "New high-voltage connection (dual supply)";
        CapacityIncrease = "capacity_increase", "增容", "Capacity increase";
        CapacityDecrease = "capacity_decrease", "减容", "Capacity reduction";
        OwnerTransfer = "owner_transfer", "过户", "Change of owner";
        Rename = "rename", "更名", "Change of name";
        Closure = "closure", "销户", "Account closure";
        Suspension = "suspension", "暂停", "Suspension of supply";
        Resumption = "resumption", "暂停恢复", "End of a suspension";
    }
);

code_enum!(
    /// A step of an application's workflow.
    StepKind {
        Intake = "intake", "受理", "Intake";
        Survey = "survey", "现场勘查", "Site survey";
        SupplyPlan = "supply_plan", "供电方案答复", "Supply plan reply";
        DesignReview = "design_review", "设计审查", "Design review";
        MidInspection = "mid_inspection", "中间检查", "Mid-construction inspection";
        CompletionInspection = "completion_inspection", "竣工检验", "Completion inspection";
        Contract = "contract", "合同签订", "Supply contract";
        Connection = "connection", "装表接电", "Meter installation and connection";
        Archive = "archive", "归档", "Archiving";
    }
);

code_enum!(
    /// Where an application stands.
    ApplicationState {
        Active = "active", "办理中", "In progress";
        Suspended = "suspended", "暂停（客户原因）", "Suspended (customer's cause)";
        Completed = "completed", "已归档", "Completed";
        Withdrawn = "withdrawn", "客户撤回", "Withdrawn by the customer";
        Rejected = "rejected", "已驳回", "Rejected";
    }
);

code_enum!(
    /// A document an application may need, checked at intake.
    DocumentKind {
        IdProof = "id_proof", "身份证明", "Proof of identity";
        PropertyProof = "property_proof", "产权证明", "Proof of property";
        BusinessLicence = "business_licence", "营业执照", "Business licence";
        Drawings = "drawings", "设计图纸", "Drawings";
        PowerOfAttorney = "power_of_attorney", "授权委托书", "Power of attorney";
        TransferAgreement = "transfer_agreement", "过户协议", "Transfer agreement";
        Other = "other", "其他材料", "Other document";
    }
);

code_enum!(
    /// What a user does to an application; each is one row of its timeline.
    Action {
        Accept = "accept", "受理", "Accepted";
        Advance = "advance", "完成环节", "Step completed";
        Suspend = "suspend", "暂停", "Suspended";
        Resume = "resume", "恢复", "Resumed";
        Withdraw = "withdraw", "撤回", "Withdrawn";
        Reject = "reject", "驳回", "Rejected";
        Reassign = "reassign", "转派", "Reassigned";
        Note = "note", "备注", "Note";
        Attach = "attach", "附件", "Attachment";
    }
);

/// The person applying: an existing customer's holder, or someone not yet a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Applicant {
    pub name: String,
    pub id_kind: IdKind,
    pub id_number: String,
    pub phone: String,
}

/// A document handed in, as a stored attachment (see `store::attachments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentRef {
    pub kind: DocumentKind,
    /// The attachment's SHA-256 (hex), as `attachment.add` returned it.
    pub sha256: String,
}

/// What the clerk enters at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplicationDraft {
    pub kind: ApplicationKind,
    /// The existing customer (required for every kind but the three new connections).
    pub customer_id: Option<String>,
    /// For a new connection, the new customer to be; for 过户 the new owner; for 更名 the new name
    /// (with the holder's ID unchanged); otherwise the customer's holder or their agent.
    pub applicant: Applicant,
    /// Where the supply is wanted.
    pub address: String,
    pub class: Option<CustomerClass>,
    pub voltage: Option<Voltage>,
    /// The capacity wanted (new, increased or reduced), in kVA.
    pub capacity_kva: Option<u32>,
    /// 重要客户: design review and mid-inspection apply.
    pub important: bool,
    /// A low-voltage small business taking the two-step path 受理 → 装表接电.
    pub simplified: bool,
    pub documents: Vec<DocumentRef>,
    pub notes: String,
}

/// One step as the application records it: promised against actual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Step {
    pub position: u32,
    pub kind: StepKind,
    /// The user responsible (user id); `None` until assigned.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// Working days allowed, from the rules the application was accepted under; `None`: no limit.
    pub limit_days: Option<u32>,
    /// UTC instants, RFC 3339.
    pub started_at: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub finished_at: Option<String>,
    /// Working days used so far (suspensions excluded), in hundredths of a day.
    pub used_centidays: Option<u32>,
    pub met: Option<bool>,
}

/// The actions and what each needs.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Act {
    /// Completes the open step; the connection step of a new connection carries what the new
    /// customer record needs.
    Advance {
        note: String,
        connection: Option<ConnectionInput>,
    },
    Suspend {
        reason: String,
    },
    Resume {
        note: String,
    },
    Withdraw {
        reason: String,
    },
    Reject {
        reason: String,
    },
    Reassign {
        owner: String,
        note: String,
    },
    Note {
        note: String,
    },
    Attach {
        document: DocumentRef,
    },
}

/// At 装表接电 of a new connection: the new customer's account, meter and tariff.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ConnectionInput {
    pub account: String,
    pub meters: Vec<Meter>,
    pub tariff_code: String,
    pub supply_area: String,
}

impl Act {
    /// The timeline action this is.
    pub fn action(&self) -> Action {
        match self {
            Act::Advance { .. } => Action::Advance,
            Act::Suspend { .. } => Action::Suspend,
            Act::Resume { .. } => Action::Resume,
            Act::Withdraw { .. } => Action::Withdraw,
            Act::Reject { .. } => Action::Reject,
            Act::Reassign { .. } => Action::Reassign,
            Act::Note { .. } => Action::Note,
            Act::Attach { .. } => Action::Attach,
        }
    }
}
