//! `hall bench applications`: the due-today, overdue and at-risk lists over 100,000 applications
//! with 600,000 steps (through the command set, as the UI calls them), the working-day
//! calendar's `add`, and the acceptance slip's render time and size.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use hall::api::{App, Due, ListArgs, LoginArgs, NoArgs, Request};
use hall::calendar::Calendar;
use hall::clock::FixedClock;
use hall::model::application::{ApplicationKind, ApplicationState, StepKind};
use hall::print::slip::{SlipDoc, SlipStep, render};
use hall::store::{Actor, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use crate::bench::{machine, percentiles};

/// The bench's "today": a Monday in June 2026.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("date")
}

const BENCH_USERS: usize = 20;

/// Writes `count` applications with `steps_per` steps each straight into the tables, shaped as
/// an outlet's year: most completed, some suspended or ended early, about one in eight open with
/// its deadline within a month either side of today, owned by one of twenty users.
fn generate(store: &mut Store, count: usize, steps_per: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let cal = Calendar::shipped();
    store.write(|tx| {
        let clerk: String = tx.query_row("SELECT id FROM users WHERE username = 'clerk'", [], |r| r.get(0))?;
        let mut users = vec![clerk];
        for i in users.len()..BENCH_USERS {
            let id = uuid::Uuid::now_v7().to_string();
            tx.execute(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'clerk', 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                params![id, format!("bench{i:02}"), format!("营业员{i:02}")],
            )?;
            users.push(id);
        }
        let customers: Vec<i64> = tx.prepare("SELECT pk FROM customers")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let kinds = ApplicationKind::ALL;
        let steps = [
            StepKind::Intake,
            StepKind::Survey,
            StepKind::SupplyPlan,
            StepKind::Contract,
            StepKind::Connection,
            StepKind::Archive,
            StepKind::CompletionInspection,
            StepKind::DesignReview,
        ];
        let mut app_insert = tx.prepare(
            "INSERT INTO applications (pk, id, number, number_epoch, number_seq, kind, state, rules_version, customer_pk, applicant_name, draft,
                 accepted_at, accepted_by, promise_days, promised_date, current_position, current_owner, current_due, deadline, suspended_at,
                 finished_at, version)
             VALUES (?1, ?2, ?3, 1, ?1, ?4, ?5, '2025-01-01', ?6, ?7, '{}', ?8, ?9, 5, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 1)",
        )?;
        let mut step_insert = tx.prepare(
            "INSERT INTO application_steps (application_pk, position, kind, owner, limit_days, started_at, due_date, finished_at)
             VALUES (?1, ?2, ?3, ?4, 3, ?5, ?6, ?7)",
        )?;
        for pk in 1..=count as i64 {
            let accepted = today() - Days::new(rng.gen_range(0..330));
            let accepted = if cal.is_working(accepted)? { accepted } else { cal.add_working_days(accepted, 1)? };
            let at = format!("{accepted}T02:00:00.000Z");
            let promised = cal.add_working_days(accepted, 5)?;
            let roll: u32 = rng.gen_range(0..100);
            let state = match roll {
                0..80 => ApplicationState::Completed,
                80..85 => ApplicationState::Suspended,
                85..88 => ApplicationState::Withdrawn,
                _ => ApplicationState::Active,
            };
            let owner = &users[rng.gen_range(0..users.len())];
            let open = matches!(state, ApplicationState::Active | ApplicationState::Suspended);
            let current = open.then(|| rng.gen_range(1..steps_per as i64));
            // An open application's deadline within a month either side of today.
            let due = open.then(|| today() + chrono::Duration::days(rng.gen_range(-30..30)));
            let deadline = (state == ApplicationState::Active).then_some(due).flatten();
            let customer = (!customers.is_empty() && rng.gen_bool(0.5)).then(|| customers[rng.gen_range(0..customers.len())]);
            let finished = (!open).then(|| at.clone());
            app_insert.execute(params![
                pk,
                uuid::Uuid::now_v7().to_string(),
                format!("YK330106-01-1-{pk:06}"),
                kinds[rng.gen_range(0..kinds.len())].code(),
                state.code(),
                customer,
                format!("申请人{pk}"),
                at,
                owner,
                promised.to_string(),
                current,
                open.then_some(owner),
                due.map(|d| d.to_string()),
                deadline.map(|d| d.to_string()),
                (state == ApplicationState::Suspended).then_some(&at),
                finished,
            ])?;
            for position in 0..steps_per as i64 {
                let done = current.is_none_or(|c| position < c);
                let started = current.is_none_or(|c| position <= c);
                step_insert.execute(params![
                    pk,
                    position,
                    steps[position as usize % steps.len()].code(),
                    started.then_some(owner),
                    started.then_some(&at),
                    if Some(position) == current { due.map(|d| d.to_string()) } else { started.then(|| accepted.to_string()) },
                    done.then_some(&at),
                ])?;
            }
        }
        Ok(())
    })?;
    store.conn().execute_batch("ANALYZE")?;
    Ok(())
}

