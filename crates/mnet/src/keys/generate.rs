//! Making a certificate Moodle accepts (`mnet-protocol.md` §6.1, §13 "Identity"): self-signed,
//! subject with CN = wwwroot (≤ 64 characters) and the `subjectAltName` DN attribute equal to the
//! full wwwroot, as `openssl_csr_new()` writes it. The validity start is passed in (no clock here:
//! `SystemTime::now()` panics on wasm32).

use super::KeyError;
use super::SitePrivateKey;
use super::pem::certificate_pem_from_der;
use der::asn1::{
    BitString, Ia5StringRef, ObjectIdentifier as Oid, OctetString, PrintableStringRef, Uint,
    Utf8StringRef,
};
use der::{Any, Encode, Sequence};
use rand_core::CryptoRng;
use rsa::pkcs8::EncodePublicKey;
use sha1::{Digest, Sha1};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::time::Duration;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::name::RelativeDistinguishedName;

/// A DN as `SEQUENCE OF RelativeDistinguishedName` (the encoding of x509-cert's `Name`, which
/// cannot be built attribute by attribute without its `hazmat` feature).
type Name = Vec<RelativeDistinguishedName>;
use x509_cert::time::{Time, Validity};

/// The distinguished-name fields of a site certificate. CN and the subjectAltName attribute are
/// derived from the wwwroot.
#[derive(Debug, Clone)]
pub struct CertificateSubject {
    /// C (two letters), e.g. "NZ".
    pub country: String,
    /// ST.
    pub state: String,
    /// L.
    pub locality: String,
    /// O: the site's full name (≤ 64).
    pub organization: String,
    /// OU, e.g. "Moodle" (Moodle's own) or "SchoolBridge".
    pub organizational_unit: String,
    /// emailAddress.
    pub email: String,
}

/// How long Moodle's own certificates live, in days (`mnet_generate_keypair($dn = null,
/// $days = 28)`, `mnet-protocol.md` §5.5).
pub const MOODLE_CERT_DAYS: u32 = 28;

impl CertificateSubject {
    /// The subject a stock Moodle writes into its own certificate when the administrator who
    /// triggers key generation has no country, city or e-mail address and the site no no-reply
    /// address (`mnet_generate_keypair()`, §6.1): C=NZ, ST=L=Wellington, O = the site's full
    /// name, OU=Moodle, emailAddress = `noreply@{host}`. Used wherever we must look like a Moodle
    /// peer (the simulator, test peers, benchmarks).
    pub fn moodle_default(wwwroot: &str, site_name: &str) -> Self {
        CertificateSubject {
            country: "NZ".to_owned(),
            state: "Wellington".to_owned(),
            locality: "Wellington".to_owned(),
            organization: site_name.chars().take(64).collect(),
            organizational_unit: "Moodle".to_owned(),
            email: format!("noreply@{}", email_host(wwwroot)),
        }
    }
}

/// The host part of a wwwroot (no scheme, port or path), reduced to what an e-mail domain may
/// hold; `localhost` when nothing is left.
fn email_host(wwwroot: &str) -> String {
    let rest = wwwroot.split_once("://").map_or(wwwroot, |(_, r)| r);
    let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if host.is_empty() {
        "localhost".to_owned()
    } else {
        host
    }
}

/// The signature algorithm of the self-signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSignature {
    /// sha1WithRSAEncryption, as Moodle's certificates are (for the simulator).
    Sha1,
    /// sha256WithRSAEncryption (our own certificates).
    Sha256,
}

/// What to put into a new certificate.
#[derive(Debug, Clone)]
pub struct CertificateRequest<'a> {
    /// The site's wwwroot (no trailing slash).
    pub wwwroot: &'a str,
    /// Subject fields.
    pub subject: &'a CertificateSubject,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// Validity in days (Moodle: 28).
    pub days: u32,
    /// Serial number (Moodle: 0).
    pub serial: u64,
    /// Self-signature algorithm.
    pub signature: CertSignature,
}

impl<'a> CertificateRequest<'a> {
    /// The certificate Moodle's `mnet_generate_keypair()` makes for itself (§6.1, §14): valid
    /// for [`MOODLE_CERT_DAYS`] from `not_before`, serial 0, sha1WithRSAEncryption.
    pub fn moodle_shaped(
        wwwroot: &'a str,
        subject: &'a CertificateSubject,
        not_before: i64,
    ) -> Self {
        CertificateRequest {
            wwwroot,
            subject,
            not_before,
            days: MOODLE_CERT_DAYS,
            serial: 0,
            signature: CertSignature::Sha1,
        }
    }
}

#[derive(Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial: Uint,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct Cert {
    tbs: Tbs,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

const OID_SHA1_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const OID_SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");

fn der_err(_: der::Error) -> KeyError {
    KeyError::Encode
}

