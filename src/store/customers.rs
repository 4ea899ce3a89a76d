//! Customer records: create, edit, close (never delete), and the history of every field.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{CachedStatement, Connection, OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::customer_clocks::{self, Stamps};
use super::customer_merge::stamped_record;
pub use super::customer_merge::{Applied, RECORD_FIELDS, apply_remote, to_record};
use super::{Actor, Tx, audit, outbox};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::customer::*;
use crate::model::ids::phone_key;
use crate::model::name_keys;
use hall_protocol::hlc::Hlc;
use hall_protocol::records::CustomerRecord;

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
    /// The application (业扩) that made the change, if one did.
    pub application_number: Option<String>,
    /// For a change merged from an edit made elsewhere (which overwrote the value here): that
    /// edit's clock stamp; its workstation is `workstation_id`.
    pub merged_hlc: Option<String>,
    /// What to show beside a merged change (被其他网点的修改覆盖).
    pub note: Option<UserMessage>,
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
    TakenKeys::InStore.claim(tx, &prepared.draft)?;
    let hlc = customer_clocks::tick(tx, actor.at)?;
    let row = [(next_pk(tx)?, prepared)];
    RowWriters::prepare(tx)?.write(tx, actor, &row, &now, &hlc)?;
    let [(pk, prepared)] = row;
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
        supply_suspended: false,
        record: draft,
    };
    // The event carries the record with its stamps (`hlc`, `record`) besides the customer as
    // before, so head office merges it without asking.
    let record = stamped_record(tx, &customer, &RECORD_FIELDS, &hlc)?;
    outbox::append(tx, actor, "customer.created", &id, &Created { customer: &customer, hlc: &hlc, record: &record })?;
    if audit_each == AuditEach::Yes {
        audit::append(tx, actor, "customer.create", &id, &serde_json::json!({ "account": customer.record.account }))?;
    }
    Ok(customer)
}

/// The payload of a `customer.created` event.
#[derive(Serialize)]
struct Created<'a> {
    #[serde(flatten)]
    customer: &'a Customer,
    hlc: &'a Hlc,
    record: &'a CustomerRecord,
}

/// A checked draft with everything its rows need computed ahead of the write (its id, the keys
/// derived from it, full-text tokens), so that an import can do this work on its parsing thread
/// while the writer writes.
pub struct Prepared {
    id: String,
    draft: CustomerDraft,
    derived: Derived,
    name_tokens: String,
    address_tokens: String,
}

pub fn prepare(draft: CustomerDraft) -> Result<Prepared> {
    prepare_with_id(uuid::Uuid::now_v7().to_string(), draft)
}

