//! The tariff engine: pure functions from a month's usage and a tariff version to bill lines.
//! Prices are exact decimals; each line is rounded half-up to the fen and the bill is their sum,
//! so the same usage gives the same bill on every workstation and at head office.

pub mod allocation;
pub mod late_fee;
pub mod power_factor;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;
use crate::model::tariff::{PeriodPrices, Pricing, TariffVersion, ThresholdPeriod};
use power_factor::PfStandard;

/// A month's metered usage, after the meter multiplier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Usage {
    pub total_kwh: i64,
    /// Peak and valley kWh of a time-of-use meter; the rest of `total_kwh` is flat.
    pub peak_kwh: Option<i64>,
    pub valley_kwh: Option<i64>,
    /// Reactive energy, for the power-factor adjustment.
    pub reactive_kvarh: Option<i64>,
    /// Maximum demand, for a basic charge by demand.
    pub max_demand_kw: Option<i64>,
}

impl Usage {
    /// Whether the meter recorded time-of-use periods; a meter without them is billed at flat
    /// prices even under a time-of-use table.
    pub fn has_periods(&self) -> bool {
        self.peak_kwh.is_some() || self.valley_kwh.is_some()
    }
}

/// How a two-part customer's basic charge is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BasicBy {
    /// 按容量: transformer capacity in kVA.
    Capacity,
    /// 按需量: maximum demand in kW.
    Demand,
}

/// Part of a month at one capacity: a month of change (增容, 减容, 暂停) has several, and each is
/// charged 1/30 of the monthly basic charge per day. `days: None` is the whole month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BasicSegment {
    pub quantity: i64,
    pub days: Option<u32>,
}

/// What else a bill depends on besides the usage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillContext {
    /// kWh already billed this calendar year, for annual tiers.
    pub year_to_date_kwh: i64,
    pub basic_by: Option<BasicBy>,
    /// The basic charge's segments; empty means the whole month at `capacity_kva`.
    pub basic_segments: Vec<BasicSegment>,
    pub capacity_kva: i64,
    pub pf_standard: Option<PfStandard>,
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BillLine {
    /// A stable code: `tier1`, `tier2_markup`, `peak`, `basic_capacity`, `power_factor` ….
    pub item: String,
    pub label_zh: String,
    pub label_en: String,
    /// kWh, kVA or kW the line charges for (the adjustment line: 0).
    pub quantity: i64,
    /// The unit price, or the percentage for the power-factor line.
    #[ts(type = "string")]
    pub rate: Decimal,
    pub amount: Fen,
}

/// A computed bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BillCalc {
    pub lines: Vec<BillLine>,
    pub total: Fen,
    /// The actual power factor in hundredths, when an adjustment applied.
    pub power_factor: Option<u32>,
}

fn line(item: &str, zh: &str, en: &str, quantity: i64, rate: Decimal) -> BillLine {
    let amount = Fen::round_yuan(Decimal::from(quantity) * rate);
    BillLine { item: item.into(), label_zh: zh.into(), label_en: en.into(), quantity, rate, amount }
}

fn usage_error(code: &str, field: &str, zh: &str, en: &str) -> Error {
    Error::invalid(UserMessage::new(code, zh, en).at(field))
}

/// The flat, peak and valley kWh of a reading; a meter without period registers is all flat.
fn periods(usage: &Usage) -> Result<(i64, i64, i64)> {
    let peak = usage.peak_kwh.unwrap_or(0);
    let valley = usage.valley_kwh.unwrap_or(0);
    if usage.total_kwh < 0 || peak < 0 || valley < 0 {
        return Err(usage_error("usage.negative", "total_kwh", "电量不能为负数", "Energy cannot be negative"));
    }
    if peak + valley > usage.total_kwh {
        return Err(usage_error(
            "usage.periods",
            "peak_kwh",
            "峰、谷电量之和不能超过总电量",
            "Peak and valley energy cannot exceed the total",
        ));
    }
    Ok((usage.total_kwh - peak - valley, peak, valley))
}

/// Energy lines by time-of-use period at `prices` (one flat line when the table has no periods).
fn energy_lines(prices: &PeriodPrices, usage: &Usage, prefix: &str, zh: &str, en: &str) -> Result<Vec<BillLine>> {
    if !prices.is_time_of_use() || !usage.has_periods() {
        return Ok(vec![line(prefix, zh, en, usage.total_kwh, prices.flat)]);
    }
    let (flat, peak, valley) = periods(usage)?;
    let mut lines = Vec::new();
    let mut add = |item: &str, z: &str, e: &str, kwh: i64, price: Option<Decimal>| {
        if kwh > 0 {
            lines.push(line(
                &format!("{prefix}_{item}"),
                &format!("{zh}（{z}）"),
                &format!("{en} ({e})"),
                kwh,
                price.unwrap_or(prices.flat),
            ));
        }
    };
    add("peak", "峰", "peak", peak, prices.peak);
    add("flat", "平", "flat", flat, Some(prices.flat));
    add("valley", "谷", "valley", valley, prices.valley);
    Ok(lines)
}

/// Splits `kwh` of this month across tiers that end at `limits` (kWh counted from `already`).
pub fn split_tiers(kwh: i64, already: i64, limits: &[i64]) -> Vec<i64> {
    let mut parts = Vec::with_capacity(limits.len() + 1);
    let (mut from, end) = (already, already + kwh);
    for &limit in limits {
        let upto = end.min(limit).max(from);
        parts.push(upto - from);
        from = upto;
    }
    parts.push(end - from);
    parts
}

