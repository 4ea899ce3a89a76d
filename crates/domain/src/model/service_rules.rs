//! The deadlines of service requests as published data (`assets/service/deadlines-*.toml`),
//! checked on load, and the arithmetic that turns a limit into a due instant: minutes and hours in
//! wall-clock time, working days through the calendar. A request stores the version it was
//! accepted under and is always read back against it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use super::service::{AreaType, Category, Milestone, ServiceKind};
use super::versions::{Book, Versioned};
use super::workflow::WorkingDays;
use crate::clock::{business_date, outlet_zone};
use crate::error::{Error, Result, UserMessage};

/// The deadline files shipped with the program.
pub const SHIPPED: &[&str] = &[include_str!("../../../../assets/service/deadlines-2025-01-01.toml")];

/// How long a milestone may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Minutes(u32),
    Hours(u32),
    WorkingDays(u32),
}

impl Limit {
    fn parse(text: &str) -> Option<Limit> {
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let n: u32 = text[..split].parse().ok().filter(|n| *n > 0)?;
        match &text[split..] {
            "m" => Some(Limit::Minutes(n)),
            "h" => Some(Limit::Hours(n)),
            "wd" => Some(Limit::WorkingDays(n)),
            _ => None,
        }
    }

    /// When a milestone whose clock starts at `from` is due. A working-day limit is due at the end
    /// (midnight, China Standard Time) of the n-th working day after `from`'s date.
    pub fn due(self, from: DateTime<Utc>, calendar: &dyn WorkingDays) -> Result<DateTime<Utc>> {
        match self {
            Limit::Minutes(n) => Ok(from + Duration::minutes(n.into())),
            Limit::Hours(n) => Ok(from + Duration::hours(n.into())),
            Limit::WorkingDays(n) => {
                let last = calendar.add_working_days(business_date(from), n)?;
                Ok(end_of_day(last))
            }
        }
    }
}

/// The instant a date ends in the outlet's zone (the next midnight).
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date);
    next.and_hms_opt(0, 0, 0).expect("midnight").and_local_timezone(outlet_zone()).single().expect("a fixed offset").to_utc()
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Limit, D::Error> {
        let text = String::deserialize(d)?;
        Limit::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a limit like 45m, 3h or 4wd")))
    }
}

/// Whether a limit is one the commitments publish or one the outlet chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Published,
    Outlet,
}

/// One value, or one per area type.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
enum PerArea<T> {
    One(T),
    ByArea { urban: T, rural: T, remote: T },
}

