//! Bills from a CSV file (the billing centre's export, until sync brings them): one row per bill,
//! `account,period,kwh,amount,tariff_code,due_date` (amount in yuan; tariff code and due date may be
//! empty: the customer's tariff and the rule's due date). Rows that pass are imported in one
//! transaction; every rejected row is reported with its line and reason.

use std::io::Read;

use chrono::NaiveDate;
use serde::Deserialize;

use super::customers::{ImportReport, Rejection};
use crate::billing::BillCalc;
use crate::billing::BillLine;
use crate::billing::late_fee::LateFeeBook;
use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;
use crate::store::billing::{NewBill, insert_bill, parse_period};
use crate::store::{Actor, Store, audit, customers};

#[derive(Debug, Deserialize)]
struct Row {
    account: String,
    period: String,
    kwh: String,
    amount: String,
    #[serde(default)]
    tariff_code: String,
    #[serde(default)]
    due_date: String,
}

fn bad(code: &str, field: &str, zh: &str, en: &str) -> Error {
    Error::invalid(UserMessage::new(code, zh, en).at(field))
}

/// Imports bills from CSV; `progress` is called with the rows done and the rows in the file.
pub fn import_bills(store: &mut Store, actor: &Actor, input: impl Read, mut progress: impl FnMut(u64, u64)) -> Result<ImportReport> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let mut report = ImportReport::default();
    let rows: Vec<(u64, std::result::Result<Row, csv::Error>)> =
        reader.deserialize::<Row>().enumerate().map(|(i, r)| (i as u64 + 2, r)).collect();
    let total = rows.len() as u64;
    store.write(|tx| {
        for (done, (line, row)) in rows.into_iter().enumerate() {
            progress(done as u64, total);
            let account = row.as_ref().map(|r| r.account.clone()).unwrap_or_default();
            let outcome =
                row.map_err(|e| bad("bill_import.row", "row", &format!("无法读取该行：{e}"), &format!("Cannot read the row: {e}")))
                    .and_then(|row| {
                        let (year, month) = parse_period(&row.period)?;
                        let kwh: i64 =
                            row.kwh.parse().ok().filter(|k| *k >= 0).ok_or_else(|| {
                                bad("bill_import.kwh", "kwh", "电量应为非负整数", "kWh must be a whole number, not negative")
                            })?;
                        let amount = Fen::parse_yuan(&row.amount)
                            .filter(|a| a.0 >= 0)
                            .ok_or_else(|| bad("bill_import.amount", "amount", "金额格式不正确", "Invalid amount"))?;
                        let due = if row.due_date.is_empty() {
                            LateFeeBook::defaults().due_date(year, month)
                        } else {
                            row.due_date.parse::<NaiveDate>().map_err(|_| {
                                bad("bill_import.due_date", "due_date", "缴费期限应为 年-月-日", "The due date must be year-month-day")
                            })?
                        };
                        let (pk, customer) = customers::by_account_with_pk(tx, &account)?
                            .ok_or_else(|| bad("bill_import.account", "account", "户号不存在", "No customer with this account"))?;
                        let tariff = if row.tariff_code.is_empty() { customer.record.tariff_code.clone() } else { row.tariff_code.clone() };
                        let first_day = NaiveDate::from_ymd_opt(year, month, 1).expect("a parsed period");
                        let book = crate::store::billing::tariff_book(tx)?;
                        let version = book.in_force(&tariff, first_day)?;
                        let calc = BillCalc {
                            lines: vec![BillLine {
                                item: "imported".into(),
                                label_zh: "电费（营销系统导入）".into(),
                                label_en: "Energy (imported)".into(),
                                quantity: kwh,
                                rate: Default::default(),
                                amount,
                            }],
                            total: amount,
                            power_factor: None,
                        };
                        // A savepoint per row: a row refused half-way leaves nothing.
                        tx.execute_batch("SAVEPOINT bill_row")?;
                        let written = insert_bill(
                            tx,
                            actor,
                            NewBill {
                                customer_pk: pk,
                                customer_id: &customer.id,
                                period: &row.period,
                                source: "import",
                                tariff: (&version.code, version.effective_from),
                                kwh,
                                calc: &calc,
                                due_date: due,
                                reading_pk: None,
                            },
                        );
                        match written {
                            Ok(_) => tx.execute_batch("RELEASE bill_row")?,
                            Err(_) => tx.execute_batch("ROLLBACK TO bill_row; RELEASE bill_row")?,
                        }
                        written.map(|_| ())
                    });
            match outcome {
                Ok(()) => report.imported += 1,
                Err(Error::Internal(e)) => return Err(Error::Internal(e)),
                Err(e) => report.rejected.push(Rejection { line, account, messages: e.messages() }),
            }
        }
        audit::append(
            tx,
            actor,
            "bills.import",
            "bills",
            &serde_json::json!({ "imported": report.imported, "rejected": report.rejected.len() }),
        )?;
        Ok(())
    })?;
    Ok(report)
}
