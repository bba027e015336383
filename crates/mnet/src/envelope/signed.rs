//! The signed envelope (`mnet-protocol.md` §3): XMLDSig-shaped, not real XMLDSig. The signature
//! is RSASSA-PKCS1-v1_5 with SHA-1 over the exact inner XML-RPC bytes, with no
//! canonicalisation; `DigestValue` is the lowercase hex SHA-1 of the same bytes (§3.1).

use super::EnvelopeError;
use super::scan::{Scanned, required_wwwroot, scan};
use crate::keys::{PeerCertificate, SitePrivateKey};
use crate::xmlrpc::{Limits, decode_base64_lenient};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::CryptoRng;
use sha1::{Digest, Sha1};

/// A `<signedMessage>` as received: parsed, **not yet verified**. Its payload can only be
/// reached through [`SignedEnvelope::verify`].
#[derive(Debug, Clone)]
pub struct SignedEnvelope {
    payload: Vec<u8>,
    signature: Vec<u8>,
    wwwroot: String,
    timestamp: Option<i64>,
    digest_hex: Option<String>,
}

/// A signed envelope whose signature checked out against a peer's certificate.
#[derive(Debug, Clone)]
pub struct VerifiedEnvelope {
    /// The inner XML-RPC document, exactly as signed.
    pub payload: Vec<u8>,
    /// The sender's wwwroot as it appears in the envelope.
    pub wwwroot: String,
    /// The sender's `<timestamp>` (Unix seconds), if it sent a readable one.
    pub timestamp: Option<i64>,
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The RSA-SHA1 signature does not match the payload and the certificate's key.
    #[error("the signature does not verify against the peer's certificate")]
    BadSignature,
}

impl SignedEnvelope {
    /// Parses a `<signedMessage>` document (§3.3: case-insensitive, prefixes ignored).
    pub fn parse(input: &[u8], limits: &Limits) -> Result<Self, EnvelopeError> {
        Self::from_scanned(scan(input, limits)?)
    }

    pub(crate) fn from_scanned(s: Scanned) -> Result<Self, EnvelopeError> {
        let signature_b64 = s
            .signature_value
            .ok_or(EnvelopeError::Missing("SignatureValue"))?;
        let object = s.object.ok_or(EnvelopeError::Missing("object"))?;
        let wwwroot = required_wwwroot(s.wwwroot)?;
        let signature = decode_base64_lenient(&signature_b64)
            .ok_or(EnvelopeError::BadBase64("SignatureValue"))?;
        let payload = decode_base64_lenient(&object).ok_or(EnvelopeError::BadBase64("object"))?;
        let timestamp = s.timestamp.and_then(|t| t.trim().parse::<i64>().ok());
        Ok(Self {
            payload,
            signature,
            wwwroot,
            timestamp,
            digest_hex: s.digest_value,
        })
    }

    /// The wwwroot the sender **claims**; use it to find the certificate to verify with.
    pub fn claimed_wwwroot(&self) -> &str {
        &self.wwwroot
    }

    /// The `<timestamp>` as sent (not covered by the signature, §14).
    pub fn claimed_timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// Whether `<DigestValue>` equals the SHA-1 of the payload. Moodle never checks it; we only
    /// report it (the signature is what counts).
    pub fn digest_matches(&self) -> Option<bool> {
        self.digest_hex.as_ref().map(|d| {
            d.trim()
                .eq_ignore_ascii_case(&hex::encode(Sha1::digest(&self.payload)))
        })
    }

    /// Checks the RSA-SHA1 signature over the payload with the certificate's public key.
    pub fn verify(self, cert: &PeerCertificate) -> Result<VerifiedEnvelope, VerifyError> {
        cert.public_key()
            .pkcs1v15_verify::<Sha1>(&self.payload, &self.signature)
            .map_err(|_| VerifyError::BadSignature)?;
        Ok(VerifiedEnvelope {
            payload: self.payload,
            wwwroot: self.wwwroot,
            timestamp: self.timestamp,
        })
    }

    /// The payload **without** verification, for diagnostics only (e.g. to show an operator
    /// what an unverifiable message said). Never act on it.
    pub fn unverified_payload(&self) -> &[u8] {
        &self.payload
    }
}

/// Where the sender says its certificate can be fetched (§3.2): Moodle's path, or Mahara's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyPath {
    /// `/mnet/publickey.php`
    Moodle,
    /// `/api/xmlrpc/publickey.php`
    Mahara,
}

impl PublicKeyPath {
    fn as_str(self) -> &'static str {
        match self {
            PublicKeyPath::Moodle => "/mnet/publickey.php",
            PublicKeyPath::Mahara => "/api/xmlrpc/publickey.php",
        }
    }
}

/// Signs an XML-RPC document and wraps it in Moodle's `<signedMessage>` template, byte for byte
/// (§3.2). `rng` blinds the RSA operation; the signature itself is deterministic.
pub fn sign_envelope<R: CryptoRng + ?Sized>(
    payload: &[u8],
    key: &SitePrivateKey,
    wwwroot: &str,
    timestamp: i64,
    path: PublicKeyPath,
    rng: &mut R,
) -> Result<String, EnvelopeError> {
    let signature = key.sign_sha1(payload, rng)?;
    Ok(signed_template(
        payload, &signature, wwwroot, timestamp, path,
    ))
}

/// The template itself, with a signature already made.
pub(crate) fn signed_template(
    payload: &[u8],
    signature: &[u8],
    wwwroot: &str,
    timestamp: i64,
    path: PublicKeyPath,
) -> String {
    let digest = hex::encode(Sha1::digest(payload));
    let sig_b64 = STANDARD.encode(signature);
    let object = STANDARD.encode(payload);
    let www = xml_escape(wwwroot);
    let path = path.as_str();
    format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>
    <signedMessage>
        <Signature Id=\"MoodleSignature\" xmlns=\"http://www.w3.org/2000/09/xmldsig#\">
            <SignedInfo>
                <CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>
                <SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/>
                <Reference URI=\"#XMLRPC-MSG\">
                    <DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>
                    <DigestValue>{digest}</DigestValue>
                </Reference>
            </SignedInfo>
            <SignatureValue>{sig_b64}</SignatureValue>
            <KeyInfo>
                <RetrievalMethod URI=\"{www}{path}\"/>
            </KeyInfo>
        </Signature>
        <object ID=\"XMLRPC-MSG\">{object}</object>
        <wwwroot>{www}</wwwroot>
        <timestamp>{timestamp}</timestamp>
    </signedMessage>"
    )
}

/// wwwroots are ASCII URLs (§3.3); escape the XML specials anyway so a strange one cannot break
/// the document.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::xmlrpc::escape_into(&mut out, s, crate::xmlrpc::Escaping::Utf8);
    out
}
