//! Tariff tables (电价表): versions by effective date, as head office publishes them in
//! `assets/tariffs/*.toml`. The arithmetic lives in `billing/`; this is the data and its checks.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result, UserMessage};

/// Prices by time-of-use period. A table with only `flat` is not time-of-use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct PeriodPrices {
    #[ts(type = "string")]
    pub flat: Decimal,
    #[ts(type = "string | null")]
    pub peak: Option<Decimal>,
    #[ts(type = "string | null")]
    pub valley: Option<Decimal>,
}

impl PeriodPrices {
    pub fn is_time_of_use(&self) -> bool {
        self.peak.is_some() || self.valley.is_some()
    }
}

/// One residential tier: the kWh it ends at (none for the last) and its prices.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct Tier {
    pub up_to_kwh: Option<i64>,
    #[serde(flatten)]
    pub prices: PeriodPrices,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdPeriod {
    /// Thresholds on year-to-date consumption, reset each calendar year.
    Annual,
    /// Thresholds on each month's consumption.
    Monthly,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pricing {
    ResidentialTiered {
        thresholds: ThresholdPeriod,
        tiers: Vec<Tier>,
    },
    SinglePart {
        energy: PeriodPrices,
    },
    TwoPart {
        #[ts(type = "string")]
        basic_per_kva_month: Decimal,
        #[ts(type = "string")]
        basic_per_kw_month: Decimal,
        energy: PeriodPrices,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct TariffVersion {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[ts(type = "string")]
    pub effective_from: NaiveDate,
    #[serde(flatten)]
    pub pricing: Pricing,
}

#[derive(Debug, Deserialize)]
struct TariffFile {
    version: Vec<TariffVersion>,
}

/// The tables shipped with the program; head office publishes later versions by sync.
pub const DEFAULT_TABLES: &[&str] = &[include_str!("../../../../assets/tariffs/zhejiang.toml")];

/// Parses a published tariff file and checks every version in it.
pub fn parse_file(text: &str) -> Result<Vec<TariffVersion>> {
    let file: TariffFile = toml::from_str(text).map_err(|e| {
        Error::invalid(UserMessage::new("tariff.file", format!("电价表格式错误：{e}"), format!("Malformed tariff table: {e}")))
    })?;
    for version in &file.version {
        version.check()?;
    }
    Ok(file.version)
}

impl TariffVersion {
    fn check(&self) -> Result<()> {
        let bad = |zh: &str, en: &str| {
            Err(Error::invalid(UserMessage::new(
                "tariff.table",
                format!("电价 {} {}：{zh}", self.code, self.effective_from),
                format!("Tariff {} {}: {en}", self.code, self.effective_from),
            )))
        };
        match &self.pricing {
            Pricing::ResidentialTiered { tiers, .. } => {
                let Some((last, rest)) = tiers.split_last() else { return bad("没有阶梯", "no tiers") };
                if last.up_to_kwh.is_some() || rest.iter().any(|t| t.up_to_kwh.is_none()) {
                    return bad("只有最后一档不设上限", "only the last tier is open-ended");
                }
                if rest.windows(2).any(|w| w[0].up_to_kwh >= w[1].up_to_kwh) {
                    return bad("阶梯上限必须递增", "tier limits must increase");
                }
                // Time-of-use tiers are billed as the first tier's period prices plus each higher
                // tier's mark-up (the national rule: tier 2 adds 0.05, tier 3 adds 0.30), which
                // needs the same mark-up in every period.
                let first = &tiers[0].prices;
                for tier in &tiers[1..] {
                    let markup = tier.prices.flat - first.flat;
                    let same = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
                        (Some(a), Some(b)) => a - b == markup,
                        (None, None) => true,
                        _ => false,
                    };
                    if !same(tier.prices.peak, first.peak) || !same(tier.prices.valley, first.valley) {
                        return bad("各时段的阶梯加价必须相同", "each tier's mark-up must be the same in every period");
                    }
                }
            }
            Pricing::SinglePart { .. } | Pricing::TwoPart { .. } => {}
        }
        Ok(())
    }
}

/// Every version known, by code and effective date.
#[derive(Debug, Clone, Default)]
pub struct TariffBook {
    versions: Vec<TariffVersion>,
}

impl TariffBook {
    pub fn new(mut versions: Vec<TariffVersion>) -> TariffBook {
        versions.sort_by(|a, b| (&a.code, a.effective_from).cmp(&(&b.code, b.effective_from)));
        TariffBook { versions }
    }

    /// The tables shipped with the program.
    pub fn defaults() -> TariffBook {
        let versions = DEFAULT_TABLES.iter().flat_map(|t| parse_file(t).expect("the shipped tariff tables are valid")).collect();
        TariffBook::new(versions)
    }

    pub fn versions(&self) -> &[TariffVersion] {
        &self.versions
    }

    /// The version of `code` in force on `day`.
    pub fn in_force(&self, code: &str, day: NaiveDate) -> Result<&TariffVersion> {
        self.versions.iter().rfind(|v| v.code == code && v.effective_from <= day).ok_or_else(|| {
            Error::invalid(
                UserMessage::new(
                    "tariff.unknown",
                    format!("电价代码 {code} 在 {day} 没有生效的版本"),
                    format!("Tariff {code} has no version in force on {day}"),
                )
                .at("tariff_code"),
            )
        })
    }
}
