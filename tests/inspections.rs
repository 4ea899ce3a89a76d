//! Safety inspections end to end through the command set on a real SQLite file: a 10 kV customer
//! due on its cycle, a visit recorded with a failed item and its defect, the rectification notice
//! read back with pdftotext, the defect past its deadline on the list, a follow-up refused without
//! its date and one that finds it not yet put right, then the visit that closes it.
//!
//! The clock starts on Monday 2 March 2026, 09:30 CST.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use hall::api::*;
use hall::model::customer::Voltage;
use hall::model::inspection::{CheckItem, DefectInput, Finding};
use hall::store::inspections::{FollowUp, InspectionInput};
use serde_json::Value;

use common::Fixture;

fn call(f: &Fixture, token: &str, request: Request) -> hall::Result<Value> {
    f.app.call(Some(token), request)
}

fn ok(f: &Fixture, token: &str, request: Request) -> Value {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn findings(failed: Option<(CheckItem, &str, NaiveDate)>) -> Vec<Finding> {
    CheckItem::ALL
        .iter()
        .map(|item| match failed {
            Some((f, text, deadline)) if f == *item => {
                Finding { item: *item, ok: false, defect: Some(DefectInput { description: text.into(), deadline }) }
            }
            _ => Finding { item: *item, ok: true, defect: None },
        })
        .collect()
}

fn due_accounts(f: &Fixture, token: &str) -> Vec<String> {
    ok(f, token, Request::DueInspectionList(NoArgs {}))["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["account"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_cycle_customer_inspected_with_a_defect_followed_up_until_closed() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let mut draft = common::draft("3300000201", "西湖精密制造");
    draft.voltage = Voltage::Kv10;
    let saved = ok(&f, &clerk, Request::CreateCustomer(draft));
    let id = saved["view"]["customer"]["id"].as_str().unwrap().to_owned();
    // Never inspected, 10 kV: due on its cycle.
    assert!(due_accounts(&f, &clerk).contains(&"3300000201".to_owned()));

    // A checklist missing an item and a failed item without its defect are refused, every reason at once.
    let mut bad = findings(None);
    bad.pop();
    bad[0] = Finding { item: CheckItem::ServiceEntry, ok: false, defect: None };
    let e = call(
        &f,
        &clerk,
        Request::RecordInspection(InspectionInput { customer_id: id.clone(), inspected_on: d(3, 2), findings: bad, notes: String::new() }),
    )
    .unwrap_err();
    let codes: Vec<String> = e.messages().iter().map(|m| m.code.clone()).collect();
    assert_eq!(codes, ["findings.item", "defect.required"]);

    let inspection = ok(
        &f,
        &clerk,
        Request::RecordInspection(InspectionInput {
            customer_id: id.clone(),
            inspected_on: d(3, 2),
            findings: findings(Some((CheckItem::LeakageProtection, "总漏电保护器拒动，试验按钮无反应", d(3, 16)))),
            notes: "配电室整洁".into(),
        }),
    );
    assert_eq!(inspection["defects"].as_array().unwrap().len(), 1);
    let defect = inspection["defects"][0]["id"].as_str().unwrap().to_owned();
    // Inspected today: no longer due (the next is due on 2 Mar 2027).
    assert!(!due_accounts(&f, &clerk).contains(&"3300000201".to_owned()));

    // The rectification notice names the defect and its deadline.
    let pdf = ok(&f, &clerk, Request::RectificationNotice(InspectionRef { id: inspection["id"].as_str().unwrap().into() }));
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(pdf["base64"].as_str().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = String::from_utf8(std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap().stdout).unwrap();
    for line in ["用电检查整改通知书", "3300000201", "漏电保护装置", "总漏电保护器拒动", "2026-03-16"] {
        assert!(text.contains(line), "{line} in {text}");
    }

    // Past its deadline it is on the overdue list.
    let overdue = |token: &str| ok(&f, token, Request::ListDefects(DefectsArgs { overdue: true }))["rows"].as_array().unwrap().len();
    assert_eq!(overdue(&clerk), 0);
    f.clock.set(Utc.with_ymd_and_hms(2026, 3, 17, 1, 30, 0).unwrap());
    let clerk = f.login("clerk");
    assert_eq!(overdue(&clerk), 1);

    // Closing without the follow-up visit is refused; a visit that finds it not right keeps it open.
    let follow = |visited_on: Option<NaiveDate>, rectified: bool| {
        call(&f, &clerk, Request::FollowUpDefect(FollowUp { defect_id: defect.clone(), visited_on, rectified, note: String::new() }))
    };
    assert_eq!(follow(None, true).unwrap_err().code(), "defect.follow_up_required");
    assert_eq!(follow(Some(d(3, 1)), true).unwrap_err().code(), "visited_on.range");
    let still = follow(Some(d(3, 17)), false).unwrap();
    assert!(still["closed_on"].is_null());
    assert_eq!(still["visits"], 1);
    assert_eq!(overdue(&clerk), 1);
    let closed = follow(Some(d(3, 17)), true).unwrap();
    assert_eq!(closed["closed_on"], "2026-03-17");
    assert_eq!(overdue(&clerk), 0);
    assert_eq!(follow(Some(d(3, 17)), true).unwrap_err().code(), "defect.closed");
    // Head office does not record visits.
    let hq = f.login("hq");
    assert_eq!(
        call(
            &f,
            &hq,
            Request::RecordInspection(InspectionInput {
                customer_id: id,
                inspected_on: d(3, 17),
                findings: findings(None),
                notes: String::new()
            })
        )
        .unwrap_err()
        .code(),
        "role.denied"
    );
}
