//! The Service Hall Workstation's core: everything the counter does, without a UI or a server
//! framework. See ARCHITECTURE.md for the map.

pub mod api;
pub mod demo;
pub mod print;
pub mod store;
pub mod sync;
pub mod transfer;

// The domain lives in crates/domain (shared with head office); its modules keep their paths here.
pub use error::{Error, Result};
pub use hall_domain::{billing, calendar, clock, error, model, password};
