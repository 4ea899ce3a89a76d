//! Service requests (客户服务工单): intake, the actions, and the due lists.
//!
//! Every transition is one call inside the caller's [`super::Store::write`]: the state machine
//! (`model::service_flow`) checks it on the request's stored progress, then the row, a timeline
//! row, an outbox event and an audit entry are written together. The deadlines come from the
//! version of `model::service_rules` the request was accepted under: arrival, contact and reply
//! are fixed at intake, restoration when the crew arrives.
//!
//! Numbers are `GD<outlet>-<counter>-<epoch>-<seq>`, gap-free per workstation like receipts.
//! `next_due` holds the earliest deadline not yet met while the request is open, so that the
//! due-soon and overdue lists are index ranges whatever the number of requests.

use chrono::{DateTime, Utc};
use hall_protocol::records::ServiceTicketRecord;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::applications::Acting;
use super::{Actor, Tx, audit, customers, outbox};
use crate::calendar::Calendar;
use crate::clock::{parse_stamp, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::service::*;
use crate::model::service_flow::{self, Progress, answerable_at_intake};
use crate::model::service_rules::DeadlineBook;
use crate::model::user::Role;
use crate::model::versions::Versioned;

const MAX_TEXT_CHARS: usize = 2000;

/// The outlet's own area type (a setting), for a fault reported without one.
pub fn outlet_area(conn: &Connection) -> Result<AreaType> {
    let code = super::settings::get_or(conn, super::settings::SERVICE_AREA_TYPE, "urban")?;
    Ok(AreaType::from_code(&code).unwrap_or(AreaType::Urban))
}

/// The deadlines and the calendar an intake or an action is checked against.
pub struct Context<'a> {
    pub deadlines: &'a DeadlineBook,
    pub calendar: &'a Calendar,
    /// The outlet's own area type, for a fault reported without one.
    pub area_type: AreaType,
}

/// One milestone of a request: when it is due and when it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MilestoneRow {
    pub milestone: Milestone,
    /// UTC, RFC 3339; `None` for restoration until the arrival is recorded.
    pub due: Option<String>,
    pub done: Option<String>,
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestEvent {
    pub at: String,
    pub by: String,
    pub by_name: String,
    pub action: RequestAction,
    pub outcome: Option<CallbackOutcome>,
    pub note: String,
}

/// A stored request with its timeline.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestRecord {
    #[serde(skip)]
    pub pk: i64,
    pub id: String,
    /// `GD` + outlet-counter-epoch-seq.
    pub number: String,
    pub category: Category,
    pub complaint_class: Option<ComplaintClass>,
    pub service_kind: Option<ServiceKind>,
    pub area_type: AreaType,
    pub customer_id: Option<String>,
    pub customer_account: Option<String>,
    pub caller: Caller,
    pub address: String,
    pub content: String,
    pub state: RequestState,
    /// The deadlines version it was accepted under (its effective date).
    pub rules_version: String,
    pub accepted_at: String,
    pub accepted_by_name: String,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    pub milestones: Vec<MilestoneRow>,
    pub reply: Option<String>,
    pub unreachable_tries: u32,
    pub satisfaction: Option<CallbackOutcome>,
    pub closed_at: Option<String>,
    /// The earliest deadline not yet met while open.
    pub next_due: Option<String>,
    pub events: Vec<RequestEvent>,
    pub version: i64,
    /// The 95598 centre's number when head office dispatched it.
    pub ticket_no: Option<String>,
}

impl RequestRecord {
    fn milestone(&self, m: Milestone) -> Option<&MilestoneRow> {
        self.milestones.iter().find(|r| r.milestone == m)
    }

    fn done(&self, m: Milestone) -> bool {
        self.milestone(m).is_some_and(|r| r.done.is_some())
    }

