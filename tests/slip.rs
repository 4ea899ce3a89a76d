//! The acceptance slip (受理回执): every field in the PDF's text, under 50 KB, and a QR code that
//! decodes from the rendered page and verifies through `receipt.verify` as this outlet's.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use hall::api::{Request, Verified, VerifiedKind, VerifyArgs};
use hall::model::application_code;
use hall::print::slip::{SlipDoc, SlipStep, render};

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn doc(code: String) -> SlipDoc {
    SlipDoc {
        company: "国网杭州供电公司".into(),
        outlet: "西湖营业厅".into(),
        outlet_phone: "0571-87654321".into(),
        application_no: "YK330106-01-1-000007".into(),
        accepted_at: "2026-03-02 09:30".into(),
        clerk: "王晓燕".into(),
        applicant_name: "欧阳修文".into(),
        kind: "低压非居民新装".into(),
        address: "浙江省杭州市西湖区文三路90号东部软件园科技大厦一楼102室".into(),
        capacity_kva: Some(80),
        voltage: Some("交流380V".into()),
        important: false,
        steps: vec![
            SlipStep { name: "受理".into(), limit_days: None, due_date: Some(date(3, 2)) },
            SlipStep { name: "现场勘查".into(), limit_days: Some(2), due_date: Some(date(3, 4)) },
            SlipStep { name: "供电方案答复".into(), limit_days: Some(3), due_date: Some(date(3, 9)) },
            SlipStep { name: "装表接电".into(), limit_days: Some(2), due_date: Some(date(3, 11)) },
        ],
        promise_days: 7,
        promised_date: date(3, 11),
        documents: vec!["身份证明：身份证.jpg".into(), "产权证明：房产证.pdf".into(), "营业执照：执照.png".into()],
        code,
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page's text, with runs of spaces (the layout's columns) squeezed to one.
fn text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout", &pdf.display().to_string(), "-"]).output().unwrap();
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The QR code's text, from the first page rendered at 200 dpi.
fn qr(pdf: &Path, png_stem: &Path) -> String {
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", &pdf.display().to_string(), &png_stem.display().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let page = image::open(png_stem.with_extension("png")).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(page.width() as usize, page.height() as usize, |x, y| {
        page.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the slip");
    grids[0].decode().unwrap().1
}

#[test]
fn the_slip_has_every_field_is_small_and_its_code_verifies() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let key = hall::store::receipts::signing_key(f.app.store().conn()).unwrap();
    let code = application_code::sign(&key, "YK330106-01-1-000007", "20260302T013000Z", date(3, 11));
    let pdf = render(&doc(code.clone())).unwrap();
    assert!(pdf.len() < 50 * 1024, "the slip is {} bytes", pdf.len());
    let path = artifacts().join("slip.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let text = text(&path);
    for expected in [
        "国网杭州供电公司",
        "业扩报装受理回执",
        "Application acceptance slip",
        "YK330106-01-1-000007",
        "2026-03-02 09:30",
        "欧**文",
        "低压非居民新装",
        "浙江省杭州市西湖区文三路90号",
        "80 kVA",
        "交流380V",
        "否 No",
        "1. 受理",
        "2. 现场勘查 2 2026-03-04",
        "3. 供电方案答复 3 2026-03-09",
        "4. 装表接电 2 2026-03-11",
        "全流程承诺：7个工作日，2026-03-11前办结",
        "1. 身份证明：身份证.jpg",
        "2. 产权证明：房产证.pdf",
        "3. 营业执照：执照.png",
        "西湖营业厅",
        "0571-87654321",
        "王晓燕",
        "Applicant",
        "Promised by",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the slip:\n{text}");
    }
    assert!(!text.contains("欧阳修文"), "the applicant's name is masked");

    let scanned = qr(&path, &artifacts().join("slip"));
    assert_eq!(scanned, code);
    let verified: Verified =
        serde_json::from_value(f.app.call(Some(&clerk), Request::VerifyReceipt(VerifyArgs { code: scanned.clone() })).unwrap()).unwrap();
    assert_eq!(verified.kind, VerifiedKind::Application);
    assert!(verified.fields.is_none());
    let application = verified.application.unwrap();
    assert_eq!((application.application_no.as_str(), application.promised_date), ("YK330106-01-1-000007", date(3, 11)));
    // Signed in UTC (01:30Z), shown as the slip prints it: 09:30 in Hangzhou.
    assert_eq!(verified.posted_local, "2026-03-02 09:30:00");
    assert_eq!(verified.application_state, None, "not among this workstation's applications");
    let altered = scanned.replace("|2026-03-11|", "|2026-04-11|");
    assert_eq!(f.app.call(Some(&clerk), Request::VerifyReceipt(VerifyArgs { code: altered })).unwrap_err().code(), "receipt_code.forged");
}

#[test]
fn an_important_customer_with_no_phone_set_and_many_steps_still_renders() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let mut slip = doc(application_code::sign(&key, "YK1", "20260302T013000Z", date(3, 11)));
    slip.important = true;
    slip.outlet_phone.clear();
    slip.capacity_kva = None;
    slip.voltage = None;
    slip.steps = (1..=9).map(|i| SlipStep { name: format!("环节{i}"), limit_days: Some(i), due_date: None }).collect();
    let pdf = render(&slip).unwrap();
    let path = artifacts().join("slip-important.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = text(&path);
    for expected in ["是 Yes", "9. 环节9 9 —", "申请容量 — 供电电压 —"] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(!text.contains("联系电话"), "no phone line without a phone");
}
