//! Application commands (业扩报装): intake, the step actions, the lists and the slip.
//!
//! The workflow's rules are in `model::workflow`, the rules' data in `model::application_rules`,
//! the writes in `store::applications`; this layer checks the caller, reads the clock and the
//! calendar, and builds the views (masked, with the actions the caller may take now).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::calendar::Calendar;
use crate::clock::{business_date, parse_stamp};
use crate::error::{Error, Lang, Result, UserMessage};
pub use crate::model::application::{Act, ConnectionInput};
use crate::model::application::{Action, ApplicationDraft, ApplicationKind, ApplicationState, DocumentKind, Step, StepKind};
use crate::model::application_code;
use crate::model::application_rules::{PlanInput, RuleBook};
use crate::model::mask;
use crate::model::user::Role;
use crate::model::workflow;
use crate::print::slip::{SlipDoc, SlipStep};
use crate::store::applications::{self as repo, Acting, Context, Cut, DueFilter, Filter, Record};
use crate::store::{receipts, settings};

/// An application as the UI shows it (applicant masked as receipts mask).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationView {
    pub id: String,
    /// `YK` + outlet-counter-epoch-seq, gap-free per workstation.
    pub number: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub draft: ApplicationDraft,
    /// The time-limit rules it was accepted under (their effective date).
    pub rules_version: String,
    pub customer_id: Option<String>,
    pub customer_account: Option<String>,
    pub accepted_at: String,
    pub accepted_by: String,
    /// The total promise, moved on by suspensions.
    pub promised_date: NaiveDate,
    pub promise_days: u32,
    pub steps: Vec<Step>,
    /// The step now open (`None` when finished, withdrawn or rejected).
    pub current: Option<u32>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<DocumentView>,
    /// The actions the caller may take now (role and state): the UI shows only these.
    pub actions: Vec<Action>,
    /// Working days used against the total promise, in hundredths of a day; `None` while the
    /// time runs in a year whose calendar is not published.
    pub used_centidays: Option<u32>,
    /// The whole application against its promise: finished by the promised date, or (open)
    /// already past it; `None` while open and not yet due.
    pub met: Option<bool>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TimelineEntry {
    pub at: String,
    pub by: String,
    pub action: Action,
    pub step: Option<StepKind>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DocumentView {
    pub kind: DocumentKind,
    pub sha256: String,
    pub mime: String,
    pub file_name: String,
    pub size_bytes: u64,
    pub step: Option<StepKind>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ApplicationRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ApplicationNumberRef {
    pub number: String,
}

/// What a kind needs at intake: its steps with their limits and the documents to hand in.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequirementsArgs {
    pub kind: ApplicationKind,
    pub important: bool,
    pub simplified: bool,
    /// The existing customer (optional): a 增容 follows the new connection of its voltage and
    /// class, so its steps and promise depend on the customer.
    #[serde(default)]
    #[ts(optional)]
    pub customer_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Requirements {
    pub steps: Vec<PlannedStep>,
    pub documents: Vec<RequiredDocument>,
    pub promise_days: u32,
    /// The date promised if accepted now.
    pub promised_date: NaiveDate,
    pub rules_version: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub limit_days: Option<u32>,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RequiredDocument {
    pub kind: DocumentKind,
    pub required: bool,
}

/// A step action. `expected_version` refuses an action on a stale view.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ActArgs {
    pub id: String,
    pub expected_version: i64,
    pub act: Act,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// The open step is due today.
    Today,
    /// Past the open step's due date or the total promise.
    Overdue,
    /// Due within one working day.
    AtRisk,
    All,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ListArgs {
    pub due: Due,
    pub kind: Option<ApplicationKind>,
    pub state: Option<ApplicationState>,
    /// Only those whose open step this user owns (`"me"` for the caller).
    pub owner: Option<String>,
    pub customer_id: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationRow {
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
    pub overdue: bool,
    pub at_risk: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicationList {
    pub rows: Vec<ApplicationRow>,
    pub total: u32,
}

/// The overdue badge in the navigation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DueCounts {
    pub due_today: u32,
    pub overdue: u32,
    pub at_risk: u32,
    pub mine_overdue: u32,
}

fn calendar(app: &App) -> Result<Calendar> {
    crate::store::calendar::load(app.store().conn())
}

pub(super) fn requirements(app: &App, caller: Option<&Caller>, args: RequirementsArgs) -> Result<Requirements> {
    require_caller(caller)?;
    let cal = calendar(app)?;
    let ctx = Context { rules: RuleBook::shipped(), calendar: &cal };
    let today = business_date(app.clock().now());
    let customer = match args.customer_id.as_deref() {
        Some(id) => Some(crate::store::customers::get(app.store().conn(), id)?.record),
        None => None,
    };
    let input = PlanInput {
        kind: args.kind,
        important: args.important,
        simplified: args.simplified,
        class: customer.as_ref().map(|c| c.class),
        voltage: customer.as_ref().map(|c| c.voltage),
    };
    let (rules_version, plan, dues, promised_date) = repo::requirements(&ctx, input, today)?;
    let documents = plan
        .required
        .iter()
        .map(|k| RequiredDocument { kind: *k, required: true })
        .chain(plan.optional.iter().map(|k| RequiredDocument { kind: *k, required: false }))
        .collect();
    Ok(Requirements {
        steps: plan
            .steps
            .iter()
            .zip(dues)
            .map(|((kind, limit_days), due_date)| PlannedStep { kind: *kind, limit_days: *limit_days, due_date })
            .collect(),
        documents,
        promise_days: plan.promise_days,
        promised_date,
        rules_version,
    })
}

pub(super) fn create(app: &App, caller: Option<&Caller>, args: ApplicationDraft) -> Result<ApplicationView> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let ctx = Context { rules: RuleBook::shipped(), calendar: &cal };
    let actor = app.actor(Some(&caller.user));
    let who = Acting { actor: &actor, user: &caller.user };
    let record = app.store().write(|tx| repo::create(tx, &who, &ctx, &args))?;
    view(app, &cal, caller, record)
}

pub(super) fn get(app: &App, caller: Option<&Caller>, args: ApplicationRef) -> Result<ApplicationView> {
    let caller = require_caller(caller)?;
    let record = repo::get(app.store().conn(), &args.id)?;
    view(app, &calendar(app)?, caller, record)
}

pub(super) fn by_number(app: &App, caller: Option<&Caller>, args: ApplicationNumberRef) -> Result<ApplicationView> {
    let caller = require_caller(caller)?;
    let record = repo::by_number(app.store().conn(), &args.number)?;
    view(app, &calendar(app)?, caller, record)
}

pub(super) fn act(app: &App, caller: Option<&Caller>, args: ActArgs) -> Result<ApplicationView> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let ctx = Context { rules: RuleBook::shipped(), calendar: &cal };
    let actor = app.actor(Some(&caller.user));
    let who = Acting { actor: &actor, user: &caller.user };
    let record = app.store().write(|tx| repo::act(tx, &who, &ctx, &args.id, args.expected_version, &args.act))?;
    view(app, &cal, caller, record)
}

fn cut(app: &App, cal: &Calendar) -> Result<Cut> {
    Cut::new(cal, business_date(app.clock().now()))
}

pub(super) fn list(app: &App, caller: Option<&Caller>, args: ListArgs) -> Result<ApplicationList> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let cut = cut(app, &cal)?;
    let due = match args.due {
        Due::Today => DueFilter::Today,
        Due::Overdue => DueFilter::Overdue,
        Due::AtRisk => DueFilter::AtRisk,
        Due::All => DueFilter::All,
    };
    let owner = args.owner.map(|o| if o == "me" { caller.user.id.clone() } else { o });
    let filter = Filter { kind: args.kind, state: args.state, owner, customer_id: args.customer_id };
    let limit = if args.limit == 0 { 50 } else { args.limit };
    let (rows, total) = repo::list(app.store().conn(), due, &filter, cut, args.offset, limit)?;
    let rows = rows
        .into_iter()
        .map(|r| ApplicationRow {
            overdue: r.deadline.is_some_and(|d| d < cut.today),
            at_risk: r.deadline.is_some_and(|d| d > cut.today && d <= cut.next_working),
            id: r.id,
            number: r.number,
            kind: r.kind,
            state: r.state,
            applicant_name: r.applicant_name,
            customer_account: r.customer_account,
            step: r.step,
            owner_name: r.owner_name,
            step_due: r.step_due,
            promised_date: r.promised_date,
        })
        .collect();
    Ok(ApplicationList { rows, total })
}

pub(super) fn counts(app: &App, caller: Option<&Caller>, _args: super::NoArgs) -> Result<DueCounts> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let (due_today, overdue, at_risk, mine_overdue) = repo::counts(app.store().conn(), cut(app, &cal)?, &caller.user.id)?;
    Ok(DueCounts { due_today, overdue, at_risk, mine_overdue })
}

