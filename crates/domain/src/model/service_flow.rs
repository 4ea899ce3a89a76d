//! The service request's state machine (pure): which action is valid when, by whom, and what it
//! changes. The store reads a request's [`Progress`], calls [`apply`] and writes the result, so
//! these rules are the only ones there are.
//!
//! Clerks and branch managers handle requests; a request the customer was not satisfied with
//! (不满意) goes back to the manager, who alone acts on it until it is replied to again.
//! Administrators and head-office operators see requests but act on none.

use super::service::{Act, Action, CallbackOutcome, Category, RequestState, ServiceKind};
use super::user::Role;
use crate::error::{Error, Lang, Result, UserMessage};

/// What the rules need to know of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub category: Category,
    pub kind: Option<ServiceKind>,
    pub state: RequestState,
    pub arrived: bool,
    pub restored: bool,
    pub contacted: bool,
    /// Calls that did not reach the customer since the last reply.
    pub unreachable_tries: u32,
    /// The customer's satisfaction at a callback since the last reply (满意 or 基本满意).
    pub satisfaction: Option<CallbackOutcome>,
}

impl Progress {
    /// A request just accepted (replied to at once when answered at the counter).
    pub fn new(category: Category, kind: Option<ServiceKind>, answered: bool) -> Progress {
        Progress {
            category,
            kind,
            state: if answered { RequestState::Replied } else { RequestState::Accepted },
            arrived: false,
            restored: false,
            contacted: false,
            unreachable_tries: 0,
            satisfaction: None,
        }
    }

    /// Whether the callback a complaint or report needs before closing is done: the customer said
    /// how satisfied they are, or could not be reached after `tries` calls.
    pub fn callback_done(&self, tries: u32) -> bool {
        self.satisfaction.is_some() || self.unreachable_tries >= tries
    }
}

/// The categories a clerk may answer at the counter at intake (nothing to hand on, no deadline).
pub fn answerable_at_intake(category: Category) -> bool {
    matches!(category, Category::Consultation | Category::Information | Category::Suggestion | Category::Opinion | Category::Praise)
}

