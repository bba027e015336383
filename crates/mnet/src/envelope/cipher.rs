//! The symmetric half of `openssl_seal`/`openssl_open` (`mnet-protocol.md` §4.1).
//!
//! RC4 is what every Moodle and Mahara version uses: a 16-byte key, keystream from offset 0, no
//! IV, no padding, no MAC. AES-256-CBC is what `openssl_seal(..., 'aes-256-cbc')` produces (a
//! 32-byte key, a 16-byte IV, PKCS#7 padding); on the wire we carry it XMLENC-style, the IV in
//! front of the ciphertext, for peers that offer it. AES-128-CBC is read the same way.

use aes::{Aes128, Aes256};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use rc4::{KeyInit, Rc4, StreamCipher};
use zeroize::Zeroizing;

/// `EncryptionMethod/@Algorithm` for RC4 (Moodle's template).
pub const ALG_ARCFOUR: &str = "http://www.w3.org/2001/04/xmlenc#arcfour";
/// `EncryptionMethod/@Algorithm` for AES-256-CBC (XMLENC).
pub const ALG_AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
/// `EncryptionMethod/@Algorithm` for AES-128-CBC (XMLENC).
pub const ALG_AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";

/// The bulk cipher of an encrypted envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// RC4 with a 16-byte key: what Moodle and Mahara send and expect.
    Rc4,
    /// AES-256-CBC, IV prepended, PKCS#7 padding.
    Aes256Cbc,
    /// AES-128-CBC, IV prepended, PKCS#7 padding.
    Aes128Cbc,
}

impl Cipher {
    /// The XMLENC algorithm URI written into `EncryptionMethod`.
    pub fn algorithm_uri(self) -> &'static str {
        match self {
            Cipher::Rc4 => ALG_ARCFOUR,
            Cipher::Aes256Cbc => ALG_AES256_CBC,
            Cipher::Aes128Cbc => ALG_AES128_CBC,
        }
    }

    /// Recognises an algorithm URI; an absent attribute means RC4 (§4.1 recommendation).
    pub fn from_algorithm(uri: Option<&str>) -> Option<Cipher> {
        match uri.map(str::trim) {
            None | Some("") => Some(Cipher::Rc4),
            Some(u)
                if u.eq_ignore_ascii_case(ALG_ARCFOUR)
                    || u.ends_with("#arcfour")
                    || u.ends_with("#rc4") =>
            {
                Some(Cipher::Rc4)
            }
            Some(u) if u.eq_ignore_ascii_case(ALG_AES256_CBC) => Some(Cipher::Aes256Cbc),
            Some(u) if u.eq_ignore_ascii_case(ALG_AES128_CBC) => Some(Cipher::Aes128Cbc),
            Some(_) => None,
        }
    }

    /// Session key length generated when sealing.
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Rc4 => 16,
            Cipher::Aes256Cbc => 32,
            Cipher::Aes128Cbc => 16,
        }
    }

    /// Whether a recovered session key has a length this cipher can use. RC4 accepts what
    /// OpenSSL's `EVP_OpenInit` would (1–256 bytes); AES-256 needs exactly 32.
    pub(crate) fn accepts_key_len(self, len: usize) -> bool {
        match self {
            Cipher::Rc4 => (1..=256).contains(&len),
            Cipher::Aes256Cbc => len == 32,
            Cipher::Aes128Cbc => len == 16,
        }
    }
}

/// RC4 over `data` in place (encryption and decryption are the same operation).
pub fn rc4_apply(key: &[u8], data: &mut [u8]) -> Result<(), CipherError> {
    let mut rc4 = Rc4::new_from_slice(key).map_err(|_| CipherError)?;
    rc4.apply_keystream(data);
    Ok(())
}

/// AES-CBC encryption with PKCS#7 padding, as `openssl_encrypt(..., OPENSSL_RAW_DATA, iv)`;
/// AES-128 or AES-256 by key length.
pub fn aes_cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CipherError> {
    match key.len() {
        32 => Ok(cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CipherError)?
            .encrypt_padded_vec::<Pkcs7>(plaintext)),
        16 => Ok(cbc::Encryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(|_| CipherError)?
            .encrypt_padded_vec::<Pkcs7>(plaintext)),
        _ => Err(CipherError),
    }
}

/// AES-CBC decryption with the PKCS#7 padding checked; AES-128 or AES-256 by key length.
pub fn aes_cbc_decrypt(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CipherError> {
    let plain = match key.len() {
        32 => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CipherError)?
            .decrypt_padded_vec::<Pkcs7>(ciphertext),
        16 => cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(|_| CipherError)?
            .decrypt_padded_vec::<Pkcs7>(ciphertext),
        _ => return Err(CipherError),
    };
    plain.map(Zeroizing::new).map_err(|_| CipherError)
}

/// A symmetric operation failed (wrong key length, bad padding). Deliberately carries no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("symmetric decryption failed")]
pub struct CipherError;
