//! Receipt numbers and the workstation's signing key.
//!
//! A receipt number is `outlet-counter-epoch-seq` (`330106-01-1-000042`): the outlet's code makes
//! it unique across outlets, the counter's number within the outlet, and the sequence is taken
//! from the `workstation` row inside the payment's transaction, so it has no gaps and needs no
//! network. A restore starts a new epoch, and with it a new series. A voided number stays on its
//! reversed payment; numbers are never reused.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{Connection, OptionalExtension};

use super::Tx;
use crate::clock::stamp;
use crate::error::{Error, Result};
use crate::model::signed_code::key_id;

/// A receipt number and its place in the workstation's series.
pub type ReceiptNumber = super::numbering::Number;

/// Takes the next number of this workstation's series. The caller records it on the payment it
/// prints, in the same transaction; a voided number stays on its reversed payment.
pub fn allocate(tx: &Tx) -> Result<ReceiptNumber> {
    super::numbering::allocate(tx, super::numbering::Series::Receipt)
}

/// The sequence numbers missing from each epoch's series (empty when the series is whole).
pub fn gaps(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    super::numbering::gaps(conn, super::numbering::Series::Receipt)
}

/// Gives the workstation its signing key on first open.
pub(crate) fn ensure_signing_key(conn: &Connection) -> Result<()> {
    let exists: Option<i64> = conn.query_row("SELECT 1 FROM signing_keys LIMIT 1", [], |r| r.get(0)).optional()?;
    if exists.is_none() {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        let key = SigningKey::from_bytes(&secret);
        let public = key.verifying_key();
        conn.execute(
            "INSERT INTO signing_keys (key_id, secret, public, created_at) VALUES (?1, ?2, ?3, ?4)",
            (key_id(&public), key.to_bytes().to_vec(), public.to_bytes().to_vec(), stamp(chrono::Utc::now())),
        )?;
    }
    Ok(())
}

/// The key this workstation signs receipts with.
pub fn signing_key(conn: &Connection) -> Result<SigningKey> {
    let secret: Vec<u8> = conn.query_row("SELECT secret FROM signing_keys ORDER BY created_at DESC LIMIT 1", [], |r| r.get(0))?;
    let bytes: [u8; 32] = secret.try_into().map_err(|_| Error::Internal("signing key is not 32 bytes".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The public keys this workstation knows for its outlet: its own, and those of the outlet's
/// other counters recorded in the `outlet_public_keys` setting (one hex key per line).
pub fn outlet_public_keys(conn: &Connection) -> Result<Vec<VerifyingKey>> {
    let mut keys = Vec::new();
    let mut stmt = conn.prepare("SELECT public FROM signing_keys")?;
    for public in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
        let bytes: [u8; 32] = public?.try_into().map_err(|_| Error::Internal("public key is not 32 bytes".into()))?;
        keys.push(VerifyingKey::from_bytes(&bytes).map_err(|e| Error::Internal(format!("public key: {e}")))?);
    }
    if let Some(text) = super::settings::get(conn, "outlet_public_keys")? {
        keys.extend(crate::model::signed_code::parse_public_keys(&text)?);
    }
    Ok(keys)
}