/// As [`prepare`], for a customer whose id was given elsewhere (one created at another place).
pub(crate) fn prepare_with_id(id: String, draft: CustomerDraft) -> Result<Prepared> {
    Ok(Prepared {
        id,
        derived: Derived::of(&draft)?,
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

/// The stored values computed from a record: its name's pinyin keys, its tags as JSON and its
/// phones' search keys.
struct Derived {
    initials: String,
    pinyin: String,
    tags: String,
    phone_keys: Vec<String>,
}

impl Derived {
    fn of(draft: &CustomerDraft) -> Result<Derived> {
        Ok(Derived {
            initials: name_keys::initials(&draft.name),
            pinyin: name_keys::full_pinyin(&draft.name),
            tags: serde_json::to_string(&draft.tags)?,
            phone_keys: draft.phones.iter().map(|p| phone_key(p)).collect(),
        })
    }
}

/// The record's columns in [`record_columns!`] order, borrowed from the draft.
fn record_params<'a>(draft: &'a CustomerDraft, derived: &'a Derived) -> [ToSqlOutput<'a>; 17] {
    [
        text(&draft.name),
        text(draft.class.code()),
        text(draft.id_kind.code()),
        text(&draft.id_number),
        text(&draft.address),
        text(&draft.supply_area),
        text(draft.voltage.code()),
        integer(draft.capacity_kva.into()),
        text(&draft.tariff_code),
        text(draft.payment_method.code()),
        text(draft.credit_rating.code()),
        integer(draft.big_customer.into()),
        draft.account_manager.as_deref().map_or(ToSqlOutput::Owned(Value::Null), text),
        text(&derived.tags),
        text(&draft.notes),
        text(&derived.initials),
        text(&derived.pinyin),
    ]
}

fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

fn integer<'a>(value: i64) -> ToSqlOutput<'a> {
    ToSqlOutput::Owned(Value::Integer(value))
}

/// The row key the next new customer gets. Keys are assigned rather than left to SQLite so that
/// a load can write many customers' rows, and their side rows, in one statement each.
fn next_pk(tx: &Tx) -> Result<i64> {
    Ok(tx.prepare_cached("SELECT coalesce(max(pk), 0) + 1 FROM customers")?.query_row([], |r| r.get(0))?)
}

/// Many creates in one transaction (an import, the demo), written the fast way:
/// - the statements prepared once for the whole load;
/// - the rows through multi-row inserts ([`MultiInsert`]), [`PENDING_ROWS`] customers at a time
///   in a large load;
/// - the full-text rows in batches of [`TEXT_BATCH`], one per statement (see [`insert_text_rows`]);
/// - one outbox event per [`EVENT_BATCH`] customers, `customers.imported`, naming them by id
///   rather than carrying each record: sync sends the named records as they stand when it sends
///   them (head office keeps the newest version of each), and the load does not write every record
///   twice;
/// - for a load that is large against the table, the indexes that new rows would land all over
///   dropped first and built again at the end from sorted rows, and accounts and meter numbers
///   checked against sets in memory instead of the indexes.
pub struct BulkLoad<'a> {
    writers: RowWriters<'a>,
    /// Claimed customers with their row keys, written [`PENDING_ROWS`] at a time.
    pending: Vec<(i64, Prepared)>,
    next_pk: i64,
    text_rows: Vec<TextRow>,
    imported: Vec<String>,
    now: String,
    /// The one stamp of every field of every customer of the load.
    hlc: Hlc,
    dropped: Option<DroppedIndexes>,
    taken: TakenKeys,
}

/// How large a load is against the customers already stored, which decides how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadSize {
    /// Rows checked in the database and written one by one, into the indexes as they stand.
    Small,
    /// About `rows` rows, at least as many as are stored: written the bulk way.
    Large { rows: usize },
}

/// Below this many rows, rebuilding indexes costs more than inserting into them.
pub const LARGE_LOAD_MIN_ROWS: usize = 20_000;

/// Whether a load of about `rows` rows is large against the table.
pub fn load_size(conn: &Connection, rows: u64) -> Result<LoadSize> {
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    let stored = usize::try_from(count(conn)?).unwrap_or(0);
    Ok(if rows >= LARGE_LOAD_MIN_ROWS.max(stored) { LoadSize::Large { rows } } else { LoadSize::Small })
}

const PENDING_ROWS: usize = 512;
const TEXT_BATCH: usize = 50_000;
pub const EVENT_BATCH: usize = 1_000;

/// The payload of a `customers.imported` event.
#[derive(Serialize)]
struct Imported<'a> {
    ids: &'a [String],
    /// The stamp of every field of the named customers as the load wrote them.
    hlc: &'a Hlc,
}

