//! Applications (业扩报装) end to end through the command set on a real SQLite file: intake of
//! every kind with its documents, the refusals of the "Bad input" list (each writing
//! nothing), the step actions and their roles, suspension moving the due dates, the due lists and
//! the badge, lookup by number, and each completion's change to the customer file with history.
//!
//! The fixture's clock starts on Monday 2 March 2026, 09:30 in Hangzhou; March 2026 has no
//! holidays, so working days there are Monday to Friday.

mod common;

use chrono::{Duration, NaiveDate};
use hall::api::*;
use hall::clock::Clock;
use hall::model::application::*;
use hall::model::customer::*;
use hall::store::billing::ReadingInput;
use hall::store::search::{SearchPage, SearchQuery};
use serde_json::Value;

use common::Fixture;

fn call(f: &Fixture, token: &str, request: Request) -> hall::Result<Value> {
    f.app.call(Some(token), request)
}

fn ok(f: &Fixture, token: &str, request: Request) -> Value {
    call(f, token, request).unwrap_or_else(|e| panic!("{e}"))
}

fn d(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn date_of(v: &Value) -> NaiveDate {
    v.as_str().unwrap_or_else(|| panic!("not a date: {v}")).parse().unwrap()
}

/// A stored attachment: a small PNG whose pixels come from `name`, stored through
/// `store::attachments::put` (the path `attachment.add` takes, type read from the bytes).
fn attachment(f: &Fixture, name: &str) -> String {
    use sha2::Digest;
    let seed = sha2::Sha256::digest(name.as_bytes());
    let picture = image::RgbImage::from_fn(4, 4, |x, y| image::Rgb([seed[(x + 4 * y) as usize], seed[16], seed[17]]));
    let mut png = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let actor = hall::store::Actor { user_id: None, at: f.clock.now() };
    let mut store = f.app.store();
    let dir = store.data_dir().to_owned();
    store.write(|tx| hall::store::attachments::put(tx, &actor, &dir, &format!("{name}.png"), &png)).unwrap().sha256
}

fn docs(f: &Fixture, kinds: &[DocumentKind]) -> Vec<DocumentRef> {
    kinds.iter().map(|k| DocumentRef { kind: *k, sha256: attachment(f, k.code()) }).collect()
}

fn applicant(name: &str, serial: u32) -> Applicant {
    Applicant { name: name.into(), id_kind: IdKind::ResidentId, id_number: common::resident_id(serial), phone: "13900001111".into() }
}

fn residential(f: &Fixture) -> ApplicationDraft {
    ApplicationDraft {
        kind: ApplicationKind::ResidentialNew,
        customer_id: None,
        applicant: applicant("林小华", 7),
        address: "浙江省杭州市西湖区文三路88号2幢101室".into(),
        class: Some(CustomerClass::Residential),
        voltage: Some(Voltage::V220),
        capacity_kva: Some(8),
        important: false,
        simplified: false,
        documents: docs(f, &[DocumentKind::IdProof, DocumentKind::PropertyProof]),
        notes: String::new(),
    }
}

fn low_voltage(f: &Fixture) -> ApplicationDraft {
    ApplicationDraft {
        kind: ApplicationKind::LowVoltageNew,
        applicant: applicant("杭州小店", 8),
        class: Some(CustomerClass::GeneralCommercial),
        voltage: Some(Voltage::V380),
        capacity_kva: Some(40),
        documents: docs(f, &[DocumentKind::IdProof, DocumentKind::PropertyProof, DocumentKind::BusinessLicence]),
        ..residential(f)
    }
}

/// A change application for an existing customer.
fn change(f: &Fixture, kind: ApplicationKind, customer_id: &str, documents: &[DocumentKind]) -> ApplicationDraft {
    ApplicationDraft {
        kind,
        customer_id: Some(customer_id.into()),
        applicant: Applicant {
            name: "王小明".into(),
            id_kind: IdKind::ResidentId,
            id_number: "11010519491231002X".into(),
            phone: "13812345678".into(),
        },
        address: String::new(),
        class: None,
        voltage: None,
        capacity_kva: None,
        important: false,
        simplified: false,
        documents: docs(f, documents),
        notes: String::new(),
    }
}

fn customer(f: &Fixture, token: &str, account: &str) -> String {
    let saved = ok(f, token, Request::CreateCustomer(common::draft(account, "王小明")));
    saved["view"]["customer"]["id"].as_str().unwrap().to_owned()
}

fn create(f: &Fixture, token: &str, draft: ApplicationDraft) -> hall::Result<Value> {
    call(f, token, Request::CreateApplication(draft))
}

fn act(f: &Fixture, token: &str, view: &Value, act: Act) -> hall::Result<Value> {
    call(
        f,
        token,
        Request::ActOnApplication(ActArgs {
            id: view["id"].as_str().unwrap().into(),
            expected_version: view["version"].as_i64().unwrap(),
            act,
        }),
    )
}

fn advance(note: &str) -> Act {
    Act::Advance { note: note.into(), connection: None }
}

fn connection(account: &str) -> Act {
    Act::Advance {
        note: "表计已装".into(),
        connection: Some(ConnectionInput {
            account: account.into(),
            meters: vec![Meter { number: format!("N{account}"), kind: MeterKind::SinglePhase, multiplier: 1 }],
            tariff_code: "ZJ-RES-TIER".into(),
            supply_area: "西湖区供电所/文三1号台区".into(),
        }),
    }
}

/// Advances the open step by the right user until `until` is the open step (or the end).
fn advance_to(f: &Fixture, clerk: &str, manager: &str, mut view: Value, until: Option<StepKind>) -> Value {
    loop {
        let Some(position) = view["current"].as_u64() else { return view };
        let kind: StepKind = serde_json::from_value(view["steps"][position as usize]["kind"].clone()).unwrap();
        if Some(kind) == until {
            return view;
        }
        let token = if kind == StepKind::SupplyPlan { manager } else { clerk };
        view = act(f, token, &view, advance("ok")).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
}

/// Row counts of everything an application write touches.
fn footprint(f: &Fixture) -> Vec<i64> {
    let store = f.app.store();
    // Attachments are added before intake, by their own command: not counted here.
    let mut counts: Vec<i64> = [
        "applications",
        "application_steps",
        "application_events",
        "application_documents",
        "outbox WHERE kind NOT LIKE 'attachment%'",
        "audit_log WHERE action NOT LIKE 'attachment%'",
        "customers",
        "customer_history",
    ]
    .iter()
    .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
    .collect();
    counts.push(store.conn().query_row("SELECT next_application_seq FROM workstation", [], |r| r.get(0)).unwrap());
    counts.push(store.conn().query_row("SELECT coalesce(sum(version), 0) FROM applications", [], |r| r.get(0)).unwrap());
    counts
}

fn codes(e: &hall::Error) -> Vec<String> {
    e.messages().into_iter().map(|m| m.code).collect()
}

fn history(f: &Fixture, token: &str, customer_id: &str) -> Vec<Value> {
    ok(f, token, Request::CustomerHistory(CustomerRef { id: customer_id.into() }))["entries"].as_array().unwrap().clone()
}

fn customer_record(f: &Fixture, token: &str, id: &str) -> Value {
    ok(f, token, Request::GetCustomer(CustomerRef { id: id.into() }))["customer"].clone()
}

#[test]
fn a_residential_intake_gets_its_number_steps_and_promised_dates() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let req = ok(
        &f,
        &clerk,
        Request::ApplicationRequirements(RequirementsArgs {
            kind: ApplicationKind::ResidentialNew,
            important: false,
            simplified: false,
            customer_id: None,
        }),
    );
    // Accepted Mon 2 Mar: the promise of 5 working days is Mon 9 Mar (3, 4, 5, 6, 9).
    assert_eq!(date_of(&req["promised_date"]), d(3, 9));
    assert_eq!(req["promise_days"], 5);
    assert_eq!(req["rules_version"], "2025-01-01");
    let required: Vec<&str> =
        req["documents"].as_array().unwrap().iter().filter(|x| x["required"] == true).map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(required, ["id_proof", "property_proof"]);
    // Survey 1 day (Tue 3), supply plan 3 more (Fri 6), contract 1 (Mon 9), connection 3 (Thu 12),
    // but no step is planned past the promise (Mon 9): the promise binds.
    let dues: Vec<Value> = req["steps"].as_array().unwrap().iter().map(|s| s["due_date"].clone()).collect();
    assert_eq!(dues[1..5].iter().map(date_of).collect::<Vec<_>>(), [d(3, 3), d(3, 6), d(3, 9), d(3, 9)]);

    let view = create(&f, &clerk, residential(&f)).unwrap();
    assert_eq!(view["number"], "YK330106-01-1-000001");
    assert_eq!(view["state"], "active");
    assert_eq!(view["current"], 1);
    assert_eq!(date_of(&view["promised_date"]), d(3, 9));
    assert_eq!(view["steps"][0]["kind"], "intake");
    assert!(view["steps"][0]["finished_at"].is_string());
    assert_eq!(view["steps"][1]["kind"], "survey");
    assert_eq!(date_of(&view["steps"][1]["due_date"]), d(3, 3));
    assert_eq!(view["steps"][1]["owner_name"], "王晓燕");
    assert!(view["steps"][2]["due_date"].is_null(), "a later step has its due date when it opens");
    assert_eq!(view["documents"].as_array().unwrap().len(), 2);
    // The applicant's ID and phone leave masked.
    assert_ne!(view["draft"]["applicant"]["id_number"], common::resident_id(7));
    assert_eq!(view["actions"], serde_json::json!(["advance", "suspend", "withdraw", "note", "attach"]));
    let second = create(&f, &clerk, residential(&f)).unwrap();
    assert_eq!(second["number"], "YK330106-01-1-000002");
    let by_number = ok(&f, &clerk, Request::ApplicationByNumber(ApplicationNumberRef { number: "yk330106-01-1-000001".into() }));
    assert_eq!(by_number["id"], view["id"]);
    // Found through the main search box.
    let page: SearchPage = serde_json::from_value(ok(
        &f,
        &clerk,
        Request::SearchCustomers(SearchQuery { text: "YK330106-01-1-000002".into(), offset: 0, limit: 20 }),
    ))
    .unwrap();
    assert_eq!(page.application.unwrap().id, second["id"].as_str().unwrap());
}

#[test]
fn every_kind_is_accepted_with_its_documents() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let id = customer(&f, &clerk, "3301000001");
    let mut high = low_voltage(&f);
    high.kind = ApplicationKind::HighVoltageSingle;
    high.voltage = Some(Voltage::Kv10);
    high.class = Some(CustomerClass::LargeIndustrial);
    high.documents = docs(&f, &[DocumentKind::IdProof, DocumentKind::PropertyProof, DocumentKind::BusinessLicence, DocumentKind::Drawings]);
    high.important = true;
    let dual = ApplicationDraft { kind: ApplicationKind::HighVoltageDual, ..high.clone() };
    let simplified = ApplicationDraft { simplified: true, ..low_voltage(&f) };
    let mut increase = change(&f, ApplicationKind::CapacityIncrease, &id, &[DocumentKind::IdProof, DocumentKind::PropertyProof]);
    increase.capacity_kva = Some(16);
    let mut decrease = change(&f, ApplicationKind::CapacityDecrease, &id, &[DocumentKind::IdProof]);
    decrease.capacity_kva = Some(4);
    let mut transfer = change(
        &f,
        ApplicationKind::OwnerTransfer,
        &id,
        &[DocumentKind::IdProof, DocumentKind::PropertyProof, DocumentKind::TransferAgreement],
    );
    transfer.applicant = applicant("李新主", 3);
    let mut rename = change(&f, ApplicationKind::Rename, &id, &[DocumentKind::IdProof, DocumentKind::PropertyProof]);
    rename.applicant.name = "王晓明".into();
    let cases = [
        (residential(&f), 6, 5),
        (low_voltage(&f), 7, 6),
        (simplified, 2, 6),
        (high, 9, 22),
        (dual, 9, 32),
        (increase, 6, 5),
        (decrease, 4, 5),
        (transfer, 3, 5),
        (rename, 3, 3),
        (change(&f, ApplicationKind::Closure, &id, &[DocumentKind::IdProof]), 3, 5),
        (change(&f, ApplicationKind::Suspension, &id, &[DocumentKind::IdProof]), 3, 5),
    ];
    for (draft, steps, promise) in cases {
        let kind = draft.kind;
        let view = create(&f, &clerk, draft).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(view["steps"].as_array().unwrap().len(), steps, "{kind:?}");
        assert_eq!(view["promise_days"], promise, "{kind:?}");
        assert_eq!(view["kind"], kind.code());
        // One change of a customer at a time: the next case's intake needs this one ended (the
        // suspension, the last case, stays for the resumption below).
        if view["customer_id"].is_string() && kind != ApplicationKind::Suspension {
            let again = create(&f, &clerk, change(&f, ApplicationKind::Rename, &id, &[DocumentKind::IdProof])).unwrap_err();
            assert!(codes(&again).contains(&"application.open_change".to_owned()), "{kind:?}: {again}");
            act(&f, &clerk, &view, Act::Withdraw { reason: "客户改期办理".into() }).unwrap();
        }
    }
    // A residential customer's 增容 follows the residential connection: 5 days, not 6.
    let req = ok(
        &f,
        &clerk,
        Request::ApplicationRequirements(RequirementsArgs {
            kind: ApplicationKind::CapacityIncrease,
            important: false,
            simplified: false,
            customer_id: Some(id.clone()),
        }),
    );
    assert_eq!(req["promise_days"], 5);
    // 恢复 needs a suspended supply: refused now, accepted once the suspension is completed.
    let resume = change(&f, ApplicationKind::Resumption, &id, &[DocumentKind::IdProof]);
    let refused = codes(&create(&f, &clerk, resume.clone()).unwrap_err());
    assert!(refused.contains(&"customer.not_suspended".to_owned()), "{refused:?}");
    let list = ok(
        &f,
        &clerk,
        Request::ListApplications(ListArgs {
            due: Due::All,
            kind: Some(ApplicationKind::Suspension),
            state: None,
            owner: None,
            customer_id: None,
            offset: 0,
            limit: 10,
        }),
    );
    let suspension = ok(&f, &clerk, Request::GetApplication(ApplicationRef { id: list["rows"][0]["id"].as_str().unwrap().into() }));
    advance_to(&f, &clerk, &manager, suspension, None);
    assert_eq!(create(&f, &clerk, resume).unwrap()["steps"].as_array().unwrap().len(), 3);
}

