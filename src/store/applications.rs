//! Applications (业扩报装): intake, the step actions and the due lists.
//!
//! Every transition is one call inside the caller's [`super::Store::write`]: every check that can
//! refuse it runs first (the workflow's state and role rules, the calendar, the documents, the
//! completion's effect on the customer file), then the application row, its step rows and its
//! timeline row are written with an outbox event and an audit entry. A completion changes the
//! customer file only through `store::customers`, whose own checks apply, and tags the history
//! rows it wrote with the application number.
//!
//! Numbers are `YK<outlet>-<counter>-<epoch>-<seq>`, taken from the workstation row inside the
//! intake's transaction, so that they have no gaps and need no network (as receipt numbers).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::{Actor, Tx, audit, customers, outbox};
use crate::billing::late_fee::LateFeeBook;
use crate::calendar::Calendar;
use crate::clock::{business_date, parse_stamp, stamp};
use crate::error::{Error, Lang, Result, UserMessage};
use crate::model::application::*;
use crate::model::application_rules::{Plan, PlanInput, RuleBook, Rules};
use crate::model::customer::{CreditRating, Customer, CustomerClass, CustomerDraft, CustomerStatus, PaymentMethod, Voltage};
use crate::model::money::Fen;
use crate::model::user::{Role, User};
use crate::model::versions::Versioned;
use crate::model::workflow::{self, Suspension};

/// A stored application with its steps, timeline and documents.
#[derive(Debug, Clone)]
pub struct Record {
    pub pk: i64,
    pub id: String,
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub rules_version: String,
    pub customer_pk: Option<i64>,
    pub customer_id: Option<String>,
    pub customer_account: Option<String>,
    pub draft: ApplicationDraft,
    pub accepted_at: String,
    pub accepted_by: String,
    pub accepted_by_name: String,
    pub promise_days: u32,
    pub promised_date: NaiveDate,
    pub current: Option<u32>,
    pub suspended_at: Option<String>,
    pub finished_at: Option<String>,
    pub version: i64,
    pub steps: Vec<StepRow>,
    pub events: Vec<EventRow>,
    pub documents: Vec<DocumentRow>,
}

#[derive(Debug, Clone)]
pub struct StepRow {
    pub position: u32,
    pub kind: StepKind,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub limit_days: Option<u32>,
    pub started_at: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub finished_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub at: String,
    pub by: String,
    pub by_name: String,
    pub action: Action,
    pub step_position: Option<u32>,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub kind: DocumentKind,
    pub sha256: String,
    pub mime: String,
    pub file_name: String,
    pub size_bytes: u64,
    pub step_position: Option<u32>,
}

impl Record {
    pub fn current_step(&self) -> Option<&StepRow> {
        self.current.and_then(|p| self.steps.iter().find(|s| s.position == p))
    }

