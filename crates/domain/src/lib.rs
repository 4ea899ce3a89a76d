//! The service hall's domain: the types and rules the workstation and head office share, with no
//! storage, network or UI inside. The workstation's `hall` crate re-exports these modules under
//! their old paths (`hall::model`, `hall::billing`, …).

pub mod billing;
pub mod calendar;
pub mod clock;
pub mod error;
pub mod model;
pub mod password;

pub use error::{Error, Result};
