//! The working-day calendar's commands: which years are published, and loading a later year.
//!
//! CONTRACT FIRST: these types are the interface the UI is built against; the handlers are being
//! written on the `apps-calendar` branch and every one still answers "not built".

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller};
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

fn not_built() -> Error {
    Error::Internal("calendar: not built yet (apps-calendar branch)".into())
}

pub(super) fn status(_app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<CalendarStatus> {
    Err(not_built())
}

pub(super) fn load(_app: &App, _caller: Option<&Caller>, _args: LoadCalendarArgs) -> Result<CalendarStatus> {
    Err(not_built())
}
