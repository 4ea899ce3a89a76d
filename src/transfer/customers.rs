//! Customer CSV import and export (SPEC §10): the legacy system's export comes in, every rejected
//! row is reported with its line and reason, and the rows that pass land in one transaction.
//!
//! Columns, by header name: account, name, class, id_kind, id_number, phones, address,
//! supply_area, voltage, capacity_kva, tariff_code, payment_method, credit_rating, big_customer,
//! account_manager, tags, notes, meters. Lists are separated by `;`; a meter is
//! `number:kind:multiplier`. Coded columns accept the code (`residential`) or the Chinese label
//! (`居民`).

use std::io::{Read, Write};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Lang, Result, UserMessage};
use crate::model::customer::*;
use crate::store::customers::{self, BulkLoad, Prepared};
use crate::store::{Actor, Store, Tx, audit};

/// A legacy export's typical line length, to estimate rows from a file's size.
const APPROX_BYTES_PER_ROW: u64 = 250;

/// Rows handed from the parser to the writer in one message: fewer hand-overs, fewer wake-ups.
const ROWS_PER_MESSAGE: usize = 64;

/// A customer file's columns: the draft's fields, in the form's order.
pub use crate::model::customer::DRAFT_FIELDS as COLUMNS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Rejection {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub account: String,
    pub messages: Vec<UserMessage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportReport {
    pub imported: u64,
    pub rejected: Vec<Rejection>,
    /// Rows imported with a warning (a social credit code failing its check).
    pub warned: Vec<Rejection>,
}

/// One CSV line after parsing and checking, on its way to the writer.
struct Parsed {
    line: u64,
    byte: u64,
    account: String,
    /// The row ready to write, with its warnings.
    outcome: Result<(Prepared, Vec<UserMessage>)>,
}

/// Imports customers from CSV. `size_hint` is the file's size if known; `progress` is called
/// with the bytes read so far.
///
/// Reading, parsing and checking run on a second thread, so that they overlap with the writes;
/// the rows reach the single writer in file order. A file large against what the store holds is
/// loaded the bulk way (see [`BulkLoad`] and [`Store::write_load`]), in the same one transaction.
pub fn import_customers(
    store: &mut Store,
    actor: &Actor,
    input: impl Read + Send,
    size_hint: Option<u64>,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport> {
    let size = customers::load_size(store.conn(), size_hint.unwrap_or(0) / APPROX_BYTES_PER_ROW)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let index = column_index(&headers)?;
    let mut report = ImportReport::default();
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(64);
        let today = crate::clock::business_date(actor.at);
        let parser = scope.spawn(move || parse_all(&mut reader, &index, today, send));
        let load_all = |tx: &Tx| {
            let mut load = BulkLoad::start(tx, actor, size)?;
            for parsed in receive.iter().flatten() {
                if parsed.line.is_multiple_of(4096) {
                    progress(parsed.byte);
                }
                // `create` refuses before its first write, so a refused row leaves nothing; an
                // error after that is internal and aborts the whole import. (A savepoint per
                // row would make the full-text index flush on every row: ten times slower.)
                let outcome = parsed.outcome.and_then(|(prepared, warnings)| load.create(tx, actor, prepared).map(|_| warnings));
                let Parsed { line, account, .. } = parsed;
                match outcome {
                    Ok(warnings) if warnings.is_empty() => report.imported += 1,
                    Ok(warnings) => {
                        report.imported += 1;
                        report.warned.push(Rejection { line, account, messages: warnings });
                    }
                    Err(Error::Internal(detail)) => return Err(Error::Internal(detail)),
                    Err(e) => report.rejected.push(Rejection { line, account, messages: e.messages() }),
                }
            }
            load.finish(tx, actor)?;
            audit::append(
                tx,
                actor,
                "customers.import",
                "customers",
                &serde_json::json!({ "imported": report.imported, "rejected": report.rejected.len() }),
            )
        };
        let written = store.write_load(size, load_all);
        // If the writer stopped early, the parser's channel is closed and it ends on its own.
        let read = parser.join().map_err(|_| Error::Internal("import parser panicked".into()))?;
        written.and(read)
    })?;
    Ok(report)
}

