//! The workstation's hybrid logical clock and the per-field stamps of its customer records
//! (migration 015), for the merge of edits made at different places (`hall_protocol::merge`).
//!
//! The clock's last stamp lives in the `workstation` row and is written in the transaction of the
//! edit it stamps, so a restart (or a rollback) never hands out a stamp at or below one already
//! stored. A customer row holds one stamp for the whole record plus a compact map of the fields
//! stamped later (see the migration), which keeps a bulk import at a few bytes a row.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hall_protocol::hlc::{Hlc, HlcClock, Observed};
use rusqlite::{Connection, params};

use super::Tx;
use crate::clock::parse_stamp;
use crate::error::{Error, Result};

fn clock(conn: &Connection, workstation_id: &str) -> Result<HlcClock> {
    let (millis, counter): (i64, u32) =
        conn.prepare_cached("SELECT hlc_ms, hlc_counter FROM workstation")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(HlcClock::new(Hlc { millis, counter, node: workstation_id.to_owned() }))
}

fn save(tx: &Tx, clock: &HlcClock) -> Result<()> {
    tx.prepare_cached("UPDATE workstation SET hlc_ms = ?1, hlc_counter = ?2")?
        .execute(params![clock.last().millis, clock.last().counter])?;
    Ok(())
}

/// The stamp of one local write at `at`: later than every stamp issued or observed here before.
pub(crate) fn tick(tx: &Tx, at: DateTime<Utc>) -> Result<Hlc> {
    let mut clock = clock(tx, &tx.workstation_id)?;
    let stamp = clock.tick(at.timestamp_millis());
    save(tx, &clock)?;
    Ok(stamp)
}

/// Takes in stamps from head office, so that later local edits sort after them. Head office has
/// already clamped every stamp to its own clock, so they are taken whole: clamping them again here
/// would leave a workstation whose clock is slow unable ever to edit after what it has seen. A
/// stamp more than [`hall_protocol::hlc::MAX_AHEAD_MS`] ahead of `at` is reported (`clamped`), since
/// it says this workstation's clock is behind.
pub(crate) fn observe<'a>(tx: &Tx, stamps: impl IntoIterator<Item = &'a Hlc>, at: DateTime<Utc>) -> Result<Vec<Observed>> {
    let mut clock = clock(tx, &tx.workstation_id)?;
    let bound = at.timestamp_millis().saturating_add(hall_protocol::hlc::MAX_AHEAD_MS);
    let seen = stamps
        .into_iter()
        .map(|stamp| {
            clock.witness(stamp);
            Observed { stamp: stamp.clone(), clamped: stamp.millis > bound }
        })
        .collect();
    save(tx, &clock)?;
    Ok(seen)
}

/// The last stamp this workstation issued or observed.
pub fn last(conn: &Connection) -> Result<Hlc> {
    let workstation_id: String = conn.query_row("SELECT workstation_id FROM workstation", [], |r| r.get(0))?;
    Ok(clock(conn, &workstation_id)?.last().clone())
}

/// A customer's stamps: the record's, and those of the fields set later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamps {
    pub base: Hlc,
    pub fields: BTreeMap<String, Hlc>,
}

impl Stamps {
    pub fn of(&self, field: &str) -> &Hlc {
        self.fields.get(field).unwrap_or(&self.base)
    }

    /// Sets a field's stamp; a field back at the record's stamp needs no entry.
    pub fn set(&mut self, field: &str, stamp: &Hlc) {
        if *stamp == self.base {
            self.fields.remove(field);
        } else {
            self.fields.insert(field.to_owned(), stamp.clone());
        }
    }

    /// Reads a customer's stamps; `workstation_id` is this workstation's (a NULL node).
    pub fn read(conn: &Connection, pk: i64, workstation_id: &str) -> Result<Stamps> {
        let (millis, counter, node, map, updated_at): (i64, u32, Option<String>, Option<String>, String) = conn
            .prepare_cached("SELECT hlc_ms, hlc_counter, hlc_node, field_hlcs, updated_at FROM customers WHERE pk = ?1")?
            .query_row([pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        // Written before migration 015: stamped by its last write here.
        let millis = if millis == 0 { parse_stamp(&updated_at).map_or(0, |t| t.timestamp_millis()) } else { millis };
        let base = Hlc { millis, counter, node: node.unwrap_or_else(|| workstation_id.to_owned()) };
        let fields = match map {
            None => BTreeMap::new(),
            Some(text) => {
                let raw: BTreeMap<String, String> = serde_json::from_str(&text)?;
                raw.into_iter()
                    .map(|(field, stamp)| {
                        let stamp = stamp.parse().map_err(|e| Error::Internal(format!("customer {pk}'s stamp of {field}: {e}")))?;
                        Ok((field, stamp))
                    })
                    .collect::<Result<_>>()?
            }
        };
        Ok(Stamps { base, fields })
    }

    /// Stores the stamps on the customer's row.
    pub fn write(&self, tx: &Tx, pk: i64) -> Result<()> {
        let node = (self.base.node != tx.workstation_id).then_some(self.base.node.as_str());
        let map = if self.fields.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&self.fields.iter().map(|(f, s)| (f, s.to_string())).collect::<BTreeMap<_, _>>())?)
        };
        tx.prepare_cached("UPDATE customers SET hlc_ms = ?2, hlc_counter = ?3, hlc_node = ?4, field_hlcs = ?5 WHERE pk = ?1")?
            .execute(params![pk, self.base.millis, self.base.counter, node, map])?;
        Ok(())
    }
}