impl<'a> BulkLoad<'a> {
    pub fn start(tx: &'a Tx, actor: &Actor, size: LoadSize) -> Result<BulkLoad<'a>> {
        let (dropped, taken) = match size {
            LoadSize::Large { rows } => (Some(drop_secondary_indexes(tx)?), TakenKeys::read(tx, rows)?),
            LoadSize::Small => (None, TakenKeys::InStore),
        };
        Ok(BulkLoad {
            writers: RowWriters::prepare(tx)?,
            pending: Vec::new(),
            next_pk: next_pk(tx)?,
            text_rows: Vec::with_capacity(TEXT_BATCH),
            imported: Vec::with_capacity(EVENT_BATCH),
            now: stamp(actor.at),
            hlc: customer_clocks::tick(tx, actor.at)?,
            dropped,
            taken,
        })
    }

    /// As [`create`], without an audit entry per row (the caller audits the whole load) and with
    /// the outbox event batched.
    pub fn create(&mut self, tx: &Tx, actor: &Actor, prepared: Prepared) -> Result<()> {
        self.taken.claim(tx, &prepared.draft)?;
        self.pending.push((self.next_pk, prepared));
        self.next_pk += 1;
        // Keys checked in the database must be written before the next row is checked.
        let batch = match self.taken {
            TakenKeys::InStore => 1,
            TakenKeys::InMemory { .. } => PENDING_ROWS,
        };
        if self.pending.len() >= batch {
            self.write_pending(tx, actor)?;
        }
        Ok(())
    }

    fn write_pending(&mut self, tx: &Tx, actor: &Actor) -> Result<()> {
        self.writers.write(tx, actor, &self.pending, &self.now, &self.hlc)?;
        for (pk, prepared) in std::mem::take(&mut self.pending) {
            self.text_rows.push(TextRow { pk, name: prepared.name_tokens, address: prepared.address_tokens });
            self.imported.push(prepared.id);
            if self.imported.len() >= EVENT_BATCH {
                self.flush_event(tx, actor)?;
            }
        }
        if self.text_rows.len() >= TEXT_BATCH {
            insert_text_rows(tx, &self.text_rows)?;
            self.text_rows.clear();
        }
        Ok(())
    }

    fn flush_event(&mut self, tx: &Tx, actor: &Actor) -> Result<()> {
        if !self.imported.is_empty() {
            outbox::append(tx, actor, "customers.imported", "customers", &Imported { ids: &self.imported, hlc: &self.hlc })?;
            self.imported.clear();
        }
        Ok(())
    }

    /// Writes what is pending and rebuilds the indexes. Must run before the transaction commits.
    pub fn finish(mut self, tx: &Tx, actor: &Actor) -> Result<()> {
        self.write_pending(tx, actor)?;
        insert_text_rows(tx, &self.text_rows)?;
        self.flush_event(tx, actor)?;
        if let Some(dropped) = self.dropped {
            recreate_indexes(tx, dropped)?;
        }
        Ok(())
    }
}

/// Refuses a customer whose account or a meter is taken here, checked in the database.
pub(crate) fn claim_keys(tx: &Tx, draft: &CustomerDraft) -> Result<()> {
    TakenKeys::InStore.claim(tx, draft)
}

/// Where a load looks up whether an account or a meter number is taken.
enum TakenKeys {
    /// In the database, row by row: a small load into a larger table.
    InStore,
    /// In memory: every account and meter number in the store, read once when a large load
    /// starts (it is no larger than the load itself), and those the load has written since.
    InMemory { accounts: foldhash::HashSet<String>, meters: foldhash::HashSet<String> },
}

impl TakenKeys {
    /// Reads the keys in store, with room for a load of about `rows` customers.
    fn read(tx: &Tx, rows: usize) -> Result<TakenKeys> {
        let column = |sql: &str| -> Result<foldhash::HashSet<String>> {
            let mut stmt = tx.prepare(sql)?;
            let mut values = foldhash::HashSet::with_capacity_and_hasher(rows.saturating_mul(2), Default::default());
            for value in stmt.query_map([], |r| r.get(0))? {
                values.insert(value?);
            }
            Ok(values)
        };
        Ok(TakenKeys::InMemory { accounts: column("SELECT account FROM customers")?, meters: column("SELECT number FROM meters")? })
    }

    /// Refuses a new customer whose account or a meter is taken; otherwise counts them as taken.
    fn claim(&mut self, tx: &Tx, draft: &CustomerDraft) -> Result<()> {
        match self {
            TakenKeys::InStore => {
                ensure_account_free(tx, &draft.account)?;
                ensure_meters_free(tx, &draft.meters, None)
            }
            TakenKeys::InMemory { accounts, meters } => {
                if accounts.contains(&draft.account) {
                    return Err(account_taken(&draft.account));
                }
                if let Some(meter) = draft.meters.iter().find(|m| meters.contains(&m.number)) {
                    return Err(meter_taken(&meter.number));
                }
                accounts.insert(draft.account.clone());
                meters.extend(draft.meters.iter().map(|m| m.number.clone()));
                Ok(())
            }
        }
    }
}

/// A customer's row in the full-text index, waiting to be written.
struct TextRow {
    pk: i64,
    name: String,
    address: String,
}

/// The statements that write new customers' rows, held for as long as a load runs.
struct RowWriters<'a> {
    customers: MultiInsert<'a>,
    phones: MultiInsert<'a>,
    meters: MultiInsert<'a>,
    history: MultiInsert<'a>,
}

