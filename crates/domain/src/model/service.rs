//! Service requests (客户服务工单), SPEC §6: the 95598 categories, what each records, and the
//! request's life from intake to closing. The deadlines are data (`assets/service/`, read by
//! `model::service_rules`); which action is valid when is `model::service_flow`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::code_enum;

code_enum!(
    /// The categories of the 95598 line.
    Category {
        FaultRepair = "fault_repair", "故障报修", "Fault repair";
        Consultation = "consultation", "业务咨询", "Consultation";
        Information = "information", "信息查询", "Information request";
        Complaint = "complaint", "投诉", "Complaint";
        Report = "report", "举报", "Report of misconduct";
        Suggestion = "suggestion", "建议", "Suggestion";
        Opinion = "opinion", "意见", "Opinion";
        Praise = "praise", "表扬", "Praise";
        ServiceRequest = "service_request", "服务申请", "Service request";
    }
);

code_enum!(
    /// What a complaint is about.
    ComplaintClass {
        Service = "service", "服务", "Service";
        Business = "business", "营业", "Billing and business";
        Outage = "outage", "停送电", "Outages";
        Quality = "quality", "供电质量", "Supply quality";
        GridWork = "grid_work", "电网建设", "Grid construction";
    }
);

code_enum!(
    /// What a service request (服务申请) asks for.
    ServiceKind {
        Reconnection = "reconnection", "复电", "Reconnection";
        MeterFault = "meter_fault", "电能表异常", "Meter fault";
        ReadingFault = "reading_fault", "抄表数据异常", "Wrong meter reading";
        ApplianceDamage = "appliance_damage", "电器损坏", "Damaged appliances";
        Other = "other", "其他", "Other";
    }
);

code_enum!(
    /// Where a fault is, for the repair deadlines.
    AreaType {
        Urban = "urban", "城区", "Urban";
        Rural = "rural", "农村", "Rural";
        Remote = "remote", "特殊边远", "Remote";
    }
);

code_enum!(
    /// Where a request stands.
    RequestState {
        Accepted = "accepted", "已受理", "Accepted";
        Assigned = "assigned", "处理中", "In hand";
        Replied = "replied", "已答复", "Replied";
        Reopened = "reopened", "不满意重办", "Reopened (customer not satisfied)";
        Closed = "closed", "已办结", "Closed";
    }
);

code_enum!(
    /// A deadline a request runs against.
    Milestone {
        Arrival = "arrival", "到达现场", "Arrival on site";
        Restore = "restore", "恢复送电", "Supply restored";
        Contact = "contact", "联系客户", "Customer contacted";
        Reply = "reply", "答复客户", "Reply to the customer";
    }
);

code_enum!(
    /// What the customer said at a callback (回访), or that they could not be reached.
    CallbackOutcome {
        Satisfied = "satisfied", "满意", "Satisfied";
        FairlySatisfied = "fairly_satisfied", "基本满意", "Fairly satisfied";
        Unsatisfied = "unsatisfied", "不满意", "Not satisfied";
        Unreachable = "unreachable", "未联系上", "Could not be reached";
    }
);

code_enum!(
    /// What a user does to a request; each is one row of its timeline.
    RequestAction {
        Accept = "accept", "受理", "Accepted";
        Assign = "assign", "派单", "Assigned";
        Arrive = "arrive", "到达现场", "Arrived on site";
        Restore = "restore", "恢复送电", "Supply restored";
        Contact = "contact", "联系客户", "Customer contacted";
        Note = "note", "处理记录", "Note";
        Reply = "reply", "答复客户", "Replied";
        Callback = "callback", "回访", "Callback";
        Close = "close", "办结", "Closed";
    }
);

impl Category {
    /// Complaints and reports close only after a callback (SPEC §6).
    pub fn needs_callback(self) -> bool {
        matches!(self, Category::Complaint | Category::Report)
    }

    /// Whether someone goes on site (arrival is recorded and timed).
    pub fn goes_on_site(self, kind: Option<ServiceKind>) -> bool {
        self == Category::FaultRepair || (self == Category::ServiceRequest && kind == Some(ServiceKind::ApplianceDamage))
    }
}

/// The caller, when the request is not linked to a customer (or in addition to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Caller {
    pub name: String,
    pub phone: String,
}

/// What the clerk enters at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RequestDraft {
    pub category: Category,
    /// Required for a complaint.
    pub complaint_class: Option<ComplaintClass>,
    /// Required for a service request (服务申请).
    pub service_kind: Option<ServiceKind>,
    /// Required for a fault repair; the outlet's own area type when not given.
    pub area_type: Option<AreaType>,
    /// The customer found by search; `None` for an anonymous caller (a phone number is then required).
    pub customer_id: Option<String>,
    pub caller: Caller,
    /// Where the fault or the work is (a fault repair and an on-site visit need it).
    pub address: String,
    /// What the customer says.
    pub content: String,
    /// For a consultation or an information request answered at once: the answer, which replies
    /// to the request at intake.
    pub answered: Option<String>,
}

/// The actions after intake and what each needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RequestAct {
    /// Hands the request to a user (a manager's, or a clerk's own taking of it).
    Assign {
        assignee: String,
        note: String,
    },
    Arrive {
        note: String,
    },
    Restore {
        note: String,
    },
    Contact {
        note: String,
    },
    Note {
        note: String,
    },
    Reply {
        reply: String,
    },
    Callback {
        outcome: CallbackOutcome,
        comment: String,
    },
    Close {
        note: String,
    },
}

impl RequestAct {
    /// The timeline action this is.
    pub fn action(&self) -> RequestAction {
        match self {
            RequestAct::Assign { .. } => RequestAction::Assign,
            RequestAct::Arrive { .. } => RequestAction::Arrive,
            RequestAct::Restore { .. } => RequestAction::Restore,
            RequestAct::Contact { .. } => RequestAction::Contact,
            RequestAct::Note { .. } => RequestAction::Note,
            RequestAct::Reply { .. } => RequestAction::Reply,
            RequestAct::Callback { .. } => RequestAction::Callback,
            RequestAct::Close { .. } => RequestAction::Close,
        }
    }

    /// The free text the action carries (note, reply or callback comment).
    pub fn text(&self) -> &str {
        match self {
            RequestAct::Assign { note, .. }
            | RequestAct::Arrive { note }
            | RequestAct::Restore { note }
            | RequestAct::Contact { note }
            | RequestAct::Note { note }
            | RequestAct::Close { note } => note,
            RequestAct::Reply { reply } => reply,
            RequestAct::Callback { comment, .. } => comment,
        }
    }
}
