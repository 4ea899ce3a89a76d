//! User administration (the administrator's) and a user's own password.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, Done, NoArgs, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::{Role, User};
use crate::store::users::{self as repo, PasswordKind, Refusal, UserStatus};

#[derive(Debug, Clone, Serialize, TS)]
pub struct UserList {
    pub users: Vec<UserStatus>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateUserArgs {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The first password, which the user must change at their first login.
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SetRoleArgs {
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SetPasswordArgs {
    pub username: String,
    /// A temporary password: the user must change it at the next login.
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SetActiveArgs {
    pub username: String,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct UsernameArgs {
    pub username: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ChangeOwnPasswordArgs {
    pub current_password: String,
    pub new_password: String,
}

pub(super) fn list(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<UserList> {
    Ok(UserList { users: repo::list(app.store().conn(), app.clock().now())? })
}

/// The users an application's step can be given to (active clerks and branch managers), for the
/// manager's reassign: without the administrator's details (lockouts, password state).
#[derive(Debug, Clone, Serialize, TS)]
pub struct AssignableList {
    pub users: Vec<User>,
}

pub(super) fn assignable(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<AssignableList> {
    let users = repo::list(app.store().conn(), app.clock().now())?
        .into_iter()
        .map(|s| s.user)
        .filter(|u| u.active && matches!(u.role, Role::Clerk | Role::Manager))
        .collect();
    Ok(AssignableList { users })
}

pub(super) fn create(app: &App, caller: Option<&Caller>, args: CreateUserArgs) -> Result<User> {
    let actor = app.actor(caller.map(|c| &c.user));
    app.store().write(|tx| repo::create(tx, &actor, &args.username, &args.display_name, args.role, &args.password, PasswordKind::Temporary))
}

pub(super) fn set_role(app: &App, caller: Option<&Caller>, args: SetRoleArgs) -> Result<User> {
    let caller = require_caller(caller)?;
    if is_self(caller, &args.username) && args.role != Role::Admin {
        return Err(Error::Conflict(UserMessage::new(
            "role.self_demotion",
            "不能降低自己的角色，请由其他管理员操作",
            "You cannot demote yourself; ask another administrator",
        )));
    }
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::set_role(tx, &actor, &args.username, args.role))
}

/// An administrator's password reset: a temporary password, to be changed at the next login.
pub(super) fn set_password(app: &App, caller: Option<&Caller>, args: SetPasswordArgs) -> Result<User> {
    let caller = require_caller(caller)?;
    if is_self(caller, &args.username) {
        return Err(Error::Conflict(UserMessage::new(
            "user.self_reset",
            "不能重置自己的密码，请在“设置”中修改密码",
            "You cannot reset your own password; change it under Settings",
        )));
    }
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::set_password(tx, &actor, &args.username, &args.password, PasswordKind::Temporary))
}

pub(super) fn set_active(app: &App, caller: Option<&Caller>, args: SetActiveArgs) -> Result<User> {
    let caller = require_caller(caller)?;
    if is_self(caller, &args.username) && !args.active {
        return Err(Error::Conflict(UserMessage::new(
            "user.self_disable",
            "不能停用自己，请由其他管理员操作",
            "You cannot disable yourself; ask another administrator",
        )));
    }
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::set_active(tx, &actor, &args.username, args.active))
}

pub(super) fn unlock(app: &App, caller: Option<&Caller>, args: UsernameArgs) -> Result<User> {
    let actor = app.actor(caller.map(|c| &c.user));
    app.store().write(|tx| repo::unlock(tx, &actor, &args.username))
}

pub(super) fn change_own_password(app: &App, caller: Option<&Caller>, args: ChangeOwnPasswordArgs) -> Result<Done> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    repo::verify_credentials(&mut store, &actor, &caller.user.username, &args.current_password)?.map_err(|refusal| {
        let message = match refusal {
            Refusal::Wrong => UserMessage::new("password.wrong_current", "当前密码不正确", "The current password is wrong"),
            locked => locked.message(),
        };
        Error::Denied(message.at("current_password"))
    })?;
    if args.new_password == args.current_password {
        return Err(Error::invalid(
            UserMessage::new("password.unchanged", "新密码不能与当前密码相同", "The new password must differ from the current one")
                .at("password"),
        ));
    }
    store.write(|tx| repo::set_password(tx, &actor, &caller.user.username, &args.new_password, PasswordKind::Chosen))?;
    Ok(Done { ok: true })
}

fn is_self(caller: &Caller, username: &str) -> bool {
    caller.user.username == username.trim().to_ascii_lowercase()
}
