//! Payments (收费): tenders and their rules, reason codes for reversals, cash denominations.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::code_enum;
use super::money::Fen;
use crate::error::{Error, Result, UserMessage};

code_enum!(
    /// How the customer paid.
    TenderKind {
        Cash = "cash", "现金", "Cash";
        Card = "card", "银行卡", "Bank card";
        MobileQr = "mobile_qr", "扫码支付（微信/支付宝）", "Mobile QR (WeChat/Alipay)";
        Cheque = "cheque", "支票", "Cheque";
        Transfer = "transfer", "转账", "Bank transfer";
    }
);

code_enum!(
    /// Why a payment is reversed, corrected or refunded.
    ReasonCode {
        WrongAmount = "wrong_amount", "金额录入错误", "Wrong amount entered";
        WrongAccount = "wrong_account", "户号错误", "Wrong account";
        Duplicate = "duplicate", "重复收费", "Charged twice";
        CustomerRequest = "customer_request", "客户申请", "At the customer's request";
        Other = "other", "其他（见说明）", "Other (see note)";
    }
);

code_enum!(
    /// What kind of entry a payment row is.
    PaymentKind {
        Payment = "payment", "收费", "Payment";
        RedLetter = "red_letter", "冲红", "Red-letter correction";
        Refund = "refund", "预存退费", "Prepayment refund";
    }
);

code_enum!(
    PaymentStatus {
        Posted = "posted", "正常", "Posted";
        Reversed = "reversed", "已冲正", "Reversed";
        Corrected = "corrected", "已冲红", "Corrected by red letter";
    }
);

/// The notes and coins a desk counts, in fen, largest first.
pub const DENOMINATIONS: &[i64] = &[10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1];

/// A note or coin as counted at the desk and printed on the deposit slip: `100 元`, `5 角`, `2 分`
/// (`¥100`, `¥0.5`, `¥0.02`).
pub fn denomination_label(fen: i64, lang: crate::error::Lang) -> String {
    match lang {
        crate::error::Lang::ZhCn if fen >= 100 => format!("{} 元", fen / 100),
        crate::error::Lang::ZhCn if fen >= 10 => format!("{} 角", fen / 10),
        crate::error::Lang::ZhCn => format!("{fen} 分"),
        crate::error::Lang::En => format!("¥{}", super::money::Fen(fen).yuan().normalize()),
    }
}

/// One way of paying part of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Fen,
    /// The QR payment's transaction number, the cheque number, the transfer's serial, the card
    /// slip's reference.
    pub reference: Option<String>,
}

/// What the tenders come to against the amount paid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct TenderTotals {
    pub tendered: Fen,
    pub change: Fen,
}

/// The largest amount a payment or a tender may carry: 10,000,000.00 元. More is a typing error
/// (the UI's `form/money.ts` refuses the same).
pub const MAX_AMOUNT: Fen = Fen(1_000_000_000);

/// The refusal of an amount above [`MAX_AMOUNT`] at `field`.
pub fn too_large(field: &str) -> UserMessage {
    UserMessage::new("payment.too_large", format!("金额不能超过 {MAX_AMOUNT} 元"), format!("An amount cannot exceed {MAX_AMOUNT}"))
        .at(field)
}

fn tender_error(i: usize, code: &str, zh: String, en: String) -> UserMessage {
    UserMessage::new(code, zh, en).at(&format!("tenders.{i}"))
}