    /// The suspensions recorded on the timeline, in order (the last open while suspended).
    pub fn suspensions(&self) -> Vec<Suspension> {
        let mut out: Vec<Suspension> = Vec::new();
        for e in &self.events {
            let Some(at) = parse_stamp(&e.at) else { continue };
            match e.action {
                Action::Suspend => out.push(Suspension { from: at, to: None }),
                Action::Resume => {
                    if let Some(last) = out.last_mut().filter(|s| s.to.is_none()) {
                        last.to = Some(at);
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Who acts, with the role the workflow checks.
pub struct Acting<'a> {
    pub actor: &'a Actor,
    pub user: &'a User,
}

/// The rules and the calendar an intake or an action is checked against.
pub struct Context<'a> {
    pub rules: &'a RuleBook,
    pub calendar: &'a Calendar,
}

// ---------------------------------------------------------------------------------------------
// Intake

/// The plan an application of `input` would get if accepted on `today`, with its due dates.
pub fn requirements(ctx: &Context, input: PlanInput, today: NaiveDate) -> Result<(String, Plan, Vec<Option<NaiveDate>>, NaiveDate)> {
    let rules = ctx.rules.in_force(today)?;
    let plan = rules.plan(input)?;
    let (dues, promised) = planned_dates(ctx.calendar, &plan, today)?;
    Ok((rules.version(), plan, dues, promised))
}

/// The due date of each step if every step took its full limit from `today`, and the promise.
/// Only the first open step's date and the promise are firm; the later ones show the customer
/// what to expect, and none is later than the promise (the step limits add up to more than the
/// total the outlet promises: the promise binds).
fn planned_dates(cal: &Calendar, plan: &Plan, today: NaiveDate) -> Result<(Vec<Option<NaiveDate>>, NaiveDate)> {
    cal.is_working(today)?;
    let promised = cal.add_working_days(today, plan.promise_days)?;
    let dues = planned_step_dates(cal, today, plan.steps.iter().map(|(_, limit)| *limit), promised)?;
    Ok((dues, promised))
}

/// Each step's planned date from `accepted_on`: the first step that day, each later one its
/// limit after the one before, none past `promised`. The slip prints these.
pub fn planned_step_dates(
    cal: &Calendar,
    accepted_on: NaiveDate,
    limits: impl Iterator<Item = Option<u32>>,
    promised: NaiveDate,
) -> Result<Vec<Option<NaiveDate>>> {
    let mut at = accepted_on;
    let mut dues = Vec::new();
    for (i, limit) in limits.enumerate() {
        dues.push(match (i, limit) {
            (0, _) => Some(accepted_on),
            (_, Some(days)) => {
                at = due_within_promise(cal, at, days, promised)?;
                Some(at)
            }
            (_, None) => None,
        });
    }
    Ok(dues)
}

/// `days` working days after `from`, or the promise when that is earlier. A count that runs
/// into a year whose calendar is not published yet ends after the promise, which is a published
/// date, so the promise is the due date then: the application is not held up by a calendar it
/// will not reach in time.
fn due_within_promise(cal: &Calendar, from: NaiveDate, days: u32, promised: NaiveDate) -> Result<NaiveDate> {
    match cal.add_working_days(from, days) {
        Ok(due) => Ok(due.min(promised)),
        Err(e) if e.code() == "calendar.unpublished" && cal.is_working(promised).is_ok() => Ok(promised),
        Err(e) => Err(e),
    }
}

fn is_new_connection(kind: ApplicationKind) -> bool {
    matches!(
        kind,
        ApplicationKind::ResidentialNew
            | ApplicationKind::LowVoltageNew
            | ApplicationKind::HighVoltageSingle
            | ApplicationKind::HighVoltageDual
    )
}

fn low_voltage(v: Voltage) -> bool {
    matches!(v, Voltage::V220 | Voltage::V380)
}

const MAX_NOTES_CHARS: usize = 2000;

/// Checks an intake draft against the customer it concerns and the rules, every error at once.
/// Returns the canonical draft and the plan.
fn check_draft(
    conn: &Connection,
    ctx: &Context,
    draft: &ApplicationDraft,
    customer: Option<&Customer>,
    today: NaiveDate,
) -> Result<(ApplicationDraft, Rules, Plan)> {
    let mut errors = Vec::new();
    let mut d = draft.clone();
    let kind = d.kind;
    let new = is_new_connection(kind);

    // The applicant, checked by the customer record's own rules.
    let probe = CustomerDraft {
        account: "0000000000".into(),
        name: d.applicant.name.clone(),
        class: d.class.unwrap_or(CustomerClass::Residential),
        id_kind: d.applicant.id_kind,
        id_number: d.applicant.id_number.clone(),
        phones: vec![d.applicant.phone.clone()],
        // A change's address defaults to the customer's (below); one typed is checked as a new one.
        address: if new || !d.address.trim().is_empty() { d.address.clone() } else { "-".into() },
        supply_area: "-".into(),
        voltage: d.voltage.unwrap_or(Voltage::V220),
        capacity_kva: 1,
        tariff_code: "X".into(),
        payment_method: PaymentMethod::Counter,
        credit_rating: CreditRating::A,
        big_customer: false,
        account_manager: None,
        tags: Vec::new(),
        notes: String::new(),
        meters: Vec::new(),
    };
    let review = probe.review(today);
    for e in review.errors {
        let field = match e.field.as_deref() {
            Some("name") => "applicant.name",
            Some("id_number") => "applicant.id_number",
            Some("phones") => "applicant.phone",
            Some("address") => "address",
            Some("voltage") => "voltage",
            _ => continue,
        };
        errors.push(UserMessage { field: Some(field.into()), ..e });
    }
    d.applicant.name = review.draft.name.clone();
    d.applicant.id_number = review.draft.id_number.clone();
    d.applicant.phone = review.draft.phones.first().cloned().unwrap_or_default();
    d.address = d.address.trim().to_owned();
    d.notes = d.notes.trim().to_owned();
    if d.address.is_empty() && !new {
        d.address = customer.map(|c| c.record.address.clone()).unwrap_or_default();
    }
    if d.notes.chars().count() > MAX_NOTES_CHARS {
        errors.push(UserMessage::new("notes.too_long", "备注最多2000字", "Notes have at most 2000 characters").at("notes"));
    }

    if new {
        if d.customer_id.is_some() {
            errors.push(
                UserMessage::new(
                    "application.new_has_customer",
                    "新装在装表接电时建立新户，不应选择已有客户",
                    "A new connection creates its customer at meter installation: do not pick an existing customer",
                )
                .at("customer_id"),
            );
        }
        let (class, voltage) = (d.class, d.voltage);
        if class.is_none() {
            errors.push(UserMessage::new("class.required", "请选择用电类别", "Choose the customer class").at("class"));
        }
        match voltage {
            None => errors.push(UserMessage::new("voltage.required", "请选择供电电压", "Choose the supply voltage").at("voltage")),
            Some(v) => {
                let wrong = match kind {
                    ApplicationKind::ResidentialNew | ApplicationKind::LowVoltageNew => !low_voltage(v),
                    _ => low_voltage(v),
                };
                if wrong {
                    errors.push(
                        UserMessage::new(
                            "voltage.kind",
                            format!("{}与所选电压不符", kind.label(Lang::ZhCn)),
                            format!("The voltage does not fit a {}", kind.label(Lang::En).to_lowercase()),
                        )
                        .at("voltage"),
                    );
                }
            }
        }
        match (kind, class) {
            (ApplicationKind::ResidentialNew, Some(c)) if c != CustomerClass::Residential => errors.push(
                UserMessage::new("class.kind", "居民新装的用电类别应为居民", "A residential connection has the residential class")
                    .at("class"),
            ),
            (
                ApplicationKind::LowVoltageNew | ApplicationKind::HighVoltageSingle | ApplicationKind::HighVoltageDual,
                Some(CustomerClass::Residential),
            ) => errors.push(
                UserMessage::new(
                    "class.kind",
                    "非居民新装不能选择居民类别",
                    "A non-residential connection cannot have the residential class",
                )
                .at("class"),
            ),
            _ => {}
        }
        if !matches!(d.capacity_kva, Some(1..=2_000_000)) {
            errors.push(capacity_range());
        }
    } else {
        match customer {
            None => errors.push(
                UserMessage::new(
                    "application.customer_required",
                    "请先查找并选择办理业务的客户",
                    "Find and choose the customer this application is for",
                )
                .at("customer_id"),
            ),
            Some(c) if c.status == CustomerStatus::Closed => {
                errors.push(UserMessage::new("customer.closed", "该户已销户", "This account is closed").at("customer_id"))
            }
            Some(c) => {
                // A change follows the customer's own class and voltage (the plan of a 增容 is the
                // new connection of that voltage; completion changes only the capacity).
                d.class = Some(c.record.class);
                d.voltage = Some(c.record.voltage);
                if let Some(open) = open_change(conn, &c.id)? {
                    errors.push(
                        UserMessage::new(
                            "application.open_change",
                            format!("该户已有办理中的申请{open}，请先办结或撤回"),
                            format!("This customer already has application {open} in progress: finish or withdraw it first"),
                        )
                        .at("customer_id"),
                    );
                }
                check_change(conn, &mut d, c, today, &mut errors)?;
            }
        }
    }
    if d.important && d.simplified {
        errors.push(
            UserMessage::new(
                "simplified.important",
                "重要客户须经设计审查和中间检查，不能走简化流程",
                "An important customer needs design review and mid-inspection: the simplified path is not for them",
            )
            .at("simplified"),
        );
    }
    if d.important
        && !matches!(
            kind,
            ApplicationKind::LowVoltageNew
                | ApplicationKind::HighVoltageSingle
                | ApplicationKind::HighVoltageDual
                | ApplicationKind::CapacityIncrease
        )
    {
        d.important = false;
    }

    // The plan (a simplified path the kind does not offer is an error here).
    let rules = ctx.rules.in_force(today)?.clone();
    let input = PlanInput { kind, important: d.important, simplified: d.simplified, class: d.class, voltage: d.voltage };
    let plan = match rules.plan(input) {
        Ok(plan) => Some(plan),
        Err(Error::Invalid(list)) => {
            errors.extend(list);
            None
        }
        Err(e) => return Err(e),
    };

    // The documents: each missing required one named; each handed in known and allowed.
    if let Some(plan) = &plan {
        for doc in &d.documents {
            if !plan.required.contains(&doc.kind) && !plan.optional.contains(&doc.kind) {
                errors.push(
                    UserMessage::new(
                        "document.not_for_kind",
                        format!("{}不需要“{}”", kind.label(Lang::ZhCn), doc.kind.label(Lang::ZhCn)),
                        format!("A {} does not take a {}", kind.label(Lang::En).to_lowercase(), doc.kind.label(Lang::En).to_lowercase()),
                    )
                    .at("documents"),
                );
            }
        }
        for missing in plan.required.iter().filter(|k| !d.documents.iter().any(|doc| doc.kind == **k)) {
            errors.push(missing_document(*missing));
        }
    }
    for doc in &d.documents {
        if !attachment_exists(conn, &doc.sha256)? {
            errors.push(unknown_attachment(&doc.sha256));
        }
    }
    d.documents.sort_by(|a, b| (a.kind.code(), &a.sha256).cmp(&(b.kind.code(), &b.sha256)));
    d.documents.dedup();

    match plan {
        Some(plan) if errors.is_empty() => Ok((d, rules, plan)),
        _ => Err(Error::Invalid(errors)),
    }
}

fn capacity_range() -> UserMessage {
    UserMessage::new("capacity_kva.range", "申请容量应在1至2000000 kVA之间", "The capacity applied for must be between 1 and 2,000,000 kVA")
        .at("capacity_kva")
}

pub fn missing_document(kind: DocumentKind) -> UserMessage {
    UserMessage::new(
        "document.missing",
        format!("缺少必需材料：{}", kind.label(Lang::ZhCn)),
        format!("A required document is missing: {}", kind.label(Lang::En).to_lowercase()),
    )
    .at("documents")
}

fn unknown_attachment(sha256: &str) -> UserMessage {
    UserMessage::new(
        "attachment.unknown",
        format!("未找到附件 {}，请重新上传", short(sha256)),
        format!("Attachment {} is not stored here: upload it again", short(sha256)),
    )
    .at("documents")
}

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

fn attachment_exists(conn: &Connection, sha256: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1")?.query_row([sha256], |_| Ok(())).optional()?.is_some())
}

/// The checks of a change to an existing customer.
fn check_change(conn: &Connection, d: &mut ApplicationDraft, c: &Customer, today: NaiveDate, errors: &mut Vec<UserMessage>) -> Result<()> {
    let current = c.record.capacity_kva;
    match d.kind {
        ApplicationKind::CapacityIncrease => match d.capacity_kva {
            Some(kva) if kva > current && kva <= 2_000_000 => {}
            Some(1..=2_000_000) => errors.push(
                UserMessage::new(
                    "capacity_kva.not_increase",
                    format!("增容后的容量应大于现有容量{current} kVA"),
                    format!("The new capacity must exceed the present {current} kVA"),
                )
                .at("capacity_kva"),
            ),
            _ => errors.push(capacity_range()),
        },
        ApplicationKind::CapacityDecrease => match d.capacity_kva {
            Some(kva) if kva >= 1 && kva < current => {}
            Some(1..=2_000_000) => errors.push(
                UserMessage::new(
                    "capacity_kva.not_decrease",
                    format!("减容后的容量应小于现有容量{current} kVA"),
                    format!("The new capacity must be below the present {current} kVA"),
                )
                .at("capacity_kva"),
            ),
            _ => errors.push(capacity_range()),
        },
        ApplicationKind::OwnerTransfer => {
            if d.applicant.id_number == c.record.id_number {
                errors.push(
                    UserMessage::new(
                        "applicant.same_owner",
                        "过户的新户主与现户主证件相同，请办理更名",
                        "The new owner has the present owner's ID: this is a change of name",
                    )
                    .at("applicant.id_number"),
                );
            }
            d.capacity_kva = None;
        }
        ApplicationKind::Rename => {
            if d.applicant.id_number != c.record.id_number || d.applicant.id_kind != c.record.id_kind {
                errors.push(
                    UserMessage::new(
                        "applicant.id_changed",
                        "更名不改变证件号码；户主变更请办理过户",
                        "A change of name keeps the holder's ID: a new holder is a change of owner",
                    )
                    .at("applicant.id_number"),
                );
            } else if d.applicant.name == c.record.name {
                errors.push(
                    UserMessage::new("applicant.same_name", "新户名与现户名相同", "The new name is the present one").at("applicant.name"),
                );
            }
            d.capacity_kva = None;
        }
        ApplicationKind::Closure => {
            let owed = arrears(conn, &c.id, today)?;
            if owed > Fen::ZERO {
                errors.push(arrears_message(owed).at("customer_id"));
            }
            d.capacity_kva = None;
        }
        ApplicationKind::Suspension | ApplicationKind::Resumption => {
            let suspended = c.supply_suspended;
            if d.kind == ApplicationKind::Suspension && suspended {
                errors.push(
                    UserMessage::new("customer.already_suspended", "该户已暂停用电", "This customer's supply is already suspended")
                        .at("customer_id"),
                );
            }
            if d.kind == ApplicationKind::Resumption && !suspended {
                errors.push(
                    UserMessage::new("customer.not_suspended", "该户未暂停用电，无需恢复", "This customer's supply is not suspended")
                        .at("customer_id"),
                );
            }
            d.capacity_kva = None;
        }
        _ => {}
    }
    Ok(())
}

/// The number of an application of this customer still in progress (active or suspended): one
/// change at a time, so that two changes cannot be completed against a record the other changed.
fn open_change(conn: &Connection, customer_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT a.number FROM applications a JOIN customers c ON c.pk = a.customer_pk
             WHERE c.id = ?1 AND a.state IN ('active', 'suspended') LIMIT 1",
            [customer_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// What the customer owes on bills today, before the prepayment held.
fn arrears(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Fen> {
    let quote = super::payments::quote(conn, LateFeeBook::defaults(), customer_id, today)?;
    Ok(quote.bills.iter().map(|b| b.due_now).sum())
}

fn arrears_message(owed: Fen) -> UserMessage {
    UserMessage::new(
        "closure.arrears",
        format!("该户尚欠电费{owed}元，结清后方可销户"),
        format!("The customer still owes {owed} yuan: the account can be closed once it is paid"),
    )
}

/// Accepts an application: checks it, takes its number and writes it with its steps (受理 done,
/// the next step open and owned by the accepting user), documents and first timeline row.
pub fn create(tx: &Tx, who: &Acting, ctx: &Context, draft: &ApplicationDraft) -> Result<Record> {
    workflow::check_intake(who.user.role)?;
    let now = who.actor.at;
    let today = business_date(now);
    let customer = match draft.customer_id.as_deref() {
        Some(id) if !is_new_connection(draft.kind) => Some(customers::get(tx, id)?),
        _ => None,
    };
    let (draft, rules, plan) = check_draft(tx, ctx, draft, customer.as_ref(), today)?;
    let (_, promised) = planned_dates(ctx.calendar, &plan, today)?;
    let second_due = match plan.steps.get(1).and_then(|s| s.1) {
        Some(days) => Some(due_within_promise(ctx.calendar, today, days, promised)?),
        None => None,
    };

    let number = allocate_number(tx)?;
    let id = uuid::Uuid::now_v7().to_string();
    let at = stamp(now);
    let customer_pk = match &customer {
        Some(c) => Some(customers::get_with_pk(tx, &c.id)?.0),
        None => None,
    };
    let deadline = deadline(second_due, promised);
    tx.prepare_cached(
        "INSERT INTO applications (id, number, number_epoch, number_seq, kind, state, rules_version, customer_pk, applicant_name, draft,
             accepted_at, accepted_by, promise_days, promised_date, current_position, current_owner, current_due, deadline, version)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?11, ?14, ?15, 1)",
    )?
    .execute(params![
        id,
        number.text,
        number.epoch,
        number.seq,
        draft.kind.code(),
        rules.version(),
        customer_pk,
        draft.applicant.name,
        serde_json::to_string(&draft)?,
        at,
        who.user.id,
        plan.promise_days,
        promised.to_string(),
        second_due.map(|d| d.to_string()),
        deadline.to_string(),
    ])?;
    let pk = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO application_steps (application_pk, position, kind, owner, limit_days, started_at, due_date, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (position, (kind, limit)) in plan.steps.iter().enumerate() {
        let (owner, started, due, finished) = match position {
            0 => (Some(who.user.id.as_str()), Some(at.as_str()), Some(today), Some(at.as_str())),
            1 => (Some(who.user.id.as_str()), Some(at.as_str()), second_due, None),
            _ => (None, None, None, None),
        };
        insert.execute(params![pk, position as i64, kind.code(), owner, limit, started, due.map(|d| d.to_string()), finished])?;
    }
    for doc in &draft.documents {
        tx.prepare_cached("INSERT INTO application_documents (application_pk, sha256, kind, step_position) VALUES (?1, ?2, ?3, 0)")?
            .execute(params![pk, doc.sha256, doc.kind.code()])?;
    }
    add_event(tx, pk, &at, &who.user.id, Action::Accept, Some(0), &draft.notes)?;
    outbox::append(
        tx,
        who.actor,
        "application.accepted",
        &id,
        &serde_json::json!({ "id": id, "number": number.text, "draft": draft, "rules_version": rules.version() }),
    )?;
    audit::append(tx, who.actor, "application.create", &id, &serde_json::json!({ "number": number.text, "kind": draft.kind.code() }))?;
    get(tx, &id)
}

/// The earlier of the open step's due date and the promise: what the due lists sort on.
fn deadline(step_due: Option<NaiveDate>, promised: NaiveDate) -> NaiveDate {
    step_due.map_or(promised, |d| d.min(promised))
}

pub type ApplicationNumber = super::numbering::Number;

/// Takes the next application number of this workstation's series (in the caller's transaction).
pub fn allocate_number(tx: &Tx) -> Result<ApplicationNumber> {
    super::numbering::allocate(tx, super::numbering::Series::Application)
}

/// The sequence numbers missing from each epoch's series of application numbers.
pub fn number_gaps(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    super::numbering::gaps(conn, super::numbering::Series::Application)
}

fn add_event(tx: &Tx, pk: i64, at: &str, by: &str, action: Action, step: Option<u32>, note: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO application_events (application_pk, at, by_user, action, step_position, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![pk, at, by, action.code(), step, note])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Actions

fn required_text(text: &str, field: &str, zh: &str, en: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid(UserMessage::new(&format!("{field}.required"), zh, en).at(field)));
    }
    if text.chars().count() > MAX_NOTES_CHARS {
        return Err(Error::invalid(UserMessage::new(&format!("{field}.too_long"), "最多2000字", "At most 2000 characters").at(field)));
    }
    Ok(text.to_owned())
}

fn optional_text(text: &str, field: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTES_CHARS {
        return Err(Error::invalid(UserMessage::new(&format!("{field}.too_long"), "最多2000字", "At most 2000 characters").at(field)));
    }
    Ok(text.to_owned())
}

fn stale() -> Error {
    Error::Conflict(UserMessage::new(
        "application.stale",
        "该申请已被他人更新，请刷新后重试",
        "Someone else changed this application meanwhile; reload it and try again",
    ))
}

/// Takes one action on an application. Refusals write nothing.
pub fn act(tx: &Tx, who: &Acting, ctx: &Context, id: &str, expected_version: i64, act: &Act) -> Result<Record> {
    let record = get(tx, id)?;
    let action = act.action();
    let step = record.current_step().map(|s| s.kind);
    workflow::check(action, record.state, step, who.user.role)?;
    if record.version != expected_version {
        return Err(stale());
    }
    let now = who.actor.at;
    let today = business_date(now);
    // A date outside the published calendar is refused at every action, not only at intake.
    ctx.calendar.is_working(today)?;
    let at = stamp(now);
    let pk = record.pk;
    let position = record.current;
    let mut payload = serde_json::json!({ "id": record.id, "number": record.number, "action": action.code() });

    let note = match act {
        Act::Advance { note, connection } => {
            let current = record.current_step().ok_or_else(|| Error::Internal("active application without an open step".into()))?;
            let last = current.position as usize + 1 == record.steps.len();
            let effect_here = effect_step(&record) == current.position;
            if connection.is_some() && !(effect_here && is_new_connection(record.kind)) {
                return Err(Error::invalid(
                    UserMessage::new(
                        "connection.not_here",
                        "只有新装的装表接电环节需要填写户号、电能表和电价",
                        "Only a new connection's meter installation takes the account, meters and tariff",
                    )
                    .at("connection"),
                ));
            }
            if effect_here {
                apply_effect(tx, who, &record, connection.as_ref(), today)?;
            }
            tx.prepare_cached("UPDATE application_steps SET finished_at = ?3 WHERE application_pk = ?1 AND position = ?2")?
                .execute(params![pk, current.position, at])?;
            if last {
                tx.prepare_cached(
                    "UPDATE applications SET state = 'completed', current_position = NULL, current_owner = NULL, current_due = NULL, deadline = NULL,
                         finished_at = ?2 WHERE pk = ?1",
                )?
                .execute(params![pk, at])?;
            } else {
                let next = &record.steps[current.position as usize + 1];
                let owner = current.owner.as_deref().unwrap_or(&who.user.id);
                let due = match next.limit_days {
                    Some(days) => Some(due_within_promise(ctx.calendar, today, days, record.promised_date)?),
                    None => None,
                };
                tx.prepare_cached(
                    "UPDATE application_steps SET owner = ?3, started_at = ?4, due_date = ?5 WHERE application_pk = ?1 AND position = ?2",
                )?
                .execute(params![pk, next.position, owner, at, due.map(|d| d.to_string())])?;
                tx.prepare_cached(
                    "UPDATE applications SET current_position = ?2, current_owner = ?3, current_due = ?4, deadline = ?5 WHERE pk = ?1",
                )?
                .execute(params![
                    pk,
                    next.position,
                    owner,
                    due.map(|d| d.to_string()),
                    deadline(due, record.promised_date).to_string()
                ])?;
            }
            optional_text(note, "note")?
        }
        Act::Suspend { reason } => {
            let reason =
                required_text(reason, "reason", "请填写暂停原因（客户原因）", "Give the reason for the suspension (the customer's cause)")?;
            tx.prepare_cached("UPDATE applications SET state = 'suspended', deadline = NULL, suspended_at = ?2 WHERE pk = ?1")?
                .execute(params![pk, at])?;
            reason
        }
        Act::Resume { note } => {
            let since = record
                .suspended_at
                .as_deref()
                .and_then(parse_stamp)
                .ok_or_else(|| Error::Internal("suspended without suspended_at".into()))?;
            let shift = workflow::resumption_shift(ctx.calendar, business_date(since), today)?;
            let promised = ctx.calendar.add_working_days(record.promised_date, shift)?;
            let due = match record.current_step().and_then(|s| s.due_date) {
                Some(d) => Some(ctx.calendar.add_working_days(d, shift)?),
                None => None,
            };
            tx.prepare_cached("UPDATE application_steps SET due_date = ?3 WHERE application_pk = ?1 AND position = ?2")?
                .execute(params![pk, position, due.map(|d| d.to_string())])?;
            tx.prepare_cached(
                "UPDATE applications SET state = 'active', suspended_at = NULL, promised_date = ?2, current_due = ?3, deadline = ?4 WHERE pk = ?1",
            )?
            .execute(params![pk, promised.to_string(), due.map(|d| d.to_string()), deadline(due, promised).to_string()])?;
            payload["shift_days"] = shift.into();
            optional_text(note, "note")?
        }
        Act::Withdraw { reason } | Act::Reject { reason } => {
            let reason = if action == Action::Withdraw {
                required_text(reason, "reason", "请填写客户撤回的原因", "Give the customer's reason for withdrawing")?
            } else {
                required_text(reason, "reason", "请填写驳回原因", "Give the reason for the rejection")?
            };
            let state = workflow::next_state(action, record.state, false);
            tx.prepare_cached(
                "UPDATE applications SET state = ?2, current_position = NULL, current_owner = NULL, current_due = NULL, deadline = NULL,
                     suspended_at = NULL, finished_at = ?3 WHERE pk = ?1",
            )?
            .execute(params![pk, state.code(), at])?;
            reason
        }
        Act::Reassign { owner, note } => {
            let user = super::users::status_by_id(tx, owner.trim(), now)?
                .map(|s| s.user)
                .filter(|u| u.active && matches!(u.role, Role::Clerk | Role::Manager))
                .ok_or_else(|| {
                    Error::invalid(
                        UserMessage::new("owner.invalid", "请选择在岗的营业员或营业厅主任", "Choose an active clerk or branch manager")
                            .at("owner"),
                    )
                })?;
            tx.prepare_cached("UPDATE application_steps SET owner = ?3 WHERE application_pk = ?1 AND position = ?2")?
                .execute(params![pk, position, user.id])?;
            tx.prepare_cached("UPDATE applications SET current_owner = ?2 WHERE pk = ?1")?.execute(params![pk, user.id])?;
            payload["owner"] = user.id.clone().into();
            let note = optional_text(note, "note")?;
            if note.is_empty() { format!("→ {}", user.display_name) } else { format!("→ {}：{note}", user.display_name) }
        }
        Act::Note { note } => required_text(note, "note", "请填写备注内容", "Write the note")?,
        Act::Attach { document } => {
            if !attachment_exists(tx, &document.sha256)? {
                return Err(Error::invalid(unknown_attachment(&document.sha256)));
            }
            if record.documents.iter().any(|d| d.sha256 == document.sha256 && d.kind == document.kind) {
                return Err(Error::Conflict(UserMessage::new(
                    "document.already_attached",
                    "该材料已附在本申请上",
                    "This document is already attached to the application",
                )));
            }
            tx.prepare_cached("INSERT INTO application_documents (application_pk, sha256, kind, step_position) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![pk, document.sha256, document.kind.code(), position])?;
            payload["document"] = serde_json::to_value(document)?;
            format!("{} {}", document.kind.label(Lang::ZhCn), short(&document.sha256))
        }
    };
    tx.prepare_cached("UPDATE applications SET version = version + 1 WHERE pk = ?1")?.execute([pk])?;
    add_event(tx, pk, &at, &who.user.id, action, position, &note)?;
    payload["note"] = note.into();
    outbox::append(tx, who.actor, &format!("application.{}", action.code()), &record.id, &payload)?;
    audit::append(tx, who.actor, &format!("application.{}", action.code()), &record.id, &payload)?;
    get(tx, id)
}

/// The step at whose completion the application changes the customer file: 装表接电 where the
/// kind has it (the meter is in, the capacity changed, supply restored), otherwise the last step
/// (归档: the paperwork of a transfer, a rename, a closure or a suspension done).
pub fn effect_step(record: &Record) -> u32 {
    record.steps.iter().find(|s| s.kind == StepKind::Connection).or(record.steps.last()).map_or(0, |s| s.position)
}

/// The completion's change to the customer file, through `store::customers`; the history rows
/// it writes carry the application number.
fn apply_effect(tx: &Tx, who: &Acting, record: &Record, connection: Option<&ConnectionInput>, today: NaiveDate) -> Result<()> {
    let d = &record.draft;
    let number = &record.number;
    let (customer_pk, version) = if is_new_connection(record.kind) {
        let Some(input) = connection else {
            return Err(Error::invalid(
                UserMessage::new(
                    "connection.required",
                    "装表接电须填写新户的户号、电能表、电价和供电台区",
                    "Meter installation needs the new customer's account, meters, tariff and supply area",
                )
                .at("connection"),
            ));
        };
        let draft = CustomerDraft {
            account: input.account.clone(),
            name: d.applicant.name.clone(),
            class: d.class.unwrap_or(CustomerClass::Residential),
            id_kind: d.applicant.id_kind,
            id_number: d.applicant.id_number.clone(),
            phones: vec![d.applicant.phone.clone()],
            address: d.address.clone(),
            supply_area: input.supply_area.clone(),
            voltage: d.voltage.unwrap_or(Voltage::V220),
            capacity_kva: d.capacity_kva.unwrap_or(1),
            tariff_code: input.tariff_code.clone(),
            payment_method: PaymentMethod::Counter,
            credit_rating: CreditRating::A,
            big_customer: false,
            account_manager: None,
            tags: Vec::new(),
            notes: format!("业扩 {number}"),
            meters: input.meters.clone(),
        };
        let review = draft.review(today);
        let account = (!review.errors.iter().any(|e| e.field.as_deref() == Some("account"))).then_some(review.draft.account.as_str());
        let taken = customers::taken_keys(tx, account, &review.draft.meters, None)?;
        let checked = review.into_checked(taken).map_err(|e| match e {
            Error::Invalid(list) => {
                Error::Invalid(list.into_iter().map(|m| UserMessage { field: m.field.map(|f| format!("connection.{f}")), ..m }).collect())
            }
            e => e,
        })?;
        let customer = customers::create(tx, who.actor, &checked.draft, customers::AuditEach::Yes)?;
        let (pk, _) = customers::get_with_pk(tx, &customer.id)?;
        tx.prepare_cached("UPDATE applications SET customer_pk = ?2 WHERE pk = ?1")?.execute(params![record.pk, pk])?;
        (pk, customer.version)
    } else {
        let customer_id = record.customer_id.as_deref().ok_or_else(|| Error::Internal("change application without a customer".into()))?;
        let (pk, current) = customers::get_with_pk(tx, customer_id)?;
        let mut draft = current.record.clone();
        match record.kind {
            ApplicationKind::CapacityIncrease | ApplicationKind::CapacityDecrease => {
                draft.capacity_kva = d.capacity_kva.unwrap_or(draft.capacity_kva)
            }
            ApplicationKind::OwnerTransfer => {
                draft.name = d.applicant.name.clone();
                draft.id_kind = d.applicant.id_kind;
                draft.id_number = d.applicant.id_number.clone();
                draft.phones = vec![d.applicant.phone.clone()];
            }
            ApplicationKind::Rename => draft.name = d.applicant.name.clone(),
            ApplicationKind::Closure => {
                let owed = arrears(tx, customer_id, today)?;
                if owed > Fen::ZERO {
                    return Err(Error::Conflict(arrears_message(owed)));
                }
                let prepaid = super::payments::quote(tx, LateFeeBook::defaults(), customer_id, today)?.prepaid;
                if prepaid > Fen::ZERO {
                    return Err(Error::Conflict(UserMessage::new(
                        "closure.prepayment",
                        format!("该户尚有预存电费{prepaid}元，请先经营业厅主任授权办理预存退费，再完成销户"),
                        format!(
                            "The customer holds a prepayment of {prepaid} yuan: refund it first (a prepayment refund, with a manager's authorisation), then complete the closure"
                        ),
                    )));
                }
                if !who.user.role.authorises() {
                    return Err(Error::Denied(UserMessage::new(
                        "closure.manager",
                        "销户须由营业厅主任完成（授权）",
                        "A closure is completed by a branch manager (it needs their authorisation)",
                    )));
                }
                let closed = customers::close(tx, who.actor, customer_id, &format!("业扩销户 {number}"), &who.user.id)?;
                customers::tag_history(tx, pk, closed.version, number)?;
                return Ok(());
            }
            ApplicationKind::Suspension | ApplicationKind::Resumption => {
                let version = customers::set_supply_suspended(tx, who.actor, customer_id, record.kind == ApplicationKind::Suspension)?;
                customers::tag_history(tx, pk, version, number)?;
                return Ok(());
            }
            _ => return Ok(()),
        }
        let review = draft.review(today);
        let checked = review.into_checked(Vec::new())?;
        let (customer, changes) = customers::update(tx, who.actor, customer_id, current.version, &checked.draft)?;
        if changes.is_empty() {
            return Ok(());
        }
        (pk, customer.version)
    };
    customers::tag_history(tx, customer_pk, version, number)
}

// ---------------------------------------------------------------------------------------------
// Reading

const RECORD_COLUMNS: &str = "a.pk, a.id, a.number, a.kind, a.state, a.rules_version, a.customer_pk, c.id, c.account, a.draft, a.accepted_at,
     a.accepted_by, coalesce(u.display_name, a.accepted_by), a.promise_days, a.promised_date, a.current_position, a.suspended_at, a.finished_at, a.version";

fn decode<T>(text: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    f(text).ok_or_else(|| Error::Internal(format!("applications: unknown code {text}")))
}

fn date(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|e| Error::Internal(format!("applications: bad date {text}: {e}")))
}

fn record_from_row(r: &Row) -> Result<Record> {
    Ok(Record {
        pk: r.get(0)?,
        id: r.get(1)?,
        number: r.get(2)?,
        kind: decode(&r.get::<_, String>(3)?, ApplicationKind::from_code)?,
        state: decode(&r.get::<_, String>(4)?, ApplicationState::from_code)?,
        rules_version: r.get(5)?,
        customer_pk: r.get(6)?,
        customer_id: r.get(7)?,
        customer_account: r.get(8)?,
        draft: serde_json::from_str(&r.get::<_, String>(9)?)?,
        accepted_at: r.get(10)?,
        accepted_by: r.get(11)?,
        accepted_by_name: r.get(12)?,
        promise_days: r.get(13)?,
        promised_date: date(&r.get::<_, String>(14)?)?,
        current: r.get(15)?,
        suspended_at: r.get(16)?,
        finished_at: r.get(17)?,
        version: r.get(18)?,
        steps: Vec::new(),
        events: Vec::new(),
        documents: Vec::new(),
    })
}

fn load(conn: &Connection, column: &str, key: &str) -> Result<Option<Record>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM applications a LEFT JOIN customers c ON c.pk = a.customer_pk LEFT JOIN users u ON u.id = a.accepted_by
         WHERE a.{column} = ?1"
    );
    let Some(row) = conn.prepare_cached(&sql)?.query_row([key], |r| Ok(record_from_row(r))).optional()? else { return Ok(None) };
    let mut record = row?;
    let pk = record.pk;
    let mut stmt = conn.prepare_cached(
        "SELECT s.position, s.kind, s.owner, u.display_name, s.limit_days, s.started_at, s.due_date, s.finished_at
         FROM application_steps s LEFT JOIN users u ON u.id = s.owner WHERE s.application_pk = ?1 ORDER BY s.position",
    )?;
    let rows = stmt.query_map([pk], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get(7)?,
        ))
    })?;
    for row in rows {
        let (position, kind, owner, owner_name, limit_days, started_at, due, finished_at) = row?;
        record.steps.push(StepRow {
            position,
            kind: decode(&kind, StepKind::from_code)?,
            owner,
            owner_name,
            limit_days,
            started_at,
            due_date: due.as_deref().map(date).transpose()?,
            finished_at,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.by_user, coalesce(u.display_name, e.by_user), e.action, e.step_position, e.note
         FROM application_events e LEFT JOIN users u ON u.id = e.by_user WHERE e.application_pk = ?1 ORDER BY e.pk",
    )?;
    let rows = stmt.query_map([pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?)))?;
    for row in rows {
        let (at, by, by_name, action, step_position, note) = row?;
        record.events.push(EventRow { at, by, by_name, action: decode(&action, Action::from_code)?, step_position, note });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.kind, d.sha256, a.mime, a.file_name, a.size_bytes, d.step_position
         FROM application_documents d JOIN attachments a ON a.sha256 = d.sha256 WHERE d.application_pk = ?1 ORDER BY d.step_position, d.kind",
    )?;
    let rows = stmt.query_map([pk], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)?, r.get(5)?)))?;
    for row in rows {
        let (kind, sha256, mime, file_name, size_bytes, step_position) = row?;
        let size_bytes = u64::try_from(size_bytes).unwrap_or(0);
        record.documents.push(DocumentRow {
            kind: decode(&kind, DocumentKind::from_code)?,
            sha256,
            mime,
            file_name,
            size_bytes,
            step_position,
        });
    }
    Ok(Some(record))
}

