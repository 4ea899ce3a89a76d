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
    let actor = app.actor(None);
    app.store().write(|tx| {
        Ok(match users::authenticate(tx, &actor, &approval.username, &approval.password) {
            Ok(manager) if manager.role.authorises() => {
                let actor = crate::store::Actor { user_id: Some(manager.id.clone()), ..actor.clone() };
                audit::append(tx, &actor, "authorisation.granted", entity, &serde_json::json!({ "action": action }))?;
                Ok(manager)
            }
            Ok(_) => Err(Error::Denied(
                UserMessage::new("approval.role", "该用户无授权权限，请由营业厅主任授权", "This user cannot authorise; a branch manager must approve")
                    .at("approval"),
            )),
            Err(Error::Denied(m)) if m.code == "login.locked" => Err(Error::Denied(m.at("approval"))),
            Err(Error::Denied(_)) => Err(Error::Denied(
                UserMessage::new("approval.denied", "授权失败：主管用户名或密码不正确", "Authorisation failed: wrong manager username or password")
                    .at("approval"),
            )),
            Err(e) => Err(e),
        })
    })?
}