#[test]
fn missing_documents_and_field_errors_are_all_reported_at_once_and_nothing_is_written() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let before = footprint(&f);
    let mut draft = residential(&f);
    draft.documents.clear();
    draft.applicant.id_number = "330106".into();
    draft.applicant.phone = String::new();
    draft.capacity_kva = None;
    let e = create(&f, &clerk, draft).unwrap_err();
    assert!(matches!(e, hall::Error::Invalid(_)), "{e}");
    let messages = e.messages();
    let fields: Vec<(&str, &str)> = messages.iter().map(|m| (m.code.as_str(), m.field.as_deref().unwrap_or(""))).collect();
    for expected in [("capacity_kva.range", "capacity_kva"), ("document.missing", "documents")] {
        assert!(fields.contains(&expected), "{expected:?} in {fields:?}");
    }
    assert!(fields.iter().any(|(_, f)| *f == "applicant.id_number"), "{fields:?}");
    assert!(fields.iter().any(|(_, f)| *f == "applicant.phone"), "{fields:?}");
    // Each missing document is named.
    let missing: Vec<&str> = messages.iter().filter(|m| m.code == "document.missing").map(|m| m.zh.as_str()).collect();
    assert_eq!(missing, ["缺少必需材料：身份证明", "缺少必需材料：产权证明"]);
    // A document handed in must be stored, and be one the kind takes.
    let mut draft = residential(&f);
    draft.documents.push(DocumentRef { kind: DocumentKind::Drawings, sha256: "ab".repeat(32) });
    assert_eq!(codes(&create(&f, &clerk, draft).unwrap_err()), ["document.not_for_kind", "attachment.unknown"]);
    // A simplified path the kind does not offer; a voltage the kind does not take.
    let mut draft = residential(&f);
    draft.simplified = true;
    draft.voltage = Some(Voltage::Kv10);
    assert_eq!(codes(&create(&f, &clerk, draft).unwrap_err()), ["voltage.kind", "application.simplified_unavailable"]);
    assert_eq!(footprint(&f), before);
}

