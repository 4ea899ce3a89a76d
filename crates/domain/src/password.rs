//! Password hashes: Argon2id PHC strings, made and checked the same way by the workstation (its
//! users), head office (the users it publishes, its operators) and the tools.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::error::{Error, Result};

/// A new Argon2id PHC string for `password`, with a fresh random salt.
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Whether `password` is the one `phc` was made from; a malformed string matches nothing.
pub fn matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Whether `phc` is a well-formed Argon2id PHC string (what a published user must carry).
pub fn is_argon2id(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| h.algorithm.as_str() == "argon2id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_matches_its_password_only() {
        let phc = hash("correct horse").unwrap();
        assert!(is_argon2id(&phc));
        assert!(matches(&phc, "correct horse"));
        assert!(!matches(&phc, "correct horsE"));
        assert!(!matches("not a hash", "correct horse"));
        assert!(!is_argon2id("$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"));
        assert_ne!(hash("correct horse").unwrap(), phc, "each hash has its own salt");
    }
}
