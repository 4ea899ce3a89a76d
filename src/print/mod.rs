//! Printed paper: receipts (A5 and 80 mm roll), the deposit slip and the daily collection report,
//! rendered as PDF with printpdf and an embedded, subsetted CJK font; and the way to a printer.

pub mod dayend;
pub mod notice;
pub mod receipt;
pub mod rectification;
mod sheet;
pub mod slip;
pub mod spool;

pub use sheet::{Align, Sheet};
