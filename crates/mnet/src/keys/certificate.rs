//! Peers' certificates (`mnet-protocol.md` §6): what is exchanged as a peer's "public key" is a
//! whole X.509 certificate in PEM. Parsed leniently — Moodle's own certificates have serial 0,
//! sha1WithRSAEncryption, and a `subjectAltName` **DN attribute** (OID 2.5.29.17) inside the
//! subject rather than an extension (§6.1, §14).

use super::KeyError;
use super::pem::{certificate_pem_from_der, der_from_certificate_pem};
use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode, Tag, Tagged};
use rsa::PublicKey as RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

const OID_CN: Oid = Oid::new_unwrap("2.5.4.3");
const OID_C: Oid = Oid::new_unwrap("2.5.4.6");
const OID_L: Oid = Oid::new_unwrap("2.5.4.7");
const OID_ST: Oid = Oid::new_unwrap("2.5.4.8");
const OID_O: Oid = Oid::new_unwrap("2.5.4.10");
const OID_OU: Oid = Oid::new_unwrap("2.5.4.11");
const OID_EMAIL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
/// `subjectAltName`, which `openssl_csr_new()` puts into the subject as an attribute (§6.1).
const OID_SAN: Oid = Oid::new_unwrap("2.5.29.17");
const OID_SHA1_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const OID_SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");

/// The subject fields Moodle's review page shows (§10 item 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectFields {
    /// CN: the wwwroot, at most 64 characters.
    pub common_name: Option<String>,
    /// The `subjectAltName` DN attribute: the full wwwroot, when present.
    pub subject_alt_name: Option<String>,
    /// O: the site's full name.
    pub organization: Option<String>,
    /// OU: "Moodle" or "Mahara".
    pub organizational_unit: Option<String>,
    /// C.
    pub country: Option<String>,
    /// ST.
    pub state: Option<String>,
    /// L.
    pub locality: Option<String>,
    /// emailAddress.
    pub email: Option<String>,
}

/// A parsed peer certificate.
#[derive(Debug, Clone)]
pub struct PeerCertificate {
    der: Vec<u8>,
    pem: String,
    public_key: RsaPublicKey,
    subject: SubjectFields,
    issuer: String,
    not_before: i64,
    not_after: i64,
    serial_hex: String,
    signature_algorithm: String,
    key_bits: usize,
}

/// Why a certificate is not acceptable for a peer (`mnet_peer::check_credentials`, §6.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The certificate's `subjectAltName` attribute differs from the wwwroot (Moodle's code 5).
    #[error("the certificate's subjectAltName {found:?} does not equal the wwwroot {wwwroot:?}")]
    SubjectAltNameMismatch {
        /// What the certificate says.
        found: String,
        /// The wwwroot we expected.
        wwwroot: String,
    },
    /// The CN differs from the first 64 characters of the wwwroot (Moodle's code 4).
    #[error("the certificate's common name {found:?} does not match the wwwroot {wwwroot:?}")]
    CommonNameMismatch {
        /// What the certificate says.
        found: String,
        /// The wwwroot we expected.
        wwwroot: String,
    },
}

