//! The step templates, documents and time limits of each application kind, as published data
//! (`assets/applications/rules-*.toml`), checked on load. An application stores the version
//! (effective date) it was accepted under and is always read back against that version.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::application::{ApplicationKind, DocumentKind, StepKind};
use super::customer::{CustomerClass, Voltage};
use super::versions::{Book, Versioned};
use crate::error::{Error, Result, UserMessage};

/// The rule files shipped with the program, oldest first.
pub const SHIPPED: &[&str] = &[include_str!("../../../../assets/applications/rules-2025-01-01.toml")];

/// Whether a limit is one SPEC §5 publishes or one the outlet chose where none is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Published,
    Outlet,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRule {
    pub step: StepKind,
    pub days: Option<u32>,
    pub source: Option<Source>,
    #[serde(default)]
    pub important_only: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRules {
    pub kind: ApplicationKind,
    pub promise_days: Option<u32>,
    pub promise_source: Option<Source>,
    pub required: Vec<DocumentKind>,
    #[serde(default)]
    pub optional: Vec<DocumentKind>,
    #[serde(default)]
    pub simplified: Vec<StepKind>,
    #[serde(default)]
    pub steps: Vec<StepRule>,
    #[serde(default)]
    pub follows_by_voltage: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    effective: NaiveDate,
    kind: Vec<KindRules>,
}

/// One version of the rules.
#[derive(Debug, Clone)]
pub struct Rules {
    pub effective: NaiveDate,
    kinds: HashMap<ApplicationKind, KindRules>,
}

/// The steps, limits, promise and documents of one application, as planned at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<(StepKind, Option<u32>)>,
    pub promise_days: u32,
    pub required: Vec<DocumentKind>,
    pub optional: Vec<DocumentKind>,
}

/// What decides an application's plan besides its kind.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput {
    pub kind: ApplicationKind,
    pub important: bool,
    pub simplified: bool,
    /// The customer's class and voltage (for 增容, which follows the new connection of its voltage).
    pub class: Option<CustomerClass>,
    pub voltage: Option<Voltage>,
}

fn bad(effective: &str, zh: String, en: String) -> Error {
    Error::invalid(UserMessage::new(
        "application_rules.file",
        format!("业扩时限规则（{effective}）：{zh}"),
        format!("Application rules ({effective}): {en}"),
    ))
}

impl Rules {
    /// Parses one rules file and checks it: every kind once, steps starting with 受理 and none
    /// twice, a source for every limit, a simplified path drawn from the steps, documents not both
    /// required and optional.
    pub fn parse(text: &str) -> Result<Rules> {
        let file: RulesFile = toml::from_str(text).map_err(|e| bad("?", format!("格式错误：{e}"), format!("malformed: {e}")))?;
        let version = file.effective.to_string();
        let mut kinds = HashMap::new();
        for rules in file.kind {
            let name = rules.kind.code();
            let fail = |zh: &str, en: &str| Err(bad(&version, format!("{name}：{zh}"), format!("{name}: {en}")));
            if rules.follows_by_voltage {
                if !rules.steps.is_empty() || rules.promise_days.is_some() || !rules.simplified.is_empty() {
                    return fail(
                        "按电压沿用新装规则的类型不能另设环节或时限",
                        "a kind that follows the new connection has no steps or promise of its own",
                    );
                }
            } else {
                if rules.steps.first().map(|s| s.step) != Some(StepKind::Intake) {
                    return fail("第一个环节必须是受理", "the first step must be intake");
                }
                if rules.promise_days.is_none() || rules.promise_source.is_none() {
                    return fail("缺少总时限或其来源", "the total promise or its source is missing");
                }
                for (i, step) in rules.steps.iter().enumerate() {
                    if rules.steps[..i].iter().any(|s| s.step == step.step) {
                        return fail("环节重复", "a step appears twice");
                    }
                    if step.days.is_some() != step.source.is_some() {
                        return fail("每个时限须注明来源（published 或 outlet）", "every limit needs its source (published or outlet)");
                    }
                }
                let mut rest = rules.steps.iter().map(|s| s.step);
                let subsequence = rules.simplified.iter().all(|s| rest.any(|t| t == *s));
                if !rules.simplified.is_empty() && (!subsequence || rules.simplified.first() != Some(&StepKind::Intake)) {
                    return fail(
                        "简化流程必须从受理开始并取自环节表",
                        "the simplified path must start with intake and use the kind's steps in order",
                    );
                }
            }
            if rules.required.iter().any(|d| rules.optional.contains(d)) {
                return fail("同一材料不能既必需又可选", "a document cannot be both required and optional");
            }
            if kinds.insert(rules.kind, rules).is_some() {
                return Err(bad(&version, format!("{name} 出现两次"), format!("{name} appears twice")));
            }
        }
        if let Some(missing) = ApplicationKind::ALL.iter().find(|k| !kinds.contains_key(k)) {
            return Err(bad(&version, format!("缺少 {}", missing.code()), format!("{} is missing", missing.code())));
        }
        Ok(Rules { effective: file.effective, kinds })
    }

