//! Property tests of the application workflow: no invalid transition is ever accepted (against an
//! oracle written here from the rules, not from `model::workflow`), a refused one writes nothing;
//! suspension stops the clock and resumption restarts it; the working time used equals the sum of
//! the active intervals; application numbers stay gap-free whatever is refused in between.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hall::api::*;
use hall::calendar::Calendar;
use hall::model::application::*;
use hall::model::customer::*;
use hall::model::workflow::{Suspension, active_seconds};
use hall::store::applications;
use proptest::prelude::*;
use serde_json::Value;

fn attachment(f: &common::Fixture, name: &str) -> String {
    use sha2::Digest;
    let seed = sha2::Sha256::digest(name.as_bytes());
    let picture = image::RgbImage::from_fn(4, 4, |x, y| image::Rgb([seed[(x + 4 * y) as usize], seed[16], seed[17]]));
    let mut png = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let mut store = f.app.store();
    let dir = store.data_dir().to_owned();
    store.write(|tx| hall::store::attachments::put(tx, &actor, &dir, &format!("{name}.png"), &png)).unwrap().sha256
}

fn residential(f: &common::Fixture, with_documents: bool) -> ApplicationDraft {
    let documents = if with_documents {
        vec![
            DocumentRef { kind: DocumentKind::IdProof, sha256: attachment(f, "id") },
            DocumentRef { kind: DocumentKind::PropertyProof, sha256: attachment(f, "property") },
        ]
    } else {
        vec![DocumentRef { kind: DocumentKind::IdProof, sha256: attachment(f, "id") }]
    };
    ApplicationDraft {
        kind: ApplicationKind::ResidentialNew,
        customer_id: None,
        applicant: Applicant {
            name: "林小华".into(),
            id_kind: IdKind::ResidentId,
            id_number: common::resident_id(7),
            phone: "13900001111".into(),
        },
        address: "浙江省杭州市西湖区文三路88号".into(),
        class: Some(CustomerClass::Residential),
        voltage: Some(Voltage::V220),
        capacity_kva: Some(8),
        important: false,
        simplified: false,
        documents,
        notes: String::new(),
    }
}

/// Row counts of everything an action writes (attachments excluded: added by their own command).
fn footprint(f: &common::Fixture) -> Vec<i64> {
    let store = f.app.store();
    [
        "applications",
        "application_steps WHERE finished_at IS NOT NULL",
        "application_events",
        "outbox WHERE kind NOT LIKE 'attachment%'",
        "audit_log WHERE action NOT LIKE 'attachment%'",
        "customers",
    ]
    .iter()
    .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
    .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Clerk,
    Manager,
    Admin,
}

#[derive(Debug, Clone, Copy)]
enum Try {
    Advance { with_connection: bool },
    Suspend,
    Resume,
    Withdraw,
    Reject,
    Reassign,
    Note,
}

fn try_strategy() -> impl Strategy<Value = (Try, Who)> {
    let act = prop_oneof![
        6 => any::<bool>().prop_map(|with_connection| Try::Advance { with_connection }),
        2 => Just(Try::Suspend),
        2 => Just(Try::Resume),
        1 => Just(Try::Withdraw),
        1 => Just(Try::Reject),
        1 => Just(Try::Reassign),
        1 => Just(Try::Note),
    ];
    let who = prop_oneof![4 => Just(Who::Clerk), 3 => Just(Who::Manager), 1 => Just(Who::Admin)];
    (act, who)
}

/// The oracle: the residential steps after intake, and what the rules of the issue allow.
const STEPS: [StepKind; 6] =
    [StepKind::Intake, StepKind::Survey, StepKind::SupplyPlan, StepKind::Contract, StepKind::Connection, StepKind::Archive];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Suspended,
    Ended,
}