#[test]
fn roles_and_states_refuse_what_they_do_not_allow_and_write_nothing() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let admin = f.login("admin");
    let hq = f.login("hq");
    assert_eq!(create(&f, &admin, residential(&f)).unwrap_err().code(), "application.role");
    assert_eq!(create(&f, &hq, residential(&f)).unwrap_err().code(), "application.role");
    let view = create(&f, &clerk, residential(&f)).unwrap();
    let before = footprint(&f);
    // Rejection and reassignment are the manager's; approving the supply plan too.
    assert_eq!(act(&f, &clerk, &view, Act::Reject { reason: "资料不符".into() }).unwrap_err().code(), "application.role");
    assert_eq!(act(&f, &clerk, &view, Act::Reassign { owner: "x".into(), note: String::new() }).unwrap_err().code(), "application.role");
    assert_eq!(act(&f, &hq, &view, advance("")).unwrap_err().code(), "application.role");
    // A stale view; a connection given where none is due; a resumption of what is not suspended.
    let mut stale = view.clone();
    stale["version"] = 0.into();
    assert_eq!(act(&f, &clerk, &stale, advance("")).unwrap_err().code(), "application.stale");
    assert_eq!(act(&f, &clerk, &view, connection("3301999999")).unwrap_err().code(), "connection.not_here");
    assert_eq!(act(&f, &clerk, &view, Act::Resume { note: String::new() }).unwrap_err().code(), "application.not_suspended");
    assert_eq!(act(&f, &clerk, &view, Act::Suspend { reason: " ".into() }).unwrap_err().code(), "reason.required");
    assert_eq!(footprint(&f), before);
    let view = act(&f, &clerk, &view, advance("勘查完成")).unwrap();
    assert_eq!(view["steps"][view["current"].as_u64().unwrap() as usize]["kind"], "supply_plan");
    let before = footprint(&f);
    assert_eq!(act(&f, &clerk, &view, advance("")).unwrap_err().code(), "application.role");
    assert!(!view["actions"].as_array().unwrap().contains(&"advance".into()), "the clerk is not offered the supply plan");
    // Suspended: advancing is refused with the reason.
    let suspended = act(&f, &clerk, &view, Act::Suspend { reason: "客户资料待补".into() }).unwrap();
    assert_eq!(suspended["state"], "suspended");
    let before_suspended = footprint(&f);
    let e = act(&f, &manager, &suspended, advance("")).unwrap_err();
    assert_eq!(e.code(), "application.suspended");
    assert_eq!(e.messages()[0].zh, "该申请已暂停（客户原因），请先恢复再办理");
    assert_eq!(footprint(&f), before_suspended);
    assert!(before_suspended > before);
    // Withdrawn: nothing more but notes.
    let withdrawn = act(&f, &clerk, &suspended, Act::Withdraw { reason: "客户不再需要".into() }).unwrap();
    assert_eq!(withdrawn["state"], "withdrawn");
    assert!(withdrawn["current"].is_null());
    let before = footprint(&f);
    for a in [advance(""), Act::Resume { note: String::new() }, Act::Suspend { reason: "x".into() }, Act::Withdraw { reason: "x".into() }] {
        assert_eq!(act(&f, &manager, &withdrawn, a).unwrap_err().code(), "application.ended");
    }
    assert_eq!(footprint(&f), before);
    assert_eq!(withdrawn["actions"], serde_json::json!(["note", "attach"]));
    // Rejected by a manager with a reason.
    let other = create(&f, &clerk, residential(&f)).unwrap();
    let rejected = act(&f, &manager, &other, Act::Reject { reason: "产权证明与地址不符".into() }).unwrap();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["timeline"].as_array().unwrap().last().unwrap()["note"], "产权证明与地址不符");
}