    /// What the state machine needs of this request.
    pub fn progress(&self) -> Progress {
        Progress {
            category: self.category,
            kind: self.service_kind,
            state: self.state,
            arrived: self.done(Milestone::Arrival),
            restored: self.done(Milestone::Restore),
            contacted: self.done(Milestone::Contact),
            unreachable_tries: self.unreachable_tries,
            satisfaction: self.satisfaction,
        }
    }
}

fn invalid(code: &str, field: &str, zh: &str, en: &str) -> UserMessage {
    UserMessage::new(code, zh, en).at(field)
}

fn text_within(text: &str, field: &str, errors: &mut Vec<UserMessage>) -> String {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(invalid(&format!("{field}.too_long"), field, "最多2000字", "At most 2000 characters"));
    }
    text.to_owned()
}

/// A phone number as callers give it: 7 to 12 digits, an area code joined by `-` allowed.
fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone.chars().all(|c| c.is_ascii_digit() || c == '-') && (7..=12).contains(&digits) && !phone.starts_with('-')
}

/// The draft made consistent and checked, every error at once: fields that do not apply to the
/// category are dropped, the ones it needs are required.
fn check_draft(conn: &Connection, ctx: &Context, draft: &RequestDraft) -> Result<(RequestDraft, Option<(i64, String)>)> {
    let mut errors = Vec::new();
    let mut d = draft.clone();
    d.complaint_class = d.complaint_class.filter(|_| d.category == Category::Complaint);
    d.service_kind = d.service_kind.filter(|_| d.category == Category::ServiceRequest);
    if d.category == Category::Complaint && d.complaint_class.is_none() {
        errors.push(invalid("complaint_class.required", "complaint_class", "请选择投诉分类", "Choose what the complaint is about"));
    }
    if d.category == Category::ServiceRequest && d.service_kind.is_none() {
        errors.push(invalid("service_kind.required", "service_kind", "请选择服务申请类型", "Choose the kind of service request"));
    }
    d.area_type = Some(d.area_type.unwrap_or(ctx.area_type));
    d.caller.name = text_within(&d.caller.name, "caller.name", &mut errors);
    d.caller.phone = d.caller.phone.trim().replace(' ', "");
    d.address = text_within(&d.address, "address", &mut errors);
    d.content = text_within(&d.content, "content", &mut errors);
    if d.content.is_empty() {
        errors.push(invalid("content.required", "content", "请填写客户诉求", "Write what the customer says"));
    }
    if d.category.goes_on_site(d.service_kind) && d.address.is_empty() {
        errors.push(invalid("address.required", "address", "请填写现场地址", "Give the address of the site"));
    }
    if !d.caller.phone.is_empty() && !valid_phone(&d.caller.phone) {
        errors.push(invalid("caller.phone.invalid", "caller.phone", "电话号码应为7到12位数字", "A phone number has 7 to 12 digits"));
    }
    let customer = match d.customer_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => match customers::get_with_pk(conn, id) {
            Ok((pk, c)) => {
                if d.caller.name.is_empty() {
                    d.caller.name = c.record.name.clone();
                }
                if d.caller.phone.is_empty() {
                    d.caller.phone = c.record.phones.first().cloned().unwrap_or_default();
                }
                d.customer_id = Some(c.id.clone());
                Some((pk, c.record.account))
            }
            Err(Error::NotFound(_)) => {
                errors.push(invalid("customer.not_found", "customer_id", "未找到该客户", "No such customer"));
                None
            }
            Err(e) => return Err(e),
        },
        None => {
            d.customer_id = None;
            None
        }
    };
    if customer.is_none() && d.caller.phone.is_empty() {
        errors.push(invalid(
            "caller.phone.required",
            "caller.phone",
            "未关联客户时须留下来电人的电话",
            "Without a customer, the caller's phone number is required",
        ));
    }
    if d.caller.name.is_empty() {
        d.caller.name = "匿名".into();
    }
    d.answered = match d.answered.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) if !answerable_at_intake(d.category) => {
            errors.push(invalid(
                "answered.not_allowed",
                "answered",
                "此类工单须按流程处理，不能当场办结",
                "This kind of request is handled through its steps: it cannot be answered at intake",
            ));
            None
        }
        Some(a) => Some(text_within(a, "answered", &mut errors)),
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok((d, customer))
}

