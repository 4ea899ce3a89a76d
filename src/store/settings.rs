//! Settings stored in the database, with defaults for the ones never set.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Actor, Tx, audit};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::user::Role;

/// Minutes without activity after which a session is locked (SPEC §9).
pub const IDLE_LOCK_MINUTES: &str = "session.idle_lock_minutes";
pub const DEFAULT_IDLE_LOCK_MINUTES: i64 = 10;
/// Hours after which a session ends whatever its activity.
pub const SESSION_MAX_HOURS: &str = "session.max_hours";
pub const DEFAULT_SESSION_MAX_HOURS: i64 = 12;

pub fn get_i64(conn: &rusqlite::Connection, key: &str, default: i64) -> Result<i64> {
    let value: Option<String> = conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(default))
}

pub fn set(conn: &rusqlite::Connection, key: &str, value: &str, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, at),
    )?;
    Ok(())
}

pub fn get(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// The company and outlet names printed on receipts and reports.
pub const COMPANY_NAME: &str = "print.company_name";
pub const DEFAULT_COMPANY_NAME: &str = "国网杭州供电公司";
pub const OUTLET_NAME: &str = "print.outlet_name";
pub const DEFAULT_OUTLET_NAME: &str = "营业厅";

pub fn get_or(conn: &rusqlite::Connection, key: &str, default: &str) -> Result<String> {
    Ok(get(conn, key)?.unwrap_or_else(|| default.to_owned()))
}

/// Collection after 日结: `next_day` (the default) dates it for the next business date, `refuse`
/// waits until that date begins.
pub const DESK_AFTER_CLOSE: &str = "desk.after_close";
/// Change above this (in fen) must be confirmed by the clerk: a cash tender that far above what is
/// due is more likely a typing error than a customer's banknotes.
pub const CONFIRM_CHANGE_OVER: &str = "payment.confirm_change_over_fen";
pub const DEFAULT_CONFIRM_CHANGE_OVER: i64 = 100_000;

/// The outlet's area type (城区 / 农村 / 特殊边远), for the repair deadlines of a fault reported
/// without one.
pub const SERVICE_AREA_TYPE: &str = "service.area_type";
/// How many hours before a deadline a service request counts as due soon.
pub const SERVICE_DUE_SOON_HOURS: &str = "service.due_soon_hours";
pub const DEFAULT_SERVICE_DUE_SOON_HOURS: i64 = 4;

// ---- The typed settings API: the keys an administrator may see and change from the UI, each
// with its kind (which checks a new value) and the roles that may change it. Add a key here to
// make it editable through `settings.get` / `settings.set`.

/// Where the daily backup goes (a second disk, a USB drive); empty: `backups` beside the database.
pub const BACKUP_DIR: &str = "backup.dir";
/// How many days a backup is kept before the daily backup removes it.
pub const BACKUP_KEEP_DAYS: &str = "backup.keep_days";
pub const DEFAULT_BACKUP_KEEP_DAYS: i64 = 14;
/// The largest attachment accepted, in MiB (a scan of a few pages; the base64 of the largest is
/// what `hall serve` must accept in one request).
pub const ATTACHMENT_MAX_MIB: &str = "attachment.max_mib";
pub const DEFAULT_ATTACHMENT_MAX_MIB: i64 = 10;
/// The most `attachment.max_mib` may be set to.
pub const ATTACHMENT_MAX_MIB_CEILING: i64 = 50;
/// The outlet's telephone, printed on the acceptance slip (empty: none printed).
pub const OUTLET_PHONE: &str = "print.outlet_phone";

/// What a setting's value is, and so how a new one is checked.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number within bounds.
    Integer { min: i64, max: i64 },
    /// Text of at most this many characters.
    Text { max_chars: usize },
    /// An existing directory given by its absolute path, or empty for the default.
    Directory,
    /// One of these codes.
    Choice(&'static [&'static str]),
}

/// A setting the UI may show and change.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub key: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    /// Who may change it (anyone logged in may read it).
    pub editors: &'static [Role],
}

const ADMIN: &[Role] = &[Role::Admin];
const MANAGERS: &[Role] = &[Role::Manager, Role::Admin];

pub const KNOWN: &[Known] = &[
    Known { key: IDLE_LOCK_MINUTES, kind: Kind::Integer { min: 1, max: 120 }, default: "10", editors: ADMIN },
    Known { key: SESSION_MAX_HOURS, kind: Kind::Integer { min: 1, max: 24 }, default: "12", editors: ADMIN },
    Known { key: COMPANY_NAME, kind: Kind::Text { max_chars: 40 }, default: DEFAULT_COMPANY_NAME, editors: ADMIN },
    Known { key: OUTLET_NAME, kind: Kind::Text { max_chars: 40 }, default: DEFAULT_OUTLET_NAME, editors: ADMIN },
    Known { key: OUTLET_PHONE, kind: Kind::Text { max_chars: 40 }, default: "95598", editors: ADMIN },
    Known { key: BACKUP_DIR, kind: Kind::Directory, default: "", editors: ADMIN },
    Known { key: BACKUP_KEEP_DAYS, kind: Kind::Integer { min: 1, max: 365 }, default: "14", editors: ADMIN },
    Known { key: ATTACHMENT_MAX_MIB, kind: Kind::Integer { min: 1, max: ATTACHMENT_MAX_MIB_CEILING }, default: "10", editors: ADMIN },
    Known { key: DESK_AFTER_CLOSE, kind: Kind::Choice(&["next_day", "refuse"]), default: "next_day", editors: MANAGERS },
    // Up to 100,000 元 of change before the clerk confirms.
    Known { key: CONFIRM_CHANGE_OVER, kind: Kind::Integer { min: 0, max: 10_000_000 }, default: "100000", editors: MANAGERS },
    Known { key: SERVICE_AREA_TYPE, kind: Kind::Choice(&["urban", "rural", "remote"]), default: "urban", editors: MANAGERS },
    Known { key: SERVICE_DUE_SOON_HOURS, kind: Kind::Integer { min: 1, max: 72 }, default: "4", editors: MANAGERS },
];

