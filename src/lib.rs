//! The Service Hall Workstation's core: everything the counter does, without a UI or a server
//! framework. See ARCHITECTURE.md for the map.

pub mod api;
pub mod billing;
pub mod calendar;
pub mod clock;
pub mod demo;
pub mod error;
pub mod model;
pub mod print;
pub mod store;
pub mod transfer;

pub use error::{Error, Result};
