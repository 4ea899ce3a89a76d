//! Identifier rules: the resident ID (GB 11643), the unified social credit code (GB 32100), phone
//! numbers and the 10-digit account number. Each function normalises its input and either returns
//! the canonical form or says precisely what is wrong.

use chrono::{Datelike, NaiveDate};

use crate::error::UserMessage;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Validates an 18-character resident ID (GB 11643-1999): 17 digits, an area code in a real
/// province, a birth date that is a real calendar date (GB/T 7408) and not after `today`, and the
/// ISO 7064 MOD 11-2 check character. A lower-case `x` is accepted and returned upper-case.
///
/// The standard sets no earliest birth year, and neither does this: records of people born before
/// 1900 exist. The area code is checked to its province only: county codes are added, merged and
/// retired over the years (GB/T 2260 is revised almost yearly) while the IDs issued under them
/// stay valid, so a table of counties would refuse good numbers whenever it is out of date.
pub fn resident_id(input: &str, today: NaiveDate) -> Result<String, UserMessage> {
    let id = input.trim().to_ascii_uppercase();
    let bytes = id.as_bytes();
    let well_formed = bytes.len() == 18 && bytes[..17].iter().all(u8::is_ascii_digit) && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !well_formed {
        return Err(UserMessage::new(
            "id_number.format",
            "身份证号应为18位：17位数字加1位数字或X",
            "A resident ID has 18 characters: 17 digits and a final digit or X",
        ));
    }
    if !PROVINCE_CODES.contains(&&id[..2]) {
        return Err(UserMessage::new(
            "id_number.area",
            format!("身份证号前两位{}不是省级行政区划代码", &id[..2]),
            format!("The resident ID's first two digits, {}, are not a province code", &id[..2]),
        ));
    }
    birth_date(&id[6..14], today)?;
    if bytes[17] != resident_id_check_char(&id[..17]) {
        return Err(UserMessage::new(
            "id_number.check_digit",
            "身份证号校验位不正确，请核对",
            "The resident ID's check digit is wrong; please check the number",
        ));
    }
    Ok(id)
}

/// The first two digits of an area code (GB/T 2260's province-level divisions), and 83, under
/// which Taiwan residents' residence permits are numbered in this format, as those of Hong Kong
/// (81) and Macao (82) residents are.
const PROVINCE_CODES: [&str; 35] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
    "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
];

const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// The birth date of a resident ID (`YYYYMMDD`, eight digits), or why it is not one: not a real
/// calendar date (the reason says which part is wrong), or after `today`.
fn birth_date(digits: &str, today: NaiveDate) -> Result<NaiveDate, UserMessage> {
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().expect("eight digits");
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let not_real = |zh: String, en: String| {
        UserMessage::new(
            "id_number.birth_date",
            format!("身份证号中的出生日期{digits}不是真实的日期：{zh}"),
            format!("The birth date in the resident ID, {digits}, is not a real date: {en}"),
        )
    };
    if year == 0 {
        return Err(not_real("公历没有0年".into(), "the calendar has no year 0".into()));
    }
    if !(1..=12).contains(&month) {
        return Err(not_real(format!("没有{month}月"), format!("there is no month {month:02}")));
    }
    if day == 0 {
        return Err(not_real("没有0日".into(), "there is no day 00".into()));
    }
    let first = NaiveDate::from_ymd_opt(year as i32, month, 1).expect("a real month");
    let days = first.checked_add_months(chrono::Months::new(1)).map_or(31, |next| (next - first).num_days() as u32);
    let Some(date) = first.with_day(day) else {
        let month_en = MONTHS_EN[month as usize - 1];
        return Err(not_real(format!("{year}年{month}月只有{days}天"), format!("{month_en} {year} has {days} days")));
    };
    if date > today {
        return Err(UserMessage::new(
            "id_number.birth_date_future",
            format!("身份证号中的出生日期{year}年{month}月{day}日晚于今天"),
            format!("The birth date in the resident ID, {date}, is after today"),
        ));
    }
    Ok(date)
}

