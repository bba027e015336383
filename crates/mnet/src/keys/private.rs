//! Our site's RSA private key (`mnet-protocol.md` §6.1–§6.2). Zeroized on drop (the rsa crate
//! clears its limbs), never printed: `Debug` shows `***`.

use super::KeyError;
use rand_core::CryptoRng;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::{PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha1::Sha1;
use zeroize::Zeroizing;

/// An RSA private key used to sign our messages and open messages sealed to us.
#[derive(Clone)]
pub struct SitePrivateKey {
    inner: RsaPrivateKey,
}

impl std::fmt::Debug for SitePrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SitePrivateKey(***)")
    }
}

impl SitePrivateKey {
    /// Generates a fresh key (Moodle uses RSA-2048 with e = 65537, §6.1).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self, KeyError> {
        let inner = RsaPrivateKey::new(rng, bits).map_err(|_| KeyError::Generate)?;
        Ok(Self { inner })
    }

    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, what `openssl_pkey_export` writes on
    /// OpenSSL ≥ 1.0) or PKCS#1 (`BEGIN RSA PRIVATE KEY`, older Moodle keys).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim();
        let inner = if pem.contains("BEGIN RSA PRIVATE KEY") {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| KeyError::BadPrivateKey)?
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| KeyError::BadPrivateKey)?
        };
        Ok(Self { inner })
    }

    /// Reads a DER PKCS#8 private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let inner = RsaPrivateKey::from_pkcs8_der(der).map_err(|_| KeyError::BadPrivateKey)?;
        Ok(Self { inner })
    }

    /// PKCS#8 PEM with LF line endings; zeroized when dropped.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        self.inner
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Encode)
    }

    /// PKCS#8 DER; zeroized when dropped.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let doc = self.inner.to_pkcs8_der().map_err(|_| KeyError::Encode)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The public half.
    pub fn public_key(&self) -> RsaPublicKey {
        self.inner.to_public_key()
    }

    /// Modulus size in bytes (256 for RSA-2048).
    pub fn size(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        self.inner.size()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-1 (`openssl_sign` with its default algorithm, §3.1). The
    /// signature is deterministic; `rng` only blinds the private-key operation.
    pub fn sign_sha1<R: CryptoRng + ?Sized>(
        &self,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, KeyError> {
        self.inner
            .pkcs1v15_sign_with_rng::<Sha1, R>(rng, msg)
            .map_err(|_| KeyError::Sign)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256, used to self-sign our certificate.
    pub fn sign_sha256<R: CryptoRng + ?Sized>(
        &self,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, KeyError> {
        self.inner
            .pkcs1v15_sign_with_rng::<sha2::Sha256, R>(rng, msg)
            .map_err(|_| KeyError::Sign)
    }

    /// RSA PKCS#1 v1.5 decryption **with implicit rejection**: a ciphertext made for another key
    /// returns pseudo-random bytes, not an error. Callers must judge success by what the result
    /// decrypts to (§14). This is the RSA half of `openssl_open`.
    pub fn decrypt_pkcs1v15<R: CryptoRng + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.inner
            .pkcs1v15_decrypt_with_rng(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| KeyError::Decrypt)
    }
}
