//! Logging in and out, the screen lock (idle or by the user), and the check every command passes
//! through.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, Caller, Done, NoArgs, allowed_commands, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::User;
use crate::store::users::{Refusal, UserStatus};
use crate::store::{Store, audit, sessions, settings, users};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct LoginArgs {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LoginResult {
    /// The session token; the client sends it with every later command.
    pub token: String,
    pub session: SessionInfo,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionInfo {
    pub user: User,
    /// Idle too long or locked by the user: only unlocking and logging out are accepted until the
    /// password is given again.
    pub locked: bool,
    /// The user locked the screen (the lock button), rather than idleness.
    pub locked_by_user: bool,
    /// An administrator set the password: nothing but changing it is accepted until it is changed.
    pub must_change_password: bool,
    /// The commands this user's role may run, from the command table: the UI shows a button only
    /// when its command is here (the core checks again on every call).
    pub allowed: Vec<String>,
    pub idle_lock_minutes: i64,
    pub outlet_code: String,
    pub workstation_id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UnlockArgs {
    pub password: String,
}

/// How a session is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Idle,
    ByUser,
}

pub(super) fn login(app: &App, _: Option<&Caller>, args: LoginArgs) -> Result<LoginResult> {
    let mut store = app.store();
    let user = users::verify_credentials(&mut store, &app.actor(None), &args.username, &args.password)?.map_err(Refusal::at_login)?;
    let actor = app.actor(Some(&user));
    let token = store.write(|tx| {
        let token = sessions::start(tx, &actor, &user.id)?;
        audit::append(tx, &actor, "session.login", &user.id, &serde_json::json!({ "username": user.username }))?;
        Ok(token)
    })?;
    let session = session_info(&store, &user, None, actor.at)?;
    Ok(LoginResult { token, session })
}

pub(super) fn logout(app: &App, caller: Option<&Caller>, _: NoArgs) -> Result<Done> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| {
        sessions::end(tx, &caller.session, actor.at)?;
        audit::append(tx, &actor, "session.logout", &caller.user.id, &serde_json::json!({}))
    })?;
    Ok(Done { ok: true })
}

/// The lock button: the core refuses this session's commands until the password is given again,
/// as after idleness, so that a reload of the page or a second client does not get past it.
pub(super) fn lock(app: &App, caller: Option<&Caller>, _: NoArgs) -> Result<SessionInfo> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    if caller.lock.is_none() {
        store.write(|tx| {
            sessions::lock(tx, &caller.session, actor.at)?;
            audit::append(tx, &actor, "session.lock", &caller.user.id, &serde_json::json!({}))
        })?;
    }
    session_info(&store, &caller.user, Some(caller.lock.unwrap_or(Lock::ByUser)), actor.at)
}

pub(super) fn unlock(app: &App, caller: Option<&Caller>, args: UnlockArgs) -> Result<SessionInfo> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    users::verify_credentials(&mut store, &actor, &caller.user.username, &args.password)?.map_err(|refusal| {
        let message = match refusal {
            Refusal::Wrong => UserMessage::new("unlock.wrong", "密码不正确", "Wrong password"),
            locked => locked.message(),
        };
        Error::Denied(message.at("password"))
    })?;
    store.write(|tx| {
        sessions::renew(tx, &caller.session, actor.at)?;
        audit::append(tx, &actor, "session.unlock", &caller.user.id, &serde_json::json!({}))
    })?;
    session_info(&store, &caller.user, None, actor.at)
}

pub(super) fn whoami(app: &App, caller: Option<&Caller>, _: NoArgs) -> Result<SessionInfo> {
    let caller = require_caller(caller)?;
    session_info(&app.store(), &caller.user, caller.lock, app.clock().now())
}

fn session_info(store: &Store, user: &User, lock: Option<Lock>, now: DateTime<Utc>) -> Result<SessionInfo> {
    let ws = store.workstation()?;
    let must_change_password = users::status_by_id(store.conn(), &user.id, now)?.is_some_and(|s| s.must_change_password);
    Ok(SessionInfo {
        user: user.clone(),
        locked: lock.is_some(),
        locked_by_user: lock == Some(Lock::ByUser),
        must_change_password,
        allowed: allowed_commands(user.role),
        idle_lock_minutes: settings::get_i64(store.conn(), settings::IDLE_LOCK_MINUTES, settings::DEFAULT_IDLE_LOCK_MINUTES)?,
        outlet_code: ws.outlet_code,
        workstation_id: ws.workstation_id,
    })
}

fn idle_limit(store: &Store) -> Result<Duration> {
    Ok(Duration::minutes(settings::get_i64(store.conn(), settings::IDLE_LOCK_MINUTES, settings::DEFAULT_IDLE_LOCK_MINUTES)?))
}

/// Resolves the session behind `token` and checks that it may run a command of `access`.
pub(super) fn authorise_caller(app: &App, token: Option<&str>, access: Access) -> Result<Caller> {
    let expired =
        || Error::Denied(UserMessage::new("session.expired", "登录已失效，请重新登录", "Your session has ended; please log in again"));
    let token = token.ok_or_else(|| Error::Denied(UserMessage::new("session.required", "请先登录", "Please log in first")))?;
    let store = app.store();
    let now = app.clock().now();
    let session = sessions::find(store.conn(), token)?.filter(|s| !s.ended).ok_or_else(expired)?;
    let max_age = Duration::hours(settings::get_i64(store.conn(), settings::SESSION_MAX_HOURS, settings::DEFAULT_SESSION_MAX_HOURS)?);
    if now - session.created_at > max_age {
        return Err(expired());
    }
    let UserStatus { user, must_change_password, .. } =
        users::status_by_id(store.conn(), &session.user_id, now)?.filter(|u| u.user.active).ok_or_else(expired)?;
    let lock = if session.locked_at.is_some() {
        Some(Lock::ByUser)
    } else {
        (now - session.last_active_at > idle_limit(&store)?).then_some(Lock::Idle)
    };
    if let Some(lock) = lock
        && !matches!(access, Access::EvenLocked)
    {
        return Err(Error::Denied(match lock {
            Lock::Idle => UserMessage::new(
                "session.locked",
                "长时间未操作，屏幕已锁定，请输入密码解锁",
                "Locked after inactivity; enter your password to unlock",
            ),
            Lock::ByUser => {
                UserMessage::new("session.locked", "屏幕已锁定，请输入密码解锁", "The screen is locked; enter your password to unlock")
            }
        }));
    }
    if must_change_password && matches!(access, Access::AnyUser | Access::Roles(_)) {
        return Err(Error::Denied(UserMessage::new(
            "password.must_change",
            "管理员设置了您的密码，请先修改密码再继续",
            "An administrator set your password; change it before anything else",
        )));
    }
    if lock.is_none() {
        sessions::touch(store.conn(), &session, now)?;
    }
    Ok(Caller { user, session, lock })
}
