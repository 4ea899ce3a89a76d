//! Customer records: create, edit, close (never delete), and the history of every field.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::{Actor, Tx, audit, outbox};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::*;
use crate::model::ids::phone_digits;
use crate::model::name_keys;

/// One line of a customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryEntry {
    pub version: i64,
    pub at: String,
    pub field: String,
    pub old: String,
    pub new: String,
    pub user_id: Option<String>,
    /// The user's display name at the time of reading, if the user is known here.
    pub user_name: Option<String>,
    pub workstation_id: String,
}

/// The field name under which a record's creation appears in its history.
pub const CREATED_FIELD: &str = "_created";

/// How a write is recorded in the audit log: one entry per action, or none per row when the
/// caller audits a whole batch (an import) itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEach {
    Yes,
    No,
}

/// Creates a customer from a checked draft. Every check that can refuse it runs before the first
/// write, so a refusal leaves nothing even inside a caller's larger transaction.
pub fn create(tx: &Tx, actor: &Actor, draft: &CustomerDraft, audit_each: AuditEach) -> Result<Customer> {
    let prepared = prepare(draft.clone())?;
    let now = stamp(actor.at);
    let pk = insert_rows(tx, actor, &prepared, &now)?;
    insert_text_rows(tx, &[prepared.text_row(pk)])?;
    let Prepared { id, draft, .. } = prepared;
    let customer = Customer {
        id: id.clone(),
        status: CustomerStatus::Active,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
        closed_at: None,
        close_reason: None,
        record: draft,
    };
    outbox::append(tx, actor, "customer.created", &id, &customer)?;
    if audit_each == AuditEach::Yes {
        audit::append(tx, actor, "customer.create", &id, &serde_json::json!({ "account": customer.record.account }))?;
    }
    Ok(customer)
}

/// A checked draft with everything its rows need computed ahead of the write (its id, column
/// values, pinyin keys, full-text tokens), so that an import can do this work on its parsing
/// thread while the writer writes.
pub struct Prepared {
    id: String,
    draft: CustomerDraft,
    values: [Value; 17],
    name_tokens: String,
    address_tokens: String,
}

pub fn prepare(draft: CustomerDraft) -> Result<Prepared> {
    Ok(Prepared {
        id: uuid::Uuid::now_v7().to_string(),
        values: record_values(&draft)?,
        name_tokens: name_keys::text_tokens(&draft.name),
        address_tokens: name_keys::text_tokens(&draft.address),
        draft,
    })
}

impl Prepared {
    fn text_row(&self, pk: i64) -> TextRow {
        TextRow { pk, name: self.name_tokens.clone(), address: self.address_tokens.clone() }
    }
}

/// Many creates in one transaction (an import, the demo), written the fast way:
/// - the full-text rows in batches (FTS5 flushes its buffer at every statement that follows an
///   insert into it, so interleaving them with the other inserts makes a load several times slower);
/// - one outbox event per [`EVENT_BATCH`] customers, `customers.imported`, naming them by id
///   rather than carrying each record: sync sends the named records as they stand when it sends
///   them (head office keeps the newest version of each), and the load does not write every record
///   twice;
/// - for a load that is large against the table, the secondary indexes dropped first and built
///   again at the end from sorted rows.
pub struct BulkLoad {
    text_rows: Vec<TextRow>,
    imported: Vec<String>,
    now: String,
    dropped: Option<DroppedIndexes>,
}

const TEXT_BATCH: usize = 50_000;
pub const EVENT_BATCH: usize = 1_000;

/// The payload of a `customers.imported` event.
#[derive(Serialize)]
struct Imported<'a> {
    ids: &'a [String],
}

impl BulkLoad {
    pub fn start(tx: &Tx, actor: &Actor, rebuild_indexes: bool) -> Result<BulkLoad> {
        let dropped = if rebuild_indexes { Some(drop_secondary_indexes(tx)?) } else { None };
        Ok(BulkLoad { text_rows: Vec::with_capacity(TEXT_BATCH), imported: Vec::with_capacity(EVENT_BATCH), now: stamp(actor.at), dropped })
    }

    /// As [`create`], without an audit entry per row (the caller audits the whole load) and with
    /// the outbox event batched.
    pub fn create(&mut self, tx: &Tx, actor: &Actor, prepared: Prepared) -> Result<()> {
        let pk = insert_rows(tx, actor, &prepared, &self.now)?;
        self.text_rows.push(prepared.text_row(pk));
        if self.text_rows.len() >= TEXT_BATCH {
            insert_text_rows(tx, &self.text_rows)?;
            self.text_rows.clear();
        }
        self.imported.push(prepared.id);
        if self.imported.len() >= EVENT_BATCH {
            self.flush_event(tx, actor)?;
        }
        Ok(())
    }