impl<'a> RowWriters<'a> {
    fn prepare(tx: &'a Tx) -> Result<RowWriters<'a>> {
        Ok(RowWriters {
            customers: MultiInsert::prepare::<24>(tx, CUSTOMER_COLUMNS, "'active', 1")?,
            phones: MultiInsert::prepare::<4>(tx, "customer_phones (customer_pk, position, phone, digits_reversed)", "")?,
            meters: MultiInsert::prepare::<5>(tx, "meters (number, customer_pk, position, kind, multiplier)", "")?,
            history: MultiInsert::prepare::<8>(tx, HISTORY_COLUMNS, "")?,
        })
    }

    /// Writes new customers' rows, phones, meters and creation history; their accounts and
    /// meters have been claimed.
    fn write(&mut self, tx: &Tx, actor: &Actor, rows: &[(i64, Prepared)], now: &str, hlc: &Hlc) -> Result<()> {
        let (hlc_ms, hlc_counter) = (hlc.millis, i64::from(hlc.counter));
        self.customers.write(rows, |(pk, p)| {
            let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, q, r] = record_params(&p.draft, &p.derived);
            [
                integer(*pk),
                text(&p.id),
                text(&p.draft.account),
                text(now),
                text(now),
                integer(hlc_ms),
                integer(hlc_counter),
                a,
                b,
                c,
                d,
                e,
                f,
                g,
                h,
                i,
                j,
                k,
                l,
                m,
                n,
                o,
                q,
                r,
            ]
        })?;
        let side: Vec<(i64, &CustomerDraft, &[String])> =
            rows.iter().map(|(pk, p)| (*pk, &p.draft, p.derived.phone_keys.as_slice())).collect();
        self.write_side_rows(&side)?;
        let user = actor.user_id.as_deref().map_or(ToSqlOutput::Owned(Value::Null), text);
        self.history.write(rows, |(pk, p)| {
            [
                integer(*pk),
                integer(1),
                text(CREATED_FIELD),
                text(""),
                text(&p.draft.account),
                user.clone(),
                text(&tx.workstation_id),
                text(now),
            ]
        })
    }

    /// Writes the phones and meters of customers, each given with its row key and phone keys.
    fn write_side_rows(&mut self, customers: &[(i64, &CustomerDraft, &[String])]) -> Result<()> {
        let phones: Vec<(i64, usize, &str, &str)> = customers
            .iter()
            .flat_map(|&(pk, draft, keys)| {
                draft.phones.iter().zip(keys).enumerate().map(move |(i, (phone, key))| (pk, i, phone.as_str(), key.as_str()))
            })
            .collect();
        self.phones.write(&phones, |&(pk, position, phone, key)| [integer(pk), integer(position as i64), text(phone), text(key)])?;
        let meters: Vec<(i64, usize, &Meter)> =
            customers.iter().flat_map(|&(pk, draft, _)| draft.meters.iter().enumerate().map(move |(i, m)| (pk, i, m))).collect();
        self.meters.write(&meters, |&(pk, position, m)| {
            [text(&m.number), integer(pk), integer(position as i64), text(m.kind.code()), integer(m.multiplier.into())]
        })
    }
}

/// How many rows one multi-row INSERT of a load writes: one statement step instead of one per
/// row, whose fixed cost (opening cursors, resetting) is most of a narrow row's.
const ROWS_PER_STATEMENT: usize = 64;

/// A table's rows written [`ROWS_PER_STATEMENT`] at a time by one multi-row INSERT, the rest
/// one by one.
///
/// The statements are `INSERT OR FAIL`: a statement that may abort after its first row keeps a
/// journal of every page it touches so as to undo just itself, and a failed insert here fails the
/// whole transaction anyway (every row is checked before it is written).
struct MultiInsert<'a> {
    many: CachedStatement<'a>,
    one: CachedStatement<'a>,
}

