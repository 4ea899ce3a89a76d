//! Applying what head office publishes (`hall_protocol::pull::Change`s) to the store: users,
//! tariffs, calendars, the billing centre's bills, customers (through the merge's
//! `store::customers::apply_remote`), applications' progress made elsewhere, and 95598 tickets.
//!
//! Every applier is idempotent: a change applied twice (a page fetched again after a cut, a
//! snapshot row the change log repeats) changes nothing the second time. A change this build
//! cannot apply — a kind or schema version it does not know — is kept as it came in
//! `sync_kept_changes` and applied by [`reapply_kept`] after an upgrade. A change that is wrong
//! for this store (a calendar that fails its check, a transition the owner's rules refuse) is
//! reported back as an outbox event `sync.rejected` and never blocks the changes after it.

use chrono::NaiveDate;
use hall_protocol::pull::Change;
use hall_protocol::records::{self, ApplicationProgressRecord, BillRecord, CalendarRecord, ServiceTicketRecord, TariffRecord, UserRecord};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Actor, Tx, applications, outbox, service, sessions};
use crate::calendar::Source;
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};
use crate::model::application::Act;
use crate::model::application_rules::RuleBook;
use crate::model::user::{Role, User};

/// What became of one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Kept raw for a later build, with the reason.
    Kept(&'static str),
    /// Refused by this store's rules; reported back to head office.
    Rejected(UserMessage),
}

/// The payload of a `sync.rejected` outbox event: which change, and why, in both languages.
#[derive(Debug, Serialize)]
struct Rejection<'a> {
    scope: &'a str,
    pos: i64,
    kind: &'a str,
    key: &'a str,
    code: &'a str,
    zh: &'a str,
    en: &'a str,
}

/// Applies one change in the caller's transaction. A refusal is rolled back to before the change
/// (a savepoint) and recorded as a `sync.rejected` event; an internal error (the disk, SQLite)
/// fails the whole page, which is then fetched again.
pub fn apply(tx: &Tx, actor: &Actor, change: &Change) -> Result<Outcome> {
    tx.execute_batch("SAVEPOINT replica_change")?;
    let outcome = match apply_known(tx, actor, change) {
        Ok(outcome) => outcome,
        Err(Error::Internal(e)) => {
            tx.execute_batch("ROLLBACK TO replica_change; RELEASE replica_change")?;
            return Err(Error::Internal(e));
        }
        Err(refusal) => {
            tx.execute_batch("ROLLBACK TO replica_change")?;
            reject(tx, actor, change, &refusal)?
        }
    };
    if let Outcome::Kept(reason) = outcome {
        keep(tx, actor, change, reason)?;
    }
    tx.execute_batch("RELEASE replica_change")?;
    Ok(outcome)
}

