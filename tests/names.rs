//! Names and IDs through the command set: customers found by the pinyin of their surnames
//! (compound surnames, surnames with a reading of their own, ü typed as v or u), the keys of an
//! existing database corrected by its migration, and resident IDs checked as GB 11643 says.
//! Two independent oracles check the tables and rules: pypinyin and python-stdnum, in the
//! virtual environment at `.venv` (scripts/setup.sh creates it from scripts/oracles.txt).

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::{draft, fixture, oracle};
use hall::api::*;
use hall::model::ids::{resident_id, resident_id_check_char};
use hall::model::name_keys::{full_pinyin, initials, keyboard_form};
use hall::store::search::{SearchPage, SearchQuery};
use hall::store::{LATEST_VERSION, Store, migrate_to, open_connection};

fn accounts_found(f: &common::Fixture, token: &str, text: &str) -> Vec<String> {
    let value = f.app.call(Some(token), Request::SearchCustomers(SearchQuery { text: text.into(), offset: 0, limit: 20 })).unwrap();
    let page: SearchPage = serde_json::from_value(value).unwrap();
    page.hits.into_iter().map(|h| h.account).collect()
}

/// Creates one customer per name, accounts 3300000001 on.
fn create_all(f: &common::Fixture, token: &str, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        let account = format!("33000000{:02}", i + 1);
        let mut d = draft(&account, name);
        d.phones = vec![format!("1380000{:04}", i + 1)];
        f.app.call(Some(token), Request::CreateCustomer(d)).unwrap();
    }
}

const NAMES: [&str; 5] = ["欧阳修", "单田芳", "吕布", "区小明", "万俟明"];

/// What a clerk types and whom it finds, by the published readings: 欧阳 Ōuyáng, 单 Shàn as a
/// surname (not dān), 吕 Lǚ (a keyboard types ü as v; u is accepted too), 区 Ōu (not qū), 万俟
/// Mòqí (not wàn qí).
const TYPED: [(&str, &str); 14] = [
    ("oy", "3300000001"),
    ("oyx", "3300000001"),
    ("ouyang", "3300000001"),
    ("ouyangxiu", "3300000001"),
    ("s", "3300000002"),
    ("stf", "3300000002"),
    ("shan", "3300000002"),
    ("lv", "3300000003"),
    ("lu", "3300000003"),
    ("lvbu", "3300000003"),
    ("lub", "3300000003"),
    ("oxm", "3300000004"),
    ("mqm", "3300000005"),
    ("moqi", "3300000005"),
];

#[test]
fn search_finds_surnames_by_their_own_reading_and_u_umlaut_by_v_or_u() {
    let f = fixture();
    let token = f.login("clerk");
    create_all(&f, &token, &NAMES);
    for (text, account) in TYPED {
        assert!(accounts_found(&f, &token, text).contains(&account.to_owned()), "{text} should find {account}");
    }
    // The common readings do not find them: 单 dan, 区 qu, 万俟 wan qi.
    assert!(accounts_found(&f, &token, "dtf").is_empty());
    assert!(accounts_found(&f, &token, "quxiaoming").is_empty());
    assert!(accounts_found(&f, &token, "wqm").is_empty());
}

/// A database whose keys were written by a build before migration 010 gets them corrected by it.
#[test]
fn an_existing_database_gets_its_keys_corrected_by_the_migration() {
    let f = fixture();
    let token = f.login("clerk");
    create_all(&f, &token, &NAMES);
    let path = f.db_path();
    let common::Fixture { dir, app, clock } = f;
    drop(app);
    {
        // The keys as the earlier build wrote them: a small table of single surnames (单 shan and
        // 区 ou were in it), each other character's first reading in the pinyin crate (万俟 wan qi;
        // 欧阳 ou yang is right that way), and ü as the crate spells it.
        let conn = open_connection(&path).unwrap();
        for (name, initials, pinyin) in
            [("欧阳修", "oyx", "ouyangxiu"), ("单田芳", "stf", "shantianfang"), ("吕布", "lb", "lübu"), ("万俟明", "wqm", "wanqiming")]
        {
            let changed = conn
                .execute("UPDATE customers SET name_initials = ?2, name_pinyin = ?3 WHERE name = ?1", (name, initials, pinyin))
                .unwrap();
            assert_eq!(changed, 1);
        }
        // Migration 010 runs again from the version before it; the later migrations, which this
        // database already has, are not run twice.
        conn.pragma_update(None, "user_version", 9).unwrap();
        let mut conn = conn;
        migrate_to(&mut conn, 10).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION as i64).unwrap();
    }
    let app = App::new(Store::open(&path).unwrap(), clock.clone());
    let f = common::Fixture { dir, app, clock };
    let token = f.login("clerk");
    for (text, account) in TYPED {
        assert!(accounts_found(&f, &token, text).contains(&account.to_owned()), "{text} should find {account} after the migration");
    }
    assert!(accounts_found(&f, &token, "wanqi").is_empty());
}