/// Checks the tenders for a payment of `amount` into the account: every tender positive and with
/// the reference its kind needs; together at least the amount; and any excess only as change from
/// cash.
pub fn check_tenders(amount: Fen, tenders: &[Tender]) -> Result<TenderTotals> {
    let mut errors = Vec::new();
    if !amount.is_positive() {
        errors.push(UserMessage::new("payment.amount", "收费金额必须大于零", "The amount must be greater than zero").at("amount"));
    } else if amount > MAX_AMOUNT {
        errors.push(too_large("amount"));
    }
    if tenders.is_empty() {
        errors.push(UserMessage::new("payment.no_tender", "请至少录入一种付款方式", "Enter at least one tender").at("tenders"));
    }
    for (i, t) in tenders.iter().enumerate() {
        if !t.amount.is_positive() {
            errors.push(tender_error(
                i,
                "tender.amount",
                "付款金额必须大于零".into(),
                "A tender's amount must be greater than zero".into(),
            ));
        } else if t.amount > MAX_AMOUNT {
            errors.push(too_large(&format!("tenders.{i}")));
        }
        let reference = t.reference.as_deref().map(str::trim).unwrap_or("");
        let ok = match t.kind {
            TenderKind::Cash | TenderKind::Card => true,
            // 支票号码: eight digits.
            TenderKind::Cheque => reference.len() == 8 && reference.bytes().all(|b| b.is_ascii_digit()),
            // WeChat and Alipay transaction numbers: 16 to 32 digits or letters.
            TenderKind::MobileQr => (16..=32).contains(&reference.len()) && reference.bytes().all(|b| b.is_ascii_alphanumeric()),
            TenderKind::Transfer => {
                (6..=40).contains(&reference.len()) && reference.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }
        };
        if !ok {
            let (zh, en) = match t.kind {
                TenderKind::Cheque => ("支票号码应为8位数字", "The cheque number must be 8 digits"),
                TenderKind::MobileQr => {
                    ("请录入扫码支付的交易单号（16-32位数字或字母）", "Enter the QR payment's transaction number (16-32 letters or digits)")
                }
                _ => ("请录入转账流水号（6-40位）", "Enter the transfer's serial number (6-40 characters)"),
            };
            errors.push(tender_error(i, "tender.reference", zh.into(), en.into()));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let tendered: Fen = tenders.iter().map(|t| t.amount).sum();
    let cash: Fen = tenders.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount).sum();
    if tendered < amount {
        return Err(Error::invalid(
            UserMessage::new(
                "payment.short",
                format!("付款合计 {tendered} 元，不足收费金额 {amount} 元"),
                format!("The tenders come to {tendered}, less than the amount {amount}"),
            )
            .at("tenders"),
        ));
    }
    let change = tendered - amount;
    if change > cash {
        return Err(Error::invalid(
            UserMessage::new(
                "payment.no_change",
                format!("非现金付款超出收费金额 {}元，无法找零", change - cash),
                format!("Non-cash tenders exceed the amount by {}; no change can be given", change - cash),
            )
            .at("tenders"),
        ));
    }
    Ok(TenderTotals { tendered, change })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(kind: TenderKind, fen: i64, reference: Option<&str>) -> Tender {
        Tender { kind, amount: Fen(fen), reference: reference.map(Into::into) }
    }

    #[test]
    fn cash_gives_change_and_other_tenders_do_not() {
        assert_eq!(check_tenders(Fen(8650), &[t(TenderKind::Cash, 10000, None)]).unwrap().change, Fen(1350));
        let mixed = [t(TenderKind::Card, 5000, None), t(TenderKind::Cash, 5000, None)];
        assert_eq!(check_tenders(Fen(8650), &mixed).unwrap().change, Fen(1350));
        assert_eq!(check_tenders(Fen(8650), &[t(TenderKind::Card, 10000, None)]).unwrap_err().code(), "payment.no_change");
        assert_eq!(check_tenders(Fen(8650), &[t(TenderKind::Cash, 100, None)]).unwrap_err().code(), "payment.short");
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(check_tenders(Fen(0), &[t(TenderKind::Cash, 100, None)]).unwrap_err().code(), "payment.amount");
        assert_eq!(check_tenders(Fen(100), &[t(TenderKind::Cash, -100, None)]).unwrap_err().code(), "tender.amount");
        assert_eq!(check_tenders(Fen(100), &[t(TenderKind::Cheque, 100, Some("12AB"))]).unwrap_err().code(), "tender.reference");
        assert!(check_tenders(Fen(100), &[t(TenderKind::Cheque, 100, Some("12345678"))]).is_ok());
        assert_eq!(check_tenders(Fen(100), &[t(TenderKind::MobileQr, 100, None)]).unwrap_err().code(), "tender.reference");
        // 99,999,999.99 元 is ten times the largest amount a counter takes (10,000,000.00 元).
        let err = check_tenders(Fen(12259), &[t(TenderKind::Cash, 9_999_999_999, None)]).unwrap_err();
        assert_eq!((err.code().as_str(), err.messages()[0].field.as_deref()), ("payment.too_large", Some("tenders.0")));
        assert!(check_tenders(Fen(12259), &[t(TenderKind::Cash, 1_000_000_000, None)]).is_ok());
    }
}
