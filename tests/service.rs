//! Service requests (客户服务工单) end to end through the command set on a real SQLite file:
//! intake of each category with the fields it needs, the deadlines fixed from the shipped
//! commitments and the calendar, the refusals of the "Bad input" list (each writing
//! nothing), the callback rules, the manager's reopened requests, and the due lists and badges.
//!
//! The fixture's clock starts on Monday 2 March 2026, 09:30 in Hangzhou (01:30 UTC); March 2026
//! has no holidays.

mod common;

use chrono::Duration;
use hall::api::*;
use hall::model::service::{AreaType, CallbackOutcome, Caller, Category, ComplaintClass, RequestAct, RequestDraft, ServiceKind};
use serde_json::Value;

use common::Fixture;

fn call(f: &Fixture, token: &str, request: Request) -> hall::Result<Value> {
    f.app.call(Some(token), request)
}

fn ok(f: &Fixture, token: &str, request: Request) -> Value {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn customer(f: &Fixture, token: &str, account: &str) -> String {
    let saved = ok(f, token, Request::CreateCustomer(common::draft(account, "王小明")));
    saved["view"]["customer"]["id"].as_str().unwrap().to_owned()
}

fn draft(category: Category, customer_id: Option<&str>) -> RequestDraft {
    RequestDraft {
        category,
        complaint_class: (category == Category::Complaint).then_some(ComplaintClass::Business),
        service_kind: (category == Category::ServiceRequest).then_some(ServiceKind::MeterFault),
        area_type: None,
        customer_id: customer_id.map(str::to_owned),
        caller: Caller { name: String::new(), phone: String::new() },
        address: "杭州市西湖区文三路88号".into(),
        content: "上月电费比往常高出一倍，要求核实".into(),
        answered: None,
    }
}

fn create(f: &Fixture, token: &str, draft: RequestDraft) -> hall::Result<Value> {
    call(f, token, Request::CreateServiceRequest(draft))
}

fn act(f: &Fixture, token: &str, view: &Value, act: RequestAct) -> hall::Result<Value> {
    call(
        f,
        token,
        Request::ActOnServiceRequest(RequestActArgs {
            id: view["request"]["id"].as_str().unwrap().into(),
            expected_version: view["request"]["version"].as_i64().unwrap(),
            act,
        }),
    )
}

fn deadline<'a>(view: &'a Value, milestone: &str) -> &'a Value {
    view["deadlines"].as_array().unwrap().iter().find(|d| d["milestone"] == milestone).unwrap_or_else(|| panic!("no {milestone} in {view}"))
}

fn code(e: &hall::Error) -> String {
    e.code().to_owned()
}

/// Row counts of every table a request's write touches.
fn footprint(f: &Fixture) -> Vec<i64> {
    let store = f.app.store();
    ["service_requests", "service_events", "outbox", "audit_log"]
        .iter()
        .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
        .chain([store.conn().query_row("SELECT next_request_seq FROM workstation", [], |r| r.get(0)).unwrap()])
        .collect()
}

