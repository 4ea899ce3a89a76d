//! Users and their passwords (Argon2id, PHC strings).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use serde::Serialize;
use ts_rs::TS;

use super::{Actor, Store, Tx, audit, outbox, sessions};
use crate::clock::{parse_stamp, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::{Role, User, check_password, check_username};

/// Failed logins in a row after which an account is locked for [`LOCKOUT_MINUTES`].
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

pub use crate::password::{hash as hash_password, matches as password_matches};

/// Who chose a password: the user, or an administrator (a new user's first password, a reset),
/// in which case the user must replace it before doing anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordKind {
    Chosen,
    Temporary,
}

impl PasswordKind {
    fn must_change(self) -> bool {
        self == PasswordKind::Temporary
    }
}

pub fn create(tx: &Tx, actor: &Actor, username: &str, display_name: &str, role: Role, password: &str, kind: PasswordKind) -> Result<User> {
    let mut errors = Vec::new();
    let username = check_username(username).map_err(|m| errors.push(m)).unwrap_or_default();
    let display_name = display_name.trim();
    if display_name.is_empty() {
        errors.push(UserMessage::new("display_name.required", "请填写姓名", "The user's name is required").at("display_name"));
    }
    if let Err(m) = check_password(password) {
        errors.push(m);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if find(tx, &username)?.is_some() {
        return Err(Error::Conflict(
            UserMessage::new("username.taken", format!("用户名{username}已存在"), format!("Username {username} is taken")).at("username"),
        ));
    }
    let user = User { id: uuid::Uuid::now_v7().to_string(), username, display_name: display_name.to_owned(), role, active: true };
    let now = stamp(actor.at);
    tx.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, must_change_password, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![user.id, user.username, user.display_name, role.code(), hash_password(password)?, kind.must_change(), now],
    )?;
    outbox::append(tx, actor, "user.created", &user.id, &user)?;
    audit::append(tx, actor, "user.create", &user.id, &serde_json::json!({ "username": user.username, "role": role.code() }))?;
    Ok(user)
}

/// Sets a user's password and lifts any lockout. A temporary password (an administrator's reset)
/// also ends the user's sessions: whoever holds one may be the reason for the reset.
pub fn set_password(tx: &Tx, actor: &Actor, username: &str, password: &str, kind: PasswordKind) -> Result<User> {
    check_password(password).map_err(Error::invalid)?;
    let user = require(tx, username)?;
    tx.execute(
        "UPDATE users SET password_hash = ?2, must_change_password = ?3, failed_logins = 0, locked_until = NULL, updated_at = ?4 WHERE id = ?1",
        params![user.id, hash_password(password)?, kind.must_change(), stamp(actor.at)],
    )?;
    if kind == PasswordKind::Temporary {
        sessions::end_all_of(tx, &user.id, actor.at)?;
    }
    let detail = serde_json::json!({ "username": user.username, "temporary": kind.must_change() });
    audit::append(tx, actor, "user.password", &user.id, &detail)?;
    Ok(user)
}

pub fn set_role(tx: &Tx, actor: &Actor, username: &str, role: Role) -> Result<User> {
    let user = require(tx, username)?;
    if role != Role::Admin {
        keep_an_administrator(tx, &user)?;
    }
    tx.execute("UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1", params![user.id, role.code(), stamp(actor.at)])?;
    let user = User { role, ..user };
    outbox::append(tx, actor, "user.updated", &user.id, &user)?;
    audit::append(tx, actor, "user.role", &user.id, &serde_json::json!({ "username": user.username, "role": role.code() }))?;
    Ok(user)
}

