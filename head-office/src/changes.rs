//! The change log head office publishes, one per scope: `global` (reference tables) and
//! `outlet:<code>` (distributed by outlet).
//!
//! Positions are taken by `UPDATE … RETURNING` on the scope's head row inside the writing
//! transaction. The row lock is held until commit, so a second writer of the scope waits for the
//! first to commit before it gets its positions: positions become visible in order and a reader's
//! cursor can never pass a position that commits later.

use serde_json::Value;
use tokio_postgres::Transaction;

use crate::error::Result;

/// One change to publish: (kind, key, body); the schema version is the kind's current one.
pub struct NewChange {
    pub kind: &'static str,
    pub key: String,
    pub body: Value,
}

fn schema(kind: &str) -> i32 {
    hall_protocol::records::schema_of(kind).unwrap_or(1) as i32
}

/// Appends to the outlet's scope; returns the last position given. Call late in the transaction:
/// the scope stays locked until commit.
pub async fn append_outlet(tx: &Transaction<'_>, outlet: &str, changes: &[NewChange]) -> Result<i64> {
    if changes.is_empty() {
        return Ok(0);
    }
    let n = changes.len() as i64;
    let head: i64 = tx
        .query_one(
            "INSERT INTO outlet_heads (outlet_code, head) VALUES ($1, $2)
             ON CONFLICT (outlet_code) DO UPDATE SET head = outlet_heads.head + excluded.head RETURNING head",
            &[&outlet, &n],
        )
        .await?
        .get(0);
    let (positions, kinds, schemas, keys, bodies) = columns(changes, head);
    tx.execute(
        "INSERT INTO outlet_changes (outlet_code, pos, kind, schema, key, body)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::jsonb[])",
        &[&outlet, &positions, &kinds, &schemas, &keys, &bodies],
    )
    .await?;
    Ok(head)
}

/// Appends to the global scope (tariffs, calendars).
pub async fn append_global(tx: &Transaction<'_>, changes: &[NewChange]) -> Result<i64> {
    if changes.is_empty() {
        return Ok(0);
    }
    let n = changes.len() as i64;
    let head: i64 = tx.query_one("UPDATE global_head SET head = head + $1 WHERE id = 1 RETURNING head", &[&n]).await?.get(0);
    let (positions, kinds, schemas, keys, bodies) = columns(changes, head);
    tx.execute(
        "INSERT INTO global_changes (pos, kind, schema, key, body)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::jsonb[])",
        &[&positions, &kinds, &schemas, &keys, &bodies],
    )
    .await?;
    Ok(head)
}

type Columns = (Vec<i64>, Vec<String>, Vec<i32>, Vec<String>, Vec<Value>);

fn columns(changes: &[NewChange], head: i64) -> Columns {
    let first = head - changes.len() as i64 + 1;
    (
        (first..=head).collect(),
        changes.iter().map(|c| c.kind.to_owned()).collect(),
        changes.iter().map(|c| schema(c.kind)).collect(),
        changes.iter().map(|c| c.key.clone()).collect(),
        changes.iter().map(|c| c.body.clone()).collect(),
    )
}