#[test]
fn a_complaint_from_intake_through_reply_and_callback_to_closing() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "1000000001");
    let view = create(&f, &clerk, draft(Category::Complaint, Some(&id))).unwrap();
    let r = &view["request"];
    assert_eq!(r["number"], "GD330106-01-1-000001");
    assert_eq!(r["state"], "accepted");
    assert_eq!(r["customer_account"], "1000000001");
    // The caller is the customer when no one else is named.
    assert_eq!(r["caller"]["name"], "王小明");
    // Contact within 24 h: Tue 3 Mar 09:30 CST. Reply within 4 working days of Mon 2 Mar: Tue 3,
    // Wed 4, Thu 5, Fri 6, due at the end of Fri 6 Mar (Sat 7 Mar 00:00 CST = Fri 6 Mar 16:00 UTC).
    assert_eq!(deadline(&view, "contact")["due"], "2026-03-03T01:30:00.000Z");
    assert_eq!(deadline(&view, "reply")["due"], "2026-03-06T16:00:00.000Z");
    assert_eq!(r["next_due"], "2026-03-03T01:30:00.000Z");
    assert_eq!(view["actions"], serde_json::json!(["assign", "contact", "reply", "note"]));

    // A callback before the reply, and closing before it, are refused and write nothing.
    let before = footprint(&f);
    let e = act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::Satisfied, comment: String::new() }).unwrap_err();
    assert_eq!(code(&e), "request.not_replied");
    assert_eq!(code(&act(&f, &clerk, &view, RequestAct::Close { note: String::new() }).unwrap_err()), "request.not_replied");
    assert_eq!(footprint(&f), before);

    f.clock.advance(Duration::hours(2));
    let clerk = f.login("clerk");
    let view = act(&f, &clerk, &view, RequestAct::Contact { note: "电话联系客户，约定核查".into() }).unwrap();
    assert_eq!(view["request"]["state"], "assigned");
    assert_eq!(deadline(&view, "contact")["met"], true);
    assert_eq!(view["request"]["next_due"], "2026-03-06T16:00:00.000Z");
    let view = act(&f, &clerk, &view, RequestAct::Reply { reply: "经核实为表计示数抄录错误，已退补".into() }).unwrap();
    assert_eq!(view["request"]["state"], "replied");
    assert_eq!(deadline(&view, "reply")["met"], true);
    assert_eq!(view["request"]["next_due"], Value::Null);

    // Closing a complaint without a callback is refused, and writes nothing.
    let before = footprint(&f);
    let e = act(&f, &clerk, &view, RequestAct::Close { note: String::new() }).unwrap_err();
    assert_eq!(code(&e), "request.callback_required");
    assert!(e.to_string().contains("投诉须回访"), "{e}");
    assert_eq!(footprint(&f), before);

    let view =
        act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::FairlySatisfied, comment: "处理及时".into() }).unwrap();
    assert_eq!(view["request"]["satisfaction"], "fairly_satisfied");
    assert_eq!(view["actions"], serde_json::json!(["close", "note"]));
    let view = act(&f, &clerk, &view, RequestAct::Close { note: String::new() }).unwrap();
    assert_eq!(view["request"]["state"], "closed");
    assert!(view["actions"].as_array().unwrap().is_empty());
    let actions: Vec<&str> = view["request"]["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["accept", "contact", "reply", "callback", "close"]);
    // Every step went to the outbox for head office, in order.
    let store = f.app.store();
    let kinds: Vec<String> = store
        .conn()
        .prepare("SELECT kind FROM outbox WHERE kind LIKE 'service.%' ORDER BY pos")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|k| k.unwrap())
        .collect();
    assert_eq!(kinds, ["service.accepted", "service.contact", "service.reply", "service.callback", "service.close"]);
    drop(store);

    // The profile's relationship: the request and its callback in the timeline, newest first, and
    // the satisfaction in the trend.
    let rel = ok(&f, &clerk, Request::CustomerRelationship(CustomerRef { id }));
    let timeline: Vec<(&str, &str)> =
        rel["timeline"].as_array().unwrap().iter().map(|c| (c["kind"].as_str().unwrap(), c["code"].as_str().unwrap())).collect();
    assert_eq!(timeline, [("callback", "fairly_satisfied"), ("request", "complaint")]);
    assert_eq!(rel["satisfaction"][0]["outcome"], "fairly_satisfied");
    assert_eq!(rel["open"]["requests"], 0);
}

#[test]
fn bad_intake_is_refused_with_every_reason_and_nothing_written() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let hq = f.login("hq");
    let before = footprint(&f);
    // An anonymous caller without a phone, a complaint without its class, no content.
    let mut d = draft(Category::Complaint, None);
    d.complaint_class = None;
    d.content = "  ".into();
    let e = create(&f, &clerk, d).unwrap_err();
    let codes: Vec<String> = e.messages().iter().map(|m| m.code.clone()).collect();
    assert_eq!(codes, ["complaint_class.required", "content.required", "caller.phone.required"]);
    // A bad phone; a fault repair without its site; a complaint answered at the counter.
    let mut d = draft(Category::FaultRepair, None);
    d.caller.phone = "1234".into();
    d.address = String::new();
    d.answered = Some("已告知".into());
    let e = create(&f, &clerk, d).unwrap_err();
    let codes: Vec<String> = e.messages().iter().map(|m| m.code.clone()).collect();
    assert_eq!(codes, ["address.required", "caller.phone.invalid", "answered.not_allowed"]);
    // An unknown customer.
    let e = create(&f, &clerk, draft(Category::Report, Some("no-such-customer"))).unwrap_err();
    assert_eq!(code(&e), "customer.not_found");
    // Head office's operators see requests but accept none.
    let mut d = draft(Category::Praise, None);
    d.caller.phone = "13900001111".into();
    assert_eq!(code(&create(&f, &hq, d).unwrap_err()), "request.role");
    assert_eq!(footprint(&f), before);
}