fn allowed(t: Try, who: Who, state: State, step: usize) -> bool {
    let counter = who != Who::Admin;
    let manager = who == Who::Manager;
    match t {
        Try::Note => counter,
        _ if state == State::Ended => false,
        Try::Advance { with_connection } => {
            state == State::Active
                && counter
                && (STEPS[step] != StepKind::SupplyPlan || manager)
                && with_connection == (STEPS[step] == StepKind::Connection)
        }
        Try::Suspend => state == State::Active && counter,
        Try::Resume => state == State::Suspended && counter,
        Try::Withdraw => counter,
        Try::Reject | Try::Reassign => manager,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_invalid_transition_is_ever_accepted(tries in prop::collection::vec(try_strategy(), 1..14)) {
        let f = common::fixture();
        let tokens = [f.login("clerk"), f.login("manager"), f.login("admin")];
        let manager_id: String = f.app.store().conn().query_row("SELECT id FROM users WHERE username = 'manager'", [], |r| r.get(0)).unwrap();
        let mut view: Value = f.app.call(Some(&tokens[0]), Request::CreateApplication(residential(&f, true))).unwrap();
        let (mut state, mut step) = (State::Active, 1usize);
        for (t, who) in tries {
            let act = match t {
                Try::Advance { with_connection } => Act::Advance {
                    note: String::new(),
                    connection: with_connection.then(|| ConnectionInput {
                        account: "3301000010".into(),
                        meters: vec![Meter { number: "N3301000010".into(), kind: MeterKind::SinglePhase, multiplier: 1 }],
                        tariff_code: "ZJ-RES-TIER".into(),
                        supply_area: "西湖区供电所".into(),
                    }),
                },
                Try::Suspend => Act::Suspend { reason: "客户原因".into() },
                Try::Resume => Act::Resume { note: String::new() },
                Try::Withdraw => Act::Withdraw { reason: "客户撤回".into() },
                Try::Reject => Act::Reject { reason: "资料不符".into() },
                Try::Reassign => Act::Reassign { owner: manager_id.clone(), note: String::new() },
                Try::Note => Act::Note { note: "备注".into() },
            };
            let token = &tokens[who as usize];
            let before = footprint(&f);
            let version = view["version"].as_i64().unwrap();
            let args = ActArgs { id: view["id"].as_str().unwrap().into(), expected_version: version, act };
            let expected = allowed(t, who, state, step);
            match f.app.call(Some(token), Request::ActOnApplication(args)) {
                Ok(next) => {
                    prop_assert!(expected, "{t:?} by {who:?} in {state:?} at {:?} was accepted", STEPS[step]);
                    prop_assert_eq!(next["version"].as_i64().unwrap(), version + 1);
                    match t {
                        Try::Advance { .. } if step + 1 == STEPS.len() => state = State::Ended,
                        Try::Advance { .. } => step += 1,
                        Try::Suspend => state = State::Suspended,
                        Try::Resume => state = State::Active,
                        Try::Withdraw | Try::Reject => state = State::Ended,
                        _ => {}
                    }
                    let shown = match state { State::Active => "active", State::Suspended => "suspended", State::Ended => "" };
                    if state != State::Ended {
                        prop_assert_eq!(next["state"].as_str().unwrap(), shown);
                        prop_assert_eq!(next["current"].as_u64().unwrap() as usize, step);
                    } else {
                        prop_assert!(next["current"].is_null());
                    }
                    view = next;
                }
                Err(e) => {
                    prop_assert!(!expected, "{t:?} by {who:?} in {state:?} at {:?} was refused: {e}", STEPS[step]);
                    prop_assert_eq!(footprint(&f), before, "a refusal wrote something");
                }
            }
        }
    }

    #[test]
    fn numbers_stay_gap_free_whatever_is_refused(outcomes in prop::collection::vec(any::<bool>(), 1..12)) {
        let f = common::fixture();
        let clerk = f.login("clerk");
        let mut accepted = 0;
        for complete in outcomes {
            let result = f.app.call(Some(&clerk), Request::CreateApplication(residential(&f, complete)));
            prop_assert_eq!(result.is_ok(), complete);
            if let Ok(view) = result {
                accepted += 1;
                prop_assert_eq!(view["number"].as_str().unwrap(), format!("YK330106-01-1-{accepted:06}"));
            }
        }
        let store = f.app.store();
        prop_assert!(applications::number_gaps(store.conn()).unwrap().is_empty());
        let count: i64 = store.conn().query_row("SELECT count(*) FROM applications", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(count, accepted);
    }
}

/// An instant in 2026 (the shipped calendar's year), by seconds from its start.
fn instant(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap() + Duration::seconds(seconds)
}

/// Sorted, disjoint suspensions within [start, end) from random cut points; the last may be open.
fn suspensions(start: i64, mut cuts: Vec<i64>, open: bool) -> Vec<Suspension> {
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    for pair in cuts.chunks(2) {
        match pair {
            [a, b] => out.push(Suspension { from: instant(start + a), to: Some(instant(start + b)) }),
            [a] if open => out.push(Suspension { from: instant(start + a), to: None }),
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The working time used equals the sum of the working time of the active intervals (the
    /// complement of the suspensions), counted one interval at a time.
    #[test]
    fn working_time_used_is_the_sum_of_the_active_intervals(
        start in 0i64..300 * 86_400,
        length in 1i64..40 * 86_400,
        cuts in prop::collection::vec(0i64..40 * 86_400, 0..8),
        open in any::<bool>(),
    ) {
        let cal = Calendar::shipped();
        let cuts: Vec<i64> = cuts.into_iter().map(|c| c % length).collect();
        let s = suspensions(start, cuts, open);
        let (from, to) = (instant(start), instant(start + length));
        let used = active_seconds(cal, from, to, &s).unwrap();
        let mut at = from;
        let mut sum = 0;
        for x in &s {
            sum += cal.working_seconds_between(at, x.from).unwrap();
            at = x.to.unwrap_or(to);
        }
        sum += cal.working_seconds_between(at, to).unwrap_or(0).max(0);
        prop_assert_eq!(used, sum);
        prop_assert!(used <= cal.working_seconds_between(from, to).unwrap());
    }

    /// While suspended the clock stands; after the resumption it runs again at the calendar's pace.
    #[test]
    fn suspension_stops_the_clock_and_resumption_restarts_it(
        start in 0i64..300 * 86_400,
        before in 0i64..10 * 86_400,
        during in 1i64..10 * 86_400,
        inside in 0i64..10 * 86_400,
        after in 0i64..10 * 86_400,
    ) {
        let cal = Calendar::shipped();
        let (from, suspended, resumed) = (instant(start), instant(start + before), instant(start + before + during));
        let open = [Suspension { from: suspended, to: None }];
        let at_suspension = active_seconds(cal, from, suspended, &open).unwrap();
        let later = instant(start + before + inside % during);
        prop_assert_eq!(active_seconds(cal, from, later, &open).unwrap(), at_suspension);
        let closed = [Suspension { from: suspended, to: Some(resumed) }];
        let end = resumed + Duration::seconds(after);
        prop_assert_eq!(
            active_seconds(cal, from, end, &closed).unwrap(),
            at_suspension + cal.working_seconds_between(resumed, end).unwrap()
        );
    }
}
