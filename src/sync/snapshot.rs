//! The initial snapshot of a new workstation: head office's current records, table by table
//! (`SNAPSHOT_TABLES`), keyset-paginated. Each page is applied in one transaction together with
//! the snapshot's position (migration 014), so a cut or a kill resumes at the next page. The
//! change cursor of the very first page is kept, and the pull follows from it once the last table
//! is done: what changed meanwhile arrives again as changes and merges idempotently.

use hall_protocol::pull::{SNAPSHOT_TABLES, SnapshotPage};

use super::client::{HeadOffice, SyncError, SyncResult};
use super::pull::Applied;
use crate::error::{Error, Result};
use crate::store::replica;
use crate::store::sync_state::{self, SnapshotPosition};
use crate::store::{Actor, Store};

/// Records per page: a page of bills is a few MB of JSON and one transaction of a few thousand
/// rows; fewer pages mean fewer commits (each one an fsync).
pub const SNAPSHOT_PAGE: u32 = 5_000;

/// Progress of a snapshot: the table, the rows done in it, and its total when head office said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotProgress {
    pub table: String,
    pub done: u64,
    pub total: Option<u64>,
}

/// Applies one page at `table` and moves the position on. The page goes in as background writes:
/// one transaction while nobody else writes, committed early (and continued in the next) whenever
/// the counter waits to post, so that a payment waits for a few rows, not for the page. The
/// position moves on with the page's last row; a kill in between re-applies the page's first
/// rows, which merge idempotently.
pub fn apply_page(store: &mut Store, actor: &Actor, table: &str, cursor: &str, page: &SnapshotPage) -> Result<Applied> {
    let next = position_after(table, cursor, page);
    let start: hall_protocol::pull::Cursor = cursor.parse().map_err(|e| Error::Internal(format!("head office's cursor: {e}")))?;
    let mut total = Applied::default();
    let mut done = 0;
    loop {
        let finished = store.write_background(|tx| {
            let applied = replica::apply_many(tx, actor, &page.records[done..])?;
            for outcome in &applied {
                total.add(outcome);
            }
            done += applied.len();
            if done < page.records.len() {
                return Ok(false);
            }
            sync_state::set_snapshot_position(tx, &next, actor.at)?;
            if next == SnapshotPosition::Done {
                // The pull starts where the snapshot's first page stood (never moving a scope back).
                let mut current = sync_state::cursor(tx)?;
                for (scope, pos) in &start.0 {
                    current.advance(scope, *pos);
                }
                sync_state::set_cursor(tx, &current)?;
            }
            Ok(true)
        })?;
        if finished {
            return Ok(total);
        }
    }
}

/// Where the snapshot stands once `page` of `table` is in: further in the table, at the start of
/// the next one, or done.
fn position_after(table: &str, cursor: &str, page: &SnapshotPage) -> SnapshotPosition {
    match &page.next {
        Some(after) => SnapshotPosition::At { table: table.to_owned(), after: Some(after.clone()), cursor: cursor.to_owned() },
        None => match SNAPSHOT_TABLES.iter().position(|t| *t == table).and_then(|i| SNAPSHOT_TABLES.get(i + 1)) {
            Some(next_table) => SnapshotPosition::At { table: (*next_table).to_owned(), after: None, cursor: cursor.to_owned() },
            None => SnapshotPosition::Done,
        },
    }
}

/// A page of the snapshot: its table and the key it starts after.
type PageKey = (String, Option<String>);

/// Runs the snapshot to its end from wherever it stands; nothing to do once it is done. The next
/// page is fetched (head office's query, the transfer, the decoding) while this one is applied.
pub fn snapshot_all(
    store: &mut Store,
    office: &HeadOffice,
    actor: impl Fn() -> Actor,
    mut progress: impl FnMut(&SnapshotProgress),
) -> SyncResult<Applied> {
    let mut total = Applied::default();
    let mut shown = SnapshotProgress { table: String::new(), done: 0, total: None };
    let fetch = |table: &str, after: Option<&str>| office.snapshot(table, after, SNAPSHOT_PAGE);
    std::thread::scope(|scope| {
        // The page being fetched in the background: for which (table, after), and its fetch.
        let mut ahead: Option<(PageKey, std::thread::ScopedJoinHandle<'_, SyncResult<SnapshotPage>>)> = None;
        loop {
            let (table, after, cursor) = match sync_state::snapshot_position(store.conn())? {
                SnapshotPosition::Done => return Ok(total),
                SnapshotPosition::NotStarted => (SNAPSHOT_TABLES[0].to_owned(), None, None),
                SnapshotPosition::At { table, after, cursor } => (table, after, Some(cursor)),
            };
            let page = match ahead.take() {
                Some((key, fetching)) if key == (table.clone(), after.clone()) => {
                    fetching.join().unwrap_or_else(|_| Err(SyncError::Unreachable("the snapshot's fetch failed".into())))?
                }
                _ => fetch(&table, after.as_deref())?,
            };
            // The very first page's cursor is the one to follow afterwards.
            let cursor = cursor.unwrap_or_else(|| page.cursor.clone());
            if let SnapshotPosition::At { table: next_table, after: next_after, .. } = position_after(&table, &cursor, &page) {
                let key = (next_table, next_after);
                let (t, a) = key.clone();
                ahead = Some((key, scope.spawn(move || fetch(&t, a.as_deref()))));
            }
            let applied = apply_page(store, &actor(), &table, &cursor, &page).map_err(SyncError::Local)?;
            store.checkpoint_between_writes()?;
            if shown.table != table {
                shown = SnapshotProgress { table: table.clone(), done: 0, total: None };
            }
            shown.total = page.total.or(shown.total);
            shown.done += page.records.len() as u64;
            progress(&shown);
            total.applied += applied.applied;
            total.kept += applied.kept;
            total.rejected += applied.rejected;
        }
    })
}
