//! Identifier rules: the resident ID (GB 11643), the unified social credit code (GB 32100), phone
//! numbers and the 10-digit account number. Each function normalises its input and either returns
//! the canonical form or says precisely what is wrong.

use chrono::NaiveDate;

use crate::error::UserMessage;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Validates an 18-character resident ID (GB 11643-1999): 17 digits, a valid birth date and the
/// ISO 7064 MOD 11-2 check character. A lower-case `x` is accepted and returned upper-case.
pub fn resident_id(input: &str) -> Result<String, UserMessage> {
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
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok();
    if birth.is_none_or(|d| d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()) {
        return Err(UserMessage::new(
            "id_number.birth_date",
            "身份证号中的出生日期无效",
            "The birth date inside the resident ID is not a valid date",
        ));
    }
    if bytes[17] != resident_id_check_char(&id[..17]) {
        return Err(UserMessage::new(
            "id_number.check_digit",
            "身份证号校验位不正确，请核对",
            "The resident ID's check digit is wrong; please check the number",
        ));
    }
    Ok(id)
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

    #[test]
    fn resident_ids() {
        // Published GB 11643 example: 11010519491231002X.
        assert_eq!(resident_id("11010519491231002x").unwrap(), "11010519491231002X");
        assert_eq!(resident_id("110105194912310021").unwrap_err().code, "id_number.check_digit");
        assert_eq!(resident_id("110105194913310020").unwrap_err().code, "id_number.birth_date");
        assert_eq!(resident_id("1101051949").unwrap_err().code, "id_number.format");
        assert_eq!(resident_id("11010519491231002Y").unwrap_err().code, "id_number.format");
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