    fn flush_event(&mut self, tx: &Tx, actor: &Actor) -> Result<()> {
        if !self.imported.is_empty() {
            outbox::append(tx, actor, "customers.imported", "customers", &Imported { ids: &self.imported })?;
            self.imported.clear();
        }
        Ok(())
    }

    /// Writes what is pending and rebuilds the indexes. Must run before the transaction commits.
    pub fn finish(mut self, tx: &Tx, actor: &Actor) -> Result<()> {
        insert_text_rows(tx, &self.text_rows)?;
        self.flush_event(tx, actor)?;
        if let Some(dropped) = self.dropped {
            recreate_indexes(tx, dropped)?;
        }
        Ok(())
    }
}

/// A customer's row in the full-text index, waiting to be written.
struct TextRow {
    pk: i64,
    name: String,
    address: String,
}

/// Writes a new customer's row, phones, meters and creation history after checking that its
/// account and meters are free. Returns the row key.
fn insert_rows(tx: &Tx, actor: &Actor, prepared: &Prepared, now: &str) -> Result<i64> {
    let draft = &prepared.draft;
    ensure_account_free(tx, &draft.account)?;
    ensure_meters_free(tx, &draft.meters, None)?;
    // `last_insert_rowid` rather than `RETURNING pk`, which builds a temporary table per row.
    tx.prepare_cached(&format!(
        "INSERT INTO customers (id, account, status, version, created_at, updated_at, {RECORD_COLUMNS})
         VALUES (?1, ?2, 'active', 1, ?3, ?3, {RECORD_PLACEHOLDERS})"
    ))?
    .execute(rusqlite::params_from_iter(
        [Value::from(prepared.id.clone()), Value::from(draft.account.clone()), Value::from(now.to_owned())]
            .iter()
            .chain(prepared.values.iter()),
    ))?;
    let pk = tx.last_insert_rowid();
    write_side_tables(tx, pk, draft)?;
    add_history(tx, actor, pk, 1, &[FieldChange { field: CREATED_FIELD.into(), old: String::new(), new: draft.account.clone() }])?;
    Ok(pk)
}

fn insert_text_rows(tx: &Tx, rows: &[TextRow]) -> Result<()> {
    let mut names = tx.prepare_cached("INSERT INTO customer_name_text (rowid, name) VALUES (?1, ?2)")?;
    for row in rows {
        names.execute(params![row.pk, row.name])?;
    }
    let mut addresses = tx.prepare_cached("INSERT INTO customer_address_text (rowid, address) VALUES (?1, ?2)")?;
    for row in rows {
        addresses.execute(params![row.pk, row.address])?;
    }
    Ok(())
}

/// Applies an edit made from `expected_version`. The account number cannot change. Returns the
/// new record and the fields that changed (none if the draft equals the stored record, in which
/// case nothing is written).
pub fn update(
    tx: &Tx,
    actor: &Actor,
    id: &str,
    expected_version: i64,
    draft: &CustomerDraft,
) -> Result<(Customer, Vec<FieldChange>)> {
    let (pk, current) = load_for_write(tx, id)?;
    if current.status == CustomerStatus::Closed {
        return Err(Error::Conflict(UserMessage::new("customer.closed", "该户已销户，不能修改", "This account is closed and cannot be edited")));
    }
    if current.version != expected_version {
        return Err(Error::Conflict(UserMessage::new(
            "customer.stale",
            "该客户档案已被他人修改，请刷新后重试",
            "Someone else changed this record meanwhile; reload it and try again",
        )));
    }
    if draft.account != current.record.account {
        return Err(Error::invalid(
            UserMessage::new("account.immutable", "户号不能修改", "The account number cannot be changed").at("account"),
        ));
    }
    let changes = diff(&current.record, draft);
    if changes.is_empty() {
        return Ok((current, changes));
    }
    ensure_meters_free(tx, &draft.meters, Some(pk))?;
    let version = current.version + 1;
    let now = stamp(actor.at);
    tx.prepare_cached(&format!(
        "UPDATE customers SET version = ?2, updated_at = ?3, ({RECORD_COLUMNS}) = ({RECORD_PLACEHOLDERS}) WHERE pk = ?1"
    ))?
    .execute(rusqlite::params_from_iter([Value::from(pk), Value::from(version), Value::from(now.clone())].into_iter().chain(record_values(draft)?)))?;
    clear_side_tables(tx, pk)?;
    write_side_tables(tx, pk, draft)?;
    insert_text_rows(tx, &[TextRow { pk, name: name_keys::text_tokens(&draft.name), address: name_keys::text_tokens(&draft.address) }])?;
    add_history(tx, actor, pk, version, &changes)?;
    let customer = Customer { version, updated_at: now, record: draft.clone(), ..current };
    outbox::append(tx, actor, "customer.updated", id, &serde_json::json!({ "id": id, "version": version, "changes": changes }))?;
    audit::append(tx, actor, "customer.update", id, &serde_json::json!({ "version": version, "fields": changes.iter().map(|c| &c.field).collect::<Vec<_>>() }))?;
    Ok((customer, changes))
}

