//! Arrears actions (SPEC §6), pure: the aging buckets, the notice periods a disconnection must
//! respect, and the reconnection deadline once the arrears are paid.
//!
//! The periods: a residential (居民) customer may be given a disconnection notice only once a
//! bill is more than 30 days overdue, and the notice names a date at least 7 days ahead; any
//! other customer at least 3 days ahead. The supply is cut only once that date has come and only
//! while the debt is still owed; it is restored within 24 hours of the payment that clears it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::{CustomerClass, code_enum};
use super::money::Fen;
use crate::error::{Error, Result, UserMessage};

code_enum!(
    /// How long the oldest unpaid part of a debt has been overdue.
    Bucket {
        UpTo30 = "0_30", "0–30天", "0–30 days";
        UpTo60 = "31_60", "31–60天", "31–60 days";
        UpTo90 = "61_90", "61–90天", "61–90 days";
        Over90 = "over_90", "90天以上", "Over 90 days";
    }
);

code_enum!(
    /// What was printed for a customer in arrears.
    NoticeKind {
        Payment = "payment", "催费通知单", "Payment notice";
        Disconnection = "disconnection", "停电通知书", "Disconnection notice";
    }
);

code_enum!(
    /// How a notice reached the customer.
    Delivery {
        InPerson = "in_person", "当面送达", "Handed over";
        Posted = "posted", "邮寄", "Posted";
        Sms = "sms", "短信", "Text message";
    }
);

/// Days overdue on `today` of a bill due on `due` (the last day to pay without a late fee).
pub fn days_overdue(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days()
}

/// The bucket of a bill `days` overdue; `None` while it is not overdue.
pub fn bucket(days: i64) -> Option<Bucket> {
    match days {
        ..=0 => None,
        1..=30 => Some(Bucket::UpTo30),
        31..=60 => Some(Bucket::UpTo60),
        61..=90 => Some(Bucket::UpTo90),
        _ => Some(Bucket::Over90),
    }
}

/// Days a residential customer's oldest bill must be overdue, strictly, before a disconnection notice.
pub const RESIDENTIAL_OVERDUE_DAYS: i64 = 30;

/// Days of notice before a disconnection: 7 for residential customers, 3 for others.
pub fn notice_days(class: CustomerClass) -> i64 {
    if class == CustomerClass::Residential { 7 } else { 3 }
}

fn refuse(code: &str, zh: String, en: String) -> Error {
    Error::Conflict(UserMessage::new(code, zh, en))
}

/// What a notice is checked against: the customer's class and what they owe today.
#[derive(Debug, Clone, Copy)]
pub struct Debt {
    pub class: CustomerClass,
    /// Principal overdue today (bills past their due date, unpaid).
    pub overdue: Fen,
    /// Days the oldest overdue bill is past its due date (0 when none is).
    pub oldest_days: i64,
}

