//! The customer records a `customers.imported` event names (by id): sent as they stand when the
//! event goes, in `WireEvent.records` (invariant 3).

use hall_protocol::records::CustomerRecord;
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

/// The customer as it stands here, each field with its own stamp (the merge's).
pub fn to_record(conn: &Connection, id: &str) -> Result<CustomerRecord> {
    crate::store::customers::to_record(conn, id)
}