fn not_found(what: &str) -> Error {
    Error::NotFound(UserMessage::new("application.not_found", format!("未找到业扩申请{what}"), format!("No application {what}")))
}

pub fn get(conn: &Connection, id: &str) -> Result<Record> {
    load(conn, "id", id)?.ok_or_else(|| not_found(""))
}

pub fn by_number(conn: &Connection, number: &str) -> Result<Record> {
    let number = number.trim().to_ascii_uppercase();
    load(conn, "number", &number)?.ok_or_else(|| not_found(&number))
}

/// An application found by its number from the main search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct ApplicationHit {
    pub id: String,
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub applicant_name: String,
    pub customer_id: Option<String>,
}

/// The application whose number `text` is (spaces ignored, any case), if any.
pub fn hit_by_number(conn: &Connection, text: &str) -> Result<Option<ApplicationHit>> {
    let number: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !number.starts_with("YK") {
        return Ok(None);
    }
    let row = conn
        .prepare_cached("SELECT a.id, a.number, a.kind, a.state, a.applicant_name, c.id FROM applications a LEFT JOIN customers c ON c.pk = a.customer_pk WHERE a.number = ?1")?
        .query_row([&number], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?)))
        .optional()?;
    row.map(|(id, number, kind, state, applicant_name, customer_id)| {
        Ok(ApplicationHit {
            id,
            number,
            kind: decode(&kind, ApplicationKind::from_code)?,
            state: decode(&state, ApplicationState::from_code)?,
            applicant_name,
            customer_id,
        })
    })
    .transpose()
}

