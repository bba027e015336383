//! Site keys and peer certificates (`mnet-protocol.md` §6).

mod certificate;
mod generate;
mod pem;
mod private;

pub use certificate::{CredentialError, PeerCertificate, SubjectFields, fingerprint};
pub use generate::{
    CertSignature, CertificateRequest, CertificateSubject, MOODLE_CERT_DAYS,
    self_signed_certificate,
};
pub use pem::{certificate_pem_from_der, der_from_certificate_pem, is_normalised};
pub use private::SitePrivateKey;

/// A key or certificate operation failed. Messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Key generation failed.
    #[error("RSA key generation failed")]
    Generate,
    /// The private key PEM/DER could not be read.
    #[error("the private key could not be read (expected PKCS#8 or PKCS#1 RSA)")]
    BadPrivateKey,
    /// The certificate could not be read.
    #[error("the certificate could not be read: {0}")]
    BadCertificate(&'static str),
    /// Encoding a key or certificate failed.
    #[error("encoding a key or certificate failed")]
    Encode,
    /// An RSA signature could not be made.
    #[error("RSA signing failed")]
    Sign,
    /// An RSA decryption failed outright (wrong ciphertext length, not a wrong key).
    #[error("RSA decryption failed")]
    Decrypt,
}
