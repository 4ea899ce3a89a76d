//! The receipt's signed QR code. It carries the key fields of a receipt and an Ed25519 signature
//! by the issuing workstation, so head office, or anyone holding the outlet's public keys, can
//! tell that the outlet issued it and that nothing on it was changed.
//!
//! The text is `HR1|key_id|receipt_no|posted_at|account|amount_fen|late_fee_fen|prepaid_after_fen|signature`,
//! the signature (base64url, no padding) covering everything before its `|`. Plain fields keep the
//! code small enough to scan from a thermal print.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result, UserMessage};
use crate::model::money::Fen;

const PREFIX: &str = "HR1";

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

/// A public key's short id: the first 8 bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

fn body(f: &SignedFields) -> String {
    format!("{PREFIX}|{}|{}|{}|{}|{}|{}|{}", f.key_id, f.receipt_no, f.posted_at, f.account, f.amount.0, f.late_fee.0, f.prepaid_after.0)
}

/// The QR text for `fields`, signed with `key`.
pub fn sign(key: &SigningKey, fields: &SignedFields) -> String {
    let body = body(fields);
    let signature = key.sign(body.as_bytes());
    format!("{body}|{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn invalid(code: &str, zh: &str, en: &str) -> Error {
    Error::invalid(UserMessage::new(code, zh, en).at("code"))
}

/// Reads a scanned or pasted code without checking its signature.
pub fn parse(code: &str) -> Result<(SignedFields, String, Signature)> {
    let code = code.trim();
    let (body, signature) = code
        .rsplit_once('|')
        .ok_or_else(|| invalid("receipt_code.format", "不是本系统的收费凭证二维码", "This is not a receipt code of this system"))?;
    let parts: Vec<&str> = body.split('|').collect();
    let [prefix, key_id, receipt_no, posted_at, account, amount, late_fee, prepaid_after] = parts[..] else {
        return Err(invalid("receipt_code.format", "不是本系统的收费凭证二维码", "This is not a receipt code of this system"));
    };
    if prefix != PREFIX {
        return Err(invalid("receipt_code.version", "二维码版本不受支持", "Unsupported code version"));
    }
    let fen = |s: &str| {
        s.parse::<i64>().map(Fen).map_err(|_| invalid("receipt_code.format", "二维码内容已损坏", "The code's content is damaged"))
    };
    let fields = SignedFields {
        key_id: key_id.to_owned(),
        receipt_no: receipt_no.to_owned(),
        posted_at: posted_at.to_owned(),
        account: account.to_owned(),
        amount: fen(amount)?,
        late_fee: fen(late_fee)?,
        prepaid_after: fen(prepaid_after)?,
    };
    let bytes =
        URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid("receipt_code.signature", "签名已损坏", "The signature is damaged"))?;
    let signature =
        Signature::from_slice(&bytes).map_err(|_| invalid("receipt_code.signature", "签名已损坏", "The signature is damaged"))?;
    Ok((fields, body.to_owned(), signature))
}

/// Checks a code against the outlet's public keys; returns the fields it vouches for.
pub fn verify(code: &str, keys: &[VerifyingKey]) -> Result<SignedFields> {
    let (fields, body, signature) = parse(code)?;
    let key = keys.iter().find(|k| key_id(k) == fields.key_id).ok_or_else(|| {
        invalid(
            "receipt_code.unknown_key",
            "签发该凭证的收费台不在本营业厅的公钥中",
            "The issuing counter's key is not among the outlet's public keys",
        )
    })?;
    key.verify(body.as_bytes(), &signature).map_err(|_| {
        invalid(
            "receipt_code.forged",
            "验证失败：凭证内容被改动或非本营业厅签发",
            "Verification failed: the receipt was altered or not issued by this outlet",
        )
    })?;
    Ok(fields)
}

/// Parses public keys, one per line as hex (the outlet's key file); `#` starts a comment.
pub fn parse_public_keys(text: &str) -> Result<Vec<VerifyingKey>> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let bytes: [u8; 32] =
                hex::decode(l.split_whitespace().last().unwrap_or(l)).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
                    invalid("receipt_key.format", "公钥格式错误（应为64位十六进制）", "Malformed public key (64 hex digits expected)")
                })?;
            VerifyingKey::from_bytes(&bytes).map_err(|_| invalid("receipt_key.format", "公钥无效", "Invalid public key"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
