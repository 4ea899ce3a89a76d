//! Taking money: the quote, posting with tenders, reversal and refund with a manager's
//! authorisation, and the receipt: its preview, printing, saving and verification.

use base64::Engine;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, ManagerApproval, NoArgs, authorise, require_caller};
use crate::billing::late_fee::LateFeeBook;
use crate::clock::{business_date, outlet_local_text, parse_stamp};
use crate::error::{Error, Lang, Result, UserMessage};
use crate::model::application::ApplicationState;
use crate::model::application_code::{self, ApplicationCodeFields};
use crate::model::mask;
use crate::model::payment::{PaymentKind, PaymentStatus};
use crate::model::receipt::{self, SignedFields};
use crate::model::signed_code;
use crate::print::receipt::{Layout, ReceiptDoc, ReceiptLine, ReceiptTender, render};
use crate::print::spool::{self, Printer};
use crate::store::payments::{self as repo, Payment, PostPayment, Quote, Refund, Reversal};
use crate::store::{Store, receipts, settings};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct QuoteArgs {
    pub customer_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaymentList {
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ReceiptRef {
    pub receipt_no: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ReverseArgs {
    pub reversal: Reversal,
    pub approval: ManagerApproval,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RefundArgs {
    pub refund: Refund,
    pub approval: ManagerApproval,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct RenderArgs {
    pub receipt_no: String,
    pub layout: Layout,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct PrintArgs {
    pub receipt_no: String,
    pub layout: Layout,
    /// The printer; none is the system's default.
    pub printer: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct SaveArgs {
    pub receipt_no: String,
    pub layout: Layout,
    pub path: String,
}

/// A PDF for the UI: shown, downloaded or saved.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PdfFile {
    pub file_name: String,
    pub base64: String,
    pub bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReceiptPreview {
    pub doc: ReceiptDoc,
    pub pdf: PdfFile,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Printed {
    pub job: String,
    pub duplicate: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PrinterList {
    pub printers: Vec<Printer>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct VerifyArgs {
    pub code: String,
}

/// Which paper a verified code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedKind {
    /// A receipt (`HR1`): `fields` and `status` are set.
    Receipt,
    /// An acceptance slip (`HA1`): `application` and `application_state` are set.
    Application,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Verified {
    pub kind: VerifiedKind,
    /// A receipt's signed fields.
    pub fields: Option<SignedFields>,
    /// An acceptance slip's signed fields.
    pub application: Option<ApplicationCodeFields>,
    /// The signed time (a receipt's posting, an application's acceptance) in the outlet's zone,
    /// as the paper prints it.
    pub posted_local: String,
    /// The receipt as this workstation's records have it, if it was issued here.
    pub status: Option<PaymentStatus>,
    /// The application as this workstation's records have it, if it was accepted here.
    pub application_state: Option<ApplicationState>,
}

/// Payments leave the core with the customer's name masked, as receipts print it.
fn masked(mut p: Payment) -> Payment {
    p.customer_name = mask::name(&p.customer_name);
    p
}

pub(super) fn quote(app: &App, caller: Option<&Caller>, args: QuoteArgs) -> Result<Quote> {
    let _ = require_caller(caller)?;
    let today = business_date(app.clock().now());
    repo::quote(app.store().conn(), LateFeeBook::defaults(), &args.customer_id, today)
}

pub(super) fn post(app: &App, caller: Option<&Caller>, args: PostPayment) -> Result<Payment> {
    let caller = require_caller(caller)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::post(tx, &actor, LateFeeBook::defaults(), &args)).map(masked)
}

pub(super) fn list(app: &App, _: Option<&Caller>, args: QuoteArgs) -> Result<PaymentList> {
    Ok(PaymentList { payments: repo::of_customer(app.store().conn(), &args.customer_id, 200)?.into_iter().map(masked).collect() })
}

pub(super) fn get(app: &App, _: Option<&Caller>, args: ReceiptRef) -> Result<Payment> {
    repo::by_receipt(app.store().conn(), args.receipt_no.trim()).map(masked)
}

pub(super) fn reverse(app: &App, caller: Option<&Caller>, args: ReverseArgs) -> Result<Payment> {
    let caller = require_caller(caller)?;
    repo::by_receipt(app.store().conn(), &args.reversal.receipt_no)?;
    let manager = authorise(app, &args.approval, "payment.reverse", &args.reversal.receipt_no)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::reverse(tx, &actor, &args.reversal, &manager.id)).map(masked)
}

pub(super) fn refund(app: &App, caller: Option<&Caller>, args: RefundArgs) -> Result<Payment> {
    let caller = require_caller(caller)?;
    let manager = authorise(app, &args.approval, "prepayment.refund", &args.refund.customer_id)?;
    let actor = app.actor(Some(&caller.user));
    app.store().write(|tx| repo::refund(tx, &actor, &args.refund, &manager.id)).map(masked)
}

/// `2026-11-22T01:30:00.000Z` → `20261122T013000Z`, the compact UTC form the code signs.
fn compact_utc(stamp: &str) -> String {
    parse_stamp(stamp).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_else(|| stamp.to_owned())
}

/// Words, masking and signature for a payment's receipt.
pub fn receipt_doc(store: &Store, payment: &Payment, duplicate: bool) -> Result<ReceiptDoc> {
    let conn = store.conn();
    let key = receipts::signing_key(conn)?;
    let fields = SignedFields {
        key_id: signed_code::key_id(&key.verifying_key()),
        receipt_no: payment.receipt_no.clone(),
        posted_at: compact_utc(&payment.posted_at),
        account: payment.account.clone(),
        amount: payment.amount,
        late_fee: payment.late_fees,
        prepaid_after: payment.prepaid_after,
    };
    let title = match payment.kind {
        PaymentKind::Payment => "电费收费凭证",
        PaymentKind::RedLetter => "电费冲红凭证",
        PaymentKind::Refund => "预存电费退费凭证",
    };
    let status_note = match payment.status {
        PaymentStatus::Posted => None,
        PaymentStatus::Reversed => Some("已冲正 VOID".to_owned()),
        PaymentStatus::Corrected => Some("已冲红 CORRECTED".to_owned()),
    };
    let posted_at = outlet_local_text(&payment.posted_at);
    let posted_day = parse_stamp(&payment.posted_at).map(business_date);
    let taken_for = (posted_day != Some(payment.business_date)).then(|| payment.business_date.to_string());
    Ok(ReceiptDoc {
        company: settings::get_or(conn, settings::COMPANY_NAME, settings::DEFAULT_COMPANY_NAME)?,
        outlet: settings::get_or(conn, settings::OUTLET_NAME, settings::DEFAULT_OUTLET_NAME)?,
        title: title.into(),
        kind: payment.kind,
        status: payment.status,
        receipt_no: payment.receipt_no.clone(),
        posted_at,
        business_date: taken_for,
        clerk: payment.clerk_name.clone(),
        account: payment.account.clone(),
        name: mask::name(&payment.customer_name),
        lines: payment
            .settled
            .iter()
            .map(|s| ReceiptLine { period: s.period.clone(), kwh: s.kwh, amount: s.principal, late_fee: s.late_fee })
            .collect(),
        late_fee: payment.late_fees,
        amount: payment.amount,
        tenders: payment
            .tenders
            .iter()
            .map(|t| ReceiptTender {
                kind: t.kind,
                label: t.kind.label(Lang::ZhCn).split('（').next().unwrap_or("").to_owned(),
                amount: t.amount,
                reference: t.reference.clone(),
            })
            .collect(),
        change: payment.change,
        prepaid_after: payment.prepaid_after,
        code: receipt::sign(&key, &fields),
        duplicate,
        status_note,
        corrects: payment.corrects.clone(),
    })
}

fn pdf_file(name: String, bytes: Vec<u8>) -> PdfFile {
    PdfFile { file_name: name, bytes: bytes.len() as i64, base64: base64::engine::general_purpose::STANDARD.encode(bytes) }
}

/// The receipt as it would print next (a duplicate once it has been printed), without counting.
pub(super) fn render_receipt(app: &App, _: Option<&Caller>, args: RenderArgs) -> Result<ReceiptPreview> {
    let store = app.store();
    let payment = repo::by_receipt(store.conn(), &args.receipt_no)?;
    let doc = receipt_doc(&store, &payment, payment.print_count > 0)?;
    let pdf = render(&doc, args.layout);
    Ok(ReceiptPreview { pdf: pdf_file(format!("{}.pdf", payment.receipt_no), pdf), doc })
}

/// Counts the print and renders it: the first is the original, every later one a duplicate.
fn counted_render(app: &App, caller: &Caller, receipt_no: &str, layout: Layout, how: &str) -> Result<(Vec<u8>, bool)> {
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let payment = repo::by_receipt(store.conn(), receipt_no)?;
    let count = store.write(|tx| {
        let count = repo::count_print(tx, receipt_no)?;
        crate::store::audit::append(tx, &actor, "receipt.print", &payment.receipt_no, &serde_json::json!({ "copy": count, "how": how }))?;
        Ok(count)
    })?;
    let doc = receipt_doc(&store, &payment, count > 1)?;
    Ok((render(&doc, layout), count > 1))
}

pub(super) fn print_receipt(app: &App, caller: Option<&Caller>, args: PrintArgs) -> Result<Printed> {
    let caller = require_caller(caller)?;
    // Before the count: a receipt that could not reach a printer must not print as a duplicate next.
    let printer = spool::ready_printer(args.printer.as_deref())?;
    let (pdf, duplicate) = counted_render(app, caller, &args.receipt_no, args.layout, "printer")?;
    let job = spool::print_pdf(&pdf, printer.as_deref(), &args.receipt_no)?;
    Ok(Printed { job, duplicate })
}

pub(super) fn save_receipt(app: &App, caller: Option<&Caller>, args: SaveArgs) -> Result<Printed> {
    let caller = require_caller(caller)?;
    let (pdf, duplicate) = counted_render(app, caller, &args.receipt_no, args.layout, "file")?;
    std::fs::write(&args.path, pdf).map_err(|e| {
        Error::invalid(UserMessage::new("file.unavailable", format!("无法写入文件：{e}"), format!("Cannot write the file: {e}")).at("path"))
    })?;
    Ok(Printed { job: args.path, duplicate })
}

pub(super) fn printers(_: &App, _: Option<&Caller>, _: NoArgs) -> Result<PrinterList> {
    Ok(PrinterList { printers: spool::printers()? })
}

/// Checks a receipt's or an acceptance slip's code (told apart by their first field).
pub(super) fn verify(app: &App, _: Option<&Caller>, args: VerifyArgs) -> Result<Verified> {
    let store = app.store();
    let keys = receipts::outlet_public_keys(store.conn())?;
    if signed_code::prefix(&args.code) == application_code::PREFIX {
        let application = application_code::verify(&args.code, &keys)?;
        let state: Option<String> = store
            .conn()
            .query_row("SELECT state FROM applications WHERE number = ?1", [&application.application_no], |r| r.get(0))
            .optional()?;
        return Ok(Verified {
            kind: VerifiedKind::Application,
            fields: None,
            posted_local: outlet_local_text(&application.accepted_at),
            application: Some(application),
            status: None,
            application_state: state.as_deref().and_then(ApplicationState::from_code),
        });
    }
    let fields = receipt::verify(&args.code, &keys)?;
    let status = repo::by_receipt(store.conn(), &fields.receipt_no).ok().map(|p| p.status);
    Ok(Verified {
        kind: VerifiedKind::Receipt,
        posted_local: outlet_local_text(&fields.posted_at),
        fields: Some(fields),
        application: None,
        status,
        application_state: None,
    })
}
