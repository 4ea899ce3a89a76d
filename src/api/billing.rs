//! Bills at the counter: meter reading entry, a customer's bills, the tariff table, and the
//! manager's waiver of a late fee.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, Done, ManagerApproval, NoArgs, authorise, require_caller};
use crate::billing::late_fee::LateFeeBook;
use crate::clock::business_date;
use crate::error::Result;
use crate::model::tariff::TariffVersion;
use crate::store::billing::{self as repo, Bill, ReadingInput};
use crate::store::customers;

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct BillsArgs {
    pub customer_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BillList {
    pub bills: Vec<Bill>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TariffList {
    pub versions: Vec<TariffVersion>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct WaiveArgs {
    pub bill_id: String,
    pub reason: String,
    pub approval: ManagerApproval,
}

pub(super) fn list(app: &App, _: Option<&Caller>, args: BillsArgs) -> Result<BillList> {
    let store = app.store();
    let customer = customers::brief(store.conn(), &args.customer_id)?;
    Ok(BillList { bills: repo::bills_of(store.conn(), customer.pk)? })
}

pub(super) fn enter_reading(app: &App, caller: Option<&Caller>, args: ReadingInput) -> Result<Bill> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let book = repo::tariff_book(store.conn())?;
    store.write(|tx| repo::enter_reading(tx, &actor, &book, LateFeeBook::defaults(), &args))
}

pub(super) fn tariffs(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<TariffList> {
    Ok(TariffList { versions: repo::tariff_book(app.store().conn())?.versions().to_vec() })
}

pub(super) fn waive_late_fee(app: &App, caller: Option<&Caller>, args: WaiveArgs) -> Result<Done> {
    let caller = require_caller(caller)?;
    repo::bill_pk(app.store().conn(), &args.bill_id)?;
    let manager = authorise(app, &args.approval, "late_fee.waive", &args.bill_id)?;
    let actor = app.actor(Some(&caller.user));
    let today = business_date(actor.at);
    app.store().write(|tx| repo::waive_late_fee(tx, &actor, &args.bill_id, today, &args.reason, &manager.id))?;
    Ok(Done { ok: true })
}
