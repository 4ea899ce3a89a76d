//! The acceptance slip's signed QR code (受理回执): `HA1|key_id|number|accepted_at|promised_date|signature`,
//! signed with the workstation's key as receipts are (`model::signed_code`), so the customer's
//! paper can be checked at any counter of the outlet: this application was accepted here, then,
//! with this promised completion date.

use chrono::NaiveDate;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::signed_code::{self, not_a_code};
use crate::error::Result;

pub const PREFIX: &str = "HA1";

/// The fields an acceptance slip's code vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplicationCodeFields {
    pub key_id: String,
    pub application_no: String,
    /// UTC, `YYYYMMDDTHHMMSSZ`.
    pub accepted_at: String,
    /// The total promise's date, as the slip prints it.
    pub promised_date: NaiveDate,
}

/// The QR text for an application, signed with `key`.
pub fn sign(key: &SigningKey, application_no: &str, accepted_at: &str, promised_date: NaiveDate) -> String {
    signed_code::sign(key, PREFIX, &[application_no, accepted_at, &promised_date.to_string()])
}

/// Checks a code against the outlet's public keys; returns the fields it vouches for.
pub fn verify(code: &str, keys: &[VerifyingKey]) -> Result<ApplicationCodeFields> {
    let checked = signed_code::verify(code, PREFIX, keys)?;
    let [application_no, accepted_at, promised] = checked.fields[..] else {
        return Err(not_a_code());
    };
    Ok(ApplicationCodeFields {
        key_id: checked.key_id.to_owned(),
        application_no: application_no.to_owned(),
        accepted_at: accepted_at.to_owned(),
        promised_date: promised.parse().map_err(|_| not_a_code())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::signed_code::key_id;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    fn code() -> String {
        sign(&key(), "YK330106-01-1-000007", "20260302T013000Z", NaiveDate::from_ymd_opt(2026, 3, 20).unwrap())
    }

    #[test]
    fn a_slips_code_verifies_with_its_fields() {
        let code = code();
        assert!(code.starts_with(&format!("HA1|{}|YK330106-01-1-000007|20260302T013000Z|2026-03-20|", key_id(&key().verifying_key()))));
        assert_eq!(
            verify(&code, &[key().verifying_key()]).unwrap(),
            ApplicationCodeFields {
                key_id: key_id(&key().verifying_key()),
                application_no: "YK330106-01-1-000007".into(),
                accepted_at: "20260302T013000Z".into(),
                promised_date: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            }
        );
    }

    #[test]
    fn an_altered_code_or_one_of_an_unknown_key_is_refused() {
        let code = code();
        // A later promise written in.
        assert_eq!(
            verify(&code.replace("|2026-03-20|", "|2026-04-20|"), &[key().verifying_key()]).unwrap_err().code(),
            "receipt_code.forged"
        );
        assert_eq!(verify(&code.replace("000007", "000008"), &[key().verifying_key()]).unwrap_err().code(), "receipt_code.forged");
        let other = SigningKey::from_bytes(&[1; 32]);
        assert_eq!(verify(&code, &[other.verifying_key()]).unwrap_err().code(), "receipt_code.unknown_key");
        // A receipt's code is not an application's, and the other way round.
        assert_eq!(crate::model::receipt::verify(&code, &[key().verifying_key()]).unwrap_err().code(), "receipt_code.version");
    }
}
