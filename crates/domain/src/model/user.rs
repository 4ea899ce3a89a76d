//! Users and roles (SPEC §9).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::customer::code_enum;
use crate::error::UserMessage;

code_enum!(
    Role {
        Clerk = "clerk", "营业员", "Clerk";
        Manager = "manager", "营业厅主任", "Branch manager";
        HeadOffice = "head_office", "营销中心操作员", "Head-office operator";
        Admin = "admin", "系统管理员", "Administrator";
    }
);

impl Role {
    /// Whether this role may authorise what needs a manager (reversals, refunds, waivers,
    /// over/short, closing an account).
    pub fn authorises(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

pub const MIN_PASSWORD_CHARS: usize = 8;

/// A password must have at least 8 characters with both letters and digits.
pub fn check_password(password: &str) -> Result<(), UserMessage> {
    let long_enough = password.chars().count() >= MIN_PASSWORD_CHARS;
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if long_enough && letters && digits {
        Ok(())
    } else {
        Err(UserMessage::new(
            "password.weak",
            "密码至少8位，且须同时包含字母和数字",
            "A password needs at least 8 characters, with both letters and digits",
        )
        .at("password"))
    }
}

/// A username: 2 to 32 lower-case letters, digits, `.`, `_` or `-`.
pub fn check_username(username: &str) -> Result<String, UserMessage> {
    let name = username.trim().to_ascii_lowercase();
    let ok = (2..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(name)
    } else {
        Err(UserMessage::new(
            "username.format",
            "用户名应为2至32位小写字母、数字或 . _ -",
            "A username has 2 to 32 lower-case letters, digits, '.', '_' or '-'",
        )
        .at("username"))
    }
}