impl<'a> MultiInsert<'a> {
    /// `into` is `table (columns)`; a row is `W` parameters followed by the SQL in `constants`
    /// (for the columns the list names last).
    fn prepare<const W: usize>(tx: &'a Tx, into: &str, constants: &str) -> Result<MultiInsert<'a>> {
        let mut row = format!("({}", vec!["?"; W].join(", "));
        if !constants.is_empty() {
            row.push_str(", ");
            row.push_str(constants);
        }
        row.push(')');
        let insert_into = format!("INSERT OR FAIL INTO {into}");
        let many = tx.prepare_cached(&format!("{insert_into} VALUES {}", vec![row.as_str(); ROWS_PER_STATEMENT].join(", ")))?;
        let one = tx.prepare_cached(&format!("{insert_into} VALUES {row}"))?;
        Ok(MultiInsert { many, one })
    }

    fn write<'r, T, const W: usize>(&mut self, rows: &'r [T], params: impl Fn(&'r T) -> [ToSqlOutput<'r>; W]) -> Result<()> {
        let mut chunks = rows.chunks_exact(ROWS_PER_STATEMENT);
        for chunk in &mut chunks {
            for (r, row) in chunk.iter().enumerate() {
                for (c, value) in params(row).into_iter().enumerate() {
                    self.many.raw_bind_parameter(r * W + c + 1, value)?;
                }
            }
            self.many.raw_execute()?;
        }
        for row in chunks.remainder() {
            for (c, value) in params(row).into_iter().enumerate() {
                self.one.raw_bind_parameter(c + 1, value)?;
            }
            self.one.raw_execute()?;
        }
        Ok(())
    }
}

/// The columns an edit may change, with the search keys derived from them; bound from ?4 on by
/// both the insert and the update, in [`record_params`]'s order.
macro_rules! record_columns {
    () => {
        "name, class, id_kind, id_number, address, supply_area, voltage, capacity_kva, tariff_code,
         payment_method, credit_rating, big_customer, account_manager, tags, notes, name_initials, name_pinyin"
    };
}
macro_rules! record_placeholders {
    () => {
        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20"
    };
}
const CUSTOMER_COLUMNS: &str =
    concat!("customers (pk, id, account, created_at, updated_at, hlc_ms, hlc_counter, ", record_columns!(), ", status, version)");
const UPDATE_CUSTOMER: &str =
    concat!("UPDATE customers SET version = ?2, updated_at = ?3, (", record_columns!(), ") = (", record_placeholders!(), ") WHERE pk = ?1");
const HISTORY_COLUMNS: &str = "customer_history (customer_pk, version, field, old_value, new_value, user_id, workstation_id, at)";

