//! The service request's state machine (pure): which action is valid when, by whom, and what it
//! changes. The store reads a request's [`Progress`], calls [`apply`] and writes the result, so
//! these rules are the only ones there are.
//!
//! Clerks and branch managers handle requests; a request the customer was not satisfied with
//! (不满意) goes back to the manager, who alone acts on it until it is replied to again.
//! Administrators and head-office operators see requests but act on none.

use super::service::{CallbackOutcome, Category, RequestAct, RequestAction, RequestState, ServiceKind};
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
fn state_allows(action: RequestAction, p: &Progress, tries: u32) -> Result<()> {
    use RequestState as S;
    let open = matches!(p.state, S::Accepted | S::Assigned | S::Reopened);
    match action {
        _ if p.state == S::Closed => {
            Err(refuse("request.closed", "该工单已办结，不能再办理", "This request is closed: nothing more can be done to it"))
        }
        RequestAction::Accept => Err(refuse("request.already_accepted", "该工单已受理", "This request is already accepted")),
        RequestAction::Note => Ok(()),
        RequestAction::Assign | RequestAction::Arrive | RequestAction::Restore | RequestAction::Contact | RequestAction::Reply if !open => {
            Err(refuse(
                "request.replied",
                "该工单已答复客户，请回访或办结",
                "This request has been replied to: call the customer back or close it",
            ))
        }
        RequestAction::Assign | RequestAction::Reply => Ok(()),
        RequestAction::Arrive if !p.category.goes_on_site(p.kind) => {
            Err(refuse("request.no_site_visit", "此类工单无需到达现场", "This kind of request has no site visit"))
        }
        RequestAction::Arrive if p.arrived => Err(refuse("request.already_arrived", "已记录到达现场", "The arrival is already recorded")),
        RequestAction::Restore if p.category != Category::FaultRepair => {
            Err(refuse("request.no_restore", "只有故障报修记录恢复送电", "Only a fault repair records the supply restored"))
        }
        RequestAction::Restore if !p.arrived => Err(refuse("request.not_arrived", "请先记录到达现场", "Record the arrival on site first")),
        RequestAction::Restore if p.restored => {
            Err(refuse("request.already_restored", "已记录恢复送电", "The restoration is already recorded"))
        }
        RequestAction::Contact if p.category != Category::Complaint => {
            Err(refuse("request.no_contact", "只有投诉工单记录首次联系", "Only a complaint records the first contact"))
        }
        RequestAction::Contact if p.contacted => {
            Err(refuse("request.already_contacted", "已记录联系客户", "The contact is already recorded"))
        }
        RequestAction::Arrive | RequestAction::Restore | RequestAction::Contact => Ok(()),
        RequestAction::Callback | RequestAction::Close if p.state != S::Replied => Err(refuse(
            "request.not_replied",
            "该工单尚未答复客户，不能回访或办结",
            "This request has not been replied to yet: it cannot be called back or closed",
        )),
        RequestAction::Callback if p.satisfaction.is_some() => {
            Err(refuse("request.callback_done", "已回访，可以办结", "The callback is done: the request can be closed"))
        }
        RequestAction::Callback if p.unreachable_tries >= tries => Err(refuse(
            "request.callback_tries_used",
            format!("已回访{tries}次未联系上，可以办结"),
            format!("The customer was not reached in {tries} calls: the request can be closed"),
        )),
        RequestAction::Callback => Ok(()),
        RequestAction::Close if p.category.needs_callback() && !p.callback_done(tries) => Err(refuse(
            "request.callback_required",
            format!("{}须回访客户、记录满意度后方可办结", p.category.label(Lang::ZhCn)),
            format!(
                "A {} closes only after a callback that records the customer's satisfaction",
                p.category.label(Lang::En).to_lowercase()
            ),
        )),
        RequestAction::Close => Ok(()),
    }
}

