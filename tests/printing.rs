//! The print path: a receipt goes through CUPS (`lp`) to the cups-pdf virtual printer of a private
//! CUPS server that this test starts, and comes out as a one-page PDF.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::cups::Cups;

use hall::api::*;
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::print::receipt::Layout;
use hall::store::payments::{Payment, PostPayment};

#[test]
fn a_receipt_prints_through_cups_to_the_cups_pdf_printer() {
    let cups = Cups::start();
    // `lp`, `lpstat` and `lpadmin` talk to the server named here. This test is alone in its binary.
    unsafe { std::env::set_var("CUPS_SERVER", cups.socket()) };
    let ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd";
    let status = Command::new("lpadmin").args(["-p", "HallPDF", "-E", "-v", "cups-pdf:/", "-P", ppd]).status().unwrap();
    assert!(status.success(), "lpadmin");

    let f = common::fixture();
    let clerk = f.login("clerk");
    let saved = f.app.call(Some(&clerk), Request::CreateCustomer(common::draft("3300000011", "李四"))).unwrap();
    let id = saved["view"]["customer"]["id"].as_str().unwrap().to_owned();
    f.app.call(Some(&clerk), Request::OpenDesk(OpenDeskArgs { float: Fen(0) })).unwrap();
    let payment: Payment = serde_json::from_value(
        f.app
            .call(
                Some(&clerk),
                Request::PostPayment(PostPayment {
                    customer_id: id,
                    amount: Fen(10000),
                    tenders: vec![Tender { kind: TenderKind::Cash, amount: Fen(10000), reference: None }],
                    idempotency_key: "print".into(),
                    confirmed_large_cash: false,
                }),
            )
            .unwrap(),
    )
    .unwrap();

    let printers: PrinterList = serde_json::from_value(f.app.call(Some(&clerk), Request::ListPrinters(NoArgs {})).unwrap()).unwrap();
    assert!(printers.printers.iter().any(|p| p.name == "HallPDF"), "{:?}", printers.printers);
    let printed: Printed = serde_json::from_value(
        f.app
            .call(
                Some(&clerk),
                Request::PrintReceipt(PrintArgs {
                    receipt_no: payment.receipt_no.clone(),
                    layout: Layout::Roll80,
                    printer: Some("HallPDF".into()),
                }),
            )
            .unwrap(),
    )
    .unwrap();
    assert!(printed.job.starts_with("HallPDF-"), "{}", printed.job);
    assert!(!printed.duplicate);
    // A printer that does not exist is a clear error, not a silent loss.
    let err = f
        .app
        .call(
            Some(&clerk),
            Request::PrintReceipt(PrintArgs {
                receipt_no: payment.receipt_no.clone(),
                layout: Layout::A5,
                printer: Some("NoSuchPrinter".into()),
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), "print.printer_missing");

    // cups-pdf writes the job, named after its title (the receipt number), to the user's ~/PDF.
    let out_dir = PathBuf::from(std::env::var("HOME").unwrap()).join("PDF");
    let start = Instant::now();
    let file = loop {
        let found = std::fs::read_dir(&out_dir).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .find(|p| p.file_name().unwrap().to_string_lossy().contains(&payment.receipt_no))
        });
        if let Some(file) = found {
            break file;
        }
        let log = std::fs::read_to_string(cups.dir.path().join("log/error_log")).unwrap_or_default();
        assert!(start.elapsed() < Duration::from_secs(30), "no PDF from cups-pdf in {}; log:\n{log}", out_dir.display());
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_millis(300)); // let cups-pdf finish writing
    let info = String::from_utf8(Command::new("pdfinfo").arg(&file).output().unwrap().stdout).unwrap();
    assert!(info.contains("Pages:           1"), "{info}");
    let _ = std::fs::remove_file(&file);
}
