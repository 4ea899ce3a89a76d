//! Property tests: any valid customer is found by each of its keys; an edit and its history always
//! agree; the outbox has no gaps after any sequence of commands, rejected ones included.

mod common;

use hall::api::*;
use hall::model::customer::*;
use hall::store::outbox;
use hall::store::search::{SearchPage, SearchQuery};
use proptest::prelude::*;

const SURNAMES: &[&str] = &["王", "李", "张", "曾", "单", "欧阳", "诸葛", "赵"];
const GIVEN: &[&str] = &["三", "伟", "芳", "小明", "建国", "晓", "磊", "娜"];

fn customer_strategy() -> impl Strategy<Value = CustomerDraft> {
    (
        0usize..SURNAMES.len(),
        0usize..GIVEN.len(),
        1_000_000u32..9_999_999,
        prop::sample::select(vec!["130", "138", "159", "186", "199"]),
        0u32..10_000,
        prop::sample::select(vec!["文一路", "解放路", "人民路", "天目山路"]),
        1u32..999,
        0u64..1_000_000,
    )
        .prop_map(|(s, g, phone_mid, prefix, tail, street, number, serial)| {
            let account = format!("33{:08}", serial);
            let mut d = common::draft(&account, &format!("{}{}", SURNAMES[s], GIVEN[g]));
            d.phones = vec![format!("{prefix}{:04}{tail:04}", phone_mid % 10_000)];
            d.id_number = common::resident_id(serial as u32);
            d.address = format!("浙江省杭州市西湖区{street}{number}号");
            d.meters[0].number = format!("ZJ{serial:08}");
            d
        })
}

fn search(f: &common::Fixture, token: &str, text: &str) -> SearchPage {
    serde_json::from_value(
        f.app.call(Some(token), Request::SearchCustomers(SearchQuery { text: text.into(), offset: 0, limit: 100 })).unwrap(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_valid_customer_is_found_by_each_of_its_keys(customers in prop::collection::vec(customer_strategy(), 1..6)) {
        let f = common::fixture();
        let token = f.login("clerk");
        let mut stored = Vec::new();
        for c in customers {
            // Generated accounts or meters may collide; a refused duplicate is simply skipped.
            if f.app.call(Some(&token), Request::CreateCustomer(c.clone())).is_ok() {
                stored.push(c);
            }
        }
        for c in &stored {
            let name: Vec<char> = c.name.chars().collect();
            let keys = [
                c.account.clone(),
                c.meters[0].number.clone(),
                c.id_number.clone(),
                c.phones[0].clone(),
                c.phones[0][7..].to_owned(),
                c.name.clone(),
                name[name.len() - 2..].iter().collect(),
                hall::model::name_keys::initials(&c.name),
                hall::model::name_keys::full_pinyin(&c.name),
                c.address.chars().skip(9).take(3).collect(),
            ];
            for key in keys {
                let page = search(&f, &token, &key);
                prop_assert!(page.hits.iter().any(|h| h.account == c.account), "{} not found by {key}", c.account);
            }
        }
    }

    #[test]
    fn an_edit_and_its_history_agree(original in customer_strategy(), edited in customer_strategy()) {
        let f = common::fixture();
        let token = f.login("manager");
        let created = f.app.call(Some(&token), Request::CreateCustomer(original.clone())).unwrap();
        let id = created["view"]["customer"]["id"].as_str().unwrap().to_owned();
        let edited = CustomerDraft { account: original.account.clone(), ..edited };
        let saved = f.app.call(Some(&token), Request::UpdateCustomer(UpdateCustomerArgs { id: id.clone(), version: 1, draft: edited.clone() })).unwrap();
        let stored = f.app.call(Some(&token), Request::RevealCustomer(CustomerRef { id: id.clone() })).unwrap();
        let stored: Customer = serde_json::from_value(stored["customer"].clone()).unwrap();
        prop_assert_eq!(&stored.record, &edited);

        let expected = diff(&original, &edited);
        let changes: Vec<FieldChange> = serde_json::from_value(saved["changes"].clone()).unwrap();
        prop_assert_eq!(&changes, &expected);
        // The history holds exactly these changes at version 2, and replaying them onto the
        // original gives the stored record.
        let store = f.app.store();
        let history = hall::store::customers::history(store.conn(), &id).unwrap();
        let at_v2: Vec<FieldChange> = history.iter().filter(|h| h.version == 2).map(|h| FieldChange { field: h.field.clone(), old: h.old.clone(), new: h.new.clone() }).collect();
        prop_assert_eq!(&at_v2, &expected);
        let mut replayed = serde_json::to_value(&original).unwrap();
        for change in &at_v2 {
            let value = match replayed[&change.field] {
                serde_json::Value::String(_) => serde_json::Value::String(change.new.clone()),
                _ if change.new.is_empty() => serde_json::Value::Null,
                _ => serde_json::from_str(&change.new).unwrap(),
            };
            replayed[&change.field] = value;
        }
        prop_assert_eq!(serde_json::from_value::<CustomerDraft>(replayed).unwrap(), edited);
    }

    #[test]
    fn the_outbox_has_no_gaps_after_any_sequence_of_commands(ops in prop::collection::vec((0u8..4, customer_strategy()), 1..12)) {
        let f = common::fixture();
        let token = f.login("clerk");
        let mut ids: Vec<(String, i64)> = Vec::new();
        for (op, draft) in ops {
            match op {
                // A valid create (it may still collide with an earlier account).
                0 => {
                    if let Ok(v) = f.app.call(Some(&token), Request::CreateCustomer(draft)) {
                        ids.push((v["view"]["customer"]["id"].as_str().unwrap().to_owned(), 1));
                    }
                }
                // A create rejected by validation.
                1 => {
                    let mut bad = draft;
                    bad.phones = vec!["000".into()];
                    prop_assert!(f.app.call(Some(&token), Request::CreateCustomer(bad)).is_err());
                }
                // An edit of the latest customer, or a stale one that is refused.
                2 => if let Some((id, version)) = ids.last_mut() {
                    let current: Customer = serde_json::from_value(f.app.call(Some(&token), Request::GetCustomer(CustomerRef { id: id.clone() })).unwrap()["customer"].clone()).unwrap();
                    let edit = CustomerDraft { account: current.record.account.clone(), meters: current.record.meters.clone(), ..draft };
                    if f.app.call(Some(&token), Request::UpdateCustomer(UpdateCustomerArgs { id: id.clone(), version: *version, draft: edit })).is_ok() {
                        *version += 1;
                    }
                },
                // A close with a wrong manager password: refused.
                _ => if let Some((id, _)) = ids.last() {
                    let refused = f.app.call(Some(&token), Request::CloseCustomer(CloseCustomerArgs {
                        id: id.clone(), reason: "test".into(), approval: ManagerApproval { username: "manager".into(), password: "wrong1234".into() },
                    }));
                    prop_assert!(refused.is_err());
                },
            }
        }
        let events = outbox::all(f.app.store().conn()).unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
        let next: i64 = f.app.store().workstation().unwrap().next_seq;
        prop_assert_eq!(next, events.len() as i64 + 1);
    }
}