/// The earliest due instant among milestones not yet met (stamps sort as text).
fn next_due(milestones: &[MilestoneRow], state: RequestState) -> Option<String> {
    if state == RequestState::Closed {
        return None;
    }
    milestones.iter().filter(|m| m.done.is_none()).filter_map(|m| m.due.clone()).min()
}

/// Accepts a request: checks it, takes its number, fixes its deadlines and writes it with its
/// first timeline row. A consultation answered at the counter is replied to at once.
pub fn create(tx: &Tx, who: &Acting, ctx: &Context, draft: &RequestDraft) -> Result<RequestRecord> {
    service_flow::check_intake(who.user.role)?;
    let intake = Intake { actor: who.actor, accepted_by: Some(&who.user.id), accepted_at: who.actor.at, ticket_no: None };
    insert(tx, &intake, ctx, draft)
}

/// Accepts a 95598 ticket head office dispatched to this workstation: a request accepted by no
/// user here, its deadlines running from when the centre took the call. `None` when the ticket
/// is another workstation's of the outlet, or already here (a change applied twice).
pub fn accept_ticket(
    tx: &Tx,
    actor: &Actor,
    ctx: &Context,
    own_workstation: &str,
    ticket: &ServiceTicketRecord,
) -> Result<Option<RequestRecord>> {
    if ticket.workstation_id != own_workstation {
        return Ok(None);
    }
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM service_requests WHERE ticket_no = ?1)")?
        .query_row([&ticket.ticket_no], |r| r.get(0))?;
    if exists {
        return Ok(None);
    }
    let received = parse_stamp(&ticket.received_at).ok_or_else(|| {
        Error::invalid(invalid(
            "ticket.received_at",
            "received_at",
            "95598工单的受理时间无法读取",
            "The ticket's reception time cannot be read",
        ))
    })?;
    let account = ticket.customer_account.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let customer_id = match account {
        Some(account) => customers::by_account(tx, account)?.map(|c| c.id),
        None => None,
    };
    // An account this outlet does not know is kept in the content rather than lost.
    let content = match (account, &customer_id) {
        (Some(account), None) => format!("{}（户号 {account}）", ticket.content.trim()),
        _ => ticket.content.clone(),
    };
    let draft = RequestDraft {
        category: ticket.category,
        complaint_class: ticket.complaint_class,
        service_kind: ticket.service_kind,
        area_type: ticket.area_type,
        customer_id,
        caller: Caller { name: ticket.caller_name.clone(), phone: ticket.caller_phone.clone() },
        address: ticket.address.clone(),
        content,
        answered: None,
    };
    let intake = Intake { actor, accepted_by: None, accepted_at: received, ticket_no: Some(&ticket.ticket_no) };
    insert(tx, &intake, ctx, &draft).map(Some)
}

/// Who accepted a request, when, and under which 95598 number.
struct Intake<'a> {
    /// Who writes the outbox event and the audit entry (the system for a ticket).
    actor: &'a Actor,
    /// The user at the counter; `None` for a ticket.
    accepted_by: Option<&'a str>,
    /// Deadlines run from here.
    accepted_at: DateTime<Utc>,
    ticket_no: Option<&'a str>,
}

