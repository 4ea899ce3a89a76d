//! Sync with head office: the HTTP client (`client`), enrolment (`enrol`), push of the outbox
//! (`push`, with the records `customers.imported` names: `records`), pull of published changes
//! (`pull`), the initial snapshot (`snapshot`), one whole round (`round`) and the background task
//! (`task`). What pulled records do to the store is `store::replica`'s; the task's rows are
//! `store::sync_state`'s (migration 014).
//!
//! The task never blocks the counter: it has its own SQLite connection (WAL: the counter's
//! reads never wait, and its writes wait only for the task's short transactions — one page, one
//! acknowledgement), and it never holds the `App`'s store lock, let alone across network I/O.

pub mod client;
pub mod enrol;
pub mod pull;
pub mod push;
pub mod records;
pub mod restore;
pub mod round;
pub mod snapshot;
pub mod task;

pub use client::{HeadOffice, SyncError};
pub use round::{Progress, Round, run_round};
pub use task::Handle;
