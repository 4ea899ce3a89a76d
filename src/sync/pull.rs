//! Pull: `/v1/changes` pages, each applied in one SQLite transaction together with the cursor it
//! ends at, so a cut or a kill leaves the store at a page boundary and the next pull resumes there.

use hall_protocol::pull::{ChangePage, Cursor};

use super::client::{HeadOffice, SyncError, SyncResult};
use crate::error::{Error, Result};
use crate::store::replica::{self, Outcome};
use crate::store::{Actor, Store, sync_state};

/// Changes asked for per page: small enough that applying one is a short write transaction (the
/// counter's payments wait for it), large enough that a backlog moves quickly.
pub const PULL_PAGE: u32 = 1_000;

/// What applying pages did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub applied: u64,
    pub kept: u64,
    pub rejected: u64,
}

impl Applied {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Applied => self.applied += 1,
            Outcome::Kept(_) => self.kept += 1,
            Outcome::Rejected(_) => self.rejected += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.applied + self.kept + self.rejected
    }
}

/// Applies one page and stores its cursor, in one background transaction; when the counter waits
/// to write, it commits early with the cursor at the last change applied (and says so: the rest is
/// asked for again). Changes at or below the stored cursor's position for their scope were applied
/// before and are skipped.
pub fn apply_page(store: &mut Store, actor: &Actor, page: &ChangePage) -> Result<(Applied, Stopped)> {
    let next: Cursor = page.cursor.parse().map_err(|e| Error::Internal(format!("head office's cursor: {e}")))?;
    store.write_background(|tx| {
        let mut cursor = sync_state::cursor(tx)?;
        let mut applied = Applied::default();
        for (i, change) in page.changes.iter().enumerate() {
            if i > 0 && tx.should_yield() {
                sync_state::set_cursor(tx, &cursor)?;
                return Ok((applied, Stopped::Early));
            }
            if change.pos > 0 && change.pos <= cursor.position(&change.scope) {
                continue;
            }
            applied.add(&replica::apply(tx, actor, change)?);
            cursor.advance(&change.scope, change.pos);
        }
        for (scope, pos) in &next.0 {
            cursor.advance(scope, *pos);
        }
        sync_state::set_cursor(tx, &cursor)?;
        Ok((applied, Stopped::AtEnd))
    })
}

/// Where [`apply_page`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    AtEnd,
    /// Before the page's end, to let the counter write.
    Early,
}

/// Pulls until head office has nothing more, calling `progress(done)` after each page.
pub fn pull_all(store: &mut Store, office: &HeadOffice, actor: impl Fn() -> Actor, mut progress: impl FnMut(u64)) -> SyncResult<Applied> {
    let mut total = Applied::default();
    loop {
        let cursor = sync_state::cursor(store.conn())?;
        let page = office.changes(&cursor.to_string(), PULL_PAGE)?;
        let (applied, stopped) = apply_page(store, &actor(), &page).map_err(SyncError::Local)?;
        store.checkpoint_between_writes()?;
        total.applied += applied.applied;
        total.kept += applied.kept;
        total.rejected += applied.rejected;
        progress(total.total());
        if stopped == Stopped::AtEnd && (!page.more || page.changes.is_empty()) {
            return Ok(total);
        }
    }
}