fn insert(tx: &Tx, intake: &Intake, ctx: &Context, draft: &RequestDraft) -> Result<RequestRecord> {
    let now = intake.accepted_at;
    let (draft, customer) = check_draft(tx, ctx, draft)?;
    let rules = ctx.deadlines.in_force(crate::clock::business_date(now))?;
    let area = draft.area_type.unwrap_or(ctx.area_type);
    let mut milestones = Vec::new();
    for planned in rules.plan(draft.category, draft.service_kind, area) {
        let due = match planned.milestone {
            // Restoration runs from the arrival.
            Milestone::Restore => None,
            _ => Some(stamp(planned.limit.due(now, ctx.calendar)?)),
        };
        milestones.push(MilestoneRow { milestone: planned.milestone, due, done: None });
    }
    let at = stamp(now);
    let progress = Progress::new(draft.category, draft.service_kind, draft.answered.is_some());
    if draft.answered.is_some()
        && let Some(reply) = milestones.iter_mut().find(|m| m.milestone == Milestone::Reply)
    {
        reply.done = Some(at.clone());
    }
    let number = super::numbering::allocate(tx, super::numbering::Series::ServiceRequest)?;
    let id = uuid::Uuid::now_v7().to_string();
    let col = |m: Milestone| milestones.iter().find(|r| r.milestone == m).and_then(|r| r.due.clone());
    let replied_at = draft.answered.as_ref().map(|_| at.clone());
    tx.prepare_cached(
        "INSERT INTO service_requests (id, number, number_epoch, number_seq, category, complaint_class, service_kind, area_type,
             customer_pk, caller_name, caller_phone, address, content, state, rules_version, accepted_at, accepted_by,
             arrival_due, contact_due, reply_due, replied_at, reply, next_due, version, ticket_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, 1, ?24)",
    )?
    .execute(params![
        id,
        number.text,
        number.epoch,
        number.seq,
        draft.category.code(),
        draft.complaint_class.map(ComplaintClass::code),
        draft.service_kind.map(ServiceKind::code),
        area.code(),
        customer.as_ref().map(|c| c.0),
        draft.caller.name,
        draft.caller.phone,
        draft.address,
        draft.content,
        progress.state.code(),
        rules.version(),
        at,
        intake.accepted_by,
        col(Milestone::Arrival),
        col(Milestone::Contact),
        col(Milestone::Reply),
        replied_at,
        draft.answered,
        next_due(&milestones, progress.state),
        intake.ticket_no,
    ])?;
    let pk = tx.last_insert_rowid();
    add_event(tx, pk, &at, intake.accepted_by, RequestAction::Accept, None, &draft.content)?;
    if let Some(answer) = &draft.answered {
        add_event(tx, pk, &at, intake.accepted_by, RequestAction::Reply, None, answer)?;
    }
    let mut payload = serde_json::json!({ "id": id, "number": number.text, "draft": draft, "rules_version": rules.version(), "accepted_at": at, "state": progress.state });
    if let Some(ticket) = intake.ticket_no {
        payload["ticket_no"] = ticket.into();
    }
    outbox::append(tx, intake.actor, "service.accepted", &id, &payload)?;
    audit::append(
        tx,
        intake.actor,
        "service.create",
        &id,
        &serde_json::json!({ "number": number.text, "category": draft.category.code(), "ticket_no": intake.ticket_no }),
    )?;
    get(tx, &id)
}

fn add_event(
    tx: &Tx,
    pk: i64,
    at: &str,
    by: Option<&str>,
    action: RequestAction,
    outcome: Option<CallbackOutcome>,
    note: &str,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO service_events (request_pk, at, by_user, action, outcome, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![pk, at, by, action.code(), outcome.map(CallbackOutcome::code), note])?;
    Ok(())
}

fn stale() -> Error {
    Error::Conflict(UserMessage::new(
        "request.stale",
        "该工单已被他人更新，请刷新后重试",
        "Someone else changed this request meanwhile; reload it and try again",
    ))
}

/// The text an action must carry, checked.
fn act_text(act: &RequestAct) -> Result<String> {
    let text = act.text().trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid(invalid("note.too_long", "note", "最多2000字", "At most 2000 characters")));
    }
    let needed = match act {
        RequestAct::Reply { .. } => Some(("reply", "请填写答复客户的内容", "Write the reply to the customer")),
        RequestAct::Note { .. } => Some(("note", "请填写处理记录", "Write the note")),
        RequestAct::Callback { outcome: CallbackOutcome::Unsatisfied, .. } => {
            Some(("comment", "客户不满意时请记录客户意见", "Record what the customer is not satisfied with"))
        }
        _ => None,
    };
    match needed {
        Some((field, zh, en)) if text.is_empty() => Err(Error::invalid(invalid(&format!("{field}.required"), field, zh, en))),
        _ => Ok(text.to_owned()),
    }
}

