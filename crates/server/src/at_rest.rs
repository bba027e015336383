//! Private keys at rest: sealed with AES-256-GCM under a master key kept in a file outside the
//! database (`<data dir>/master.key` by default, mode 0600), so a database dump alone reveals
//! no private key. Several instances sharing one PostgreSQL must share this file too.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::TryRng as _;
use std::path::Path;
use zeroize::Zeroizing;

const AAD: &[u8] = b"schoolbridge site key v1";

/// Problems with the master key or a sealed blob.
#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    /// The key file could not be read or created.
    #[error("cannot use the master key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file does not hold 32 bytes (64 hex characters).
    #[error("the master key file {0} must hold 64 hexadecimal characters")]
    BadKeyFile(String),
    /// A sealed key does not open with this master key (a different data directory's key file?).
    #[error(
        "a stored private key cannot be opened with this master key: is this the right master key file?"
    )]
    Unseal,
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// The master key. Zeroized on drop, never printed.
pub struct MasterKey {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// Reads the key file, creating it (0600) with a fresh random key when absent.
    pub fn load_or_create(path: &Path) -> Result<Self, AtRestError> {
        let io = |source| AtRestError::Io {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            let mut key = Zeroizing::new([0u8; 32]);
            rand::rngs::SysRng
                .try_fill_bytes(key.as_mut())
                .map_err(|_| AtRestError::Random)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let text = Zeroizing::new(format!("{}\n", hex::encode(key.as_ref())));
            write_private(path, text.as_bytes()).map_err(io)?;
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
        let bytes = Zeroizing::new(
            hex::decode(text.trim())
                .map_err(|_| AtRestError::BadKeyFile(path.display().to_string()))?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| AtRestError::BadKeyFile(path.display().to_string()))?;
        Ok(Self {
            key: Zeroizing::new(key),
        })
    }

    /// A key from raw bytes (tests).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            key: Zeroizing::new(bytes),
        }
    }

    /// Seals a secret: `nonce (12) || ciphertext+tag`.
    pub fn seal(&self, secret: &[u8]) -> Result<Vec<u8>, AtRestError> {
        let cipher =
            Aes256Gcm::new_from_slice(self.key.as_ref()).map_err(|_| AtRestError::Unseal)?;
        let mut nonce = [0u8; 12];
        rand::rngs::SysRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| AtRestError::Random)?;
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: AAD,
                },
            )
            .map_err(|_| AtRestError::Unseal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a sealed secret.
    pub fn unseal(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, AtRestError> {
        if sealed.len() < 12 + 16 {
            return Err(AtRestError::Unseal);
        }
        let (nonce, ct) = sealed.split_at(12);
        let cipher =
            Aes256Gcm::new_from_slice(self.key.as_ref()).map_err(|_| AtRestError::Unseal)?;
        cipher
            .decrypt(
                &Nonce::try_from(nonce).map_err(|_| AtRestError::Unseal)?,
                Payload { msg: ct, aad: AAD },
            )
            .map(Zeroizing::new)
            .map_err(|_| AtRestError::Unseal)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seal_and_unseal() {
        let k = MasterKey::from_bytes([7; 32]);
        let sealed = k.seal(b"secret").unwrap();
        assert_eq!(&*k.unseal(&sealed).unwrap(), b"secret");
        assert!(MasterKey::from_bytes([8; 32]).unseal(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(k.unseal(&tampered).is_err());
        assert_eq!(format!("{k:?}"), "MasterKey(***)");
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let a = MasterKey::load_or_create(&path).unwrap();
        let b = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(b.unseal(&a.seal(b"x").unwrap()).unwrap().as_slice(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(dir.path().join("bad.key"), "zz").unwrap();
        assert!(MasterKey::load_or_create(&dir.path().join("bad.key")).is_err());
    }
}