/// The acceptance slip (受理回执) as PDF: the promised date of each step as planned at intake
/// (each step taking its full limit after the one before, none past the promise made at
/// intake), the total promise as it stands now
/// (moved on by suspensions), and the number signed with the workstation's key.
pub(super) fn slip(app: &App, caller: Option<&Caller>, args: ApplicationRef) -> Result<super::PdfFile> {
    require_caller(caller)?;
    let cal = calendar(app)?;
    let store = app.store();
    let conn = store.conn();
    let record = repo::get(conn, &args.id)?;
    let accepted = parse_stamp(&record.accepted_at).ok_or_else(|| Error::Internal("applications: bad accepted_at".into()))?;
    let accepted_on = business_date(accepted);
    let promised_at_intake = cal.add_working_days(accepted_on, record.promise_days)?;
    let dues = repo::planned_step_dates(&cal, accepted_on, record.steps.iter().map(|s| s.limit_days), promised_at_intake)?;
    let steps = record
        .steps
        .iter()
        .zip(dues)
        .map(|(s, due_date)| SlipStep { name: s.kind.label(Lang::ZhCn).to_owned(), limit_days: s.limit_days, due_date })
        .collect();
    let key = receipts::signing_key(conn)?;
    let code = application_code::sign(&key, &record.number, &accepted.format("%Y%m%dT%H%M%SZ").to_string(), record.promised_date);
    let doc = SlipDoc {
        company: settings::get_or(conn, settings::COMPANY_NAME, settings::DEFAULT_COMPANY_NAME)?,
        outlet: settings::get_or(conn, settings::OUTLET_NAME, settings::DEFAULT_OUTLET_NAME)?,
        outlet_phone: settings::get(conn, settings::OUTLET_PHONE)?.unwrap_or_default(),
        application_no: record.number.clone(),
        accepted_at: accepted.with_timezone(&crate::clock::outlet_zone()).format("%Y-%m-%d %H:%M").to_string(),
        clerk: record.accepted_by_name.clone(),
        applicant_name: record.draft.applicant.name.clone(),
        kind: record.kind.label(Lang::ZhCn).to_owned(),
        address: record.draft.address.clone(),
        capacity_kva: record.draft.capacity_kva,
        voltage: record.draft.voltage.map(|v| v.label(Lang::ZhCn).to_owned()),
        important: record.draft.important,
        steps,
        promise_days: record.promise_days,
        promised_date: record.promised_date,
        documents: record.documents.iter().map(|d| format!("{}：{}", d.kind.label(Lang::ZhCn), d.file_name)).collect(),
        code,
    };
    let bytes = crate::print::slip::render(&doc)?;
    use base64::Engine;
    Ok(super::PdfFile {
        file_name: format!("受理回执-{}.pdf", record.number),
        bytes: bytes.len() as i64,
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// The used time, or `None` when it runs into a year whose calendar is not published (the detail
/// still opens; everyone is told the calendar needs updating).
fn used_time(seconds: Result<i64>) -> Result<Option<u32>> {
    match seconds {
        Ok(seconds) => Ok(Some(workflow::centidays(seconds))),
        Err(e) if e.code() == "calendar.unpublished" => Ok(None),
        Err(e) => Err(e),
    }
}

/// The actions offered: the workflow's, less completing a 销户, which only a manager may (the
/// store refuses it to others with `closure.manager`), so that a clerk is not shown a button the
/// core then refuses.
fn offered_actions(kind: &ApplicationKind, state: ApplicationState, step: Option<StepKind>, at_effect: bool, role: Role) -> Vec<Action> {
    let mut actions = workflow::actions(state, step, role);
    if *kind == ApplicationKind::Closure && at_effect && !role.authorises() {
        actions.retain(|a| *a != Action::Advance);
    }
    actions
}

/// The view of a record for `caller`: applicant masked, the clock read now, the actions allowed.
fn view(app: &App, cal: &Calendar, caller: &Caller, record: Record) -> Result<ApplicationView> {
    let now = app.clock().now();
    let today = business_date(now);
    let suspensions = record.suspensions();
    let instant = |s: &str| parse_stamp(s).ok_or_else(|| Error::Internal(format!("applications: bad instant {s}")));
    let mut steps = Vec::with_capacity(record.steps.len());
    for s in &record.steps {
        let used = match &s.started_at {
            Some(started) => {
                let end = s.finished_at.as_deref().map(instant).transpose()?.unwrap_or(now);
                used_time(workflow::active_seconds(cal, instant(started)?, end, &suspensions))?
            }
            None => None,
        };
        let met = match (&s.finished_at, s.due_date) {
            (Some(finished), due) => workflow::met(due, business_date(instant(finished)?)),
            (None, Some(due)) if s.started_at.is_some() && due < today && record.current == Some(s.position) => Some(false),
            _ => None,
        };
        steps.push(Step {
            position: s.position,
            kind: s.kind,
            owner: s.owner.clone(),
            owner_name: s.owner_name.clone(),
            limit_days: s.limit_days,
            started_at: s.started_at.clone(),
            due_date: s.due_date,
            finished_at: s.finished_at.clone(),
            used_centidays: used,
            met,
        });
    }
    let end = record.finished_at.as_deref().map(instant).transpose()?.unwrap_or(now);
    let used_centidays = used_time(workflow::active_seconds(cal, instant(&record.accepted_at)?, end, &suspensions))?;
    let met = match &record.finished_at {
        Some(_) if record.state != ApplicationState::Completed => None,
        Some(finished) => Some(business_date(instant(finished)?) <= record.promised_date),
        None if record.state == ApplicationState::Active && record.promised_date < today => Some(false),
        None => None,
    };
    let step_kind = |p: Option<u32>| p.and_then(|p| record.steps.get(p as usize)).map(|s| s.kind);
    let timeline = record
        .events
        .iter()
        .map(|e| TimelineEntry {
            at: e.at.clone(),
            by: e.by_name.clone(),
            action: e.action,
            step: step_kind(e.step_position),
            note: e.note.clone(),
        })
        .collect();
    let documents = record
        .documents
        .iter()
        .map(|d| DocumentView {
            kind: d.kind,
            sha256: d.sha256.clone(),
            mime: d.mime.clone(),
            file_name: d.file_name.clone(),
            size_bytes: d.size_bytes,
            step: step_kind(d.step_position),
        })
        .collect();
    let current_kind = record.current_step().map(|s| s.kind);
    let record_kind = record.kind;
    let at_effect = record.current.is_some_and(|p| p == repo::effect_step(&record));
    let mut draft = record.draft;
    draft.applicant.id_number = mask::id_number(&draft.applicant.id_number);
    draft.applicant.phone = mask::phone(&draft.applicant.phone);
    Ok(ApplicationView {
        id: record.id,
        number: record.number,
        kind: record.kind,
        state: record.state,
        draft,
        rules_version: record.rules_version,
        customer_id: record.customer_id,
        customer_account: record.customer_account,
        accepted_at: record.accepted_at,
        accepted_by: record.accepted_by_name,
        promised_date: record.promised_date,
        promise_days: record.promise_days,
        steps,
        current: record.current,
        timeline,
        documents,
        actions: offered_actions(&record_kind, record.state, current_kind, at_effect, caller.user.role),
        used_centidays,
        met,
        version: record.version,
    })
}

/// The refusal of a date the published calendar does not cover, for callers that check one.
pub fn unpublished(year: i32) -> UserMessage {
    crate::calendar::unpublished_message(year)
}