/// Computes the bill for `usage` under `version`.
pub fn compute_bill(version: &TariffVersion, usage: &Usage, ctx: &BillContext) -> Result<BillCalc> {
    periods(usage)?;
    let mut lines = Vec::new();
    let mut adjustable = Fen::ZERO;
    match &version.pricing {
        Pricing::ResidentialTiered { thresholds, tiers } => {
            let already = match thresholds {
                ThresholdPeriod::Annual => ctx.year_to_date_kwh,
                ThresholdPeriod::Monthly => 0,
            };
            let limits: Vec<i64> = tiers.iter().filter_map(|t| t.up_to_kwh).collect();
            let parts = split_tiers(usage.total_kwh, already, &limits);
            let first = &tiers[0].prices;
            if first.is_time_of_use() && usage.has_periods() {
                // Period prices of the first tier on all kWh, plus each higher tier's mark-up on
                // the kWh that fall in it (the mark-up is the same in every period).
                lines.extend(energy_lines(first, usage, "tier1", "第一档电费", "Tier 1 energy")?);
                for (n, (tier, &kwh)) in tiers.iter().zip(&parts).enumerate().skip(1) {
                    if kwh > 0 {
                        let markup = tier.prices.flat - first.flat;
                        let t = n + 1;
                        lines.push(line(&format!("tier{t}_markup"), &format!("第{t}档加价"), &format!("Tier {t} mark-up"), kwh, markup));
                    }
                }
            } else {
                for (n, (tier, &kwh)) in tiers.iter().zip(&parts).enumerate() {
                    if kwh > 0 || n == 0 {
                        let t = n + 1;
                        lines.push(line(&format!("tier{t}"), &format!("第{t}档电费"), &format!("Tier {t} energy"), kwh, tier.prices.flat));
                    }
                }
            }
        }
        Pricing::SinglePart { energy } => {
            lines.extend(energy_lines(energy, usage, "energy", "电度电费", "Energy")?);
            adjustable = lines.iter().map(|l| l.amount).sum();
        }
        Pricing::TwoPart { basic_per_kva_month, basic_per_kw_month, energy } => {
            let by = ctx.basic_by.unwrap_or(BasicBy::Capacity);
            let (price, item, zh, en) = match by {
                BasicBy::Capacity => (*basic_per_kva_month, "basic_capacity", "基本电费（按容量）", "Basic charge (capacity)"),
                BasicBy::Demand => (*basic_per_kw_month, "basic_demand", "基本电费（按需量）", "Basic charge (demand)"),
            };
            let segments = if ctx.basic_segments.is_empty() {
                let quantity = match by {
                    BasicBy::Capacity => ctx.capacity_kva,
                    BasicBy::Demand => usage.max_demand_kw.ok_or_else(|| {
                        usage_error(
                            "usage.demand_missing",
                            "max_demand_kw",
                            "按需量计收基本电费，请填写最大需量",
                            "The basic charge by demand needs the maximum demand",
                        )
                    })?,
                };
                vec![BasicSegment { quantity, days: None }]
            } else {
                ctx.basic_segments.clone()
            };
            if segments.iter().map(|s| s.days.unwrap_or(30)).sum::<u32>() > 31 {
                return Err(usage_error(
                    "usage.basic_days",
                    "basic_segments",
                    "基本电费的天数合计超过一个月",
                    "The basic charge's days add up to more than a month",
                ));
            }
            for segment in &segments {
                // A month of change is charged 1/30 of the monthly price per day.
                let rate = match segment.days {
                    Some(days) => price * Decimal::from(days) / Decimal::from(30),
                    None => price,
                };
                let mut l = line(item, zh, en, segment.quantity, rate);
                if let Some(days) = segment.days {
                    l.label_zh = format!("{zh}，{days}天");
                    l.label_en = format!("{en}, {days} days");
                }
                lines.push(l);
            }
            lines.extend(energy_lines(energy, usage, "energy", "电度电费", "Energy")?);
            adjustable = lines.iter().map(|l| l.amount).sum();
        }
    }
    let mut power_factor = None;
    if let Some(standard) = ctx.pf_standard
        && !matches!(version.pricing, Pricing::ResidentialTiered { .. })
    {
        let reactive = usage.reactive_kvarh.ok_or_else(|| {
            usage_error(
                "usage.reactive_missing",
                "reactive_kvarh",
                "该户执行功率因数考核，请填写无功电量",
                "This customer's power factor is assessed: enter the reactive energy",
            )
        })?;
        if let Some(actual) = power_factor::actual_hundredths(usage.total_kwh, reactive) {
            let percent = power_factor::adjustment_percent(standard, actual);
            let amount = Fen::round_yuan(adjustable.yuan() * percent / Decimal::ONE_HUNDRED);
            lines.push(BillLine {
                item: "power_factor".into(),
                label_zh: format!(
                    "功率因数调整电费（实际{:.2}，标准{:.2}）",
                    Decimal::new(actual as i64, 2),
                    Decimal::new(standard.hundredths() as i64, 2)
                ),
                label_en: format!(
                    "Power-factor adjustment (actual {:.2}, standard {:.2})",
                    Decimal::new(actual as i64, 2),
                    Decimal::new(standard.hundredths() as i64, 2)
                ),
                quantity: 0,
                rate: percent,
                amount,
            });
            power_factor = Some(actual);
        }
    }
    let total = lines.iter().map(|l| l.amount).sum();
    Ok(BillCalc { lines, total, power_factor })
}
