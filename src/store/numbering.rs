//! Gap-free numbers per workstation, for every series of numbered paper: receipts, applications
//! and service requests. The next number is read from the `workstation` row and moved on inside
//! the caller's write transaction, so a rolled-back write leaves no hole and needs no network; a
//! restore starts a new epoch, and with it new series.

use rusqlite::Connection;

use super::Tx;
use crate::error::Result;

/// A number and its place in its series.
pub struct Number {
    pub text: String,
    pub epoch: i64,
    pub seq: i64,
}

#[derive(Debug, Clone, Copy)]
pub enum Series {
    /// `330106-01-1-000042`, recorded on payments.
    Receipt,
    /// `YK330106-01-1-000001`, recorded on applications.
    Application,
    /// `GD330106-01-1-000001`, recorded on service requests.
    ServiceRequest,
}

impl Series {
    fn prefix(self) -> &'static str {
        match self {
            Series::Receipt => "",
            Series::Application => "YK",
            Series::ServiceRequest => "GD",
        }
    }

    // A read and an update rather than `UPDATE … RETURNING`, which builds a temporary table per
    // call (a payment's write is kept to the pages it must touch).
    fn read(self) -> &'static str {
        match self {
            Series::Receipt => "SELECT outlet_code, counter_no, epoch, next_receipt_seq FROM workstation",
            Series::Application => "SELECT outlet_code, counter_no, epoch, next_application_seq FROM workstation",
            Series::ServiceRequest => "SELECT outlet_code, counter_no, epoch, next_request_seq FROM workstation",
        }
    }

    fn advance(self) -> &'static str {
        match self {
            Series::Receipt => "UPDATE workstation SET next_receipt_seq = ?1",
            Series::Application => "UPDATE workstation SET next_application_seq = ?1",
            Series::ServiceRequest => "UPDATE workstation SET next_request_seq = ?1",
        }
    }

    /// Every number issued, as `(epoch, seq)` in order.
    fn issued(self) -> &'static str {
        match self {
            Series::Receipt => "SELECT receipt_epoch, receipt_seq FROM payments ORDER BY receipt_epoch, receipt_seq",
            Series::Application => "SELECT number_epoch, number_seq FROM applications ORDER BY number_epoch, number_seq",
            Series::ServiceRequest => "SELECT number_epoch, number_seq FROM service_requests ORDER BY number_epoch, number_seq",
        }
    }
}

/// Takes the next number of `series` (in the caller's transaction, which records it).
pub fn allocate(tx: &Tx, series: Series) -> Result<Number> {
    let (outlet, counter, epoch, seq): (String, i64, i64, i64) =
        tx.prepare_cached(series.read())?.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    tx.prepare_cached(series.advance())?.execute([seq + 1])?;
    Ok(Number { text: format!("{}{outlet}-{counter:02}-{epoch}-{seq:06}", series.prefix()), epoch, seq })
}

/// The sequence numbers missing from each epoch of `series` (empty when the series is whole).
pub fn gaps(conn: &Connection, series: Series) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare(series.issued())?;
    let mut gaps = Vec::new();
    let mut last: Option<(i64, i64)> = None;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (epoch, seq) = row?;
        let expected = match last {
            Some((e, s)) if e == epoch => s + 1,
            _ => 1,
        };
        gaps.extend((expected..seq).map(|missing| (epoch, missing)));
        last = Some((epoch, seq));
    }
    Ok(gaps)
}
