//! The customer relationship command: the profile's timeline of contacts, the satisfaction
//! trend, and the account manager's open items (`store::relationship`).

use serde::Serialize;
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::clock::business_date;
use crate::error::Result;

/// The customer relationship on the profile: the timeline of every contact, the satisfaction
/// trend, and for a big customer the account manager with what is open.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Relationship {
    pub timeline: Vec<crate::store::relationship::Contact>,
    pub satisfaction: Vec<crate::store::relationship::Satisfaction>,
    pub big_customer: bool,
    pub account_manager: Option<String>,
    pub open: crate::store::relationship::OpenItems,
}

pub(super) fn relationship(app: &App, caller: Option<&Caller>, args: super::CustomerRef) -> Result<Relationship> {
    require_caller(caller)?;
    let store = app.store();
    let conn = store.conn();
    let (pk, c) = crate::store::customers::get_with_pk(conn, &args.id)?;
    use crate::store::relationship as rel;
    Ok(Relationship {
        timeline: rel::timeline(conn, pk, 200)?,
        satisfaction: rel::satisfaction(conn, pk)?,
        big_customer: c.record.big_customer,
        account_manager: c.record.account_manager.clone(),
        open: rel::open_items(conn, pk, business_date(app.clock().now()))?,
    })
}
