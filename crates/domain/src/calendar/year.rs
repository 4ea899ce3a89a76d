//! One published year: its holidays and working weekends as the notice gives them (the TOML format
//! of `assets/calendar/`), checked, with the counts the date arithmetic needs precomputed.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use crate::error::{Error, Result, UserMessage};

/// The years a table may be published for: a typo such as 20277 or 207 is refused.
const YEARS: std::ops::RangeInclusive<i64> = 2000..=2199;

/// A block of days off (放假调休), both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's published working-day table.
#[derive(Debug, Clone)]
pub struct YearTable {
    year: i32,
    notice: String,
    holidays: Vec<Holiday>,
    working_weekends: Vec<NaiveDate>,
    holiday_days: u32,
    /// `before[i]`: the working days among the year's first `i` days (ordinal0 < i); one entry per
    /// day of the year and one more, so that a count up to any date is one lookup.
    before: Vec<u16>,
    /// The ordinal0 of each working day, ascending: the year's k-th working day is `working[k - 1]`.
    working: Vec<u16>,
}

impl YearTable {
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The notice the dates come from (title, number, date).
    pub fn notice(&self) -> &str {
        &self.notice
    }

    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    pub fn working_weekends(&self) -> &[NaiveDate] {
        &self.working_weekends
    }

    /// How many days off the holidays make (each date once).
    pub fn holiday_days(&self) -> u32 {
        self.holiday_days
    }

    /// How many working days the year has.
    pub fn working_day_count(&self) -> u32 {
        self.working.len() as u32
    }

    /// Whether `date`, which must be in this year, is a working day.
    pub(super) fn is_working(&self, date: NaiveDate) -> bool {
        let i = date.ordinal0() as usize;
        self.before[i + 1] > self.before[i]
    }

    /// The working days from 1 January up to and including `date` (in this year).
    pub(super) fn working_through(&self, date: NaiveDate) -> u32 {
        u32::from(self.before[date.ordinal0() as usize + 1])
    }