/// One row per statement: a statement that could fail after its first row opens a savepoint,
/// and at each savepoint FTS5 writes out its buffered postings as a segment, so multi-row
/// inserts here would make a load several times slower.
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
pub fn update(tx: &Tx, actor: &Actor, id: &str, expected_version: i64, draft: &CustomerDraft) -> Result<(Customer, Vec<FieldChange>)> {
    let (pk, current) = load_for_write(tx, id)?;
    if current.status == CustomerStatus::Closed {
        return Err(Error::Conflict(UserMessage::new(
            "customer.closed",
            "该户已销户，不能修改",
            "This account is closed and cannot be edited",
        )));
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
    rewrite_record(tx, pk, version, &now, draft)?;
    add_history(tx, actor, pk, version, &changes)?;
    let customer = Customer { version, updated_at: now, record: draft.clone(), ..current };
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    let (hlc, record) = stamp_fields(tx, actor, pk, &customer, &fields)?;
    outbox::append(
        tx,
        actor,
        "customer.updated",
        id,
        &serde_json::json!({ "id": id, "version": version, "changes": changes, "hlc": hlc, "record": record }),
    )?;
    audit::append(
        tx,
        actor,
        "customer.update",
        id,
        &serde_json::json!({ "version": version, "fields": changes.iter().map(|c| &c.field).collect::<Vec<_>>() }),
    )?;
    Ok((customer, changes))
}

/// Writes a customer's editable columns, its phones, meters and full-text rows: the write path of
/// an edit, made here or merged from elsewhere.
pub(crate) fn rewrite_record(tx: &Tx, pk: i64, version: i64, now: &str, draft: &CustomerDraft) -> Result<()> {
    tx.prepare_cached(UPDATE_CUSTOMER)?.execute(rusqlite::params_from_iter(
        [integer(pk), integer(version), text(now)].into_iter().chain(record_params(draft, &Derived::of(draft)?)),
    ))?;
    clear_side_tables(tx, pk)?;
    let phone_keys: Vec<String> = draft.phones.iter().map(|p| phone_key(p)).collect();
    RowWriters::prepare(tx)?.write_side_rows(&[(pk, draft, &phone_keys)])?;
    insert_text_rows(tx, &[TextRow { pk, name: name_keys::text_tokens(&draft.name), address: name_keys::text_tokens(&draft.address) }])
}

/// Stamps the fields a local write changed with one tick of the clock, and returns the stamp with
/// those fields as a record for the write's outbox event.
fn stamp_fields(tx: &Tx, actor: &Actor, pk: i64, customer: &Customer, fields: &[&str]) -> Result<(Hlc, CustomerRecord)> {
    let hlc = customer_clocks::tick(tx, actor.at)?;
    let mut stamps = Stamps::read(tx, pk, &tx.workstation_id)?;
    for field in fields {
        stamps.set(field, &hlc);
    }
    stamps.write(tx, pk)?;
    let record = stamped_record(tx, customer, fields, &hlc)?;
    Ok((hlc, record))
}

/// Creates the rows of a customer made elsewhere, with its id, at `version`; the caller has
/// claimed its account and meters and writes its lifecycle columns and stamps.
pub(crate) fn insert_record(tx: &Tx, actor: &Actor, id: &str, draft: &CustomerDraft, now: &str, hlc: &Hlc) -> Result<i64> {
    let pk = next_pk(tx)?;
    let row = [(pk, prepare_with_id(id.to_owned(), draft.clone())?)];
    RowWriters::prepare(tx)?.write(tx, actor, &row, now, hlc)?;
    insert_text_rows(tx, &[row[0].1.text_row(pk)])?;
    Ok(pk)
}

/// Closes an account (销户). The record and its history stay; only its status changes.
pub fn close(tx: &Tx, actor: &Actor, id: &str, reason: &str, authorised_by: &str) -> Result<Customer> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(
            UserMessage::new("close_reason.required", "请填写销户原因", "Give the reason for closing").at("reason"),
        ));
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
    let customer = Customer {
        status: CustomerStatus::Closed,
        version,
        updated_at: now.clone(),
        closed_at: Some(now),
        close_reason: Some(reason.to_owned()),
        ..current
    };
    let (hlc, record) = stamp_fields(tx, actor, pk, &customer, &["status", "closed_at", "close_reason"])?;
    outbox::append(
        tx,
        actor,
        "customer.closed",
        id,
        &serde_json::json!({
            "id": id, "version": version, "reason": reason, "authorised_by": authorised_by, "hlc": hlc, "record": record
        }),
    )?;
    audit::append(tx, actor, "customer.close", id, &serde_json::json!({ "reason": reason, "authorised_by": authorised_by }))?;
    Ok(customer)
}

/// Names the application that made a change in the history rows of `version` (written by
/// [`create`], [`update`], [`close`] or [`set_supply_suspended`] in the same transaction).
pub fn tag_history(tx: &Tx, customer_pk: i64, version: i64, application_number: &str) -> Result<()> {
    tx.prepare_cached("UPDATE customer_history SET application_number = ?3 WHERE customer_pk = ?1 AND version = ?2")?.execute(params![
        customer_pk,
        version,
        application_number
    ])?;
    Ok(())
}

/// Records that supply is suspended at the customer's request (暂停) or restored (恢复): a new
/// version with the change in its history. Returns the new version.
pub fn set_supply_suspended(tx: &Tx, actor: &Actor, id: &str, suspended: bool) -> Result<i64> {
    let (pk, current) = load_for_write(tx, id)?;
    if current.status == CustomerStatus::Closed {
        return Err(Error::Conflict(UserMessage::new("customer.closed", "该户已销户", "This account is closed")));
    }
    let was = current.supply_suspended;
    if was == suspended {
        return Err(Error::Conflict(if suspended {
            UserMessage::new("customer.already_suspended", "该户已暂停用电", "This customer's supply is already suspended")
        } else {
            UserMessage::new("customer.not_suspended", "该户未暂停用电", "This customer's supply is not suspended")
        }));
    }
    let version = current.version + 1;
    let now = stamp(actor.at);
    tx.prepare_cached("UPDATE customers SET supply_suspended = ?2, version = ?3, updated_at = ?4 WHERE pk = ?1")?
        .execute(params![pk, suspended, version, now])?;
    let change = FieldChange { field: SUPPLY_SUSPENDED_FIELD.into(), old: was.to_string(), new: suspended.to_string() };
    add_history(tx, actor, pk, version, std::slice::from_ref(&change))?;
    let customer = Customer { version, updated_at: now, supply_suspended: suspended, ..current };
    let (hlc, record) = stamp_fields(tx, actor, pk, &customer, &[SUPPLY_SUSPENDED_FIELD])?;
    outbox::append(
        tx,
        actor,
        "customer.updated",
        id,
        &serde_json::json!({ "id": id, "version": version, "changes": [change], "hlc": hlc, "record": record }),
    )?;
    audit::append(tx, actor, "customer.supply_suspended", id, &serde_json::json!({ "version": version, "suspended": suspended }))?;
    Ok(version)
}

