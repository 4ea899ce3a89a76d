//! Manager authorisation (主管授权): a manager types their password at the clerk's screen to
//! allow one action. Reversals, refunds, waivers, over/short and closing an account use it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::App;
use crate::error::{Error, Result, UserMessage};
use crate::model::user::User;
use crate::store::{audit, users};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ManagerApproval {
    pub username: String,
    pub password: String,
}

/// Checks a manager's credentials for `action` on `entity` and records the grant in the audit
/// log. It commits on its own, before the action, so that wrong passwords count towards the
/// manager's lockout even though the action itself is then refused.
pub fn authorise(app: &App, approval: &ManagerApproval, action: &str, entity: &str) -> Result<User> {
    let mut store = app.store();
    let manager = users::verify_credentials(&mut store, &app.actor(None), &approval.username, &approval.password).map_err(|e| match e {
        Error::Denied(m) if m.code == "login.locked" => Error::Denied(m.at("approval")),
        Error::Denied(_) => Error::Denied(
            UserMessage::new(
                "approval.denied",
                "授权失败：主管用户名或密码不正确",
                "Authorisation failed: wrong manager username or password",
            )
            .at("approval"),
        ),
        e => e,
    })?;
    if !manager.role.authorises() {
        return Err(Error::Denied(
            UserMessage::new(
                "approval.role",
                "该用户无授权权限，请由营业厅主任授权",
                "This user cannot authorise; a branch manager must approve",
            )
            .at("approval"),
        ));
    }
    let actor = app.actor(Some(&manager));
    store.write(|tx| audit::append(tx, &actor, "authorisation.granted", entity, &serde_json::json!({ "action": action })))?;
    Ok(manager)
}
