//! The working-day calendar (SPEC §5): hand-computed cases across the 2025 and 2026 holidays and a
//! year end, the unpublished year, the file format's checks, the add/between inverse as a
//! property, every day of both years against the independent `chinesecalendar` oracle, the `hall
//! calendar` command line, and a later year loaded through `calendar.load`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hall::api::{LoadCalendarArgs, NoArgs, Request};
use hall::calendar::{Calendar, Source};
use proptest::prelude::*;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn cal() -> &'static Calendar {
    Calendar::shipped()
}

fn working(date: &str) -> bool {
    cal().is_working(d(date)).unwrap()
}

fn add(date: &str, n: u32) -> NaiveDate {
    cal().add_working_days(d(date), n).unwrap()
}

fn between(from: &str, to: &str) -> i64 {
    cal().working_days_between(d(from), d(to)).unwrap()
}

/// A made-up table for 2027, standing in for the notice head office will publish: it is NOT the
/// real 2027 arrangement. 元旦 on Friday 1/1 alone; Saturday 1/9 worked.
const TEST_2027: &str = r#"
year = 2027
notice = "测试用表（非真实通知）"
holidays = [
    { name = "元旦", date = "2027-01-01" },
    { name = "春节", from = 2027-02-05, to = 2027-02-11 },
]
working_weekends = ["2027-01-09"]
"#;

// ---- hand cases ----

#[test]
fn the_2026_spring_festival_with_its_two_working_saturdays() {
    // Fri 2/13 worked; Sat 2/14 worked (调休); Sun 2/15 to Mon 2/23 off; Tue 2/24 back; Sat 2/28
    // worked; Sun 3/1 off.
    assert!(working("2026-02-13"));
    assert!(working("2026-02-14"));
    for day in 15..=23 {
        assert!(!working(&format!("2026-02-{day}")), "2026-02-{day} is in the Spring Festival");
    }
    assert!(working("2026-02-24"));
    assert!(!working("2026-02-22"), "a Sunday inside the holiday");
    assert!(working("2026-02-27"));
    assert!(working("2026-02-28"));
    assert!(!working("2026-03-01"));

    assert_eq!(add("2026-02-13", 0), d("2026-02-13"));
    assert_eq!(add("2026-02-13", 1), d("2026-02-14"));
    assert_eq!(add("2026-02-13", 2), d("2026-02-24"));
    assert_eq!(add("2026-02-14", 1), d("2026-02-24"));
    // A rest day counts from the next working day: 2/15 + 1 = 2/24.
    assert_eq!(add("2026-02-15", 1), d("2026-02-24"));
    assert_eq!(add("2026-02-27", 1), d("2026-02-28"));
    assert_eq!(add("2026-02-28", 1), d("2026-03-02"));
    // (2/13, 2/28]: 2/14, 2/24, 2/25, 2/26, 2/27, 2/28 = 6.
    assert_eq!(between("2026-02-13", "2026-02-28"), 6);
    assert_eq!(between("2026-02-28", "2026-02-13"), -6);
    // (2/14, 2/23] holds no working day.
    assert_eq!(between("2026-02-14", "2026-02-23"), 0);
    // A residential supply plan (3 working days) accepted on Friday 2/13: 2/14, 2/24, 2/25.
    assert_eq!(add("2026-02-13", 3), d("2026-02-25"));
}

#[test]
fn the_2026_mid_autumn_and_national_day() {
    // Sun 9/20 worked; Fri 9/25 to Sun 9/27 off (中秋); Mon 9/28 to Wed 9/30 worked; Thu 10/1 to
    // Wed 10/7 off; Thu 10/8, Fri 10/9 and Sat 10/10 (调休) worked; Sun 10/11 off.
    assert!(working("2026-09-20"));
    assert!(!working("2026-09-19"));
    assert!(working("2026-09-24"));
    for day in ["2026-09-25", "2026-09-26", "2026-09-27"] {
        assert!(!working(day), "{day}");
    }
    for day in 1..=7 {
        assert!(!working(&format!("2026-10-0{day}")), "2026-10-0{day} is in National Day");
    }
    assert!(working("2026-10-08"));
    assert!(working("2026-10-10"));
    assert!(!working("2026-10-11"));

    assert_eq!(add("2026-09-24", 1), d("2026-09-28"));
    assert_eq!(add("2026-09-30", 1), d("2026-10-08"));
    assert_eq!(add("2026-09-30", 3), d("2026-10-10"));
    assert_eq!(add("2026-09-30", 4), d("2026-10-12"));
    // (9/24, 10/12]: 9/28, 9/29, 9/30, 10/8, 10/9, 10/10, 10/12 = 7.
    assert_eq!(between("2026-09-24", "2026-10-12"), 7);
}