#[test]
fn a_date_outside_the_published_calendar_is_refused_at_intake_and_at_each_action() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let view = create(&f, &clerk, residential(&f)).unwrap();
    f.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 3, 1, 2, 0, 0).unwrap());
    let clerk = f.login("clerk");
    let before = footprint(&f);
    let e = create(&f, &clerk, residential(&f)).unwrap_err();
    assert_eq!(e.code(), "calendar.unpublished");
    assert!(e.messages()[0].zh.contains("2027"), "{e}");
    assert_eq!(act(&f, &clerk, &view, advance("")).unwrap_err().code(), "calendar.unpublished");
    assert_eq!(act(&f, &clerk, &view, Act::Note { note: "x".into() }).unwrap_err().code(), "calendar.unpublished");
    assert_eq!(footprint(&f), before);
}

#[test]
fn a_new_connection_runs_every_step_and_creates_its_customer_with_history() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let view = create(&f, &clerk, residential(&f)).unwrap();
    let number = view["number"].as_str().unwrap().to_owned();
    let view = advance_to(&f, &clerk, &manager, view, Some(StepKind::Connection));
    // 装表接电 needs the new customer's account and meter; the customer record's checks apply.
    let before = footprint(&f);
    assert_eq!(act(&f, &clerk, &view, advance("")).unwrap_err().code(), "connection.required");
    let e = act(&f, &clerk, &view, connection("33")).unwrap_err();
    assert_eq!((e.code(), e.messages()[0].field.clone()), ("account.format".into(), Some("connection.account".into())));
    customer(&f, &clerk, "3301000009");
    let before_taken = footprint(&f);
    assert_eq!(act(&f, &clerk, &view, connection("3301000009")).unwrap_err().code(), "account.taken");
    assert_eq!(footprint(&f), before_taken);
    assert!(before_taken > before);
    let view = act(&f, &clerk, &view, connection("3301000010")).unwrap();
    let customer_id = view["customer_id"].as_str().unwrap().to_owned();
    assert_eq!(view["customer_account"], "3301000010");
    let c = customer_record(&f, &clerk, &customer_id);
    assert_eq!((c["name"].as_str(), c["capacity_kva"].as_u64(), c["voltage"].as_str()), (Some("林小华"), Some(8), Some("220V")));
    assert_eq!(c["meters"][0]["number"], "N3301000010");
    assert_eq!(c["address"], "浙江省杭州市西湖区文三路88号2幢101室");
    let h = history(&f, &clerk, &customer_id);
    assert_eq!(h[0]["field"], "_created");
    assert_eq!(h[0]["application_number"], number);
    // Archived: completed, every step met (all done on the day).
    let view = act(&f, &clerk, &view, advance("归档")).unwrap();
    assert_eq!(view["state"], "completed");
    assert!(view["current"].is_null());
    assert!(view["steps"].as_array().unwrap().iter().skip(1).all(|s| s["met"] == true), "{}", view["steps"]);
    // Accepted, then five steps completed.
    assert_eq!(view["timeline"].as_array().unwrap().len(), 6);
    // The new customer is found by the main search box.
    let page: SearchPage =
        serde_json::from_value(ok(&f, &clerk, Request::SearchCustomers(SearchQuery { text: "3301000010".into(), offset: 0, limit: 20 })))
            .unwrap();
    assert_eq!(page.hits[0].id, customer_id);
    // The customer's applications, on the profile.
    let list = ok(
        &f,
        &clerk,
        Request::ListApplications(ListArgs {
            due: Due::All,
            kind: None,
            state: None,
            owner: None,
            customer_id: Some(customer_id),
            offset: 0,
            limit: 10,
        }),
    );
    assert_eq!(list["total"], 1);
    // Every transition wrote an outbox event and an audit entry.
    let store = f.app.store();
    let events: i64 = store.conn().query_row("SELECT count(*) FROM outbox WHERE kind LIKE 'application.%'", [], |r| r.get(0)).unwrap();
    let audits: i64 = store.conn().query_row("SELECT count(*) FROM audit_log WHERE action LIKE 'application.%'", [], |r| r.get(0)).unwrap();
    assert_eq!((events, audits), (6, 6));
}

