//! The encrypted envelope (`mnet-protocol.md` §4): `openssl_seal` of the signed envelope to the
//! peer's certificate, in Moodle's `<encryptedMessage>` template — `EncryptedData` (the bulk
//! ciphertext) strictly before `EncryptedKey` (the RSA PKCS#1 v1.5-wrapped session key), because
//! Moodle takes the **last** `CipherValue` as the key (§4.3).
//!
//! Opening tries each private key in turn and decides success by the result, never by the RSA
//! call: rsa 0.10 (like OpenSSL ≥ 3.2) uses implicit rejection, so a wrong private key yields a
//! pseudo-random session key instead of an error (§11 item 11, §14). A key "opened" the envelope
//! only if the session key has a usable length and the plaintext is a signed envelope with
//! `<signedMessage>` in its first 100 bytes — the very check Moodle's client makes (§3.3).

use super::EnvelopeError;
use super::cipher::{Cipher, aes_cbc_decrypt, aes_cbc_encrypt, rc4_apply};
use super::scan::{Scanned, required_wwwroot, scan};
use super::signed::xml_escape;
use crate::keys::{PeerCertificate, SitePrivateKey};
use crate::xmlrpc::{Limits, decode_base64_lenient};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// An `<encryptedMessage>` as received: parsed, not opened.
#[derive(Debug, Clone)]
pub struct EncryptedEnvelope {
    data: Vec<u8>,
    wrapped_key: Vec<u8>,
    cipher: Option<Cipher>,
    algorithm: Option<String>,
    wwwroot: String,
}

/// An encrypted envelope that one of our keys opened: the signed envelope inside, and which key.
#[derive(Debug)]
pub struct OpenedEnvelope {
    /// The decrypted `<signedMessage>` document.
    pub signed: Zeroizing<Vec<u8>>,
    /// Index into the key list passed to [`EncryptedEnvelope::open`]: 0 is the current key; any
    /// other value means an archived key opened it and the sender needs our new certificate
    /// (fault 7025, §5.4).
    pub key_index: usize,
    /// The session key that opened it, for tests that re-encrypt and compare with a capture.
    pub session_key: Zeroizing<Vec<u8>>,
    /// The bulk cipher used.
    pub cipher: Cipher,
}

/// No key opened the envelope. One uniform error, whatever went wrong inside (wrong key, bad
/// padding, garbage plaintext), so failures reveal nothing (fault 7023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("none of our keys could open the encrypted envelope")]
pub struct OpenError;

impl EncryptedEnvelope {
    /// Parses an `<encryptedMessage>` document.
    pub fn parse(input: &[u8], limits: &Limits) -> Result<Self, EnvelopeError> {
        Self::from_scanned(scan(input, limits)?)
    }

    pub(crate) fn from_scanned(s: Scanned) -> Result<Self, EnvelopeError> {
        let wwwroot = required_wwwroot(s.wwwroot)?;
        let mut values = s.cipher_values;
        // Moodle: key = array_pop(), data = array_pop() (§4.3).
        let key_b64 = values.pop().ok_or(EnvelopeError::Missing("CipherValue"))?;
        let data_b64 = values.pop().ok_or(EnvelopeError::Missing("CipherValue"))?;
        let wrapped_key = decode_base64_lenient(&key_b64)
            .ok_or(EnvelopeError::BadBase64("EncryptedKey CipherValue"))?;
        let data = decode_base64_lenient(&data_b64)
            .ok_or(EnvelopeError::BadBase64("EncryptedData CipherValue"))?;
        let cipher = Cipher::from_algorithm(s.data_algorithm.as_deref());
        Ok(Self {
            data,
            wrapped_key,
            cipher,
            algorithm: s.data_algorithm,
            wwwroot,
        })
    }

    /// The wwwroot the sender claims, read before any decryption to find its host record (§5.2).
    pub fn claimed_wwwroot(&self) -> &str {
        &self.wwwroot
    }

    /// The bulk cipher named by `EncryptionMethod`, or `None` for an algorithm we do not know.
    pub fn cipher(&self) -> Option<Cipher> {
        self.cipher
    }

    /// The `EncryptionMethod` algorithm as written, for diagnostics.
    pub fn algorithm(&self) -> Option<&str> {
        self.algorithm.as_deref()
    }

    /// Whether the RSA-wrapped session key has the size `key` produces (its modulus in bytes):
    /// anything else cannot be opened by it, and is refused before any RSA work (§4.1).
    pub fn wrapped_key_fits(&self, key: &SitePrivateKey) -> bool {
        self.wrapped_key.len() == key.size()
    }