#[test]
fn the_2025_holidays_and_working_weekends() {
    // Spring Festival: Sun 1/26 worked, Mon 1/27 worked, Tue 1/28 to Tue 2/4 off, Wed 2/5 back,
    // Sat 2/8 worked.
    assert!(working("2025-01-26"));
    assert!(working("2025-01-27"));
    assert!(!working("2025-01-28"));
    assert!(!working("2025-02-04"));
    assert!(working("2025-02-05"));
    assert!(working("2025-02-08"));
    assert!(!working("2025-02-09"));
    assert_eq!(add("2025-01-27", 1), d("2025-02-05"));
    assert_eq!(add("2025-02-07", 1), d("2025-02-08"));
    // (1/24, 2/10]: 1/26, 1/27, 2/5, 2/6, 2/7, 2/8, 2/10 = 7.
    assert_eq!(between("2025-01-24", "2025-02-10"), 7);
    // 元旦 alone on Wed 1/1; 清明 Fri 4/4 to Sun 4/6; Sun 4/27 worked for 劳动节 (Thu 5/1 to Mon 5/5);
    // 端午 Sat 5/31 to Mon 6/2.
    assert!(!working("2025-01-01"));
    assert!(working("2025-01-02"));
    assert!(!working("2025-04-04"));
    assert!(working("2025-04-07"));
    assert!(working("2025-04-27"));
    assert_eq!(add("2025-04-30", 1), d("2025-05-06"));
    assert!(!working("2025-06-02"));
    assert_eq!(add("2025-05-30", 1), d("2025-06-03"));
    // National Day with Mid-Autumn: Sun 9/28 worked, Wed 10/1 to Wed 10/8 off, Thu 10/9 back,
    // Sat 10/11 worked.
    assert!(working("2025-09-28"));
    assert!(!working("2025-10-08"));
    assert_eq!(add("2025-09-30", 1), d("2025-10-09"));
    assert_eq!(add("2025-09-30", 3), d("2025-10-11"));
    assert_eq!(add("2025-09-30", 4), d("2025-10-13"));
}

#[test]
fn a_count_crosses_the_year_end_into_the_next_published_year() {
    // Wed 2025-12-31 is worked; Thu 1/1 to Sat 1/3 are off; Sun 1/4 is worked (调休 for 元旦).
    // So the first working day after 2025-12-31 is Sunday 2026-01-04, and the second Monday 1/5.
    assert!(!working("2026-01-03"));
    assert!(working("2026-01-04"));
    assert_eq!(add("2025-12-31", 1), d("2026-01-04"));
    assert_eq!(add("2025-12-31", 2), d("2026-01-05"));
    assert_eq!(between("2025-12-31", "2026-01-05"), 2);
    // Fri 12/26 + 3: Mon 12/29, Tue 12/30, Wed 12/31; + 4: Sun 2026-01-04.
    assert_eq!(add("2025-12-26", 3), d("2025-12-31"));
    assert_eq!(add("2025-12-26", 4), d("2026-01-04"));
    // Both whole years: 248 working days each, and 2025-01-01 itself is a holiday; Thu 2026-12-31
    // is the last working day of 2026.
    assert_eq!(between("2025-01-01", "2026-12-31"), 496);
    assert_eq!(add("2025-01-01", 496), d("2026-12-31"));
    let err = cal().add_working_days(d("2025-01-01"), 497).unwrap_err();
    assert_eq!(err.code(), "calendar.unpublished");
}

