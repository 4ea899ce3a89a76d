//! The settings an administrator changes from the UI, through the typed API in
//! `store::settings` (which knows each key's kind and who may change it).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, NoArgs, require_caller};
use crate::error::Result;
use crate::store::settings::{self as repo, SettingValue};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SettingList {
    pub settings: Vec<SettingValue>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SetSettingArgs {
    pub key: String,
    pub value: String,
}

pub(super) fn get(app: &App, caller: Option<&Caller>, _: NoArgs) -> Result<SettingList> {
    let caller = require_caller(caller)?;
    Ok(SettingList { settings: repo::list(app.store().conn(), caller.user.role)? })
}

pub(super) fn set(app: &App, caller: Option<&Caller>, args: SetSettingArgs) -> Result<SettingValue> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::change(tx, &actor, caller.user.role, &args.key, &args.value))
}
