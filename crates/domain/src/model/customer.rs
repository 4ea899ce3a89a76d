//! The customer record (客户档案), SPEC §2: its fields, their rules, and the change history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ids;
use crate::error::{Error, UserMessage};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum $name { $(#[serde(rename = $code)] $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code stored in the database and sent over the wire.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn label(self, lang: crate::error::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, crate::error::Lang::ZhCn) => $zh,
                      ($name::$variant, crate::error::Lang::En) => $en,)+
                }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// Customer classes, as the tariff tables distinguish them.
    CustomerClass {
        Residential = "residential", "居民", "Residential";
        GeneralCommercial = "general_commercial", "一般工商业", "General commercial & industrial";
        LargeIndustrial = "large_industrial", "大工业", "Large industrial";
        Agricultural = "agricultural", "农业生产", "Agricultural production";
        NonResidentialLighting = "non_residential_lighting", "非居民照明", "Non-residential lighting";
    }
);

code_enum!(
    IdKind {
        ResidentId = "resident_id", "居民身份证", "Resident ID card";
        Uscc = "uscc", "统一社会信用代码", "Unified social credit code";
        Other = "other", "其他证件", "Other document";
    }
);

code_enum!(
    Voltage {
        V220 = "220V", "交流220V", "AC 220 V";
        V380 = "380V", "交流380V", "AC 380 V";
        Kv10 = "10kV", "交流10kV", "AC 10 kV";
        Kv20 = "20kV", "交流20kV", "AC 20 kV";
        Kv35 = "35kV", "交流35kV", "AC 35 kV";
        Kv110 = "110kV", "交流110kV", "AC 110 kV";
        Kv220 = "220kV", "交流220kV", "AC 220 kV";
    }
);

code_enum!(
    PaymentMethod {
        Counter = "counter", "坐收", "At the counter";
        BankDebit = "bank_debit", "银行代扣", "Bank direct debit";
        Prepaid = "prepaid", "预付费", "Prepaid";
        Online = "online", "线上缴费", "Online";
    }
);

code_enum!(
    CreditRating {
        A = "A", "A级（按时缴费）", "A (pays on time)";
        B = "B", "B级（偶有逾期）", "B (occasionally late)";
        C = "C", "C级（经常逾期）", "C (often late)";
        D = "D", "D级（欠费）", "D (in arrears)";
    }
);

code_enum!(
    MeterKind {
        SinglePhase = "single_phase", "单相智能表", "Single-phase smart meter";
        ThreePhase = "three_phase", "三相智能表", "Three-phase smart meter";
        ThreePhaseCt = "three_phase_ct", "三相互感器接入表", "Three-phase CT-connected meter";
    }
);