/// The history field of 暂停/恢复 (`true` while supply is suspended at the customer's request).
pub const SUPPLY_SUSPENDED_FIELD: &str = "supply_suspended";

pub fn get(conn: &Connection, id: &str) -> Result<Customer> {
    load(conn, "id", id)?.map(|(_, c)| c).ok_or_else(|| not_found(id))
}

pub fn by_account(conn: &Connection, account: &str) -> Result<Option<Customer>> {
    Ok(load(conn, "account", account)?.map(|(_, c)| c))
}

pub fn history(conn: &Connection, id: &str) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(
        "SELECT h.version, h.at, h.field, h.old_value, h.new_value, h.user_id, u.display_name, h.workstation_id, h.application_number,
                h.merged_hlc
         FROM customer_history h JOIN customers c ON c.pk = h.customer_pk LEFT JOIN users u ON u.id = h.user_id
         WHERE c.id = ?1 ORDER BY h.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let merged_hlc: Option<String> = r.get(9)?;
        let workstation_id: String = r.get(7)?;
        let field: String = r.get(2)?;
        Ok(HistoryEntry {
            note: merged_hlc.as_ref().map(|_| merged_note(&field, &workstation_id)),
            merged_hlc,
            version: r.get(0)?,
            at: r.get(1)?,
            field,
            old: r.get(3)?,
            new: r.get(4)?,
            user_id: r.get(5)?,
            user_name: r.get(6)?,
            workstation_id,
            application_number: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn merged_note(field: &str, workstation_id: &str) -> UserMessage {
    if field == CREATED_FIELD {
        UserMessage::new(
            "history.created_elsewhere",
            format!("在其他网点建档（工作站{workstation_id}）"),
            format!("Created elsewhere (workstation {workstation_id})"),
        )
    } else {
        UserMessage::new(
            "history.overwritten_elsewhere",
            format!("被其他网点的修改覆盖（工作站{workstation_id}）"),
            format!("Overwritten by an edit elsewhere (workstation {workstation_id})"),
        )
    }
}

/// The history of a merge: each field's change with the stamp of the edit elsewhere that won it
/// (whose workstation the row names). No user of this workstation made it.
pub(crate) fn add_merged_history(tx: &Tx, actor: &Actor, pk: i64, version: i64, changes: &[(FieldChange, Hlc)]) -> Result<()> {
    let at = stamp(actor.at);
    let mut insert = tx.prepare_cached(
        "INSERT INTO customer_history (customer_pk, version, field, old_value, new_value, user_id, workstation_id, at, merged_hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8)",
    )?;
    for (change, hlc) in changes {
        insert.execute(params![pk, version, change.field, change.old, change.new, hlc.node, at, hlc.to_string()])?;
    }
    Ok(())
}

/// The secondary indexes of the customer tables, dropped for a bulk load and created again after
/// it: building an index from sorted rows is many times faster than a million random inserts.
/// They are read from the schema, so they always match the migrations; the unique indexes that
/// enforce accounts and meter numbers stay.
struct DroppedIndexes(Vec<String>);

/// Indexes led by the customer's row key: a load appends to their end, which costs less than
/// building them again.
const APPENDED_IN_ORDER: [&str; 2] = ["meters_by_customer", "customer_history_by_customer"];

fn drop_secondary_indexes(tx: &Tx) -> Result<DroppedIndexes> {
    let mut stmt = tx.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('customers', 'customer_phones', 'meters', 'customer_history')",
    )?;
    let mut indexes: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    indexes.retain(|(name, _)| !APPENDED_IN_ORDER.contains(&name.as_str()));
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
    created_at, updated_at, closed_at, close_reason, supply_suspended";

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
        supply_suspended: row.get(24)?,
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

fn clear_side_tables(tx: &Tx, pk: i64) -> Result<()> {
    tx.execute("DELETE FROM customer_phones WHERE customer_pk = ?1", [pk])?;
    tx.execute("DELETE FROM meters WHERE customer_pk = ?1", [pk])?;
    tx.execute("DELETE FROM customer_name_text WHERE rowid = ?1", [pk])?;
    tx.execute("DELETE FROM customer_address_text WHERE rowid = ?1", [pk])?;
    Ok(())
}

fn add_history(tx: &Tx, actor: &Actor, pk: i64, version: i64, changes: &[FieldChange]) -> Result<()> {
    let at = stamp(actor.at);
    let user = actor.user_id.as_deref().map_or(ToSqlOutput::Owned(Value::Null), text);
    MultiInsert::prepare::<8>(tx, HISTORY_COLUMNS, "")?.write(changes, |change| {
        [
            integer(pk),
            integer(version),
            text(&change.field),
            text(&change.old),
            text(&change.new),
            user.clone(),
            text(&tx.workstation_id),
            text(&at),
        ]
    })
}

pub(crate) fn ensure_account_free(tx: &Tx, account: &str) -> Result<()> {
    let taken: Option<i64> =
        tx.prepare_cached("SELECT 1 FROM customers WHERE account = ?1")?.query_row([account], |r| r.get(0)).optional()?;
    match taken {
        Some(_) => Err(account_taken(account)),
        None => Ok(()),
    }
}

fn account_taken(account: &str) -> Error {
    Error::Conflict(account_taken_message(account))
}

fn account_taken_message(account: &str) -> UserMessage {
    UserMessage::new("account.taken", format!("户号{account}已存在"), format!("Account {account} already exists")).at("account")
}

fn meter_taken(number: &str) -> Error {
    Error::Conflict(meter_taken_message(number))
}

fn meter_taken_message(number: &str) -> UserMessage {
    UserMessage::new("meters.taken", format!("表号{number}已登记在其他户下"), format!("Meter {number} is registered to another account"))
        .at("meters")
}

/// The keys a draft would take that are already taken, as field messages, so that a form shows
/// them together with the draft's other errors: `account` (a new customer's, when it is well
/// formed) and any of `meters` registered to a customer other than `owner` (the id of the
/// customer being edited). The write checks again inside its transaction.
pub fn taken_keys(conn: &Connection, account: Option<&str>, meters: &[Meter], owner: Option<&str>) -> Result<Vec<UserMessage>> {
    let mut taken = Vec::new();
    if let Some(account) = account
        && conn.prepare_cached("SELECT 1 FROM customers WHERE account = ?1")?.exists([account])?
    {
        taken.push(account_taken_message(account));
    }
    let mut holder = conn.prepare_cached("SELECT c.id FROM meters m JOIN customers c ON c.pk = m.customer_pk WHERE m.number = ?1")?;
    for meter in meters {
        let id: Option<String> = holder.query_row([&meter.number], |r| r.get(0)).optional()?;
        if id.is_some_and(|id| Some(id.as_str()) != owner) {
            taken.push(meter_taken_message(&meter.number));
        }
    }
    Ok(taken)
}

pub(crate) fn ensure_meters_free(tx: &Tx, meters: &[Meter], owner: Option<i64>) -> Result<()> {
    let mut stmt = tx.prepare_cached("SELECT customer_pk FROM meters WHERE number = ?1")?;
    for meter in meters {
        let holder: Option<i64> = stmt.query_row([&meter.number], |r| r.get(0)).optional()?;
        if holder.is_some() && holder != owner {
            return Err(meter_taken(&meter.number));
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
            Ok(Brief {
                pk: r.get(0)?,
                class: CustomerClass::from_code(&class).unwrap_or(CustomerClass::Residential),
                account: r.get(2)?,
                name: r.get(3)?,
            })
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
