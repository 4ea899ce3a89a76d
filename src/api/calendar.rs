//! The working-day calendar's commands: which years are published, and loading a later year.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use chrono::{Datelike, NaiveDate};

use super::{App, Caller, require_caller};
use crate::calendar::{Calendar, Source, unpublished_message};
use crate::clock::business_date;
use crate::error::{Error, Result, UserMessage};

#[derive(Debug, Clone, Serialize, TS)]
pub struct CalendarYear {
    pub year: i32,
    /// `shipped` (assets/calendar), `file` (loaded by the operator) or `head_office`.
    pub source: String,
    pub holidays: u32,
    pub working_weekends: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CalendarStatus {
    pub years: Vec<CalendarYear>,
    /// Set when this year or, from 1 December, the next one has no published table: the clerk is
    /// told plainly that the calendar needs updating.
    pub warning: Option<UserMessage>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct LoadCalendarArgs {
    /// A published year in the format of assets/calendar/.
    pub path: String,
}

/// The largest calendar file read: a year's table is a few kilobytes.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The published years and the warning for the clerk, on `today`.
fn status_on(calendar: &Calendar, today: NaiveDate) -> CalendarStatus {
    let years = calendar
        .years()
        .map(|t| CalendarYear {
            year: t.year(),
            source: calendar.source(t.year()).map(|s| s.code()).unwrap_or_default().to_owned(),
            holidays: t.holiday_days(),
            working_weekends: t.working_weekends().len() as u32,
        })
        .collect();
    // From 1 December the next year's deadlines are near: its table must be in before they are.
    let missing = [today.year(), today.year() + 1]
        .into_iter()
        .filter(|&y| y == today.year() || today.month() == 12)
        .find(|&y| !calendar.is_published(y));
    CalendarStatus { years, warning: missing.map(unpublished_message) }
}

pub(super) fn status(app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<CalendarStatus> {
    let calendar = crate::store::calendar::load(app.store().conn())?;
    Ok(status_on(&calendar, business_date(app.clock().now())))
}

/// Stores the published year in the file at `path` (checked first: a file with mistakes is
/// refused with every one of them, and nothing is written).
pub(super) fn load(app: &App, caller: Option<&Caller>, args: LoadCalendarArgs) -> Result<CalendarStatus> {
    let caller = require_caller(caller)?;
    let body = read(&args.path)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    store.write(|tx| crate::store::calendar::publish(tx, &actor, &body, Source::File))?;
    let calendar = crate::store::calendar::load(store.conn())?;
    Ok(status_on(&calendar, business_date(app.clock().now())))
}

fn read(path: &str) -> Result<String> {
    let unreadable = |zh: String, en: String| Error::invalid(UserMessage::new("calendar.file", zh, en).at("path"));
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(format!("无法打开文件{path}：{e}"), format!("Cannot open the file {path}: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(unreadable(
            format!("文件{path}过大（{size}字节），不是工作日历文件"),
            format!("The file {path} is too large ({size} bytes) to be a working-day calendar"),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => unreadable(format!("文件{path}不是UTF-8文本"), format!("The file {path} is not UTF-8 text")),
        _ => unreadable(format!("无法读取文件{path}：{e}"), format!("Cannot read the file {path}: {e}")),
    })
}
