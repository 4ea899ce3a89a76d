//! The rectification notice (用电检查整改通知书), SPEC §6: after an inspection, each defect found
//! with what must be put right and by when, for the customer to sign. One A4 page (more when the
//! defects run on).

use chrono::NaiveDate;

use super::{Align, Sheet};
use crate::error::Result;

/// One defect as the notice prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationItem {
    /// The checklist item's name, `漏电保护装置`.
    pub item: String,
    pub description: String,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationDoc {
    pub company: String,
    pub outlet: String,
    pub reference: String,
    pub account: String,
    pub name: String,
    pub address: String,
    pub inspected_on: NaiveDate,
    pub inspector: String,
    pub items: Vec<RectificationItem>,
}

const W: f32 = 210.0;
const H: f32 = 297.0;
const LEFT: f32 = 22.0;
const RIGHT: f32 = 188.0;

pub fn render(doc: &RectificationDoc) -> Result<Vec<u8>> {
    let mut s = Sheet::new("用电检查整改通知书", W, H);
    s.text(W / 2.0, 22.0, 13.0, Align::Centre, &doc.company);
    s.text(W / 2.0, 33.0, 18.0, Align::Centre, "用电检查整改通知书");
    s.text(W / 2.0, 38.5, 7.5, Align::Centre, "Notice to rectify defects found at inspection");
    let mut y = 52.0;
    s.text(LEFT, y, 11.0, Align::Left, &format!("{}（户号 {}）：", doc.name, doc.account));
    y += 7.0;
    s.text(LEFT, y, 10.0, Align::Left, &format!("用电地址：{}", doc.address));
    y += 9.0;
    s.text(
        LEFT,
        y,
        10.0,
        Align::Left,
        &format!("{}我公司用电检查人员{}对贵户进行了安全用电检查，发现以下安全隐患，", doc.inspected_on, doc.inspector),
    );
    y += 6.0;
    s.text(LEFT, y, 10.0, Align::Left, "请在规定期限内整改完毕，并通知我公司复查。");
    y += 9.0;
    s.text(LEFT, y, 9.0, Align::Left, "序号");
    s.text(LEFT + 12.0, y, 9.0, Align::Left, "检查项目");
    s.text(LEFT + 55.0, y, 9.0, Align::Left, "隐患情况");
    s.text(RIGHT, y, 9.0, Align::Right, "整改期限");
    y += 2.5;
    s.rule(LEFT, RIGHT, y, 0.4);
    for (i, item) in doc.items.iter().enumerate() {
        y += 7.0;
        if y > H - 50.0 {
            s.new_page();
            y = 25.0;
        }
        s.text(LEFT, y, 10.0, Align::Left, &(i + 1).to_string());
        s.text(LEFT + 12.0, y, 10.0, Align::Left, &item.item);
        // A long description runs on under itself, within its column.
        let mut line = String::new();
        for c in item.description.chars() {
            line.push(c);
            if Sheet::text_width(&line, 10.0) > RIGHT - LEFT - 85.0 {
                line.pop();
                s.text(LEFT + 55.0, y, 10.0, Align::Left, &line);
                y += 5.5;
                line = c.to_string();
            }
        }
        s.text(LEFT + 55.0, y, 10.0, Align::Left, &line);
        s.text(RIGHT, y, 10.0, Align::Right, &item.deadline.to_string());
    }
    y += 3.0;
    s.rule(LEFT, RIGHT, y, 0.4);
    y += 8.0;
    s.text(LEFT, y, 9.0, Align::Left, "逾期未整改、危及电网或人身安全的，我公司将依据《电力供应与使用条例》采取相应措施。");
    y += 14.0;
    s.text(RIGHT, y, 10.0, Align::Right, &doc.outlet);
    y += 6.5;
    s.text(RIGHT, y, 10.0, Align::Right, &format!("检查人员：{}", doc.inspector));
    s.rule(LEFT, RIGHT, H - 40.0, 0.3);
    s.text(LEFT, H - 33.0, 9.0, Align::Left, "客户签收：____________　　签收日期：____________");
    s.text(LEFT, H - 20.0, 6.5, Align::Left, &format!("No. {}", doc.reference));
    Ok(s.finish())
}