#[test]
fn the_simplified_path_is_intake_then_connection() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let view = create(&f, &clerk, ApplicationDraft { simplified: true, ..low_voltage(&f) }).unwrap();
    let kinds: Vec<&str> = view["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["intake", "connection"]);
    let view = act(&f, &clerk, &view, connection("3301000020")).unwrap();
    assert_eq!(view["state"], "completed");
    let c = customer_record(&f, &clerk, view["customer_id"].as_str().unwrap());
    assert_eq!((c["class"].as_str(), c["capacity_kva"].as_u64()), (Some("general_commercial"), Some(40)));
}

#[test]
fn suspension_stops_the_clock_and_resumption_moves_the_due_dates() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let view = create(&f, &clerk, residential(&f)).unwrap();
    assert_eq!(date_of(&view["steps"][1]["due_date"]), d(3, 3));
    // Suspended Mon 2 Mar 10:30, resumed Thu 5 Mar 10:30: three working days (3, 4, 5) move
    // the survey's due date from Tue 3 to Fri 6 and the promise from Mon 9 to Thu 12.
    f.clock.advance(Duration::hours(1));
    let clerk = f.login("clerk");
    let view = act(&f, &clerk, &view, Act::Suspend { reason: "客户外出".into() }).unwrap();
    let used_at_suspension = view["used_centidays"].as_u64().unwrap();
    f.clock.advance(Duration::days(3));
    let clerk = f.login("clerk");
    let still = ok(&f, &clerk, Request::GetApplication(ApplicationRef { id: view["id"].as_str().unwrap().into() }));
    assert_eq!(still["used_centidays"].as_u64().unwrap(), used_at_suspension, "the clock stands while suspended");
    let view = act(&f, &clerk, &still, Act::Resume { note: "客户返回".into() }).unwrap();
    assert_eq!(date_of(&view["steps"][1]["due_date"]), d(3, 6));
    assert_eq!(date_of(&view["promised_date"]), d(3, 12));
    // One hour before the suspension (09:30 to 10:30): 1/24 day = 4 centidays; then it runs again.
    assert_eq!(used_at_suspension, 4);
    f.clock.advance(Duration::hours(12));
    let clerk = f.login("clerk");
    let later = ok(&f, &clerk, Request::GetApplication(ApplicationRef { id: view["id"].as_str().unwrap().into() }));
    assert_eq!(later["used_centidays"].as_u64().unwrap(), 4 + 50);
}

