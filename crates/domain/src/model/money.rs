//! Money: integer fen (分) end to end. Prices are exact decimals ([`rust_decimal::Decimal`]);
//! a price times a quantity becomes money only through [`Fen::round_yuan`], half-up to the fen.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An amount in fen. Negative amounts are refunds and red-letter corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(type = "number")]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Rounds an amount in yuan half-up (away from zero) to the fen.
    pub fn round_yuan(yuan: Decimal) -> Fen {
        let fen = (yuan * Decimal::ONE_HUNDRED).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        Fen(i64::try_from(fen).expect("an amount of money beyond i64 fen"))
    }

    /// The amount in yuan, exactly.
    pub fn yuan(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Parses "12", "12.3" or "12.34" yuan (what a clerk types); more than two decimals is an error.
    pub fn parse_yuan(text: &str) -> Option<Fen> {
        let d: Decimal = text.trim().parse().ok()?;
        if d.scale() > 2 && d.normalize().scale() > 2 {
            return None;
        }
        i64::try_from(d * Decimal::ONE_HUNDRED).ok().map(Fen)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}

impl std::ops::Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        self.0 += rhs.0;
    }
}

impl std::ops::SubAssign for Fen {
    fn sub_assign(&mut self, rhs: Fen) {
        self.0 -= rhs.0;
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

/// `12.34`, `-0.05`: yuan with two decimals, as receipts print it.
impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_up_to_the_fen() {
        assert_eq!(Fen::round_yuan(dec!(1.005)), Fen(101));
        assert_eq!(Fen::round_yuan(dec!(1.0049)), Fen(100));
        assert_eq!(Fen::round_yuan(dec!(-1.005)), Fen(-101));
    }

    #[test]
    fn parses_and_prints_yuan() {
        assert_eq!(Fen::parse_yuan("12.3"), Some(Fen(1230)));
        assert_eq!(Fen::parse_yuan("12.30"), Some(Fen(1230)));
        assert_eq!(Fen::parse_yuan("0.005"), None);
        assert_eq!(Fen::parse_yuan("abc"), None);
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(123456).to_string(), "1234.56");
    }
}