/// Checks that a user of `role` may take `action` now.
pub fn check(action: RequestAction, p: &Progress, role: Role, tries: u32) -> Result<()> {
    state_allows(action, p, tries)?;
    let allowed = match role {
        Role::Manager => true,
        Role::Clerk => p.state != RequestState::Reopened || action == RequestAction::Note,
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
pub fn apply(p: &Progress, act: &RequestAct, role: Role, tries: u32) -> Result<Progress> {
    check(act.action(), p, role, tries)?;
    let mut next = p.clone();
    let in_hand = |state: RequestState| if state == RequestState::Accepted { RequestState::Assigned } else { state };
    match act {
        // A reopened request stays the manager's until it is replied to again.
        RequestAct::Assign { .. } if p.state == RequestState::Reopened => {}
        RequestAct::Assign { .. } => next.state = RequestState::Assigned,
        RequestAct::Arrive { .. } => {
            next.arrived = true;
            next.state = in_hand(p.state);
        }
        RequestAct::Restore { .. } => next.restored = true,
        RequestAct::Contact { .. } => {
            next.contacted = true;
            next.state = in_hand(p.state);
        }
        RequestAct::Note { .. } => {}
        RequestAct::Reply { .. } => {
            next.state = RequestState::Replied;
            next.unreachable_tries = 0;
            next.satisfaction = None;
        }
        RequestAct::Callback { outcome, .. } => match outcome {
            CallbackOutcome::Unsatisfied => next.state = RequestState::Reopened,
            CallbackOutcome::Unreachable => next.unreachable_tries += 1,
            CallbackOutcome::Satisfied | CallbackOutcome::FairlySatisfied => next.satisfaction = Some(*outcome),
        },
        RequestAct::Close { .. } => next.state = RequestState::Closed,
    }
    Ok(next)
}

/// The actions a user of `role` may take now, in the order the UI shows them.
pub fn actions(p: &Progress, role: Role, tries: u32) -> Vec<RequestAction> {
    [
        RequestAction::Assign,
        RequestAction::Contact,
        RequestAction::Arrive,
        RequestAction::Restore,
        RequestAction::Reply,
        RequestAction::Callback,
        RequestAction::Close,
        RequestAction::Note,
    ]
    .into_iter()
    .filter(|a| check(*a, p, role, tries).is_ok())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestAction as A;
    use RequestState as S;
    use proptest::prelude::*;

    const TRIES: u32 = 3;

    fn note() -> String {
        "n".into()
    }

    fn act(action: RequestAction, outcome: CallbackOutcome) -> RequestAct {
        match action {
            A::Assign => RequestAct::Assign { assignee: "u".into(), note: note() },
            A::Arrive => RequestAct::Arrive { note: note() },
            A::Restore => RequestAct::Restore { note: note() },
            A::Contact => RequestAct::Contact { note: note() },
            A::Reply => RequestAct::Reply { reply: note() },
            A::Callback => RequestAct::Callback { outcome, comment: note() },
            A::Close => RequestAct::Close { note: note() },
            A::Note | A::Accept => RequestAct::Note { note: note() },
        }
    }

    /// The transitions the issue allows, written out independently of `apply`: (from, action) → to.
    fn allowed(from: RequestState, action: RequestAction, outcome: CallbackOutcome) -> Option<RequestState> {
        use CallbackOutcome as O;
        match (from, action) {
            (S::Closed, _) => None,
            (_, A::Note) => Some(from),
            (S::Accepted | S::Assigned, A::Assign) => Some(S::Assigned),
            (S::Reopened, A::Assign) => Some(S::Reopened),
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

    fn step() -> impl Strategy<Value = (RequestAction, CallbackOutcome, Role)> {
        (
            // Accept is intake's, not an act on a request.
            prop::sample::select(RequestAction::ALL.iter().copied().filter(|a| *a != A::Accept).collect::<Vec<_>>()),
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
        let replied = apply(&complaint, &RequestAct::Reply { reply: "已核实".into() }, Role::Clerk, TRIES).unwrap();
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
            apply(&Progress::new(Category::Complaint, None, false), &RequestAct::Reply { reply: "r".into() }, Role::Clerk, TRIES).unwrap();
        assert_eq!(actions(&complaint, Role::Clerk, TRIES), vec![A::Callback, A::Note]);
        assert!(actions(&complaint, Role::HeadOffice, TRIES).is_empty());
    }
}
