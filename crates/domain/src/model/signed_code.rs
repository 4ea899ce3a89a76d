//! Codes signed by the workstation: a `|`-separated text whose last field is an Ed25519 signature
//! (base64url, no padding) of everything before it, and whose first two fields are the code's
//! kind and version (`HR1` a receipt, `HA1` an application) and the signing key's id. Receipts
//! (`model::receipt`) and acceptance slips (`model::application_code`) put their own fields
//! between; head office, or anyone holding the outlet's public keys, can tell that the outlet
//! issued the paper and that nothing on it was changed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, UserMessage};

/// A public key's short id: the first 8 bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// `prefix|key_id|fields…|signature`, signed with `key`. A field never holds a `|` (numbers,
/// dates and amounts only).
pub fn sign(key: &SigningKey, prefix: &str, fields: &[&str]) -> String {
    debug_assert!(fields.iter().all(|f| !f.contains('|')), "a signed field holds a '|': {fields:?}");
    let mut body = format!("{prefix}|{}", key_id(&key.verifying_key()));
    for field in fields {
        body.push('|');
        body.push_str(field);
    }
    let signature = key.sign(body.as_bytes());
    format!("{body}|{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

pub(crate) fn invalid(code: &str, zh: &str, en: &str) -> Error {
    Error::invalid(UserMessage::new(code, zh, en).at("code"))
}

/// The code's refusal for text that is not a code of this system.
pub fn not_a_code() -> Error {
    invalid("receipt_code.format", "不是本系统签发的凭证二维码", "This is not a code issued by this system")
}

/// The kind and version a code starts with (`HR1`, `HA1`), without checking anything else.
pub fn prefix(code: &str) -> &str {
    code.trim().split('|').next().unwrap_or_default()
}

/// A code checked against the outlet's public keys: the fields after the key id, in order.
#[derive(Debug)]
pub struct Checked<'a> {
    pub key_id: &'a str,
    pub fields: Vec<&'a str>,
}

/// Checks `code`'s signature against `keys` (the outlet's); the caller then reads its fields.
/// `expected` is the kind and version the caller reads.
pub fn verify<'a>(code: &'a str, expected: &str, keys: &[VerifyingKey]) -> Result<Checked<'a>> {
    let code = code.trim();
    let (body, signature) = code.rsplit_once('|').ok_or_else(not_a_code)?;
    let mut parts = body.split('|');
    let (Some(prefix), Some(key_id_text)) = (parts.next(), parts.next()) else {
        return Err(not_a_code());
    };
    if prefix != expected {
        return Err(invalid("receipt_code.version", "二维码版本不受支持", "Unsupported code version"));
    }
    let damaged = || invalid("receipt_code.signature", "签名已损坏", "The signature is damaged");
    let bytes = URL_SAFE_NO_PAD.decode(signature).map_err(|_| damaged())?;
    let signature = Signature::from_slice(&bytes).map_err(|_| damaged())?;
    let key = keys.iter().find(|k| key_id(k) == key_id_text).ok_or_else(|| {
        invalid(
            "receipt_code.unknown_key",
            "签发该凭证的工作站不在本营业厅的公钥中",
            "The issuing workstation's key is not among the outlet's public keys",
        )
    })?;
    key.verify(body.as_bytes(), &signature).map_err(|_| {
        invalid(
            "receipt_code.forged",
            "验证失败：凭证内容被改动或非本营业厅签发",
            "Verification failed: the paper was altered or not issued by this outlet",
        )
    })?;
    Ok(Checked { key_id: key_id_text, fields: parts.collect() })
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

    #[test]
    fn a_code_verifies_only_with_its_key_its_kind_and_its_exact_text() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let code = sign(&key, "HX1", &["a", "b"]);
        let checked = verify(&code, "HX1", &[key.verifying_key()]).unwrap();
        assert_eq!((checked.key_id, checked.fields), (key_id(&key.verifying_key()).as_str(), vec!["a", "b"]));
        assert_eq!(prefix(&code), "HX1");
        assert_eq!(verify(&code, "HY1", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.version");
        assert_eq!(verify(&code.replace("|a|", "|A|"), "HX1", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.forged");
        // A field added or dropped changes the signed text.
        assert_eq!(verify(&code.replace("|b|", "|b|c|"), "HX1", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.forged");
        let other = SigningKey::from_bytes(&[4; 32]);
        assert_eq!(verify(&code, "HX1", &[other.verifying_key()]).unwrap_err().code(), "receipt_code.unknown_key");
        assert_eq!(verify("HX1", "HX1", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.format");
        assert_eq!(verify(&format!("{code}x!"), "HX1", &[key.verifying_key()]).unwrap_err().code(), "receipt_code.signature");
    }
}
