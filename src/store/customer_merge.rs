//! A customer as it travels between places (`hall_protocol::records::CustomerRecord`: each field's
//! value with the stamp of the edit that set it), and the merge of one that arrived from head
//! office into the customer here (`hall_protocol::merge`, last writer wins per field).

use hall_protocol::hlc::Hlc;
use hall_protocol::merge::{self, Overwritten};
use hall_protocol::records::{CustomerRecord, Stamped};
use rusqlite::{Connection, params};
use serde_json::Value;

use super::customer_clocks::{self, Stamps};
use super::customers::{self, CREATED_FIELD};
use super::{Actor, Tx, audit};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::{Customer, FieldChange};

pub use crate::model::customer::RECORD_FIELDS;

const LOCAL_ONLY: [&str; 3] = ["id", "version", "updated_at"];

/// The customer's field values by record field name.
fn values(customer: &Customer) -> Result<serde_json::Map<String, Value>> {
    let Value::Object(mut map) = serde_json::to_value(customer)? else {
        return Err(Error::Internal("a customer serialises to an object".into()));
    };
    for field in LOCAL_ONLY {
        map.remove(field);
    }
    Ok(map)
}

/// A customer from record values (every field present), with this replica's `version` and time.
fn from_values(id: &str, version: i64, updated_at: &str, fields: &serde_json::Map<String, Value>) -> Result<Customer> {
    let mut object = fields.clone();
    object.insert("id".into(), Value::String(id.to_owned()));
    object.insert("version".into(), Value::from(version));
    object.insert("updated_at".into(), Value::String(updated_at.to_owned()));
    serde_json::from_value(Value::Object(object)).map_err(|e| {
        Error::invalid(UserMessage::new(
            "customer_record.value",
            format!("客户档案{id}含无法识别的字段值：{e}"),
            format!("Customer record {id} has a value that cannot be read: {e}"),
        ))
    })
}

/// The outlet a customer belongs to: the one it arrived from (`home_outlet`), or this one.
fn home_outlet(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT coalesce(c.home_outlet, w.outlet_code) FROM customers c CROSS JOIN workstation w WHERE c.id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Records the outlet of a customer merged from elsewhere (NULL when it is this one's).
fn set_home_outlet(tx: &Tx, pk: i64, outlet_code: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE customers SET home_outlet = nullif(?2, (SELECT outlet_code FROM workstation)) WHERE pk = ?1
         AND home_outlet IS NOT nullif(?2, (SELECT outlet_code FROM workstation))",
    )?
    .execute(params![pk, outlet_code])?;
    Ok(())
}

fn record_of(conn: &Connection, customer: &Customer, stamps: &Stamps) -> Result<CustomerRecord> {
    let fields = values(customer)?
        .into_iter()
        .map(|(field, value)| {
            let hlc = stamps.of(&field).clone();
            (field, Stamped { value, hlc })
        })
        .collect();
    Ok(CustomerRecord {
        id: customer.id.clone(),
        outlet_code: home_outlet(conn, &customer.id)?,
        area: customer.record.supply_area.clone(),
        fields,
    })
}

/// The named fields of a customer, all stamped `hlc`: what a local write's outbox event carries.
pub(crate) fn stamped_record(conn: &Connection, customer: &Customer, fields: &[&str], hlc: &Hlc) -> Result<CustomerRecord> {
    let mut values = values(customer)?;
    let fields = fields
        .iter()
        .filter_map(|field| values.remove(*field).map(|value| (field.to_string(), Stamped { value, hlc: hlc.clone() })))
        .collect();
    Ok(CustomerRecord {
        id: customer.id.clone(),
        outlet_code: home_outlet(conn, &customer.id)?,
        area: customer.record.supply_area.clone(),
        fields,
    })
}

/// The customer as it stands here, every field with its stamp: what sync sends for the customers
/// a `customers.imported` event names, and what replicas compare.
pub fn to_record(conn: &Connection, id: &str) -> Result<CustomerRecord> {
    let (pk, customer) = customers::get_with_pk(conn, id)?;
    let workstation_id: String = conn.prepare_cached("SELECT workstation_id FROM workstation")?.query_row([], |r| r.get(0))?;
    record_of(conn, &customer, &Stamps::read(conn, pk, &workstation_id)?)
}

/// What [`apply_remote`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The customer was not here and was created from the record.
    pub created: bool,
    /// The customer's version here after the merge (unchanged if nothing changed).
    pub version: i64,
    /// The fields whose value here changed.
    pub changed: Vec<String>,
    /// Every value that lost: those here (now in the customer's history) and those of the record
    /// that arrived.
    pub overwritten: Vec<Overwritten>,
    /// Fields whose stamp was more than `MAX_AHEAD_MS` ahead of this workstation's clock (this
    /// clock is behind head office's), with the stamp as it arrived; the audit log flags them.
    pub clamped: Vec<(String, Hlc)>,
}

