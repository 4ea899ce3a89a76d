//! Sync's commands: its state for the top bar, "sync now", and enrolment with head office (from
//! the settings or the first-start screen). The work itself is `crate::sync`'s.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller};
use crate::error::{Error, Result, UserMessage};
use crate::model::user::Role;
use crate::store::sync_state;

/// What the top bar and the day-end show about sync.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub head_office_url: Option<String>,
    pub outlet_code: String,
    /// Outbox events head office has not acknowledged yet.
    pub pending_events: i64,
    /// When the oldest of them was recorded (RFC 3339).
    pub oldest_pending_at: Option<String>,
    /// Unacknowledged payments among them, and their total: what the day-end says is not yet sent.
    pub pending_payments: i64,
    pub pending_payments_fen: i64,
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// When the background task tries next (after a failure, with backoff).
    pub next_attempt_at: Option<String>,
    /// A sync is running now.
    pub running: bool,
    pub progress: Option<SyncProgress>,
    /// The last attempt's failure in plain words, cleared by a success.
    pub error: Option<UserMessage>,
    /// Head office refuses this workstation until an operator acts (a suspected clone, a revoked
    /// credential): said plainly, since retrying cannot help.
    pub fenced: Option<UserMessage>,
}

/// A long transfer's progress.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    /// `push`, `pull` or `snapshot`.
    pub phase: String,
    pub done: u64,
    /// Known for a push (the pending count) and a snapshot (head office's row counts).
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct EnrolArgs {
    /// Head office's base URL, `https://…`.
    pub url: String,
    /// The one-time code the operator gave.
    pub code: String,
    /// A CA certificate (PEM text) to trust besides the system's roots, for a head office with a
    /// private certificate authority.
    #[serde(default)]
    #[ts(optional)]
    pub ca_pem: Option<String>,
}

/// Whether this is a first start: the login screen offers enrolment or the demo outlet then.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetupState {
    pub has_users: bool,
    pub enrolled: bool,
}

/// Starts the background sync task on the App's database (both transports call this: `hall
/// serve` and the desktop shell). It idles until the workstation is enrolled.
pub fn start_sync(app: &App) {
    let path = app.store().path().to_owned();
    app.sync.start(path, std::sync::Arc::clone(&app.clock));
}

/// The status the top bar shows, read with the store's lock held only for a few reads.
pub fn sync_status(app: &App) -> Result<SyncStatus> {
    let (running, progress) = app.sync.state();
    let store = app.store();
    let conn = store.conn();
    let enrolment = sync_state::enrolment(conn)?;
    let attempts = sync_state::attempts(conn)?;
    let (pending_payments, pending_payments_fen) = sync_state::pending_payments(conn)?;
    let fenced = attempts.fenced.as_ref().map(|reason| {
        attempts.last_error.clone().unwrap_or_else(|| {
            let body = crate::sync::push::fenced_body(reason);
            UserMessage::new(&body.code, body.zh, body.en)
        })
    });
    Ok(SyncStatus {
        enrolled: enrolment.is_some(),
        head_office_url: enrolment.map(|e| e.url),
        outlet_code: store.workstation()?.outlet_code,
        pending_events: crate::store::outbox::pending(conn)?,
        oldest_pending_at: sync_state::oldest_pending_at(conn)?,
        pending_payments,
        pending_payments_fen,
        last_success_at: attempts.last_success_at,
        last_attempt_at: attempts.last_attempt_at,
        next_attempt_at: attempts.next_attempt_at,
        running,
        progress: progress.map(|p| SyncProgress { phase: p.phase.to_owned(), done: p.done, total: p.total }),
        error: if fenced.is_some() { None } else { attempts.last_error },
        fenced,
    })
}

fn not_enrolled() -> Error {
    Error::Conflict(UserMessage::new("sync.not_enrolled", "本机尚未向总部注册", "This workstation is not enrolled with head office"))
}

pub(super) fn status(app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SyncStatus> {
    sync_status(app)
}

pub(super) fn now(app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SyncStatus> {
    if sync_state::enrolment(app.store().conn())?.is_none() {
        return Err(not_enrolled());
    }
    if !app.sync.started() {
        start_sync(app);
    }
    app.sync.wake();
    sync_status(app)
}

/// Enrols from the first-start screen (no user exists yet) or, later, by an administrator. The
/// exchange with head office runs without the store's lock; the initial snapshot then runs in the
/// background task, whose progress the status shows.
pub(super) fn enrol(app: &App, caller: Option<&Caller>, args: EnrolArgs) -> Result<SyncStatus> {
    let is_admin = caller.is_some_and(|c| c.user.role == Role::Admin);
    let applicant = {
        let store = app.store();
        if !is_admin && !crate::store::users::list(store.conn(), app.clock.now())?.is_empty() {
            return Err(Error::Denied(UserMessage::new(
                "enrol.admin_only",
                "只有系统管理员可以向总部注册本机",
                "Only an administrator can enrol this workstation",
            )));
        }
        crate::sync::enrol::prepare(&store, &args.code)?
    };
    // reqwest's blocking client must not be made, used or dropped on an async runtime's thread
    // (`hall serve` calls handlers from one): the exchange gets a plain thread of its own.
    let response = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let office = crate::sync::HeadOffice::new(&args.url, args.ca_pem.as_deref(), None)?;
                crate::sync::enrol::exchange(&office, &applicant)
            })
            .join()
    })
    .map_err(|_| Error::Internal("enrolment thread panicked".into()))??;
    crate::sync::enrol::adopt(&mut app.store(), &args.url, args.ca_pem.as_deref(), &response, app.clock.now())?;
    start_sync(app);
    app.sync.wake();
    sync_status(app)
}

pub(super) fn setup_state(app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SetupState> {
    let store = app.store();
    Ok(SetupState {
        has_users: !crate::store::users::list(store.conn(), app.clock.now())?.is_empty(),
        enrolled: sync_state::enrolment(store.conn())?.is_some(),
    })
}

/// The demo outlet, offered by the first-start screen: only while no user exists and the
/// workstation is not enrolled.
pub(super) fn setup_demo(app: &App, _caller: Option<&Caller>, _args: super::NoArgs) -> Result<SetupState> {
    let mut store = app.store();
    let has_users = !crate::store::users::list(store.conn(), app.clock.now())?.is_empty();
    if has_users || sync_state::enrolment(store.conn())?.is_some() {
        return Err(Error::Conflict(UserMessage::new(
            "setup.not_first_start",
            "本机已有用户或已注册，不能再创建演示网点",
            "This workstation already has users or is enrolled; the demo outlet is only for a first start",
        )));
    }
    let actor = app.actor(None);
    crate::demo::populate(&mut store, &actor, DEMO_CUSTOMERS, DEMO_SEED, |_| {})?;
    crate::demo::populate_history(&mut store, actor.at, DEMO_HISTORY, DEMO_SEED)?;
    Ok(SetupState { has_users: true, enrolled: false })
}

/// The demo outlet of a first start: as the desktop shell made it before enrolment existed, but
/// with a year of history for 200 customers, not 500: with 500 of the 20,000, one demo month's
/// cash comes to more than the desk's count allows of one note (`desk.count`, 100,000).
pub const DEMO_CUSTOMERS: u64 = 20_000;
pub const DEMO_HISTORY: u64 = 200;
pub const DEMO_SEED: u64 = 7;
