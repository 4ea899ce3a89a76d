//! The customer records a `customers.imported` event names (by id): sent as they stand when the
//! event goes, in `WireEvent.records` (invariant 3).

use std::collections::BTreeMap;

use hall_protocol::hlc::Hlc;
use hall_protocol::records::{CustomerRecord, Stamped};
use rusqlite::Connection;
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Deserialize)]
struct Imported {
    ids: Vec<String>,
}

/// The records of the customers a `customers.imported` payload names.
pub fn imported_records(conn: &Connection, payload: &str) -> Result<Vec<CustomerRecord>> {
    let imported: Imported = serde_json::from_str(payload).map_err(|e| Error::Internal(format!("customers.imported payload: {e}")))?;
    imported.ids.iter().map(|id| to_record(conn, id)).collect()
}

/// The seam to the merge's `store::customers::to_record` (each field with its own stamp). Until
/// that lands, every field carries the stamp of the customer's last change here, which is what
/// an imported customer edited nowhere else has.
pub fn to_record(conn: &Connection, id: &str) -> Result<CustomerRecord> {
    let customer = crate::store::customers::get(conn, id)?;
    let (workstation_id, outlet_code): (String, String) =
        conn.query_row("SELECT workstation_id, outlet_code FROM workstation", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let millis = crate::clock::parse_stamp(&customer.updated_at).map(|t| t.timestamp_millis()).unwrap_or(0);
    let hlc = Hlc { millis, counter: 0, node: workstation_id };
    let serde_json::Value::Object(fields) = serde_json::to_value(&customer)? else {
        return Err(Error::Internal("a customer is not a JSON object".into()));
    };
    let fields: BTreeMap<String, Stamped> = fields
        .into_iter()
        .filter(|(name, _)| !matches!(name.as_str(), "id" | "version" | "created_at" | "updated_at"))
        .map(|(name, value)| (name, Stamped { value, hlc: hlc.clone() }))
        .collect();
    Ok(CustomerRecord { id: customer.id, outlet_code, area: customer.record.supply_area, fields })
}