/// Takes one action on a request. Refusals write nothing.
pub fn act(tx: &Tx, who: &Acting, ctx: &Context, id: &str, expected_version: i64, act: &RequestAct) -> Result<RequestRecord> {
    let record = get(tx, id)?;
    let rules = ctx.deadlines.version(&record.rules_version)?;
    let next = service_flow::apply(&record.progress(), act, who.user.role, rules.callback_tries)?;
    if record.version != expected_version {
        return Err(stale());
    }
    let text = act_text(act)?;
    let now = who.actor.at;
    let at = stamp(now);
    let pk = record.pk;
    let mut milestones = record.milestones.clone();
    let meet = |milestones: &mut Vec<MilestoneRow>, m: Milestone| {
        if let Some(row) = milestones.iter_mut().find(|r| r.milestone == m && r.done.is_none()) {
            row.done = Some(at.clone());
        }
    };
    let mut note = text.clone();
    let mut payload = serde_json::json!({ "id": record.id, "number": record.number, "act": act, "at": at });
    match act {
        RequestAct::Assign { assignee, .. } => {
            let user = assignable(tx, assignee, now)?;
            // A clerk takes a request on themselves; handing it to someone else is a manager's.
            if who.user.role == Role::Clerk && user.id != who.user.id {
                return Err(Error::Denied(UserMessage::new(
                    "assignee.self_only",
                    "营业员只能自己接单，派给他人须由营业厅主任操作",
                    "A clerk takes a request on themselves; assigning it to someone else is the branch manager's",
                )));
            }
            if user.role != Role::Manager && record.state == RequestState::Reopened {
                return Err(Error::invalid(invalid(
                    "assignee.manager_only",
                    "assignee",
                    "客户不满意的工单只能由营业厅主任处理",
                    "A request the customer was not satisfied with stays with a branch manager",
                )));
            }
            tx.prepare_cached("UPDATE service_requests SET assignee = ?2 WHERE pk = ?1")?.execute(params![pk, user.id])?;
            payload["assignee"] = user.id.clone().into();
            note = if text.is_empty() { format!("→ {}", user.display_name) } else { format!("→ {}：{text}", user.display_name) };
        }
        RequestAct::Arrive { .. } => {
            meet(&mut milestones, Milestone::Arrival);
            // Restoration's clock starts now.
            let limit = rules
                .plan(record.category, record.service_kind, record.area_type)
                .into_iter()
                .find(|p| p.milestone == Milestone::Restore)
                .map(|p| p.limit);
            if let (Some(limit), Some(row)) = (limit, milestones.iter_mut().find(|r| r.milestone == Milestone::Restore)) {
                row.due = Some(stamp(limit.due(now, ctx.calendar)?));
            } else if let Some(limit) = limit {
                milestones.push(MilestoneRow {
                    milestone: Milestone::Restore,
                    due: Some(stamp(limit.due(now, ctx.calendar)?)),
                    done: None,
                });
            }
        }
        RequestAct::Restore { .. } => meet(&mut milestones, Milestone::Restore),
        RequestAct::Contact { .. } => meet(&mut milestones, Milestone::Contact),
        RequestAct::Reply { .. } => {
            // A reply also counts as the first contact when none was recorded.
            meet(&mut milestones, Milestone::Contact);
            meet(&mut milestones, Milestone::Reply);
            tx.prepare_cached("UPDATE service_requests SET reply = ?2 WHERE pk = ?1")?.execute(params![pk, text])?;
        }
        RequestAct::Note { .. } | RequestAct::Callback { .. } | RequestAct::Close { .. } => {}
    }
    let outcome = match act {
        RequestAct::Callback { outcome, .. } => Some(*outcome),
        _ => None,
    };
    let get_m = |m: Milestone| milestones.iter().find(|r| r.milestone == m);
    let due = |m: Milestone| get_m(m).and_then(|r| r.due.clone());
    let done = |m: Milestone| get_m(m).and_then(|r| r.done.clone());
    tx.prepare_cached(
        "UPDATE service_requests SET state = ?2, arrived_at = ?3, restore_due = ?4, restored_at = ?5, contacted_at = ?6, replied_at = ?7,
             unreachable_tries = ?8, satisfaction = ?9, closed_at = ?10, next_due = ?11, version = version + 1
         WHERE pk = ?1",
    )?
    .execute(params![
        pk,
        next.state.code(),
        done(Milestone::Arrival),
        due(Milestone::Restore),
        done(Milestone::Restore),
        done(Milestone::Contact),
        done(Milestone::Reply),
        next.unreachable_tries,
        next.satisfaction.map(CallbackOutcome::code),
        (next.state == RequestState::Closed).then(|| at.clone()),
        next_due(&milestones, next.state),
    ])?;
    add_event(tx, pk, &at, Some(&who.user.id), act.action(), outcome, &note)?;
    payload["state"] = serde_json::to_value(next.state).map_err(|e| Error::Internal(e.to_string()))?;
    let action = act.action();
    outbox::append(tx, who.actor, &format!("service.{}", action.code()), &record.id, &payload)?;
    audit::append(tx, who.actor, &format!("service.{}", action.code()), &record.id, &serde_json::json!({ "number": record.number }))?;
    get(tx, id)
}