fn rdn(oid: &str, value: Any) -> Result<RelativeDistinguishedName, KeyError> {
    let oid = Oid::new(oid).map_err(|_| KeyError::Encode)?;
    RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }]).map_err(der_err)
}

fn utf8(s: &str) -> Result<Any, KeyError> {
    Any::encode_from(&Utf8StringRef::new(s).map_err(der_err)?).map_err(der_err)
}

/// Builds the subject in Moodle's order: C, ST, L, O, OU, CN, subjectAltName, emailAddress.
fn subject_name(wwwroot: &str, s: &CertificateSubject) -> Result<Name, KeyError> {
    let cn: String = wwwroot.trim_end_matches('/').chars().take(64).collect();
    let country = Any::encode_from(&PrintableStringRef::new(&s.country).map_err(der_err)?)
        .map_err(der_err)?;
    let email =
        Any::encode_from(&Ia5StringRef::new(&s.email).map_err(der_err)?).map_err(der_err)?;
    Ok(vec![
        rdn("2.5.4.6", country)?,
        rdn("2.5.4.8", utf8(&s.state)?)?,
        rdn("2.5.4.7", utf8(&s.locality)?)?,
        rdn("2.5.4.10", utf8(&truncate(&s.organization, 64))?)?,
        rdn("2.5.4.11", utf8(&s.organizational_unit)?)?,
        rdn("2.5.4.3", utf8(&cn)?)?,
        rdn("2.5.29.17", utf8(wwwroot.trim_end_matches('/'))?)?,
        rdn("1.2.840.113549.1.9.1", email)?,
    ])
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn time_at(unix: i64) -> Result<Time, KeyError> {
    let d = Duration::from_secs(u64::try_from(unix).map_err(|_| KeyError::Encode)?);
    let dt = der::DateTime::from_unix_duration(d).map_err(der_err)?;
    if dt.year() < 2050 {
        Ok(Time::UtcTime(
            der::asn1::UtcTime::from_date_time(dt).map_err(der_err)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// Self-signs a certificate for `key`; returns it as normalised PEM.
pub fn self_signed_certificate<R: CryptoRng + ?Sized>(
    key: &SitePrivateKey,
    req: &CertificateRequest<'_>,
    rng: &mut R,
) -> Result<String, KeyError> {
    let (sig_oid, null_params) = match req.signature {
        CertSignature::Sha1 => (OID_SHA1_RSA, true),
        CertSignature::Sha256 => (OID_SHA256_RSA, true),
    };
    let algorithm = AlgorithmIdentifierOwned {
        oid: sig_oid,
        parameters: null_params.then_some(Any::null()),
    };
    let spki_der = key
        .public_key()
        .to_public_key_der()
        .map_err(|_| KeyError::Encode)?;
    let spki =
        SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes()).map_err(|_| KeyError::Encode)?;
    let key_id = Sha1::digest(spki.subject_public_key.raw_bytes());
    let name = subject_name(req.wwwroot, req.subject)?;
    let not_after = req.not_before + i64::from(req.days) * 86_400;
    let validity = Validity::new(time_at(req.not_before)?, time_at(not_after)?);

    let ski = OctetString::new(key_id.to_vec())
        .map_err(der_err)?
        .to_der()
        .map_err(der_err)?;
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
    let mut aki = vec![0x30, (key_id.len() + 2) as u8, 0x80, key_id.len() as u8];
    aki.extend_from_slice(&key_id);
    // BasicConstraints ::= SEQUENCE { cA BOOLEAN TRUE }
    let basic = vec![0x30, 0x03, 0x01, 0x01, 0xFF];
    let extensions = vec![
        Extension {
            extn_id: Oid::new_unwrap("2.5.29.14"),
            critical: false,
            extn_value: OctetString::new(ski).map_err(der_err)?,
        },
        Extension {
            extn_id: Oid::new_unwrap("2.5.29.35"),
            critical: false,
            extn_value: OctetString::new(aki).map_err(der_err)?,
        },
        Extension {
            extn_id: Oid::new_unwrap("2.5.29.19"),
            critical: true,
            extn_value: OctetString::new(basic).map_err(der_err)?,
        },
    ];

    let tbs = Tbs {
        version: 2,
        serial: Uint::new(&req.serial.to_be_bytes()).map_err(der_err)?,
        signature: algorithm.clone(),
        issuer: name.clone(),
        validity,
        subject: name,
        spki,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(der_err)?;
    let signature = match req.signature {
        CertSignature::Sha1 => key.sign_sha1(&tbs_der, rng)?,
        CertSignature::Sha256 => key.sign_sha256(&tbs_der, rng)?,
    };
    let cert = Cert {
        tbs,
        algorithm,
        signature: BitString::from_bytes(&signature).map_err(der_err)?,
    };
    let der = cert.to_der().map_err(der_err)?;
    Ok(certificate_pem_from_der(&der))
}
