//! The scenario tests' parts: the fault-injecting proxy and the harness of a real head office and
//! real workstations with the checker every scenario ends with.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod harness;