#[test]
fn a_fault_repair_runs_on_minutes_and_hours_and_shows_on_the_due_lists() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let mut d = draft(Category::FaultRepair, None);
    d.caller = Caller { name: "李师傅".into(), phone: "0571-87654321".into() };
    d.content = "整栋楼停电".into();
    let urban = create(&f, &clerk, d.clone()).unwrap();
    // Urban arrival within 45 minutes of 09:30 CST (01:30 UTC).
    assert_eq!(deadline(&urban, "arrival")["due"], "2026-03-02T02:15:00.000Z");
    assert!(urban["deadlines"].as_array().unwrap().iter().all(|d| d["milestone"] != "restore"));
    d.area_type = Some(AreaType::Rural);
    let rural = create(&f, &clerk, d).unwrap();
    assert_eq!(deadline(&rural, "arrival")["due"], "2026-03-02T03:00:00.000Z");

    // Restoration before arrival is refused.
    assert_eq!(code(&act(&f, &clerk, &urban, RequestAct::Restore { note: String::new() }).unwrap_err()), "request.not_arrived");
    // 40 minutes on, the crew arrives: restoration is due 3 h later (10:10 + 3 h = 13:10 CST).
    f.clock.advance(Duration::minutes(40));
    let clerk = f.login("clerk");
    let urban = act(&f, &clerk, &urban, RequestAct::Arrive { note: "抢修班到达".into() }).unwrap();
    assert_eq!(deadline(&urban, "arrival")["met"], true);
    assert_eq!(deadline(&urban, "restore")["due"], "2026-03-02T05:10:00.000Z");

    // The due-soon window is 4 h: both are due soon; nothing is overdue yet.
    let list = |due: RequestDue| {
        ok(
            &f,
            &clerk,
            Request::ListServiceRequests(RequestListArgs {
                due,
                state: None,
                category: None,
                assignee: None,
                customer_id: None,
                offset: 0,
                limit: 0,
            }),
        )
    };
    let soon = list(RequestDue::Soon);
    assert_eq!(soon["total"], 2);
    // Deadline order: the rural arrival (11:00) before the urban restoration (13:10).
    assert_eq!(soon["rows"][0]["id"], rural["request"]["id"]);
    // Lists mask the caller's name.
    assert_eq!(soon["rows"][0]["caller_name"], "李*傅");
    assert_eq!(list(RequestDue::Overdue)["total"], 0);
    // At 11:30 CST the rural crew has not arrived: overdue, and the badge says so.
    f.clock.advance(Duration::minutes(80));
    let clerk = f.login("clerk");
    let list = |due: RequestDue| {
        ok(
            &f,
            &clerk,
            Request::ListServiceRequests(RequestListArgs {
                due,
                state: None,
                category: None,
                assignee: None,
                customer_id: None,
                offset: 0,
                limit: 0,
            }),
        )
    };
    let overdue = list(RequestDue::Overdue);
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["rows"][0]["overdue"], true);
    let counts = ok(&f, &clerk, Request::ServiceRequestCounts(NoArgs {}));
    assert_eq!((counts["overdue"].as_u64(), counts["due_soon"].as_u64()), (Some(1), Some(1)));
    let rural = ok(&f, &clerk, Request::GetServiceRequest(RequestRef { id: rural["request"]["id"].as_str().unwrap().into() }));
    assert_eq!(deadline(&rural, "arrival")["met"], false);
    assert_eq!(rural["overdue"], true);
    // The full list is newest first.
    assert_eq!(list(RequestDue::All)["rows"][0]["id"], rural["request"]["id"]);
}

