//! Customers at head office: the seam where `customer.created`, `customer.updated` and
//! `customers.imported` (with [`hall_protocol::push::WireEvent::records`]) become the merged
//! customer record of the `customers` table and a `customer` change for the outlet.
//!
//! The per-field merge is `hall_protocol::merge` (the merge branch). Until it is merged here the
//! events are kept in the event store only (nothing is lost: they are projected when the merge
//! lands, by replaying the stored events), and this function writes nothing.

use hall_protocol::push::WireEvent;
use tokio_postgres::Transaction;

use crate::error::Result;

pub const KINDS: &[&str] = &["customer.created", "customer.updated", "customers.imported"];

pub async fn project(_tx: &Transaction<'_>, _outlet: &str, _events: &[&WireEvent]) -> Result<()> {
    Ok(())
}
