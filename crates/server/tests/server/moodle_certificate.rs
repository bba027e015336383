//! The certificate a Moodle 4.5 makes for itself (serial 0, sha1WithRSAEncryption, 28 days,
//! Moodle's default subject), built from the `mnet` crate alone, for the peers the tests and the
//! benchmark (`benches/progress_report.rs`, through `#[path]`) put into a store. The simulator
//! makes the same certificate the same way; neither needs the other.

use mnet::keys::{
    CertificateRequest, CertificateSubject, PeerCertificate, SitePrivateKey,
    self_signed_certificate,
};

/// A certificate for `key` naming `wwwroot`, valid from `not_before` (Unix seconds), with
/// `site_name` as its organisation.
pub fn moodle_certificate(
    key: &SitePrivateKey,
    wwwroot: &str,
    site_name: &str,
    not_before: i64,
) -> PeerCertificate {
    let subject = CertificateSubject::moodle_default(wwwroot, site_name);
    let request = CertificateRequest::moodle_shaped(wwwroot, &subject, not_before);
    let pem = self_signed_certificate(key, &request, &mut rand::rng()).unwrap();
    PeerCertificate::from_pem(&pem).unwrap()
}