#[test]
fn a_date_in_an_unpublished_year_is_an_error_naming_it() {
    // Monday 2027-01-04 would be a working day by the weekday alone; with no 2027 table it is an
    // error, never a guess.
    let err = cal().is_working(d("2027-01-04")).unwrap_err();
    assert_eq!(err.code(), "calendar.unpublished");
    assert_eq!(err.kind(), "invalid");
    let m = &err.messages()[0];
    assert_eq!(m.zh, "2027年的节假日安排尚未发布，请更新工作日历");
    assert_eq!(m.en, "The 2027 holiday calendar is not published yet: update the working-day calendar");
    assert!(cal().is_working(d("2024-12-31")).unwrap_err().messages()[0].zh.starts_with("2024年"));
    // Counting past the last published day, from inside a published year.
    let err = cal().add_working_days(d("2026-12-31"), 1).unwrap_err();
    assert!(err.messages()[0].zh.starts_with("2027年"), "{err}");
    assert_eq!(cal().add_working_days(d("2026-12-31"), 0).unwrap(), d("2026-12-31"));
    assert_eq!(cal().add_working_days(d("2027-01-04"), 0).unwrap_err().code(), "calendar.unpublished");
    assert_eq!(cal().working_days_between(d("2026-12-30"), d("2027-01-04")).unwrap_err().code(), "calendar.unpublished");
    assert_eq!(cal().working_days_between(d("2027-01-04"), d("2026-12-30")).unwrap_err().code(), "calendar.unpublished");
    // Working time up to midnight of 1 January 2027 needs no 2027 table; a second past it does.
    assert_eq!(cal().working_seconds_between(at("2026-12-31T09:00:00+08:00"), at("2027-01-01T00:00:00+08:00")).unwrap(), 15 * 3600);
    let err = cal().working_seconds_between(at("2026-12-31T09:00:00+08:00"), at("2027-01-01T00:00:01+08:00")).unwrap_err();
    assert_eq!(err.code(), "calendar.unpublished");
}

#[test]
fn working_time_counts_only_the_working_days_in_china_standard_time() {
    let secs = |from, to| cal().working_seconds_between(at(from), at(to)).unwrap();
    // Fri 2/13 16:00 to Tue 2/24 10:00: 8 h of 2/13, all of Sat 2/14, nothing 2/15-23, 10 h of 2/24:
    // 28,800 + 86,400 + 36,000 = 151,200.
    assert_eq!(secs("2026-02-13T16:00:00+08:00", "2026-02-24T10:00:00+08:00"), 151_200);
    // The same instants written in UTC (08:00Z is 16:00 in Beijing; 02:00Z is 10:00).
    assert_eq!(secs("2026-02-13T08:00:00Z", "2026-02-24T02:00:00Z"), 151_200);
    assert_eq!(secs("2026-02-24T10:00:00+08:00", "2026-02-13T16:00:00+08:00"), -151_200);
    // Within one day: a working Saturday counts, a holiday does not.
    assert_eq!(secs("2026-02-14T09:00:00+08:00", "2026-02-14T17:00:00+08:00"), 8 * 3600);
    assert_eq!(secs("2026-02-15T09:00:00+08:00", "2026-02-15T17:00:00+08:00"), 0);
    // 2025-12-31 23:00 UTC is already 1 January 2026 07:00 in Beijing, a holiday: from then to
    // 2026-01-04 08:00 (Beijing) is 8 h of the working Sunday.
    assert_eq!(secs("2025-12-31T23:00:00Z", "2026-01-04T08:00:00+08:00"), 8 * 3600);
    // The whole of both years: 496 working days.
    assert_eq!(secs("2025-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"), 496 * 86_400);
    assert_eq!(secs("2026-03-02T09:30:00+08:00", "2026-03-02T09:30:00+08:00"), 0);
}

// ---- the file format ----

fn codes(text: &str) -> Vec<(String, Option<String>)> {
    match Calendar::parse_year(text) {
        Ok(table) => panic!("{} should be refused", table.year()),
        Err(e) => e.messages().into_iter().map(|m| (m.code, m.field)).collect(),
    }
}

fn pair(code: &str, field: &str) -> (String, Option<String>) {
    (code.to_owned(), Some(field.to_owned()))
}

