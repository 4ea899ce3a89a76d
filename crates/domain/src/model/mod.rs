//! The domain's types and their rules, free of storage and transport.

pub mod application;
pub mod application_code;
pub mod application_rules;
pub mod arrears;
pub mod customer;
pub mod ids;
pub mod inspection;
pub mod mask;
pub mod money;
pub mod name_keys;
pub mod payment;
pub mod receipt;
pub mod service;
pub mod service_flow;
pub mod service_rules;
pub mod signed_code;
pub mod tariff;
pub mod user;
pub mod versions;
pub mod workflow;