fn refuse(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Error {
    Error::Conflict(UserMessage::new(code, zh, en))
}

/// Whether `action` is valid now (ignoring roles); the refusal says why not.
fn state_allows(action: Action, p: &Progress, tries: u32) -> Result<()> {
    use RequestState as S;
    let open = matches!(p.state, S::Accepted | S::Assigned | S::Reopened);
    match action {
        _ if p.state == S::Closed => {
            Err(refuse("request.closed", "该工单已办结，不能再办理", "This request is closed: nothing more can be done to it"))
        }
        Action::Accept => Err(refuse("request.already_accepted", "该工单已受理", "This request is already accepted")),
        Action::Note => Ok(()),
        Action::Assign | Action::Arrive | Action::Restore | Action::Contact | Action::Reply if !open => Err(refuse(
            "request.replied",
            "该工单已答复客户，请回访或办结",
            "This request has been replied to: call the customer back or close it",
        )),
        Action::Assign | Action::Reply => Ok(()),
        Action::Arrive if !p.category.goes_on_site(p.kind) => {
            Err(refuse("request.no_site_visit", "此类工单无需到达现场", "This kind of request has no site visit"))
        }
        Action::Arrive if p.arrived => Err(refuse("request.already_arrived", "已记录到达现场", "The arrival is already recorded")),
        Action::Restore if p.category != Category::FaultRepair => {
            Err(refuse("request.no_restore", "只有故障报修记录恢复送电", "Only a fault repair records the supply restored"))
        }
        Action::Restore if !p.arrived => Err(refuse("request.not_arrived", "请先记录到达现场", "Record the arrival on site first")),
        Action::Restore if p.restored => Err(refuse("request.already_restored", "已记录恢复送电", "The restoration is already recorded")),
        Action::Contact if p.category != Category::Complaint => {
            Err(refuse("request.no_contact", "只有投诉工单记录首次联系", "Only a complaint records the first contact"))
        }
        Action::Contact if p.contacted => Err(refuse("request.already_contacted", "已记录联系客户", "The contact is already recorded")),
        Action::Arrive | Action::Restore | Action::Contact => Ok(()),
        Action::Callback | Action::Close if p.state != S::Replied => Err(refuse(
            "request.not_replied",
            "该工单尚未答复客户，不能回访或办结",
            "This request has not been replied to yet: it cannot be called back or closed",
        )),
        Action::Callback if p.satisfaction.is_some() => {
            Err(refuse("request.callback_done", "已回访，可以办结", "The callback is done: the request can be closed"))
        }
        Action::Callback if p.unreachable_tries >= tries => Err(refuse(
            "request.callback_tries_used",
            format!("已回访{tries}次未联系上，可以办结"),
            format!("The customer was not reached in {tries} calls: the request can be closed"),
        )),
        Action::Callback => Ok(()),
        Action::Close if p.category.needs_callback() && !p.callback_done(tries) => Err(refuse(
            "request.callback_required",
            format!("{}须回访客户、记录满意度后方可办结", p.category.label(Lang::ZhCn)),
            format!(
                "A {} closes only after a callback that records the customer's satisfaction",
                p.category.label(Lang::En).to_lowercase()
            ),
        )),
        Action::Close => Ok(()),
    }
}

/// Checks that a user of `role` may take `action` now.
pub fn check(action: Action, p: &Progress, role: Role, tries: u32) -> Result<()> {
    state_allows(action, p, tries)?;
    let allowed = match role {
        Role::Manager => true,
        Role::Clerk => p.state != RequestState::Reopened || action == Action::Note,
        _ => false,
    };
    if !allowed {
        let zh = if p.state == RequestState::Reopened && role == Role::Clerk {
            "客户不满意的工单由营业厅主任处理"
        } else {
            "当前角色不能办理工单"
        };
        let en = if p.state == RequestState::Reopened && role == Role::Clerk {
            "A request the customer was not satisfied with goes to the branch manager"
        } else {
            "Your role may not handle service requests"
        };
        return Err(Error::Denied(UserMessage::new(
            "request.role",
            format!("{zh}（{}）", role.label(Lang::ZhCn)),
            format!("{en} ({})", role.label(Lang::En)),
        )));
    }
    Ok(())
}

/// Checks that a user of `role` may accept a request at the counter.
pub fn check_intake(role: Role) -> Result<()> {
    if matches!(role, Role::Clerk | Role::Manager) {
        return Ok(());
    }
    Err(Error::Denied(UserMessage::new(
        "request.role",
        format!("当前角色（{}）不能受理工单", role.label(Lang::ZhCn)),
        format!("Your role ({}) may not accept service requests", role.label(Lang::En)),
    )))
}

/// Takes `act` if valid: the progress after it.
pub fn apply(p: &Progress, act: &Act, role: Role, tries: u32) -> Result<Progress> {
    check(act.action(), p, role, tries)?;
    let mut next = p.clone();
    let in_hand = |state: RequestState| if state == RequestState::Accepted { RequestState::Assigned } else { state };
    match act {
        Act::Assign { .. } => next.state = RequestState::Assigned,
        Act::Arrive { .. } => {
            next.arrived = true;
            next.state = in_hand(p.state);
        }
        Act::Restore { .. } => next.restored = true,
        Act::Contact { .. } => {
            next.contacted = true;
            next.state = in_hand(p.state);
        }
        Act::Note { .. } => {}
        Act::Reply { .. } => {
            next.state = RequestState::Replied;
            next.unreachable_tries = 0;
            next.satisfaction = None;
        }
        Act::Callback { outcome, .. } => match outcome {
            CallbackOutcome::Unsatisfied => next.state = RequestState::Reopened,
            CallbackOutcome::Unreachable => next.unreachable_tries += 1,
            CallbackOutcome::Satisfied | CallbackOutcome::FairlySatisfied => next.satisfaction = Some(*outcome),
        },
        Act::Close { .. } => next.state = RequestState::Closed,
    }
    Ok(next)
}

/// The actions a user of `role` may take now, in the order the UI shows them.
pub fn actions(p: &Progress, role: Role, tries: u32) -> Vec<Action> {
    [Action::Assign, Action::Contact, Action::Arrive, Action::Restore, Action::Reply, Action::Callback, Action::Close, Action::Note]
        .into_iter()
        .filter(|a| check(*a, p, role, tries).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use RequestState as S;
    use proptest::prelude::*;

    const TRIES: u32 = 3;

    fn note() -> String {
        "n".into()
    }

    fn act(action: Action, outcome: CallbackOutcome) -> Act {
        match action {
            A::Assign => Act::Assign { assignee: "u".into(), note: note() },
            A::Arrive => Act::Arrive { note: note() },
            A::Restore => Act::Restore { note: note() },
            A::Contact => Act::Contact { note: note() },
            A::Reply => Act::Reply { reply: note() },
            A::Callback => Act::Callback { outcome, comment: note() },
            A::Close => Act::Close { note: note() },
            A::Note | A::Accept => Act::Note { note: note() },
        }
    }

    /// The transitions the issue allows, written out independently of `apply`: (from, action) → to.
    fn allowed(from: RequestState, action: Action, outcome: CallbackOutcome) -> Option<RequestState> {
        use CallbackOutcome as O;
        match (from, action) {
            (S::Closed, _) => None,
            (_, A::Note) => Some(from),
            (S::Accepted | S::Assigned | S::Reopened, A::Assign) => Some(S::Assigned),
            (S::Accepted, A::Arrive | A::Contact) => Some(S::Assigned),
            (S::Assigned | S::Reopened, A::Arrive | A::Contact) => Some(from),
            (S::Accepted | S::Assigned | S::Reopened, A::Restore) => Some(from),
            (S::Accepted | S::Assigned | S::Reopened, A::Reply) => Some(S::Replied),
            (S::Replied, A::Callback) if outcome == O::Unsatisfied => Some(S::Reopened),
            (S::Replied, A::Callback) => Some(S::Replied),
            (S::Replied, A::Close) => Some(S::Closed),
            _ => None,
        }
    }

    fn category() -> impl Strategy<Value = Category> {
        prop::sample::select(Category::ALL.to_vec())
    }

    fn kind() -> impl Strategy<Value = Option<ServiceKind>> {
        prop::option::of(prop::sample::select(ServiceKind::ALL.to_vec()))
    }

    fn step() -> impl Strategy<Value = (Action, CallbackOutcome, Role)> {
        (
            // Accept is intake's, not an act on a request.
            prop::sample::select(Action::ALL.iter().copied().filter(|a| *a != A::Accept).collect::<Vec<_>>()),
            prop::sample::select(CallbackOutcome::ALL.to_vec()),
            prop::sample::select(vec![Role::Clerk, Role::Manager, Role::Admin, Role::HeadOffice]),
        )
    }

    proptest! {
        #[test]
        fn no_invalid_transition_is_accepted_and_every_closed_complaint_was_called_back(
            category in category(),
            kind in kind(),
            answered in any::<bool>(),
            steps in prop::collection::vec(step(), 0..40),
        ) {
            let mut p = Progress::new(category, kind, answered && answerable_at_intake(category));
            let mut calls_since_reply: Vec<CallbackOutcome> = Vec::new();
            for (action, outcome, role) in steps {
                let before = p.clone();
                match apply(&p, &act(action, outcome), role, TRIES) {
                    Ok(next) => {
                        let to = allowed(before.state, action, outcome);
                        prop_assert_eq!(Some(next.state), to, "{:?} --{:?}/{:?}--> {:?}", before.state, action, outcome, next.state);
                        prop_assert!(matches!(role, Role::Clerk | Role::Manager));
                        prop_assert!(before.state != S::Reopened || role == Role::Manager || action == A::Note);
                        match action {
                            A::Reply => calls_since_reply.clear(),
                            A::Callback => calls_since_reply.push(outcome),
                            _ => {}
                        }
                        if next.state == S::Closed && category.needs_callback() {
                            // Closed only after a callback since the last reply that recorded
                            // satisfaction, or after TRIES calls that reached no one.
                            let satisfied = calls_since_reply.iter().any(|o| matches!(o, CallbackOutcome::Satisfied | CallbackOutcome::FairlySatisfied));
                            let unreachable = calls_since_reply.iter().filter(|o| **o == CallbackOutcome::Unreachable).count() as u32;
                            prop_assert!(satisfied || unreachable >= TRIES, "{:?}", calls_since_reply);
                        }
                        if action == A::Restore {
                            prop_assert!(before.arrived && category == Category::FaultRepair);
                        }
                        p = next;
                    }
                    Err(e) => {
                        prop_assert!(matches!(e, Error::Conflict(_) | Error::Denied(_)), "{e:?}");
                        if action == A::Callback && before.state != S::Replied && before.state != S::Closed {
                            prop_assert_eq!(e.code(), "request.not_replied");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_refusals_name_their_reason() {
        let complaint = Progress::new(Category::Complaint, None, false);
        // A callback before the reply; closing before the reply.
        assert_eq!(check(A::Callback, &complaint, Role::Clerk, TRIES).unwrap_err().code(), "request.not_replied");
        assert_eq!(check(A::Close, &complaint, Role::Clerk, TRIES).unwrap_err().code(), "request.not_replied");
        let replied = apply(&complaint, &Act::Reply { reply: "已核实".into() }, Role::Clerk, TRIES).unwrap();
        // Closing a complaint without a callback.
        let e = check(A::Close, &replied, Role::Clerk, TRIES).unwrap_err();
        assert_eq!(e.code(), "request.callback_required");
        assert!(e.to_string().contains("投诉须回访"), "{e}");
        // Two unreachable calls are not enough; the third is.
        let mut p = replied.clone();
        for _ in 0..2 {
            p = apply(&p, &act(A::Callback, CallbackOutcome::Unreachable), Role::Clerk, TRIES).unwrap();
        }
        assert_eq!(check(A::Close, &p, Role::Clerk, TRIES).unwrap_err().code(), "request.callback_required");
        p = apply(&p, &act(A::Callback, CallbackOutcome::Unreachable), Role::Clerk, TRIES).unwrap();
        assert!(check(A::Close, &p, Role::Clerk, TRIES).is_ok());
        assert_eq!(check(A::Callback, &p, Role::Clerk, TRIES).unwrap_err().code(), "request.callback_tries_used");
        // 不满意 reopens it for the manager.
        let reopened = apply(&replied, &act(A::Callback, CallbackOutcome::Unsatisfied), Role::Clerk, TRIES).unwrap();
        assert_eq!(reopened.state, S::Reopened);
        assert_eq!(check(A::Reply, &reopened, Role::Clerk, TRIES).unwrap_err().code(), "request.role");
        assert!(check(A::Note, &reopened, Role::Clerk, TRIES).is_ok());
        assert!(check(A::Reply, &reopened, Role::Manager, TRIES).is_ok());
        // A praise needs no callback: replied, then closed.
        let praise = Progress::new(Category::Praise, None, true);
        assert_eq!(praise.state, S::Replied);
        assert!(check(A::Close, &praise, Role::Clerk, TRIES).is_ok());
        // Restoration needs the arrival, and only a fault repair has one.
        let repair = Progress::new(Category::FaultRepair, None, false);
        assert_eq!(check(A::Restore, &repair, Role::Clerk, TRIES).unwrap_err().code(), "request.not_arrived");
        assert_eq!(check(A::Arrive, &complaint, Role::Clerk, TRIES).unwrap_err().code(), "request.no_site_visit");
        assert_eq!(check(A::Assign, &repair, Role::Admin, TRIES).unwrap_err().code(), "request.role");
    }

    #[test]
    fn the_actions_offered_follow_the_state() {
        let repair = Progress::new(Category::FaultRepair, None, false);
        assert_eq!(actions(&repair, Role::Clerk, TRIES), vec![A::Assign, A::Arrive, A::Reply, A::Note]);
        let complaint =
            apply(&Progress::new(Category::Complaint, None, false), &Act::Reply { reply: "r".into() }, Role::Clerk, TRIES).unwrap();
        assert_eq!(actions(&complaint, Role::Clerk, TRIES), vec![A::Callback, A::Note]);
        assert!(actions(&complaint, Role::HeadOffice, TRIES).is_empty());
    }
}