code_enum!(
    CustomerStatus {
        Active = "active", "正常", "Active";
        Closed = "closed", "已销户", "Closed";
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Meter {
    pub number: String,
    pub kind: MeterKind,
    /// The CT/PT multiplier (倍率); 1 for a direct-connected meter.
    pub multiplier: u32,
}

/// What a clerk enters for a customer: the record without its identity and lifecycle fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CustomerDraft {
    pub account: String,
    pub name: String,
    pub class: CustomerClass,
    pub id_kind: IdKind,
    pub id_number: String,
    pub phones: Vec<String>,
    pub address: String,
    /// 台区 / 供电所.
    pub supply_area: String,
    pub voltage: Voltage,
    pub capacity_kva: u32,
    pub tariff_code: String,
    pub payment_method: PaymentMethod,
    pub credit_rating: CreditRating,
    pub big_customer: bool,
    /// The assigned account manager (客户经理); required for a big customer.
    pub account_manager: Option<String>,
    pub tags: Vec<String>,
    pub notes: String,
    pub meters: Vec<Meter>,
}

/// The fields of a [`CustomerDraft`], in the order a customer file's columns and the form show them.
pub const DRAFT_FIELDS: [&str; 18] = [
    "account",
    "name",
    "class",
    "id_kind",
    "id_number",
    "phones",
    "address",
    "supply_area",
    "voltage",
    "capacity_kva",
    "tariff_code",
    "payment_method",
    "credit_rating",
    "big_customer",
    "account_manager",
    "tags",
    "notes",
    "meters",
];

/// The fields of a [`Customer`]'s life that no form edits: kept by opening, closing and suspending.
pub const LIFECYCLE_FIELDS: [&str; 5] = ["status", "created_at", "closed_at", "close_reason", "supply_suspended"];

/// Every field a customer's record carries between replicas, as `Customer` serialises them: the
/// draft's and the lifecycle's. Not carried: `id` (the record's key), `version` and `updated_at`
/// (each replica's own count and time of its writes).
pub const RECORD_FIELDS: [&str; DRAFT_FIELDS.len() + LIFECYCLE_FIELDS.len()] = {
    let mut all = [""; DRAFT_FIELDS.len() + LIFECYCLE_FIELDS.len()];
    let mut i = 0;
    while i < DRAFT_FIELDS.len() {
        all[i] = DRAFT_FIELDS[i];
        i += 1;
    }
    while i < all.len() {
        all[i] = LIFECYCLE_FIELDS[i - DRAFT_FIELDS.len()];
        i += 1;
    }
    all
};

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Customer {
    pub id: String,
    pub status: CustomerStatus,
    /// Incremented by every edit; an edit names the version it started from.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub close_reason: Option<String>,
    /// Supply suspended at the customer's request (暂停, until its 恢复): set by those
    /// applications, shown in the history as `supply_suspended`.
    #[serde(default)]
    pub supply_suspended: bool,
    #[serde(flatten)]
    #[ts(flatten)]
    pub record: CustomerDraft,
}

/// A checked draft: the canonical record plus the warnings a clerk should see but may accept.
#[derive(Debug, Clone)]
pub struct Checked {
    pub draft: CustomerDraft,
    pub warnings: Vec<UserMessage>,
}

const MAX_NAME_CHARS: usize = 60;
const MAX_TEXT_CHARS: usize = 200;
const MAX_NOTES_CHARS: usize = 2000;
const MAX_PHONES: usize = 3;
const MAX_TAGS: usize = 10;
const MAX_TAG_CHARS: usize = 20;
const MAX_METERS: usize = 20;
/// The largest contracted capacity accepted, in kVA (a 220 kV customer can exceed 100 MVA).
const MAX_CAPACITY_KVA: u32 = 2_000_000;

/// Every problem a draft has on its own, with the draft canonical as far as its fields are valid.
#[derive(Debug, Clone)]
pub struct Review {
    pub draft: CustomerDraft,
    pub errors: Vec<UserMessage>,
    pub warnings: Vec<UserMessage>,
}

impl Review {
    /// The checked draft, or every error at once; `more` are the errors found elsewhere (an
    /// account or meter already taken), reported with the draft's own.
    pub fn into_checked(mut self, more: Vec<UserMessage>) -> Result<Checked, Error> {
        self.errors.extend(more);
        if self.errors.is_empty() { Ok(Checked { draft: self.draft, warnings: self.warnings }) } else { Err(Error::Invalid(self.errors)) }
    }
}

impl CustomerDraft {
    /// Checks every field and returns the canonical form. All problems are reported together so
    /// that a form can mark each field at once. `today` bounds dates (a birth date in an ID).
    pub fn check(&self, today: NaiveDate) -> Result<Checked, Error> {
        self.review(today).into_checked(Vec::new())
    }

    /// Checks every field: the draft canonical where a field is valid (an invalid field keeps what
    /// was entered; an invalid meter is left out), and every error and warning.
    pub fn review(&self, today: NaiveDate) -> Review {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut draft = self.clone();

        match ids::account(&self.account) {
            Ok(a) => draft.account = a,
            Err(m) => errors.push(m.at("account")),
        }

        draft.name = self.name.trim().to_owned();
        if draft.name.is_empty() {
            errors.push(UserMessage::new("name.required", "请填写客户名称", "The customer's name is required").at("name"));
        } else if draft.name.chars().count() > MAX_NAME_CHARS {
            errors.push(too_long("name", MAX_NAME_CHARS));
        }

        match self.id_kind {
            IdKind::ResidentId => match ids::resident_id(&self.id_number, today) {
                Ok(id) => draft.id_number = id,
                Err(m) => errors.push(m.at("id_number")),
            },
            IdKind::Uscc => match ids::uscc(&self.id_number) {
                Ok(u) => {
                    if u.check_failed {
                        warnings.push(
                            UserMessage::new(
                                "uscc.check_digit",
                                "统一社会信用代码校验位不符，请核对证照（部分早期代码属合法情况）",
                                "The social credit code's check character does not match; check the licence (some early codes are legal)",
                            )
                            .at("id_number"),
                        );
                    }
                    draft.id_number = u.code;
                }
                Err(m) => errors.push(m.at("id_number")),
            },
            IdKind::Other => {
                draft.id_number = self.id_number.trim().to_uppercase();
                if draft.id_number.is_empty() || draft.id_number.chars().count() > 40 {
                    errors.push(
                        UserMessage::new(
                            "id_number.required",
                            "请填写证件号码（最多40字）",
                            "Enter the document number (at most 40 characters)",
                        )
                        .at("id_number"),
                    );
                }
            }
        }

        draft.phones.clear();
        for phone in self.phones.iter().filter(|p| !p.trim().is_empty()) {
            match ids::phone(phone) {
                Ok(p) if !draft.phones.contains(&p) => draft.phones.push(p),
                Ok(_) => {}
                Err(m) => errors.push(m.at("phones")),
            }
        }
        if draft.phones.is_empty() && !errors.iter().any(|e| e.field.as_deref() == Some("phones")) {
            errors
                .push(UserMessage::new("phones.required", "请至少填写一个联系电话", "At least one contact phone is required").at("phones"));
        } else if draft.phones.len() > MAX_PHONES {
            errors.push(UserMessage::new("phones.too_many", "联系电话最多3个", "At most 3 contact phones").at("phones"));
        }

        for (field, value) in [("address", &mut draft.address), ("supply_area", &mut draft.supply_area)] {
            *value = value.trim().to_owned();
            if value.is_empty() {
                errors.push(required(field));
            } else if value.chars().count() > MAX_TEXT_CHARS {
                errors.push(too_long(field, MAX_TEXT_CHARS));
            }
        }

        if draft.capacity_kva == 0 || draft.capacity_kva > MAX_CAPACITY_KVA {
            errors.push(
                UserMessage::new(
                    "capacity_kva.range",
                    "合同容量应在1至2000000 kVA之间",
                    "The contracted capacity must be between 1 and 2,000,000 kVA",
                )
                .at("capacity_kva"),
            );
        }
        if self.class == CustomerClass::LargeIndustrial && matches!(self.voltage, Voltage::V220 | Voltage::V380) {
            errors.push(
                UserMessage::new(
                    "voltage.large_industrial",
                    "大工业用户应为10kV及以上供电",
                    "A large-industrial customer is supplied at 10 kV or above",
                )
                .at("voltage"),
            );
        }

        draft.tariff_code = self.tariff_code.trim().to_owned();
        let tariff_ok = !draft.tariff_code.is_empty()
            && draft.tariff_code.len() <= 32
            && draft.tariff_code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !tariff_ok {
            errors.push(
                UserMessage::new(
                    "tariff_code.format",
                    "电价代码应为1至32位字母、数字、-或_",
                    "A tariff code has 1 to 32 letters, digits, - or _",
                )
                .at("tariff_code"),
            );
        }

        draft.account_manager = self.account_manager.as_deref().map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned);
        if draft.big_customer && draft.account_manager.is_none() {
            errors.push(
                UserMessage::new("account_manager.required", "大客户须指定客户经理", "A big customer needs an assigned account manager")
                    .at("account_manager"),
            );
        }

        draft.tags = Vec::new();
        for tag in self.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if tag.chars().count() > MAX_TAG_CHARS {
                errors.push(too_long("tags", MAX_TAG_CHARS));
            } else if !draft.tags.iter().any(|t| t == tag) {
                draft.tags.push(tag.to_owned());
            }
        }
        if draft.tags.len() > MAX_TAGS {
            errors.push(UserMessage::new("tags.too_many", "标签最多10个", "At most 10 tags").at("tags"));
        }

        draft.notes = self.notes.trim().to_owned();
        if draft.notes.chars().count() > MAX_NOTES_CHARS {
            errors.push(too_long("notes", MAX_NOTES_CHARS));
        }

        draft.meters = Vec::new();
        for meter in &self.meters {
            let number = meter.number.trim().to_ascii_uppercase();
            let number_ok = !number.is_empty() && number.len() <= 32 && number.bytes().all(|b| b.is_ascii_alphanumeric());
            if !number_ok {
                errors.push(
                    UserMessage::new("meters.number", "表号应为1至32位字母或数字", "A meter number has 1 to 32 letters or digits")
                        .at("meters"),
                );
            } else if draft.meters.iter().any(|m: &Meter| m.number == number) {
                errors.push(UserMessage::new("meters.duplicate", "表号重复", "The same meter number is listed twice").at("meters"));
            } else if meter.multiplier == 0 {
                errors.push(UserMessage::new("meters.multiplier", "倍率应大于0", "A meter's multiplier must be at least 1").at("meters"));
            } else {
                draft.meters.push(Meter { number, ..meter.clone() });
            }
        }
        if draft.meters.len() > MAX_METERS {
            errors.push(UserMessage::new("meters.too_many", "电能表最多20块", "At most 20 meters").at("meters"));
        }

        Review { draft, errors, warnings }
    }
}

