//! The application workflow (pure): which action is valid in which state and step, by which role,
//! and how the deadline clock runs.
//!
//! Roles: a clerk (营业员) or a branch manager (营业厅主任) accepts, completes steps, suspends,
//! resumes, records a withdrawal, notes and attaches; approving the supply plan (供电方案答复),
//! rejecting and reassigning are the manager's. Administrators and head-office operators see
//! applications but act on none: they are not at the counter.
//!
//! The clock: working time counts from a step's start; time suspended (the customer's cause)
//! does not count. Due dates are dates: a resumption moves every open due date and the total
//! promise on by the working days the suspension covered.

use chrono::{DateTime, NaiveDate, Utc};

use super::application::{Action, ApplicationState, StepKind};
use super::user::Role;
use crate::error::{Error, Lang, Result, UserMessage};

/// The working-day calendar the deadlines are counted on (`crate::calendar::Calendar`; a plain
/// calendar in tests).
pub trait WorkingDays {
    /// Whether `date` is a working day; a date in an unpublished year is an error.
    fn is_working(&self, date: NaiveDate) -> Result<bool>;
    /// The date `n` working days after `date` (`date` itself not counted).
    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate>;
    /// Working days in (from, to]; negative when to < from.
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64>;
    /// The seconds of [from, to) that fall on working days (days in China Standard Time).
    fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64>;
}

/// Seconds in a working day as the clock counts it (a whole calendar day that is a working day).
pub const DAY_SECONDS: i64 = 86_400;

/// The roles that may take `action` on an application in `state` whose open step is `step`.
fn roles_for(action: Action, step: Option<StepKind>) -> &'static [Role] {
    const COUNTER: &[Role] = &[Role::Clerk, Role::Manager];
    const MANAGER: &[Role] = &[Role::Manager];
    match action {
        Action::Advance if step == Some(StepKind::SupplyPlan) => MANAGER,
        Action::Reject | Action::Reassign => MANAGER,
        _ => COUNTER,
    }
}

/// Whether `action` is valid in `state` (ignoring roles): the refusal says why not.
fn state_allows(action: Action, state: ApplicationState, step: Option<StepKind>) -> Result<(), UserMessage> {
    use ApplicationState as S;
    let ended = |state: ApplicationState| {
        UserMessage::new(
            "application.ended",
            format!("该申请{}，不能再办理", state.label(Lang::ZhCn)),
            format!("This application is {}: nothing more can be done to it", state.label(Lang::En).to_lowercase()),
        )
    };
    match (action, state) {
        (Action::Accept, _) => {
            Err(UserMessage::new("application.already_accepted", "该申请已受理", "This application is already accepted"))
        }
        (Action::Note | Action::Attach, _) => Ok(()),
        (_, S::Completed | S::Withdrawn | S::Rejected) => Err(ended(state)),
        (Action::Advance, S::Suspended) => Err(UserMessage::new(
            "application.suspended",
            "该申请已暂停（客户原因），请先恢复再办理",
            "This application is suspended for the customer's cause: resume it first",
        )),
        (Action::Suspend, S::Suspended) => {
            Err(UserMessage::new("application.already_suspended", "该申请已暂停", "This application is already suspended"))
        }
        (Action::Resume, S::Active) => {
            Err(UserMessage::new("application.not_suspended", "该申请未暂停，无需恢复", "This application is not suspended"))
        }
        (Action::Advance | Action::Suspend | Action::Reassign, S::Active) if step.is_none() => Err(ended(state)),
        _ => Ok(()),
    }
}

