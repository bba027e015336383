//! MNet envelopes **checked in the browser**: the audit log and the test client hand the console
//! the signed envelope as it was received plus the signer's certificate, and the console parses
//! and verifies them with the same `mnet` code the server runs (`mnet-protocol.md` §3), so an
//! administrator does not have to trust the server's word that a message was signed.

use mnet::envelope::{Inbound, SignedEnvelope};
use mnet::keys::PeerCertificate;
use mnet::xmlrpc::{Limits, MethodResponse, Value, parse_call, parse_response};

/// An XML-RPC document, decoded for people.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// A `methodCall`.
    Call {
        /// The method path.
        method: String,
        /// Each parameter, pretty-printed.
        params: Vec<String>,
    },
    /// A successful `methodResponse`, pretty-printed.
    Value(String),
    /// A fault response.
    Fault {
        /// Fault code.
        code: i32,
        /// Fault text.
        text: String,
    },
    /// Not XML-RPC (the reason, from the parser).
    Unreadable(String),
}

/// Decodes a `methodCall` or a `methodResponse`.
pub fn decode(xml: &[u8]) -> Decoded {
    let limits = Limits::default();
    if let Ok(call) = parse_call(xml, &limits) {
        return Decoded::Call {
            method: call.method_name,
            params: call.params.iter().map(render).collect(),
        };
    }
    match parse_response(xml, &limits) {
        Ok(MethodResponse::Success(value)) => Decoded::Value(render(&value)),
        Ok(MethodResponse::Fault(fault)) => Decoded::Fault {
            code: fault.code,
            text: fault.string,
        },
        Err(error) => Decoded::Unreadable(error.to_string()),
    }
}

/// The response's value, when `xml` is a successful `methodResponse`.
pub fn response_value(xml: &[u8]) -> Option<Value> {
    match parse_response(xml, &Limits::default()) {
        Ok(MethodResponse::Success(value)) => Some(value),
        _ => None,
    }
}

