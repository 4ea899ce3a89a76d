//! Arrears notices (SPEC §6): the payment notice (催费通知单) and the disconnection notice
//! (停电通知书), one A4 page per customer; many notices go into one PDF, a page each, for bulk
//! printing. The customer's unpaid bills with their late fees today, the total, and for a
//! disconnection the date the supply will be cut if the debt is still owed, and the promise to
//! restore it within 24 hours of payment.

use chrono::NaiveDate;

use super::{Align, Sheet};
use crate::error::Result;
use crate::model::arrears::NoticeKind;
use crate::model::money::Fen;

/// One unpaid bill as a notice lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeBill {
    pub period: String,
    pub due_date: NaiveDate,
    pub outstanding: Fen,
    pub late_fee: Fen,
}

/// Everything printed on one notice, already worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDoc {
    pub kind: NoticeKind,
    pub company: String,
    pub outlet: String,
    pub outlet_phone: String,
    /// The notice's record id, printed small so that a returned copy can be matched.
    pub reference: String,
    pub account: String,
    pub name: String,
    pub address: String,
    pub bills: Vec<NoticeBill>,
    pub printed_on: NaiveDate,
    /// For a disconnection notice: the date the supply is cut if still unpaid.
    pub planned_date: Option<NaiveDate>,
}

const W: f32 = 210.0;
const H: f32 = 297.0;
const LEFT: f32 = 22.0;
const RIGHT: f32 = 188.0;

/// Renders the notices as one PDF, a page each (at least one notice).
pub fn render(docs: &[NoticeDoc]) -> Result<Vec<u8>> {
    let title = match docs.first().map(|d| d.kind) {
        Some(NoticeKind::Disconnection) => "停电通知书",
        _ => "催费通知单",
    };
    let mut s = Sheet::new(title, W, H);
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            s.new_page();
        }
        page(&mut s, doc);
    }
    Ok(s.finish())
}