/// Checks that a user of `role` may take `action` now; the refusal names the reason.
pub fn check(action: Action, state: ApplicationState, step: Option<StepKind>, role: Role) -> Result<()> {
    state_allows(action, state, step).map_err(Error::Conflict)?;
    if !roles_for(action, step).contains(&role) {
        let what = match (action, step) {
            (Action::Advance, Some(step)) => (step.label(Lang::ZhCn).to_owned(), step.label(Lang::En).to_lowercase()),
            _ => (action.label(Lang::ZhCn).to_owned(), action.label(Lang::En).to_lowercase()),
        };
        return Err(Error::Denied(UserMessage::new(
            "application.role",
            format!("当前角色（{}）不能办理“{}”", role.label(Lang::ZhCn), what.0),
            format!("Your role ({}) may not do this: {}", role.label(Lang::En), what.1),
        )));
    }
    Ok(())
}

/// Checks that a user of `role` may accept an application at the counter.
pub fn check_intake(role: Role) -> Result<()> {
    if roles_for(Action::Accept, None).contains(&role) {
        return Ok(());
    }
    Err(Error::Denied(UserMessage::new(
        "application.role",
        format!("当前角色（{}）不能受理业扩申请", role.label(Lang::ZhCn)),
        format!("Your role ({}) may not accept applications", role.label(Lang::En)),
    )))
}

/// The actions a user of `role` may take now, in the order the UI shows them.
pub fn actions(state: ApplicationState, step: Option<StepKind>, role: Role) -> Vec<Action> {
    [Action::Advance, Action::Suspend, Action::Resume, Action::Reassign, Action::Withdraw, Action::Reject, Action::Note, Action::Attach]
        .into_iter()
        .filter(|a| check(*a, state, step, role).is_ok())
        .collect()
}

/// The state after a valid action.
pub fn next_state(action: Action, state: ApplicationState, last_step: bool) -> ApplicationState {
    match action {
        Action::Advance if last_step => ApplicationState::Completed,
        Action::Suspend => ApplicationState::Suspended,
        Action::Resume => ApplicationState::Active,
        Action::Withdraw => ApplicationState::Withdrawn,
        Action::Reject => ApplicationState::Rejected,
        _ => state,
    }
}

/// A suspension: from its start to its end (`None` while it lasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suspension {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

/// Working seconds in [from, to) outside the suspensions (which do not overlap each other).
pub fn active_seconds(cal: &dyn WorkingDays, from: DateTime<Utc>, to: DateTime<Utc>, suspensions: &[Suspension]) -> Result<i64> {
    if to <= from {
        return Ok(0);
    }
    let mut seconds = cal.working_seconds_between(from, to)?;
    for s in suspensions {
        let start = s.from.max(from);
        let end = s.to.unwrap_or(to).min(to);
        if end > start {
            seconds -= cal.working_seconds_between(start, end)?;
        }
    }
    Ok(seconds)
}

/// Working days used, in hundredths, from working seconds.
pub fn centidays(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0) * 100 / DAY_SECONDS).unwrap_or(u32::MAX)
}

/// How far a resumption moves the due dates: the working days from the suspension's business
/// date to the resumption's (a suspension within one day moves nothing).
pub fn resumption_shift(cal: &dyn WorkingDays, suspended_on: NaiveDate, resumed_on: NaiveDate) -> Result<u32> {
    Ok(u32::try_from(cal.working_days_between(suspended_on, resumed_on)?.max(0)).unwrap_or(0))
}

/// Whether a step or an application finished on `finished_on` met its due date.
pub fn met(due: Option<NaiveDate>, finished_on: NaiveDate) -> Option<bool> {
    due.map(|due| finished_on <= due)
}

/// A plain Monday-to-Friday calendar with no holidays, for the workflow's own tests.
#[cfg(test)]
pub(crate) struct Weekdays;