    fn kind(&self, kind: ApplicationKind) -> &KindRules {
        // Every kind is present: `parse` checks it.
        &self.kinds[&kind]
    }

    /// Whether the kind offers the two-step path.
    pub fn has_simplified(&self, kind: ApplicationKind) -> bool {
        !self.kind(kind).simplified.is_empty()
    }

    /// The plan of an application: its steps (important-only steps only for an important
    /// customer, the two-step path when asked for and offered), limits, promise and documents.
    pub fn plan(&self, input: PlanInput) -> Result<Plan> {
        let own = self.kind(input.kind);
        let template = if own.follows_by_voltage { self.kind(followed(input.class, input.voltage)) } else { own };
        if input.simplified && template.simplified.is_empty() {
            return Err(Error::invalid(
                UserMessage::new(
                    "application.simplified_unavailable",
                    format!("{}不适用简化流程（受理 → 装表接电）", input.kind.label(crate::error::Lang::ZhCn)),
                    format!("{} cannot take the simplified path (intake → connection)", input.kind.label(crate::error::Lang::En)),
                )
                .at("simplified"),
            ));
        }
        let steps = template
            .steps
            .iter()
            .filter(|s| !s.important_only || input.important)
            .filter(|s| !input.simplified || template.simplified.contains(&s.step))
            .map(|s| (s.step, s.days))
            .collect();
        Ok(Plan {
            steps,
            promise_days: template.promise_days.unwrap_or_default(),
            required: own.required.clone(),
            optional: own.optional.clone(),
        })
    }
}

/// The new connection a capacity increase follows: by the customer's voltage and class.
fn followed(class: Option<CustomerClass>, voltage: Option<Voltage>) -> ApplicationKind {
    match (voltage, class) {
        (Some(Voltage::V220 | Voltage::V380) | None, Some(CustomerClass::Residential)) => ApplicationKind::ResidentialNew,
        (Some(Voltage::V220 | Voltage::V380) | None, _) => ApplicationKind::LowVoltageNew,
        _ => ApplicationKind::HighVoltageSingle,
    }
}

/// Every version of the application rules.
pub type RuleBook = Book<Rules>;

impl Versioned for Rules {
    fn effective(&self) -> NaiveDate {
        self.effective
    }
}

