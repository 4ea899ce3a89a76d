//! Hand-computed bills and late fees. Each case states its arithmetic; the engine must agree to
//! the fen.

use chrono::NaiveDate;
use hall::billing::allocation::{OpenBill, allocate};
use hall::billing::late_fee::{Debtor, LateFeeBook, late_fee};
use hall::billing::power_factor::PfStandard;
use hall::billing::{BasicBy, BasicSegment, BillContext, Usage, compute_bill};
use hall::model::money::Fen;
use hall::model::tariff::TariffBook;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn bill(code: &str, usage: Usage, ctx: BillContext) -> (i64, Vec<(String, i64)>) {
    let book = TariffBook::defaults();
    let version = book.in_force(code, day("2026-10-01")).unwrap();
    let calc = compute_bill(version, &usage, &ctx).unwrap();
    (calc.total.0, calc.lines.iter().map(|l| (l.item.clone(), l.amount.0)).collect())
}

fn kwh(total: i64) -> Usage {
    Usage { total_kwh: total, ..Usage::default() }
}

fn tou(peak: i64, flat: i64, valley: i64) -> Usage {
    Usage { total_kwh: peak + flat + valley, peak_kwh: Some(peak), valley_kwh: Some(valley), ..Usage::default() }
}

#[test]
fn residential_tiers_split_a_month_that_crosses_one_threshold() {
    // Year to date 2500 kWh, this month 400: 260 kWh in tier 1 up to 2760, 140 in tier 2.
    // 260 × 0.538 = 139.88; 140 × 0.588 = 82.32; total 222.20.
    let (total, lines) = bill("ZJ-RES-TIER", kwh(400), BillContext { year_to_date_kwh: 2500, ..Default::default() });
    assert_eq!(lines, vec![("tier1".into(), 13988), ("tier2".into(), 8232)]);
    assert_eq!(total, 22220);
}

#[test]
fn residential_tiers_split_a_month_that_crosses_both_thresholds() {
    // Year to date 2700, this month 2200 (to 4900): 60 in tier 1, 2040 in tier 2 (to 4800), 100 in tier 3.
    // 60 × 0.538 = 32.28; 2040 × 0.588 = 1199.52; 100 × 0.838 = 83.80; total 1315.60.
    let (total, lines) = bill("ZJ-RES-TIER", kwh(2200), BillContext { year_to_date_kwh: 2700, ..Default::default() });
    assert_eq!(lines, vec![("tier1".into(), 3228), ("tier2".into(), 119952), ("tier3".into(), 8380)]);
    assert_eq!(total, 131560);
}

#[test]
fn residential_time_of_use_is_first_tier_period_prices_plus_the_tier_mark_up() {
    // Year to date 2700; 120 kWh peak + 80 valley = 200, of which 60 in tier 1 and 140 in tier 2.
    // 120 × 0.568 = 68.16; 80 × 0.288 = 23.04; tier 2 mark-up 140 × (0.588 − 0.538 = 0.05) = 7.00; total 98.20.
    // (Per kWh it is the same: every tier-2 kWh pays its period's tier-2 price, 0.05 above tier 1.)
    let (total, lines) = bill("ZJ-RES-TIER", tou(120, 0, 80), BillContext { year_to_date_kwh: 2700, ..Default::default() });
    assert_eq!(lines, vec![("tier1_peak".into(), 6816), ("tier1_valley".into(), 2304), ("tier2_markup".into(), 700)]);
    assert_eq!(total, 9820);
}

#[test]
fn monthly_thresholds_ignore_the_year_to_date() {
    // 450 kWh against 230/400 monthly: 230 × 0.538 = 123.74; 170 × 0.588 = 99.96; 50 × 0.838 = 41.90; total 265.60.
    let (total, _) = bill("RES-TIER-MONTHLY", kwh(450), BillContext { year_to_date_kwh: 99_999, ..Default::default() });
    assert_eq!(total, 26560);
}

#[test]
fn general_commercial_single_part_and_time_of_use() {
    // 1234 × 0.6664 = 822.3376 → 822.34 (half-up to the fen).
    assert_eq!(bill("ZJ-GC", kwh(1234), BillContext::default()).0, 82234);
    // 500 × 1.0138 = 506.90; 300 × 0.6514 = 195.42; 200 × 0.3120 = 62.40; total 764.72.
    let (total, lines) = bill("ZJ-GC-TOU", tou(500, 300, 200), BillContext::default());
    assert_eq!(lines, vec![("energy_peak".into(), 50690), ("energy_flat".into(), 19542), ("energy_valley".into(), 6240)]);
    assert_eq!(total, 76472);
}