impl<T: Copy> PerArea<T> {
    fn get(self, area: AreaType) -> T {
        match (self, area) {
            (PerArea::One(v), _) => v,
            (PerArea::ByArea { urban, .. }, AreaType::Urban) => urban,
            (PerArea::ByArea { rural, .. }, AreaType::Rural) => rural,
            (PerArea::ByArea { remote, .. }, AreaType::Remote) => remote,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Deadline {
    category: Category,
    kind: Option<ServiceKind>,
    milestone: Milestone,
    limit: PerArea<Limit>,
    source: PerArea<Source>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesFile {
    effective: NaiveDate,
    callback_tries: u32,
    deadline: Vec<Deadline>,
}

/// One version of the deadlines.
#[derive(Debug, Clone)]
pub struct Deadlines {
    pub effective: NaiveDate,
    /// Calls at a callback before it may be recorded as "could not be reached".
    pub callback_tries: u32,
    deadlines: Vec<Deadline>,
}

/// The limit of one milestone of one request, and where the figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub milestone: Milestone,
    pub limit: Limit,
    pub source: Source,
}

fn bad(effective: &str, zh: String, en: String) -> Error {
    Error::invalid(UserMessage::new(
        "service_rules.file",
        format!("工单时限规则（{effective}）：{zh}"),
        format!("Service deadlines ({effective}): {en}"),
    ))
}

impl Deadlines {
    /// Parses one file and checks it: no milestone twice for the same category and kind, a kind
    /// only on service requests, restoration only where there is an arrival, at least one call
    /// before a callback gives up.
    pub fn parse(text: &str) -> Result<Deadlines> {
        let file: DeadlinesFile = toml::from_str(text).map_err(|e| bad("?", format!("格式错误：{e}"), format!("malformed: {e}")))?;
        let version = file.effective.to_string();
        if file.callback_tries == 0 {
            return Err(bad(&version, "回访次数至少为1".into(), "callback_tries must be at least 1".into()));
        }
        for (i, d) in file.deadline.iter().enumerate() {
            let name = format!("{}/{}", d.category.code(), d.milestone.code());
            if file.deadline[..i].iter().any(|e| e.category == d.category && e.kind == d.kind && e.milestone == d.milestone) {
                return Err(bad(&version, format!("{name} 出现两次"), format!("{name} appears twice")));
            }
            if d.kind.is_some() && d.category != Category::ServiceRequest {
                return Err(bad(&version, format!("{name}：只有服务申请分类型"), format!("{name}: only service requests have kinds")));
            }
            if d.milestone == Milestone::Restore && d.category != Category::FaultRepair {
                return Err(bad(
                    &version,
                    format!("{name}：恢复送电只用于故障报修"),
                    format!("{name}: restoration is for fault repairs only"),
                ));
            }
        }
        Ok(Deadlines { effective: file.effective, callback_tries: file.callback_tries, deadlines: file.deadline })
    }

    /// The milestones a request of this category, kind and area runs against, with their limits.
    /// A kind's own deadline replaces the category's for the same milestone.
    pub fn plan(&self, category: Category, kind: Option<ServiceKind>, area: AreaType) -> Vec<Planned> {
        Milestone::ALL
            .iter()
            .filter_map(|m| {
                let of =
                    |k: Option<ServiceKind>| self.deadlines.iter().find(|d| d.category == category && d.kind == k && d.milestone == *m);
                let d = kind.and_then(|k| of(Some(k))).or_else(|| of(None))?;
                Some(Planned { milestone: *m, limit: d.limit.get(area), source: d.source.get(area) })
            })
            .collect()
    }
}

impl Versioned for Deadlines {
    fn effective(&self) -> NaiveDate {
        self.effective
    }
}

/// Every version of the service deadlines.
pub type DeadlineBook = Book<Deadlines>;

impl Book<Deadlines> {
    /// The shipped deadlines, parsed and checked once.
    pub fn shipped() -> &'static DeadlineBook {
        static BOOK: std::sync::OnceLock<DeadlineBook> = std::sync::OnceLock::new();
        BOOK.get_or_init(|| DeadlineBook::from_texts(SHIPPED).expect("the shipped service deadlines are valid"))
    }

    pub fn from_texts(texts: &[&str]) -> Result<DeadlineBook> {
        let versions = texts.iter().map(|t| Deadlines::parse(t)).collect::<Result<Vec<_>>>()?;
        Book::new(versions, ("service_rules", "工单时限规则", "service deadlines"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use AreaType as A;
    use Category as C;
    use Milestone as M;
    use chrono::TimeZone;

    fn rules() -> &'static Deadlines {
        DeadlineBook::shipped().in_force(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).unwrap()
    }

    fn limit(category: Category, kind: Option<ServiceKind>, area: AreaType, m: Milestone) -> Option<Limit> {
        rules().plan(category, kind, area).into_iter().find(|p| p.milestone == m).map(|p| p.limit)
    }

    /// A China Standard Time instant.
    fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - Duration::hours(8)
    }

    #[test]
    fn the_published_limits() {
        assert_eq!(limit(C::FaultRepair, None, A::Urban, M::Arrival), Some(Limit::Minutes(45)));
        assert_eq!(limit(C::FaultRepair, None, A::Rural, M::Arrival), Some(Limit::Minutes(90)));
        assert_eq!(limit(C::FaultRepair, None, A::Remote, M::Arrival), Some(Limit::Minutes(120)));
        assert_eq!(limit(C::FaultRepair, None, A::Urban, M::Restore), Some(Limit::Hours(3)));
        assert_eq!(limit(C::FaultRepair, None, A::Rural, M::Restore), Some(Limit::Hours(4)));
        assert_eq!(limit(C::Complaint, None, A::Urban, M::Contact), Some(Limit::Hours(24)));
        assert_eq!(limit(C::Complaint, None, A::Urban, M::Reply), Some(Limit::WorkingDays(4)));
        assert_eq!(limit(C::Report, None, A::Urban, M::Reply), Some(Limit::WorkingDays(9)));
        assert_eq!(limit(C::ServiceRequest, None, A::Urban, M::Reply), Some(Limit::WorkingDays(5)));
        assert_eq!(limit(C::ServiceRequest, Some(ServiceKind::Reconnection), A::Urban, M::Reply), Some(Limit::WorkingDays(5)));
        assert_eq!(limit(C::ServiceRequest, Some(ServiceKind::MeterFault), A::Urban, M::Reply), Some(Limit::WorkingDays(4)));
        assert_eq!(limit(C::ServiceRequest, Some(ServiceKind::ReadingFault), A::Urban, M::Reply), Some(Limit::WorkingDays(6)));
        assert_eq!(limit(C::ServiceRequest, Some(ServiceKind::ApplianceDamage), A::Urban, M::Arrival), Some(Limit::Hours(24)));
        assert_eq!(limit(C::ServiceRequest, Some(ServiceKind::MeterFault), A::Urban, M::Arrival), None);
        assert!(rules().plan(C::Praise, None, A::Urban).is_empty());
        let remote = rules().plan(C::FaultRepair, None, A::Remote);
        assert_eq!(remote.iter().find(|p| p.milestone == M::Restore).unwrap().source, Source::Outlet);
        assert_eq!(rules().callback_tries, 3);
    }

    #[test]
    fn minutes_and_hours_run_in_wall_clock_time_through_nights_and_holidays() {
        let cal = Calendar::shipped();
        // 2026-10-01 (National Day) 23:30 + 45 min = 2 Oct 00:15: holidays do not stop a repair crew.
        assert_eq!(Limit::Minutes(45).due(cst(2026, 10, 1, 23, 30), cal).unwrap(), cst(2026, 10, 2, 0, 15));
        // A complaint at 16:00 on Fri 2 Jan 2026 (New Year holiday): contact within 24 h is Sat 3 Jan 16:00.
        assert_eq!(Limit::Hours(24).due(cst(2026, 1, 2, 16, 0), cal).unwrap(), cst(2026, 1, 3, 16, 0));
    }

    #[test]
    fn working_days_skip_the_2026_holidays_and_count_the_make_up_days() {
        let cal = Calendar::shipped();
        // Spring Festival 2026 (assets/calendar/2026.toml): holiday Sun 15 – Mon 23 Feb; Sat 14 Feb
        // and Sat 28 Feb are worked. A complaint on Fri 13 Feb 10:00, 4 working days to reply:
        // Sat 14 (1, worked), then the holiday, Tue 24 (2), Wed 25 (3), Thu 26 (4): due at the end
        // of Thu 26 Feb, i.e. Fri 27 Feb 00:00 CST.
        assert_eq!(Limit::WorkingDays(4).due(cst(2026, 2, 13, 10, 0), cal).unwrap(), cst(2026, 2, 27, 0, 0));
        // National Day 2026: holiday Thu 1 – Wed 7 Oct; Sat 10 Oct is worked. A
        // report on Wed 30 Sep 09:00 with 9 working days: Thu 1–Wed 7 off, Thu 8 (1), Fri 9 (2),
        // Sat 10 (3, worked), Mon 12 (4) … Fri 16 (8), Mon 19 (9): due Tue 20 Oct 00:00 CST.
        assert_eq!(Limit::WorkingDays(9).due(cst(2026, 9, 30, 9, 0), cal).unwrap(), cst(2026, 10, 20, 0, 0));
        // An ordinary week: Mon 2 Mar + 5 working days = Mon 9 Mar, due Tue 10 Mar 00:00.
        assert_eq!(Limit::WorkingDays(5).due(cst(2026, 3, 2, 15, 0), cal).unwrap(), cst(2026, 3, 10, 0, 0));
        // A date past the published years is an error, not a guess.
        assert_eq!(Limit::WorkingDays(5).due(cst(2027, 12, 28, 9, 0), cal).unwrap_err().code(), "calendar.unpublished");
    }

    #[test]
    fn a_bad_file_is_refused_with_the_reason() {
        let head = "effective = \"2026-01-01\"\ncallback_tries = 3\n";
        let twice = format!(
            "{head}[[deadline]]\ncategory = \"report\"\nmilestone = \"reply\"\nlimit = \"9wd\"\nsource = \"published\"\n\
             [[deadline]]\ncategory = \"report\"\nmilestone = \"reply\"\nlimit = \"8wd\"\nsource = \"published\"\n"
        );
        assert!(Deadlines::parse(&twice).unwrap_err().to_string().contains("appears twice"));
        let bad_limit =
            format!("{head}[[deadline]]\ncategory = \"report\"\nmilestone = \"reply\"\nlimit = \"9 days\"\nsource = \"published\"\n");
        assert_eq!(Deadlines::parse(&bad_limit).unwrap_err().code(), "service_rules.file");
        let zero = format!("{head}[[deadline]]\ncategory = \"report\"\nmilestone = \"reply\"\nlimit = \"0wd\"\nsource = \"published\"\n");
        assert!(Deadlines::parse(&zero).is_err());
        let restore =
            format!("{head}[[deadline]]\ncategory = \"complaint\"\nmilestone = \"restore\"\nlimit = \"3h\"\nsource = \"published\"\n");
        assert!(Deadlines::parse(&restore).unwrap_err().to_string().contains("fault repairs only"));
    }
}
