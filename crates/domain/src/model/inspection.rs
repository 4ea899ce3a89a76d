//! Safety inspections (用电检查), SPEC §6, pure: the checklist, how often a customer is due, the
//! sample of the others, and the rules of a defect's rectification.
//!
//! The cycles are the outlet's plan (SPEC publishes none): customers at 35 kV and above every 6
//! months, other high-voltage (10–20 kV) customers and big customers every 12 months; low-voltage
//! customers are sampled, one in fifty a year, chosen by their account so that the sample changes
//! from year to year and a clerk cannot pick it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::{Voltage, code_enum};
use crate::error::{Error, Result, UserMessage};

code_enum!(
    /// The points an inspector checks.
    CheckItem {
        ServiceEntry = "service_entry", "进户线及计量装置", "Service entry and metering";
        LeakageProtection = "leakage_protection", "漏电保护装置", "Residual-current protection";
        Grounding = "grounding", "接地与防雷", "Earthing and lightning protection";
        Switchgear = "switchgear", "配电室及设备", "Switch room and equipment";
        BackupPower = "backup_power", "自备电源防倒送电", "Standby generation (no back-feed)";
        SafetyRules = "safety_rules", "安全用电管理制度", "Safety rules and records";
        Electricians = "electricians", "电工持证上岗", "Certified electricians";
        UnauthorisedUse = "unauthorised_use", "违约用电与窃电", "Unauthorised use and theft";
    }
);

code_enum!(
    /// Why a customer is on the due list.
    DueReason {
        Cycle = "cycle", "周期检查", "Cycle";
        Sample = "sample", "抽检", "Sample";
    }
);

/// Months between inspections of a customer on a cycle; `None` for one only sampled.
pub fn cycle_months(voltage: Voltage, big_customer: bool) -> Option<u32> {
    match voltage {
        Voltage::Kv35 | Voltage::Kv110 | Voltage::Kv220 => Some(6),
        Voltage::Kv10 | Voltage::Kv20 => Some(12),
        _ if big_customer => Some(12),
        _ => None,
    }
}

/// One in this many sampled customers is inspected each year.
pub const SAMPLE_ONE_IN: u64 = 50;

/// Whether a customer without a cycle is in `year`'s sample (by account: stable within the year,
/// different the next).
pub fn sampled(account: &str, year: i32) -> bool {
    // FNV-1a over the account and the year: cheap, stable across builds, spread evenly.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in account.bytes().chain(year.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.is_multiple_of(SAMPLE_ONE_IN)
}

/// Whether the customer is due on `today`: on a cycle, when the last inspection is a cycle ago
/// (or there was none); sampled, when in this year's sample and not inspected this year.
pub fn due(voltage: Voltage, big_customer: bool, account: &str, last: Option<NaiveDate>, today: NaiveDate) -> Option<DueReason> {
    match cycle_months(voltage, big_customer) {
        Some(months) => {
            let next = last.and_then(|l| l.checked_add_months(chrono::Months::new(months)));
            (next.is_none_or(|n| n <= today)).then_some(DueReason::Cycle)
        }
        None => (sampled(account, today.year()) && last.is_none_or(|l| l.year() < today.year())).then_some(DueReason::Sample),
    }
}

/// One checklist finding as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub item: CheckItem,
    /// `true`: in order. `false`: a defect (安全隐患), described in `defect`.
    pub ok: bool,
    pub defect: Option<DefectInput>,
}

/// A defect found, with the date its rectification is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DefectInput {
    pub description: String,
    #[ts(type = "string")]
    pub deadline: NaiveDate,
}

/// Checks a checklist: every item once, a defect described with a deadline after the visit.
pub fn check_findings(findings: &[Finding], inspected_on: NaiveDate) -> Result<()> {
    let mut errors = Vec::new();
    for item in CheckItem::ALL {
        if findings.iter().filter(|f| f.item == *item).count() != 1 {
            errors.push(UserMessage::new(
                "findings.item",
                format!("检查项“{}”须记录且只记录一次", item.label(crate::error::Lang::ZhCn)),
                format!("Record the item “{}” exactly once", item.label(crate::error::Lang::En)),
            ));
        }
    }
    for f in findings.iter().filter(|f| !f.ok) {
        let name = (f.item.label(crate::error::Lang::ZhCn), f.item.label(crate::error::Lang::En));
        match &f.defect {
            None => errors.push(UserMessage::new(
                "defect.required",
                format!("“{}”不合格：请描述隐患并定整改期限", name.0),
                format!("“{}” failed: describe the defect and set its deadline", name.1),
            )),
            Some(d) if d.description.trim().is_empty() => errors.push(UserMessage::new(
                "defect.description",
                format!("“{}”：请描述隐患", name.0),
                format!("“{}”: describe the defect", name.1),
            )),
            Some(d) if d.deadline <= inspected_on => errors.push(UserMessage::new(
                "defect.deadline",
                format!("“{}”：整改期限须晚于检查日期", name.0),
                format!("“{}”: the deadline must be after the inspection", name.1),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::Invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn cycles_and_samples() {
        let today = d(2026, 6, 15);
        // 35 kV: six months; inspected 15 Dec 2025 → due from 15 Jun 2026.
        assert_eq!(due(Voltage::Kv35, false, "1", Some(d(2025, 12, 15)), today), Some(DueReason::Cycle));
        assert_eq!(due(Voltage::Kv35, false, "1", Some(d(2025, 12, 16)), today), None);
        // 10 kV: a year; never inspected → due.
        assert_eq!(due(Voltage::Kv10, false, "1", None, today), Some(DueReason::Cycle));
        assert_eq!(due(Voltage::Kv10, false, "1", Some(d(2025, 9, 1)), today), None);
        // A low-voltage big customer: a year.
        assert_eq!(due(Voltage::V380, true, "1", Some(d(2025, 6, 15)), today), Some(DueReason::Cycle));
        // Others: about one in fifty, by account, once a year.
        let sampled_2026: Vec<String> = (0..10_000).map(|i| format!("33{i:08}")).filter(|a| sampled(a, 2026)).collect();
        assert!((150..=250).contains(&sampled_2026.len()), "{}", sampled_2026.len());
        let a = &sampled_2026[0];
        assert_eq!(due(Voltage::V220, false, a, None, today), Some(DueReason::Sample));
        assert_eq!(due(Voltage::V220, false, a, Some(d(2026, 2, 1)), today), None);
        let overlap = sampled_2026.iter().filter(|a| sampled(a, 2027)).count();
        assert!(overlap < 20, "the sample changes from year to year ({overlap} in both)");
    }

    #[test]
    fn a_checklist_names_every_problem() {
        let on = d(2026, 6, 15);
        let mut findings: Vec<Finding> = CheckItem::ALL.iter().map(|i| Finding { item: *i, ok: true, defect: None }).collect();
        assert!(check_findings(&findings, on).is_ok());
        findings[1] = Finding { item: CheckItem::LeakageProtection, ok: false, defect: None };
        findings[2] =
            Finding {
                item: CheckItem::Grounding, ok: false, defect: Some(DefectInput { description: "接地线锈断".into(), deadline: on })
            };
        findings.pop();
        let e = check_findings(&findings, on).unwrap_err();
        let messages = e.messages();
        let codes: Vec<&str> = messages.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["findings.item", "defect.required", "defect.deadline"]);
    }
}
