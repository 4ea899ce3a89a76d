//! Users and their passwords (Argon2id, PHC strings).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Actor, Store, Tx, audit, outbox};
use crate::clock::{parse_stamp, stamp};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::{Role, User, check_password, check_username};

/// Failed logins in a row after which an account is locked for [`LOCKOUT_MINUTES`].
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| Error::Internal(format!("argon2: {e}")))
}

pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

pub fn create(tx: &Tx, actor: &Actor, username: &str, display_name: &str, role: Role, password: &str) -> Result<User> {
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
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![user.id, user.username, user.display_name, role.code(), hash_password(password)?, now],
    )?;
    outbox::append(tx, actor, "user.created", &user.id, &user)?;
    audit::append(tx, actor, "user.create", &user.id, &serde_json::json!({ "username": user.username, "role": role.code() }))?;
    Ok(user)
}

pub fn set_password(tx: &Tx, actor: &Actor, username: &str, password: &str) -> Result<User> {
    check_password(password).map_err(Error::invalid)?;
    let user = require(tx, username)?;
    tx.execute(
        "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL, updated_at = ?3 WHERE id = ?1",
        params![user.id, hash_password(password)?, stamp(actor.at)],
    )?;
    audit::append(tx, actor, "user.password", &user.id, &serde_json::json!({ "username": user.username }))?;
    Ok(user)
}

pub fn set_role(tx: &Tx, actor: &Actor, username: &str, role: Role) -> Result<User> {
    let user = require(tx, username)?;
    tx.execute("UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1", params![user.id, role.code(), stamp(actor.at)])?;
    let user = User { role, ..user };
    outbox::append(tx, actor, "user.updated", &user.id, &user)?;
    audit::append(tx, actor, "user.role", &user.id, &serde_json::json!({ "username": user.username, "role": role.code() }))?;
    Ok(user)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare("SELECT id, username, display_name, role, active FROM users ORDER BY username")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?)))?;
    rows.map(|row| {
        let (id, username, display_name, role, active) = row?;
        Ok(User { id, username, display_name, role: decode_role(&role)?, active })
    })
    .collect()
}

pub fn by_id(conn: &Connection, id: &str) -> Result<Option<User>> {
    let row = conn
        .prepare_cached("SELECT id, username, display_name, role, active FROM users WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?)))
        .optional()?;
    row.map(|(id, username, display_name, role, active)| Ok(User { id, username, display_name, role: decode_role(&role)?, active }))
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

/// Checks a username and password at `now`, counting failures and locking the account after
/// [`MAX_FAILED_LOGINS`]. Every outcome is audited. The error never says which of the two was
/// wrong.
fn authenticate(tx: &Tx, actor: &Actor, username: &str, password: &str) -> Result<User> {
    let wrong = || Error::Denied(UserMessage::new("login.wrong", "用户名或密码不正确", "Wrong username or password"));
    let Some(creds) = find(tx, username)? else {
        // Spend the same effort as a real check so that timing does not reveal which usernames exist.
        let _ = password_matches("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", password);
        return Err(wrong());
    };
    if !creds.user.active {
        return Err(Error::Denied(UserMessage::new("login.disabled", "该用户已停用", "This user is disabled")));
    }
    if let Some(until) = creds.locked_until.filter(|until| *until > actor.at) {
        let minutes = (until - actor.at).num_minutes() + 1;
        return Err(Error::Denied(UserMessage::new(
            "login.locked",
            format!("密码错误次数过多，账户已锁定，请{minutes}分钟后再试"),
            format!("Too many wrong passwords; the account is locked for {minutes} more minutes"),
        )));
    }
    if password_matches(&creds.password_hash, password) {
        tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [&creds.user.id])?;
        return Ok(creds.user);
    }
    let failed = creds.failed_logins + 1;
    let locked_until = (failed >= MAX_FAILED_LOGINS).then(|| stamp(actor.at + Duration::minutes(LOCKOUT_MINUTES)));
    tx.execute(
        "UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
        params![creds.user.id, if locked_until.is_some() { 0 } else { failed }, locked_until],
    )?;
    let failed_actor = Actor { user_id: Some(creds.user.id.clone()), at: actor.at };
    audit::append(tx, &failed_actor, "login.failed", &creds.user.id, &serde_json::json!({ "locked": locked_until.is_some() }))?;
    Err(wrong())
}

/// [`authenticate`] in a transaction of its own that commits whatever the outcome, so that a
/// refused password still counts towards the lockout. Every password check goes through here:
/// login, unlock, manager authorisation, changing one's own password.
pub fn verify_credentials(store: &mut Store, actor: &Actor, username: &str, password: &str) -> Result<User> {
    store.write(|tx| Ok(authenticate(tx, actor, username, password)))?
}

fn require(conn: &Connection, username: &str) -> Result<User> {
    find(conn, username)?.map(|c| c.user).ok_or_else(|| {
        Error::NotFound(UserMessage::new("user.not_found", format!("用户{username}不存在"), format!("No user {username}")).at("username"))
    })
}

fn decode_role(code: &str) -> Result<Role> {
    Role::from_code(code).ok_or_else(|| Error::Internal(format!("unknown role in database: {code}")))
}
