//! `hall bench payments` and `hall bench receipt`.

use std::path::Path;
use std::time::{Duration, Instant};

use hall::billing::late_fee::LateFeeBook;
use hall::clock::business_date;
use hall::model::money::Fen;
use hall::model::payment::{PaymentKind, PaymentStatus, Tender, TenderKind};
use hall::print::receipt::{Layout, ReceiptDoc, ReceiptLine, ReceiptTender, render};
use hall::store::desk;
use hall::store::payments::{PostPayment, post};
use hall::store::{Actor, Store, dayend, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::bench::{machine, percentiles};

/// Opens today's desk for the demo clerk, balancing and closing a desk left from another day.
pub fn desk_for_today(store: &mut Store, actor: &Actor) -> anyhow::Result<()> {
    store.write(|tx| {
        if let Some((pk, session)) = desk::current(tx)? {
            if session.business_date == business_date(actor.at) && Some(&session.clerk_id) == actor.user_id.as_ref() {
                return Ok(());
            }
            desk::close(tx, actor, &desk::exact_count(desk::expected(tx, pk)?.cash), None)?;
        }
        desk::open(tx, actor, Fen(100_000))?;
        Ok(())
    })?;
    Ok(())
}

pub fn clerk_actor(store: &Store) -> anyhow::Result<Actor> {
    let clerk = users::find(store.conn(), "clerk")?.ok_or_else(|| anyhow::anyhow!("no demo clerk; run `hall demo` first"))?;
    Ok(Actor { user_id: Some(clerk.user.id), at: chrono::Utc::now() })
}

pub fn customer_ids(store: &Store, limit: i64) -> anyhow::Result<Vec<String>> {
    let mut stmt = store.conn().prepare("SELECT id FROM customers ORDER BY pk LIMIT ?1")?;
    Ok(stmt.query_map([limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Payment posting against a raw one-row commit, alternating so that both see the same disk.
pub fn payments(count: usize, dir: Option<&Path>) -> anyhow::Result<()> {
    let temp = tempfile::tempdir_in(dir.unwrap_or(&std::env::temp_dir()))?;
    println!("machine: {}", machine());
    let mut store = Store::open(&temp.path().join("bench.db"))?;
    hall::demo::populate(&mut store, &Actor { user_id: None, at: chrono::Utc::now() }, 2000, 7, |_| {})?;
    hall::demo::populate_history(&mut store, chrono::Utc::now(), 300, 7)?;
    let actor = clerk_actor(&store)?;
    desk_for_today(&mut store, &actor)?;
    let customers = customer_ids(&store, 2000)?;

    let raw = hall::store::open_connection(&temp.path().join("raw.db"))?;
    raw.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")?;
    let mut insert = raw.prepare("INSERT INTO t (v) VALUES (?1)")?;

    let mut rng = StdRng::seed_from_u64(5);
    let (mut payment_times, mut raw_times) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for i in 0..count {
        let start = Instant::now();
        raw.execute_batch("BEGIN IMMEDIATE")?;
        insert.execute([format!("row {i}")])?;
        raw.execute_batch("COMMIT")?;
        raw_times.push(start.elapsed());

        let customer_id = customers[i % customers.len()].clone();
        let amount = Fen(rng.gen_range(1_000..60_000));
        let request = PostPayment {
            customer_id,
            amount,
            tenders: vec![Tender { kind: TenderKind::Cash, amount: amount + Fen(rng.gen_range(0..5_000)), reference: None }],
            idempotency_key: format!("bench-{i}"),
            confirmed_large_cash: false,
        };
        let actor = Actor { at: chrono::Utc::now(), ..actor.clone() };
        let start = Instant::now();
        store.write(|tx| post(tx, &actor, LateFeeBook::defaults(), &request))?;
        payment_times.push(start.elapsed());
    }
    let (raw_p50, raw_p99) = percentiles(&mut raw_times);
    let (pay_p50, pay_p99) = percentiles(&mut payment_times);
    println!("payments: {count}");
    println!("raw_commit_p50_ms: {raw_p50:.2}");
    println!("raw_commit_p99_ms: {raw_p99:.2}");
    println!("payment_p50_ms: {pay_p50:.2}");
    println!("payment_p99_ms: {pay_p99:.2}");

    // Day-end over the day's payments (the benchmark posts them all today).
    let today = business_date(chrono::Utc::now());
    let on_day: i64 = store.conn().query_row(
        "SELECT count(*) FROM payments WHERE session_pk IN (SELECT pk FROM desk_sessions WHERE business_date = ?1)",
        [today.to_string()],
        |r| r.get(0),
    )?;
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            dayend::report(store.conn(), today).expect("day-end report");
            start.elapsed()
        })
        .collect();
    let (dayend_p50, _) = percentiles(&mut times);
    println!("dayend_payments: {on_day}");
    println!("dayend_ms: {dayend_p50:.2}");
    // The summary lines.
    println!("payment_p50_ratio_vs_raw: {:.2}", pay_p50 / raw_p50);
    println!("payment_p99_ratio_vs_raw: {:.2}", pay_p99 / raw_p99);
    if on_day >= 5000 {
        println!("dayend_5000_ms: {:.2}", dayend_p50 * 5000.0 / on_day as f64);
    } else {
        println!("dayend_5000_ms: n/a (run with --payments 5000 or more)");
    }
    Ok(())
}

fn sample_receipt() -> ReceiptDoc {
    ReceiptDoc {
        company: "国网杭州供电公司".into(),
        outlet: "西湖营业厅".into(),
        title: "电费收费凭证".into(),
        kind: PaymentKind::Payment,
        status: PaymentStatus::Posted,
        receipt_no: "330106-01-1-000123".into(),
        posted_at: "2026-11-22 09:30:15".into(),
        business_date: None,
        clerk: "王晓燕".into(),
        account: "3300000042".into(),
        name: "欧**文".into(),
        lines: vec![
            ReceiptLine { period: "2026-09".into(), kwh: 412, amount: Fen(22166), late_fee: Fen(1263) },
            ReceiptLine { period: "2026-10".into(), kwh: 377, amount: Fen(20283), late_fee: Fen(100) },
        ],
        late_fee: Fen(1363),
        amount: Fen(50000),
        tenders: vec![
            ReceiptTender { kind: TenderKind::MobileQr, label: "扫码支付".into(), amount: Fen(30000), reference: Some("4200001234202611221234567890".into()) },
            ReceiptTender { kind: TenderKind::Cash, label: "现金".into(), amount: Fen(25000), reference: None },
        ],
        change: Fen(5000),
        prepaid_after: Fen(6188),
        code: "HR1|0123456789abcdef|330106-01-1-000123|20261122T013015Z|3300000042|50000|1363|6188|QWxhZGRpbi1zaWduYXR1cmUtZXhhbXBsZS1vZi04Ni1jaGFyYWN0ZXJzLWxvbmctZm9yLXRoZS1iZW5jaG1hcmstb25seQ".into(),
        duplicate: false,
        status_note: None,
        corrects: None,
    }
}

/// The same receipt as an HTML page, the way a web app would print it through Chromium.
fn receipt_html(doc: &ReceiptDoc) -> String {
    let code = qrcode::QrCode::new(doc.code.as_bytes()).expect("fits");
    let n = code.width();
    let mut rects = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            rects.push_str(&format!("<rect x='{}' y='{}' width='1' height='1'/>", i % n, i / n));
        }
    }
    let lines: String = doc
        .lines
        .iter()
        .map(|l| format!("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", l.period, l.kwh, l.amount, l.late_fee))
        .collect();
    let tenders: String =
        doc.tenders.iter().map(|t| format!("<div>{} ¥{} {}</div>", t.label, t.amount, t.reference.clone().unwrap_or_default())).collect();
    format!(
        "<!doctype html><html><head><meta charset='utf-8'><style>@page {{ size: 148mm 210mm; margin: 10mm }} body {{ font-family: 'Noto Sans CJK SC', sans-serif; font-size: 10pt }} h1 {{ font-size: 15pt; text-align: center }} table {{ width: 100%; border-collapse: collapse }} td, th {{ text-align: right }}</style></head><body>\
         <div style='text-align:center'>{}</div><h1>{}</h1><p>营业网点 {} 凭证号码 {}<br>收费时间 {} 收费员 {}<br>用户编号 {} 用户名称 {}</p>\
         <table><tr><th>电费年月</th><th>电量(kWh)</th><th>电费(元)</th><th>违约金(元)</th></tr>{lines}</table>\
         <p>违约金合计 ¥{} 本次实收 ¥{} 找零 ¥{} 预存余额 ¥{}</p>{tenders}\
         <svg width='34mm' height='34mm' viewBox='0 0 {n} {n}' shape-rendering='crispEdges'>{rects}</svg><p>扫描二维码可验证本凭证由本营业厅签发且未被改动。</p></body></html>",
        doc.company,
        doc.title,
        doc.outlet,
        doc.receipt_no,
        doc.posted_at,
        doc.clerk,
        doc.account,
        doc.name,
        doc.late_fee,
        doc.amount,
        doc.change,
        doc.prepaid_after
    )
}

pub fn receipt(count: usize) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    let doc = sample_receipt();
    render(&doc, Layout::A5); // the font is parsed once per process
    let mut times = Vec::with_capacity(count);
    let mut size = 0;
    for _ in 0..count {
        let start = Instant::now();
        size = render(&doc, Layout::A5).len();
        times.push(start.elapsed());
    }
    let (p50, p99) = percentiles(&mut times);
    println!("receipt_render_p50_ms: {p50:.2}");
    println!("receipt_render_p99_ms: {p99:.2}");
    println!("receipt_bytes: {size}");
    let roll = render(&doc, Layout::Roll80).len();
    println!("receipt_80mm_bytes: {roll}");

    // Headless Chromium printing the same receipt from HTML, as a web stack would.
    let temp = tempfile::tempdir()?;
    let html = temp.path().join("receipt.html");
    std::fs::write(&html, receipt_html(&doc))?;
    let pdf = temp.path().join("receipt.pdf");
    let profile = temp.path().join("profile");
    let mut chromium_times = Vec::new();
    for _ in 0..5 {
        let _ = std::fs::remove_file(&pdf);
        let start = Instant::now();
        let status = std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(status.success() && pdf.exists(), "chromium did not print the receipt");
        chromium_times.push(start.elapsed());
    }
    let (chromium_p50, _) = percentiles(&mut chromium_times);
    let chromium_size = std::fs::metadata(&pdf)?.len() as f64;
    println!("chromium_render_p50_ms: {chromium_p50:.1}");
    println!("chromium_bytes: {chromium_size}");
    println!("receipt_speedup_vs_chromium: {:.0}", chromium_p50 / p50);
    println!("receipt_size_ratio_vs_chromium: {:.1}", chromium_size / size as f64);
    println!("receipt_kb: {:.1}", size as f64 / 1024.0);
    Ok(())
}
