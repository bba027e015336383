//! Password hashing with argon2id (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1 —
//! OWASP's recommendation), run on the crypto pool because it is deliberately slow.

use crate::crypto_pool::CryptoPool;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng as _;
use schoolbridge_api::rules::{MIN_PASSWORD, password_is_long_enough};
use zeroize::Zeroizing;

/// Password problems.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than `schoolbridge_api::rules::MIN_PASSWORD` (the console's rule too).
    #[error("the password must have at least {MIN_PASSWORD} characters")]
    TooShort,
    /// Hashing failed.
    #[error("the password could not be hashed")]
    Hash,
}

/// Hashes a password (PHC string).
pub async fn hash(pool: &CryptoPool, password: &str) -> Result<String, PasswordError> {
    if !password_is_long_enough(password) {
        return Err(PasswordError::TooShort);
    }
    let password = Zeroizing::new(password.to_owned());
    pool.run(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::Hash)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| PasswordError::Hash)
    })
    .await
    .map_err(|_| PasswordError::Hash)?
}

/// Checks a password against a stored hash. A missing or malformed hash never matches; the work
/// is done anyway so timing does not reveal which accounts exist.
pub async fn verify(pool: &CryptoPool, password: &str, stored: Option<&str>) -> bool {
    // A fixed hash of a random password, used when there is no stored hash.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2Nob29sYnJpZGdlZHVtbXk$0Ql4SnN0cmVhbWxpbmVkc2Nob29sYnJpZGdlZHVtbXk";
    let password = Zeroizing::new(password.to_owned());
    let stored = stored.map(str::to_owned);
    pool.run(move || {
        let target = stored.as_deref().unwrap_or(DUMMY);
        let Ok(parsed) = PasswordHash::new(target) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let pool = CryptoPool::new(1);
        assert!(matches!(
            hash(&pool, "short").await,
            Err(PasswordError::TooShort)
        ));
        let h = hash(&pool, "correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&pool, "correct horse battery", Some(&h)).await);
        assert!(!verify(&pool, "wrong horse battery", Some(&h)).await);
        assert!(!verify(&pool, "correct horse battery", None).await);
        assert!(!verify(&pool, "x", Some("not a hash")).await);
    }
}
