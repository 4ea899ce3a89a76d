//! Pull: what head office publishes for a workstation's outlet and areas.
//!
//! Every change head office makes visible is a row of its change log in one *scope*: `global`
//! (tariffs, calendars) or `outlet:<code>` (that outlet's users, its customers' merged records,
//! the billing centre's bills of the areas it serves, applications' progress made elsewhere). There
//! are no area scopes: an area's rows are copied into each outlet that serves the area, so a pull
//! reads one outlet's rows (one shard on Citus) and the small global scope. Positions within a scope are allocated under that scope's row lock at
//! commit, so a reader never sees position n+1 before n has committed: the cursor cannot skip a row
//! of a transaction that committed late. A workstation reads the scopes of its outlet; its cursor
//! is one position per scope ([`Cursor`]), applied in the same SQLite transaction as the batch.
//!
//! A new workstation first takes [`SnapshotPage`]s of the current state (keyset-paginated,
//! resumable), starting from the cursor head office returned with the first page, then follows
//! `/v1/changes` from that cursor; re-applying a change the snapshot already held is harmless,
//! since every record kind merges idempotently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One change for the workstation to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub scope: String,
    /// Position within the scope, from 1, without holes.
    pub pos: i64,
    /// A record kind of [`crate::records`] (`customer`, `bill`, …). A kind the workstation does not
    /// know is kept raw and applied after an upgrade, never dropped.
    pub kind: String,
    /// The body's schema version for its kind; a version above the workstation's is kept raw too.
    pub schema: u32,
    /// The record's key within its kind (a customer's id, a calendar's year, …).
    pub key: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams, ToSchema)]
pub struct ChangesQuery {
    /// The cursor from the last page (or from the snapshot); none means from the start.
    pub cursor: Option<String>,
    /// At most this many changes (default and maximum [`MAX_PAGE`]).
    pub limit: Option<u32>,
}

pub const MAX_PAGE: u32 = 5_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// The cursor after this page: store it with the applied changes.
    pub cursor: String,
    /// More changes are waiting.
    pub more: bool,
}

/// The tables a snapshot pages through, in this order.
pub const SNAPSHOT_TABLES: &[&str] = &["users", "tariffs", "calendars", "customers", "bills", "service_tickets"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams, ToSchema)]
pub struct SnapshotQuery {
    /// One of [`SNAPSHOT_TABLES`].
    pub table: String,
    /// The key after which this page starts (the last page's `next`); none for the first page.
    pub after: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotPage {
    /// Current records, as changes of the table's kind (positions are 0: they are state, not log).
    pub records: Vec<Change>,
    /// The key to ask for next, none when the table is done.
    pub next: Option<String>,
    /// The change cursor as of this page's read: a workstation keeps the one of its first page and
    /// follows `/v1/changes` from it after the last table.
    pub cursor: String,
    /// The table's rows for this workstation, counted on the first page only (for a progress bar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// Positions per scope, as the opaque text clients carry (`scope=pos;scope=pos`, scopes sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor(pub BTreeMap<String, i64>);

impl Cursor {
    pub fn position(&self, scope: &str) -> i64 {
        self.0.get(scope).copied().unwrap_or(0)
    }

    /// Moves a scope forward (never back).
    pub fn advance(&mut self, scope: &str, pos: i64) {
        let entry = self.0.entry(scope.to_owned()).or_insert(0);
        *entry = (*entry).max(pos);
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(scope, pos)| format!("{scope}={pos}")).collect();
        f.write_str(&parts.join(";"))
    }
}

impl std::str::FromStr for Cursor {
    type Err = String;

    fn from_str(s: &str) -> Result<Cursor, String> {
        let mut cursor = Cursor::default();
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let (scope, pos) = part.rsplit_once('=').ok_or_else(|| format!("not a cursor: {s:?}"))?;
            let pos: i64 = pos.parse().map_err(|_| format!("not a cursor: {s:?}"))?;
            if scope.is_empty() || pos < 0 {
                return Err(format!("not a cursor: {s:?}"));
            }
            cursor.0.insert(scope.to_owned(), pos);
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_only_moves_forward() {
        let mut cursor: Cursor = "outlet:3301=12;global=4".parse().unwrap();
        assert_eq!(cursor.position("global"), 4);
        assert_eq!(cursor.position("area:A1"), 0);
        cursor.advance("global", 2);
        cursor.advance("area:A1", 7);
        assert_eq!(cursor.to_string(), "area:A1=7;global=4;outlet:3301=12");
        assert_eq!(cursor.to_string().parse::<Cursor>().unwrap(), cursor);
        assert!("global".parse::<Cursor>().is_err());
        assert!("global=-1".parse::<Cursor>().is_err());
        assert_eq!("".parse::<Cursor>().unwrap(), Cursor::default());
    }
}
