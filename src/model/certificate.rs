//! Certificates as the console shows them, **read in the browser** with the `mnet` crate: the
//! server sends the PEM along with its own reading (`CertificateInfo`), and the console parses
//! the PEM itself, so what an administrator confirms is what the browser saw, not only what the
//! server says. A fingerprint that differs between the two is shown as a warning and blocks the
//! confirmation.

use mnet::keys::PeerCertificate;
use schoolbridge_api::CertificateInfo;

use super::time::{DAY, days_between};

/// What the browser read from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Subject CN (Moodle: the wwwroot, at most 64 characters).
    pub common_name: Option<String>,
    /// Subject O (the site's name).
    pub organization: Option<String>,
    /// Subject OU ("Moodle", "Mahara").
    pub organizational_unit: Option<String>,
    /// The `subjectAltName` DN attribute Moodle puts in the subject (the full wwwroot).
    pub subject_alt_name: Option<String>,
    /// Issuer CN.
    pub issuer: String,
    /// Serial number, hex (Moodle's are `00`).
    pub serial: String,
    /// Signature algorithm name.
    pub algorithm: String,
    /// RSA key size.
    pub key_bits: usize,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// SHA-256 of the DER, colon-separated uppercase hex.
    pub fingerprint: String,
}

impl CertificateFacts {
    /// Reads a parsed certificate.
    pub fn of(cert: &PeerCertificate) -> Self {
        let subject = cert.subject();
        CertificateFacts {
            common_name: subject.common_name.clone(),
            organization: subject.organization.clone(),
            organizational_unit: subject.organizational_unit.clone(),
            subject_alt_name: subject.subject_alt_name.clone(),
            issuer: cert.issuer_common_name().to_owned(),
            serial: cert.serial_hex().to_owned(),
            algorithm: cert.signature_algorithm().to_owned(),
            key_bits: cert.key_bits(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            fingerprint: cert.fingerprint_sha256(),
        }
    }
}

/// The browser's reading compared with the server's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserReading {
    /// The browser parsed the PEM and got the server's fingerprint.
    Agrees(CertificateFacts),
    /// The browser parsed the PEM but its fingerprint is not the one the server reported.
    Disagrees {
        /// What the browser read.
        browser: CertificateFacts,
        /// What the server said.
        server_fingerprint: String,
    },
    /// The PEM could not be parsed in the browser.
    Unreadable(String),
}

impl BrowserReading {
    /// Parses `info.pem` with `mnet` and compares fingerprints.
    pub fn of(info: &CertificateInfo) -> Self {
        match PeerCertificate::from_pem(&info.pem) {
            Err(error) => BrowserReading::Unreadable(error.to_string()),
            Ok(cert) => {
                let facts = CertificateFacts::of(&cert);
                if same_fingerprint(&facts.fingerprint, &info.fingerprint) {
                    BrowserReading::Agrees(facts)
                } else {
                    BrowserReading::Disagrees {
                        browser: facts,
                        server_fingerprint: info.fingerprint.clone(),
                    }
                }
            }
        }
    }

    /// The facts to show, when the browser could read them.
    pub fn facts(&self) -> Option<&CertificateFacts> {
        match self {
            BrowserReading::Agrees(facts) | BrowserReading::Disagrees { browser: facts, .. } => {
                Some(facts)
            }
            BrowserReading::Unreadable(_) => None,
        }
    }

    /// The fingerprint an administrator may confirm: only one both sides agree on.
    pub fn confirmable_fingerprint(&self) -> Option<&str> {
        match self {
            BrowserReading::Agrees(facts) => Some(&facts.fingerprint),
            _ => None,
        }
    }
}

/// Fingerprints compare without regard to case or separators.
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_uppercase())
            .collect::<String>()
    };
    !a.is_empty() && norm(a) == norm(b)
}

/// A long fingerprint in two lines of 16 bytes, so it wraps where people can compare it.
pub fn fingerprint_lines(fingerprint: &str) -> Vec<String> {
    let bytes: Vec<&str> = fingerprint.split(':').collect();
    bytes.chunks(16).map(|chunk| chunk.join(":")).collect()
}

/// `AB:CD:EF:01…89:AB:CD:EF` for tables.
pub fn short_fingerprint(fingerprint: &str) -> String {
    let bytes: Vec<&str> = fingerprint.split(':').collect();
    if bytes.len() <= 8 {
        return fingerprint.to_owned();
    }
    format!(
        "{}…{}",
        bytes[..4].join(":"),
        bytes[bytes.len() - 4..].join(":")
    )
}

/// How close a key is to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Past notAfter.
    Expired {
        /// Whole days since.
        days_ago: i64,
    },
    /// Within the warning window.
    Soon {
        /// Whole days left (0: today).
        days_left: i64,
    },
    /// Comfortably valid.
    Valid {
        /// Whole days left.
        days_left: i64,
    },
}