/// Disables a user (their sessions end, their logins are refused) or enables them again.
pub fn set_active(tx: &Tx, actor: &Actor, username: &str, active: bool) -> Result<User> {
    let user = require(tx, username)?;
    if !active {
        keep_an_administrator(tx, &user)?;
        sessions::end_all_of(tx, &user.id, actor.at)?;
    }
    tx.execute("UPDATE users SET active = ?2, updated_at = ?3 WHERE id = ?1", params![user.id, active, stamp(actor.at)])?;
    let user = User { active, ..user };
    outbox::append(tx, actor, "user.updated", &user.id, &user)?;
    audit::append(
        tx,
        actor,
        if active { "user.enable" } else { "user.disable" },
        &user.id,
        &serde_json::json!({ "username": user.username }),
    )?;
    Ok(user)
}

/// Lifts a lockout before its time (the user called the administrator).
pub fn unlock(tx: &Tx, actor: &Actor, username: &str) -> Result<User> {
    let user = require(tx, username)?;
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = ?2 WHERE id = ?1",
        params![user.id, stamp(actor.at)],
    )?;
    audit::append(tx, actor, "user.unlock", &user.id, &serde_json::json!({ "username": user.username }))?;
    Ok(user)
}

/// Refuses to take away the last active administrator (by a role change or by disabling): nobody
/// could then administer users from the counter.
fn keep_an_administrator(conn: &Connection, user: &User) -> Result<()> {
    if user.role != Role::Admin || !user.active {
        return Ok(());
    }
    let others: i64 =
        conn.query_row("SELECT count(*) FROM users WHERE role = ?1 AND active AND id <> ?2", params![Role::Admin.code(), user.id], |r| {
            r.get(0)
        })?;
    if others == 0 {
        return Err(Error::Conflict(UserMessage::new(
            "user.last_admin",
            "这是最后一个启用的系统管理员，不能停用或降级",
            "This is the last active administrator; they cannot be disabled or demoted",
        )));
    }
    Ok(())
}

/// A user as the administrator's list shows them: the record and the state of their login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UserStatus {
    pub user: User,
    /// The password was set by an administrator and must be replaced at the next login.
    pub must_change_password: bool,
    /// Locked out after wrong passwords, until this instant (UTC, RFC 3339); absent when not locked.
    pub locked_until: Option<String>,
}

const STATUS_COLUMNS: &str = "id, username, display_name, role, active, must_change_password, locked_until";

/// A row of [`STATUS_COLUMNS`]; the outer result is SQLite's, the inner one the role's decoding.
fn status_row(r: &rusqlite::Row, now: DateTime<Utc>) -> rusqlite::Result<Result<UserStatus>> {
    let role = match decode_role(&r.get::<_, String>(3)?) {
        Ok(role) => role,
        Err(e) => return Ok(Err(e)),
    };
    let locked_until: Option<String> = r.get(6)?;
    Ok(Ok(UserStatus {
        user: User { id: r.get(0)?, username: r.get(1)?, display_name: r.get(2)?, role, active: r.get(4)? },
        must_change_password: r.get(5)?,
        locked_until: locked_until.filter(|until| parse_stamp(until).is_some_and(|until| until > now)),
    }))
}

