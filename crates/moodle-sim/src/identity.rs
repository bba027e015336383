//! The simulated site's identity (`mnet-protocol.md` §6.1, §14): an RSA-2048 key and a
//! certificate shaped like the one Moodle's `mnet_generate_keypair()` makes — self-signed,
//! serial 0, sha1WithRSAEncryption, 28 days, subject C/ST/L/O/OU=Moodle/CN=wwwroot, the
//! `subjectAltName` *DN attribute* and emailAddress — and the key ring of the current pair plus
//! archived ones (§5.5) that still opens envelopes sealed to an old certificate.

use crate::error::SimError;
use mnet::keys::{
    CertificateRequest, CertificateSubject, PeerCertificate, SitePrivateKey,
    self_signed_certificate,
};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Moodle's certificate lifetime in days (`mnet_generate_keypair($dn = null, $days = 28)`).
pub use mnet::keys::MOODLE_CERT_DAYS;
/// Moodle's key size (`openssl.cnf` `default_bits` on any current system).
pub const MOODLE_KEY_BITS: usize = 2048;
/// How many archived key pairs Moodle keeps (`openssl_generations`, default 3).
pub const MOODLE_KEY_GENERATIONS: usize = 3;

/// A key pair and its certificate.
#[derive(Clone)]
pub struct SiteIdentity {
    key: Arc<SitePrivateKey>,
    certificate: PeerCertificate,
}

impl std::fmt::Debug for SiteIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteIdentity")
            .field("key", &"***")
            .field("subject", &self.certificate.subject().common_name)
            .field("fingerprint", &self.certificate.fingerprint_sha256())
            .finish()
    }
}

impl SiteIdentity {
    /// A key and a certificate that must hold its public half.
    pub fn new(key: SitePrivateKey, certificate_pem: &str) -> Result<Self, SimError> {
        let certificate = PeerCertificate::from_pem(certificate_pem)?;
        if *certificate.public_key() != key.public_key() {
            return Err(SimError::CertificateKeyMismatch);
        }
        Ok(Self {
            key: Arc::new(key),
            certificate,
        })
    }

    /// A Moodle-shaped certificate for an existing key, valid from `now` for 28 days.
    pub fn moodle_shaped(
        key: SitePrivateKey,
        wwwroot: &str,
        site_name: &str,
        now: i64,
    ) -> Result<Self, SimError> {
        let subject = CertificateSubject::moodle_default(wwwroot, site_name);
        let request = CertificateRequest::moodle_shaped(wwwroot, &subject, now);
        let pem = self_signed_certificate(&key, &request, &mut rand::rng())?;
        Self::new(key, &pem)
    }

    /// A fresh RSA-2048 key and its Moodle-shaped certificate. Key generation takes from a
    /// fraction of a second to a few seconds: call it off the async runtime.
    pub fn generate(wwwroot: &str, site_name: &str, now: i64) -> Result<Self, SimError> {
        let key = SitePrivateKey::generate(&mut rand::rng(), MOODLE_KEY_BITS)?;
        Self::moodle_shaped(key, wwwroot, site_name, now)
    }

    /// Reads a key file: a PEM private key, optionally with the certificate PEM beside it (as
    /// [`SiteIdentity::to_pem_bundle`] writes it). The certificate is reused when it holds
    /// this key, names this wwwroot and has not expired; otherwise a new one is made, so that
    /// one key file serves any wwwroot.
    pub fn from_pem_bundle(
        text: &str,
        wwwroot: &str,
        site_name: &str,
        now: i64,
    ) -> Result<Self, SimError> {
        let key_pem = pem_block(text, "PRIVATE KEY")
            .or_else(|| pem_block(text, "RSA PRIVATE KEY"))
            .ok_or(SimError::Key(mnet::keys::KeyError::BadPrivateKey))?;
        let key = SitePrivateKey::from_pem(key_pem)?;
        if let Some(cert_pem) = pem_block(text, "CERTIFICATE")
            && let Ok(identity) = Self::new(key.clone(), cert_pem)
            && identity.certificate.check_credentials(wwwroot).is_ok()
            && !identity.certificate.is_expired(now)
        {
            return Ok(identity);
        }
        Self::moodle_shaped(key, wwwroot, site_name, now)
    }

    /// The certificate PEM followed by the PKCS#8 private key PEM, for a key file. Zeroized
    /// when dropped.
    pub fn to_pem_bundle(&self) -> Result<Zeroizing<String>, SimError> {
        let key = self.key.to_pkcs8_pem()?;
        let mut out = Zeroizing::new(String::with_capacity(key.len() + 2048));
        out.push_str(self.certificate.pem());
        out.push_str(&key);
        Ok(out)
    }

    /// The private key.
    pub fn key(&self) -> &SitePrivateKey {
        &self.key
    }

    pub(crate) fn shared_key(&self) -> Arc<SitePrivateKey> {
        Arc::clone(&self.key)
    }

    /// The certificate.
    pub fn certificate(&self) -> &PeerCertificate {
        &self.certificate
    }

    /// The certificate as normalised PEM (64 columns, LF, trailing LF: §6.3).
    pub fn certificate_pem(&self) -> &str {
        self.certificate.pem()
    }
}

/// The text of the first `-----BEGIN {label}-----` … `-----END {label}-----` block.
fn pem_block<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let stop = text[start..].find(&end)? + start + end.len();
    Some(&text[start..stop])
}

/// The current key pair and the archived ones, newest first (§5.5).
#[derive(Debug, Clone)]
pub(crate) struct KeyRing {
    pub(crate) current: SiteIdentity,
    pub(crate) archived: Vec<SiteIdentity>,
}

impl KeyRing {
    pub(crate) fn new(current: SiteIdentity) -> Self {
        Self {
            current,
            archived: Vec::new(),
        }
    }

    /// Archives the current pair and makes `next` current, keeping Moodle's number of
    /// generations.
    pub(crate) fn rotate(&mut self, next: SiteIdentity) {
        let old = std::mem::replace(&mut self.current, next);
        self.archived.insert(0, old);
        self.archived.truncate(MOODLE_KEY_GENERATIONS);
    }

    /// Every private key, current first: the order in which envelopes are opened (§5.2).
    pub(crate) fn keys(&self) -> Vec<Arc<SitePrivateKey>> {
        std::iter::once(&self.current)
            .chain(&self.archived)
            .map(SiteIdentity::shared_key)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\nmore";
        assert_eq!(
            pem_block(text, "CERTIFICATE"),
            Some("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
        );
        assert_eq!(pem_block(text, "PRIVATE KEY"), None);
    }
}
