//! Logging in and out, the idle lock, and the check every command passes through.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Access, App, Caller, Done, NoArgs, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::User;
use crate::store::{audit, sessions, settings, users};

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
    /// Idle too long: only unlocking and logging out are accepted until the password is given again.
    pub locked: bool,
    pub idle_lock_minutes: i64,
    pub outlet_code: String,
    pub workstation_id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UnlockArgs {
    pub password: String,
}

pub(super) fn login(app: &App, _: Option<&Caller>, args: LoginArgs) -> Result<LoginResult> {
    let mut store = app.store();
    let user = users::verify_credentials(&mut store, &app.actor(None), &args.username, &args.password)?;
    let actor = app.actor(Some(&user));
    let token = store.write(|tx| {
        let token = sessions::start(tx, &actor, &user.id)?;
        audit::append(tx, &actor, "session.login", &user.id, &serde_json::json!({ "username": user.username }))?;
        Ok(token)
    })?;
    let session = session_info(&store, user, false)?;
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

pub(super) fn unlock(app: &App, caller: Option<&Caller>, args: UnlockArgs) -> Result<SessionInfo> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    users::verify_credentials(&mut store, &actor, &caller.user.username, &args.password)
        .map_err(|_| Error::Denied(UserMessage::new("unlock.wrong", "密码不正确", "Wrong password").at("password")))?;
    store.write(|tx| {
        sessions::renew(tx, &caller.session, actor.at)?;
        audit::append(tx, &actor, "session.unlock", &caller.user.id, &serde_json::json!({}))
    })?;
    session_info(&store, caller.user.clone(), false)
}

pub(super) fn whoami(app: &App, caller: Option<&Caller>, _: NoArgs) -> Result<SessionInfo> {
    let caller = require_caller(caller)?;
    session_info(&app.store(), caller.user.clone(), caller.locked)
}

fn session_info(store: &crate::store::Store, user: User, locked: bool) -> Result<SessionInfo> {
    let ws = store.workstation()?;
    Ok(SessionInfo {
        user,
        locked,
        idle_lock_minutes: settings::get_i64(store.conn(), settings::IDLE_LOCK_MINUTES, settings::DEFAULT_IDLE_LOCK_MINUTES)?,
        outlet_code: ws.outlet_code,
        workstation_id: ws.workstation_id,
    })
}

fn idle_limit(store: &crate::store::Store) -> Result<Duration> {
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
    let user = users::by_id(store.conn(), &session.user_id)?.filter(|u| u.active).ok_or_else(expired)?;
    let locked = now - session.last_active_at > idle_limit(&store)?;
    if locked && !matches!(access, Access::EvenLocked) {
        return Err(Error::Denied(UserMessage::new(
            "session.locked",
            "长时间未操作，屏幕已锁定，请输入密码解锁",
            "Locked after inactivity; enter your password to unlock",
        )));
    }
    if !locked {
        sessions::touch(store.conn(), &session, now)?;
    }
    Ok(Caller { user, session, locked })
}
