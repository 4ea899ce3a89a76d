//! One writer at a time per database file within the process, with the counter first.
//!
//! SQLite lets one connection write at a time and makes the others wait in its busy handler, which
//! polls: it sleeps 1, 2, 5, 10… ms between tries, and a payment that arrives while the sync task
//! applies a page pays those sleeps in full. Within one process (the desktop app, `hall serve`)
//! writers therefore queue here first, and are handed the turn the moment it is free:
//! - a foreground writer (the counter: [`Store::write`](super::Store::write)) waits only for the
//!   transaction in progress;
//! - a background writer (the sync task's pages) starts no transaction while a foreground writer
//!   waits or within [`QUIET_AFTER_FOREGROUND`] of one's end, and its long loops ask
//!   [`Gate::should_yield`] between rows to commit early. On a two-core counter PC the sync's work
//!   beside a payment makes the payment twice as slow even without a lock between them (measured:
//!   `hall bench sync`, BENCHMARKS.md), so the sync steps aside while the clerk is working.
//!
//! Writers in other processes (a `hall` command beside the app) still meet SQLite's own lock.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// Who is asking to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Work a user waits for.
    Foreground,
    /// Work nobody waits for (sync): yields to any foreground writer.
    Background,
}

/// How long background writes keep away after a foreground write: a clerk's next step (the
/// receipt, the next customer's search) follows within moments.
pub const QUIET_AFTER_FOREGROUND: Duration = Duration::from_millis(25);

pub struct Gate {
    held: Mutex<bool>,
    turn: Condvar,
    /// Foreground writers waiting for the turn; read without the lock by background loops.
    foreground_waiting: AtomicUsize,
    /// When the last foreground write ended, in microseconds since `epoch`.
    foreground_ended_us: AtomicU64,
    epoch: Instant,
}

impl Default for Gate {
    fn default() -> Gate {
        Gate {
            held: Mutex::new(false),
            turn: Condvar::new(),
            foreground_waiting: AtomicUsize::new(0),
            foreground_ended_us: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }
}

/// The turn to write; released when dropped.
pub struct Turn<'a> {
    gate: &'a Gate,
    priority: Priority,
}

impl Gate {
    /// The gate of the database file at `path`, shared by every store of this process on it.
    pub fn of(path: &Path) -> Arc<Gate> {
        static GATES: LazyLock<Mutex<HashMap<PathBuf, Weak<Gate>>>> = LazyLock::new(Default::default);
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let mut gates = GATES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        gates.retain(|_, gate| gate.strong_count() > 0);
        if let Some(gate) = gates.get(&key).and_then(Weak::upgrade) {
            return gate;
        }
        let gate = Arc::new(Gate::default());
        gates.insert(key, Arc::downgrade(&gate));
        gate
    }

    /// Waits for the turn: behind the transaction in progress, and for a background writer also
    /// behind every foreground writer waiting.
    pub fn enter(&self, priority: Priority) -> Turn<'_> {
        let mut held = self.lock();
        match priority {
            Priority::Foreground => {
                self.foreground_waiting.fetch_add(1, Ordering::SeqCst);
                while *held {
                    held = self.turn.wait(held).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                self.foreground_waiting.fetch_sub(1, Ordering::SeqCst);
            }
            Priority::Background => loop {
                if *held || self.foreground_waiting() {
                    held = self.turn.wait(held).unwrap_or_else(|poisoned| poisoned.into_inner());
                    continue;
                }
                match self.quiet_left() {
                    Some(left) => held = self.turn.wait_timeout(held, left).unwrap_or_else(|poisoned| poisoned.into_inner()).0,
                    None => break,
                }
            },
        }
        *held = true;
        Turn { gate: self, priority }
    }

    /// Whether a foreground writer is waiting: a background transaction should commit now.
    pub fn foreground_waiting(&self) -> bool {
        self.foreground_waiting.load(Ordering::SeqCst) > 0
    }

    /// Whether a background transaction should commit now: a foreground writer waits, or one
    /// has just written.
    pub fn should_yield(&self) -> bool {
        self.foreground_waiting() || self.quiet_left().is_some()
    }

    /// What is left of the quiet time after the last foreground write, if any.
    fn quiet_left(&self) -> Option<Duration> {
        let ended = Duration::from_micros(self.foreground_ended_us.load(Ordering::SeqCst));
        let quiet_until = ended + QUIET_AFTER_FOREGROUND;
        let now = self.epoch.elapsed();
        (ended > Duration::ZERO && now < quiet_until).then(|| quiet_until - now)
    }

    fn lock(&self) -> MutexGuard<'_, bool> {
        // A writer that panicked released nothing of SQLite's; the flag itself is still sound.
        self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if self.priority == Priority::Foreground {
            let now = self.gate.epoch.elapsed().as_micros().max(1) as u64;
            self.gate.foreground_ended_us.store(now, Ordering::SeqCst);
        }
        *self.gate.lock() = false;
        self.gate.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_has_one_gate_and_a_waiting_foreground_writer_goes_before_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        std::fs::write(&path, b"").unwrap();
        let gate = Gate::of(&path);
        assert!(Arc::ptr_eq(&gate, &Gate::of(&dir.path().join(".").join("a.db"))));
        let order = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            let turn = gate.enter(Priority::Background);
            let background = scope.spawn(|| {
                let _turn = gate.enter(Priority::Background);
                order.lock().unwrap().push("background");
            });
            std::thread::sleep(Duration::from_millis(20));
            let foreground = scope.spawn(|| {
                let _turn = gate.enter(Priority::Foreground);
                order.lock().unwrap().push("foreground");
            });
            let asked = Instant::now();
            while !gate.foreground_waiting() {
                assert!(asked.elapsed() < Duration::from_secs(5), "the foreground writer never queued");
                std::thread::yield_now();
            }
            drop(turn);
            foreground.join().unwrap();
            background.join().unwrap();
        });
        assert_eq!(*order.lock().unwrap(), ["foreground", "background"]);
    }

    #[test]
    fn background_writes_keep_away_for_a_moment_after_a_foreground_write() {
        let gate = Gate::default();
        assert!(!gate.should_yield());
        drop(gate.enter(Priority::Foreground));
        assert!(gate.should_yield(), "just after the counter wrote");
        let waited = Instant::now();
        drop(gate.enter(Priority::Background));
        assert!(waited.elapsed() >= QUIET_AFTER_FOREGROUND / 2, "the background writer waited out the quiet time");
        std::thread::sleep(QUIET_AFTER_FOREGROUND);
        assert!(!gate.should_yield());
    }
}
