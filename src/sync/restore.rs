//! The epoch a restore starts: above every epoch head office holds events of for this
//! workstation when head office can be asked (its `GET /v1/workstation` series), so the restored
//! numbering is new to head office and accepted; otherwise the local rule alone (above the
//! backup's and the live database's epochs).

use super::client::HeadOffice;
use crate::error::Result;
use crate::store::sync_state::Enrolment;

/// The enrolment of the database at `path`, if any (read through a connection of its own).
pub fn enrolment_at(path: &std::path::Path) -> Result<Option<Enrolment>> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // A database from before migration 014 has no enrolment.
    Ok(crate::store::sync_state::enrolment(&conn).ok().flatten())
}

/// Asks head office (on a thread of its own, so a caller on an async runtime may call it) for the
/// highest epoch it knows of this workstation. `None` when not enrolled or head office cannot be
/// reached: the caller then keeps the local rule.
pub fn known_epoch(enrolment: Option<&Enrolment>) -> Result<Option<i64>> {
    let Some(enrolment) = enrolment else { return Ok(None) };
    let ask = || -> Result<_> {
        let office = HeadOffice::new(&enrolment.url, enrolment.ca_pem.as_deref(), Some(enrolment.credential.clone()))?;
        Ok(office.workstation().ok())
    };
    let state = std::thread::scope(|scope| scope.spawn(ask).join())
        .map_err(|_| crate::error::Error::Internal("restore: the thread asking head office panicked".into()))??;
    Ok(state.and_then(|s| s.series.iter().map(|h| h.epoch).max()))
}

/// The epoch a restore of `backup` over `live` must start above, by head office's account: the
/// enrolment is read from the live database or, when that is gone (a replaced disk), from the
/// backup. 0 when not enrolled or head office cannot be reached (the local rule alone).
pub fn epoch_floor(live: &std::path::Path, backup: &std::path::Path) -> Result<i64> {
    let enrolment = match enrolment_at(live)? {
        Some(enrolment) => Some(enrolment),
        None => enrolment_at(backup)?,
    };
    Ok(known_epoch(enrolment.as_ref())?.unwrap_or(0))
}