/// A known setting's current value, as the UI gets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingValue {
    pub key: String,
    pub value: String,
    pub is_default: bool,
    /// Whether the caller's role may change it.
    pub editable: bool,
}

pub fn known(key: &str) -> Result<&'static Known> {
    KNOWN.iter().find(|k| k.key == key).ok_or_else(|| {
        Error::invalid(
            UserMessage::new("setting.unknown", format!("没有名为{key}的设置"), format!("There is no setting named {key}")).at("key"),
        )
    })
}

/// Every known setting as `role` sees it.
pub fn list(conn: &rusqlite::Connection, role: Role) -> Result<Vec<SettingValue>> {
    KNOWN
        .iter()
        .map(|k| {
            let stored = get(conn, k.key)?;
            Ok(SettingValue {
                key: k.key.to_owned(),
                is_default: stored.is_none(),
                value: stored.unwrap_or_else(|| k.default.to_owned()),
                editable: k.editors.contains(&role),
            })
        })
        .collect()
}

/// Checks `value` for `known` and returns it as stored (trimmed).
pub fn check(known: &Known, value: &str) -> Result<String> {
    let value = value.trim();
    let bad = |zh: String, en: String| Error::invalid(UserMessage::new("setting.invalid", zh, en).at("value"));
    match known.kind {
        Kind::Integer { min, max } => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(bad(format!("应为{min}到{max}之间的整数"), format!("Must be a whole number from {min} to {max}"))),
        },
        Kind::Text { max_chars } if value.is_empty() || value.chars().count() > max_chars => {
            Err(bad(format!("应为1到{max_chars}个字"), format!("Must be 1 to {max_chars} characters")))
        }
        Kind::Text { .. } => Ok(value.to_owned()),
        Kind::Directory if value.is_empty() => Ok(String::new()),
        Kind::Directory if !std::path::Path::new(value).is_absolute() => Err(bad(
            "请填写完整路径（如 /media/backup 或 D:\\backup）".into(),
            "Give the full path (such as /media/backup or D:\\backup)".into(),
        )),
        Kind::Directory if !std::path::Path::new(value).is_dir() => {
            Err(bad(format!("目录{value}不存在"), format!("The folder {value} does not exist")))
        }
        Kind::Directory => Ok(value.to_owned()),
        Kind::Choice(codes) if codes.contains(&value) => Ok(value.to_owned()),
        Kind::Choice(codes) => Err(bad(format!("应为以下之一：{}", codes.join("、")), format!("Must be one of: {}", codes.join(", ")))),
    }
}

/// Changes a known setting for `role`, checked and audited, in the caller's write.
pub fn change(tx: &Tx, actor: &Actor, role: Role, key: &str, value: &str) -> Result<SettingValue> {
    let known = known(key)?;
    if !known.editors.contains(&role) {
        return Err(Error::Denied(UserMessage::new("setting.denied", "当前角色无权修改此设置", "Your role may not change this setting")));
    }
    let value = check(known, value)?;
    set(tx, key, &value, &stamp(actor.at))?;
    audit::append(tx, actor, "setting.change", key, &serde_json::json!({ "value": value }))?;
    Ok(SettingValue { key: key.to_owned(), value, is_default: false, editable: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_default_passes_its_own_check_and_matches_its_constant() {
        for k in KNOWN {
            if !matches!(k.kind, Kind::Directory) {
                assert_eq!(check(k, k.default).unwrap(), k.default, "{}", k.key);
            }
        }
        let default = |key| known(key).unwrap().default.parse::<i64>().unwrap();
        assert_eq!(default(IDLE_LOCK_MINUTES), DEFAULT_IDLE_LOCK_MINUTES);
        assert_eq!(default(SESSION_MAX_HOURS), DEFAULT_SESSION_MAX_HOURS);
        assert_eq!(default(BACKUP_KEEP_DAYS), DEFAULT_BACKUP_KEEP_DAYS);
        assert_eq!(default(SERVICE_DUE_SOON_HOURS), DEFAULT_SERVICE_DUE_SOON_HOURS);
        assert_eq!(default(CONFIRM_CHANGE_OVER), DEFAULT_CONFIRM_CHANGE_OVER);
        assert_eq!(default(ATTACHMENT_MAX_MIB), DEFAULT_ATTACHMENT_MAX_MIB);
        assert!(check(known(DESK_AFTER_CLOSE).unwrap(), "sometimes").is_err());
    }
}
