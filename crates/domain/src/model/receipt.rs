//! The receipt's signed QR code. It carries the key fields of a receipt and an Ed25519 signature
//! by the issuing workstation, so head office, or anyone holding the outlet's public keys, can
//! tell that the outlet issued it and that nothing on it was changed.
//!
//! The text is `HR1|key_id|receipt_no|posted_at|account|amount_fen|late_fee_fen|prepaid_after_fen|signature`,
//! signed as every code of this system is (`model::signed_code`). Plain fields keep the code small
//! enough to scan from a thermal print.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::signed_code::{self, not_a_code};
use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;

pub const PREFIX: &str = "HR1";

/// The fields a receipt's code vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignedFields {
    pub key_id: String,
    pub receipt_no: String,
    /// UTC, `YYYYMMDDTHHMMSSZ`.
    pub posted_at: String,
    pub account: String,
    pub amount: Fen,
    pub late_fee: Fen,
    pub prepaid_after: Fen,
}

/// The QR text for `fields`, signed with `key` (whose id `fields.key_id` must be).
pub fn sign(key: &SigningKey, fields: &SignedFields) -> String {
    debug_assert_eq!(fields.key_id, signed_code::key_id(&key.verifying_key()));
    let (amount, late_fee, prepaid_after) =
        (fields.amount.0.to_string(), fields.late_fee.0.to_string(), fields.prepaid_after.0.to_string());
    signed_code::sign(key, PREFIX, &[&fields.receipt_no, &fields.posted_at, &fields.account, &amount, &late_fee, &prepaid_after])
}

/// Checks a code against the outlet's public keys; returns the fields it vouches for.
pub fn verify(code: &str, keys: &[VerifyingKey]) -> Result<SignedFields> {
    let checked = signed_code::verify(code, PREFIX, keys)?;
    let [receipt_no, posted_at, account, amount, late_fee, prepaid_after] = checked.fields[..] else {
        return Err(not_a_code());
    };
    let fen = |s: &str| {
        s.parse::<i64>().map(Fen).map_err(|_| {
            Error::invalid(UserMessage::new("receipt_code.format", "二维码内容已损坏", "The code's content is damaged").at("code"))
        })
    };
    Ok(SignedFields {
        key_id: checked.key_id.to_owned(),
        receipt_no: receipt_no.to_owned(),
        posted_at: posted_at.to_owned(),
        account: account.to_owned(),
        amount: fen(amount)?,
        late_fee: fen(late_fee)?,
        prepaid_after: fen(prepaid_after)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::signed_code::key_id;

    fn fields(key: &SigningKey) -> SignedFields {
        SignedFields {
            key_id: key_id(&key.verifying_key()),
            receipt_no: "330106-01-1-000042".into(),
            posted_at: "20261122T013000Z".into(),
            account: "3300000001".into(),
            amount: Fen(12345),
            late_fee: Fen(100),
            prepaid_after: Fen(0),
        }
    }

    #[test]
    fn a_signed_code_verifies_and_an_altered_one_does_not() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let code = sign(&key, &fields(&key));
        assert_eq!(verify(&code, &[key.verifying_key()]).unwrap(), fields(&key));
        let altered = code.replace("|12345|", "|92345|");
        assert_eq!(verify(&altered, &[key.verifying_key()]).unwrap_err().code(), "receipt_code.forged");
        let other = SigningKey::from_bytes(&[8; 32]);
        assert_eq!(verify(&code, &[other.verifying_key()]).unwrap_err().code(), "receipt_code.unknown_key");
        assert_eq!(verify("hello", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.format");
        // The code is what it was before the signing moved to `signed_code`: the same fields in
        // the same order, and Ed25519 signatures are deterministic, so the same text.
        let body = format!("HR1|{}|330106-01-1-000042|20261122T013000Z|3300000001|12345|100|0", key_id(&key.verifying_key()));
        let signature = ed25519_dalek::Signer::sign(&key, body.as_bytes());
        use base64::Engine;
        let expected = format!("{body}|{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        assert_eq!(code, expected);
    }
}
