//! A realistic demo outlet: Chinese names, Zhejiang addresses, customer classes in their real
//! proportions, valid ID numbers and meters, and one user per role. Deterministic for a seed, so
//! tests and benchmarks see the same data every run.

mod generator;
mod history;

pub use generator::Generator;
pub use history::populate_history;

use crate::error::Result;
use crate::model::user::Role;
use crate::store::customers::{self, BulkLoad};
use crate::store::{Actor, Store, audit, users};

/// The demo users, one per role: (username, display name, role, password). The README lists them.
pub const USERS: &[(&str, &str, Role, &str)] = &[
    ("clerk", "王晓燕", Role::Clerk, "clerk1234"),
    ("manager", "陈建国", Role::Manager, "manager1234"),
    ("hq", "李明华", Role::HeadOffice, "hq123456"),
    ("admin", "赵志强", Role::Admin, "admin1234"),
];

pub const OUTLET_CODE: &str = "330106";

/// Fills an empty store with `count` customers and the demo users, in one transaction, the way a
/// bulk import writes them.
pub fn populate(store: &mut Store, actor: &Actor, count: u64, seed: u64, mut progress: impl FnMut(u64)) -> Result<()> {
    store.set_outlet_code(OUTLET_CODE)?;
    let mut generator = Generator::new(seed);
    let size = customers::load_size(store.conn(), count)?;
    store.write_load(size, |tx| {
        for &(username, name, role, password) in USERS {
            if users::find(tx, username)?.is_none() {
                users::create(tx, actor, username, name, role, password, users::PasswordKind::Chosen)?;
            }
        }
        let mut load = BulkLoad::start(tx, actor, size)?;
        let today = crate::clock::business_date(actor.at);
        for index in 0..count {
            let checked = generator.customer(index).check(today)?;
            load.create(tx, actor, customers::prepare(checked.draft)?)?;
            if index % 1000 == 999 {
                progress(index + 1);
            }
        }
        load.finish(tx, actor)?;
        audit::append(tx, actor, "demo.populate", "customers", &serde_json::json!({ "customers": count, "seed": seed }))
    })
}

/// One valid residential customer with `account` and `name`: what tests and the crash harness
/// write when any ordinary customer will do.
pub fn sample_customer(account: &str, name: &str) -> crate::model::customer::CustomerDraft {
    use crate::model::customer::*;
    CustomerDraft {
        account: account.into(),
        name: name.into(),
        class: CustomerClass::Residential,
        id_kind: IdKind::ResidentId,
        id_number: "11010519491231002X".into(),
        phones: vec!["13812345678".into()],
        address: "浙江省杭州市西湖区文一路100号翠苑一区3幢2单元501室".into(),
        supply_area: "西湖区供电所/翠苑1号台区".into(),
        voltage: Voltage::V220,
        capacity_kva: 8,
        tariff_code: "ZJ-RES-TIER".into(),
        payment_method: PaymentMethod::Counter,
        credit_rating: CreditRating::A,
        big_customer: false,
        account_manager: None,
        tags: vec![],
        notes: String::new(),
        meters: vec![Meter { number: format!("M{account}"), kind: MeterKind::SinglePhase, multiplier: 1 }],
    }
}
