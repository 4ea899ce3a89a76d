//! The acceptance slip (受理回执), SPEC §5: what the customer takes home when an application is
//! accepted. The application number, the applicant (masked here, as receipts mask), the kind, the
//! address, capacity and voltage, each step with its limit in working days and its promised date,
//! the total promise, the documents received, the outlet, its phone and the clerk, and a QR code
//! of the application number signed with the workstation's key (`model::application_code`).
//! A4 portrait; Chinese labels with their English small beneath.

use chrono::NaiveDate;

use super::{Align, Sheet};
use crate::error::Result;
use crate::model::mask;

/// One step as the slip prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipStep {
    /// The step's name, `现场勘查`.
    pub name: String,
    /// Its limit in working days (`None`: no published limit, such as intake itself).
    pub limit_days: Option<u32>,
    /// The date it is promised by, when known at acceptance.
    pub due_date: Option<NaiveDate>,
}

/// Everything printed on the slip, already worded (labels in Chinese), except the applicant's
/// name, which is given in full and masked by [`render`] so that no caller can forget to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipDoc {
    pub company: String,
    pub outlet: String,
    /// Empty: no phone line.
    pub outlet_phone: String,
    pub application_no: String,
    /// Local time, `2026-03-02 09:30`.
    pub accepted_at: String,
    /// The accepting clerk's name.
    pub clerk: String,
    /// In full: printed masked (`张三` → `张*`).
    pub applicant_name: String,
    /// The kind's label, `低压非居民新装`.
    pub kind: String,
    pub address: String,
    pub capacity_kva: Option<u32>,
    /// The voltage's label, `交流380V`.
    pub voltage: Option<String>,
    /// 重要客户.
    pub important: bool,
    pub steps: Vec<SlipStep>,
    /// The total promise, in working days, and its date.
    pub promise_days: u32,
    pub promised_date: NaiveDate,
    /// The documents received, each worded (`身份证明：身份证.jpg`).
    pub documents: Vec<String>,
    /// The signed code (`model::application_code`).
    pub code: String,
}

const W: f32 = 210.0;
const H: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;
const LABEL_PT: f32 = 9.0;
const VALUE_PT: f32 = 10.5;
const ENGLISH_PT: f32 = 6.0;