/// Which part of the due lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    Today,
    Overdue,
    AtRisk,
    All,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<ApplicationKind>,
    pub state: Option<ApplicationState>,
    pub owner: Option<String>,
    pub customer_id: Option<String>,
}

/// One row of a list, with what it shows.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: String,
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub applicant_name: String,
    pub customer_account: Option<String>,
    pub step: Option<StepKind>,
    pub owner_name: Option<String>,
    pub step_due: Option<NaiveDate>,
    pub promised_date: NaiveDate,
    pub deadline: Option<NaiveDate>,
}

/// The due dates the lists are cut at: today, and the next working day after it (at risk: due
/// within one working day).
#[derive(Debug, Clone, Copy)]
pub struct Cut {
    pub today: NaiveDate,
    pub next_working: NaiveDate,
}

impl Cut {
    /// On the last working day before a year whose calendar is not published, the next working
    /// day is unknown: the at-risk list is then empty (everyone is told the calendar needs
    /// updating), while due today and overdue, which need no calendar, still answer.
    pub fn new(cal: &Calendar, today: NaiveDate) -> Result<Cut> {
        match cal.add_working_days(today, 1) {
            Ok(next_working) => Ok(Cut { today, next_working }),
            Err(e) if e.code() == "calendar.unpublished" => Ok(Cut { today, next_working: today }),
            Err(e) => Err(e),
        }
    }
}

