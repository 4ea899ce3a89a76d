//! The receipt (收费凭证), SPEC §4: company and outlet, number, date-time, clerk, account, masked
//! name, the bills settled with period, kWh and amount, the late fee, the tenders, change, the
//! prepayment after, and the signed QR code. A reprint carries 重打 / DUPLICATE.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Align, Sheet};
use crate::model::money::Fen;
use crate::model::payment::{PaymentKind, PaymentStatus, TenderKind};

/// The paper a receipt is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A5 portrait, for a sheet printer.
    #[default]
    A5,
    /// An 80 mm thermal roll.
    Roll80,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiptLine {
    pub period: String,
    pub kwh: i64,
    pub amount: Fen,
    pub late_fee: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiptTender {
    pub kind: TenderKind,
    pub label: String,
    pub amount: Fen,
    pub reference: Option<String>,
}

/// Everything printed on a receipt, already worded and masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiptDoc {
    pub company: String,
    pub outlet: String,
    /// 电费收费凭证, 冲红凭证 or 预存退费凭证.
    pub title: String,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub receipt_no: String,
    /// Local time, `2026-11-22 09:30:15`.
    pub posted_at: String,
    /// The business date the money was taken for, when it is not the day of `posted_at` (taken
    /// after 日结, for the next business date).
    pub business_date: Option<String>,
    pub clerk: String,
    pub account: String,
    pub name: String,
    pub lines: Vec<ReceiptLine>,
    pub late_fee: Fen,
    pub amount: Fen,
    pub tenders: Vec<ReceiptTender>,
    pub change: Fen,
    pub prepaid_after: Fen,
    /// The signed code (see `model::receipt`).
    pub code: String,
    pub duplicate: bool,
    /// 已冲正 / 已冲红, printed across a voided or corrected receipt's reprint.
    pub status_note: Option<String>,
    /// The receipt a red letter corrects.
    pub corrects: Option<String>,
}

/// Renders the receipt as PDF.
pub fn render(doc: &ReceiptDoc, layout: Layout) -> Vec<u8> {
    match layout {
        Layout::A5 => render_a5(doc),
        Layout::Roll80 => render_roll(doc),
    }
}

fn render_a5(doc: &ReceiptDoc) -> Vec<u8> {
    let (w, left, right) = (148.0, 12.0, 136.0);
    let mut s = Sheet::new(&format!("{} {}", doc.title, doc.receipt_no), w, 210.0);
    s.text(w / 2.0, 16.0, 13.0, Align::Centre, &doc.company);
    s.text(w / 2.0, 25.0, 15.0, Align::Centre, &doc.title);
    if doc.duplicate {
        s.text(right, 16.0, 12.0, Align::Right, "重打 DUPLICATE");
    }
    let mut y = 36.0;
    let field = |s: &mut Sheet, x: f32, y: f32, label: &str, value: &str| {
        s.text(x, y, 8.5, Align::Left, label);
        s.text(x + 17.0, y, 9.5, Align::Left, value);
    };
    field(&mut s, left, y, "营业网点", &doc.outlet);
    field(&mut s, 78.0, y, "凭证号码", &doc.receipt_no);
    y += 6.5;
    field(&mut s, left, y, "收费时间", &doc.posted_at);
    field(&mut s, 78.0, y, "收 费 员", &doc.clerk);
    if let Some(date) = &doc.business_date {
        y += 6.5;
        field(&mut s, left, y, "营业日期", &format!("{date}（日结后收费）"));
    }
    y += 6.5;
    field(&mut s, left, y, "用户编号", &doc.account);
    field(&mut s, 78.0, y, "用户名称", &doc.name);
    if let Some(corrects) = &doc.corrects {
        y += 6.5;
        field(&mut s, left, y, "冲红原凭证", corrects);
    }
    y += 4.0;
    s.rule(left, right, y, 0.8);
    y += 6.0;
    for (x, text, align) in [
        (left, "电费年月", Align::Left),
        (70.0, "电量(kWh)", Align::Right),
        (102.0, "电费(元)", Align::Right),
        (right, "违约金(元)", Align::Right),
    ] {
        s.text(x, y, 8.5, align, text);
    }
    y += 2.0;
    s.rule(left, right, y, 0.3);
    for line in &doc.lines {
        y += 6.0;
        s.text(left, y, 9.5, Align::Left, &line.period);
        s.text(70.0, y, 9.5, Align::Right, &line.kwh.to_string());
        s.text(102.0, y, 9.5, Align::Right, &line.amount.to_string());
        s.text(right, y, 9.5, Align::Right, &line.late_fee.to_string());
    }
    if doc.lines.is_empty() {
        y += 6.0;
        s.text(left, y, 9.5, Align::Left, "（预存电费，无结算账单）");
    }
    y += 3.0;
    s.rule(left, right, y, 0.3);
    y += 7.0;
    let money = |s: &mut Sheet, y: f32, label: &str, value: String| {
        s.text(78.0, y, 9.5, Align::Left, label);
        s.text(right, y, 10.0, Align::Right, &value);
    };
    money(&mut s, y, "违约金合计", format!("¥{}", doc.late_fee));
    let tenders_y = y;
    y += 6.5;
    money(&mut s, y, "本次实收", format!("¥{}", doc.amount));
    y += 6.5;
    money(&mut s, y, "找零", format!("¥{}", doc.change));
    y += 6.5;
    money(&mut s, y, "预存余额", format!("¥{}", doc.prepaid_after));
    let mut ty = tenders_y;
    s.text(left, ty, 8.5, Align::Left, "付款方式");
    for t in &doc.tenders {
        let text = match &t.reference {
            Some(r) => format!("{} ¥{} ({r})", t.label, t.amount),
            None => format!("{} ¥{}", t.label, t.amount),
        };
        s.text(left + 17.0, ty, 9.0, Align::Left, &text);
        ty += 5.5;
    }
    y = y.max(ty) + 6.0;
    s.rule(left, right, y, 0.8);
    let qr_y = y + 6.0;
    s.qr(left, qr_y, 34.0, &doc.code);
    s.text(52.0, qr_y + 8.0, 8.5, Align::Left, "扫描二维码可验证本凭证由本营业厅签发且未被改动。");
    s.text(52.0, qr_y + 14.0, 8.5, Align::Left, "Scan to verify this receipt with the outlet's public key.");
    s.text(52.0, qr_y + 20.0, 8.5, Align::Left, "请妥善保管本凭证。");
    if let Some(note) = &doc.status_note {
        s.text(52.0, qr_y + 30.0, 16.0, Align::Left, note);
    }
    s.finish()
}

