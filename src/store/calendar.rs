//! Published calendar years beyond the shipped ones (`calendar_years`, migration 012): a year the
//! operator loaded from a file or, with sync, one head office published. [`load`] reads
//! them; a stored year replaces a shipped or earlier stored one.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::{Actor, Tx, audit, outbox};
use crate::calendar::{Calendar, Source, YearTable};
use crate::clock::stamp;
use crate::error::{Error, Result};

/// Checks `body` (the TOML of `assets/calendar/`) and stores it as the published table of its
/// year, with an audit entry and a `calendar.published` event carrying the body, in the caller's
/// transaction. A body that fails the check writes nothing.
pub fn publish(tx: &Tx, actor: &Actor, body: &str, source: Source) -> Result<YearTable> {
    if source == Source::Shipped {
        return Err(Error::Internal("calendar: a shipped year is built in, not stored".into()));
    }
    let table = Calendar::parse_year(body)?;
    let year = table.year();
    let stored: Option<String> =
        tx.prepare_cached("SELECT source FROM calendar_years WHERE year = ?1")?.query_row([year], |r| r.get(0)).optional()?;
    // What the new table replaces, for the audit log: a stored year, the shipped one, or nothing.
    let replaced = stored.or_else(|| Calendar::shipped().source(year).map(|s| s.code().to_owned()));
    tx.prepare_cached(
        "INSERT INTO calendar_years (year, body, source, loaded_at, loaded_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year) DO UPDATE SET body = excluded.body, source = excluded.source,
             loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
    )?
    .execute((year, body, source.code(), stamp(actor.at), &actor.user_id))?;
    let summary = json!({
        "year": year,
        "source": source.code(),
        "notice": table.notice(),
        "holiday_days": table.holiday_days(),
        "working_weekends": table.working_weekends().len(),
        "replaced": replaced,
    });
    audit::append(tx, actor, "calendar.publish", &year.to_string(), &summary)?;
    let mut event = summary;
    event["body"] = json!(body);
    outbox::append(tx, actor, "calendar.published", &year.to_string(), &event)?;
    Ok(table)
}

/// The shipped years plus those stored in `calendar_years` (a stored year replaces a shipped one).
pub fn load(conn: &rusqlite::Connection) -> Result<Calendar> {
    let mut calendar = Calendar::shipped().clone();
    let mut stmt = conn.prepare_cached("SELECT year, body, source FROM calendar_years ORDER BY year")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (year, body, source) = row?;
        // The body was checked when it was stored; failing now means the file was altered.
        let table = Calendar::parse_year(&body)
            .map_err(|e| Error::Internal(format!("calendar_years {year}: the stored table does not parse: {e}")))?;
        let source =
            Source::from_code(&source).ok_or_else(|| Error::Internal(format!("calendar_years {year}: unknown source {source}")))?;
        if table.year() != year {
            return Err(Error::Internal(format!("calendar_years {year}: the stored table is for {}", table.year())));
        }
        calendar.insert(table, source);
    }
    Ok(calendar)
}