pub fn applications(count: usize, queries: usize, dir: Option<&Path>) -> anyhow::Result<()> {
    let temp = tempfile::tempdir_in(dir.unwrap_or(&std::env::temp_dir()))?;
    println!("machine: {}", machine());
    let path = temp.path().join("bench.db");
    let mut store = Store::open(&path)?;
    let now = Utc.with_ymd_and_hms(2026, 6, 15, 1, 30, 0).single().expect("instant");
    hall::demo::populate(&mut store, &Actor { user_id: None, at: now }, 2000, 11, |_| {})?;
    let started = Instant::now();
    generate(&mut store, count, 6, 17)?;
    let (apps, steps): (i64, i64) =
        store.conn().query_row("SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM application_steps)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    println!("applications: {apps}");
    println!("application_steps: {steps}");
    println!("generate_s: {:.1}", started.elapsed().as_secs_f64());

    let app = App::new(store, Arc::new(FixedClock::new(now)));
    let reply = app.call(None, Request::Login(LoginArgs { username: "clerk".into(), password: "clerk1234".into() }))?;
    let token = reply["token"].as_str().unwrap_or_default().to_owned();
    let mut worst: f64 = 0.0;
    for (name, due) in [("due_today", Due::Today), ("overdue", Due::Overdue), ("at_risk", Due::AtRisk)] {
        for (scope, owner) in [("outlet", None), ("mine", Some("me"))] {
            let mut times = Vec::with_capacity(queries);
            let mut total = 0;
            for i in 0..queries {
                let args = ListArgs {
                    due,
                    kind: None,
                    state: None,
                    owner: owner.map(Into::into),
                    customer_id: None,
                    offset: (i % 3) as u32 * 50,
                    limit: 50,
                };
                let t = Instant::now();
                let list = app.call(Some(&token), Request::ListApplications(args))?;
                times.push(t.elapsed());
                total = list["total"].as_u64().unwrap_or(0);
            }
            let (p50, p99) = percentiles(&mut times);
            worst = worst.max(p99);
            println!("applications_list_{name}_{scope}_rows: {total}");
            println!("applications_list_{name}_{scope}_p50_ms: {p50:.2}");
            println!("applications_list_{name}_{scope}_p99_ms: {p99:.2}");
        }
    }
    println!("applications_list_p99_ms: {worst:.2}");
    let mut times = Vec::with_capacity(queries);
    for _ in 0..queries {
        let t = Instant::now();
        app.call(Some(&token), Request::ApplicationCounts(NoArgs {}))?;
        times.push(t.elapsed());
    }
    let (_, p99) = percentiles(&mut times);
    println!("applications_counts_p99_ms: {p99:.2}");

    println!("calendar_add_ns: {:.0}", calendar_add_ns()?);
    let (slip_ms, slip_kb) = slip()?;
    println!("slip_ms: {slip_ms:.1}");
    println!("slip_kb: {slip_kb:.1}");
    Ok(())
}

/// The mean time of `Calendar::add_working_days` over 10,000 random (date, N) pairs in the
/// shipped years, the best of 20 rounds.
fn calendar_add_ns() -> anyhow::Result<f64> {
    let cal = Calendar::shipped();
    let mut rng = StdRng::seed_from_u64(3);
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let pairs: Vec<(NaiveDate, u32)> = (0..10_000).map(|_| (first + Days::new(rng.gen_range(0..600)), rng.gen_range(0..45))).collect();
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        for &(date, n) in &pairs {
            std::hint::black_box(cal.add_working_days(std::hint::black_box(date), std::hint::black_box(n))?);
        }
        best = best.min(t.elapsed());
    }
    Ok(best.as_nanos() as f64 / pairs.len() as f64)
}

/// A high-voltage important customer's slip (nine steps, four documents): the median render time
/// of 30 and its size.
fn slip() -> anyhow::Result<(f64, f64)> {
    let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    let steps = [
        ("受理", None, date(3, 2)),
        ("现场勘查", Some(3), date(3, 5)),
        ("供电方案答复", Some(20), date(4, 2)),
        ("设计审查", Some(20), date(4, 30)),
        ("中间检查", Some(5), date(5, 11)),
        ("竣工检验", Some(7), date(5, 20)),
        ("合同签订", Some(3), date(5, 25)),
        ("装表接电", Some(7), date(6, 3)),
        ("归档", Some(2), date(6, 5)),
    ];
    let doc = SlipDoc {
        company: "国网杭州供电公司".into(),
        outlet: "西湖营业厅".into(),
        outlet_phone: "0571-87654321".into(),
        application_no: "YK330106-01-1-000042".into(),
        accepted_at: "2026-03-02 09:30".into(),
        clerk: "王晓燕".into(),
        applicant_name: "杭州西湖精密制造有限公司".into(),
        kind: "高压新装（单电源）".into(),
        address: "浙江省杭州市西湖区三墩镇振华路298号西湖科技园7号楼".into(),
        capacity_kva: Some(1250),
        voltage: Some("交流10kV".into()),
        important: true,
        steps: steps.iter().map(|(name, limit, due)| SlipStep { name: (*name).into(), limit_days: *limit, due_date: Some(*due) }).collect(),
        promise_days: 22,
        promised_date: date(4, 1),
        documents: vec![
            "身份证明：法人身份证.jpg".into(),
            "产权证明：土地证.pdf".into(),
            "营业执照：执照.png".into(),
            "设计图纸：配电图.pdf".into(),
        ],
        code: hall::model::application_code::sign(
            &ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
            "YK330106-01-1-000042",
            "20260302T013000Z",
            date(4, 1),
        ),
    };
    let mut times = Vec::with_capacity(30);
    let mut size = 0;
    for _ in 0..30 {
        let t = Instant::now();
        size = render(&doc)?.len();
        times.push(t.elapsed());
    }
    let (p50, _) = percentiles(&mut times);
    Ok((p50, size as f64 / 1024.0))
}