/// The GB 11643 check character for the first 17 digits. Panics if they are not digits.
pub fn resident_id_check_char(first17: &str) -> u8 {
    let sum: u32 = first17.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    ID_CHECK_CHARS[(sum % 11) as usize]
}

const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The outcome of checking a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uscc {
    pub code: String,
    /// GB 32100's check character failed. Some early codes are legal and fail it, so this warns
    /// rather than blocks.
    pub check_failed: bool,
}

/// Validates a unified social credit code (GB 32100-2015): 18 characters from the code's 31-letter
/// alphabet (no I, O, Z, S, V). The check character is reported, not enforced.
pub fn uscc(input: &str) -> Result<Uscc, UserMessage> {
    let code = input.trim().to_ascii_uppercase();
    let values: Option<Vec<usize>> = code.chars().map(|c| USCC_CHARSET.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err(UserMessage::new(
            "uscc.format",
            "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）",
            "A unified social credit code has 18 digits or capital letters (no I, O, Z, S, V)",
        ));
    };
    let check_failed = values[17] != uscc_check_value(&values[..17]);
    Ok(Uscc { code, check_failed })
}

/// The index in the GB 32100 alphabet of the check character for the first 17 values.
pub fn uscc_check_value(first17: &[usize]) -> usize {
    let sum: usize = first17.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

/// The GB 32100 check character for the first 17 characters of a code.
pub fn uscc_check_char(first17: &str) -> char {
    let values: Vec<usize> = first17.chars().map(|c| USCC_CHARSET.find(c).expect("USCC alphabet")).collect();
    USCC_CHARSET.as_bytes()[uscc_check_value(&values)] as char
}

/// Normalises a phone number: an 11-digit mainland mobile (1[3-9]xxxxxxxxx) or a landline with its
/// area code (0xx[x]-xxxxxxx[x]), written with or without spaces or a dash. Landlines come back as
/// `0571-87654321`.
pub fn phone(input: &str) -> Result<String, UserMessage> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let bad = || {
        UserMessage::new(
            "phone.format",
            "电话号码格式不正确：手机号为11位（1开头），固话需带区号",
            "Not a valid phone number: a mobile has 11 digits starting with 1, a landline needs its area code",
        )
    };
    if !all_digits {
        return Err(bad());
    }
    let b = digits.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Ok(digits);
    }
    if b[0] == b'0' && b.get(1).is_some_and(|&c| c != b'0') {
        // Two-digit area codes (010 Beijing, 02x) are 3 long with the 0; the rest are 4 long.
        let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
        let local = b.len().saturating_sub(area_len);
        if (7..=8).contains(&local) {
            return Ok(format!("{}-{}", &digits[..area_len], &digits[area_len..]));
        }
    }
    Err(bad())
}

/// A phone's search key: its digits, last first, so that the whole number and its last four
/// digits are both prefixes of it.
pub fn phone_key(phone: &str) -> String {
    phone.chars().rev().filter(char::is_ascii_digit).collect()
}