/// Peers' keys: Moodle's last 28 days and are replaced lazily once expired, so a week's notice
/// is enough to look.
pub const PEER_WARNING_DAYS: i64 = 7;
/// Our own key: rotated on schedule; two weeks' notice means the schedule is not running.
pub const SITE_WARNING_DAYS: i64 = 14;

impl Expiry {
    /// Where `not_after` stands against `now`, warning `warn_days` ahead.
    pub fn assess(not_after: i64, now: i64, warn_days: i64) -> Self {
        if not_after <= now {
            Expiry::Expired {
                days_ago: days_between(not_after, now),
            }
        } else if not_after - now <= warn_days * DAY {
            Expiry::Soon {
                days_left: days_between(now, not_after),
            }
        } else {
            Expiry::Valid {
                days_left: days_between(now, not_after),
            }
        }
    }

    /// Whether to draw attention to it.
    pub fn warns(self) -> bool {
        !matches!(self, Expiry::Valid { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOODLE_CERT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/mnet/tests/vectors/moodle-4.5/moodle-cert.pem"
    ));

    fn info(pem: &str, fingerprint: &str) -> CertificateInfo {
        CertificateInfo {
            pem: pem.to_owned(),
            fingerprint: fingerprint.to_owned(),
            common_name: None,
            organization: None,
            not_before: 0,
            not_after: 0,
        }
    }

    #[test]
    fn a_real_moodle_certificate_is_read_in_the_browser() {
        let cert = PeerCertificate::from_pem(MOODLE_CERT).unwrap();
        let reading = BrowserReading::of(&info(MOODLE_CERT, &cert.fingerprint_sha256()));
        let BrowserReading::Agrees(facts) = &reading else {
            panic!("{reading:?}");
        };
        assert_eq!(facts.common_name.as_deref(), Some("http://127.0.0.1:8081"));
        assert_eq!(
            facts.subject_alt_name.as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(facts.serial, "00");
        assert_eq!(facts.key_bits, 2048);
        assert!(facts.not_after > facts.not_before);
        assert_eq!(
            reading.confirmable_fingerprint(),
            Some(facts.fingerprint.as_str())
        );
    }

    #[test]
    fn a_fingerprint_the_server_got_wrong_cannot_be_confirmed() {
        let reading = BrowserReading::of(&info(MOODLE_CERT, "00:11:22"));
        assert!(matches!(reading, BrowserReading::Disagrees { .. }));
        assert!(reading.facts().is_some());
        assert_eq!(reading.confirmable_fingerprint(), None);
        let garbage = BrowserReading::of(&info("not a pem", ""));
        assert!(matches!(garbage, BrowserReading::Unreadable(_)));
        assert_eq!(garbage.confirmable_fingerprint(), None);
    }

    #[test]
    fn fingerprints_compare_loosely_and_print_in_two_lines() {
        assert!(same_fingerprint("ab:cd", "AB:CD"));
        assert!(same_fingerprint("abcd", "AB:CD"));
        assert!(!same_fingerprint("", ""));
        assert!(!same_fingerprint("AB:CD", "AB:CE"));
        let fp = (0..32)
            .map(|i| format!("{i:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        let lines = fingerprint_lines(&fp);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("00:01") && lines[0].ends_with(":0F"));
        assert_eq!(short_fingerprint(&fp), "00:01:02:03…1C:1D:1E:1F");
        assert_eq!(short_fingerprint("AB:CD"), "AB:CD");
    }

    #[test]
    fn expiry_warns_ahead() {
        let now = 1_000 * DAY;
        assert_eq!(
            Expiry::assess(now + 30 * DAY, now, PEER_WARNING_DAYS),
            Expiry::Valid { days_left: 30 }
        );
        assert_eq!(
            Expiry::assess(now + 7 * DAY, now, PEER_WARNING_DAYS),
            Expiry::Soon { days_left: 7 }
        );
        assert_eq!(
            Expiry::assess(now + 3600, now, PEER_WARNING_DAYS),
            Expiry::Soon { days_left: 0 }
        );
        assert_eq!(
            Expiry::assess(now - 2 * DAY, now, PEER_WARNING_DAYS),
            Expiry::Expired { days_ago: 2 }
        );
        assert_eq!(
            Expiry::assess(now, now, PEER_WARNING_DAYS),
            Expiry::Expired { days_ago: 0 }
        );
        assert!(Expiry::assess(now + 10 * DAY, now, SITE_WARNING_DAYS).warns());
        assert!(!Expiry::assess(now + 10 * DAY, now, PEER_WARNING_DAYS).warns());
    }
}
