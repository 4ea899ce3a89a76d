//! One sync round: the initial snapshot while it is not done, then push, then pull. Records its
//! outcome (success, or the failure with the next attempt after backoff) in `sync_state`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use super::client::{HeadOffice, SyncError, SyncResult};
use super::pull::Applied;
use super::push::Pushed;
use crate::clock::Clock;
use crate::store::{Actor, Store, replica, sync_state};

/// What a round reports as it goes, for the top bar's progress bar and `hall sync`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// `snapshot`, `push` or `pull`.
    pub phase: &'static str,
    /// For a snapshot, the table.
    pub detail: String,
    pub done: u64,
    pub total: Option<u64>,
}

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub snapshot: Applied,
    pub pushed: Pushed,
    pub pulled: Applied,
}

/// The first retry after a failure, and the longest wait between tries.
pub const BACKOFF_FIRST: Duration = Duration::from_secs(5);
pub const BACKOFF_MAX: Duration = Duration::from_secs(15 * 60);

/// The wait before the next try after `failures` failures in a row: exponential from
/// [`BACKOFF_FIRST`], capped at [`BACKOFF_MAX`], with "equal jitter" (half fixed, half random) so
/// that the outlets of a region cut off together do not all come back in the same second.
pub fn backoff(failures: i64, rng: &mut impl Rng) -> Duration {
    let exponent = failures.clamp(1, 20) as u32 - 1;
    let full = BACKOFF_FIRST.saturating_mul(1u32 << exponent.min(16)).min(BACKOFF_MAX);
    let half = full / 2;
    half + Duration::from_millis(rng.gen_range(0..=half.as_millis() as u64))
}

/// Runs one round on `store` (the sync task's own connection) and records its outcome.
pub fn run_round(store: &mut Store, clock: &dyn Clock, mut progress: impl FnMut(Progress)) -> SyncResult<Round> {
    let Some(enrolment) = sync_state::enrolment(store.conn())? else {
        return Err(SyncError::Local(crate::error::Error::Conflict(crate::error::UserMessage::new(
            "sync.not_enrolled",
            "本机尚未向总部注册",
            "This workstation is not enrolled with head office",
        ))));
    };
    let office = HeadOffice::new(&enrolment.url, enrolment.ca_pem.as_deref(), Some(enrolment.credential.clone()))?;
    let deferred = store.defer_checkpoints()?;
    let outcome = round(store, &office, clock, &mut progress);
    deferred.restore(store)?;
    let now = clock.now();
    match &outcome {
        Ok(_) => sync_state::record_success(store.conn(), now)?,
        Err(e) => record_failure(store, now, e)?,
    }
    outcome
}

fn round(store: &mut Store, office: &HeadOffice, clock: &dyn Clock, progress: &mut impl FnMut(Progress)) -> SyncResult<Round> {
    let actor = || Actor { user_id: None, at: clock.now() };
    // Kept changes this build learnt to apply (after an upgrade) go first.
    replica::reapply_kept(store, &actor())?;
    let snapshot = super::snapshot::snapshot_all(store, office, actor, |p| {
        progress(Progress { phase: "snapshot", detail: p.table.clone(), done: p.done, total: p.total })
    })?;
    let workstation_id = store.workstation()?.workstation_id;
    let pushed = super::push::push_all(
        store,
        office,
        &workstation_id,
        || clock.now(),
        |done, total| progress(Progress { phase: "push", detail: String::new(), done, total: Some(total) }),
    )?;
    let pulled =
        super::pull::pull_all(store, office, actor, |done| progress(Progress { phase: "pull", detail: String::new(), done, total: None }))?;
    Ok(Round { snapshot, pushed, pulled })
}

fn record_failure(store: &Store, now: DateTime<Utc>, error: &SyncError) -> crate::error::Result<()> {
    let failures = sync_state::attempts(store.conn())?.failures + 1;
    let wait = if error.is_fenced() { BACKOFF_MAX } else { backoff(failures, &mut rand::thread_rng()) };
    let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(15));
    let fenced = match error {
        SyncError::Fenced(body) => Some(body.code.clone()),
        _ => None,
    };
    sync_state::record_failure(store.conn(), now, &error.message(), next, fenced.as_deref())?;
    Ok(())
}