/// Pretty-prints a value: scalars as text, structs as `name: value` lines, arrays as `-` items,
/// nested levels indented by two spaces.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    render_into(value, 0, &mut out);
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn render_into(value: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Struct(members) if members.is_empty() => out.push_str(&format!("{pad}{{}}\n")),
        Value::Struct(members) => {
            for (name, member) in members.iter() {
                if is_nested(member) {
                    out.push_str(&format!("{pad}{name}:\n"));
                    render_into(member, depth + 1, out);
                } else {
                    out.push_str(&format!("{pad}{name}: {}\n", scalar(member)));
                }
            }
        }
        Value::Array(items) if items.is_empty() => out.push_str(&format!("{pad}[]\n")),
        Value::Array(items) => {
            for item in items {
                if is_nested(item) {
                    out.push_str(&format!("{pad}-\n"));
                    render_into(item, depth + 1, out);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn is_nested(value: &Value) -> bool {
    matches!(value, Value::Struct(s) if !s.is_empty())
        || matches!(value, Value::Array(a) if !a.is_empty())
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        Value::Base64(bytes) => format!("<{} bytes of base64>", bytes.len()),
        Value::Nil => "nil".to_owned(),
        Value::Struct(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        other => other.to_text_lenient().unwrap_or_default(),
    }
}

/// What kind of text an audit entry kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Envelope {
    /// Nothing was kept; the server's note says why, when it gave one.
    Missing(Option<String>),
    /// A `<signedMessage>`: what it claims, and its content **not yet verified**.
    Signed {
        /// The sender's wwwroot as written in the envelope.
        claimed_wwwroot: String,
        /// Its `<timestamp>`.
        timestamp: Option<i64>,
        /// Whether `<DigestValue>` matches the content (Moodle never checks it).
        digest_matches: Option<bool>,
        /// The content, decoded but unverified.
        unverified: Decoded,
    },
    /// An `<encryptedMessage>` the server could not (or did not) open; only the site's private
    /// key opens it, and that never reaches the browser.
    Encrypted {
        /// The sender's wwwroot as written in the envelope.
        claimed_wwwroot: String,
    },
    /// Plain XML-RPC: nothing to verify.
    Plain(Decoded),
    /// Something else (a certificate PEM from a key exchange, a broken envelope).
    Other(String),
}

/// Classifies an envelope as MNet's server does (§5.2 step 1).
pub fn inspect(envelope: Option<&str>, note: Option<&str>) -> Envelope {
    let Some(text) = envelope.filter(|text| !text.trim().is_empty()) else {
        return Envelope::Missing(note.map(str::to_owned));
    };
    if text.trim_start().starts_with("-----BEGIN") {
        return Envelope::Other(text.to_owned());
    }
    match Inbound::classify(text.as_bytes(), &Limits::default()) {
        Ok(Inbound::Signed(signed)) => Envelope::Signed {
            claimed_wwwroot: signed.claimed_wwwroot().to_owned(),
            timestamp: signed.claimed_timestamp(),
            digest_matches: signed.digest_matches(),
            unverified: decode(signed.unverified_payload()),
        },
        Ok(Inbound::Encrypted(encrypted)) => Envelope::Encrypted {
            claimed_wwwroot: encrypted.claimed_wwwroot().to_owned(),
        },
        Ok(Inbound::Plain(body)) => Envelope::Plain(decode(&body)),
        Err(_) => Envelope::Other(text.to_owned()),
    }
}

/// The outcome of checking a signature in the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureCheck {
    /// RSA-SHA1 over the content verifies against the certificate.
    Valid {
        /// The certificate's SHA-256 fingerprint.
        signer_fingerprint: String,
        /// The sender's wwwroot as written in the envelope.
        wwwroot: String,
        /// The sender's timestamp.
        timestamp: Option<i64>,
        /// The verified content.
        content: Decoded,
    },
    /// The signature does not match this certificate (tampered, or signed by an older key).
    Invalid {
        /// The certificate's SHA-256 fingerprint.
        signer_fingerprint: String,
    },
    /// There is no certificate to check against.
    NoCertificate,
    /// The certificate could not be parsed.
    BadCertificate(String),
    /// The text is not a signed envelope.
    NotSigned,
    /// The envelope could not be parsed.
    Unreadable(String),
}

/// Parses `envelope` as a `<signedMessage>` and verifies it against `signer_pem`.
pub fn check_signature(envelope: &str, signer_pem: Option<&str>) -> SignatureCheck {
    let signed = match Inbound::classify(envelope.as_bytes(), &Limits::default()) {
        Ok(Inbound::Signed(_)) => {
            match SignedEnvelope::parse(envelope.as_bytes(), &Limits::default()) {
                Ok(signed) => signed,
                Err(error) => return SignatureCheck::Unreadable(error.to_string()),
            }
        }
        Ok(_) => return SignatureCheck::NotSigned,
        Err(error) => return SignatureCheck::Unreadable(error.to_string()),
    };
    let Some(pem) = signer_pem.filter(|pem| !pem.trim().is_empty()) else {
        return SignatureCheck::NoCertificate;
    };
    let certificate = match PeerCertificate::from_pem(pem) {
        Ok(certificate) => certificate,
        Err(error) => return SignatureCheck::BadCertificate(error.to_string()),
    };
    let signer_fingerprint = certificate.fingerprint_sha256();
    match signed.verify(&certificate) {
        Ok(verified) => SignatureCheck::Valid {
            signer_fingerprint,
            wwwroot: verified.wwwroot,
            timestamp: verified.timestamp,
            content: decode(&verified.payload),
        },
        Err(_) => SignatureCheck::Invalid { signer_fingerprint },
    }
}

/// The verified content of a signed envelope as an XML-RPC value, for pages that read the
/// answer's structure (the test client's service and method lists). `None` unless the
/// signature verifies.
pub fn verified_value(envelope: &str, signer_pem: &str) -> Option<Value> {
    let signed = SignedEnvelope::parse(envelope.as_bytes(), &Limits::default()).ok()?;
    let certificate = PeerCertificate::from_pem(signer_pem).ok()?;
    let verified = signed.verify(&certificate).ok()?;
    response_value(&verified.payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::moodle_vectors::moodle_vector as vector;

    #[test]
    fn a_real_moodle_reply_verifies_and_decodes() {
        let envelope = vector("20_listServices_signed_encrypted.response.decrypted.xml");
        let cert = vector("moodle-cert.pem");
        let check = check_signature(&envelope, Some(&cert));
        let SignatureCheck::Valid {
            wwwroot, content, ..
        } = &check
        else {
            panic!("{check:?}");
        };
        assert_eq!(wwwroot, "http://127.0.0.1:8081");
        let Decoded::Value(text) = content else {
            panic!("{content:?}");
        };
        assert!(text.contains("name: \"sso_idp\""), "{text}");
        let value = verified_value(&envelope, &cert).unwrap();
        assert!(value.list_lenient().unwrap().len() >= 3);
    }

    #[test]
    fn a_tampered_reply_or_the_wrong_key_does_not_verify() {
        let envelope = vector("20_listServices_signed_encrypted.response.decrypted.xml");
        let other = vector("peer.cert.pem");
        assert!(matches!(
            check_signature(&envelope, Some(&other)),
            SignatureCheck::Invalid { .. }
        ));
        assert!(verified_value(&envelope, &other).is_none());
        assert_eq!(
            check_signature(&envelope, None),
            SignatureCheck::NoCertificate
        );
        assert!(matches!(
            check_signature(&envelope, Some("junk")),
            SignatureCheck::BadCertificate(_)
        ));
        // Change one character of the signed content (base64 in <object>).
        let object = envelope.find("<object").unwrap();
        let start = object + envelope[object..].find('>').unwrap() + 11;
        let mut bytes = envelope.into_bytes();
        bytes[start] = if bytes[start] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        let cert = vector("moodle-cert.pem");
        assert!(matches!(
            check_signature(&tampered, Some(&cert)),
            SignatureCheck::Invalid { .. }
        ));
    }

    #[test]
    fn plain_encrypted_and_missing_envelopes_are_told_apart() {
        let plain = vector("02_listMethods_unsigned.request.xml");
        assert_eq!(
            check_signature(&plain, Some("x")),
            SignatureCheck::NotSigned
        );
        assert!(matches!(
            inspect(Some(&plain), None),
            Envelope::Plain(Decoded::Call { ref method, .. }) if method == "system/listMethods"
        ));
        let wire = vector("20_listServices_signed_encrypted.response.wire.xml");
        assert!(matches!(
            inspect(Some(&wire), None),
            Envelope::Encrypted { .. }
        ));
        let signed = vector("20_listServices_signed_encrypted.response.decrypted.xml");
        assert!(matches!(
            inspect(Some(&signed), None),
            Envelope::Signed {
                digest_matches: Some(true),
                ..
            }
        ));
        assert_eq!(
            inspect(None, Some("withheld: password fields")),
            Envelope::Missing(Some("withheld: password fields".into()))
        );
        let pem = vector("moodle-cert.pem");
        assert!(matches!(inspect(Some(&pem), None), Envelope::Other(_)));
    }

    #[test]
    fn faults_and_values_render_for_people() {
        let fault = vector("02_listMethods_unsigned.response.xml");
        assert!(matches!(
            decode(fault.as_bytes()),
            Decoded::Fault { code: 7021, .. }
        ));
        let value = Value::Struct(
            mnet::xmlrpc::Struct::new()
                .with("name", "jdoe")
                .with(
                    "hosts",
                    Value::Array(vec![Value::from(1_i64), Value::from(true)]),
                )
                .with("empty", Value::Array(vec![])),
        );
        assert_eq!(
            render(&value),
            "name: \"jdoe\"\nhosts:\n  - 1\n  - 1\nempty: []"
        );
        assert!(matches!(decode(b"nonsense"), Decoded::Unreadable(_)));
    }
}