/// Renders the slip as PDF (one A4 page; a very long list of documents or steps goes on to a second).
pub fn render(doc: &SlipDoc) -> Result<Vec<u8>> {
    let mut s = Sheet::new(&format!("受理回执 {}", doc.application_no), W, H);
    s.text(W / 2.0, 20.0, 13.0, Align::Centre, &doc.company);
    s.text(W / 2.0, 30.0, 17.0, Align::Centre, "业扩报装受理回执");
    s.text(W / 2.0, 35.5, 7.5, Align::Centre, "Application acceptance slip");
    let mut y = 47.0;
    field(&mut s, LEFT, y, "申请编号", "Application no.", &doc.application_no);
    field(&mut s, 110.0, y, "受理时间", "Accepted", &doc.accepted_at);
    y += 10.0;
    field(&mut s, LEFT, y, "申 请 人", "Applicant", &mask::name(&doc.applicant_name));
    field(&mut s, 110.0, y, "业务类型", "Type", &doc.kind);
    y += 10.0;
    let address = wrap(&doc.address, VALUE_PT, RIGHT - LEFT - 22.0);
    field(&mut s, LEFT, y, "用电地址", "Address", address.first().map_or("", String::as_str));
    for line in address.iter().skip(1) {
        y += 5.5;
        s.text(LEFT + 22.0, y, VALUE_PT, Align::Left, line);
    }
    y += 10.0;
    let capacity = doc.capacity_kva.map_or_else(|| "—".to_owned(), |kva| format!("{kva} kVA"));
    field(&mut s, LEFT, y, "申请容量", "Capacity", &capacity);
    field(&mut s, 80.0, y, "供电电压", "Voltage", doc.voltage.as_deref().unwrap_or("—"));
    field(&mut s, 140.0, y, "重要客户", "Important", if doc.important { "是 Yes" } else { "否 No" });
    y += 6.0;
    s.rule(LEFT, RIGHT, y, 0.8);

    // The steps and their promises.
    y += 7.0;
    let (c_limit, c_due) = (135.0, RIGHT);
    header(&mut s, LEFT, y, Align::Left, "办理环节", "Step");
    header(&mut s, c_limit, y, Align::Right, "时限（工作日）", "Limit (working days)");
    header(&mut s, c_due, y, Align::Right, "承诺完成日期", "Promised by");
    y += 4.5;
    s.rule(LEFT, RIGHT, y, 0.3);
    for (i, step) in doc.steps.iter().enumerate() {
        y += 6.5;
        if y > H - 30.0 {
            s.new_page();
            y = 25.0;
        }
        s.text(LEFT, y, VALUE_PT, Align::Left, &format!("{}. {}", i + 1, step.name));
        s.text(c_limit, y, VALUE_PT, Align::Right, &step.limit_days.map_or_else(|| "—".to_owned(), |d| d.to_string()));
        s.text(c_due, y, VALUE_PT, Align::Right, &step.due_date.map_or_else(|| "—".to_owned(), |d| d.to_string()));
    }
    y += 3.0;
    s.rule(LEFT, RIGHT, y, 0.3);
    y += 7.0;
    s.text(LEFT, y, 11.0, Align::Left, &format!("全流程承诺：{}个工作日，{}前办结", doc.promise_days, doc.promised_date));
    y += 4.5;
    s.text(LEFT, y, ENGLISH_PT, Align::Left, &format!("Total promise: {} working days, done by {}", doc.promise_days, doc.promised_date));
    y += 5.0;
    s.text(LEFT, y, 7.5, Align::Left, "时限按工作日计算（国家法定节假日除外）；因客户原因暂停期间不计入办理时限。");
    y += 4.0;
    s.text(
        LEFT,
        y,
        ENGLISH_PT,
        Align::Left,
        "Limits count working days (public holidays excepted); time suspended for the customer's cause does not count.",
    );
    y += 4.0;
    s.rule(LEFT, RIGHT, y, 0.8);

    // The documents received.
    y += 7.0;
    header(&mut s, LEFT, y, Align::Left, "已收资料", "Documents received");
    if doc.documents.is_empty() {
        s.text(LEFT + 32.0, y, VALUE_PT, Align::Left, "（无）");
    }
    for (i, document) in doc.documents.iter().enumerate() {
        if i > 0 {
            y += 6.0;
        }
        if y > H - 70.0 {
            s.new_page();
            y = 25.0;
        }
        s.text(LEFT + 32.0, y, VALUE_PT, Align::Left, &format!("{}. {document}", i + 1));
    }
    y += 8.0;
    s.rule(LEFT, RIGHT, y, 0.8);

    // Who accepted it, where to call, and the code.
    y += 8.0;
    field(&mut s, LEFT, y, "营业网点", "Outlet", &doc.outlet);
    field(&mut s, 110.0, y, "受 理 人", "Clerk", &doc.clerk);
    if !doc.outlet_phone.is_empty() {
        y += 10.0;
        field(&mut s, LEFT, y, "联系电话", "Phone", &doc.outlet_phone);
    }
    let qr_y = y + 8.0;
    s.qr(LEFT, qr_y, 36.0, &doc.code);
    let tx = LEFT + 42.0;
    s.text(tx, qr_y + 8.0, 9.0, Align::Left, "扫描二维码可验证本回执由本营业厅签发、内容未被改动。");
    s.text(tx, qr_y + 12.5, ENGLISH_PT, Align::Left, "Scan to verify this slip with the outlet's public key.");
    s.text(tx, qr_y + 20.0, 9.0, Align::Left, "请凭本回执查询办理进度，并妥善保管。");
    s.text(tx, qr_y + 24.5, ENGLISH_PT, Align::Left, "Keep this slip: quote its number to follow the application.");
    Ok(s.finish())
}

/// A label (Chinese, English small beneath) and its value on the same baseline.
fn field(s: &mut Sheet, x: f32, y: f32, zh: &str, en: &str, value: &str) {
    s.text(x, y, LABEL_PT, Align::Left, zh);
    s.text(x, y + 3.2, ENGLISH_PT, Align::Left, en);
    s.text(x + 22.0, y, VALUE_PT, Align::Left, value);
}

fn header(s: &mut Sheet, x: f32, y: f32, align: Align, zh: &str, en: &str) {
    s.text(x, y, LABEL_PT, align, zh);
    s.text(x, y + 3.2, ENGLISH_PT, align, en);
}

/// `text` cut into lines no wider than `width` mm at `size` pt (by character: Chinese has no
/// spaces to break at).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let line = lines.last_mut().expect("never empty");
        line.push(c);
        if Sheet::text_width(line, size) > width && line.chars().count() > 1 {
            line.pop();
            lines.push(c.to_string());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_address_wraps_within_the_width_and_loses_nothing() {
        let address = "浙江省杭州市西湖区文三路".repeat(6);
        let lines = wrap(&address, VALUE_PT, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| Sheet::text_width(l, VALUE_PT) <= 100.0));
        assert_eq!(lines.concat(), address);
    }
}