#[test]
fn a_published_year_is_checked_with_every_mistake_named() {
    let table = Calendar::parse_year(TEST_2027).unwrap();
    assert_eq!((table.year(), table.holiday_days(), table.working_weekends().len()), (2027, 8, 1));
    assert_eq!(table.notice(), "测试用表（非真实通知）");

    // Every mistake of one file at once, each at its field.
    let bad = r#"
year = 2027
notice = " "
holidays = [
    { name = "春节", from = "2027-02-10", to = "2027-02-08" },
    { name = "清明节", date = "2027-02-30" },
    { name = "元旦", from = "2026-12-31", to = "2027-01-02" },
    { name = "劳动节", from = "2027-05-01", to = "2027-05-05" },
    { name = "又一个", date = "2027-05-03" },
    { name = "", date = "2027-06-09" },
    { name = "两种写法", date = "2027-09-15", from = "2027-09-15", to = "2027-09-17" },
]
working_weekends = ["2027-01-04", "2027-05-02", "2027-04-25", "2027-04-25", "2028-01-01"]
"#;
    let got = codes(bad);
    let want = vec![
        pair("calendar.notice", "notice"),
        pair("calendar.range", "holidays[0].to"),
        pair("calendar.date", "holidays[1].date"),
        pair("calendar.date_year", "holidays[2].from"),
        pair("calendar.holiday_name", "holidays[5].name"),
        pair("calendar.holiday_dates", "holidays[6]"),
        // Monday 2027-01-04 is no weekend day.
        pair("calendar.not_weekend", "working_weekends[0]"),
        pair("calendar.duplicate", "working_weekends[3]"),
        pair("calendar.date_year", "working_weekends[4]"),
        // Sunday 5/2 is off in 劳动节 and listed as worked; 5/3 is in two holidays.
        pair("calendar.both", "working_weekends[1]"),
        pair("calendar.duplicate", "holidays[4]"),
    ];
    assert_eq!(got, want);
    let messages = Calendar::parse_year(bad).unwrap_err().messages();
    let text = |code: &str| messages.iter().find(|m| m.code == code).unwrap().clone();
    assert_eq!(text("calendar.not_weekend").zh, "2027-01-04是星期一，调休上班日应为周六或周日");
    assert_eq!(text("calendar.not_weekend").en, "2027-01-04 is a Monday: a working weekend day must be a Saturday or Sunday");
    assert_eq!(text("calendar.both").zh, "2027-05-02既在第4项假日（劳动节）中放假，又是调休上班日");
    assert!(text("calendar.date").en.contains("\"2027-02-30\""), "{:?}", text("calendar.date"));

    // Syntax, unknown keys (a typo) and missing parts.
    let syntax = Calendar::parse_year("year = 2027\nnotice = \"x\nholidays = []").unwrap_err().messages();
    assert_eq!(syntax[0].code, "calendar.syntax");
    assert!(syntax[0].zh.contains("第2行"), "{:?}", syntax[0]);
    assert!(syntax[0].en.contains("line 2"), "{:?}", syntax[0]);
    let typo = Calendar::parse_year("year = 2027\nnotice = \"x\"\nholiday = []\nworking_weekends = []").unwrap_err().messages();
    assert_eq!(typo[0].code, "calendar.syntax");
    assert!(typo[0].en.contains("holiday"), "{:?}", typo[0]);
    assert_eq!(codes("notice = \"x\""), [pair("calendar.year", "year")]);
    assert_eq!(codes("year = 207\nnotice = \"x\""), [pair("calendar.year", "year")]);
    assert_eq!(
        codes("year = 2027\nnotice = \"x\""),
        [pair("calendar.holidays", "holidays"), pair("calendar.working_weekends", "working_weekends")]
    );
    // A date with a time of day is not a date.
    assert_eq!(
        codes("year = 2027\nnotice = \"x\"\nholidays = [{ name = \"a\", date = 2027-01-01T08:00:00 }]\nworking_weekends = []"),
        [pair("calendar.date", "holidays[0].date")]
    );
    // Holidays on a weekend are fine (a block of days off includes them); an empty list of working
    // weekends is fine too.
    let plain = Calendar::parse_year(
        "year = 2028\nnotice = \"x\"\nholidays = [{ name = \"a\", from = 2028-01-01, to = 2028-01-03 }]\nworking_weekends = []",
    )
    .unwrap();
    // 2028 is a leap year starting on a Saturday: 52 weeks and 2 days (Sat, Sun), 260 weekdays;
    // 1/1-3 are Sat, Sun, Mon: one weekday off, 259 working days.
    assert_eq!(plain.working_day_count(), 259);
}

