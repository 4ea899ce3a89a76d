//! Customer commands. Personal data leaves here masked; roles that may see it ask for it with
//! `customer.reveal`, which is audited.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, ManagerApproval, authorise, require_caller};
use crate::clock::business_date;
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::{Checked, Customer, CustomerDraft, FieldChange};
use crate::model::mask;
use crate::store::audit;
use crate::store::customers::{self as repo, AuditEach, HistoryEntry};
use crate::store::search::{SearchPage, SearchQuery};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CustomerRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct AccountRef {
    pub account: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CustomerView {
    pub customer: Customer,
    /// Whether ID number and phones are shown masked (whether the caller may reveal them is in
    /// `SessionInfo.allowed`: `customer.reveal`).
    pub masked: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DraftCheck {
    /// Problems the clerk should see but may accept (a social credit code failing its check).
    pub warnings: Vec<UserMessage>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Saved {
    pub view: CustomerView,
    pub warnings: Vec<UserMessage>,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UpdateCustomerArgs {
    pub id: String,
    /// The version the edit started from; a newer stored version refuses the edit.
    pub version: i64,
    pub draft: CustomerDraft,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CloseCustomerArgs {
    pub id: String,
    pub reason: String,
    pub approval: ManagerApproval,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryList {
    pub entries: Vec<HistoryEntry>,
}

fn masked_view(customer: Customer) -> CustomerView {
    CustomerView { customer: mask::customer(customer), masked: true }
}

pub(super) fn search(app: &App, caller: Option<&Caller>, query: SearchQuery) -> Result<SearchPage> {
    require_caller(caller)?;
    let store = app.store();
    let mut page = crate::store::search::search(store.conn(), &query)?;
    // An application number typed into the main search box finds the application.
    page.application = crate::store::applications::hit_by_number(store.conn(), &query.text)?;
    for hit in &mut page.hits {
        hit.phone = mask::phone(&hit.phone);
    }
    Ok(page)
}

pub(super) fn get(app: &App, caller: Option<&Caller>, args: CustomerRef) -> Result<CustomerView> {
    require_caller(caller)?;
    Ok(masked_view(repo::get(app.store().conn(), &args.id)?))
}

pub(super) fn by_account(app: &App, caller: Option<&Caller>, args: AccountRef) -> Result<CustomerView> {
    require_caller(caller)?;
    let customer = repo::by_account(app.store().conn(), args.account.trim())?.ok_or_else(|| {
        Error::NotFound(UserMessage::new(
            "customer.not_found",
            format!("未找到户号{}", args.account.trim()),
            format!("No account {}", args.account.trim()),
        ))
    })?;
    Ok(masked_view(customer))
}

pub(super) fn reveal(app: &App, caller: Option<&Caller>, args: CustomerRef) -> Result<CustomerView> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let customer = repo::get(store.conn(), &args.id)?;
    store.write(|tx| {
        audit::append(tx, &actor, "customer.reveal", &customer.id, &serde_json::json!({ "account": customer.record.account }))
    })?;
    Ok(CustomerView { customer, masked: false })
}

pub(super) fn check(app: &App, _: Option<&Caller>, draft: CustomerDraft) -> Result<DraftCheck> {
    Ok(DraftCheck { warnings: checked(app, app.store().conn(), &draft, None)?.warnings })
}

pub(super) fn create(app: &App, caller: Option<&Caller>, draft: CustomerDraft) -> Result<Saved> {
    let caller = require_caller(caller)?;
    let checked = checked(app, app.store().conn(), &draft, None)?;
    let actor = app.actor(Some(&caller.user));
    let customer = app.store().write(|tx| repo::create(tx, &actor, &checked.draft, AuditEach::Yes))?;
    Ok(Saved { view: masked_view(customer), warnings: checked.warnings, changes: Vec::new() })
}

pub(super) fn update(app: &App, caller: Option<&Caller>, args: UpdateCustomerArgs) -> Result<Saved> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let current = repo::get(store.conn(), &args.id)?;
    let checked = checked(app, store.conn(), &unmask_unchanged(args.draft, &current.record), Some(&args.id))?;
    let (customer, changes) = store.write(|tx| repo::update(tx, &actor, &args.id, args.version, &checked.draft))?;
    Ok(Saved { view: masked_view(customer), warnings: checked.warnings, changes })
}

/// Checks a draft and the keys it would take, all errors at once: a new customer's account and
/// the meters already held by another customer are reported with the fields' own errors. `owner`
/// is the id of the customer being edited.
fn checked(app: &App, conn: &rusqlite::Connection, draft: &CustomerDraft, owner: Option<&str>) -> Result<Checked> {
    let review = draft.review(business_date(app.clock().now()));
    let account_ok = !review.errors.iter().any(|e| e.field.as_deref() == Some("account"));
    let account = (owner.is_none() && account_ok).then_some(review.draft.account.as_str());
    let taken = repo::taken_keys(conn, account, &review.draft.meters, owner)?;
    review.into_checked(taken)
}

/// A form filled from a masked record sends the masked values back for fields the clerk did not
/// touch; those mean "unchanged".
fn unmask_unchanged(mut draft: CustomerDraft, current: &CustomerDraft) -> CustomerDraft {
    if draft.id_number == mask::id_number(&current.id_number) {
        draft.id_number = current.id_number.clone();
    }
    for phone in &mut draft.phones {
        if let Some(original) = current.phones.iter().find(|p| mask::phone(p) == *phone) {
            *phone = original.clone();
        }
    }
    draft
}

pub(super) fn close(app: &App, caller: Option<&Caller>, args: CloseCustomerArgs) -> Result<CustomerView> {
    let caller = require_caller(caller)?;
    let manager = authorise(app, &args.approval, "customer.close", &args.id)?;
    let actor = app.actor(Some(&caller.user));
    let customer = app.store().write(|tx| repo::close(tx, &actor, &args.id, &args.reason, &manager.id))?;
    Ok(masked_view(customer))
}

pub(super) fn history(app: &App, caller: Option<&Caller>, args: CustomerRef) -> Result<HistoryList> {
    require_caller(caller)?;
    let mut entries = repo::history(app.store().conn(), &args.id)?;
    for entry in &mut entries {
        mask_history_value(&entry.field, &mut entry.old);
        mask_history_value(&entry.field, &mut entry.new);
    }
    Ok(HistoryList { entries })
}

fn mask_history_value(field: &str, value: &mut String) {
    match field {
        "id_number" if !value.is_empty() => *value = mask::id_number(value),
        "phones" => {
            if let Ok(phones) = serde_json::from_str::<Vec<String>>(value) {
                let masked: Vec<String> = phones.iter().map(|p| mask::phone(p)).collect();
                *value = serde_json::to_string(&masked).unwrap_or_default();
            }
        }
        _ => {}
    }
}