/// Merges a customer record from head office into the customer here, creating it if absent.
///
/// Each field goes to the later stamp. The winners are written through the write path of a local
/// edit (columns, phones, meters, search index, a new version), and every value here that lost is
/// kept in the customer's history with the winning edit's stamp and workstation, so the profile
/// shows what was overwritten. Observing the stamps advances this workstation's clock past them.
///
/// No outbox event is written: the change came from head office, and sending it back would echo
/// between the two for ever. Head office already holds the merged record.
pub fn apply_remote(tx: &Tx, actor: &Actor, remote: &CustomerRecord) -> Result<Applied> {
    check_fields(remote)?;
    let observed = customer_clocks::observe(tx, remote.fields.values().map(|s| &s.hlc), actor.at)?;
    let clamped: Vec<(String, Hlc)> = remote
        .fields
        .iter()
        .zip(&observed)
        .filter(|(_, seen)| seen.clamped)
        .map(|((field, s), _)| (field.clone(), s.hlc.clone()))
        .collect();
    if !clamped.is_empty() {
        let detail: serde_json::Map<String, Value> =
            clamped.iter().map(|(field, hlc)| (field.clone(), Value::String(hlc.to_string()))).collect();
        audit::append(tx, actor, "customer.clock_ahead", &remote.id, &serde_json::json!({ "stamps": detail }))?;
    }
    let mut applied = match customers::get_with_pk(tx, &remote.id) {
        Ok((pk, current)) => merge_into(tx, actor, pk, current, remote)?,
        Err(Error::NotFound(_)) => create_from(tx, actor, remote)?,
        Err(e) => return Err(e),
    };
    applied.clamped = clamped;
    Ok(applied)
}

fn check_fields(record: &CustomerRecord) -> Result<()> {
    if record.id.trim().is_empty() {
        return Err(Error::invalid(UserMessage::new("customer_record.id", "客户档案缺少编号", "The customer record has no id")));
    }
    let unknown: Vec<&str> = record.fields.keys().map(String::as_str).filter(|f| !RECORD_FIELDS.contains(f)).collect();
    if !unknown.is_empty() {
        let list = unknown.join(", ");
        return Err(Error::invalid(UserMessage::new(
            "customer_record.unknown_field",
            format!("客户档案{}含未知字段：{list}", record.id),
            format!("Customer record {} has unknown fields: {list}", record.id),
        )));
    }
    Ok(())
}

fn create_from(tx: &Tx, actor: &Actor, remote: &CustomerRecord) -> Result<Applied> {
    let missing: Vec<&str> = RECORD_FIELDS.iter().copied().filter(|f| !remote.fields.contains_key(*f)).collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        return Err(Error::invalid(UserMessage::new(
            "customer_record.incomplete",
            format!("本机没有客户{}，而收到的档案缺少字段：{list}", remote.id),
            format!("Customer {} is not here and the record that arrived lacks fields: {list}", remote.id),
        )));
    }
    let now = stamp(actor.at);
    let values: serde_json::Map<String, Value> = remote.fields.iter().map(|(f, s)| (f.clone(), s.value.clone())).collect();
    let customer = from_values(&remote.id, 1, &now, &values)?;
    customers::claim_keys(tx, &customer.record)?;
    // The record's most common case is one stamp for every field (a create elsewhere): the row's.
    let base = remote.fields.values().map(|s| &s.hlc).min().cloned().unwrap_or_else(|| Hlc::zero(&tx.workstation_id));
    let pk = customers::insert_record(tx, actor, &remote.id, &customer.record, &now, &base)?;
    write_lifecycle(tx, pk, &customer)?;
    set_home_outlet(tx, pk, &remote.outlet_code)?;
    let mut stamps = Stamps { base, fields: Default::default() };
    for (field, s) in &remote.fields {
        stamps.set(field, &s.hlc);
    }
    stamps.write(tx, pk)?;
    let creation = &remote.fields["created_at"].hlc;
    tx.prepare_cached(
        "UPDATE customer_history SET workstation_id = ?3, merged_hlc = ?4, user_id = NULL WHERE customer_pk = ?1 AND version = 1 AND field = ?2",
    )?
    .execute(params![pk, CREATED_FIELD, creation.node, creation.to_string()])?;
    Ok(Applied {
        created: true,
        version: 1,
        changed: remote.fields.keys().cloned().collect(),
        overwritten: Vec::new(),
        clamped: Vec::new(),
    })
}