/// Reads every record, parses and checks it, and sends it on in batches. Stops at an I/O error
/// (returned) or when the writer hangs up.
fn parse_all<R: Read>(
    reader: &mut csv::Reader<R>,
    index: &std::collections::HashMap<String, usize>,
    today: chrono::NaiveDate,
    send: std::sync::mpsc::SyncSender<Vec<Parsed>>,
) -> Result<()> {
    let mut record = csv::StringRecord::new();
    let mut batch = Vec::with_capacity(ROWS_PER_MESSAGE);
    loop {
        let parsed = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let row = Row { record: &record, index };
                let position = record.position();
                Parsed {
                    line: position.map_or(0, |p| p.line()),
                    byte: position.map_or(0, |p| p.byte()),
                    account: row.get("account").to_owned(),
                    outcome: parse_row(&row)
                        .and_then(|draft| draft.check(today))
                        .and_then(|checked| Ok((customers::prepare(checked.draft)?, checked.warnings))),
                }
            }
            Err(e) if e.is_io_error() => return Err(csv_error(e)),
            Err(e) => Parsed {
                line: e.position().map_or(0, |p| p.line()),
                byte: e.position().map_or(0, |p| p.byte()),
                account: String::new(),
                outcome: Err(Error::invalid(unreadable(&e))),
            },
        };
        batch.push(parsed);
        if batch.len() == ROWS_PER_MESSAGE && send.send(std::mem::replace(&mut batch, Vec::with_capacity(ROWS_PER_MESSAGE))).is_err() {
            return Ok(());
        }
    }
    // A closed channel here means the writer stopped early; it reports why.
    let _ = send.send(batch);
    Ok(())
}

fn column_index(headers: &csv::StringRecord) -> Result<std::collections::HashMap<String, usize>> {
    let index: std::collections::HashMap<String, usize> =
        headers.iter().enumerate().map(|(i, h)| (h.trim_start_matches('\u{feff}').to_owned(), i)).collect();
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !index.contains_key(*c) && *c != "notes" && *c != "tags").collect();
    if missing.is_empty() {
        Ok(index)
    } else {
        Err(Error::invalid(UserMessage::new(
            "import.columns",
            format!("文件缺少列：{}", missing.join("、")),
            format!("The file lacks the columns: {}", missing.join(", ")),
        )))
    }
}

/// One CSV record, read by column name.
struct Row<'a> {
    record: &'a csv::StringRecord,
    index: &'a std::collections::HashMap<String, usize>,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> &'a str {
        self.index.get(name).and_then(|&i| self.record.get(i)).unwrap_or("")
    }
}

