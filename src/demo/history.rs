//! A year of bills and payments for the demo's customers.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::Result;
use crate::store::{Actor, Store, users};

/// Above this (20,000 yuan) a demo bill is paid by bank transfer.
const LARGE_BILL: crate::model::money::Fen = crate::model::money::Fen(2_000_000);

/// Gives the first `customers` customers a year of history up to the month before `until`: a
/// reading and bill each month (through the tariff engine) and, month by month at a desk the
/// demo clerk opens and balances, the payments most customers make, some late, some short
/// (arrears), some with a surplus (prepayment).
pub fn populate_history(store: &mut Store, until: chrono::DateTime<chrono::Utc>, customers: u64, seed: u64) -> Result<()> {
    use chrono::{Datelike, Duration, TimeZone};

    use crate::billing::late_fee::LateFeeBook;
    use crate::model::money::Fen;
    use crate::model::payment::{Tender, TenderKind};
    use crate::store::billing::{ReadingInput, enter_reading, tariff_book};
    use crate::store::desk;
    use crate::store::payments::{PostPayment, post, quote};

    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let clerk = users::find(store.conn(), "clerk")?.map(|u| u.user.id);
    let book = tariff_book(store.conn())?;
    let late_fees = LateFeeBook::defaults();
    let ids: Vec<(String, String, bool)> = {
        let mut stmt = store.conn().prepare(
            "SELECT c.id, m.number, c.class != 'residential' FROM customers c JOIN meters m ON m.customer_pk = c.pk AND m.position = 0 ORDER BY c.pk LIMIT ?1",
        )?;
        stmt.query_map([customers as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let local = until.with_timezone(&crate::clock::outlet_zone());
    let mut totals: Vec<i64> = vec![0; ids.len()];
    let mut reactive: Vec<i64> = vec![0; ids.len()];
    for back in (1..=12).rev() {
        let month_start = (local.date_naive().with_day(1).expect("day 1")) - chrono::Months::new(back);
        let period = format!("{:04}-{:02}", month_start.year(), month_start.month());
        // Readings on the 1st of the next month, payments from the 10th.
        let read_at = crate::clock::outlet_zone()
            .from_local_datetime(&(month_start + chrono::Months::new(1)).and_hms_opt(9, 0, 0).expect("valid"))
            .single()
            .expect("no DST in China")
            .with_timezone(&chrono::Utc);
        let reader = Actor { user_id: None, at: read_at };
        store.write(|tx| {
            for (i, (id, meter, business)) in ids.iter().enumerate() {
                let used = if *business { rng.gen_range(300..9_000) } else { rng.gen_range(80..520) };
                totals[i] += used;
                reactive[i] += used * rng.gen_range(30..60) / 100;
                let mut input = ReadingInput {
                    customer_id: id.clone(),
                    meter_number: meter.clone(),
                    period: period.clone(),
                    total: totals[i],
                    ..Default::default()
                };
                if *business {
                    input.reactive = Some(reactive[i]);
                }
                enter_reading(tx, &reader, &book, late_fees, &input)?;
            }
            Ok(())
        })?;
        let Some(clerk) = clerk.clone() else { continue };
        let pay_at = read_at + Duration::days(rng.gen_range(9..12));
        if pay_at >= until {
            continue;
        }
        let actor = Actor { user_id: Some(clerk), at: pay_at };
        store.write(|tx| {
            desk::open(tx, &actor, Fen(50_000))?;
            for (n, (id, _, _)) in ids.iter().enumerate() {
                let roll = rng.gen_range(0..100);
                if roll < 12 {
                    continue; // does not pay this month: arrears
                }
                let owed = quote(tx, late_fees, id, crate::clock::business_date(pay_at))?.total_due;
                let amount = match roll {
                    12..20 => Fen(owed.0 / 2),                              // part payment
                    20..30 => Fen((owed.0 / 10_000 + 1) * 10_000 + 10_000), // rounds up, the rest prepaid
                    _ => owed,
                };
                if !amount.is_positive() {
                    continue;
                }
                // A large customer's bill is paid by bank transfer, as such bills are: in cash, one
                // month of them would be more notes than a desk counts (`desk.count`).
                let tender = if amount > LARGE_BILL {
                    Tender { kind: TenderKind::Transfer, amount, reference: Some(format!("TR-{period}-{n:06}")) }
                } else if roll % 3 == 0 {
                    Tender { kind: TenderKind::MobileQr, amount, reference: Some(format!("42000{:023}", n as u64 * 1000 + roll as u64)) }
                } else {
                    Tender { kind: TenderKind::Cash, amount, reference: None }
                };
                let key = format!("demo-{period}-{id}");
                post(
                    tx,
                    &actor,
                    late_fees,
                    &PostPayment {
                        customer_id: id.clone(),
                        amount,
                        tenders: vec![tender],
                        idempotency_key: key,
                        confirmed_large_cash: false,
                    },
                )?;
            }
            // The drawer balances: count exactly what is expected.
            let (pk, _) = desk::current(tx)?.expect("opened above");
            desk::close(tx, &actor, &desk::exact_count(desk::expected(tx, pk)?.cash), None)?;
            Ok(())
        })?;
    }
    Ok(())
}
