//! The day-end papers: the deposit slip (解款单) for the bank and the daily collection report
//! (日实收报表) for the branch manager, both A4 portrait.

use super::{Align, Sheet};
use crate::clock::outlet_local_text;
use crate::error::Lang;
use crate::model::payment::denomination_label;
use crate::store::dayend::DayReport;

const W: f32 = 210.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;

fn header(s: &mut Sheet, company: &str, title: &str, report: &DayReport, outlet: &str) -> f32 {
    if let Some(at) = &report.reopened_at {
        // A day reopened after its papers were printed: these are not the papers of the close.
        s.text(RIGHT, 12.0, 10.0, Align::Right, &format!("重开后补打 RE-ISSUED（重开于 {}）", outlet_local_text(at)));
    }
    s.text(W / 2.0, 22.0, 14.0, Align::Centre, company);
    s.text(W / 2.0, 32.0, 16.0, Align::Centre, title);
    s.text(LEFT, 44.0, 10.0, Align::Left, &format!("营业网点：{outlet}（{}）", report.outlet_code));
    s.text(RIGHT, 44.0, 10.0, Align::Right, &format!("营业日期：{}", report.date));
    s.rule(LEFT, RIGHT, 47.0, 0.8);
    47.0
}

fn row(s: &mut Sheet, y: f32, cells: &[(&str, f32, Align)]) {
    for (text, x, align) in cells {
        s.text(*x, y, 10.0, *align, text);
    }
}

/// 解款单: the cash counted at the closed desks by denomination, the floats kept, and the amount
/// handed to the bank.
/// A section title over a rule; returns the rule's height.
fn section(s: &mut Sheet, y: f32, title: &str) -> f32 {
    s.text(LEFT, y, 11.0, Align::Left, title);
    s.rule(LEFT, RIGHT, y + 2.5, 0.3);
    y + 2.5
}

pub fn deposit_slip(report: &DayReport, company: &str, outlet: &str) -> Vec<u8> {
    let mut s = Sheet::new(&format!("解款单 {}", report.date), W, 297.0);
    let mut y = header(&mut s, company, "现金解款单", report, outlet) + 10.0;
    row(&mut s, y, &[("面额", LEFT, Align::Left), ("张/枚数", 100.0, Align::Right), ("金额（元）", RIGHT, Align::Right)]);
    y += 2.5;
    s.rule(LEFT, RIGHT, y, 0.3);
    for c in report.counted.iter().filter(|c| c.count > 0) {
        y += 7.0;
        let label = denomination_label(c.denomination, Lang::ZhCn);
        row(
            &mut s,
            y,
            &[
                (&label, LEFT, Align::Left),
                (&c.count.to_string(), 100.0, Align::Right),
                (&crate::model::money::Fen(c.denomination * c.count).to_string(), RIGHT, Align::Right),
            ],
        );
    }
    y += 4.0;
    s.rule(LEFT, RIGHT, y, 0.3);
    for (label, value) in [
        ("清点现金合计", report.cash_counted),
        ("减：留存备用金", report.floats),
        ("解款金额", report.deposit),
        ("其中长短款", report.over_short),
    ] {
        y += 8.0;
        row(&mut s, y, &[(label, LEFT, Align::Left), (&format!("¥{value}"), RIGHT, Align::Right)]);
    }
    y += 20.0;
    row(&mut s, y, &[("解款人：", LEFT, Align::Left), ("复核人（主管）：", 80.0, Align::Left), ("银行经办：", 145.0, Align::Left)]);
    s.finish()
}

/// 日实收报表: takings by tender, by clerk and by desk, with reversals, corrections and refunds.
pub fn daily_report(report: &DayReport, company: &str, outlet: &str) -> Vec<u8> {
    let mut s = Sheet::new(&format!("日实收报表 {}", report.date), W, 297.0);
    let mut y = header(&mut s, company, "电费日实收报表", report, outlet) + 9.0;
    let money = |f: crate::model::money::Fen| format!("¥{f}");
    for (label, value) in [
        (format!("实收合计（{} 笔收费）", report.payments), money(report.total)),
        ("其中：结算电费".to_owned(), money(report.bills_settled)),
        ("　　　违约金".to_owned(), money(report.late_fees)),
        ("　　　转入预存（净额）".to_owned(), money(report.to_prepayment)),
        (format!("冲正 {} 笔（不计入实收）", report.reversals), money(report.reversed_amount)),
        (format!("冲红 {} 笔", report.red_letters), money(report.red_letter_amount)),
        (format!("预存退费 {} 笔", report.refunds), money(report.refund_amount)),
    ] {
        row(&mut s, y, &[(&label, LEFT, Align::Left), (&value, RIGHT, Align::Right)]);
        y += 7.0;
    }
    y += 4.0;
    y = section(&mut s, y, "按付款方式");
    for t in &report.by_tender {
        y += 7.0;
        row(&mut s, y, &[(t.kind.label(Lang::ZhCn), LEFT + 4.0, Align::Left), (&money(t.amount), RIGHT, Align::Right)]);
    }
    y += 11.0;
    y = section(&mut s, y, "按收费员");
    for c in &report.by_clerk {
        y += 7.0;
        row(
            &mut s,
            y,
            &[
                (&c.clerk_name, LEFT + 4.0, Align::Left),
                (&format!("{} 笔", c.payments), 120.0, Align::Right),
                (&money(c.amount), RIGHT, Align::Right),
            ],
        );
    }
    y += 11.0;
    y = section(&mut s, y, "按收费台");
    y += 7.0;
    row(
        &mut s,
        y,
        &[
            ("收费员", LEFT + 4.0, Align::Left),
            ("备用金", 80.0, Align::Right),
            ("应有现金", 112.0, Align::Right),
            ("实点现金", 145.0, Align::Right),
            ("长短款", RIGHT, Align::Right),
        ],
    );
    for d in &report.desks {
        y += 7.0;
        let expected = d.expected.as_ref().map(|e| money(e.cash)).unwrap_or_else(|| "未轧账".into());
        let counted = d.counted_cash.map(money).unwrap_or_default();
        let over_short = d.over_short.map(money).unwrap_or_default();
        row(
            &mut s,
            y,
            &[
                (&d.clerk_name, LEFT + 4.0, Align::Left),
                (&money(d.float), 80.0, Align::Right),
                (&expected, 112.0, Align::Right),
                (&counted, 145.0, Align::Right),
                (&over_short, RIGHT, Align::Right),
            ],
        );
    }
    y += 12.0;
    if report.pending_events > 0 {
        s.text(LEFT, y, 10.0, Align::Left, &format!("注意：尚有 {} 条记录未上传总部（离线日结）。", report.pending_events));
        y += 7.0;
    }
    if let Some(at) = &report.closed_at {
        s.text(LEFT, y, 10.0, Align::Left, &format!("日结时间：{}", outlet_local_text(at)));
    }
    s.text(LEFT, 270.0, 10.0, Align::Left, "制表：");
    s.text(110.0, 270.0, 10.0, Align::Left, "营业厅主任：");
    s.finish()
}
