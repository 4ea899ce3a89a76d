//! Head office (总部): the sync server the service-hall workstations push their events to and pull
//! published data from, over PostgreSQL (or Citus, distributed by outlet). The `hall-hq` binary is
//! [`cli`]; other crates' tests start the server in-process with [`testing`].

pub mod admin;
pub mod app;
pub mod auth;
pub mod bench;
pub mod changes;
pub mod cli;
pub mod console;
pub mod customers;
pub mod db;
pub mod enrol;
pub mod error;
pub mod extract;
pub mod migrate;
pub mod openapi;
pub mod projection;
pub mod pull;
pub mod push;
pub mod testing;
pub mod tickets;
pub mod tls;

pub use app::AppState;