#[test]
fn the_shipped_files_are_the_spec_dates() {
    // SPEC §5, entry by entry.
    let spans = |year: i32| -> Vec<(NaiveDate, NaiveDate)> {
        cal().years().find(|t| t.year() == year).unwrap().holidays().iter().map(|h| (h.from, h.to)).collect()
    };
    let r = |a: &str, b: &str| (d(a), d(b));
    assert_eq!(
        spans(2025),
        [
            r("2025-01-01", "2025-01-01"),
            r("2025-01-28", "2025-02-04"),
            r("2025-04-04", "2025-04-06"),
            r("2025-05-01", "2025-05-05"),
            r("2025-05-31", "2025-06-02"),
            r("2025-10-01", "2025-10-08")
        ]
    );
    assert_eq!(
        spans(2026),
        [
            r("2026-01-01", "2026-01-03"),
            r("2026-02-15", "2026-02-23"),
            r("2026-04-04", "2026-04-06"),
            r("2026-05-01", "2026-05-05"),
            r("2026-06-19", "2026-06-21"),
            r("2026-09-25", "2026-09-27"),
            r("2026-10-01", "2026-10-07")
        ]
    );
    let weekends = |year: i32| -> Vec<String> {
        cal().years().find(|t| t.year() == year).unwrap().working_weekends().iter().map(|d| d.to_string()).collect()
    };
    assert_eq!(weekends(2025), ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]);
    assert_eq!(weekends(2026), ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]);
    for table in cal().years() {
        assert!(table.notice().starts_with(&format!("国务院办公厅关于{}年部分节假日安排的通知", table.year())));
        assert_eq!(cal().source(table.year()), Some(Source::Shipped));
    }
}

// ---- properties ----

fn any_published_date() -> impl Strategy<Value = NaiveDate> {
    (0u32..730).prop_map(|i| d("2025-01-01") + chrono::Days::new(u64::from(i)))
}

/// The n-th working day after `date` found by walking day by day: the slow way, for comparison.
fn walk(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if cal().is_working(day).ok()? {
            left -= 1;
        }
    }
    Some(day)
}

proptest! {
    #[test]
    fn add_and_between_are_inverse(date in any_published_date(), n in 0u32..520) {
        match cal().add_working_days(date, n) {
            Ok(due) => {
                prop_assert_eq!(Some(due), walk(date, n));
                prop_assert_eq!(cal().working_days_between(date, due).unwrap(), i64::from(n));
                prop_assert_eq!(cal().working_days_between(due, date).unwrap(), -i64::from(n));
                if n > 0 {
                    prop_assert!(due > date);
                    prop_assert!(cal().is_working(due).unwrap());
                }
            }
            Err(e) => {
                // Only when the count runs past 2026: the walk finds no date either.
                prop_assert_eq!(e.code(), "calendar.unpublished");
                prop_assert_eq!(walk(date, n), None);
            }
        }
    }

    #[test]
    fn between_then_add_lands_on_the_last_working_day_up_to_the_end(a in any_published_date(), b in any_published_date()) {
        let (from, to) = if a <= b { (a, b) } else { (b, a) };
        let k = cal().working_days_between(from, to).unwrap();
        prop_assert!(k >= 0);
        let reached = cal().add_working_days(from, k as u32).unwrap();
        prop_assert!(reached <= to);
        // Nothing worked after `reached` up to `to`.
        prop_assert_eq!(cal().working_days_between(reached, to).unwrap(), 0);
        if let Ok(next) = cal().add_working_days(from, k as u32 + 1) {
            prop_assert!(next > to);
        }
    }

    #[test]
    fn working_seconds_split_at_any_instant_add_up(a in 0i64..63_072_000, b in 0i64..63_072_000, c in 0i64..63_072_000) {
        // Instants in 2025-2026 (Beijing), split at a third: the parts add up to the whole.
        let start = at("2025-01-01T00:00:00+08:00");
        let mut t = [a, b, c];
        t.sort();
        let [x, y, z] = t.map(|s| start + chrono::Duration::seconds(s));
        let whole = cal().working_seconds_between(x, z).unwrap();
        prop_assert_eq!(whole, cal().working_seconds_between(x, y).unwrap() + cal().working_seconds_between(y, z).unwrap());
        prop_assert!(whole <= (z - x).num_seconds());
    }
}