/// Checks a notice printed on `today`; for a disconnection notice, `planned` is the date it names.
pub fn check_notice(kind: NoticeKind, debt: Debt, today: NaiveDate, planned: Option<NaiveDate>) -> Result<()> {
    if debt.overdue <= Fen::ZERO {
        return Err(refuse(
            "arrears.none",
            "该户没有欠费，不能出具通知".into(),
            "This customer owes nothing overdue: no notice can be issued".into(),
        ));
    }
    if kind == NoticeKind::Payment {
        return Ok(());
    }
    if debt.class == CustomerClass::Residential && debt.oldest_days <= RESIDENTIAL_OVERDUE_DAYS {
        return Err(refuse(
            "arrears.too_early",
            format!("居民客户欠费逾期超过{RESIDENTIAL_OVERDUE_DAYS}天方可发停电通知（目前逾期{}天）", debt.oldest_days),
            format!(
                "A residential customer gets a disconnection notice only after {RESIDENTIAL_OVERDUE_DAYS} days overdue ({} so far)",
                debt.oldest_days
            ),
        ));
    }
    let days = notice_days(debt.class);
    let earliest = today + Duration::days(days);
    match planned {
        None => Err(Error::invalid(
            UserMessage::new("planned_date.required", "请填写计划停电日期", "Give the planned disconnection date").at("planned_date"),
        )),
        Some(date) if date < earliest => Err(Error::invalid(
            UserMessage::new(
                "arrears.notice_period",
                format!("停电日期须在通知{days}天之后（最早{earliest}）"),
                format!("The disconnection must be at least {days} days after the notice (on {earliest} at the earliest)"),
            )
            .at("planned_date"),
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a disconnection ordered on `today` after the notice planned for `planned` (the latest
/// disconnection notice, if any).
pub fn check_disconnection(debt: Debt, planned: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    if debt.overdue <= Fen::ZERO {
        return Err(refuse(
            "arrears.paid",
            "该户已无欠费（通知后已缴清），不能停电".into(),
            "This customer no longer owes anything overdue (paid since the notice): no disconnection".into(),
        ));
    }
    let Some(planned) = planned else {
        return Err(refuse(
            "arrears.no_notice",
            "尚未送达停电通知书，不能停电".into(),
            "No disconnection notice has been given: the supply cannot be cut".into(),
        ));
    };
    if today < planned {
        return Err(refuse(
            "arrears.notice_running",
            format!("通知期未满：停电通知书所定日期为{planned}"),
            format!("The notice period has not run: the notice named {planned}"),
        ));
    }
    Ok(())
}

/// Restoration is due within 24 hours of the payment that cleared the arrears.
pub fn reconnection_due(paid_at: DateTime<Utc>) -> DateTime<Utc> {
    paid_at + Duration::hours(24)
}

/// The text prepared for a notice sent by SMS.
pub fn sms_text(kind: NoticeKind, account: &str, owed: Fen, planned: Option<NaiveDate>, company: &str) -> String {
    match (kind, planned) {
        (NoticeKind::Disconnection, Some(date)) => format!(
            "【{company}】尊敬的客户，您的户号{account}尚欠电费{owed}元，已逾期。如在{date}前仍未缴清，我公司将依法对您中止供电。缴费后24小时内恢复供电。"
        ),
        _ => format!("【{company}】尊敬的客户，您的户号{account}尚欠电费{owed}元，已逾期，请尽快缴纳，逾期将按规定加收违约金。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn debt(class: CustomerClass, overdue: i64, oldest_days: i64) -> Debt {
        Debt { class, overdue: Fen(overdue), oldest_days }
    }

    #[test]
    fn buckets_begin_the_day_after_the_due_date() {
        assert_eq!(bucket(days_overdue(d(3, 15), d(3, 15))), None);
        assert_eq!(bucket(days_overdue(d(3, 15), d(3, 16))), Some(Bucket::UpTo30));
        // 15 Mar + 30 days = 14 Apr: still the first bucket; 15 Apr is day 31.
        assert_eq!(bucket(days_overdue(d(3, 15), d(4, 14))), Some(Bucket::UpTo30));
        assert_eq!(bucket(days_overdue(d(3, 15), d(4, 15))), Some(Bucket::UpTo60));
        assert_eq!(bucket(90), Some(Bucket::UpTo90));
        assert_eq!(bucket(91), Some(Bucket::Over90));
    }

    #[test]
    fn the_notice_periods() {
        let res = CustomerClass::Residential;
        let shop = CustomerClass::GeneralCommercial;
        // Nothing owed: no notice of either kind.
        assert_eq!(check_notice(NoticeKind::Payment, debt(res, 0, 0), d(3, 2), None).unwrap_err().code(), "arrears.none");
        // A payment notice any time there are arrears.
        assert!(check_notice(NoticeKind::Payment, debt(res, 12_259, 3), d(3, 2), None).is_ok());
        // Residential: 30 days overdue is not enough; 31 is. Notice on 2 Mar: 9 Mar at the earliest.
        assert_eq!(
            check_notice(NoticeKind::Disconnection, debt(res, 12_259, 30), d(3, 2), Some(d(3, 20))).unwrap_err().code(),
            "arrears.too_early"
        );
        assert_eq!(
            check_notice(NoticeKind::Disconnection, debt(res, 12_259, 31), d(3, 2), Some(d(3, 8))).unwrap_err().code(),
            "arrears.notice_period"
        );
        assert!(check_notice(NoticeKind::Disconnection, debt(res, 12_259, 31), d(3, 2), Some(d(3, 9))).is_ok());
        // Non-residential: any time overdue, 3 days ahead: 5 Mar.
        assert_eq!(
            check_notice(NoticeKind::Disconnection, debt(shop, 500, 1), d(3, 2), Some(d(3, 4))).unwrap_err().code(),
            "arrears.notice_period"
        );
        assert!(check_notice(NoticeKind::Disconnection, debt(shop, 500, 1), d(3, 2), Some(d(3, 5))).is_ok());
        // Across a holiday the period is still in calendar days: notice on 30 Sep, 7 Oct is 7 days on.
        assert!(check_notice(NoticeKind::Disconnection, debt(res, 500, 40), d(9, 30), Some(d(10, 7))).is_ok());
    }

    #[test]
    fn disconnection_waits_for_the_date_and_stops_once_paid() {
        let res = CustomerClass::Residential;
        assert_eq!(check_disconnection(debt(res, 500, 40), None, d(3, 9)).unwrap_err().code(), "arrears.no_notice");
        assert_eq!(check_disconnection(debt(res, 500, 40), Some(d(3, 9)), d(3, 8)).unwrap_err().code(), "arrears.notice_running");
        assert!(check_disconnection(debt(res, 500, 40), Some(d(3, 9)), d(3, 9)).is_ok());
        assert_eq!(check_disconnection(debt(res, 0, 0), Some(d(3, 9)), d(3, 10)).unwrap_err().code(), "arrears.paid");
    }

    #[test]
    fn the_sms_names_the_account_the_sum_and_the_date() {
        let text = sms_text(NoticeKind::Disconnection, "3300000007", Fen(12_259), Some(d(3, 9)), "国网杭州供电公司");
        assert!(text.contains("3300000007") && text.contains("122.59元") && text.contains("2026-03-09"), "{text}");
    }
}
