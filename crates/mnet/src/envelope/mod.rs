//! MNet's envelopes (`mnet-protocol.md` §3 signed, §4 encrypted) and the classification of an
//! incoming HTTP body (§5.2 step 1): encrypted iff it has a `CipherValue`, signed iff it has a
//! `SignatureValue`, otherwise plain XML-RPC.
//!
//! The typestates: [`Inbound`] → [`EncryptedEnvelope`] → (open) → [`OpenedEnvelope`] →
//! [`SignedEnvelope`] → (verify) → [`VerifiedEnvelope`]. Only the last one hands out a payload
//! that business logic may act on.

pub mod cipher;
mod encrypted;
mod scan;
mod signed;

pub use cipher::Cipher;
pub use encrypted::{EncryptedEnvelope, OpenError, OpenedEnvelope, seal_envelope};
pub use signed::{PublicKeyPath, SignedEnvelope, VerifiedEnvelope, VerifyError, sign_envelope};

use crate::keys::{KeyError, PeerCertificate, SitePrivateKey};
use crate::xmlrpc::Limits;
use rand_core::CryptoRng;

/// An envelope that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Not well-formed XML, or structurally impossible.
    #[error("malformed envelope: {0}")]
    Malformed(String),
    /// A required element is absent.
    #[error("the envelope has no <{0}>")]
    Missing(&'static str),
    /// An element that must hold base64 does not.
    #[error("<{0}> is not valid base64")]
    BadBase64(&'static str),
    /// A cryptographic operation failed while building an envelope.
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
}

impl From<KeyError> for EnvelopeError {
    fn from(_: KeyError) -> Self {
        EnvelopeError::Crypto("RSA signing failed")
    }
}

/// An HTTP body received at the MNet endpoint, classified as Moodle's server does (§5.2).
#[derive(Debug)]
pub enum Inbound {
    /// No `CipherValue` and no `SignatureValue`: a plain XML-RPC document (only `system/keyswap`
    /// may be served this way, §5.6).
    Plain(Vec<u8>),
    /// A `<signedMessage>` that was not encrypted.
    Signed(SignedEnvelope),
    /// An `<encryptedMessage>`.
    Encrypted(EncryptedEnvelope),
}

/// What an incoming body looked like, before any key was tried: for faults and the audit log.
impl Inbound {
    /// Classifies and parses a body. Errors only when an envelope is recognisable but broken.
    pub fn classify(body: &[u8], limits: &Limits) -> Result<Inbound, EnvelopeError> {
        let scanned = scan::scan(body, limits)?;
        if !scanned.cipher_values.is_empty()
            || scanned.root.eq_ignore_ascii_case("encryptedMessage")
        {
            return Ok(Inbound::Encrypted(EncryptedEnvelope::from_scanned(
                scanned,
            )?));
        }
        if scanned.signature_value.is_some() || scanned.root.eq_ignore_ascii_case("signedMessage") {
            return Ok(Inbound::Signed(SignedEnvelope::from_scanned(scanned)?));
        }
        Ok(Inbound::Plain(body.to_vec()))
    }

    /// The sender's claimed wwwroot, when the body is an envelope.
    pub fn claimed_wwwroot(&self) -> Option<&str> {
        match self {
            Inbound::Plain(_) => None,
            Inbound::Signed(s) => Some(s.claimed_wwwroot()),
            Inbound::Encrypted(e) => Some(e.claimed_wwwroot()),
        }
    }
}

/// Opens the signed envelope found inside an opened encrypted one.
impl OpenedEnvelope {
    /// Parses the decrypted `<signedMessage>`.
    pub fn signed_envelope(&self, limits: &Limits) -> Result<SignedEnvelope, EnvelopeError> {
        SignedEnvelope::parse(&self.signed, limits)
    }
}

/// How a reply (or a request) is wrapped: §5.2 step 6 — sign if the request was signed, then
/// encrypt if it was encrypted.
pub struct Wrapping<'a> {
    /// Sign with this key (for a 7025 reply: the archived key that opened the request, §5.4).
    pub sign_with: Option<&'a SitePrivateKey>,
    /// Encrypt to this certificate.
    pub encrypt_to: Option<&'a PeerCertificate>,
    /// Our wwwroot, written into both envelopes.
    pub wwwroot: &'a str,
    /// Our `time()`.
    pub timestamp: i64,
    /// Bulk cipher when encrypting (RC4 for every Moodle).
    pub cipher: Cipher,
    /// Where our certificate is advertised.
    pub publickey_path: PublicKeyPath,
}

impl Wrapping<'_> {
    /// Wraps an XML-RPC document.
    pub fn wrap<R: CryptoRng + ?Sized>(
        &self,
        xmlrpc: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, EnvelopeError> {
        let signed = match self.sign_with {
            Some(key) => sign_envelope(
                xmlrpc,
                key,
                self.wwwroot,
                self.timestamp,
                self.publickey_path,
                rng,
            )?
            .into_bytes(),
            None => xmlrpc.to_vec(),
        };
        match self.encrypt_to {
            Some(cert) => {
                Ok(seal_envelope(&signed, cert, self.wwwroot, self.cipher, rng)?.into_bytes())
            }
            None => Ok(signed),
        }
    }
}