    /// Tries each key in order (current first, then archived) and returns the first that really
    /// opens the envelope. `rng` blinds the RSA operations.
    pub fn open<R: CryptoRng + ?Sized>(
        &self,
        keys: &[&SitePrivateKey],
        rng: &mut R,
    ) -> Result<OpenedEnvelope, OpenError> {
        let cipher = self.cipher.ok_or(OpenError)?;
        for (key_index, key) in keys.iter().enumerate() {
            let Ok(session_key) = key.decrypt_pkcs1v15(&self.wrapped_key, rng) else {
                continue;
            };
            if !cipher.accepts_key_len(session_key.len()) {
                continue;
            }
            let Some(signed) = decrypt_bulk(cipher, &session_key, &self.data) else {
                continue;
            };
            if looks_like_signed_envelope(&signed) {
                return Ok(OpenedEnvelope {
                    signed,
                    key_index,
                    session_key,
                    cipher,
                });
            }
        }
        Err(OpenError)
    }
}

fn decrypt_bulk(cipher: Cipher, key: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    match cipher {
        Cipher::Rc4 => {
            let mut buf = Zeroizing::new(data.to_vec());
            rc4_apply(key, &mut buf).ok()?;
            Some(buf)
        }
        Cipher::Aes256Cbc | Cipher::Aes128Cbc => {
            if data.len() < 32 || !data.len().is_multiple_of(16) {
                return None;
            }
            let (iv, ct) = data.split_at(16);
            aes_cbc_decrypt(key, iv, ct).ok()
        }
    }
}

/// Moodle's client check (§3.3): the literal `<signedMessage>` starts within the first 100 bytes
/// and not at offset 0. We accept offset 0 too (a bare document without a declaration), and
/// a prefix or different case, since a signed envelope is what we are looking for.
fn looks_like_signed_envelope(plain: &[u8]) -> bool {
    let head = &plain[..plain.len().min(128)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    head.trim_start().starts_with('<') && head.contains("signedmessage")
}

/// Seals a signed envelope to a peer's certificate in Moodle's `<encryptedMessage>` template,
/// byte for byte (§4.2). A fresh session key is drawn from `rng`.
pub fn seal_envelope<R: CryptoRng + ?Sized>(
    signed: &[u8],
    peer: &PeerCertificate,
    sender_wwwroot: &str,
    cipher: Cipher,
    rng: &mut R,
) -> Result<String, EnvelopeError> {
    let mut session_key = Zeroizing::new(vec![0u8; cipher.key_len()]);
    rng.fill_bytes(&mut session_key);
    let wrapped = peer
        .public_key()
        .pkcs1v15_encrypt_with_rng(rng, &session_key)
        .map_err(|_| EnvelopeError::Crypto("RSA encryption of the session key failed"))?;
    let data = match cipher {
        Cipher::Rc4 => {
            let mut buf = signed.to_vec();
            rc4_apply(&session_key, &mut buf).map_err(|_| EnvelopeError::Crypto("RC4 key"))?;
            buf
        }
        Cipher::Aes256Cbc | Cipher::Aes128Cbc => {
            let mut iv = [0u8; 16];
            rng.fill_bytes(&mut iv);
            let ct = aes_cbc_encrypt(&session_key, &iv, signed)
                .map_err(|_| EnvelopeError::Crypto("AES key"))?;
            let mut out = iv.to_vec();
            out.extend_from_slice(&ct);
            out
        }
    };
    Ok(encrypted_template(&data, &wrapped, sender_wwwroot, cipher))
}

/// The template itself, with the ciphertexts already made.
pub(crate) fn encrypted_template(
    data: &[u8],
    wrapped_key: &[u8],
    wwwroot: &str,
    cipher: Cipher,
) -> String {
    let data_b64 = STANDARD.encode(data);
    let key_b64 = STANDARD.encode(wrapped_key);
    let www = xml_escape(wwwroot);
    let alg = cipher.algorithm_uri();
    format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>
    <encryptedMessage>
        <EncryptedData Id=\"ED\" xmlns=\"http://www.w3.org/2001/04/xmlenc#\">
            <EncryptionMethod Algorithm=\"{alg}\"/>
            <ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">
                <ds:RetrievalMethod URI=\"#EK\" Type=\"http://www.w3.org/2001/04/xmlenc#EncryptedKey\"/>
                <ds:KeyName>XMLENC</ds:KeyName>
            </ds:KeyInfo>
            <CipherData>
                <CipherValue>{data_b64}</CipherValue>
            </CipherData>
        </EncryptedData>
        <EncryptedKey Id=\"EK\" xmlns=\"http://www.w3.org/2001/04/xmlenc#\">
            <EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-1_5\"/>
            <ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">
                <ds:KeyName>SSLKEY</ds:KeyName>
            </ds:KeyInfo>
            <CipherData>
                <CipherValue>{key_b64}</CipherValue>
            </CipherData>
            <ReferenceList>
                <DataReference URI=\"#ED\"/>
            </ReferenceList>
            <CarriedKeyName>XMLENC</CarriedKeyName>
        </EncryptedKey>
        <wwwroot>{www}</wwwroot>
    </encryptedMessage>"
    )
}