/// A customer account (户号): exactly 10 digits.
pub fn account(input: &str) -> Result<String, UserMessage> {
    let account = input.trim();
    if account.len() == 10 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(account.to_owned())
    } else {
        Err(UserMessage::new("account.format", "户号应为10位数字", "An account number has exactly 10 digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    /// An ID with a correct check character for its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", resident_id_check_char(first17) as char)
    }

    #[test]
    fn resident_ids() {
        // Published GB 11643 example: 11010519491231002X.
        assert_eq!(resident_id("11010519491231002x", today()).unwrap(), "11010519491231002X");
        assert_eq!(resident_id("110105194912310021", today()).unwrap_err().code, "id_number.check_digit");
        assert_eq!(resident_id("1101051949", today()).unwrap_err().code, "id_number.format");
        assert_eq!(resident_id("11010519491231002Y", today()).unwrap_err().code, "id_number.format");
        // Check character of 11010518991231002: the weighted sum of 1,1,0,1,0,5,1,8,9,9,1,2,3,1,0,0,2
        // by 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 is 7+9+0+5+0+20+2+8+54+27+7+18+30+5+0+0+4 = 196;
        // 196 mod 11 = 9, and position 9 of 10X98765432 is 3.
        assert_eq!(resident_id("110105189912310023", today()).unwrap(), "110105189912310023");
        assert_eq!(resident_id(&with_check("11010518000101002"), today()).unwrap().len(), 18);
    }

    #[test]
    fn a_refused_birth_date_says_why() {
        let refused = |first17: &str| resident_id(&with_check(first17), today()).unwrap_err();
        let feb30 = refused("11010519900230002");
        assert_eq!(feb30.code, "id_number.birth_date");
        assert_eq!(feb30.zh, "身份证号中的出生日期19900230不是真实的日期：1990年2月只有28天");
        assert_eq!(feb30.en, "The birth date in the resident ID, 19900230, is not a real date: February 1990 has 28 days");
        // 2000 is a leap year (divisible by 400), 1900 is not (by 100, not by 400).
        assert!(resident_id(&with_check("11010520000229002"), today()).is_ok());
        assert_eq!(refused("11010519000229002").zh, "身份证号中的出生日期19000229不是真实的日期：1900年2月只有28天");
        assert_eq!(
            refused("11010519900431002").en,
            "The birth date in the resident ID, 19900431, is not a real date: April 1990 has 30 days"
        );
        assert_eq!(refused("11010519901300002").zh, "身份证号中的出生日期19901300不是真实的日期：没有13月");
        assert_eq!(refused("11010519900100002").zh, "身份证号中的出生日期19900100不是真实的日期：没有0日");
        assert_eq!(
            refused("11010500000101002").en,
            "The birth date in the resident ID, 00000101, is not a real date: the calendar has no year 0"
        );
        let future = refused("11010520260303002");
        assert_eq!((future.code.as_str(), future.zh.as_str()), ("id_number.birth_date_future", "身份证号中的出生日期2026年3月3日晚于今天"));
        assert!(resident_id(&with_check("11010520260302002"), today()).is_ok(), "born today");
    }

    #[test]
    fn the_area_code_is_in_a_province() {
        let area = resident_id(&with_check("99010519491231002"), today()).unwrap_err();
        assert_eq!((area.code.as_str(), area.zh.as_str()), ("id_number.area", "身份证号前两位99不是省级行政区划代码"));
        for province in ["11", "33", "65", "71", "81", "82", "83"] {
            assert!(resident_id(&with_check(&format!("{province}010519491231002")), today()).is_ok(), "{province}");
        }
        assert_eq!(resident_id(&with_check("10010519491231002"), today()).unwrap_err().code, "id_number.area");
    }

    #[test]
    fn social_credit_codes() {
        // A code with a correct check character, built from the standard's weights.
        let first17 = "91330100MA27XL0K0";
        let good = format!("{first17}{}", uscc_check_char(first17));
        assert_eq!(uscc(&good.to_lowercase()).unwrap(), Uscc { code: good.clone(), check_failed: false });
        let wrong_check = if good.ends_with('0') { format!("{first17}1") } else { format!("{first17}0") };
        assert!(uscc(&wrong_check).unwrap().check_failed);
        assert_eq!(uscc("91330100MA27XL0KOI").unwrap_err().code, "uscc.format");
        assert_eq!(uscc("9133").unwrap_err().code, "uscc.format");
    }

    #[test]
    fn phones() {
        assert_eq!(phone("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(phone("0571-87654321").unwrap(), "0571-87654321");
        assert_eq!(phone("01012345678").unwrap(), "010-12345678");
        assert_eq!(phone("12800138000").unwrap_err().code, "phone.format");
        assert_eq!(phone("1380013800").unwrap_err().code, "phone.format");
        assert_eq!(phone("abc").unwrap_err().code, "phone.format");
        assert_eq!(phone("").unwrap_err().code, "phone.format");
    }

    #[test]
    fn accounts() {
        assert_eq!(account(" 3301000001 ").unwrap(), "3301000001");
        assert_eq!(account("330100000").unwrap_err().code, "account.format");
        assert_eq!(account("33010000a1").unwrap_err().code, "account.format");
    }
}