/// An active clerk or manager a request may be handed to.
fn assignable(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<crate::model::user::User> {
    super::users::status_by_id(conn, id.trim(), now)?
        .map(|s| s.user)
        .filter(|u| u.active && matches!(u.role, Role::Clerk | Role::Manager))
        .ok_or_else(|| {
            Error::invalid(invalid(
                "assignee.invalid",
                "assignee",
                "请选择在岗的营业员或营业厅主任",
                "Choose an active clerk or branch manager",
            ))
        })
}

// ---------------------------------------------------------------------------------------------
// Reading

const RECORD_COLUMNS: &str = "r.pk, r.id, r.number, r.category, r.complaint_class, r.service_kind, r.area_type, c.id, c.account,
    r.caller_name, r.caller_phone, r.address, r.content, r.state, r.rules_version, r.accepted_at, coalesce(ua.display_name, r.accepted_by, '95598'),
    r.assignee, us.display_name, r.arrival_due, r.arrived_at, r.restore_due, r.restored_at, r.contact_due, r.contacted_at,
    r.reply_due, r.replied_at, r.reply, r.unreachable_tries, r.satisfaction, r.closed_at, r.next_due, r.version, r.ticket_no";

const RECORD_FROM: &str = "service_requests r LEFT JOIN customers c ON c.pk = r.customer_pk
    LEFT JOIN users ua ON ua.id = r.accepted_by LEFT JOIN users us ON us.id = r.assignee";

fn decode<T>(text: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    f(text).ok_or_else(|| Error::Internal(format!("unknown code {text} in service_requests")))
}

fn decode_opt<T>(text: Option<String>, f: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    text.as_deref().map(|t| decode(t, &f)).transpose()
}

fn record_from_row(r: &Row) -> rusqlite::Result<Result<RequestRecord>> {
    let category: String = r.get(3)?;
    let milestone = |m: Milestone, due: usize, done: usize| -> rusqlite::Result<Option<MilestoneRow>> {
        let (due, done): (Option<String>, Option<String>) = (r.get(due)?, r.get(done)?);
        Ok((due.is_some() || done.is_some()).then_some(MilestoneRow { milestone: m, due, done }))
    };
    let mut milestones = Vec::new();
    for (m, due, done) in
        [(Milestone::Arrival, 19, 20), (Milestone::Restore, 21, 22), (Milestone::Contact, 23, 24), (Milestone::Reply, 25, 26)]
    {
        milestones.extend(milestone(m, due, done)?);
    }
    let state: String = r.get(13)?;
    let area: String = r.get(6)?;
    let (complaint_class, service_kind, satisfaction): (Option<String>, Option<String>, Option<String>) =
        (r.get(4)?, r.get(5)?, r.get(29)?);
    let built = (|| -> Result<RequestRecord> {
        let category = decode(&category, Category::from_code)?;
        let service_kind = decode_opt(service_kind, ServiceKind::from_code)?;
        let area_type = decode(&area, AreaType::from_code)?;
        Ok(RequestRecord {
            pk: r.get(0)?,
            id: r.get(1)?,
            number: r.get(2)?,
            category,
            complaint_class: decode_opt(complaint_class, ComplaintClass::from_code)?,
            service_kind,
            area_type,
            customer_id: r.get(7)?,
            customer_account: r.get(8)?,
            caller: Caller { name: r.get(9)?, phone: r.get(10)? },
            address: r.get(11)?,
            content: r.get(12)?,
            state: decode(&state, RequestState::from_code)?,
            rules_version: r.get(14)?,
            accepted_at: r.get(15)?,
            accepted_by_name: r.get(16)?,
            assignee: r.get(17)?,
            assignee_name: r.get(18)?,
            milestones,
            reply: r.get(27)?,
            unreachable_tries: r.get(28)?,
            satisfaction: decode_opt(satisfaction, CallbackOutcome::from_code)?,
            closed_at: r.get(30)?,
            next_due: r.get(31)?,
            events: Vec::new(),
            version: r.get(32)?,
            ticket_no: r.get(33)?,
        })
    })();
    Ok(built)
}

fn load(conn: &Connection, column: &str, key: &str) -> Result<Option<RequestRecord>> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE r.{column} = ?1");
    let Some(record) = conn.prepare_cached(&sql)?.query_row([key], record_from_row).optional()? else { return Ok(None) };
    let mut record = record?;
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, coalesce(e.by_user, ''), coalesce(u.display_name, e.by_user, '95598'), e.action, e.outcome, e.note
         FROM service_events e LEFT JOIN users u ON u.id = e.by_user WHERE e.request_pk = ?1 ORDER BY e.pk",
    )?;
    let rows = stmt.query_map([record.pk], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get::<_, Option<String>>(4)?, r.get(5)?))
    })?;
    for row in rows {
        let (at, by, by_name, action, outcome, note) = row?;
        record.events.push(RequestEvent {
            at,
            by,
            by_name,
            action: decode(&action, RequestAction::from_code)?,
            outcome: decode_opt(outcome, CallbackOutcome::from_code)?,
            note,
        });
    }
    Ok(Some(record))
}

