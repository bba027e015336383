//! Moodle's `PARAM_PEM` normal form for certificates (`mnet-protocol.md` §6.3): LF only,
//! base64 in 64-column lines, a trailing `\n`. Moodle compares keys as plain strings, so anything
//! else causes permanent "key mismatch" warnings and failed 7025 exchanges.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// Writes DER as a normalised certificate PEM.
pub fn certificate_pem_from_der(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str(BEGIN);
    out.push('\n');
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// Extracts the DER of a certificate PEM, tolerating CRLF, other line widths, surrounding text
/// and a missing trailing newline.
pub fn der_from_certificate_pem(pem: &str) -> Option<Vec<u8>> {
    let start = pem.find(BEGIN)? + BEGIN.len();
    let end = start + pem[start..].find(END)?;
    let body: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(body.as_bytes()).ok()
}

/// Whether `pem` is exactly in Moodle's normal form (what `clean_param(PARAM_PEM)` returns
/// unchanged).
pub fn is_normalised(pem: &str) -> bool {
    der_from_certificate_pem(pem).is_some_and(|der| certificate_pem_from_der(&der) == pem)
}