fn merge_into(tx: &Tx, actor: &Actor, pk: i64, current: Customer, remote: &CustomerRecord) -> Result<Applied> {
    let old_stamps = Stamps::read(tx, pk, &tx.workstation_id)?;
    let mut local = record_of(tx, &current, &old_stamps)?;
    adopt_clamped_echoes(&tx.workstation_id, &mut local, remote);
    let merged = merge::merge(&local, remote).map_err(|e| {
        let body = e.body();
        Error::invalid(UserMessage::new(&body.code, body.zh, body.en))
    })?;

    let mut stamps = old_stamps.clone();
    for (field, s) in &merged.record.fields {
        stamps.set(field, &s.hlc);
    }
    let changed: Vec<(&String, &Stamped, &Stamped)> = merged
        .record
        .fields
        .iter()
        .filter_map(|(field, winner)| local.fields.get(field).filter(|mine| mine.value != winner.value).map(|mine| (field, mine, winner)))
        .collect();
    if stamps != old_stamps {
        stamps.write(tx, pk)?;
    }
    if merged.record.outlet_code != local.outlet_code {
        set_home_outlet(tx, pk, &merged.record.outlet_code)?;
    }
    if changed.is_empty() {
        return Ok(Applied {
            created: false,
            version: current.version,
            changed: Vec::new(),
            overwritten: merged.overwritten,
            clamped: Vec::new(),
        });
    }

    let version = current.version + 1;
    let now = stamp(actor.at);
    let values: serde_json::Map<String, Value> = merged.record.fields.iter().map(|(f, s)| (f.clone(), s.value.clone())).collect();
    let customer = from_values(&current.id, version, &now, &values)?;
    if customer.record.account != current.record.account {
        customers::ensure_account_free(tx, &customer.record.account)?;
    }
    customers::ensure_meters_free(tx, &customer.record.meters, Some(pk))?;
    customers::rewrite_record(tx, pk, version, &now, &customer.record)?;
    write_lifecycle(tx, pk, &customer)?;
    let history: Vec<(FieldChange, Hlc)> = changed
        .iter()
        .map(|(field, mine, winner)| {
            (FieldChange { field: (*field).clone(), old: render(&mine.value), new: render(&winner.value) }, winner.hlc.clone())
        })
        .collect();
    customers::add_merged_history(tx, actor, pk, version, &history)?;
    // Deliberately no outbox event here: see the function's comment.
    Ok(Applied {
        created: false,
        version,
        changed: changed.iter().map(|(field, ..)| (*field).clone()).collect(),
        overwritten: merged.overwritten,
        clamped: Vec::new(),
    })
}

/// Head office clamps a stamp of this workstation that was too far ahead of its clock (this
/// workstation's clock was fast) and sends the field back under the clamped stamp: same
/// workstation, same value, earlier time (the counter may differ: clamping keeps successive
/// edits in order by counting up). That is the same edit, so the stamp here
/// takes head office's form; keeping the unclamped one would let this replica keep winning a field
/// that head office and every other replica give to later edits.
fn adopt_clamped_echoes(workstation_id: &str, local: &mut CustomerRecord, remote: &CustomerRecord) {
    for (field, theirs) in &remote.fields {
        if let Some(mine) = local.fields.get_mut(field)
            && mine.hlc.node == workstation_id
            && theirs.hlc.node == workstation_id
            && theirs.hlc.millis < mine.hlc.millis
            && theirs.value == mine.value
        {
            mine.hlc = theirs.hlc.clone();
        }
    }
}

/// The columns an edit does not write: the account (fixed here, but a merge takes head office's
/// word) and the lifecycle fields.
fn write_lifecycle(tx: &Tx, pk: i64, customer: &Customer) -> Result<()> {
    tx.prepare_cached(
        "UPDATE customers SET account = ?2, status = ?3, created_at = ?4, closed_at = ?5, close_reason = ?6, supply_suspended = ?7
         WHERE pk = ?1",
    )?
    .execute(params![
        pk,
        customer.record.account,
        customer.status.code(),
        customer.created_at,
        customer.closed_at,
        customer.close_reason,
        customer.supply_suspended
    ])?;
    Ok(())
}

/// A value as the history shows it (as `model::customer::diff` renders a field).
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_fields_are_exactly_what_a_customer_serialises() {
        let customer = crate::demo::Generator::new(1).customer(0);
        let customer = Customer {
            id: "x".into(),
            status: crate::model::customer::CustomerStatus::Active,
            version: 1,
            created_at: "t".into(),
            updated_at: "t".into(),
            closed_at: None,
            close_reason: None,
            supply_suspended: false,
            record: customer,
        };
        let mut fields: Vec<String> = values(&customer).unwrap().keys().cloned().collect();
        fields.sort();
        let mut expected: Vec<String> = RECORD_FIELDS.iter().map(|f| f.to_string()).collect();
        expected.sort();
        assert_eq!(fields, expected);
    }
}