/// Every user with the state of their login at `now`, by username.
pub fn list(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<UserStatus>> {
    let mut stmt = conn.prepare(&format!("SELECT {STATUS_COLUMNS} FROM users ORDER BY username"))?;
    let rows = stmt.query_map([], |r| status_row(r, now))?;
    rows.map(|row| row?).collect()
}

pub fn status_by_id(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<Option<UserStatus>> {
    conn.prepare_cached(&format!("SELECT {STATUS_COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], |r| status_row(r, now))
        .optional()?
        .transpose()
}

/// A user's stored credentials, for checking a password.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

pub fn find(conn: &Connection, username: &str) -> Result<Option<Credentials>> {
    let row = conn
        .prepare_cached(
            "SELECT id, username, display_name, role, active, password_hash, failed_logins, locked_until FROM users WHERE username = ?1",
        )?
        .query_row([username.trim().to_ascii_lowercase()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    row.map(|(id, username, display_name, role, active, password_hash, failed_logins, locked_until)| {
        Ok(Credentials {
            user: User { id, username, display_name, role: decode_role(&role)?, active },
            password_hash,
            failed_logins,
            locked_until: locked_until.as_deref().and_then(parse_stamp),
        })
    })
    .transpose()
}

/// Why a password check refused, for each place that asks (login, unlock, an approval) to say in
/// its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The username is unknown or the password is wrong; the two are never told apart.
    Wrong,
    Disabled,
    /// Too many wrong passwords; this many minutes are left, rounded up.
    Locked {
        minutes: i64,
    },
}

impl Refusal {
    /// As the login screen says it.
    pub fn message(self) -> UserMessage {
        match self {
            Refusal::Wrong => UserMessage::new("login.wrong", "用户名或密码不正确", "Wrong username or password"),
            Refusal::Disabled => UserMessage::new("login.disabled", "该用户已停用", "This user is disabled"),
            Refusal::Locked { minutes } => UserMessage::new(
                "login.locked",
                format!("密码错误次数过多，账户已锁定，请{minutes}分钟后再试"),
                format!("Too many wrong passwords: the account is locked for {} more", minutes_en(minutes)),
            ),
        }
    }

    pub fn at_login(self) -> Error {
        Error::Denied(self.message())
    }
}

/// "1 minute", "15 minutes".
pub fn minutes_en(minutes: i64) -> String {
    if minutes == 1 { "1 minute".to_owned() } else { format!("{minutes} minutes") }
}

/// Whole minutes from `now` to `until`, rounded up, so that a lock with 30 seconds left still
/// says 1 minute and a fresh 15-minute lock says 15.
fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds() + 59) / 60
}

/// Checks a username and password at `now`, counting failures and locking the account after
/// [`MAX_FAILED_LOGINS`]; the failure that locks it already says so. Every failure is audited.
fn authenticate(tx: &Tx, actor: &Actor, username: &str, password: &str) -> Result<Result<User, Refusal>> {
    let Some(creds) = find(tx, username)? else {
        // Spend the same effort as a real check so that timing does not reveal which usernames exist.
        let _ = password_matches("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", password);
        return Ok(Err(Refusal::Wrong));
    };
    if !creds.user.active {
        return Ok(Err(Refusal::Disabled));
    }
    if let Some(until) = creds.locked_until.filter(|until| *until > actor.at) {
        return Ok(Err(Refusal::Locked { minutes: minutes_left(until, actor.at) }));
    }
    if password_matches(&creds.password_hash, password) {
        tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [&creds.user.id])?;
        return Ok(Ok(creds.user));
    }
    let failed = creds.failed_logins + 1;
    let locks = failed >= MAX_FAILED_LOGINS;
    let locked_until = locks.then(|| stamp(actor.at + Duration::minutes(LOCKOUT_MINUTES)));
    tx.execute(
        "UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
        params![creds.user.id, if locks { 0 } else { failed }, locked_until],
    )?;
    let failed_actor = Actor { user_id: Some(creds.user.id.clone()), at: actor.at };
    audit::append(tx, &failed_actor, "login.failed", &creds.user.id, &serde_json::json!({ "locked": locks }))?;
    Ok(Err(if locks { Refusal::Locked { minutes: LOCKOUT_MINUTES } } else { Refusal::Wrong }))
}

/// [`authenticate`] in a transaction of its own that commits whatever the outcome, so that a
/// refused password still counts towards the lockout. Every password check goes through here:
/// login, unlock, manager authorisation, changing one's own password.
pub fn verify_credentials(store: &mut Store, actor: &Actor, username: &str, password: &str) -> Result<Result<User, Refusal>> {
    store.write(|tx| authenticate(tx, actor, username, password))
}

fn require(conn: &Connection, username: &str) -> Result<User> {
    find(conn, username)?.map(|c| c.user).ok_or_else(|| {
        Error::NotFound(UserMessage::new("user.not_found", format!("用户{username}不存在"), format!("No user {username}")).at("username"))
    })
}

fn decode_role(code: &str) -> Result<Role> {
    Role::from_code(code).ok_or_else(|| Error::Internal(format!("unknown role in database: {code}")))
}