fn required(field: &str) -> UserMessage {
    let (zh, en) = match field {
        "address" => ("请填写用电地址", "The supply address is required"),
        _ => ("请填写台区/供电所", "The supply area is required"),
    };
    UserMessage::new(&format!("{field}.required"), zh, en).at(field)
}

fn too_long(field: &str, max: usize) -> UserMessage {
    UserMessage::new(&format!("{field}.too_long"), format!("内容过长，最多{max}字"), format!("Too long: at most {max} characters"))
        .at(field)
}

/// One field's change, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The fields that differ between two versions of a record, by field name. Values are
/// rendered as plain text for strings and as JSON otherwise, so the history reads naturally and
/// still round-trips lists such as phones and meters.
pub fn diff(old: &CustomerDraft, new: &CustomerDraft) -> Vec<FieldChange> {
    let (serde_json::Value::Object(old), serde_json::Value::Object(new)) =
        (serde_json::to_value(old).expect("draft serialises"), serde_json::to_value(new).expect("draft serialises"))
    else {
        unreachable!("a struct serialises to an object")
    };
    new.iter()
        .filter(|(field, value)| old.get(*field) != Some(value))
        .map(|(field, value)| FieldChange { field: field.clone(), old: old.get(field).map(render).unwrap_or_default(), new: render(value) })
        .collect()
}

fn render(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
