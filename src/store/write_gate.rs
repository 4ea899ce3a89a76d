//! One writer at a time per database file within the process, with the counter first.
//!
//! SQLite lets one connection write at a time and makes the others wait in its busy handler, which
//! polls: it sleeps 1, 2, 5, 10… ms between tries, and a payment that arrives while the sync task
//! applies a page pays those sleeps in full. Within one process (the desktop app, `hall serve`)
//! writers therefore queue here first, and are handed the turn the moment it is free:
//! - a foreground writer (the counter: [`Store::write`](super::Store::write)) waits only for the
//!   transaction in progress;
//! - a background writer (the sync task's pages) starts no transaction while a foreground writer
//!   waits, and its long loops ask [`Gate::foreground_waiting`] between rows to commit early.
//!
//! Writers in other processes (a `hall` command beside the app) still meet SQLite's own lock.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, Weak};

/// Who is asking to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Work a user waits for.
    Foreground,
    /// Work nobody waits for (sync): yields to any foreground writer.
    Background,
}

#[derive(Default)]
pub struct Gate {
    held: Mutex<bool>,
    turn: Condvar,
    /// Foreground writers waiting for the turn; read without the lock by background loops.
    foreground_waiting: AtomicUsize,
}

/// The turn to write; released when dropped.
pub struct Turn<'a> {
    gate: &'a Gate,
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
            Priority::Background => {
                while *held || self.foreground_waiting() {
                    held = self.turn.wait(held).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
        }
        *held = true;
        Turn { gate: self }
    }

    /// Whether a foreground writer is waiting: a background transaction should commit now.
    pub fn foreground_waiting(&self) -> bool {
        self.foreground_waiting.load(Ordering::SeqCst) > 0
    }

    fn lock(&self) -> MutexGuard<'_, bool> {
        // A writer that panicked released nothing of SQLite's; the flag itself is still sound.
        self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.gate.lock() = false;
        self.gate.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

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
}