#[test]
fn an_id_born_before_1900_is_accepted_and_february_30_refused_with_the_reason() {
    let f = fixture();
    let token = f.login("clerk");
    let mut old = draft("3300000001", "张三");
    // Check character of 11010518991231002 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2): the sum is
    // 7+9+0+5+0+20+2+8+54+27+7+18+30+5+0+0+4 = 196, 196 mod 11 = 9, and 10X98765432[9] = '3'.
    old.id_number = "110105189912310023".into();
    f.app.call(Some(&token), Request::CreateCustomer(old)).unwrap();

    let before = f.footprint();
    let mut feb30 = draft("3300000002", "李四");
    feb30.id_number = with_check("11010519900230002");
    let err = f.app.call(Some(&token), Request::CreateCustomer(feb30)).unwrap_err();
    let message = err.messages().into_iter().find(|m| m.field.as_deref() == Some("id_number")).unwrap();
    assert_eq!(message.code, "id_number.birth_date");
    assert_eq!(message.zh, "身份证号中的出生日期19900230不是真实的日期：1990年2月只有28天");
    assert_eq!(message.en, "The birth date in the resident ID, 19900230, is not a real date: February 1990 has 28 days");

    // The fixture's clock stands at 2026-03-02 09:30 in China: the next day is in the future.
    let mut tomorrow = draft("3300000003", "王五");
    tomorrow.id_number = with_check("11010520260303002");
    let err = f.app.call(Some(&token), Request::CreateCustomer(tomorrow)).unwrap_err();
    assert_eq!(err.code(), "id_number.birth_date_future");
    assert_eq!(f.footprint(), before);
}

/// The duplicate account comes with the draft's other errors, not alone after they are fixed.
#[test]
fn a_taken_account_and_meter_are_reported_with_every_other_error() {
    let f = fixture();
    let token = f.login("clerk");
    f.app.call(Some(&token), Request::CreateCustomer(draft("3300000001", "张三"))).unwrap();
    let before = f.footprint();
    let mut bad = draft("3300000001", " ");
    bad.phones = vec!["12345".into()];
    bad.meters[0].number = "M3300000001".into();
    for request in [Request::CreateCustomer(bad.clone()), Request::CheckCustomer(bad)] {
        let err = f.app.call(Some(&token), request).unwrap_err();
        let codes: Vec<String> = err.messages().into_iter().map(|m| m.code).collect();
        assert_eq!(codes, ["name.required", "phone.format", "account.taken", "meters.taken"]);
    }
    assert_eq!(f.footprint(), before);
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", resident_id_check_char(first17) as char)
}

// ---- oracles ----

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// For each surname of the table: pypinyin's reading of the surname followed by 明 (its phrase
/// dictionary knows the compound surnames), its default reading of a single surname, and every
/// reading it lists for a single character; toneless, ü as v (pypinyin's own keyboard form).
const PYPINYIN: &str = r#"
import sys
from pypinyin import lazy_pinyin, pinyin, Style
for line in sys.stdin:
    surname = line.strip()
    phrase = lazy_pinyin(surname + "明")
    readings = sorted({p for p in pinyin(surname, heteronym=True, style=Style.NORMAL)[0]}) if len(surname) == 1 else []
    print(surname, "".join(phrase), "".join(p[0] for p in phrase), ",".join(readings), sep="\t")
"#;

/// Single surnames whose reading as a surname is not the character's common reading, as
/// 《现代汉语词典》 (第7版) gives them ("姓"); pypinyin reads these characters the common way.
const OWN_READINGS: &[(&str, &str)] = &[
    ("乐", "yue"),
    ("卜", "bu"),
    ("缪", "miao"),
    ("解", "xie"),
    ("单", "shan"),
    ("仇", "qiu"),
    ("薄", "bo"),
    ("能", "nai"),
    ("翟", "zhai"),
    ("都", "du"),
    ("阚", "kan"),
    ("曾", "zeng"),
    ("查", "zha"),
    ("盖", "ge"),
    ("佴", "nai"),
    ("洗", "xian"),
    ("区", "ou"),
    ("朴", "piao"),
    ("覃", "qin"),
    ("种", "chong"),
    ("召", "shao"),
    ("秘", "bi"),
    ("员", "yun"),
    ("繁", "po"),
    ("郇", "xun"),
    ("蕃", "pi"),
    ("句", "gou"),
    ("粘", "nian"),
    ("祭", "zhai"),
    ("角", "jue"),
    ("番", "pan"),
    ("折", "she"),
    ("藏", "zang"),
    ("长", "chang"),
    ("重", "chong"),
    ("乜", "nie"),
];

/// Compound surnames that pypinyin's phrase dictionary reads otherwise, on purpose: 乐正 is
/// Yuèzhèng (乐 as a surname is yuè); 子车 is Zǐjū in the annotated 《百家姓》 (车 jū, as in 车马).
const COMPOUND_DIFFERENCES: [&str; 2] = ["乐正", "子车"];

