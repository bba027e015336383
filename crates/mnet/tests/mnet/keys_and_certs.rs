//! Our own certificates must be what Moodle accepts (§6.1, §6.3), and PEMs must be in Moodle's
//! normal form.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::support::{rng, test_key};
use mnet::keys::{
    CertSignature, CertificateRequest, CertificateSubject, PeerCertificate, SitePrivateKey,
    certificate_pem_from_der, der_from_certificate_pem, is_normalised, self_signed_certificate,
};

fn subject() -> CertificateSubject {
    CertificateSubject {
        country: "NZ".into(),
        state: "Wellington".into(),
        locality: "Wellington".into(),
        organization: "Springfield High — SchoolBridge".into(),
        organizational_unit: "SchoolBridge".into(),
        email: "noreply@schoolbridge.example".into(),
    }
}

fn make(wwwroot: &str, signature: CertSignature, serial: u64) -> String {
    let req = CertificateRequest {
        wwwroot,
        subject: &subject(),
        not_before: 1_795_000_000,
        days: 28,
        serial,
        signature,
    };
    self_signed_certificate(test_key(), &req, &mut rng()).unwrap()
}

#[test]
fn our_certificate_passes_moodles_checks() {
    let www = "https://sis.springfield.example/schoolbridge";
    let pem = make(www, CertSignature::Sha256, 1);
    assert!(is_normalised(&pem), "PEM must be in PARAM_PEM normal form");
    let cert = PeerCertificate::from_pem(&pem).unwrap();
    cert.check_credentials(www).unwrap();
    cert.check_credentials(&format!("{www}/")).unwrap();
    assert_eq!(cert.subject().common_name.as_deref(), Some(www));
    assert_eq!(cert.subject().subject_alt_name.as_deref(), Some(www));
    assert_eq!(
        cert.subject().organization.as_deref(),
        Some("Springfield High — SchoolBridge")
    );
    assert_eq!(cert.not_before(), 1_795_000_000);
    assert_eq!(cert.not_after(), 1_795_000_000 + 28 * 86_400);
    assert!(
        !cert.is_expired(1_795_000_000 + 86_400) && cert.is_expired(1_795_000_000 + 29 * 86_400)
    );
    assert_eq!(cert.signature_algorithm(), "sha256WithRSAEncryption");
    assert_eq!(cert.public_key(), &test_key().public_key());
    // The self-signature really verifies.
    use der::{Decode, Encode};
    let x = x509_cert::Certificate::from_der(cert.der()).unwrap();
    let tbs = x.tbs_certificate().to_der().unwrap();
    cert.public_key()
        .pkcs1v15_verify::<sha2::Sha256>(&tbs, x.signature().raw_bytes())
        .unwrap();
}

#[test]
fn a_moodle_shaped_certificate_has_serial_zero_and_sha1() {
    let pem = make("http://127.0.0.1:8081", CertSignature::Sha1, 0);
    let cert = PeerCertificate::from_pem(&pem).unwrap();
    assert_eq!(cert.serial_hex(), "00");
    assert_eq!(cert.signature_algorithm(), "sha1WithRSAEncryption");
    cert.check_credentials("http://127.0.0.1:8081").unwrap();
}

#[test]
fn moodles_own_certificate_shape_is_one_call_away() {
    let www = "http://127.0.0.1:8081";
    let subject = CertificateSubject::moodle_default(www, "Sim School");
    let req = CertificateRequest::moodle_shaped(www, &subject, 1_795_000_000);
    let pem = self_signed_certificate(test_key(), &req, &mut rng()).unwrap();
    let cert = PeerCertificate::from_pem(&pem).unwrap();
    assert_eq!(cert.serial_hex(), "00");
    assert_eq!(cert.signature_algorithm(), "sha1WithRSAEncryption");
    assert_eq!(cert.not_after(), 1_795_000_000 + 28 * 86_400);
    let s = cert.subject();
    let fields = [&s.country, &s.state, &s.locality, &s.organization];
    assert_eq!(
        fields.map(|f| f.as_deref()),
        [
            Some("NZ"),
            Some("Wellington"),
            Some("Wellington"),
            Some("Sim School")
        ]
    );
    assert_eq!(s.organizational_unit.as_deref(), Some("Moodle"));
    assert_eq!(s.email.as_deref(), Some("noreply@127.0.0.1"));
    cert.check_credentials(www).unwrap();
    // The e-mail's host is the wwwroot's, without path or port; never empty.
    for (wwwroot, email) in [
        (
            "https://moodle.example.org:8443/sub/dir",
            "noreply@moodle.example.org",
        ),
        ("nonsense", "noreply@nonsense"),
        ("http://", "noreply@localhost"),
    ] {
        let subject = CertificateSubject::moodle_default(wwwroot, "X");
        assert_eq!(subject.email, email, "{wwwroot}");
    }
}

#[test]
fn long_wwwroots_put_64_characters_in_the_cn() {
    let www = format!("https://example.org/{}", "x".repeat(80));
    let cert = PeerCertificate::from_pem(&make(&www, CertSignature::Sha256, 2)).unwrap();
    assert_eq!(
        cert.subject().common_name.as_ref().unwrap().chars().count(),
        64
    );
    cert.check_credentials(&www).unwrap();
}

#[test]
fn pem_normalisation() {
    let pem = make("http://a.example", CertSignature::Sha256, 3);
    let der = der_from_certificate_pem(&pem).unwrap();
    assert_eq!(certificate_pem_from_der(&der), pem);
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(line.len() <= 64);
    }
    // CRLF, 76 columns, no trailing newline: readable, but not normal.
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let wide: Vec<String> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let messy = format!(
        "-----BEGIN CERTIFICATE-----\r\n{}\r\n-----END CERTIFICATE-----",
        wide.join("\r\n")
    );
    assert!(!is_normalised(&messy));
    let cert = PeerCertificate::from_pem(&messy).unwrap();
    assert_eq!(cert.pem(), pem);
    assert!(
        PeerCertificate::from_pem(
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"
        )
        .is_err()
    );
    assert!(PeerCertificate::from_pem("hello").is_err());
}

#[test]
fn private_keys_round_trip_and_never_print() {
    let key = test_key();
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let back = SitePrivateKey::from_pem(&pem).unwrap();
    assert_eq!(back.public_key(), key.public_key());
    assert_eq!(format!("{key:?}"), "SitePrivateKey(***)");
    assert!(
        SitePrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .is_err()
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn fresh_keys_work_end_to_end() {
    let key = SitePrivateKey::generate(&mut rng(), 2048).unwrap();
    assert_eq!(key.size(), 256);
    let req = CertificateRequest {
        wwwroot: "http://fresh.example",
        subject: &subject(),
        not_before: 1_800_000_000,
        days: 365,
        serial: 9,
        signature: CertSignature::Sha256,
    };
    let cert = PeerCertificate::from_pem(&self_signed_certificate(&key, &req, &mut rng()).unwrap())
        .unwrap();
    assert_eq!(cert.public_key(), &key.public_key());
}
