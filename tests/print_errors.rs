//! Printing problems reach the clerk in plain words, never as the print system's own text: no
//! print system, no running print service, no printer, a missing, paused or refusing printer.
//! One test, because it changes the process's PATH and CUPS_SERVER.

mod common;

use std::process::Command;

use common::cups::Cups;
use hall::api::*;
use hall::model::money::Fen;
use hall::model::payment::{Tender, TenderKind};
use hall::print::receipt::Layout;

fn print(f: &common::Fixture, token: &str, receipt_no: &str, printer: Option<&str>) -> hall::Error {
    f.app
        .call(
            Some(token),
            Request::PrintReceipt(PrintArgs { receipt_no: receipt_no.into(), layout: Layout::Roll80, printer: printer.map(Into::into) }),
        )
        .unwrap_err()
}

fn admin(args: &[&str]) {
    let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(status.success(), "{args:?}");
}

#[test]
fn every_printing_problem_is_told_in_plain_words() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let saved = f.app.call(Some(&clerk), Request::CreateCustomer(common::draft("3300000011", "李四"))).unwrap();
    let id = saved["view"]["customer"]["id"].as_str().unwrap().to_owned();
    f.app.call(Some(&clerk), Request::OpenDesk(OpenDeskArgs { float: Fen(0) })).unwrap();
    let payment = f
        .app
        .call(
            Some(&clerk),
            Request::PostPayment(hall::store::payments::PostPayment {
                customer_id: id,
                amount: Fen(10000),
                tenders: vec![Tender { kind: TenderKind::Cash, amount: Fen(10000), reference: None }],
                idempotency_key: "print-errors".into(),
                confirmed_large_cash: false,
            }),
        )
        .unwrap();
    let receipt = payment["receipt_no"].as_str().unwrap().to_owned();
    let said = |e: &hall::Error| {
        let m = &e.messages()[0];
        // Never the print system's own words.
        for raw in ["lp:", "lpstat", "Error -", "destination"] {
            assert!(!m.zh.contains(raw) && !m.en.contains(raw), "{m:?}");
        }
        (m.code.clone(), m.zh.clone(), m.en.clone())
    };

    // No print system at all: `lp` and `lpstat` are not on the PATH.
    let path = std::env::var_os("PATH").unwrap();
    unsafe { std::env::set_var("PATH", "") };
    let (code, zh, _) = said(&print(&f, &clerk, &receipt, None));
    let listed = f.app.call(Some(&clerk), Request::ListPrinters(NoArgs {})).unwrap_err();
    unsafe { std::env::set_var("PATH", &path) };
    assert_eq!(code, "print.no_system");
    assert!(zh.contains("保存为PDF"), "{zh}");
    assert_eq!(listed.code(), "print.no_system");

    // CUPS installed, its scheduler not running (a socket nobody listens on).
    let dir = tempfile::tempdir().unwrap();
    unsafe { std::env::set_var("CUPS_SERVER", dir.path().join("none.sock")) };
    assert_eq!(said(&print(&f, &clerk, &receipt, None)).0, "print.not_running");

    // A running print service without printers.
    let cups = Cups::start();
    unsafe { std::env::set_var("CUPS_SERVER", cups.socket()) };
    let (code, zh, en) = said(&print(&f, &clerk, &receipt, None));
    assert_eq!(code, "print.no_printer");
    assert_eq!(zh, "没有可用的打印机：请在系统中添加打印机，或保存为PDF");
    assert_eq!(en, "No printer is available: add a printer in the system settings, or save as PDF");
    let (code, zh, _) = said(&print(&f, &clerk, &receipt, Some("Counter2")));
    assert_eq!(code, "print.printer_missing");
    assert!(zh.contains("Counter2"), "{zh}");

    // A printer that is paused, then one that refuses jobs.
    admin(&["lpadmin", "-p", "HallPDF", "-E", "-v", "cups-pdf:/", "-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd"]);
    admin(&["cupsdisable", "HallPDF"]);
    assert_eq!(said(&print(&f, &clerk, &receipt, Some("HallPDF"))).0, "print.printer_stopped");
    admin(&["cupsenable", "HallPDF"]);
    admin(&["cupsreject", "HallPDF"]);
    assert_eq!(said(&print(&f, &clerk, &receipt, Some("HallPDF"))).0, "print.printer_rejecting");
    // Nothing of it was marked printed.
    let got = f.app.call(Some(&clerk), Request::GetPayment(ReceiptRef { receipt_no: receipt.clone() })).unwrap();
    assert_eq!(got["print_count"].as_i64().unwrap(), 0, "{got}");
}
