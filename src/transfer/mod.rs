//! Records in and out of the workstation as files: customers (CSV import and export) and bills
//! (CSV import, until sync brings them). Both report every rejected line with its reason.

mod bills;
mod customers;

pub use bills::import_bills;
pub use customers::{COLUMNS, ImportReport, Rejection, export_customers, import_customers, to_row};