fn page(s: &mut Sheet, doc: &NoticeDoc) {
    let (title, english) = match doc.kind {
        NoticeKind::Payment => ("电费催缴通知单", "Notice of electricity charges overdue"),
        NoticeKind::Disconnection => ("欠费停电通知书", "Notice of disconnection for arrears"),
    };
    s.text(W / 2.0, 22.0, 13.0, Align::Centre, &doc.company);
    s.text(W / 2.0, 33.0, 18.0, Align::Centre, title);
    s.text(W / 2.0, 38.5, 7.5, Align::Centre, english);
    let mut y = 52.0;
    s.text(LEFT, y, 11.0, Align::Left, &format!("尊敬的客户 {}：", doc.name));
    y += 8.0;
    s.text(LEFT, y, 10.0, Align::Left, &format!("户号：{}", doc.account));
    y += 6.5;
    s.text(LEFT, y, 10.0, Align::Left, &format!("用电地址：{}", doc.address));
    y += 9.0;
    s.text(LEFT, y, 10.0, Align::Left, &format!("截至{}，您尚有以下电费逾期未缴：", doc.printed_on));
    y += 8.0;
    let (c_due, c_owed, c_fee) = (95.0, 140.0, RIGHT);
    s.text(LEFT, y, 9.0, Align::Left, "电费月份");
    s.text(c_due, y, 9.0, Align::Right, "缴费期限");
    s.text(c_owed, y, 9.0, Align::Right, "欠费金额（元）");
    s.text(c_fee, y, 9.0, Align::Right, "违约金（元）");
    y += 2.5;
    s.rule(LEFT, RIGHT, y, 0.4);
    let (mut owed, mut fees) = (Fen::ZERO, Fen::ZERO);
    for bill in &doc.bills {
        y += 6.5;
        s.text(LEFT, y, 10.0, Align::Left, &bill.period);
        s.text(c_due, y, 10.0, Align::Right, &bill.due_date.to_string());
        s.text(c_owed, y, 10.0, Align::Right, &bill.outstanding.to_string());
        s.text(c_fee, y, 10.0, Align::Right, &bill.late_fee.to_string());
        owed += bill.outstanding;
        fees += bill.late_fee;
    }
    y += 3.0;
    s.rule(LEFT, RIGHT, y, 0.4);
    y += 7.0;
    s.text(LEFT, y, 11.0, Align::Left, &format!("合计应缴：{} 元（其中电费 {} 元，违约金 {} 元）", owed + fees, owed, fees));
    y += 4.5;
    s.text(
        LEFT,
        y,
        6.5,
        Align::Left,
        &format!("Total due {} yuan: charges {owed}, late fees {fees} (late fees accrue daily until paid)", owed + fees),
    );
    y += 10.0;
    let body: Vec<String> = match (doc.kind, doc.planned_date) {
        (NoticeKind::Disconnection, Some(date)) => vec![
            format!("请于{date}前缴清上述欠费。逾期仍未缴清的，我公司将依据《电力供应与使用条例》"),
            format!("自{date}起对您中止供电。欠费缴清后，我公司将在24小时内恢复供电。"),
            "违约金按日累计，以实际缴费日计算为准。".to_owned(),
        ],
        _ => vec![
            "请您尽快到营业厅或通过网上国网等渠道缴清上述欠费。违约金按日累计，以实际缴费日计算为准。".to_owned(),
            "如已缴费，请忽略本通知。".to_owned(),
        ],
    };
    for line in &body {
        s.text(LEFT, y, 10.0, Align::Left, line);
        y += 6.5;
    }
    if let (NoticeKind::Disconnection, Some(date)) = (doc.kind, doc.planned_date) {
        y += 2.0;
        s.fill(LEFT, y - 5.0, RIGHT - LEFT, 8.0, 0.9);
        s.text(W / 2.0, y, 12.0, Align::Centre, &format!("计划停电日期：{date}"));
        y += 8.0;
    }
    y += 10.0;
    s.text(RIGHT, y, 10.0, Align::Right, &doc.outlet);
    y += 6.5;
    if !doc.outlet_phone.is_empty() {
        s.text(RIGHT, y, 10.0, Align::Right, &format!("服务电话：{}", doc.outlet_phone));
        y += 6.5;
    }
    s.text(RIGHT, y, 10.0, Align::Right, &doc.printed_on.to_string());
    s.rule(LEFT, RIGHT, H - 40.0, 0.3);
    s.text(LEFT, H - 33.0, 9.0, Align::Left, "客户签收：____________　　签收日期：____________");
    s.text(LEFT, H - 20.0, 6.5, Align::Left, &format!("No. {}", doc.reference));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: NoticeKind, n: usize) -> NoticeDoc {
        NoticeDoc {
            kind,
            company: "国网杭州供电公司".into(),
            outlet: "西湖营业厅".into(),
            outlet_phone: "95598".into(),
            reference: format!("ref-{n}"),
            account: format!("33{n:08}"),
            name: "王小明".into(),
            address: "浙江省杭州市西湖区文三路88号".into(),
            bills: vec![NoticeBill {
                period: "2026-01".into(),
                due_date: NaiveDate::from_ymd_opt(2026, 2, 15).unwrap(),
                outstanding: Fen(12_259),
                late_fee: Fen(184),
            }],
            printed_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            planned_date: (kind == NoticeKind::Disconnection).then(|| NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()),
        }
    }

    #[test]
    fn many_notices_are_one_pdf_sharing_its_font() {
        let one = render(&[doc(NoticeKind::Disconnection, 1)]).unwrap();
        let ten = render(&(0..10).map(|n| doc(NoticeKind::Payment, n)).collect::<Vec<_>>()).unwrap();
        assert!(one.starts_with(b"%PDF") && ten.starts_with(b"%PDF"));
        // The font is embedded once however many pages: ten notices cost far less than ten PDFs.
        assert!(ten.len() < 3 * one.len(), "{} vs {}", ten.len(), one.len());
    }
}