impl PeerCertificate {
    /// Parses a certificate PEM (CRLF, other widths and surrounding text tolerated).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let der = der_from_certificate_pem(pem)
            .ok_or(KeyError::BadCertificate("not a certificate PEM"))?;
        Self::from_der(&der)
    }

    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let cert = Certificate::from_der(der)
            .map_err(|_| KeyError::BadCertificate("not an X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let spki_der = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| KeyError::BadCertificate("unreadable public key"))?;
        let public_key = RsaPublicKey::from_public_key_der(&spki_der)
            .map_err(|_| KeyError::BadCertificate("the public key is not RSA"))?;
        let key_bits = {
            use rsa::traits::PublicKeyParts;
            public_key.size() * 8
        };
        let mut subject = SubjectFields::default();
        for atv in tbs.subject().iter() {
            let Some(text) = any_to_string(&atv.value) else {
                continue;
            };
            let slot = match atv.oid {
                OID_CN => &mut subject.common_name,
                OID_SAN => &mut subject.subject_alt_name,
                OID_O => &mut subject.organization,
                OID_OU => &mut subject.organizational_unit,
                OID_C => &mut subject.country,
                OID_ST => &mut subject.state,
                OID_L => &mut subject.locality,
                OID_EMAIL => &mut subject.email,
                _ => continue,
            };
            slot.get_or_insert(text);
        }
        let issuer = tbs
            .issuer()
            .iter()
            .find(|a| a.oid == OID_CN)
            .and_then(|a| any_to_string(&a.value))
            .unwrap_or_default();
        let validity = tbs.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
        let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
        let sig_oid = cert.signature_algorithm().oid;
        let signature_algorithm = match sig_oid {
            OID_SHA1_RSA => "sha1WithRSAEncryption".to_owned(),
            OID_SHA256_RSA => "sha256WithRSAEncryption".to_owned(),
            other => other.to_string(),
        };
        Ok(Self {
            der: der.to_vec(),
            pem: certificate_pem_from_der(der),
            public_key,
            subject,
            issuer,
            not_before,
            not_after,
            serial_hex: hex::encode(tbs.serial_number().as_bytes()),
            signature_algorithm,
            key_bits,
        })
    }

    /// The certificate in Moodle's normalised PEM form (§6.3).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The RSA public key, for verifying and sealing.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }

    /// Subject fields.
    pub fn subject(&self) -> &SubjectFields {
        &self.subject
    }

    /// The issuer's CN (equal to the subject's for a self-signed certificate).
    pub fn issuer_common_name(&self) -> &str {
        &self.issuer
    }

    /// `notBefore`, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// `notAfter`, Unix seconds: Moodle's `public_key_expires` (§5.5).
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether the certificate has expired at `now` (Unix seconds).
    pub fn is_expired(&self, now: i64) -> bool {
        self.not_after < now
    }

    /// The serial number, hex (empty for serial 0's single zero byte stripped → "00").
    pub fn serial_hex(&self) -> &str {
        &self.serial_hex
    }

    /// The certificate's signature algorithm name.
    pub fn signature_algorithm(&self) -> &str {
        &self.signature_algorithm
    }

    /// RSA modulus size in bits.
    pub fn key_bits(&self) -> usize {
        self.key_bits
    }

    /// SHA-256 fingerprint of the DER, as colon-separated uppercase hex (what browsers show).
    pub fn fingerprint_sha256(&self) -> String {
        fingerprint(&self.der)
    }

    /// Moodle's `check_credentials` (§6.3): if the subject carries a `subjectAltName` attribute
    /// it must equal the wwwroot exactly, and the CN must equal the wwwroot's first 64
    /// characters (a trailing `/` stripped).
    pub fn check_credentials(&self, wwwroot: &str) -> Result<(), CredentialError> {
        let wwwroot = wwwroot.trim_end_matches('/');
        if let Some(san) = &self.subject.subject_alt_name
            && san != wwwroot
        {
            return Err(CredentialError::SubjectAltNameMismatch {
                found: san.clone(),
                wwwroot: wwwroot.to_owned(),
            });
        }
        let expected_cn: String = wwwroot.chars().take(64).collect();
        let cn = self.subject.common_name.clone().unwrap_or_default();
        if cn.trim_end_matches('/') != expected_cn {
            return Err(CredentialError::CommonNameMismatch {
                found: cn,
                wwwroot: wwwroot.to_owned(),
            });
        }
        Ok(())
    }
}

/// SHA-256 fingerprint of some DER, colon-separated uppercase hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A directory string of any of the usual ASN.1 string types, as UTF-8.
fn any_to_string(any: &der::Any) -> Option<String> {
    let bytes = any.value();
    match any.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
        // T61/Teletex: treat as Latin-1, which is what it holds in practice.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}