fn parse_row(row: &Row) -> Result<CustomerDraft> {
    let field = |name: &str| row.get(name);
    let mut errors = Vec::new();
    let mut coded = |name: &str, parse: &dyn Fn(&str) -> bool| {
        if !parse(field(name)) {
            errors.push(
                UserMessage::new(
                    &format!("{name}.unknown"),
                    format!("无法识别的取值：{}", field(name)),
                    format!("Unknown value: {}", field(name)),
                )
                .at(name),
            );
        }
    };
    macro_rules! code_of {
        ($ty:ty, $name:literal) => {{
            let value = field($name);
            let found = <$ty>::ALL.iter().copied().find(|v| v.code() == value || v.label(Lang::ZhCn) == value);
            coded($name, &|_| found.is_some());
            found
        }};
    }
    let class = code_of!(CustomerClass, "class");
    let id_kind = code_of!(IdKind, "id_kind");
    let voltage = code_of!(Voltage, "voltage");
    let payment_method = code_of!(PaymentMethod, "payment_method");
    let credit_rating = code_of!(CreditRating, "credit_rating");
    let capacity_kva = field("capacity_kva").parse::<u32>().ok();
    if capacity_kva.is_none() {
        errors.push(
            UserMessage::new("capacity_kva.number", "合同容量应为整数（kVA）", "The contracted capacity must be a whole number of kVA")
                .at("capacity_kva"),
        );
    }
    let big_customer = match field("big_customer") {
        "1" | "true" | "是" | "Y" | "y" => Some(true),
        "0" | "false" | "否" | "N" | "n" | "" => Some(false),
        _ => None,
    };
    if big_customer.is_none() {
        errors.push(
            UserMessage::new("big_customer.flag", "大客户标志应为“是”或“否”", "The big-customer flag must be yes or no").at("big_customer"),
        );
    }
    let meters = parse_meters(field("meters")).map_err(|m| errors.push(m)).unwrap_or_default();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let list = |name: &str| field(name).split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    Ok(CustomerDraft {
        account: field("account").to_owned(),
        name: field("name").to_owned(),
        class: class.expect("checked"),
        id_kind: id_kind.expect("checked"),
        id_number: field("id_number").to_owned(),
        phones: list("phones"),
        address: field("address").to_owned(),
        supply_area: field("supply_area").to_owned(),
        voltage: voltage.expect("checked"),
        capacity_kva: capacity_kva.expect("checked"),
        tariff_code: field("tariff_code").to_owned(),
        payment_method: payment_method.expect("checked"),
        credit_rating: credit_rating.expect("checked"),
        big_customer: big_customer.expect("checked"),
        account_manager: Some(field("account_manager").to_owned()).filter(|m| !m.is_empty()),
        tags: list("tags"),
        notes: field("notes").to_owned(),
        meters,
    })
}

fn parse_meters(text: &str) -> std::result::Result<Vec<Meter>, UserMessage> {
    let bad = || {
        UserMessage::new(
            "meters.format",
            "电能表格式应为“表号:类型:倍率”，多块以;分隔",
            "Meters are written number:kind:multiplier, separated by ;",
        )
        .at("meters")
    };
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|m| {
            let mut parts = m.split(':');
            let number = parts.next().ok_or_else(bad)?.to_owned();
            let kind = parts.next().map(str::trim).unwrap_or("single_phase");
            let kind = MeterKind::ALL.iter().copied().find(|k| k.code() == kind || k.label(Lang::ZhCn) == kind).ok_or_else(bad)?;
            let multiplier = parts.next().map_or(Ok(1), |m| m.trim().parse::<u32>()).map_err(|_| bad())?;
            Ok(Meter { number, kind, multiplier })
        })
        .collect()
}

fn unreadable(e: &csv::Error) -> UserMessage {
    UserMessage::new("import.unreadable", format!("该行无法读取：{e}"), format!("The line cannot be read: {e}"))
}

fn csv_error(e: csv::Error) -> Error {
    Error::invalid(UserMessage::new("import.unreadable", format!("文件无法读取：{e}"), format!("The file cannot be read: {e}")))
}

/// One customer as a CSV row in [`COLUMNS`] order.
pub fn to_row(c: &CustomerDraft) -> [String; 18] {
    [
        c.account.clone(),
        c.name.clone(),
        c.class.code().into(),
        c.id_kind.code().into(),
        c.id_number.clone(),
        c.phones.join(";"),
        c.address.clone(),
        c.supply_area.clone(),
        c.voltage.code().into(),
        c.capacity_kva.to_string(),
        c.tariff_code.clone(),
        c.payment_method.code().into(),
        c.credit_rating.code().into(),
        if c.big_customer { "1" } else { "0" }.into(),
        c.account_manager.clone().unwrap_or_default(),
        c.tags.join(";"),
        c.notes.clone(),
        c.meters.iter().map(|m| format!("{}:{}:{}", m.number, m.kind.code(), m.multiplier)).collect::<Vec<_>>().join(";"),
    ]
}

/// Writes every customer as CSV, in account order; returns how many.
pub fn export_customers(store: &Store, output: impl Write) -> Result<u64> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(COLUMNS).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    let mut count = 0;
    customers::for_each(store.conn(), |c| {
        count += 1;
        writer.write_record(to_row(&c.record)).map_err(|e| Error::Internal(format!("csv: {e}")))
    })?;
    writer.flush()?;
    Ok(count)
}
