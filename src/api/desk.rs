//! The cash desk and the day-end.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::payments::PdfFile;
use super::{App, Caller, MANAGERS, ManagerApproval, NoArgs, authorise, require_caller};
use crate::clock::business_date;
use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;
use crate::print::dayend;
use crate::store::dayend::{self as day, DayReport};
use crate::store::desk::{self as repo, DenominationCount, DeskSession, Expected};
use crate::store::settings;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeskState {
    pub session: Option<DeskSession>,
    pub expected: Option<Expected>,
    /// Today at the outlet.
    #[ts(type = "string")]
    pub today: NaiveDate,
    /// The business date money is taken for now: today, or the next date once today is closed.
    #[ts(type = "string")]
    pub collecting_for: NaiveDate,
    /// Why no desk may open now (the outlet waits for the next business date after 日结).
    pub refused: Option<UserMessage>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct OpenDeskArgs {
    pub float: Fen,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct MoveCashArgs {
    /// `in` or `out`.
    pub direction: String,
    pub amount: Fen,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CloseDeskArgs {
    pub count: Vec<DenominationCount>,
    /// Needed when the count differs from the expected cash.
    pub approval: Option<ManagerApproval>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DayArgs {
    /// `YYYY-MM-DD`; today when absent.
    pub date: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ReopenDayArgs {
    /// `YYYY-MM-DD`; today when absent.
    pub date: Option<String>,
    pub reason: String,
    /// A manager's password, unless the caller is a manager.
    pub approval: Option<ManagerApproval>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DayPaper {
    DepositSlip,
    DailyReport,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DayPdfArgs {
    pub date: Option<String>,
    pub paper: DayPaper,
    /// Also write the PDF here (the desktop app's save dialog chose it).
    pub path: Option<String>,
}

fn state(app: &App) -> Result<DeskState> {
    let store = app.store();
    let conn = store.conn();
    let now = app.clock().now();
    let refused = match repo::collection_date(conn, now) {
        Ok(_) => None,
        Err(Error::Conflict(message)) => Some(message),
        Err(e) => return Err(e),
    };
    let (today, collecting_for) = (business_date(now), repo::next_open_date(conn, now)?);
    Ok(match repo::current(conn)? {
        Some((pk, session)) => {
            DeskState { expected: Some(repo::expected(conn, pk)?), session: Some(session), today, collecting_for, refused }
        }
        None => DeskState { session: None, expected: None, today, collecting_for, refused },
    })
}

pub(super) fn current(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<DeskState> {
    state(app)
}

pub(super) fn open(app: &App, caller: Option<&Caller>, args: OpenDeskArgs) -> Result<DeskState> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::open(tx, &actor, args.float))?;
    state(app)
}

pub(super) fn move_cash(app: &App, caller: Option<&Caller>, args: MoveCashArgs) -> Result<DeskState> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::move_cash(tx, &actor, &args.direction, args.amount, &args.reason))?;
    state(app)
}

pub(super) fn close(app: &App, caller: Option<&Caller>, args: CloseDeskArgs) -> Result<DeskSession> {
    let caller = require_caller(caller)?;
    let desk_id = repo::current(app.store().conn())?.map(|(_, s)| s.id).unwrap_or_default();
    let manager = match &args.approval {
        Some(approval) if !approval.username.is_empty() => Some(authorise(app, approval, "desk.over_short", &desk_id)?),
        _ => None,
    };
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::close(tx, &actor, &args.count, manager.as_ref().map(|m| m.id.as_str())))
}

fn day_of(app: &App, date: Option<&str>) -> Result<NaiveDate> {
    let now = app.clock().now();
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => business_date(now),
        Some(d) => d.parse().map_err(|_| {
            Error::invalid(UserMessage::new("dayend.date", "日期格式应为 年-月-日", "The date must be year-month-day").at("date"))
        })?,
    };
    day::check_not_future(app.store().conn(), now, date)?;
    Ok(date)
}

pub(super) fn report(app: &App, _: Option<&Caller>, args: DayArgs) -> Result<DayReport> {
    let date = day_of(app, args.date.as_deref())?;
    day::report(app.store().conn(), date)
}

pub(super) fn close_day(app: &App, caller: Option<&Caller>, args: DayArgs) -> Result<DayReport> {
    let caller = require_caller(caller)?;
    let date = day_of(app, args.date.as_deref())?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| day::close_day(tx, &actor, date))
}

/// Reopens a closed day: a manager may, or a clerk with a manager's password.
pub(super) fn reopen_day(app: &App, caller: Option<&Caller>, args: ReopenDayArgs) -> Result<DayReport> {
    let caller = require_caller(caller)?;
    let date = day_of(app, args.date.as_deref())?;
    let manager = if MANAGERS.contains(&caller.user.role) {
        caller.user.id.clone()
    } else {
        let approval = args.approval.as_ref().filter(|a| !a.username.is_empty()).ok_or_else(|| {
            Error::Denied(
                UserMessage::new("approval.required", "重开营业日须主管授权", "Reopening a day needs a manager's approval").at("approval"),
            )
        })?;
        authorise(app, approval, "day.reopen", &date.to_string())?.id
    };
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| day::reopen_day(tx, &actor, date, &args.reason, &manager))
}

pub(super) fn pdf(app: &App, _: Option<&Caller>, args: DayPdfArgs) -> Result<PdfFile> {
    let date = day_of(app, args.date.as_deref())?;
    let store = app.store();
    let report = day::report(store.conn(), date)?;
    let company = settings::get_or(store.conn(), settings::COMPANY_NAME, settings::DEFAULT_COMPANY_NAME)?;
    let outlet = settings::get_or(store.conn(), settings::OUTLET_NAME, settings::DEFAULT_OUTLET_NAME)?;
    let (name, bytes) = match args.paper {
        DayPaper::DepositSlip => (format!("解款单-{date}.pdf"), dayend::deposit_slip(&report, &company, &outlet)),
        DayPaper::DailyReport => (format!("日实收报表-{date}.pdf"), dayend::daily_report(&report, &company, &outlet)),
    };
    if let Some(path) = args.path.as_deref().filter(|p| !p.is_empty()) {
        std::fs::write(path, &bytes).map_err(|e| {
            Error::invalid(
                UserMessage::new("file.unavailable", format!("无法写入文件：{e}"), format!("Cannot write the file: {e}")).at("path"),
            )
        })?;
    }
    use base64::Engine;
    Ok(PdfFile { file_name: name, bytes: bytes.len() as i64, base64: base64::engine::general_purpose::STANDARD.encode(bytes) })
}
