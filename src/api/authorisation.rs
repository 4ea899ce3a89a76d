//! Manager authorisation (主管授权): a manager types their password at the clerk's screen to
//! allow one action. Reversals, refunds, waivers, over/short and closing an account use it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::App;
use crate::error::{Error, Result, UserMessage};
use crate::model::user::User;
use crate::store::users::{LOCKOUT_MINUTES, MAX_FAILED_LOGINS, Refusal};
use crate::store::{audit, users};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ManagerApproval {
    pub username: String,
    pub password: String,
}

/// Checks a manager's credentials for `action` on `entity` and records the grant in the audit
/// log. It commits on its own, before the action, so that wrong passwords count towards the
/// manager's own lockout (a guard against guessing a manager's password at a clerk's screen) even
/// though the action itself is then refused; the approval field says so.
pub fn authorise(app: &App, approval: &ManagerApproval, action: &str, entity: &str) -> Result<User> {
    let mut store = app.store();
    let manager = users::verify_credentials(&mut store, &app.actor(None), &approval.username, &approval.password)?.map_err(refused)?;
    // A password an administrator set is known to someone else until its owner replaces it.
    if users::status_by_id(store.conn(), &manager.id, app.clock().now())?.is_some_and(|s| s.must_change_password) {
        return Err(Error::Denied(
            UserMessage::new(
                "approval.must_change",
                "该主管的密码由管理员设置，须本人登录改为自己的密码后才能授权",
                "An administrator set this manager's password; they must log in and change it before authorising",
            )
            .at("approval"),
        ));
    }
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

/// What the approval field says when the manager's password check refuses.
fn refused(refusal: Refusal) -> Error {
    let message = match refusal {
        Refusal::Wrong => UserMessage::new(
            "approval.denied",
            format!("授权失败：主管用户名或密码不正确（连续输错{MAX_FAILED_LOGINS}次，该主管账户将锁定{LOCKOUT_MINUTES}分钟）"),
            format!(
                "Authorisation failed: wrong manager username or password ({MAX_FAILED_LOGINS} wrong in a row lock the manager's account for {LOCKOUT_MINUTES} minutes)"
            ),
        ),
        Refusal::Disabled => {
            UserMessage::new("approval.disabled", "授权失败：该主管用户已停用", "Authorisation failed: this manager's user is disabled")
        }
        Refusal::Locked { minutes } => UserMessage::new(
            "approval.locked",
            format!("授权失败：密码错误次数过多，该主管账户已锁定，请{minutes}分钟后再试，或请其他主管授权"),
            format!(
                "Authorisation failed: too many wrong passwords have locked this manager's account for {} more; try again then, or ask another manager",
                users::minutes_en(minutes)
            ),
        ),
    };
    Error::Denied(message.at("approval"))
}