fn where_clause(due: DueFilter, filter: &Filter, cut: Cut, args: &mut Vec<rusqlite::types::Value>) -> String {
    use rusqlite::types::Value;
    let mut conditions = Vec::new();
    let mut push = |sql: &str, value: Value, args: &mut Vec<Value>| {
        args.push(value);
        conditions.push(sql.replace('?', &format!("?{}", args.len())));
    };
    match due {
        DueFilter::Today => push("a.deadline = ?", Value::Text(cut.today.to_string()), args),
        DueFilter::Overdue => push("a.deadline < ?", Value::Text(cut.today.to_string()), args),
        DueFilter::AtRisk => {
            push("a.deadline > ?", Value::Text(cut.today.to_string()), args);
            push("a.deadline <= ?", Value::Text(cut.next_working.to_string()), args);
        }
        DueFilter::All => {}
    }
    if let Some(kind) = filter.kind {
        push("a.kind = ?", Value::Text(kind.code().into()), args);
    }
    if let Some(state) = filter.state {
        push("a.state = ?", Value::Text(state.code().into()), args);
    }
    if let Some(owner) = &filter.owner {
        push("a.current_owner = ?", Value::Text(owner.clone()), args);
    }
    if let Some(customer) = &filter.customer_id {
        push("a.customer_pk = (SELECT pk FROM customers WHERE id = ?)", Value::Text(customer.clone()), args);
    }
    if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) }
}

