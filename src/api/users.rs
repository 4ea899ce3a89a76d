//! User administration and a user's own password.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, Done, NoArgs, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::{Role, User};
use crate::store::users as repo;

#[derive(Debug, Clone, Serialize, TS)]
pub struct UserList {
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct CreateUserArgs {
    pub username: String,
    pub display_name: String,
    pub role: Role,
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
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ChangeOwnPasswordArgs {
    pub current_password: String,
    pub new_password: String,
}

pub(super) fn list(app: &App, _: Option<&Caller>, _: NoArgs) -> Result<UserList> {
    Ok(UserList { users: repo::list(app.store().conn())? })
}

pub(super) fn create(app: &App, caller: Option<&Caller>, args: CreateUserArgs) -> Result<User> {
    let actor = app.actor(caller.map(|c| &c.user));
    app.store().write(|tx| repo::create(tx, &actor, &args.username, &args.display_name, args.role, &args.password))
}

pub(super) fn set_role(app: &App, caller: Option<&Caller>, args: SetRoleArgs) -> Result<User> {
    let caller = require_caller(caller)?;
    if caller.user.username == args.username.trim().to_ascii_lowercase() && args.role != Role::Admin {
        return Err(Error::Conflict(UserMessage::new(
            "role.self_demotion",
            "不能降低自己的角色，请由其他管理员操作",
            "You cannot demote yourself; ask another administrator",
        )));
    }
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::set_role(tx, &actor, &args.username, args.role))
}

pub(super) fn set_password(app: &App, caller: Option<&Caller>, args: SetPasswordArgs) -> Result<User> {
    let actor = app.actor(caller.map(|c| &c.user));
    app.store().write(|tx| repo::set_password(tx, &actor, &args.username, &args.password))
}

pub(super) fn change_own_password(app: &App, caller: Option<&Caller>, args: ChangeOwnPasswordArgs) -> Result<Done> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    repo::verify_credentials(&mut store, &actor, &caller.user.username, &args.current_password).map_err(|_| {
        Error::Denied(UserMessage::new("password.wrong_current", "当前密码不正确", "The current password is wrong").at("current_password"))
    })?;
    store.write(|tx| repo::set_password(tx, &actor, &caller.user.username, &args.new_password))?;
    Ok(Done { ok: true })
}
