//! Service-request commands (客户服务工单): intake, the actions, the due lists and the badges.
//!
//! The rules are `model::service_flow` and `model::service_rules`, the writes
//! `store::service`; this layer checks the caller, reads the clock, the calendar and the outlet's
//! settings, and builds the views with the actions the caller may take now.
//!
//! Lists mask the caller's phone as everywhere else; a request's own view shows it whole to the
//! counter, which must call the customer back (回访) on it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::calendar::Calendar;
use crate::clock::{business_date, stamp};
use crate::error::Result;
use crate::model::mask;
use crate::model::service::{AreaType, Category, Milestone, RequestAct, RequestAction, RequestDraft, RequestState, ServiceKind};
use crate::model::service_flow;
use crate::model::service_rules::{DeadlineBook, Limit, Source};
use crate::model::versions::Versioned;
use crate::store::applications::Acting;
use crate::store::service::{self as repo, Context, Due, Filter, RequestListRow, RequestRecord};
use crate::store::settings;

/// A request as the UI shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestView {
    pub request: RequestRecord,
    /// Each deadline and whether it was met (`None` while it may still be).
    pub deadlines: Vec<DeadlineView>,
    /// The actions the caller may take now (role and state): the UI shows only these.
    pub actions: Vec<RequestAction>,
    /// Calls at a callback before "could not be reached" is accepted.
    pub callback_tries: u32,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DeadlineView {
    pub milestone: Milestone,
    pub due: Option<String>,
    pub done: Option<String>,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequestRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequestNumberRef {
    pub number: String,
}

/// An action on a request. `expected_version` refuses an action on a stale view.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequestActArgs {
    pub id: String,
    pub expected_version: i64,
    pub act: RequestAct,
}

/// What the intake form shows before accepting: the deadlines a request would run against.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DeadlinePlanArgs {
    pub category: Category,
    pub service_kind: Option<ServiceKind>,
    /// The outlet's own area type when not given.
    pub area_type: Option<AreaType>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DeadlinePlan {
    pub area_type: AreaType,
    pub deadlines: Vec<PlannedDeadline>,
    pub rules_version: String,
    /// Whether the clerk may answer it at the counter at once.
    pub answerable: bool,
    pub needs_callback: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PlannedDeadline {
    pub milestone: Milestone,
    /// `45m`, `3h` or `4wd`.
    pub limit: String,
    pub published: bool,
    /// If accepted now (restoration: counted from the arrival, so `None`).
    pub due: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestDue {
    Overdue,
    Soon,
    All,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RequestListArgs {
    pub due: RequestDue,
    pub state: Option<RequestState>,
    pub category: Option<Category>,
    /// Only those handed to this user (`"me"` for the caller).
    pub assignee: Option<String>,
    pub customer_id: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestRow {
    #[serde(flatten)]
    pub row: RequestListRow,
    pub overdue: bool,
    pub due_soon: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestList {
    pub rows: Vec<RequestRow>,
    pub total: u32,
}

/// The navigation's badges.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RequestCounts {
    pub overdue: u32,
    pub due_soon: u32,
    /// Not satisfied at the callback: waiting for a manager.
    pub reopened: u32,
}

fn calendar(app: &App) -> Result<Calendar> {
    crate::store::calendar::load(app.store().conn())
}

fn outlet_area(app: &App) -> Result<AreaType> {
    crate::store::service::outlet_area(app.store().conn())
}

/// Now, and the end of the due-soon window.
fn window(app: &App) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let hours = settings::get_i64(app.store().conn(), settings::SERVICE_DUE_SOON_HOURS, settings::DEFAULT_SERVICE_DUE_SOON_HOURS)?;
    let now = app.clock().now();
    Ok((now, now + Duration::hours(hours)))
}

fn limit_text(limit: Limit) -> String {
    match limit {
        Limit::Minutes(n) => format!("{n}m"),
        Limit::Hours(n) => format!("{n}h"),
        Limit::WorkingDays(n) => format!("{n}wd"),
    }
}

pub(super) fn plan(app: &App, caller: Option<&Caller>, args: DeadlinePlanArgs) -> Result<DeadlinePlan> {
    require_caller(caller)?;
    let cal = calendar(app)?;
    let now = app.clock().now();
    let rules = DeadlineBook::shipped().in_force(business_date(now))?;
    let area_type = match args.area_type {
        Some(a) => a,
        None => outlet_area(app)?,
    };
    let kind = args.service_kind.filter(|_| args.category == Category::ServiceRequest);
    let mut deadlines = Vec::new();
    for p in rules.plan(args.category, kind, area_type) {
        let due = match p.milestone {
            Milestone::Restore => None,
            _ => Some(stamp(p.limit.due(now, &cal)?)),
        };
        deadlines.push(PlannedDeadline {
            milestone: p.milestone,
            limit: limit_text(p.limit),
            published: p.source == Source::Published,
            due,
        });
    }
    Ok(DeadlinePlan {
        area_type,
        deadlines,
        rules_version: rules.version(),
        answerable: service_flow::answerable_at_intake(args.category),
        needs_callback: args.category.needs_callback(),
    })
}

fn context<'a>(app: &App, cal: &'a Calendar) -> Result<Context<'a>> {
    Ok(Context { deadlines: DeadlineBook::shipped(), calendar: cal, area_type: outlet_area(app)? })
}

pub(super) fn create(app: &App, caller: Option<&Caller>, args: RequestDraft) -> Result<RequestView> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let ctx = context(app, &cal)?;
    let actor = app.actor(Some(&caller.user));
    let who = Acting { actor: &actor, user: &caller.user };
    let record = app.store().write(|tx| repo::create(tx, &who, &ctx, &args))?;
    view(app, caller, record)
}

