//! Customer records through the command set: create, validation, edit with history, close with a
//! manager's authorisation, masking by role, and search by every key.

mod common;

use common::{draft, fixture};
use hall::api::*;
use hall::model::customer::*;
use hall::store::search::{MatchKind, SearchPage, SearchQuery};

fn saved(value: serde_json::Value) -> serde_json::Value {
    value["view"]["customer"].clone()
}

#[test]
fn create_returns_the_record_masked_and_records_history_outbox_and_audit() {
    let f = fixture();
    let token = f.login("clerk");
    let before = f.footprint();
    let value = f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap();
    let customer = saved(value.clone());
    assert_eq!(customer["account"], "3300000001");
    assert_eq!(customer["id_number"], "110105********002X");
    assert_eq!(customer["phones"][0], "138****5678");
    let after = f.footprint();
    // customers, phones, meters, history, outbox, audit, the two full-text rows: one each.
    assert_eq!(after.iter().zip(&before).map(|(a, b)| a - b).collect::<Vec<_>>(), vec![1, 1, 1, 1, 1, 1, 1, 1]);
}

#[test]
fn every_bad_field_is_reported_at_its_field_and_nothing_is_written() {
    let f = fixture();
    let token = f.login("clerk");
    let before = f.footprint();
    let mut bad = draft("33000001", " ");
    bad.id_number = "110105194912310021".into();
    bad.phones = vec!["12345".into()];
    bad.big_customer = true;
    bad.capacity_kva = 0;
    let err = f.app.call(Some(&token), Request::CreateCustomer(bad)).unwrap_err();
    let fields: Vec<(String, String)> = err.messages().into_iter().map(|m| (m.field.unwrap_or_default(), m.code)).collect();
    for expected in [
        ("account", "account.format"),
        ("name", "name.required"),
        ("id_number", "id_number.check_digit"),
        ("phones", "phone.format"),
        ("capacity_kva", "capacity_kva.range"),
        ("account_manager", "account_manager.required"),
    ] {
        assert!(fields.contains(&(expected.0.into(), expected.1.into())), "{expected:?} missing from {fields:?}");
    }
    for m in err.messages() {
        assert!(!m.zh.is_empty() && !m.en.is_empty() && m.zh != m.en);
    }
    assert_eq!(f.footprint(), before);
}

#[test]
fn a_duplicate_account_or_meter_is_refused_and_leaves_nothing() {
    let f = fixture();
    let token = f.login("clerk");
    f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap();
    let before = f.footprint();
    let err = f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "李四"))).unwrap_err();
    assert_eq!(err.code(), "account.taken");
    let mut same_meter = draft("3300000002", "李四");
    same_meter.meters[0].number = "M3300000001".into();
    assert_eq!(f.app.call(Some(&token), Request::CreateCustomer(same_meter)).unwrap_err().code(), "meters.taken");
    assert_eq!(f.footprint(), before);
}

#[test]
fn a_failed_social_credit_check_warns_but_saves() {
    let f = fixture();
    let token = f.login("clerk");
    let mut firm = draft("3300000003", "杭州恒达机械有限公司");
    firm.class = CustomerClass::GeneralCommercial;
    firm.id_kind = IdKind::Uscc;
    let first17 = "91330106MA2AXXXX0";
    let good = hall::model::ids::uscc_check_char(first17);
    let wrong = if good == '1' { '2' } else { '1' };
    firm.id_number = format!("{first17}{wrong}");
    let value = f.app.call(Some(&token), Request::CreateCustomer(firm)).unwrap();
    assert_eq!(value["warnings"][0]["code"], "uscc.check_digit");
    assert_eq!(value["warnings"][0]["field"], "id_number");
    // Organisations' codes are public and stay unmasked.
    assert_eq!(saved(value)["id_number"], format!("{first17}{wrong}"));
}

