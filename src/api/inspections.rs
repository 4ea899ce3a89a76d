//! Safety-inspection commands (用电检查): who is due, recording a visit, the rectification notice,
//! follow-up visits, and the defects open or past their deadline.

use base64::Engine;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, PdfFile, require_caller};
use crate::clock::business_date;
use crate::error::{Error, Lang, Result, UserMessage};
use crate::print::rectification::{RectificationDoc, RectificationItem};
use crate::store::inspections::{self as repo, Defect, DueCustomer, FollowUp, Inspection, InspectionInput};
use crate::store::settings;

#[derive(Debug, Clone, Serialize, TS)]
pub struct DueInspections {
    /// The outlet's date the list is for (the core's clock).
    #[ts(type = "string")]
    pub on: chrono::NaiveDate,
    pub rows: Vec<DueCustomer>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct InspectionRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DefectsArgs {
    /// Only those past their deadline today.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DefectList {
    pub rows: Vec<Defect>,
}

pub(super) fn due(app: &App, caller: Option<&Caller>, _: super::NoArgs) -> Result<DueInspections> {
    require_caller(caller)?;
    let on = business_date(app.clock().now());
    Ok(DueInspections { on, rows: repo::due(app.store().conn(), on, 500)? })
}

pub(super) fn record(app: &App, caller: Option<&Caller>, args: InspectionInput) -> Result<Inspection> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::record(tx, &actor, &caller.user.id, &args))
}

pub(super) fn get(app: &App, caller: Option<&Caller>, args: InspectionRef) -> Result<Inspection> {
    require_caller(caller)?;
    repo::get(app.store().conn(), &args.id)
}

pub(super) fn follow_up(app: &App, caller: Option<&Caller>, args: FollowUp) -> Result<Defect> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::follow_up(tx, &actor, &caller.user.id, &args))
}

pub(super) fn defects(app: &App, caller: Option<&Caller>, args: DefectsArgs) -> Result<DefectList> {
    require_caller(caller)?;
    let today = business_date(app.clock().now());
    Ok(DefectList { rows: repo::open_defects(app.store().conn(), args.overdue.then_some(today))? })
}

/// The rectification notice of an inspection that found defects.
pub(super) fn notice(app: &App, caller: Option<&Caller>, args: InspectionRef) -> Result<PdfFile> {
    require_caller(caller)?;
    let store = app.store();
    let conn = store.conn();
    let i = repo::get(conn, &args.id)?;
    if i.defects.is_empty() {
        return Err(Error::Conflict(UserMessage::new(
            "inspection.no_defects",
            "本次检查未发现隐患，无需整改通知书",
            "This inspection found no defects: there is nothing to rectify",
        )));
    }
    let doc = RectificationDoc {
        company: settings::get_or(conn, settings::COMPANY_NAME, settings::DEFAULT_COMPANY_NAME)?,
        outlet: settings::get_or(conn, settings::OUTLET_NAME, settings::DEFAULT_OUTLET_NAME)?,
        reference: i.id.clone(),
        account: i.account.clone(),
        name: i.customer_name.clone(),
        address: i.address.clone(),
        inspected_on: i.inspected_on,
        inspector: i.inspector_name.clone(),
        items: i
            .defects
            .iter()
            .map(|d| RectificationItem {
                item: d.item.label(Lang::ZhCn).to_owned(),
                description: d.description.clone(),
                deadline: d.deadline,
            })
            .collect(),
    };
    let bytes = crate::print::rectification::render(&doc)?;
    Ok(PdfFile {
        file_name: format!("整改通知书-{}-{}.pdf", i.account, i.inspected_on),
        bytes: bytes.len() as i64,
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}