pub(super) fn get(app: &App, caller: Option<&Caller>, args: RequestRef) -> Result<RequestView> {
    let caller = require_caller(caller)?;
    let record = repo::get(app.store().conn(), &args.id)?;
    view(app, caller, record)
}

pub(super) fn by_number(app: &App, caller: Option<&Caller>, args: RequestNumberRef) -> Result<RequestView> {
    let caller = require_caller(caller)?;
    let record = repo::by_number(app.store().conn(), &args.number)?;
    view(app, caller, record)
}

pub(super) fn act(app: &App, caller: Option<&Caller>, args: RequestActArgs) -> Result<RequestView> {
    let caller = require_caller(caller)?;
    let cal = calendar(app)?;
    let ctx = context(app, &cal)?;
    let actor = app.actor(Some(&caller.user));
    let who = Acting { actor: &actor, user: &caller.user };
    let record = app.store().write(|tx| repo::act(tx, &who, &ctx, &args.id, args.expected_version, &args.act))?;
    view(app, caller, record)
}

pub(super) fn list(app: &App, caller: Option<&Caller>, args: RequestListArgs) -> Result<RequestList> {
    let caller = require_caller(caller)?;
    let (now, soon) = window(app)?;
    let due = match args.due {
        RequestDue::Overdue => Due::Overdue,
        RequestDue::Soon => Due::Soon,
        RequestDue::All => Due::All,
    };
    let assignee = args.assignee.map(|a| if a == "me" { caller.user.id.clone() } else { a });
    let filter = Filter { state: args.state, category: args.category, assignee, customer_id: args.customer_id };
    let limit = if args.limit == 0 { 50 } else { args.limit };
    let (rows, total) = repo::list(app.store().conn(), due, &filter, now, soon, args.offset, limit)?;
    let (now_text, soon_text) = (stamp(now), stamp(soon));
    let rows = rows
        .into_iter()
        .map(|mut row| {
            let overdue = row.next_due.as_deref().is_some_and(|d| d < now_text.as_str());
            let due_soon = row.next_due.as_deref().is_some_and(|d| d >= now_text.as_str() && d < soon_text.as_str());
            row.caller_name = mask::name(&row.caller_name);
            RequestRow { row, overdue, due_soon }
        })
        .collect();
    Ok(RequestList { rows, total })
}

pub(super) fn counts(app: &App, caller: Option<&Caller>, _args: super::NoArgs) -> Result<RequestCounts> {
    require_caller(caller)?;
    let (now, soon) = window(app)?;
    let (overdue, due_soon, reopened) = repo::counts(app.store().conn(), now, soon)?;
    Ok(RequestCounts { overdue, due_soon, reopened })
}

fn view(app: &App, caller: &Caller, request: RequestRecord) -> Result<RequestView> {
    let now = app.clock().now();
    let tries = DeadlineBook::shipped().version(&request.rules_version)?.callback_tries;
    let deadlines = request
        .milestones
        .iter()
        .map(|m| DeadlineView {
            milestone: m.milestone,
            due: m.due.clone(),
            done: m.done.clone(),
            met: repo::met(&request, m.milestone, now),
        })
        .collect::<Vec<_>>();
    let overdue = deadlines.iter().any(|d| d.met == Some(false) && d.done.is_none());
    let actions = service_flow::actions(&request.progress(), caller.user.role, tries);
    Ok(RequestView { request, deadlines, actions, callback_tries: tries, overdue })
}