/// Closes an account (销户). The record and its history stay; only its status changes.
pub fn close(tx: &Tx, actor: &Actor, id: &str, reason: &str, authorised_by: &str) -> Result<Customer> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(UserMessage::new("close_reason.required", "请填写销户原因", "Give the reason for closing").at("reason")));
    }
    let (pk, current) = load_for_write(tx, id)?;
    if current.status == CustomerStatus::Closed {
        return Err(Error::Conflict(UserMessage::new("customer.closed", "该户已销户", "This account is already closed")));
    }
    let version = current.version + 1;
    let now = stamp(actor.at);
    tx.execute(
        "UPDATE customers SET status = 'closed', closed_at = ?2, close_reason = ?3, version = ?4, updated_at = ?2 WHERE pk = ?1",
        params![pk, now, reason, version],
    )?;
    let changes = [
        FieldChange { field: "status".into(), old: CustomerStatus::Active.code().into(), new: CustomerStatus::Closed.code().into() },
        FieldChange { field: "close_reason".into(), old: String::new(), new: reason.into() },
    ];
    add_history(tx, actor, pk, version, &changes)?;
    outbox::append(tx, actor, "customer.closed", id, &serde_json::json!({ "id": id, "version": version, "reason": reason, "authorised_by": authorised_by }))?;
    audit::append(tx, actor, "customer.close", id, &serde_json::json!({ "reason": reason, "authorised_by": authorised_by }))?;
    Ok(Customer {
        status: CustomerStatus::Closed,
        version,
        updated_at: now.clone(),
        closed_at: Some(now),
        close_reason: Some(reason.to_owned()),
        ..current
    })
}

/// The columns an edit may change, with the search keys derived from them; bound from ?4 on by
/// both the insert and the update, in [`record_values`]'s order.
const RECORD_COLUMNS: &str = "name, class, id_kind, id_number, address, supply_area, voltage, capacity_kva, tariff_code,
    payment_method, credit_rating, big_customer, account_manager, tags, notes, name_initials, name_pinyin";
const RECORD_PLACEHOLDERS: &str = "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20";

fn record_values(draft: &CustomerDraft) -> Result<[Value; 17]> {
    Ok([
        draft.name.clone().into(),
        draft.class.code().to_owned().into(),
        draft.id_kind.code().to_owned().into(),
        draft.id_number.clone().into(),
        draft.address.clone().into(),
        draft.supply_area.clone().into(),
        draft.voltage.code().to_owned().into(),
        i64::from(draft.capacity_kva).into(),
        draft.tariff_code.clone().into(),
        draft.payment_method.code().to_owned().into(),
        draft.credit_rating.code().to_owned().into(),
        i64::from(draft.big_customer).into(),
        draft.account_manager.clone().map_or(Value::Null, Value::from),
        serde_json::to_string(&draft.tags)?.into(),
        draft.notes.clone().into(),
        name_keys::initials(&draft.name).into(),
        name_keys::full_pinyin(&draft.name).into(),
    ])
}

pub fn get(conn: &Connection, id: &str) -> Result<Customer> {
    load(conn, "id", id)?.map(|(_, c)| c).ok_or_else(|| not_found(id))
}

pub fn by_account(conn: &Connection, account: &str) -> Result<Option<Customer>> {
    Ok(load(conn, "account", account)?.map(|(_, c)| c))
}