#[test]
fn due_lists_and_the_badge() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    // Three applications on Mon 2 Mar; the survey (1 day) is due Tue 3.
    let a = create(&f, &clerk, residential(&f)).unwrap();
    let b = create(&f, &clerk, residential(&f)).unwrap();
    let c = create(&f, &clerk, low_voltage(&f)).unwrap(); // survey 2 days: Wed 4
    let _ = act(&f, &manager, &b, Act::Reassign { owner: manager_id(&f), note: String::new() }).unwrap();
    let list = |token: &str, due: Due, owner: Option<&str>| {
        let v = ok(
            &f,
            token,
            Request::ListApplications(ListArgs {
                due,
                kind: None,
                state: None,
                owner: owner.map(Into::into),
                customer_id: None,
                offset: 0,
                limit: 50,
            }),
        );
        v["rows"].as_array().unwrap().iter().map(|r| r["number"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let n = |v: &Value| v["number"].as_str().unwrap().to_owned();
    // Monday: a and b are due within one working day (Tue), c not yet.
    assert_eq!(list(&clerk, Due::AtRisk, None), [n(&a), n(&b)]);
    assert!(list(&clerk, Due::Today, None).is_empty());
    // Tuesday: a and b due today, c at risk.
    f.clock.advance(Duration::days(1));
    let clerk = f.login("clerk");
    assert_eq!(list(&clerk, Due::Today, None), [n(&a), n(&b)]);
    assert_eq!(list(&clerk, Due::AtRisk, None), [n(&c)]);
    // Thursday: all three overdue; b is the manager's.
    f.clock.advance(Duration::days(2));
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    assert_eq!(list(&clerk, Due::Overdue, None), [n(&a), n(&b), n(&c)]);
    assert_eq!(list(&manager, Due::Overdue, Some("me")), [n(&b)]);
    let counts = ok(&f, &clerk, Request::ApplicationCounts(NoArgs {}));
    assert_eq!((counts["overdue"].as_u64(), counts["mine_overdue"].as_u64(), counts["due_today"].as_u64()), (Some(3), Some(2), Some(0)));
    let rows = ok(
        &f,
        &clerk,
        Request::ListApplications(ListArgs {
            due: Due::Overdue,
            kind: Some(ApplicationKind::LowVoltageNew),
            state: None,
            owner: None,
            customer_id: None,
            offset: 0,
            limit: 50,
        }),
    );
    assert_eq!(rows["total"], 1);
    assert_eq!(rows["rows"][0]["overdue"], true);
    assert_eq!(rows["rows"][0]["step"], "survey");
    // A suspended application leaves the due lists (its clock stands).
    let a_now = ok(&f, &clerk, Request::GetApplication(ApplicationRef { id: a["id"].as_str().unwrap().into() }));
    assert_eq!(a_now["steps"][1]["met"], false, "the open survey is past its date");
    act(&f, &clerk, &a_now, Act::Suspend { reason: "客户原因".into() }).unwrap();
    assert_eq!(list(&clerk, Due::Overdue, None), [n(&b), n(&c)]);
}

fn manager_id(f: &Fixture) -> String {
    f.app.store().conn().query_row("SELECT id FROM users WHERE username = 'manager'", [], |r| r.get(0)).unwrap()
}

/// Completes a change application for `customer_id` and returns the customer afterwards.
fn complete(f: &Fixture, draft: ApplicationDraft) -> Value {
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let customer_id = draft.customer_id.clone().unwrap();
    let view = create(f, &clerk, draft).unwrap();
    let view = advance_to(f, &manager, &manager, view, None);
    assert_eq!(view["state"], "completed", "{view}");
    let c = customer_record(f, &clerk, &customer_id);
    let h = history(f, &clerk, &customer_id);
    let tagged: Vec<&Value> = h.iter().filter(|e| e["application_number"] == view["number"]).collect();
    assert!(!tagged.is_empty(), "the change shows in the history with the number: {h:?}");
    serde_json::json!({ "customer": c, "tagged": tagged })
}

#[test]
fn each_change_completes_through_the_customer_file_with_history() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let id = customer(&f, &clerk, "3301000001");
    let mut increase = change(&f, ApplicationKind::CapacityIncrease, &id, &[DocumentKind::IdProof, DocumentKind::PropertyProof]);
    increase.capacity_kva = Some(16);
    let out = complete(&f, increase);
    assert_eq!(out["customer"]["capacity_kva"], 16);
    assert_eq!(out["tagged"][0]["field"], "capacity_kva");
    assert_eq!((out["tagged"][0]["old"].as_str(), out["tagged"][0]["new"].as_str()), (Some("8"), Some("16")));

    let mut decrease = change(&f, ApplicationKind::CapacityDecrease, &id, &[DocumentKind::IdProof]);
    decrease.capacity_kva = Some(20);
    assert_eq!(create(&f, &clerk, decrease.clone()).unwrap_err().code(), "capacity_kva.not_decrease");
    decrease.capacity_kva = Some(6);
    assert_eq!(complete(&f, decrease)["customer"]["capacity_kva"], 6);

    let mut rename = change(&f, ApplicationKind::Rename, &id, &[DocumentKind::IdProof, DocumentKind::PropertyProof]);
    rename.applicant.name = "王晓明".into();
    let out = complete(&f, rename);
    assert_eq!(out["customer"]["name"], "王晓明");
    assert_eq!(out["tagged"][0]["field"], "name");

    let mut transfer = change(
        &f,
        ApplicationKind::OwnerTransfer,
        &id,
        &[DocumentKind::IdProof, DocumentKind::PropertyProof, DocumentKind::TransferAgreement],
    );
    assert_eq!(create(&f, &clerk, transfer.clone()).unwrap_err().code(), "applicant.same_owner");
    transfer.applicant = applicant("李新主", 3);
    let out = complete(&f, transfer);
    assert_eq!(out["customer"]["name"], "李新主");
    let fields: Vec<&str> = out["tagged"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"id_number") && fields.contains(&"phones"), "{fields:?}");

    let out = complete(&f, change(&f, ApplicationKind::Suspension, &id, &[DocumentKind::IdProof]));
    assert_eq!((out["tagged"][0]["field"].as_str(), out["tagged"][0]["new"].as_str()), (Some("supply_suspended"), Some("true")));
    assert_eq!(out["customer"]["supply_suspended"], true);
    assert_eq!(
        create(&f, &clerk, change(&f, ApplicationKind::Suspension, &id, &[DocumentKind::IdProof])).unwrap_err().code(),
        "customer.already_suspended"
    );
    let out = complete(&f, change(&f, ApplicationKind::Resumption, &id, &[DocumentKind::IdProof]));
    assert_eq!(out["tagged"][0]["new"], "false");
    assert_eq!(out["customer"]["supply_suspended"], false);

    let mut closure = change(&f, ApplicationKind::Closure, &id, &[DocumentKind::IdProof]);
    closure.applicant = applicant("李新主", 3);
    let out = complete(&f, closure);
    assert_eq!(out["customer"]["status"], "closed");
    assert!(out["tagged"].as_array().unwrap().iter().any(|e| e["field"] == "status"));
    // A closed customer takes no further application.
    assert_eq!(
        create(&f, &clerk, change(&f, ApplicationKind::Suspension, &id, &[DocumentKind::IdProof])).unwrap_err().code(),
        "customer.closed"
    );
}