impl Book<Rules> {
    /// The shipped rules, parsed and checked once.
    pub fn shipped() -> &'static RuleBook {
        static BOOK: std::sync::OnceLock<RuleBook> = std::sync::OnceLock::new();
        BOOK.get_or_init(|| RuleBook::from_texts(SHIPPED).expect("the shipped application rules are valid"))
    }

    pub fn from_texts(texts: &[&str]) -> Result<RuleBook> {
        let versions = texts.iter().map(|t| Rules::parse(t)).collect::<Result<Vec<_>>>()?;
        Book::new(versions, ("application_rules", "业扩时限规则", "application rules"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationKind as K;
    use StepKind as S;

    fn plan(kind: ApplicationKind, important: bool, simplified: bool) -> Result<Plan> {
        RuleBook::shipped().in_force(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())?.plan(PlanInput {
            kind,
            important,
            simplified,
            class: None,
            voltage: None,
        })
    }

    #[test]
    fn the_published_limits_and_promises() {
        let p = plan(K::ResidentialNew, false, false).unwrap();
        assert_eq!(p.promise_days, 5);
        assert_eq!(
            p.steps,
            vec![
                (S::Intake, None),
                (S::Survey, Some(1)),
                (S::SupplyPlan, Some(3)),
                (S::Contract, Some(1)),
                (S::Connection, Some(3)),
                (S::Archive, Some(1))
            ]
        );
        let hv = plan(K::HighVoltageDual, true, false).unwrap();
        assert_eq!(hv.promise_days, 32);
        let limit = |p: &Plan, s: StepKind| p.steps.iter().find(|x| x.0 == s).and_then(|x| x.1);
        assert_eq!(limit(&hv, S::SupplyPlan), Some(45));
        assert_eq!(limit(&hv, S::DesignReview), Some(20));
        assert_eq!(limit(&hv, S::MidInspection), Some(5));
        assert_eq!(limit(&hv, S::CompletionInspection), Some(7));
        assert_eq!(limit(&hv, S::Connection), Some(7));
        assert_eq!(plan(K::HighVoltageSingle, false, false).unwrap().promise_days, 22);
        let lv = plan(K::LowVoltageNew, false, false).unwrap();
        assert_eq!((lv.promise_days, limit(&lv, S::SupplyPlan), limit(&lv, S::Connection)), (6, Some(8), Some(5)));
    }

    #[test]
    fn important_only_steps_and_the_simplified_path() {
        let plain = plan(K::LowVoltageNew, false, false).unwrap();
        assert!(!plain.steps.iter().any(|s| s.0 == S::DesignReview || s.0 == S::MidInspection));
        let important = plan(K::LowVoltageNew, true, false).unwrap();
        assert_eq!(important.steps.len(), plain.steps.len() + 2);
        let simple = plan(K::LowVoltageNew, false, true).unwrap();
        assert_eq!(simple.steps, vec![(S::Intake, None), (S::Connection, Some(5))]);
        assert_eq!(plan(K::ResidentialNew, false, true).unwrap_err().code(), "application.simplified_unavailable");
    }

    #[test]
    fn a_capacity_increase_follows_the_new_connection_of_its_voltage() {
        let rules = RuleBook::shipped().in_force(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).unwrap();
        let input = |class, voltage| PlanInput {
            kind: K::CapacityIncrease,
            important: false,
            simplified: false,
            class: Some(class),
            voltage: Some(voltage),
        };
        assert_eq!(rules.plan(input(CustomerClass::Residential, Voltage::V220)).unwrap().promise_days, 5);
        assert_eq!(rules.plan(input(CustomerClass::GeneralCommercial, Voltage::V380)).unwrap().promise_days, 6);
        assert_eq!(rules.plan(input(CustomerClass::LargeIndustrial, Voltage::Kv10)).unwrap().promise_days, 22);
        // The documents stay the increase's own.
        assert_eq!(
            rules.plan(input(CustomerClass::Residential, Voltage::V220)).unwrap().required,
            vec![DocumentKind::IdProof, DocumentKind::PropertyProof]
        );
    }

    #[test]
    fn a_broken_file_is_refused_on_load() {
        let shipped = SHIPPED[0];
        let no_source = shipped.replacen("{ step = \"survey\", days = 1, source = \"outlet\" }", "{ step = \"survey\", days = 1 }", 1);
        assert_eq!(Rules::parse(&no_source).unwrap_err().code(), "application_rules.file");
        let missing = shipped.replacen("kind = \"rename\"", "kind = \"closure\"", 1);
        assert_eq!(Rules::parse(&missing).unwrap_err().code(), "application_rules.file");
        let no_intake =
            shipped.replacen("    { step = \"intake\" },\n    { step = \"survey\", days = 1", "    { step = \"survey\", days = 1", 1);
        assert_eq!(Rules::parse(&no_intake).unwrap_err().code(), "application_rules.file");
    }

    #[test]
    fn an_application_keeps_its_version_when_a_newer_file_takes_effect() {
        let newer = SHIPPED[0].replacen("effective = \"2025-01-01\"", "effective = \"2027-01-01\"", 1).replacen(
            "promise_days = 5",
            "promise_days = 4",
            1,
        );
        let book = RuleBook::from_texts(&[SHIPPED[0], &newer]).unwrap();
        let input = PlanInput { kind: K::ResidentialNew, important: false, simplified: false, class: None, voltage: None };
        assert_eq!(book.in_force(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).unwrap().version(), "2025-01-01");
        assert_eq!(book.in_force(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).unwrap().plan(input).unwrap().promise_days, 4);
        assert_eq!(book.version("2025-01-01").unwrap().plan(input).unwrap().promise_days, 5);
    }
}