    /// The year's `k`-th working day (1 ≤ k ≤ the count).
    pub(super) fn nth_working(&self, k: u32) -> NaiveDate {
        NaiveDate::from_yo_opt(self.year, u32::from(self.working[k as usize - 1]) + 1).expect("a day of the table's own year")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    year: Option<i64>,
    notice: Option<String>,
    holidays: Option<Vec<Entry>>,
    working_weekends: Option<Vec<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: Option<String>,
    date: Option<toml::Value>,
    from: Option<toml::Value>,
    to: Option<toml::Value>,
}

fn message(code: &str, field: &str, zh: String, en: String) -> UserMessage {
    UserMessage::new(code, zh, en).at(field)
}

/// Parses one published year and checks it: a year in range, the notice named, every date a real
/// date of that year, a range not backwards, every working weekend a Saturday or Sunday, no date
/// listed twice or as both a holiday and a working day. Every problem is reported at once.
pub(super) fn parse(text: &str) -> Result<YearTable> {
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(1);
        let detail = e.message().trim().to_owned();
        Error::invalid(message(
            "calendar.syntax",
            "file",
            format!("日历文件第{line}行格式有误：{detail}"),
            format!("The calendar file is malformed at line {line}: {detail}"),
        ))
    })?;

    let year = match file.year {
        None => {
            return Err(Error::invalid(message("calendar.year", "year", "缺少年份（year）".into(), "The year (year) is missing".into())));
        }
        Some(y) if !YEARS.contains(&y) => {
            return Err(Error::invalid(message(
                "calendar.year",
                "year",
                format!("年份{y}无效：应在{}到{}之间", YEARS.start(), YEARS.end()),
                format!("The year {y} is not valid: it must be from {} to {}", YEARS.start(), YEARS.end()),
            )));
        }
        Some(y) => y as i32,
    };
    let mut errors = Vec::new();

    let notice = file.notice.map(|n| n.trim().to_owned()).unwrap_or_default();
    if notice.is_empty() {
        errors.push(message(
            "calendar.notice",
            "notice",
            "请填写节假日安排所依据的通知（notice）".into(),
            "Name the notice the dates come from (notice)".into(),
        ));
    }

    let mut holidays = Vec::new();
    let entries = file.holidays.unwrap_or_default();
    if entries.is_empty() {
        errors.push(message(
            "calendar.holidays",
            "holidays",
            "缺少放假日期（holidays）".into(),
            "The holidays (holidays) are missing".into(),
        ));
    }
    for (i, entry) in entries.into_iter().enumerate() {
        let field = format!("holidays[{i}]");
        let name = entry.name.map(|n| n.trim().to_owned()).unwrap_or_default();
        let label_zh = if name.is_empty() { format!("第{}项假日", i + 1) } else { format!("第{}项假日（{name}）", i + 1) };
        let label_en = if name.is_empty() { format!("holiday {}", i + 1) } else { format!("holiday {} ({name})", i + 1) };
        if name.is_empty() {
            errors.push(message(
                "calendar.holiday_name",
                &format!("{field}.name"),
                format!("{label_zh}缺少名称（name）"),
                format!("Holiday {} has no name (name)", i + 1),
            ));
        }
        let mut date = |key: &str, value: &toml::Value| {
            let got = parse_date(value, year, &format!("{field}.{key}"), &label_zh, &label_en);
            got.map_err(|m| errors.push(m)).ok()
        };
        let range = match (&entry.date, &entry.from, &entry.to) {
            (Some(d), None, None) => date("date", d).map(|d| (d, d)),
            (None, Some(f), Some(t)) => match (date("from", f), date("to", t)) {
                (Some(f), Some(t)) if f > t => {
                    errors.push(message(
                        "calendar.range",
                        &format!("{field}.to"),
                        format!("{label_zh}的结束日期{t}早于开始日期{f}"),
                        format!("{} ends ({t}) before it begins ({f})", capitalised(&label_en)),
                    ));
                    None
                }
                (Some(f), Some(t)) => Some((f, t)),
                _ => None,
            },
            _ => {
                errors.push(message(
                    "calendar.holiday_dates",
                    &field,
                    format!("{label_zh}应写 date（一天）或 from 和 to（连续几天）"),
                    format!("{} needs either date (one day) or from and to (a range)", capitalised(&label_en)),
                ));
                None
            }
        };
        if let Some((from, to)) = range {
            holidays.push((field, label_zh, label_en, Holiday { name, from, to }));
        }
    }

    let mut working_weekends = Vec::new();
    let values = file.working_weekends;
    if values.is_none() {
        errors.push(message(
            "calendar.working_weekends",
            "working_weekends",
            "缺少调休上班日（working_weekends；没有则写 []）".into(),
            "The working weekends (working_weekends) are missing; write [] if there are none".into(),
        ));
    }
    for (i, value) in values.unwrap_or_default().iter().enumerate() {
        let field = format!("working_weekends[{i}]");
        let (label_zh, label_en) = (format!("第{}个调休上班日", i + 1), format!("working weekend {}", i + 1));
        let Ok(date) = parse_date(value, year, &field, &label_zh, &label_en).map_err(|m| errors.push(m)) else { continue };
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            errors.push(message(
                "calendar.not_weekend",
                &field,
                format!("{date}是{}，调休上班日应为周六或周日", weekday_zh(date.weekday())),
                format!("{date} is a {}: a working weekend day must be a Saturday or Sunday", date.format("%A")),
            ));
            continue;
        }
        if working_weekends.iter().any(|(_, d)| *d == date) {
            errors.push(message(
                "calendar.duplicate",
                &field,
                format!("调休上班日{date}重复"),
                format!("The working weekend {date} is listed twice"),
            ));
            continue;
        }
        working_weekends.push((field, date));
    }

    // Each holiday date once, and none also a working weekend.
    let mut off: BTreeMap<NaiveDate, &str> = BTreeMap::new();
    for (field, label_zh, label_en, h) in &holidays {
        // One overlap is reported once, not once per day.
        let mut overlapped = false;
        for day in h.from.iter_days().take_while(|d| *d <= h.to) {
            if let Some(other) = off.get(&day) {
                if !overlapped {
                    errors.push(message(
                        "calendar.duplicate",
                        field,
                        format!("{day}在{other}和{label_zh}中重复出现"),
                        format!("{day} of {label_en} is also in another holiday"),
                    ));
                }
                overlapped = true;
                continue;
            }
            off.insert(day, label_zh.as_str());
            if let Some((ww_field, _)) = working_weekends.iter().find(|(_, d)| *d == day) {
                errors.push(message(
                    "calendar.both",
                    ww_field,
                    format!("{day}既在{label_zh}中放假，又是调休上班日"),
                    format!("{day} is both a day off of {label_en} and a working weekend"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }

    let off: std::collections::BTreeSet<NaiveDate> = off.into_keys().collect();
    let holidays: Vec<Holiday> = holidays.into_iter().map(|(_, _, _, h)| h).collect();
    let mut working_weekends: Vec<NaiveDate> = working_weekends.into_iter().map(|(_, d)| d).collect();
    working_weekends.sort();
    let first = NaiveDate::from_yo_opt(year, 1).expect("a year in range");
    let days = if NaiveDate::from_yo_opt(year, 366).is_some() { 366 } else { 365 };
    let (mut before, mut working) = (Vec::with_capacity(days + 1), Vec::with_capacity(days));
    before.push(0u16);
    for (i, day) in first.iter_days().take(days).enumerate() {
        let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if (weekday && !off.contains(&day)) || working_weekends.binary_search(&day).is_ok() {
            working.push(i as u16);
        }
        before.push(working.len() as u16);
    }
    Ok(YearTable { year, notice, holidays, working_weekends, holiday_days: off.len() as u32, before, working })
}

/// A date written as text (`"2026-10-01"`) or as a TOML date (`2026-10-01`), in `year`.
fn parse_date(value: &toml::Value, year: i32, field: &str, label_zh: &str, label_en: &str) -> Result<NaiveDate, UserMessage> {
    let parsed = match value {
        toml::Value::String(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().filter(|_| text.trim().len() == 10),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            dt.date.and_then(|d| NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)))
        }
        _ => None,
    };
    let shown = match value {
        toml::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let date = parsed.ok_or_else(|| {
        message(
            "calendar.date",
            field,
            format!("{label_zh}的日期“{shown}”无效：应为实际存在的日期，写作YYYY-MM-DD"),
            format!("The date \"{shown}\" of {label_en} is not valid: write a real date as YYYY-MM-DD"),
        )
    })?;
    if date.year() != year {
        return Err(message(
            "calendar.date_year",
            field,
            format!("{label_zh}的日期{date}不在{year}年内"),
            format!("The date {date} of {label_en} is not in {year}"),
        ));
    }
    Ok(date)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn weekday_zh(day: Weekday) -> &'static str {
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][day.num_days_from_monday() as usize]
}