#[test]
fn two_part_tariff_by_capacity_with_a_power_factor_surcharge() {
    // Basic: 630 kVA × 30 = 18900.00. Energy: 40000 × 0.9347 = 37388.00; 50000 × 0.6318 = 31590.00;
    // 30000 × 0.3012 = 9036.00. Power factor: 120000 / √(120000² + 70000²) = 0.8638 → 0.86,
    // standard 0.90 → +2.0 % of (18900 + 78014 = 96914.00) = 1938.28. Total 98852.28.
    let usage = Usage { reactive_kvarh: Some(70000), ..tou(40000, 50000, 30000) };
    let ctx =
        BillContext { capacity_kva: 630, basic_by: Some(BasicBy::Capacity), pf_standard: Some(PfStandard::P90), ..Default::default() };
    let (total, lines) = bill("ZJ-LI-2P", usage, ctx);
    assert_eq!(lines[0], ("basic_capacity".into(), 1_890_000));
    assert_eq!(lines.last().unwrap(), &("power_factor".into(), 193_828));
    assert_eq!(total, 9_885_228);
}

#[test]
fn two_part_basic_charge_is_prorated_by_thirtieths_in_a_month_of_change() {
    // 630 kVA for 10 days: 630 × 30 × 10/30 = 6300.00; then 1000 kVA for 20 days: 1000 × 30 × 20/30 = 20000.00.
    let ctx = BillContext {
        basic_by: Some(BasicBy::Capacity),
        basic_segments: vec![BasicSegment { quantity: 630, days: Some(10) }, BasicSegment { quantity: 1000, days: Some(20) }],
        ..Default::default()
    };
    let (_, lines) = bill("ZJ-LI-2P", kwh(0), ctx);
    assert_eq!(&lines[..2], &[("basic_capacity".into(), 630_000), ("basic_capacity".into(), 2_000_000)]);
    // By demand, 500 kW for 7 days: 500 × 40 × 7/30 = 4666.666… → 4666.67.
    let ctx = BillContext {
        basic_by: Some(BasicBy::Demand),
        basic_segments: vec![BasicSegment { quantity: 500, days: Some(7) }],
        ..Default::default()
    };
    assert_eq!(bill("ZJ-LI-2P", kwh(0), ctx).1[0], ("basic_demand".into(), 466_667));
}

#[test]
fn power_factor_discount_at_standard_085() {
    // 764.72 of energy (as above); 1000 / √(1000² + 329²) = 0.9499 → 0.95; standard 0.85 → −1.1 %:
    // 764.72 × −0.011 = −8.41192 → −8.41; total 756.31.
    let usage = Usage { reactive_kvarh: Some(329), ..tou(500, 300, 200) };
    let (total, lines) = bill("ZJ-GC-TOU", usage, BillContext { pf_standard: Some(PfStandard::P85), ..Default::default() });
    assert_eq!(lines.last().unwrap(), &("power_factor".into(), -841));
    assert_eq!(total, 75631);
}

#[test]
fn a_tariff_needs_what_it_charges_for() {
    let book = TariffBook::defaults();
    let li = book.in_force("ZJ-LI-2P", day("2026-10-01")).unwrap();
    let err = compute_bill(li, &kwh(100), &BillContext { pf_standard: Some(PfStandard::P90), ..Default::default() }).unwrap_err();
    assert_eq!(err.code(), "usage.reactive_missing");
    let err = compute_bill(li, &kwh(100), &BillContext { basic_by: Some(BasicBy::Demand), ..Default::default() }).unwrap_err();
    assert_eq!(err.code(), "usage.demand_missing");
    assert_eq!(book.in_force("NO-SUCH", day("2026-10-01")).unwrap_err().code(), "tariff.unknown");
    assert_eq!(book.in_force("ZJ-GC", day("2020-01-01")).unwrap_err().code(), "tariff.unknown");
}

fn fee(principal: i64, debtor: Debtor, year: i32, due: &str, waived: Option<&str>, paid: &str) -> (i64, i64) {
    let f = late_fee(LateFeeBook::defaults(), Fen(principal), debtor, year, day(due), waived.map(day), day(paid));
    (f.days, f.fee.0)
}