#[test]
fn a_closure_with_arrears_or_a_prepayment_is_refused() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let id = customer(&f, &clerk, "3301000001");
    let input = ReadingInput {
        customer_id: id.clone(),
        meter_number: "M3301000001".into(),
        period: "2026-02".into(),
        total: 300,
        ..Default::default()
    };
    ok(&f, &clerk, Request::EnterReading(input));
    let before = footprint(&f);
    let e = create(&f, &clerk, change(&f, ApplicationKind::Closure, &id, &[DocumentKind::IdProof])).unwrap_err();
    assert_eq!(e.code(), "closure.arrears");
    assert!(e.messages()[0].zh.contains("结清后方可销户"), "{e}");
    assert_eq!(footprint(&f), before);

    // Paid with a surplus: the prepayment must be refunded through the refund path first.
    ok(&f, &clerk, Request::OpenDesk(OpenDeskArgs { float: hall::model::money::Fen(0) }));
    let owed = ok(&f, &clerk, Request::QuotePayment(QuoteArgs { customer_id: id.clone() }))["total_due"].as_i64().unwrap();
    let paid = hall::store::payments::PostPayment {
        customer_id: id.clone(),
        amount: hall::model::money::Fen(owed + 1000),
        tenders: vec![hall::model::payment::Tender {
            kind: hall::model::payment::TenderKind::Cash,
            amount: hall::model::money::Fen(owed + 1000),
            reference: None,
        }],
        idempotency_key: "k1".into(),
        confirmed_large_cash: false,
    };
    ok(&f, &clerk, Request::PostPayment(paid));
    let view = create(&f, &clerk, change(&f, ApplicationKind::Closure, &id, &[DocumentKind::IdProof])).unwrap();
    let view = act(&f, &clerk, &view, advance("抄表拆表")).unwrap();
    let before = footprint(&f);
    let e = act(&f, &manager, &view, advance("归档")).unwrap_err();
    assert_eq!(e.code(), "closure.prepayment");
    assert!(e.messages()[0].zh.contains("预存退费"), "{e}");
    // A clerk cannot complete a closure (it needs a manager's authorisation).
    assert_eq!(footprint(&f), before);
    let refund = hall::store::payments::Refund {
        customer_id: id.clone(),
        amount: hall::model::money::Fen(1000),
        tender: hall::model::payment::TenderKind::Cash,
        reference: None,
        reason: hall::model::payment::ReasonCode::CustomerRequest,
        note: "销户退费".into(),
    };
    ok(
        &f,
        &clerk,
        Request::RefundPrepayment(RefundArgs {
            refund,
            approval: ManagerApproval { username: "manager".into(), password: "manager1234".into() },
        }),
    );
    assert_eq!(act(&f, &clerk, &view, advance("归档")).unwrap_err().code(), "closure.manager");
    let done = act(&f, &manager, &view, advance("归档")).unwrap();
    assert_eq!(done["state"], "completed");
    assert_eq!(customer_record(&f, &clerk, &id)["status"], "closed");
}