fn not_found() -> Error {
    Error::NotFound(UserMessage::new("request.not_found", "未找到该工单", "No such service request"))
}

pub fn get(conn: &Connection, id: &str) -> Result<RequestRecord> {
    load(conn, "id", id)?.ok_or_else(not_found)
}

/// By our `GD` number, or by the 95598 centre's number of a dispatched ticket.
pub fn by_number(conn: &Connection, number: &str) -> Result<RequestRecord> {
    let number = number.trim().to_uppercase();
    match load(conn, "number", &number)? {
        Some(record) => Ok(record),
        None => load(conn, "ticket_no", &number)?.ok_or_else(not_found),
    }
}

/// Which part of the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// A deadline already passed and not met.
    Overdue,
    /// A deadline within the warning window, not yet passed.
    Soon,
    /// Every request, newest first.
    All,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<RequestState>,
    pub category: Option<Category>,
    pub assignee: Option<String>,
    pub customer_id: Option<String>,
}

/// One row of a list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestListRow {
    pub id: String,
    pub number: String,
    pub category: Category,
    pub state: RequestState,
    pub caller_name: String,
    pub customer_account: Option<String>,
    pub assignee_name: Option<String>,
    pub accepted_at: String,
    pub next_due: Option<String>,
    pub ticket_no: Option<String>,
}

