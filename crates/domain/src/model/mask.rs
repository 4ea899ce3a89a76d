//! Masking of personal data (SPEC §2): ID numbers and phones are shown masked except to the roles
//! that need them.

use super::customer::{Customer, IdKind};

/// `110105194912310021` → `110105********0021`: region and last four stay readable.
pub fn id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let keep_tail = 4;
    let keep_head = 6.min(chars.len() - keep_tail - 1);
    let hidden = chars.len() - keep_head - keep_tail;
    format!(
        "{}{}{}",
        chars[..keep_head].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - keep_tail..].iter().collect::<String>()
    )
}

/// `13812345678` → `138****5678`; `0571-87654321` → `0571-****4321`.
pub fn phone(phone: &str) -> String {
    match phone.split_once('-') {
        Some((area, local)) if local.len() > 4 => format!("{area}-{}{}", "*".repeat(local.len() - 4), &local[local.len() - 4..]),
        _ if phone.len() == 11 => format!("{}****{}", &phone[..3], &phone[7..]),
        _ if phone.len() > 4 => format!("{}{}", "*".repeat(phone.len() - 4), &phone[phone.len() - 4..]),
        _ => "*".repeat(phone.len()),
    }
}

/// `张三` → `张*`, `欧阳修文` → `欧**文`: how a name appears on a receipt.
pub fn name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 | 1 => name.to_owned(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The customer as a role without the right to see personal data sees it. An organisation's
/// social credit code is public (it is printed on its licence), so only personal documents are
/// masked.
pub fn customer(mut c: Customer) -> Customer {
    if c.record.id_kind != IdKind::Uscc {
        c.record.id_number = id_number(&c.record.id_number);
    }
    c.record.phones = c.record.phones.iter().map(|p| phone(p)).collect();
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::id_number("11010519491231002X"), "110105********002X");
        assert_eq!(super::phone("13812345678"), "138****5678");
        assert_eq!(super::phone("0571-87654321"), "0571-****4321");
        assert_eq!(super::name("张三"), "张*");
        assert_eq!(super::name("欧阳修文"), "欧**文");
        assert_eq!(super::id_number("E1234"), "*****");
    }
}