/// A page of a list and the total it is taken from. The due lists run in deadline order (most
/// overdue first); the full list newest first.
pub fn list(conn: &Connection, due: DueFilter, filter: &Filter, cut: Cut, offset: u32, limit: u32) -> Result<(Vec<ListRow>, u32)> {
    let mut args = Vec::new();
    let clause = where_clause(due, filter, cut, &mut args);
    let order = if due == DueFilter::All { "a.pk DESC" } else { "a.deadline, a.pk" };
    let total: u32 = conn
        .prepare_cached(&format!("SELECT count(*) FROM applications a {clause}"))?
        .query_row(rusqlite::params_from_iter(&args), |r| r.get(0))?;
    let sql = format!(
        "SELECT a.id, a.number, a.kind, a.state, a.applicant_name, c.account, s.kind, u.display_name, a.current_due, a.promised_date, a.deadline
         FROM applications a
         LEFT JOIN customers c ON c.pk = a.customer_pk
         LEFT JOIN application_steps s ON s.application_pk = a.pk AND s.position = a.current_position
         LEFT JOIN users u ON u.id = a.current_owner
         {clause} ORDER BY {order} LIMIT {} OFFSET {}",
        limit.clamp(1, 200),
        offset
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, Option<String>>(10)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, number, kind, state, applicant_name, customer_account, step, owner_name, step_due, promised, deadline) = row?;
        out.push(ListRow {
            id,
            number,
            kind: decode(&kind, ApplicationKind::from_code)?,
            state: decode(&state, ApplicationState::from_code)?,
            applicant_name,
            customer_account,
            step: step.as_deref().map(|s| decode(s, StepKind::from_code)).transpose()?,
            owner_name,
            step_due: step_due.as_deref().map(date).transpose()?,
            promised_date: date(&promised)?,
            deadline: deadline.as_deref().map(date).transpose()?,
        });
    }
    Ok((out, total))
}

/// How many applications are due today, overdue and at risk, and how many of the overdue the
/// user `owner` holds: the navigation badge.
pub fn counts(conn: &Connection, cut: Cut, owner: &str) -> Result<(u32, u32, u32, u32)> {
    let (today, next) = (cut.today.to_string(), cut.next_working.to_string());
    let one = |sql: &str, args: &[&str]| -> Result<u32> {
        Ok(conn.prepare_cached(sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?)
    };
    Ok((
        one("SELECT count(*) FROM applications WHERE deadline = ?1", &[&today])?,
        one("SELECT count(*) FROM applications WHERE deadline < ?1", &[&today])?,
        one("SELECT count(*) FROM applications WHERE deadline > ?1 AND deadline <= ?2", &[&today, &next])?,
        one("SELECT count(*) FROM applications WHERE current_owner = ?2 AND deadline < ?1", &[&today, owner])?,
    ))
}