/// A page of a list and the total it is taken from. The due lists run in deadline order (most
/// overdue first), each an index range of `next_due`; the full list newest first.
pub fn list(
    conn: &Connection,
    due: Due,
    filter: &Filter,
    now: DateTime<Utc>,
    soon: DateTime<Utc>,
    offset: u32,
    limit: u32,
) -> Result<(Vec<RequestListRow>, u32)> {
    use rusqlite::types::Value;
    let mut args: Vec<Value> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let mut push = |sql: &str, value: Value, args: &mut Vec<Value>| {
        args.push(value);
        conditions.push(sql.replace('?', &format!("?{}", args.len())));
    };
    match due {
        Due::Overdue => push("r.next_due < ?", Value::Text(stamp(now)), &mut args),
        Due::Soon => {
            push("r.next_due >= ?", Value::Text(stamp(now)), &mut args);
            push("r.next_due < ?", Value::Text(stamp(soon)), &mut args);
        }
        Due::All => {}
    }
    if let Some(state) = filter.state {
        push("r.state = ?", Value::Text(state.code().into()), &mut args);
    }
    if let Some(category) = filter.category {
        push("r.category = ?", Value::Text(category.code().into()), &mut args);
    }
    if let Some(assignee) = &filter.assignee {
        push("r.assignee = ?", Value::Text(assignee.clone()), &mut args);
    }
    if let Some(customer) = &filter.customer_id {
        push("r.customer_pk = (SELECT pk FROM customers WHERE id = ?)", Value::Text(customer.clone()), &mut args);
    }
    let clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let order = if due == Due::All { "r.pk DESC" } else { "r.next_due, r.pk" };
    let total: u32 = conn
        .prepare_cached(&format!("SELECT count(*) FROM service_requests r {clause}"))?
        .query_row(rusqlite::params_from_iter(&args), |r| r.get(0))?;
    let sql = format!(
        "SELECT r.id, r.number, r.category, r.state, r.caller_name, c.account, u.display_name, r.accepted_at, r.next_due, r.ticket_no
         FROM service_requests r LEFT JOIN customers c ON c.pk = r.customer_pk LEFT JOIN users u ON u.id = r.assignee
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
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, number, category, state, caller_name, customer_account, assignee_name, accepted_at, next_due, ticket_no) = row?;
        out.push(RequestListRow {
            id,
            number,
            category: decode(&category, Category::from_code)?,
            state: decode(&state, RequestState::from_code)?,
            caller_name,
            customer_account,
            assignee_name,
            accepted_at,
            next_due,
            ticket_no,
        });
    }
    Ok((out, total))
}

/// The navigation's badges: overdue, due soon, and reopened (waiting for a manager).
pub fn counts(conn: &Connection, now: DateTime<Utc>, soon: DateTime<Utc>) -> Result<(u32, u32, u32)> {
    let (now, soon) = (stamp(now), stamp(soon));
    let one = |sql: &str, args: &[&str]| -> Result<u32> {
        Ok(conn.prepare_cached(sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?)
    };
    Ok((
        one("SELECT count(*) FROM service_requests WHERE next_due < ?1", &[&now])?,
        one("SELECT count(*) FROM service_requests WHERE next_due >= ?1 AND next_due < ?2", &[&now, &soon])?,
        one("SELECT count(*) FROM service_requests WHERE state = 'reopened'", &[])?,
    ))
}

/// Whether `record`'s deadline for `m` was met (`None` while it may still be).
pub fn met(record: &RequestRecord, m: Milestone, now: DateTime<Utc>) -> Option<bool> {
    let row = record.milestone(m)?;
    let due = parse_stamp(row.due.as_deref()?)?;
    match row.done.as_deref().and_then(parse_stamp) {
        Some(done) => Some(done <= due),
        None if now > due => Some(false),
        None => None,
    }
}