/// Applies changes of a snapshot page in the caller's (background) transaction, from the first
/// on, until all are done or a foreground writer waits for the file (at least one is applied):
/// the outcomes returned are those of the changes applied, in order. Bills, the bulk of a
/// snapshot, go through one [`BillWriter`] without a savepoint each while no customer here holds a
/// prepayment (a bill's write is then one statement: it lands whole or not at all); everything
/// else through [`apply`].
pub fn apply_many(tx: &Tx, actor: &Actor, changes: &[Change]) -> Result<Vec<Outcome>> {
    let no_prepayments: bool = tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM balances WHERE prepaid_fen > 0)", [], |r| r.get(0))?;
    let mut writer = None;
    let mut outcomes = Vec::with_capacity(changes.len());
    for change in changes {
        if !outcomes.is_empty() && tx.should_yield() {
            break;
        }
        let fast = no_prepayments && change.kind == records::BILL && records::schema_of(records::BILL).is_some_and(|s| change.schema <= s);
        if !fast {
            outcomes.push(apply(tx, actor, change)?);
            continue;
        }
        let writer = match &mut writer {
            Some(writer) => writer,
            None => writer.insert(BillWriter::new(tx)?),
        };
        let outcome = match body::<BillRecord>(change).and_then(|record| writer.write(&record)) {
            Ok(Ok(_)) => Outcome::Applied,
            Ok(Err(Outcome::Kept(reason))) => {
                keep(tx, actor, change, reason)?;
                Outcome::Kept(reason)
            }
            Ok(Err(outcome)) => outcome,
            Err(Error::Internal(e)) => return Err(Error::Internal(e)),
            Err(refusal) => reject(tx, actor, change, &refusal)?,
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Records a refusal as a `sync.rejected` event (the caller has undone the change's writes).
fn reject(tx: &Tx, actor: &Actor, change: &Change, refusal: &Error) -> Result<Outcome> {
    let message = refusal.messages().into_iter().next().unwrap_or_else(|| bad_record(change, "?"));
    let rejection = Rejection {
        scope: &change.scope,
        pos: change.pos,
        kind: &change.kind,
        key: &change.key,
        code: &message.code,
        zh: &message.zh,
        en: &message.en,
    };
    outbox::append(tx, actor, "sync.rejected", &change.key, &rejection)?;
    Ok(Outcome::Rejected(message))
}

fn apply_known(tx: &Tx, actor: &Actor, change: &Change) -> Result<Outcome> {
    let Some(known) = records::schema_of(&change.kind) else { return Ok(Outcome::Kept("unknown_kind")) };
    if change.schema > known {
        return Ok(Outcome::Kept("newer_schema"));
    }
    match change.kind.as_str() {
        records::USER => apply_user(tx, actor, &body(change)?),
        records::TARIFF => apply_tariff(tx, actor, &body(change)?),
        records::CALENDAR => apply_calendar(tx, actor, &body(change)?),
        records::BILL => apply_bill(tx, actor, &body(change)?),
        records::CUSTOMER => apply_customer(tx, actor, change),
        records::APPLICATION_PROGRESS => apply_progress(tx, actor, &body(change)?),
        records::SERVICE_TICKET => apply_ticket(tx, actor, &body(change)?),
        _ => Ok(Outcome::Kept("unknown_kind")),
    }
}

fn bad_record(change: &Change, why: &str) -> UserMessage {
    UserMessage::new(
        "sync.bad_record",
        format!("总部下发的{}记录 {} 无法读取：{why}", change.kind, change.key),
        format!("The {} record {} from head office cannot be read: {why}", change.kind, change.key),
    )
}

fn body<T: serde::de::DeserializeOwned>(change: &Change) -> Result<T> {
    T::deserialize(&change.body).map_err(|e| Error::invalid(bad_record(change, &e.to_string())))
}

fn keep(tx: &Tx, actor: &Actor, change: &Change, reason: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_kept_changes (scope, pos, kind, schema, key, body, reason, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        change.scope,
        change.pos,
        change.kind,
        change.schema,
        change.key,
        change.body.to_string(),
        reason,
        stamp(actor.at)
    ])?;
    Ok(())
}

/// Kept changes waiting for a later build.
pub fn kept_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM sync_kept_changes", [], |r| r.get(0))?)
}

/// Applies the kept changes this build now knows, oldest first, each removed in the transaction
/// that applies it; those it still cannot apply stay. Run at start and after a migration.
/// Returns how many were applied (or rejected and reported).
pub fn reapply_kept(store: &mut super::Store, actor: &Actor) -> Result<usize> {
    let rows: Vec<(i64, Change)> = {
        let mut stmt = store.conn().prepare("SELECT pk, scope, pos, kind, schema, key, body FROM sync_kept_changes ORDER BY pk")?;
        stmt.query_map([], |r| {
            let body: String = r.get(6)?;
            Ok((
                r.get(0)?,
                Change {
                    scope: r.get(1)?,
                    pos: r.get(2)?,
                    kind: r.get(3)?,
                    schema: r.get(4)?,
                    key: r.get(5)?,
                    body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let mut done = 0;
    for (pk, change) in rows {
        // Unknown still: skip without writing (applying would only keep it again).
        let known = records::schema_of(&change.kind).is_some_and(|schema| change.schema <= schema);
        if !known {
            continue;
        }
        store.write(|tx| {
            tx.execute("DELETE FROM sync_kept_changes WHERE pk = ?1", [pk])?;
            if !matches!(apply(tx, actor, &change)?, Outcome::Kept(_)) {
                done += 1;
            }
            Ok(())
        })?;
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------------
// Users

/// A user as head office administers them. A changed password or role, or a disabled user, ends
/// the user's sessions here (as a local reset or disabling does); a local user holding the same
/// username under another id is a conflict for an operator, never overwritten.
pub fn apply_user(tx: &Tx, actor: &Actor, record: &UserRecord) -> Result<Outcome> {
    let role = Role::from_code(&record.role).ok_or_else(|| {
        Error::invalid(UserMessage::new(
            "sync.user_role",
            format!("用户 {} 的角色 {} 无法识别", record.username, record.role),
            format!("User {} has an unknown role {}", record.username, record.role),
        ))
    })?;
    let same_name: Option<String> =
        tx.prepare_cached("SELECT id FROM users WHERE username = ?1")?.query_row([&record.username], |r| r.get(0)).optional()?;
    if same_name.as_deref().is_some_and(|id| id != record.id) {
        return Err(Error::Conflict(UserMessage::new(
            "sync.username_taken",
            format!("本机已有另一位用户名为 {} 的用户", record.username),
            format!("Another local user already has the username {}", record.username),
        )));
    }
    let current: Option<(String, String, String, bool)> = tx
        .prepare_cached("SELECT display_name, role, password_hash, active FROM users WHERE id = ?1")?
        .query_row([&record.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let now = stamp(actor.at);
    match current {
        None => {
            tx.prepare_cached(
                "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                record.id,
                record.username,
                record.display_name,
                role.code(),
                record.password_hash,
                record.active,
                now,
                record.updated_at
            ])?;
        }
        Some((name, old_role, hash, active)) => {
            let unchanged =
                name == record.display_name && old_role == role.code() && hash == record.password_hash && active == record.active;
            if unchanged {
                return Ok(Outcome::Applied);
            }
            tx.prepare_cached(
                "UPDATE users SET username = ?2, display_name = ?3, role = ?4, password_hash = ?5, active = ?6, updated_at = ?7,
                     must_change_password = CASE WHEN password_hash = ?5 THEN must_change_password ELSE 0 END,
                     failed_logins = CASE WHEN password_hash = ?5 THEN failed_logins ELSE 0 END,
                     locked_until = CASE WHEN password_hash = ?5 THEN locked_until ELSE NULL END
                 WHERE id = ?1",
            )?
            .execute(params![
                record.id,
                record.username,
                record.display_name,
                role.code(),
                record.password_hash,
                record.active,
                record.updated_at
            ])?;
            if hash != record.password_hash || old_role != role.code() || !record.active {
                sessions::end_all_of(tx, &record.id, actor.at)?;
            }
        }
    }
    super::audit::append(
        tx,
        actor,
        "sync.user",
        &record.id,
        &serde_json::json!({ "username": record.username, "role": role.code(), "active": record.active }),
    )?;
    Ok(Outcome::Applied)
}

// ---------------------------------------------------------------------------------------------
// Tariffs and calendars

/// A tariff table as published: recorded like the shipped ones (a version in force that differs
/// is refused, `tariff.immutable`, and reported back).
pub fn apply_tariff(tx: &Tx, actor: &Actor, record: &TariffRecord) -> Result<Outcome> {
    let versions = crate::model::tariff::parse_file(&record.body)?;
    super::billing::record_tariffs(tx, &versions, crate::clock::business_date(actor.at))?;
    Ok(Outcome::Applied)
}

/// A calendar year as published, through `store::calendar::publish` (checked, audited, with its
/// event) unless the same body is already stored from head office.
pub fn apply_calendar(tx: &Tx, actor: &Actor, record: &CalendarRecord) -> Result<Outcome> {
    let stored: Option<(String, String)> = tx
        .prepare_cached("SELECT body, source FROM calendar_years WHERE year = ?1")?
        .query_row([record.year], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if stored.is_some_and(|(body, source)| body == record.body && source == Source::HeadOffice.code()) {
        return Ok(Outcome::Applied);
    }
    let table = super::calendar::publish(tx, actor, &record.body, Source::HeadOffice)?;
    if table.year() != record.year {
        return Err(Error::invalid(UserMessage::new(
            "sync.calendar_year",
            format!("总部下发的 {} 年日历内容是 {} 年的", record.year, table.year()),
            format!("The calendar published as {} is for {}", record.year, table.year()),
        )));
    }
    Ok(Outcome::Applied)
}

// ---------------------------------------------------------------------------------------------
// Bills

/// Writes pulled bills with prepared statements reused across a page (the snapshot's 1.2M bills
/// go through one of these per page).
pub struct BillWriter<'a> {
    customer: rusqlite::CachedStatement<'a>,
    insert: rusqlite::CachedStatement<'a>,
    existing: rusqlite::CachedStatement<'a>,
}

impl<'a> BillWriter<'a> {
    pub fn new(tx: &'a Tx) -> Result<BillWriter<'a>> {
        Ok(BillWriter {
            customer: tx.prepare_cached("SELECT pk FROM customers WHERE id = ?1")?,
            insert: tx.prepare_cached(
                "INSERT INTO bills (id, customer_pk, period, source, tariff_code, tariff_effective_from, kwh, amount_fen, paid_fen, due_date, lines, issued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
            )?,
            existing: tx.prepare_cached("SELECT id FROM bills WHERE customer_pk = ?1 AND period = ?2")?,
        })
    }

    /// Writes one bill; returns its row key when it is new (for the prepayment), or the outcome.
    pub fn write(&mut self, record: &BillRecord) -> Result<std::result::Result<i64, Outcome>> {
        check_bill(record)?;
        let Some(customer_pk) = self.customer.query_row([&record.customer_id], |r| r.get::<_, i64>(0)).optional()? else {
            // The customer has not arrived yet (it comes through the merge): keep the bill for then.
            return Ok(Err(Outcome::Kept("awaiting_customer")));
        };
        let inserted = self.insert.execute(params![
            record.id,
            customer_pk,
            record.period,
            record.source,
            record.tariff_code,
            record.tariff_effective_from,
            record.kwh,
            record.amount_fen,
            record.due_date,
            record.lines.to_string(),
            record.issued_at,
        ])?;
        if inserted == 1 {
            return Ok(Ok(customer_pk));
        }
        let held: Option<String> = self.existing.query_row(params![customer_pk, record.period], |r| r.get(0)).optional()?;
        match held {
            Some(id) if id == record.id => Ok(Err(Outcome::Applied)),
            Some(_) => Err(Error::Conflict(UserMessage::new(
                "sync.bill_period_taken",
                format!("户号 {} 的 {} 账单本机已有另一张，未覆盖", record.account, record.period),
                format!("Account {} already has another bill for {} here; it was not overwritten", record.account, record.period),
            ))),
            // The id is taken by a bill of another customer or period: the same bill re-keyed.
            None => Err(Error::Conflict(UserMessage::new(
                "sync.bill_id_taken",
                format!("账单 {} 本机已存在且内容不同", record.id),
                format!("Bill {} exists here with different content", record.id),
            ))),
        }
    }
}

fn check_bill(record: &BillRecord) -> Result<()> {
    let bad = |zh: &str, en: &str| {
        Error::invalid(UserMessage::new("sync.bad_bill", format!("账单 {}：{zh}", record.id), format!("Bill {}: {en}", record.id)))
    };
    super::billing::parse_period(&record.period)?;
    if record.amount_fen < 0 || record.kwh < 0 {
        return Err(bad("金额和电量不能为负", "amount and kWh cannot be negative"));
    }
    for date in [&record.due_date, &record.tariff_effective_from] {
        if date.parse::<NaiveDate>().is_err() {
            return Err(bad("日期格式不正确", "a date is not year-month-day"));
        }
    }
    Ok(())
}

/// One pulled bill. A prepayment the customer holds here pays it at once, as for any bill, and
/// that use goes to head office as a `bill.prepaid` event (the bill itself came from there).
pub fn apply_bill(tx: &Tx, actor: &Actor, record: &BillRecord) -> Result<Outcome> {
    let customer_pk = match BillWriter::new(tx)?.write(record)? {
        Ok(pk) => pk,
        Err(outcome) => return Ok(outcome),
    };
    let prepaid = super::billing::prepaid(tx, customer_pk)?;
    let from_prepaid = prepaid.0.min(record.amount_fen);
    if from_prepaid > 0 {
        let bill_pk: i64 = tx.query_row("SELECT pk FROM bills WHERE id = ?1", [&record.id], |r| r.get(0))?;
        tx.execute("UPDATE bills SET paid_fen = ?2 WHERE pk = ?1", (bill_pk, from_prepaid))?;
        tx.execute("INSERT INTO prepayment_uses (bill_pk, amount_fen, at) VALUES (?1, ?2, ?3)", (bill_pk, from_prepaid, stamp(actor.at)))?;
        super::billing::set_prepaid(tx, customer_pk, crate::model::money::Fen(prepaid.0 - from_prepaid))?;
        outbox::append(tx, actor, "bill.prepaid", &record.id, &serde_json::json!({ "bill_id": record.id, "amount": from_prepaid }))?;
    }
    Ok(Outcome::Applied)
}

// ---------------------------------------------------------------------------------------------
// Customers

/// A pulled customer, merged field by field (last writer wins by HLC) through the merge's
/// `store::customers::apply_remote`, which writes no outbox event for it.
pub fn apply_customer(tx: &Tx, actor: &Actor, change: &Change) -> Result<Outcome> {
    let record: records::CustomerRecord = body(change)?;
    super::customers::apply_remote(tx, actor, &record)?;
    Ok(Outcome::Applied)
}

// ---------------------------------------------------------------------------------------------
// Applications' progress made elsewhere

/// A transition recorded at another place for an application this outlet owns: taken through
/// `store::applications::act`, so the owner's rules (`model::workflow`, the expected version, the
/// calendar) decide; a refusal is reported back and the queue goes on.
pub fn apply_progress(tx: &Tx, actor: &Actor, record: &ApplicationProgressRecord) -> Result<Outcome> {
    let application = applications::by_number(tx, &record.number)?;
    let note = record.note.clone().unwrap_or_default();
    let act = match record.action.as_str() {
        "advance" => Act::Advance { note, connection: None },
        "suspend" => Act::Suspend { reason: note },
        "resume" => Act::Resume { note },
        "withdraw" => Act::Withdraw { reason: note },
        "reject" => Act::Reject { reason: note },
        "note" => Act::Note { note },
        other => {
            return Err(Error::invalid(UserMessage::new(
                "sync.progress_action",
                format!("其他网点对申请 {} 的操作 {other} 不能在本机办理", record.number),
                format!("The action {other} made elsewhere on application {} cannot be taken here", record.number),
            )));
        }
    };
    let user = user_by_id(tx, &record.by_user)?;
    let at = crate::clock::parse_stamp(&record.at).unwrap_or(actor.at);
    let acting_actor = Actor { user_id: Some(user.id.clone()), at };
    let who = applications::Acting { actor: &acting_actor, user: &user };
    let calendar = super::calendar::load(tx)?;
    let ctx = applications::Context { rules: RuleBook::shipped(), calendar: &calendar };
    applications::act(tx, &who, &ctx, &application.id, record.expected_version, &act)?;
    Ok(Outcome::Applied)
}

/// A 95598 ticket head office dispatched: accepted as a request when it is this workstation's.
/// A ticket the outlet's rules refuse (say its working-day deadline falls in an unpublished
/// year) is rejected and reported back, which head office shows on the ticket.
pub fn apply_ticket(tx: &Tx, actor: &Actor, record: &ServiceTicketRecord) -> Result<Outcome> {
    let own: String = tx.query_row("SELECT workstation_id FROM workstation", [], |r| r.get(0))?;
    let calendar = super::calendar::load(tx)?;
    let ctx = service::Context {
        deadlines: crate::model::service_rules::DeadlineBook::shipped(),
        calendar: &calendar,
        area_type: service::outlet_area(tx)?,
    };
    service::accept_ticket(tx, actor, &ctx, &own, record)?;
    Ok(Outcome::Applied)
}

fn user_by_id(conn: &Connection, id: &str) -> Result<User> {
    super::users::status_by_id(conn, id, chrono::Utc::now())?
        .map(|s| s.user)
        .ok_or_else(|| Error::NotFound(UserMessage::new("sync.progress_user", format!("本机没有用户 {id}"), format!("No user {id} here"))))
}