fn render_roll(doc: &ReceiptDoc) -> Vec<u8> {
    let (w, left, right) = (80.0, 4.0, 76.0);
    let height = 150.0 + 12.0 * doc.lines.len().max(1) as f32 + 5.0 * doc.tenders.len() as f32;
    let mut s = Sheet::new(&format!("{} {}", doc.title, doc.receipt_no), w, height);
    s.text(w / 2.0, 9.0, 10.0, Align::Centre, &doc.company);
    s.text(w / 2.0, 16.0, 11.0, Align::Centre, &doc.title);
    let mut y = 16.0;
    if doc.duplicate {
        y += 6.0;
        s.text(w / 2.0, y, 10.0, Align::Centre, "** 重打 DUPLICATE **");
    }
    let pair = |s: &mut Sheet, y: &mut f32, label: &str, value: &str| {
        *y += 5.0;
        s.text(left, *y, 8.0, Align::Left, label);
        s.text(right, *y, 8.0, Align::Right, value);
    };
    pair(&mut s, &mut y, "网点", &doc.outlet);
    pair(&mut s, &mut y, "凭证号", &doc.receipt_no);
    pair(&mut s, &mut y, "时间", &doc.posted_at);
    if let Some(date) = &doc.business_date {
        pair(&mut s, &mut y, "营业日期", date);
    }
    pair(&mut s, &mut y, "收费员", &doc.clerk);
    pair(&mut s, &mut y, "户号", &doc.account);
    pair(&mut s, &mut y, "户名", &doc.name);
    if let Some(corrects) = &doc.corrects {
        pair(&mut s, &mut y, "冲红原凭证", corrects);
    }
    y += 3.0;
    s.rule(left, right, y, 0.4);
    for line in &doc.lines {
        pair(&mut s, &mut y, &format!("{}  {}kWh", line.period, line.kwh), &format!("¥{}", line.amount));
        if line.late_fee.0 != 0 {
            pair(&mut s, &mut y, "  违约金", &format!("¥{}", line.late_fee));
        }
    }
    y += 3.0;
    s.rule(left, right, y, 0.4);
    for t in &doc.tenders {
        pair(&mut s, &mut y, &t.label, &format!("¥{}", t.amount));
        if let Some(r) = &t.reference {
            pair(&mut s, &mut y, "  单号", r);
        }
    }
    pair(&mut s, &mut y, "违约金合计", &format!("¥{}", doc.late_fee));
    pair(&mut s, &mut y, "本次实收", &format!("¥{}", doc.amount));
    pair(&mut s, &mut y, "找零", &format!("¥{}", doc.change));
    pair(&mut s, &mut y, "预存余额", &format!("¥{}", doc.prepaid_after));
    if let Some(note) = &doc.status_note {
        y += 7.0;
        s.text(w / 2.0, y, 12.0, Align::Centre, note);
    }
    y += 4.0;
    s.qr((w - 40.0) / 2.0, y, 40.0, &doc.code);
    s.text(w / 2.0, y + 46.0, 7.5, Align::Centre, "扫码验证凭证真伪");
    s.finish()
}