#[cfg(test)]
impl WorkingDays for Weekdays {
    fn is_working(&self, date: NaiveDate) -> Result<bool> {
        use chrono::Datelike;
        Ok(date.weekday().number_from_monday() <= 5)
    }
    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        use chrono::Datelike;
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("in range");
            if d.weekday().number_from_monday() <= 5 {
                left -= 1;
            }
        }
        Ok(d)
    }
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        use chrono::Datelike;
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        Ok(sign * a.iter_days().skip(1).take_while(|d| *d <= b).filter(|d| d.weekday().number_from_monday() <= 5).count() as i64)
    }
    fn working_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64> {
        use chrono::Datelike;
        let zone = crate::clock::outlet_zone();
        let mut seconds = 0;
        let mut at = from;
        while at < to {
            let local = at.with_timezone(&zone);
            let next_midnight = (local.date_naive() + chrono::Days::new(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_local_timezone(zone)
                .unwrap()
                .to_utc();
            let end = next_midnight.min(to);
            if local.weekday().number_from_monday() <= 5 {
                seconds += (end - at).num_seconds();
            }
            at = end;
        }
        Ok(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        // March 2026: the 2nd is a Monday. Hours are CST (UTC+8).
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap() - chrono::Duration::hours(8)
    }

    #[test]
    fn advancing_is_refused_when_suspended_or_ended_with_the_reason() {
        let e = check(Action::Advance, ApplicationState::Suspended, Some(StepKind::Survey), Role::Clerk).unwrap_err();
        assert_eq!(e.code(), "application.suspended");
        for state in [ApplicationState::Completed, ApplicationState::Withdrawn, ApplicationState::Rejected] {
            assert_eq!(check(Action::Advance, state, None, Role::Manager).unwrap_err().code(), "application.ended");
        }
        assert!(check(Action::Advance, ApplicationState::Active, Some(StepKind::Survey), Role::Clerk).is_ok());
    }

    #[test]
    fn roles() {
        let active = ApplicationState::Active;
        assert_eq!(check(Action::Reject, active, Some(StepKind::Survey), Role::Clerk).unwrap_err().code(), "application.role");
        assert!(check(Action::Reject, active, Some(StepKind::Survey), Role::Manager).is_ok());
        assert_eq!(check(Action::Advance, active, Some(StepKind::SupplyPlan), Role::Clerk).unwrap_err().code(), "application.role");
        assert_eq!(check(Action::Note, active, Some(StepKind::Survey), Role::Admin).unwrap_err().code(), "application.role");
        assert_eq!(
            actions(active, Some(StepKind::Survey), Role::Clerk),
            vec![Action::Advance, Action::Suspend, Action::Withdraw, Action::Note, Action::Attach]
        );
        assert_eq!(
            actions(ApplicationState::Suspended, Some(StepKind::Survey), Role::Manager),
            vec![Action::Resume, Action::Reassign, Action::Withdraw, Action::Reject, Action::Note, Action::Attach]
        );
        assert!(actions(ApplicationState::Completed, None, Role::HeadOffice).is_empty());
    }

    #[test]
    fn the_clock_stops_while_suspended() {
        // Mon 2 Mar 10:00 to Fri 6 Mar 10:00 is 4 working days; suspended Tue 10:00 to Thu 10:00
        // (2 days): 2 days used.
        let s = [Suspension { from: at(3, 10), to: Some(at(5, 10)) }];
        assert_eq!(active_seconds(&Weekdays, at(2, 10), at(6, 10), &s).unwrap(), 2 * DAY_SECONDS);
        // Over a weekend: Fri 6 Mar 12:00 to Mon 9 Mar 12:00 is half of Friday and half of Monday.
        assert_eq!(active_seconds(&Weekdays, at(6, 12), at(9, 12), &[]).unwrap(), DAY_SECONDS);
        assert_eq!(centidays(DAY_SECONDS * 3 / 2), 150);
        // Suspended Tue to Thu: due dates move on by the two working days.
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        assert_eq!(resumption_shift(&Weekdays, d(3), d(5)).unwrap(), 2);
        assert_eq!(resumption_shift(&Weekdays, d(6), d(9)).unwrap(), 1);
        assert_eq!(resumption_shift(&Weekdays, d(3), d(3)).unwrap(), 0);
    }
}