#[test]
fn edits_are_kept_as_history_with_who_when_and_where() {
    let f = fixture();
    let token = f.login("clerk");
    let created = saved(f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap());
    let id = created["id"].as_str().unwrap().to_owned();

    // The form comes back with the masked values the clerk saw and did not touch.
    let mut edit = draft("3300000001", "张三丰");
    edit.id_number = "110105********002X".into();
    edit.phones = vec!["138****5678".into(), "0571-87654321".into()];
    edit.tags = vec!["独居老人".into()];
    f.clock.advance(chrono::Duration::minutes(5));
    let value = f.app.call(Some(&token), Request::UpdateCustomer(UpdateCustomerArgs { id: id.clone(), version: 1, draft: edit })).unwrap();
    let changed: Vec<&str> = value["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(changed, vec!["name", "phones", "tags"], "the untouched masked ID number is not a change");

    let manager = f.login("manager");
    let revealed = f.app.call(Some(&manager), Request::RevealCustomer(CustomerRef { id: id.clone() })).unwrap();
    assert_eq!(revealed["customer"]["id_number"], "11010519491231002X");
    assert_eq!(revealed["customer"]["phones"], serde_json::json!(["13812345678", "0571-87654321"]));

    let history = f.app.call(Some(&token), Request::CustomerHistory(CustomerRef { id: id.clone() })).unwrap();
    let entries = history["entries"].as_array().unwrap();
    let name_change = entries.iter().find(|e| e["field"] == "name").unwrap();
    assert_eq!((name_change["old"].as_str(), name_change["new"].as_str()), (Some("张三"), Some("张三丰")));
    assert_eq!(name_change["user_name"], "王晓燕");
    assert_eq!(name_change["at"], "2026-03-02T01:35:00.000Z");
    assert!(!name_change["workstation_id"].as_str().unwrap().is_empty());
    let phones = entries.iter().find(|e| e["field"] == "phones").unwrap();
    assert_eq!(phones["new"], r#"["138****5678","0571-****4321"]"#, "history masks phones too");

    // An edit from a stale version is refused.
    let stale =
        f.app.call(Some(&token), Request::UpdateCustomer(UpdateCustomerArgs { id, version: 1, draft: draft("3300000001", "张三") }));
    assert_eq!(stale.unwrap_err().code(), "customer.stale");
}

#[test]
fn the_account_number_cannot_change() {
    let f = fixture();
    let token = f.login("clerk");
    let created = saved(f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap());
    let mut edit = draft("3300000009", "张三");
    edit.meters[0].number = "M3300000001".into();
    let err = f.app.call(
        Some(&token),
        Request::UpdateCustomer(UpdateCustomerArgs { id: created["id"].as_str().unwrap().into(), version: 1, draft: edit }),
    );
    assert_eq!(err.unwrap_err().code(), "account.immutable");
}

#[test]
fn closing_needs_a_manager_and_keeps_the_record() {
    let f = fixture();
    let clerk = f.login("clerk");
    let id =
        saved(f.app.call(Some(&clerk), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap())["id"].as_str().unwrap().to_owned();
    let before = f.footprint();
    let close = |username: &str, password: &str| {
        f.app.call(
            Some(&clerk),
            Request::CloseCustomer(CloseCustomerArgs {
                id: id.clone(),
                reason: "拆迁".into(),
                approval: ManagerApproval { username: username.into(), password: password.into() },
            }),
        )
    };
    assert_eq!(close("clerk", "clerk1234").unwrap_err().code(), "approval.role");
    assert_eq!(close("manager", "wrong-password1").unwrap_err().code(), "approval.denied");
    let after_refusals = f.footprint();
    assert_eq!(after_refusals[..5], before[..5], "refused closes write no business rows or events");

    let closed = close("manager", "manager1234").unwrap();
    assert_eq!(closed["customer"]["status"], "closed");
    assert_eq!(closed["customer"]["close_reason"], "拆迁");
    let view = f.app.call(Some(&clerk), Request::GetCustomer(CustomerRef { id: id.clone() })).unwrap();
    assert_eq!(view["customer"]["status"], "closed");
    let edit = f.app.call(Some(&clerk), Request::UpdateCustomer(UpdateCustomerArgs { id, version: 2, draft: draft("3300000001", "李四") }));
    assert_eq!(edit.unwrap_err().code(), "customer.closed");
}

fn search(f: &common::Fixture, token: &str, text: &str) -> SearchPage {
    let value = f.app.call(Some(token), Request::SearchCustomers(SearchQuery { text: text.into(), offset: 0, limit: 10 })).unwrap();
    serde_json::from_value(value).unwrap()
}

#[test]
fn search_finds_by_every_key_and_ranks_exact_matches_first() {
    let f = fixture();
    let token = f.login("clerk");
    let mut zhang = draft("3300000001", "张三");
    zhang.phones = vec!["13900001234".into()];
    zhang.meters[0].number = "3300000000077".into();
    f.app.call(Some(&token), Request::CreateCustomer(zhang)).unwrap();
    let mut other = draft("3300000002", "张三丰");
    other.phones = vec!["13700005678".into()];
    other.address = "浙江省杭州市上城区解放路8号".into();
    other.id_number = common::resident_id(7);
    f.app.call(Some(&token), Request::CreateCustomer(other)).unwrap();

    let cases: &[(&str, &str, MatchKind)] = &[
        ("3300000001", "3300000001", MatchKind::Account),
        ("3300000000077", "3300000001", MatchKind::Meter),
        ("11010519491231002x", "3300000001", MatchKind::IdNumber),
        ("139 0000 1234", "3300000001", MatchKind::Phone),
        ("1234", "3300000001", MatchKind::PhoneTail),
        ("张三", "3300000001", MatchKind::Name),
        ("zs", "3300000001", MatchKind::Initials),
        ("zhangsanfeng", "3300000002", MatchKind::Pinyin),
        ("三丰", "3300000002", MatchKind::NameFragment),
        ("解放路", "3300000002", MatchKind::Address),
    ];
    for (text, account, kind) in cases {
        let page = search(&f, &token, text);
        let first = page.hits.first().unwrap_or_else(|| panic!("nothing for {text}"));
        assert_eq!((first.account.as_str(), first.matched_by), (*account, *kind), "query {text}");
    }
    // "张三" finds both, the exact name first; phones in results are masked.
    let page = search(&f, &token, "张三");
    assert_eq!(page.hits.iter().map(|h| h.account.as_str()).collect::<Vec<_>>(), vec!["3300000001", "3300000002"]);
    assert_eq!(page.hits[0].phone, "139****1234");
    assert!(search(&f, &token, "   ").hits.is_empty());
}

#[test]
fn search_pages_do_not_overlap() {
    let f = fixture();
    let token = f.login("clerk");
    for i in 0..25 {
        let mut d = draft(&format!("33000001{i:02}"), &format!("王{}", ["伟", "芳", "娜", "敏", "静"][i % 5]));
        d.phones = vec![format!("1380000{i:04}")];
        f.app.call(Some(&token), Request::CreateCustomer(d)).unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let value = f.app.call(Some(&token), Request::SearchCustomers(SearchQuery { text: "王".into(), offset, limit: 10 })).unwrap();
        let page: SearchPage = serde_json::from_value(value).unwrap();
        for hit in &page.hits {
            assert!(seen.insert(hit.account.clone()), "{} on two pages", hit.account);
        }
        if !page.has_more {
            break;
        }
        offset += 10;
    }
    assert_eq!(seen.len(), 25);
}
