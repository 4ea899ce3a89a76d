//! Customers at head office: `customer.created`, `customer.updated` (whose payloads carry the
//! stamped `record`) and `customers.imported` (whose records travel in
//! [`WireEvent::records`]) are merged per field into the outlet's `customers` row by
//! [`hall_protocol::merge`], and the merged record is published to the outlet as a `customer`
//! change when it changed. Values a merge overwrote are kept for the reviewer; stamps far ahead of
//! head office's clock are clamped and flagged.

use std::collections::BTreeMap;

use hall_protocol::hlc::{Hlc, HlcClock};
use hall_protocol::merge::{merge, observe_record};
use hall_protocol::push::WireEvent;
use hall_protocol::records::{self, CustomerRecord};
use serde::Deserialize;
use tokio_postgres::Transaction;

use crate::changes::{NewChange, append_outlet};
use crate::error::{Error, Result};

pub const KINDS: &[&str] = &["customer.created", "customer.updated", "customers.imported"];

#[derive(Deserialize)]
struct WithRecord {
    record: CustomerRecord,
}

/// The customer records a batch carries, in series order. A payload without a readable record (an
/// older workstation) is left in the event store as it is.
fn carried<'a>(events: &'a [&'a WireEvent]) -> Vec<CustomerRecord> {
    let mut out = Vec::new();
    for event in events {
        match event.kind.as_str() {
            "customer.created" | "customer.updated" => {
                if let Ok(with) = serde_json::from_str::<WithRecord>(&event.payload) {
                    out.push(with.record);
                }
            }
            "customers.imported" => out.extend(event.records.iter().cloned()),
            _ => {}
        }
    }
    out
}

pub async fn project(tx: &Transaction<'_>, outlet: &str, workstation: &str, events: &[&WireEvent]) -> Result<()> {
    let incoming = carried(events);
    if incoming.is_empty() {
        return Ok(());
    }
    let wall_ms = chrono::Utc::now().timestamp_millis();
    let mut clock = HlcClock::new(Hlc::zero("head-office"));
    let mut by_id: BTreeMap<String, Vec<CustomerRecord>> = BTreeMap::new();
    let mut clamps: Vec<(String, String, String)> = Vec::new();
    for record in incoming {
        let observed = observe_record(&mut clock, &record, wall_ms);
        clamps.extend(observed.clamped.iter().map(|(field, hlc)| (record.id.clone(), field.clone(), hlc.to_string())));
        by_id.entry(record.id.clone()).or_default().push(observed.record);
    }
    // Locked in id order, so two pushes of the outlet touching the same customers cannot deadlock.
    let ids: Vec<&str> = by_id.keys().map(String::as_str).collect();
    let mut held: BTreeMap<String, CustomerRecord> = BTreeMap::new();
    for row in tx
        .query("SELECT id, record FROM customers WHERE outlet_code = $1 AND id = ANY($2) ORDER BY id FOR UPDATE", &[&outlet, &ids])
        .await?
    {
        let record: serde_json::Value = row.get(1);
        let record = serde_json::from_value(record).map_err(|e| Error::Internal(format!("stored customer: {e}")))?;
        held.insert(row.get(0), record);
    }
    let mut overwrites: Vec<OverwriteRow> = Vec::new();
    let mut changes = Vec::new();
    for (id, records) in by_id {
        let before = held.get(&id).cloned();
        let mut current = before.clone();
        for record in records {
            current = Some(match current {
                None => record,
                Some(local) => merge_noting(&id, &local, &record, &mut overwrites)?,
            });
        }
        let Some(mut merged) = current else { continue };
        if before.as_ref() == Some(&merged) {
            continue;
        }
        let mut body = serde_json::to_value(&merged).expect("a record serialises");
        let inserted = before.is_none()
            && tx
                .execute(
                    "INSERT INTO customers (outlet_code, id, area, record) VALUES ($1, $2, $3, $4) ON CONFLICT (outlet_code, id) DO NOTHING",
                    &[&outlet, &id, &merged.area, &body],
                )
                .await?
                == 1;
        if !inserted {
            if before.is_none() {
                // Another push of the outlet created the customer after this one looked: merge with it.
                let row =
                    tx.query_one("SELECT record FROM customers WHERE outlet_code = $1 AND id = $2 FOR UPDATE", &[&outlet, &id]).await?;
                let theirs: CustomerRecord =
                    serde_json::from_value(row.get(0)).map_err(|e| Error::Internal(format!("stored customer: {e}")))?;
                merged = merge_noting(&id, &theirs, &merged, &mut overwrites)?;
                body = serde_json::to_value(&merged).expect("a record serialises");
            }
            tx.execute(
                "UPDATE customers SET record = $3, area = $4, updated_at = now() WHERE outlet_code = $1 AND id = $2",
                &[&outlet, &id, &body, &merged.area],
            )
            .await?;
        }
        changes.push(NewChange { kind: records::CUSTOMER, key: id, body });
    }
    for (customer, field, kept, kept_hlc, lost, lost_hlc) in &overwrites {
        tx.execute(
            "INSERT INTO customer_overwrites (outlet_code, customer_id, field, kept_value, kept_hlc, overwritten_value, overwritten_hlc)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&outlet, customer, field, kept, kept_hlc, lost, lost_hlc],
        )
        .await?;
    }
    for (customer, field, hlc) in &clamps {
        tx.execute(
            "INSERT INTO customer_clamps (outlet_code, customer_id, field, workstation_id, arrived_hlc) VALUES ($1, $2, $3, $4, $5)",
            &[&outlet, customer, field, &workstation, hlc],
        )
        .await?;
    }
    append_outlet(tx, outlet, &changes).await?;
    Ok(())
}

/// A field the merge overwrote: (customer, field, kept value, its stamp, lost value, its stamp).
type OverwriteRow = (String, String, serde_json::Value, String, serde_json::Value, String);

/// Merges `record` into `held`, noting for the reviewer every value one place's edit overwrote
/// at another's (a workstation's own later edit of a field replacing its earlier one is no conflict).
fn merge_noting(id: &str, held: &CustomerRecord, record: &CustomerRecord, overwrites: &mut Vec<OverwriteRow>) -> Result<CustomerRecord> {
    let merged = merge(held, record).map_err(|e| Error::Invalid(e.body()))?;
    for o in merged.overwritten.iter().filter(|o| o.winner.hlc.node != o.lost.hlc.node) {
        overwrites.push((
            id.to_owned(),
            o.field.clone(),
            o.winner.value.clone(),
            o.winner.hlc.to_string(),
            o.lost.value.clone(),
            o.lost.hlc.to_string(),
        ));
    }
    Ok(merged.record)
}
