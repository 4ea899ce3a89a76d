//! The power-factor adjustment (功率因数调整电费): a surcharge or discount on (basic + energy)
//! charge by how far the customer's power factor is from its standard, read from the published
//! table in `assets/tariffs/power-factor.toml`.

use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::customer::CustomerClass;

/// The three standards of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum PfStandard {
    #[serde(rename = "0.90")]
    P90,
    #[serde(rename = "0.85")]
    P85,
    #[serde(rename = "0.80")]
    P80,
}

impl PfStandard {
    /// The standard as hundredths.
    pub fn hundredths(self) -> u32 {
        match self {
            PfStandard::P90 => 90,
            PfStandard::P85 => 85,
            PfStandard::P80 => 80,
        }
    }

    /// The standard that applies to a customer under the rules of the table: 0.90 for large
    /// industry (160 kVA and up), 0.85 for other industry and commerce of 100 kVA and up, 0.80 for
    /// agriculture of 100 kVA and up; smaller customers are not adjusted.
    pub fn for_customer(class: CustomerClass, capacity_kva: u32) -> Option<PfStandard> {
        match class {
            CustomerClass::LargeIndustrial if capacity_kva >= 160 => Some(PfStandard::P90),
            CustomerClass::LargeIndustrial | CustomerClass::GeneralCommercial if capacity_kva >= 100 => Some(PfStandard::P85),
            CustomerClass::Agricultural if capacity_kva >= 100 => Some(PfStandard::P80),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct TableFile {
    standard: Vec<StandardTable>,
}

#[derive(Debug, Deserialize)]
struct StandardTable {
    value: PfStandard,
    below_step_percent: Decimal,
    rows: Vec<(Decimal, Decimal)>,
}

fn tables() -> &'static [StandardTable] {
    static TABLES: OnceLock<Vec<StandardTable>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let file: TableFile =
            toml::from_str(include_str!("../../../../assets/tariffs/power-factor.toml")).expect("the shipped power-factor table is valid");
        file.standard
    })
}

/// The adjustment in percent (negative: a discount) for an actual power factor given in hundredths
/// (0.87 → 87), by the published table.
pub fn adjustment_percent(standard: PfStandard, actual_hundredths: u32) -> Decimal {
    let table = tables().iter().find(|t| t.value == standard).expect("every standard has a table");
    let actual = Decimal::new(actual_hundredths.min(100) as i64, 2);
    if let Some((_, percent)) = table.rows.iter().find(|(pf, _)| *pf == actual) {
        return *percent;
    }
    // Below the table's last row every further 0.01 adds the step.
    let (last_pf, last_percent) = table.rows.last().expect("a table has rows");
    let steps = (*last_pf - actual) * Decimal::ONE_HUNDRED;
    *last_percent + steps * table.below_step_percent
}

/// The power factor from active and reactive energy, cos φ = P / √(P² + Q²), rounded half-up to
/// hundredths with integer arithmetic only. `None` when there was no consumption.
pub fn actual_hundredths(active_kwh: i64, reactive_kvarh: i64) -> Option<u32> {
    if active_kwh <= 0 {
        return None;
    }
    let p2 = (active_kwh as i128).pow(2);
    let s2 = p2 + (reactive_kvarh.unsigned_abs() as i128).pow(2);
    // The largest k with P/S ≥ (k − ½)/100, i.e. 40000·P² ≥ (2k − 1)²·S².
    (1..=100u32).rev().find(|&k| 40000 * p2 >= ((2 * k - 1) as i128).pow(2) * s2).or(Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn power_factor_from_energy() {
        // 3-4-5: cos φ = 0.8 exactly.
        assert_eq!(actual_hundredths(400, 300), Some(80));
        assert_eq!(actual_hundredths(100, 0), Some(100));
        // 1000 / √(1000² + 480²) = 0.90150… → 0.90.
        assert_eq!(actual_hundredths(1000, 480), Some(90));
        // 1000 / √(1000² + 495²) = 0.89620… → 0.90 (0.895 and up rounds to 0.90).
        assert_eq!(actual_hundredths(1000, 495), Some(90));
        // 1000 / √(1000² + 500²) = 0.89443 → 0.89.
        assert_eq!(actual_hundredths(1000, 500), Some(89));
        assert_eq!(actual_hundredths(0, 10), None);
    }

    /// The whole published table, row by row, from its rules: above the standard the discounts of
    /// each table; below it 0.5 % per 0.01 for twenty rows, 1 % per 0.01 for five, then 2 %.
    #[test]
    fn the_whole_published_table() {
        let discounts_90 = [(91, dec!(-0.15)), (92, dec!(-0.30)), (93, dec!(-0.45)), (94, dec!(-0.60))];
        let discounts_85 = [
            (86, dec!(-0.1)),
            (87, dec!(-0.2)),
            (88, dec!(-0.3)),
            (89, dec!(-0.4)),
            (90, dec!(-0.5)),
            (91, dec!(-0.65)),
            (92, dec!(-0.8)),
            (93, dec!(-0.95)),
        ];
        for (standard, std, discounts, ceiling, cap) in [
            (PfStandard::P90, 90u32, &discounts_90[..], 95u32, dec!(-0.75)),
            (PfStandard::P85, 85, &discounts_85[..], 94, dec!(-1.1)),
            (PfStandard::P80, 80, &[][..], 92, dec!(-1.3)),
        ] {
            for pf in 30..=100u32 {
                let expected = if pf >= ceiling {
                    cap
                } else if pf > std {
                    match discounts.iter().find(|(p, _)| *p == pf) {
                        Some((_, d)) => *d,
                        // The 0.80 table: 0.1 % per 0.01 up to 0.90, then 1.15 % at 0.91.
                        None if pf <= 90 => Decimal::new(-((pf - std) as i64), 1),
                        None => dec!(-1.15),
                    }
                } else {
                    let below = std - pf;
                    if below <= 20 {
                        Decimal::new(5 * below as i64, 1)
                    } else if below <= 25 {
                        dec!(10) + Decimal::from(below - 20)
                    } else {
                        dec!(15) + Decimal::from(2 * (below - 25))
                    }
                };
                assert_eq!(adjustment_percent(standard, pf), expected, "standard {std}, actual 0.{pf:02}");
            }
        }
        // Spot checks against the printed table.
        assert_eq!(adjustment_percent(PfStandard::P90, 70), dec!(10));
        assert_eq!(adjustment_percent(PfStandard::P90, 64), dec!(17));
        assert_eq!(adjustment_percent(PfStandard::P85, 60), dec!(15));
        assert_eq!(adjustment_percent(PfStandard::P80, 81), dec!(-0.1));
        assert_eq!(adjustment_percent(PfStandard::P80, 54), dec!(17));
    }
}
