//! Arrears commands (欠费): the aging, the list notices are printed from, one customer's arrears
//! with its notices and disconnections, printing notices (one or many into one PDF), and the
//! disconnection and reconnection orders.

use base64::Engine;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, CustomerRef, PdfFile, require_caller};
use crate::billing::late_fee::LateFeeBook;
use crate::clock::business_date;
use crate::error::{Error, Result, UserMessage};
use crate::model::arrears::{self, Bucket, NoticeKind};
use crate::model::customer::CustomerClass;
use crate::model::money::Fen;
use crate::print::notice::{NoticeBill, NoticeDoc};
use crate::store::arrears::{self as repo, AgingRow, ArrearsCustomer, Disconnection, Notice, NoticeRequest};
use crate::store::{customers, payments, settings};

#[derive(Debug, Clone, Serialize, TS)]
pub struct AgingReport {
    #[ts(type = "string")]
    pub on: NaiveDate,
    pub rows: Vec<AgingRow>,
    /// Per bucket, over every class and area: principal and late fees.
    pub totals: Vec<BucketTotal>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BucketTotal {
    pub bucket: Bucket,
    pub principal: Fen,
    pub late_fee: Fen,
    pub bills: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ArrearsListArgs {
    pub class: Option<CustomerClass>,
    pub area: Option<String>,
    /// Only customers whose oldest bill is at least this many days overdue (1: every one).
    pub min_days: i64,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ArrearsList {
    pub rows: Vec<ArrearsCustomer>,
}

/// One customer's arrears and what may be done now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ArrearsStatus {
    pub customer_id: String,
    pub overdue: Fen,
    pub oldest_days: i64,
    pub notices: Vec<Notice>,
    pub disconnections: Vec<Disconnection>,
    /// The earliest date a disconnection notice printed today may name.
    #[ts(type = "string")]
    pub earliest_planned_date: NaiveDate,
    /// Whether the supply is cut now (an open disconnection).
    pub disconnected: bool,
}

/// Notices to print: one, or many at once (each customer checked; those refused are listed).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct PrintNoticesArgs {
    pub notices: Vec<NoticeRequest>,
    /// A random key under which `import.progress` reports how many are done.
    #[serde(default)]
    #[ts(optional)]
    pub progress: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintedNotices {
    /// One PDF, a page per notice printed; `None` when every one was refused.
    pub pdf: Option<PdfFile>,
    pub printed: Vec<Notice>,
    /// The customers refused, with the reason.
    pub refused: Vec<RefusedNotice>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RefusedNotice {
    pub customer_id: String,
    pub message: UserMessage,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DisconnectionRef {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ReconnectionList {
    pub rows: Vec<Disconnection>,
    /// How many are past their 24-hour deadline.
    pub overdue: u32,
}

pub(super) fn aging(app: &App, caller: Option<&Caller>, _: super::NoArgs) -> Result<AgingReport> {
    require_caller(caller)?;
    let on = business_date(app.clock().now());
    let rows = repo::aging(app.store().conn(), LateFeeBook::defaults(), on)?;
    let totals = Bucket::ALL
        .iter()
        .map(|b| {
            let of = rows.iter().filter(|r| r.bucket == *b);
            BucketTotal {
                bucket: *b,
                principal: of.clone().map(|r| r.principal).sum(),
                late_fee: of.clone().map(|r| r.late_fee).sum(),
                bills: of.map(|r| r.bills).sum(),
            }
        })
        .collect();
    Ok(AgingReport { on, rows, totals })
}

pub(super) fn list(app: &App, caller: Option<&Caller>, args: ArrearsListArgs) -> Result<ArrearsList> {
    require_caller(caller)?;
    let on = business_date(app.clock().now());
    let area = args.area.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let limit = if args.limit == 0 { 200 } else { args.limit };
    Ok(ArrearsList { rows: repo::debtors(app.store().conn(), on, args.class, area, args.min_days, limit)? })
}

pub(super) fn status(app: &App, caller: Option<&Caller>, args: CustomerRef) -> Result<ArrearsStatus> {
    require_caller(caller)?;
    let store = app.store();
    let conn = store.conn();
    let (pk, c) = customers::get_with_pk(conn, &args.id)?;
    let today = business_date(app.clock().now());
    let debt = repo::debt(conn, pk, c.record.class, today)?;
    let disconnections = repo::disconnections_of(conn, pk)?;
    Ok(ArrearsStatus {
        customer_id: c.id,
        overdue: debt.overdue,
        oldest_days: debt.oldest_days,
        notices: repo::notices(conn, pk)?,
        disconnected: disconnections.iter().any(|d| d.reconnected_at.is_none()),
        disconnections,
        earliest_planned_date: today + chrono::Duration::days(arrears::notice_days(c.record.class)),
    })
}

/// Records and renders the notices. Each is checked on its own: one refused (nothing owed, too
/// early) is listed with its reason and the others print, into one PDF.
pub(super) fn print(app: &App, caller: Option<&Caller>, args: PrintNoticesArgs) -> Result<PrintedNotices> {
    let caller = require_caller(caller)?;
    if args.notices.is_empty() || args.notices.len() > 5000 {
        return Err(Error::invalid(UserMessage::new("notices.count", "一次打印1到5000份通知", "Print 1 to 5,000 notices at a time")));
    }
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let company = settings::get_or(store.conn(), settings::COMPANY_NAME, settings::DEFAULT_COMPANY_NAME)?;
    let outlet = settings::get_or(store.conn(), settings::OUTLET_NAME, settings::DEFAULT_OUTLET_NAME)?;
    let outlet_phone = settings::get(store.conn(), settings::OUTLET_PHONE)?.unwrap_or_default();
    let today = business_date(actor.at);
    let (mut printed, mut refused, mut docs) = (Vec::new(), Vec::new(), Vec::new());
    // Rendering counts as one more step than the notices, so that the bar reaches its end last.
    let total = args.notices.len() as u64 + 1;
    app.imports
        .track(args.progress.as_deref(), |report| -> Result<Option<PdfFile>> {
            // One transaction for the batch: every notice recorded, or (on a failure of the machine) none.
            store.write(|tx| {
                for (i, request) in args.notices.iter().enumerate() {
                    report(i as u64, total);
                    match repo::record_notice(tx, &actor, &caller.user.id, request, &company) {
                        Ok(notice) => {
                            let c = customers::get(tx, &request.customer_id)?;
                            let quote = payments::quote(tx, LateFeeBook::defaults(), &request.customer_id, today)?;
                            let bills = quote
                                .bills
                                .iter()
                                .filter(|b| b.bill.due_date < today)
                                .map(|b| NoticeBill {
                                    period: b.bill.period.clone(),
                                    due_date: b.bill.due_date,
                                    outstanding: b.bill.outstanding,
                                    late_fee: b.late_fee,
                                })
                                .collect();
                            docs.push(NoticeDoc {
                                kind: notice.kind,
                                company: company.clone(),
                                outlet: outlet.clone(),
                                outlet_phone: outlet_phone.clone(),
                                reference: notice.id.clone(),
                                account: c.record.account.clone(),
                                name: c.record.name.clone(),
                                address: c.record.address.clone(),
                                bills,
                                printed_on: today,
                                planned_date: notice.planned_date,
                            });
                            printed.push(notice);
                        }
                        Err(Error::Internal(detail)) => return Err(Error::Internal(detail)),
                        Err(e) => refused.push(RefusedNotice {
                            customer_id: request.customer_id.clone(),
                            message: e.messages().into_iter().next().expect("a refusal has a message"),
                        }),
                    }
                }
                Ok(())
            })?;
            report(total - 1, total);
            Ok(if docs.is_empty() {
                None
            } else {
                let bytes = crate::print::notice::render(&docs)?;
                let name = match (docs.len(), docs[0].kind) {
                    (1, NoticeKind::Disconnection) => format!("停电通知书-{}.pdf", docs[0].account),
                    (1, NoticeKind::Payment) => format!("催费通知单-{}.pdf", docs[0].account),
                    (n, _) => format!("欠费通知-{today}-{n}份.pdf"),
                };
                Some(PdfFile {
                    file_name: name,
                    bytes: bytes.len() as i64,
                    base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                })
            })
        })
        .map(|pdf| PrintedNotices { pdf, printed, refused })
}

pub(super) fn disconnect(app: &App, caller: Option<&Caller>, args: CustomerRef) -> Result<Disconnection> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::disconnect(tx, &actor, &caller.user.id, &args.id))
}

pub(super) fn reconnected(app: &App, caller: Option<&Caller>, args: DisconnectionRef) -> Result<Disconnection> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::reconnected(tx, &actor, &caller.user.id, &args.id))
}

pub(super) fn reconnections(app: &App, caller: Option<&Caller>, _: super::NoArgs) -> Result<ReconnectionList> {
    require_caller(caller)?;
    let now = app.clock().now();
    let rows = repo::reconnections_due(app.store().conn())?;
    let overdue = rows.iter().filter(|d| d.reconnect_due.as_deref().is_some_and(|due| repo::overdue_at(due, now))).count() as u32;
    Ok(ReconnectionList { rows, overdue })
}