#[test]
fn not_satisfied_reopens_the_request_for_the_manager_and_unreachable_callbacks_count() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let mut d = draft(Category::Report, None);
    d.caller.phone = "13900001111".into();
    let view = create(&f, &clerk, d).unwrap();
    // 举报: 9 working days from Mon 2 Mar: Tue 3 … Fri 13 Mar; due Sat 14 Mar 00:00 CST.
    assert_eq!(deadline(&view, "reply")["due"], "2026-03-13T16:00:00.000Z");
    let view = act(&f, &clerk, &view, RequestAct::Reply { reply: "已查实并处理".into() }).unwrap();
    // 不满意 needs the customer's words.
    assert_eq!(
        code(&act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::Unsatisfied, comment: " ".into() }).unwrap_err()),
        "comment.required"
    );
    let view =
        act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::Unsatisfied, comment: "处理结果不认可".into() }).unwrap();
    assert_eq!(view["request"]["state"], "reopened");
    assert_eq!(ok(&f, &clerk, Request::ServiceRequestCounts(NoArgs {}))["reopened"], 1);
    // The clerk may only note it; handing it to a clerk is refused; the manager replies again.
    assert_eq!(view["actions"], serde_json::json!(["note"]));
    assert_eq!(code(&act(&f, &clerk, &view, RequestAct::Reply { reply: "再次答复".into() }).unwrap_err()), "request.role");
    let clerk_id: String = f.app.store().conn().query_row("SELECT id FROM users WHERE username = 'clerk'", [], |r| r.get(0)).unwrap();
    let e = act(&f, &manager, &view, RequestAct::Assign { assignee: clerk_id, note: String::new() }).unwrap_err();
    assert_eq!(code(&e), "assignee.manager_only");
    // The manager may keep it or hand it to another manager: it stays reopened, and the clerk
    // still may not reply.
    let manager_id: String = f.app.store().conn().query_row("SELECT id FROM users WHERE username = 'manager'", [], |r| r.get(0)).unwrap();
    let view = act(&f, &manager, &view, RequestAct::Assign { assignee: manager_id.clone(), note: String::new() }).unwrap();
    assert_eq!(view["request"]["state"], "reopened");
    assert_eq!(code(&act(&f, &clerk, &view, RequestAct::Reply { reply: "再次答复".into() }).unwrap_err()), "request.role");
    let view = act(&f, &manager, &view, RequestAct::Reply { reply: "主任约见客户，重新处理".into() }).unwrap();
    assert_eq!(view["request"]["state"], "replied");
    // Three calls that reach no one, then it may close (the tries are the shipped setting: 3).
    let mut view = view;
    for n in 1..=3 {
        assert_eq!(
            code(&act(&f, &clerk, &view, RequestAct::Close { note: String::new() }).unwrap_err()),
            "request.callback_required",
            "after {}",
            n - 1
        );
        view = act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::Unreachable, comment: String::new() }).unwrap();
        assert_eq!(view["request"]["unreachable_tries"], n);
    }
    assert_eq!(
        code(&act(&f, &clerk, &view, RequestAct::Callback { outcome: CallbackOutcome::Unreachable, comment: String::new() }).unwrap_err()),
        "request.callback_tries_used"
    );
    let closed = act(&f, &clerk, &view, RequestAct::Close { note: "三次回访未联系上".into() }).unwrap();
    assert_eq!(closed["request"]["state"], "closed");
    // Nothing more is done to a closed request.
    assert_eq!(code(&act(&f, &clerk, &view, RequestAct::Note { note: "迟到的备注".into() }).unwrap_err()), "request.closed");
}

#[test]
fn a_consultation_answered_at_the_counter_closes_without_a_callback() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let mut d = draft(Category::Consultation, None);
    d.caller.phone = "13900002222".into();
    d.content = "峰谷电价怎么申请".into();
    d.answered = Some("已告知办理流程及所需材料".into());
    let view = create(&f, &clerk, d).unwrap();
    assert_eq!(view["request"]["state"], "replied");
    assert_eq!(view["request"]["reply"], "已告知办理流程及所需材料");
    // No deadline applies; the reply is recorded as done at intake.
    assert!(view["deadlines"].as_array().unwrap().iter().all(|d| d["due"].is_null()), "{view}");
    assert!(deadline(&view, "reply")["done"].is_string());
    let closed = act(&f, &clerk, &view, RequestAct::Close { note: String::new() }).unwrap();
    assert_eq!(closed["request"]["state"], "closed");

    // A meter-fault service request: 4 working days (Tue 3 to Fri 6 Mar, due at the end of the
    // 6th); a stale version is refused.
    let id = customer(&f, &clerk, "1000000002");
    let view = create(&f, &clerk, draft(Category::ServiceRequest, Some(&id))).unwrap();
    assert_eq!(deadline(&view, "reply")["due"], "2026-03-06T16:00:00.000Z");
    // A clerk takes a request on themselves; handing it to someone else is the manager's.
    let manager_id: String = f.app.store().conn().query_row("SELECT id FROM users WHERE username = 'manager'", [], |r| r.get(0)).unwrap();
    assert_eq!(
        code(&act(&f, &clerk, &view, RequestAct::Assign { assignee: manager_id, note: String::new() }).unwrap_err()),
        "assignee.self_only"
    );
    let _ = act(&f, &clerk, &view, RequestAct::Note { note: "已派表计班".into() }).unwrap();
    assert_eq!(code(&act(&f, &clerk, &view, RequestAct::Note { note: "again".into() }).unwrap_err()), "request.stale");
    // The plan the intake form shows agrees with what intake fixed.
    let plan = ok(
        &f,
        &clerk,
        Request::PlanServiceRequest(DeadlinePlanArgs {
            category: Category::ServiceRequest,
            service_kind: Some(ServiceKind::MeterFault),
            area_type: None,
        }),
    );
    assert_eq!(plan["deadlines"][0]["limit"], "4wd");
    assert_eq!(plan["deadlines"][0]["due"], "2026-03-06T16:00:00.000Z");
    assert_eq!(plan["needs_callback"], false);
}