#[test]
fn the_surname_table_agrees_with_pypinyin_and_the_published_readings() {
    let table = std::fs::read_to_string(repo_path("assets/surnames.tsv")).unwrap();
    let surnames: Vec<&str> =
        table.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| l.split('\t').next().unwrap()).collect();
    let answers = oracle(PYPINYIN, &surnames.join("\n"));
    let mut checked = 0;
    for line in answers.lines() {
        let [surname, phrase, phrase_initials, readings]: [&str; 4] = line.split('\t').collect::<Vec<_>>().try_into().unwrap();
        let name = format!("{surname}明");
        let (ours, ours_initials) = (full_pinyin(&name), initials(&name));
        if surname.chars().count() == 2 {
            if COMPOUND_DIFFERENCES.contains(&surname) {
                assert_ne!(ours, keyboard_form(phrase), "{surname}: listed as a difference but pypinyin agrees");
            } else {
                assert_eq!((ours.as_str(), ours_initials.as_str()), (keyboard_form(phrase).as_str(), phrase_initials), "{surname}");
            }
        } else {
            let reading = ours.strip_suffix("ming").unwrap();
            let listed: Vec<String> = readings.split(',').map(keyboard_form).collect();
            assert!(listed.iter().any(|r| r == reading), "{surname}: {reading} is not one of pypinyin's readings {listed:?}");
            match OWN_READINGS.iter().find(|(s, _)| *s == surname) {
                Some((_, own)) => assert_eq!(reading, *own, "{surname}"),
                None => assert_eq!(ours, keyboard_form(phrase), "{surname}: read otherwise than its common reading"),
            }
        }
        checked += 1;
    }
    assert_eq!(checked, surnames.len());
    assert!(checked > 500, "{checked}");
}

/// For each ID on standard input: whether python-stdnum finds its structure, check digit, birth
/// date and birth place valid, checked one by one.
const STDNUM: &str = r#"
import sys
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
def ok(f, n):
    try:
        f(n)
        return "1"
    except ValidationError:
        return "0"
for line in sys.stdin:
    n = line.strip()
    structure = len(n) == 18 and n[:17].isdigit() and (n[17].isdigit() or n[17] == "X")
    if not structure:
        print("0000")
        continue
    print("1" + ("1" if n[-1] == ric.calc_check_digit(n) else "0") + ok(ric.get_birth_date, n) + ok(ric.get_birth_place, n))
"#;

/// Deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// IDs with at most one fault each: a bad province, a date that is not real or in the future, a
/// wrong check character, a wrong length. Compared with python-stdnum field by field, with two
/// deliberate differences: stdnum accepts a birth date after today (a number issued for a person
/// not yet born is not valid, so we refuse it), and stdnum checks the whole area code against its
/// table of counties and the years each existed (110105 only from its creation on, 330106 for none
/// of these years), where we check the province only (see `ids::resident_id`), so for the area
/// only our refusals are compared: a province we refuse, stdnum refuses too.
#[test]
fn resident_ids_agree_with_python_stdnum() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let areas = ["110105", "330106", "440305", "650102", "710000", "810000", "830000", "990101", "000000", "100101", "390101"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ids = Vec::new();
    for _ in 0..3000 {
        let area = areas[rng.below(areas.len() as u64) as usize];
        let year = 1800 + rng.below(240);
        let (month, day) = if rng.below(4) == 0 { (rng.below(14), rng.below(33)) } else { (1 + rng.below(12), 1 + rng.below(31)) };
        let first17 = format!("{area}{year:04}{month:02}{day:02}{:03}", rng.below(1000));
        let mut id = with_check(&first17);
        match rng.below(10) {
            0 => id = format!("{first17}{}", if id.ends_with('0') { '1' } else { '0' }),
            1 => id.truncate(17),
            _ => {}
        }
        ids.push(id);
    }
    ids.push(with_check("11010500000101002"));
    let verdicts = oracle(STDNUM, &ids.join("\n"));
    let mut compared = [0usize; 4];
    for (id, verdict) in ids.iter().zip(verdicts.lines()) {
        let [structure, check, date, place]: [bool; 4] = verdict.chars().map(|c| c == '1').collect::<Vec<_>>().try_into().unwrap();
        let ours = resident_id(id, today);
        let code = ours.as_ref().err().map(|m| m.code.as_str());
        if !structure {
            assert_eq!(code, Some("id_number.format"), "{id}");
            compared[0] += 1;
            continue;
        }
        if code == Some("id_number.area") {
            assert!(!place, "{id}: we refuse the province, stdnum accepts the place");
            continue;
        }
        // Ours checks the date before the check digit; with at most one fault the order is moot.
        let future = id.get(6..14).and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok()).is_some_and(|d| d > today);
        let expected = match (date, check) {
            (false, _) => Some("id_number.birth_date"),
            (true, _) if future => Some("id_number.birth_date_future"),
            (true, false) => Some("id_number.check_digit"),
            (true, true) => None,
        };
        assert_eq!(code, expected, "{id}: stdnum says check {check}, date {date}");
        compared[if expected.is_none() {
            1
        } else if date {
            2
        } else {
            3
        }] += 1;
    }
    assert_eq!(verdicts.lines().count(), ids.len());
    // Each kind of outcome occurs: malformed, valid, a wrong check digit or a future date, a date not real.
    assert!(compared.iter().all(|&n| n > 50), "{compared:?}");
}