pub fn history(conn: &Connection, id: &str) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(
        "SELECT h.version, h.at, h.field, h.old_value, h.new_value, h.user_id, u.display_name, h.workstation_id
         FROM customer_history h JOIN customers c ON c.pk = h.customer_pk LEFT JOIN users u ON u.id = h.user_id
         WHERE c.id = ?1 ORDER BY h.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(HistoryEntry {
            version: r.get(0)?,
            at: r.get(1)?,
            field: r.get(2)?,
            old: r.get(3)?,
            new: r.get(4)?,
            user_id: r.get(5)?,
            user_name: r.get(6)?,
            workstation_id: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The secondary indexes of the customer tables, dropped for a bulk load and created again after
/// it: building an index from sorted rows is many times faster than a million random inserts.
/// They are read from the schema, so they always match the migrations; the unique indexes that
/// enforce accounts and meter numbers stay.
struct DroppedIndexes(Vec<String>);

fn drop_secondary_indexes(tx: &Tx) -> Result<DroppedIndexes> {
    let mut stmt = tx.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('customers', 'customer_phones', 'meters', 'customer_history')",
    )?;
    let indexes: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(DroppedIndexes(indexes.into_iter().map(|(_, sql)| sql).collect()))
}

fn recreate_indexes(tx: &Tx, dropped: DroppedIndexes) -> Result<()> {
    for sql in dropped.0 {
        tx.execute_batch(&sql)?;
    }
    Ok(())
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
}

/// Every customer in account order, for export. Calls `f` for each so that a million records
/// need not sit in memory.
pub fn for_each(conn: &Connection, mut f: impl FnMut(Customer) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM customers ORDER BY account"))?;
    let mut phones = conn.prepare_cached("SELECT phone FROM customer_phones WHERE customer_pk = ?1 ORDER BY position")?;
    let mut meters = conn.prepare_cached("SELECT number, kind, multiplier FROM meters WHERE customer_pk = ?1 ORDER BY position")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (pk, mut customer) = from_row(row)?;
        customer.record.phones = phones.query_map([pk], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        customer.record.meters = read_meters(&mut meters, pk)?;
        f(customer)?;
    }
    Ok(())
}

const COLUMNS: &str = "pk, id, account, name, class, id_kind, id_number, address, supply_area, voltage, capacity_kva,
    tariff_code, payment_method, credit_rating, big_customer, account_manager, tags, notes, status, version,
    created_at, updated_at, closed_at, close_reason";

fn load(conn: &Connection, key_column: &str, key: &str) -> Result<Option<(i64, Customer)>> {
    let found = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM customers WHERE {key_column} = ?1"))?
        .query_row([key], |row| Ok(from_row(row)))
        .optional()?;
    let Some(found) = found else { return Ok(None) };
    let (pk, mut customer) = found?;
    customer.record.phones = conn
        .prepare_cached("SELECT phone FROM customer_phones WHERE customer_pk = ?1 ORDER BY position")?
        .query_map([pk], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    customer.record.meters =
        read_meters(&mut conn.prepare_cached("SELECT number, kind, multiplier FROM meters WHERE customer_pk = ?1 ORDER BY position")?, pk)?;
    Ok(Some((pk, customer)))
}

fn read_meters(stmt: &mut rusqlite::CachedStatement, pk: i64) -> Result<Vec<Meter>> {
    let rows = stmt.query_map([pk], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?)))?;
    rows.map(|row| {
        let (number, kind, multiplier) = row?;
        Ok(Meter { number, kind: decode(&kind, MeterKind::from_code)?, multiplier })
    })
    .collect()
}

fn load_for_write(tx: &Tx, id: &str) -> Result<(i64, Customer)> {
    load(tx, "id", id)?.ok_or_else(|| not_found(id))
}

/// Maps a row to a customer without phones and meters; returns the row key too.
fn from_row(row: &Row) -> Result<(i64, Customer)> {
    let tags: String = row.get(16)?;
    let customer = Customer {
        id: row.get(1)?,
        status: decode(&row.get::<_, String>(18)?, CustomerStatus::from_code)?,
        version: row.get(19)?,
        created_at: row.get(20)?,
        updated_at: row.get(21)?,
        closed_at: row.get(22)?,
        close_reason: row.get(23)?,
        record: CustomerDraft {
            account: row.get(2)?,
            name: row.get(3)?,
            class: decode(&row.get::<_, String>(4)?, CustomerClass::from_code)?,
            id_kind: decode(&row.get::<_, String>(5)?, IdKind::from_code)?,
            id_number: row.get(6)?,
            phones: Vec::new(),
            address: row.get(7)?,
            supply_area: row.get(8)?,
            voltage: decode(&row.get::<_, String>(9)?, Voltage::from_code)?,
            capacity_kva: row.get(10)?,
            tariff_code: row.get(11)?,
            payment_method: decode(&row.get::<_, String>(12)?, PaymentMethod::from_code)?,
            credit_rating: decode(&row.get::<_, String>(13)?, CreditRating::from_code)?,
            big_customer: row.get(14)?,
            account_manager: row.get(15)?,
            tags: serde_json::from_str(&tags)?,
            notes: row.get(17)?,
            meters: Vec::new(),
        },
    };
    Ok((row.get(0)?, customer))
}

fn decode<T>(code: &str, from_code: fn(&str) -> Option<T>) -> Result<T> {
    from_code(code).ok_or_else(|| Error::Internal(format!("unknown code in database: {code}")))
}

fn write_side_tables(tx: &Tx, pk: i64, draft: &CustomerDraft) -> Result<()> {
    let mut phone_stmt = tx.prepare_cached("INSERT INTO customer_phones (customer_pk, position, phone, digits) VALUES (?1, ?2, ?3, ?4)")?;
    for (position, phone) in draft.phones.iter().enumerate() {
        phone_stmt.execute(params![pk, position as i64, phone, phone_digits(phone)])?;
    }
    let mut meter_stmt = tx.prepare_cached("INSERT INTO meters (number, customer_pk, position, kind, multiplier) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (position, meter) in draft.meters.iter().enumerate() {
        meter_stmt.execute(params![meter.number, pk, position as i64, meter.kind.code(), meter.multiplier])?;
    }
    Ok(())
}

fn clear_side_tables(tx: &Tx, pk: i64) -> Result<()> {
    tx.execute("DELETE FROM customer_phones WHERE customer_pk = ?1", [pk])?;
    tx.execute("DELETE FROM meters WHERE customer_pk = ?1", [pk])?;
    tx.execute("DELETE FROM customer_name_text WHERE rowid = ?1", [pk])?;
    tx.execute("DELETE FROM customer_address_text WHERE rowid = ?1", [pk])?;
    Ok(())
}

fn add_history(tx: &Tx, actor: &Actor, pk: i64, version: i64, changes: &[FieldChange]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO customer_history (customer_pk, version, field, old_value, new_value, user_id, workstation_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let at = stamp(actor.at);
    for change in changes {
        stmt.execute(params![pk, version, change.field, change.old, change.new, actor.user_id, tx.workstation_id, at])?;
    }
    Ok(())
}

fn ensure_account_free(tx: &Tx, account: &str) -> Result<()> {
    let taken: Option<i64> = tx.prepare_cached("SELECT 1 FROM customers WHERE account = ?1")?.query_row([account], |r| r.get(0)).optional()?;
    match taken {
        Some(_) => Err(Error::Conflict(
            UserMessage::new("account.taken", format!("户号{account}已存在"), format!("Account {account} already exists")).at("account"),
        )),
        None => Ok(()),
    }
}

fn ensure_meters_free(tx: &Tx, meters: &[Meter], owner: Option<i64>) -> Result<()> {
    let mut stmt = tx.prepare_cached("SELECT customer_pk FROM meters WHERE number = ?1")?;
    for meter in meters {
        let holder: Option<i64> = stmt.query_row([&meter.number], |r| r.get(0)).optional()?;
        if holder.is_some() && holder != owner {
            return Err(Error::Conflict(
                UserMessage::new(
                    "meters.taken",
                    format!("表号{}已登记在其他户下", meter.number),
                    format!("Meter {} is registered to another account", meter.number),
                )
                .at("meters"),
            ));
        }
    }
    Ok(())
}

fn not_found(id: &str) -> Error {
    Error::NotFound(UserMessage::new("customer.not_found", format!("未找到客户{id}"), format!("No customer {id}")))
}

/// What the payment path needs of a customer, without loading the whole record.
pub(crate) struct Brief {
    pub pk: i64,
    pub class: CustomerClass,
    pub account: String,
    pub name: String,
}

pub(crate) fn brief(conn: &Connection, id: &str) -> Result<Brief> {
    conn.prepare_cached("SELECT pk, class, account, name FROM customers WHERE id = ?1")?
        .query_row([id], |r| {
            let class: String = r.get(1)?;
            Ok(Brief { pk: r.get(0)?, class: CustomerClass::from_code(&class).unwrap_or(CustomerClass::Residential), account: r.get(2)?, name: r.get(3)? })
        })
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// The customer and its local row key, for the repositories of bills and payments.
pub(crate) fn get_with_pk(conn: &Connection, id: &str) -> Result<(i64, Customer)> {
    load(conn, "id", id)?.ok_or_else(|| not_found(id))
}


/// The customer with this account number and its local row key.
pub(crate) fn by_account_with_pk(conn: &Connection, account: &str) -> Result<Option<(i64, Customer)>> {
    load(conn, "account", account)
}