#[test]
fn late_fees_by_the_rules() {
    // Residential 200.00 due 3-25, paid 4-04: 10 days × 1‰ × 200.00 = 2.00.
    assert_eq!(fee(20000, Debtor::Residential, 2026, "2026-03-25", None, "2026-04-04"), (10, 200));
    // Residential 50.00 for 5 days: 0.25, under the 1 元 minimum → 1.00.
    assert_eq!(fee(5000, Debtor::Residential, 2026, "2026-03-25", None, "2026-03-30"), (5, 100));
    // Non-residential 1000.00 of 2025-11, due 2025-12-25, paid 2026-01-10: 12-26…12-31 is 6 days at
    // 2‰ (current year), 1-01…1-10 is 10 days at 3‰ (cross-year): (12 + 30)‰ × 1000.00 = 42.00.
    assert_eq!(fee(100000, Debtor::Other, 2025, "2025-12-25", None, "2026-01-10"), (16, 4200));
    // Non-residential within the year: 1000.00 × 2‰ × 20 days = 40.00 (added up, not compounded).
    assert_eq!(fee(100000, Debtor::Other, 2026, "2026-03-25", None, "2026-04-14"), (20, 4000));
    // Paid on the due date: nothing.
    assert_eq!(fee(20000, Debtor::Residential, 2026, "2026-03-25", None, "2026-03-25"), (0, 0));
    // Waived through 4-01: only 4-02…4-04 count, 3 days × 1‰ × 200.00 = 0.60 → the 1 元 minimum.
    assert_eq!(fee(20000, Debtor::Residential, 2026, "2026-03-25", Some("2026-04-01"), "2026-04-04"), (3, 100));
    // Half-up at the end: 333.33 × 1‰ × 3 = 0.99999 → 1.00.
    assert_eq!(fee(33333, Debtor::Residential, 2026, "2026-03-25", None, "2026-03-28"), (3, 100));
}

#[test]
fn money_meets_bills_oldest_first_with_their_late_fees() {
    let bills = [
        OpenBill {
            bill_id: "b2".into(),
            period: "2026-02".into(),
            year: 2026,
            due: day("2026-03-25"),
            outstanding: Fen(15000),
            waived_through: None,
        },
        OpenBill {
            bill_id: "b1".into(),
            period: "2026-01".into(),
            year: 2026,
            due: day("2026-02-25"),
            outstanding: Fen(10000),
            waived_through: None,
        },
    ];
    let book = LateFeeBook::defaults();
    // Paid 3-05 with 300.00: January is 8 days late, 0.80 → 1.00; February is not due yet.
    // 100.00 + 1.00 + 150.00 = 251.00; 49.00 goes to prepayment.
    let plan = allocate(&bills, Debtor::Residential, book, day("2026-03-05"), Fen(30000));
    let got: Vec<_> = plan.allocations.iter().map(|a| (a.bill_id.as_str(), a.principal.0, a.late_fee.0)).collect();
    assert_eq!(got, vec![("b1", 10000, 100), ("b2", 15000, 0)]);
    assert_eq!(plan.remainder, Fen(4900));
    // 120.00: January in full (101.00), 19.00 towards February.
    let plan = allocate(&bills, Debtor::Residential, book, day("2026-03-05"), Fen(12000));
    let got: Vec<_> = plan.allocations.iter().map(|a| (a.bill_id.as_str(), a.principal.0, a.late_fee.0)).collect();
    assert_eq!(got, vec![("b1", 10000, 100), ("b2", 1900, 0)]);
    assert_eq!(plan.remainder, Fen(0));
    // 50.00 on 4-04 against January alone (38 days late): the largest part whose own fee fits.
    // x + max(1.00, x × 38‰) ≤ 50.00 → x = 49.00 with a 1.86 fee would be 50.86 > 50.00; x = 48.16
    // has 48.16 × 0.038 = 1.83008 → 1.83, and 48.16 + 1.83 = 49.99; 48.17 → 1.83, 50.00 exactly.
    let plan = allocate(&bills[1..], Debtor::Residential, book, day("2026-04-04"), Fen(5000));
    assert_eq!((plan.allocations[0].principal.0, plan.allocations[0].late_fee.0, plan.remainder.0), (4817, 183, 0));
}