#[test]
fn notes_attachments_and_reassignment_are_on_the_timeline() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let view = create(&f, &clerk, low_voltage(&f)).unwrap();
    let view = act(&f, &clerk, &view, Act::Note { note: "客户下午补材料".into() }).unwrap();
    let drawing = DocumentRef { kind: DocumentKind::Drawings, sha256: attachment(&f, "drawing-1") };
    let view = act(&f, &clerk, &view, Act::Attach { document: drawing.clone() }).unwrap();
    assert_eq!(act(&f, &clerk, &view, Act::Attach { document: drawing }).unwrap_err().code(), "document.already_attached");
    assert_eq!(view["documents"].as_array().unwrap().iter().filter(|d| d["step"] == "survey").count(), 1);
    assert_eq!(
        act(&f, &manager, &view, Act::Reassign { owner: "nobody".into(), note: String::new() }).unwrap_err().code(),
        "owner.invalid"
    );
    let view = act(&f, &manager, &view, Act::Reassign { owner: manager_id(&f), note: "主任跟进".into() }).unwrap();
    assert_eq!(view["steps"][1]["owner_name"], "陈建国");
    let actions: Vec<&str> = view["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["accept", "note", "attach", "reassign"]);
    assert_eq!(view["timeline"][3]["note"], "→ 陈建国：主任跟进");
    assert_eq!(view["version"], 4);
}

#[test]
fn the_acceptance_slip_carries_the_number_the_promises_and_a_verifiable_code() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let view = create(&f, &clerk, low_voltage(&f)).unwrap();
    let pdf = ok(&f, &clerk, Request::ApplicationSlip(ApplicationRef { id: view["id"].as_str().unwrap().into() }));
    assert_eq!(pdf["file_name"], "受理回执-YK330106-01-1-000001.pdf");
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, pdf["base64"].as_str().unwrap()).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(bytes.len() < 50 * 1024, "{} bytes", bytes.len());
    assert_eq!(pdf["bytes"].as_u64().unwrap() as usize, bytes.len());
    // The text, read back where pdftotext is installed (CI has it; the docs branch's tests
    // check the rendering itself).
    let path = f.dir.path().join("slip.pdf");
    std::fs::write(&path, &bytes).unwrap();
    if let Ok(out) = std::process::Command::new("pdftotext").args(["-layout", path.to_str().unwrap(), "-"]).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("YK330106-01-1-000001"), "{text}");
        // Accepted Mon 2 Mar: survey 2 days (Wed 4), promise 6 (Tue 10); supply plan 8 would be
        // Mon 16, past the promise, so it and every later step are promised by Tue 10.
        for expected in ["2026-03-04", "2026-03-10", "低压非居民新装"] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert!(!text.contains("2026-03-16"), "no step promised past the promise: {text}");
        assert!(!text.contains("杭州小店"), "the applicant is masked");
    }
}

/// Late in a year whose successor is not published: an application whose promise falls within
/// the year is accepted (a step's own limit that would run into the next year is bounded by the
/// promise), the lists and badge still answer on the last working day (the at-risk list is empty:
/// the next working day is unknown), and the detail opens in the new year with its time unknown.
#[test]
fn the_year_end_before_the_next_calendar_is_published() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    // Wed 2 Dec 2026: 低压非居民 promise 6 working days = Thu 10 Dec (3, 4, 7, 8, 9, 10). The
    // steps' limits add up to 23 working days, which would reach 2027; none is planned past 10 Dec.
    f.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 2, 2, 0, 0).unwrap());
    let clerk_now = f.login("clerk");
    let view = create(&f, &clerk_now, low_voltage(&f)).unwrap();
    assert_eq!(date_of(&view["promised_date"]), NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    for step in view["steps"].as_array().unwrap() {
        if step["due_date"].is_string() {
            assert!(date_of(&step["due_date"]) <= NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(), "{step}");
        }
    }
    // Important and simplified together: refused, the important customer's checks cannot be skipped.
    let mut both = low_voltage(&f);
    both.important = true;
    both.simplified = true;
    assert!(codes(&create(&f, &clerk_now, both).unwrap_err()).contains(&"simplified.important".to_owned()));
    // A note of 2,001 characters on an advance is refused.
    let long = act(&f, &clerk_now, &view, advance(&"长".repeat(2001))).unwrap_err();
    assert_eq!(long.code(), "note.too_long");

    // Thu 31 Dec 2026: the lists and the badge answer; nothing is at risk, the application is overdue.
    f.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 31, 2, 0, 0).unwrap());
    let manager_now = f.login("manager");
    let counts = ok(&f, &manager_now, Request::ApplicationCounts(hall::api::NoArgs {}));
    assert_eq!(counts["overdue"], 1, "{counts}");
    assert_eq!(counts["at_risk"], 0, "{counts}");
    // Fri 1 Jan 2027: the detail opens, its working time unknown; actions are refused.
    f.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 1, 2, 0, 0).unwrap());
    let manager_later = f.login("manager");
    let detail = ok(&f, &manager_later, Request::GetApplication(ApplicationRef { id: view["id"].as_str().unwrap().into() }));
    assert!(detail["used_centidays"].is_null(), "{detail}");
    assert_eq!(detail["met"], false, "past the promise and open");
    assert_eq!(act(&f, &manager_later, &detail, advance("")).unwrap_err().code(), "calendar.unpublished");
    let _ = (clerk, manager);
}
