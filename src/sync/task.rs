//! The background sync task: one thread with its own store connection, a round when one is due
//! (at start, every [`INTERVAL`] after a success, at the backoff's time after a failure) or when
//! woken (`sync.now`, enrolment). The `App` shares only a [`Handle`] with it: the live progress
//! and the wake-up, behind a lock of their own, never the store's.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::round::{Progress, run_round};
use crate::clock::{Clock, parse_stamp};
use crate::store::{Actor, Store, replica, sync_state};

/// How long after a success the next round starts by itself.
pub const INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct Live {
    started: bool,
    running: bool,
    wake: bool,
    progress: Option<Progress>,
}

/// What the `App` holds of the task.
#[derive(Debug, Clone, Default)]
pub struct Handle {
    inner: Arc<(Mutex<Live>, Condvar)>,
}

impl Handle {
    fn live(&self) -> MutexGuard<'_, Live> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks for a round now (the task runs it as soon as the current one, if any, ends).
    pub fn wake(&self) {
        self.live().wake = true;
        self.inner.1.notify_all();
    }

    /// Whether a round runs now, and its progress.
    pub fn state(&self) -> (bool, Option<Progress>) {
        let live = self.live();
        (live.running, live.progress.clone())
    }

    /// Whether the task was started in this process.
    pub fn started(&self) -> bool {
        self.live().started
    }

    /// Starts the task on `path`'s database, once per handle.
    pub fn start(&self, path: PathBuf, clock: Arc<dyn Clock>) {
        {
            let mut live = self.live();
            if live.started {
                return;
            }
            live.started = true;
        }
        let handle = self.clone();
        let spawned = std::thread::Builder::new().name("hall-sync".into()).spawn(move || handle.run(&path, &*clock));
        if spawned.is_err() {
            self.live().started = false;
        }
    }

    fn run(&self, path: &std::path::Path, clock: &dyn Clock) {
        let mut store = None;
        loop {
            // The task's own connection, opened (again) when it failed.
            if store.is_none() {
                store = Store::open(path).ok();
                // Changes kept by an older build, applied at start (a round does so too).
                if let Some(store) = store.as_mut() {
                    let _ = replica::reapply_kept(store, &Actor { user_id: None, at: clock.now() });
                }
            }
            let wait = match store.as_mut() {
                Some(store) => self.maybe_round(store, clock),
                None => self.spend_wake(),
            };
            // The wake flag stays set through the wait: the next `maybe_round` sees it and runs a
            // round at once (clearing it there), instead of waiting for the round to fall due.
            let live = self.live();
            if !live.wake {
                drop(self.inner.1.wait_timeout(live, wait).unwrap_or_else(|p| p.into_inner()).0);
            }
        }
    }

    /// Clears a wake that found nothing to do; the normal wait follows.
    fn spend_wake(&self) -> Duration {
        self.live().wake = false;
        INTERVAL
    }

    /// Runs a round if one is due or was asked for; returns how long to sleep.
    fn maybe_round(&self, store: &mut Store, clock: &dyn Clock) -> Duration {
        let now = clock.now();
        // A wake that cannot lead to a round is spent here, or the loop would never wait.
        let Ok(Some(_)) = sync_state::enrolment(store.conn()) else { return self.spend_wake() };
        let Ok(attempts) = sync_state::attempts(store.conn()) else { return self.spend_wake() };
        let woken = self.live().wake;
        let due_at = match (&attempts.next_attempt_at, &attempts.last_success_at) {
            (Some(next), _) => parse_stamp(next),
            (None, Some(last)) => parse_stamp(last).map(|t| t + chrono::Duration::from_std(INTERVAL).unwrap_or_default()),
            (None, None) => None,
        };
        if let Some(due) = due_at.filter(|due| *due > now && !woken) {
            return (due - now).to_std().unwrap_or(INTERVAL).min(INTERVAL);
        }
        {
            let mut live = self.live();
            live.running = true;
            live.wake = false;
            live.progress = None;
        }
        let _ = run_round(store, clock, |p| self.live().progress = Some(p));
        let mut live = self.live();
        live.running = false;
        live.progress = None;
        drop(live);
        match sync_state::attempts(store.conn()).ok().and_then(|a| a.next_attempt_at).and_then(|t| parse_stamp(&t)) {
            Some(next) => (next - clock.now()).to_std().unwrap_or(Duration::from_secs(1)).min(INTERVAL),
            None => INTERVAL,
        }
    }
}