// ---- the oracle ----

/// For each date on standard input, 1 if chinesecalendar counts it a workday, else 0.
const CHINESE_CALENDAR: &str = r#"
import sys, datetime
import chinese_calendar
for line in sys.stdin:
    day = datetime.date.fromisoformat(line.strip())
    print(day.isoformat(), 1 if chinese_calendar.is_workday(day) else 0)
"#;

#[test]
fn every_day_of_2025_and_2026_agrees_with_chinesecalendar() {
    let days: Vec<NaiveDate> = d("2025-01-01").iter_days().take_while(|day| day.year() <= 2026).collect();
    assert_eq!(days.len(), 730);
    let input: String = days.iter().map(|day| format!("{day}\n")).collect();
    let answers = common::oracle(CHINESE_CALENDAR, &input);
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for (day, line) in days.iter().zip(answers.lines()) {
        let (date, flag) = line.split_once(' ').unwrap();
        assert_eq!(date, day.to_string());
        compared += 1;
        if cal().is_working(*day).unwrap() != (flag == "1") {
            disagreements.push(line.to_owned());
        }
    }
    assert_eq!(compared, 730);
    assert!(disagreements.is_empty(), "chinesecalendar disagrees on: {disagreements:?}");
}

// ---- the command line ----

/// Runs `hall` in `dir` with no database unless the arguments name one.
fn hall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hall")).current_dir(dir).env_remove("HALL_DB").args(args).output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim_end().to_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_command_line_answers_with_output_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();

    let saturday = hall(p, &["calendar", "is-working", "2026-02-14"]);
    assert_eq!(saturday.status.code(), Some(0), "{}", err(&saturday));
    assert_eq!(out(&saturday), "2026-02-14 工作日 working day");
    let festival = hall(p, &["calendar", "is-working", "2026-02-16"]);
    assert_eq!(festival.status.code(), Some(1));
    assert_eq!(out(&festival), "2026-02-16 休息日 rest day");
    let unpublished = hall(p, &["calendar", "is-working", "2027-01-04"]);
    assert_eq!(unpublished.status.code(), Some(2));
    assert_eq!(out(&unpublished), "");
    assert!(err(&unpublished).contains("calendar.unpublished"), "{}", err(&unpublished));
    assert!(err(&unpublished).contains("2027年的节假日安排尚未发布"), "{}", err(&unpublished));
    let not_a_date = hall(p, &["calendar", "is-working", "2026-02-30"]);
    assert_eq!(not_a_date.status.code(), Some(2));

    let add = hall(p, &["calendar", "add", "2025-12-31", "1"]);
    assert_eq!((add.status.code(), out(&add)), (Some(0), "2026-01-04".to_owned()), "{}", err(&add));
    assert_eq!(out(&hall(p, &["calendar", "add", "2026-09-30", "3"])), "2026-10-10");
    let past = hall(p, &["calendar", "add", "2026-12-31", "1"]);
    assert_eq!(past.status.code(), Some(2));
    assert!(err(&past).contains("2027"), "{}", err(&past));

    let between = hall(p, &["calendar", "between", "2026-02-13", "2026-02-28"]);
    assert_eq!((between.status.code(), out(&between)), (Some(0), "6".to_owned()));
    assert_eq!(out(&hall(p, &["calendar", "between", "2026-02-28", "2026-02-13"])), "-6");

    // None of them made a database.
    assert_eq!(std::fs::read_dir(p).unwrap().count(), 0);
    // A database that does not exist is an error, not a new file.
    let missing = hall(p, &["--db", "none.db", "calendar", "is-working", "2026-02-14"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(!p.join("none.db").exists());

    // A later year stored in a database: the queries see it with --db (before or after the
    // subcommand, or HALL_DB).
    std::fs::write(p.join("2027.toml"), TEST_2027).unwrap();
    let load = hall(p, &["--db", "hall.db", "calendar", "load", "2027.toml"]);
    assert!(load.status.success(), "{}", err(&load));
    assert!(out(&load).contains("stored the 2027 calendar"), "{}", out(&load));
    let monday = hall(p, &["calendar", "is-working", "2027-01-04", "--db", "hall.db"]);
    assert_eq!(monday.status.code(), Some(0), "{}", err(&monday));
    // Thu 2026-12-31 + 1: Fri 2027-01-01 is off in the test table, so Monday 1/4.
    assert_eq!(out(&hall(p, &["--db", "hall.db", "calendar", "add", "2026-12-31", "1"])), "2027-01-04");
    let env = Command::new(env!("CARGO_BIN_EXE_hall"))
        .current_dir(p)
        .env("HALL_DB", "hall.db")
        .args(["calendar", "between", "2026-12-31", "2027-01-09"])
        .output()
        .unwrap();
    // (12/31, 1/9]: 1/4-8 and the test table's working Saturday 1/9 = 6.
    assert_eq!(out(&env), "6", "{}", err(&env));
    // Without --db the default database (hall.db here) is read when it exists: a year just loaded
    // counts at once.
    assert_eq!(hall(p, &["calendar", "is-working", "2027-01-04"]).status.code(), Some(0));

    // A file with mistakes is refused with each of them, and stores nothing.
    std::fs::write(p.join("bad.toml"), TEST_2027.replace("2027-01-09", "2027-01-08")).unwrap();
    let bad = hall(p, &["--db", "bad.db", "calendar", "load", "bad.toml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("calendar.not_weekend"), "{}", err(&bad));
    let conn = rusqlite::Connection::open(p.join("bad.db")).unwrap();
    let stored: i64 = conn.query_row("SELECT count(*) FROM calendar_years", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
}

// ---- calendar.status and calendar.load ----

fn counts(f: &common::Fixture) -> [i64; 3] {
    let store = f.app.store();
    ["calendar_years", "outbox", "audit_log"]
        .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
}

#[test]
fn a_published_later_year_loaded_by_a_manager_makes_its_dates_work() {
    let f = common::fixture();
    let status = |token: &str| f.app.call(Some(token), Request::CalendarStatus(NoArgs {})).unwrap();

    // 2 March 2026: this year is published and it is not December yet.
    let before = status(&f.login("clerk"));
    assert_eq!(before["warning"], serde_json::Value::Null);
    assert_eq!(
        before["years"],
        serde_json::json!([
            { "year": 2025, "source": "shipped", "holidays": 28, "working_weekends": 5 },
            { "year": 2026, "source": "shipped", "holidays": 33, "working_weekends": 6 },
        ])
    );
    // From 1 December (Beijing time) the missing 2027 is a warning; on 30 November it is not yet.
    // (Each time after moving the clock the user logs in again: the old session has gone idle.)
    f.clock.set(at("2026-11-30T23:59:00+08:00"));
    assert_eq!(status(&f.login("clerk"))["warning"], serde_json::Value::Null);
    f.clock.set(at("2026-12-01T09:00:00+08:00"));
    let clerk = f.login("clerk");
    let manager = f.login("manager");
    let warned = status(&clerk);
    assert_eq!(warned["warning"]["code"], "calendar.unpublished");
    assert_eq!(warned["warning"]["zh"], "2027年的节假日安排尚未发布，请更新工作日历");

    let file = f.dir.path().join("2027.toml");
    std::fs::write(&file, TEST_2027).unwrap();
    let load =
        |token: &str, path: &Path| f.app.call(Some(token), Request::LoadCalendar(LoadCalendarArgs { path: path.display().to_string() }));

    // A clerk may not load a year; a file with mistakes, or no file, is refused; none writes.
    let untouched = counts(&f);
    assert_eq!(load(&clerk, &file).unwrap_err().code(), "role.denied");
    let bad = f.dir.path().join("bad.toml");
    std::fs::write(&bad, TEST_2027.replace("\"2027-01-09\"", "\"2027-02-06\"")).unwrap();
    let refused = load(&manager, &bad).unwrap_err();
    assert_eq!(refused.code(), "calendar.both", "{refused}");
    assert_eq!(load(&manager, &f.dir.path().join("absent.toml")).unwrap_err().code(), "calendar.file");
    assert_eq!(counts(&f), untouched);
    assert!(hall::store::calendar::load(f.app.store().conn()).unwrap().is_working(d("2027-01-04")).is_err());

    // The manager loads it: 2027 is listed as loaded from a file, the warning is gone.
    let loaded = load(&manager, &file).unwrap();
    assert_eq!(loaded["warning"], serde_json::Value::Null);
    assert_eq!(loaded["years"][2], serde_json::json!({ "year": 2027, "source": "file", "holidays": 8, "working_weekends": 1 }));
    assert_eq!(status(&clerk), loaded);
    let [years, outbox, audit] = counts(&f);
    assert_eq!([years, outbox, audit], [untouched[0] + 1, untouched[1] + 1, untouched[2] + 1]);

    // 2027 dates now work, across the year end too.
    let calendar = hall::store::calendar::load(f.app.store().conn()).unwrap();
    assert_eq!(calendar.source(2027), Some(Source::File));
    assert!(calendar.is_working(d("2027-01-04")).unwrap());
    assert!(!calendar.is_working(d("2027-01-01")).unwrap());
    assert!(calendar.is_working(d("2027-01-09")).unwrap());
    assert_eq!(calendar.add_working_days(d("2026-12-31"), 1).unwrap(), d("2027-01-04"));
    assert_eq!(calendar.add_working_days(d("2027-02-04"), 1).unwrap(), d("2027-02-12"));

    // The event carries the table for head office; the audit entry says who loaded it.
    let events = hall::store::outbox::all(f.app.store().conn()).unwrap();
    let event = events.last().unwrap();
    assert_eq!((event.kind.as_str(), event.entity_id.as_str()), ("calendar.published", "2027"));
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["body"], TEST_2027);
    assert_eq!(payload["replaced"], serde_json::Value::Null);
    let store = f.app.store();
    let (action, user): (String, Option<String>) = store
        .conn()
        .query_row("SELECT action, user_id FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(action, "calendar.publish");
    assert!(user.is_some());
    assert!(hall::store::audit::verify(store.conn()).unwrap().first_broken.is_none());
    drop(store);

    // On 2 January 2028 the current year is the missing one.
    f.clock.set(at("2028-01-02T09:00:00+08:00"));
    assert_eq!(status(&f.login("clerk"))["warning"]["zh"], "2028年的节假日安排尚未发布，请更新工作日历");
}

#[test]
fn a_stored_year_replaces_the_shipped_one() {
    let f = common::fixture();
    let manager = f.login("manager");
    // A corrected 2026 (made up for the test): Monday 3/2 off as well.
    let corrected = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/calendar/2026.toml"))
        .unwrap()
        .replace("{ name = \"清明节\"", "{ name = \"测试\", date = \"2026-03-02\" },\n    { name = \"清明节\"");
    let file = f.dir.path().join("2026.toml");
    std::fs::write(&file, &corrected).unwrap();
    let loaded = f.app.call(Some(&manager), Request::LoadCalendar(LoadCalendarArgs { path: file.display().to_string() })).unwrap();
    assert_eq!(loaded["years"][1], serde_json::json!({ "year": 2026, "source": "file", "holidays": 34, "working_weekends": 6 }));
    let calendar = hall::store::calendar::load(f.app.store().conn()).unwrap();
    assert!(!calendar.is_working(d("2026-03-02")).unwrap());
    assert!(Calendar::shipped().is_working(d("2026-03-02")).unwrap());
    let events = hall::store::outbox::all(f.app.store().conn()).unwrap();
    let payload: serde_json::Value = serde_json::from_str(&events.last().unwrap().payload).unwrap();
    assert_eq!(payload["replaced"], "shipped");
}
