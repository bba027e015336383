//! MNet's fault codes with Moodle's exact English strings (`mnet-protocol.md` §2.5 and §14), and
//! the layout each one is written in (hand-written MNet faults vs. the XML-RPC library's own).

use crate::xmlrpc::{write_library_fault, write_mnet_fault};

/// A fault MNet peers raise, with Moodle's code and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MnetFault {
    /// 1: `user_authorise` found no session for that token and user agent.
    NoSessionExists,
    /// 2: the SSO token's confirmation window has passed.
    SessionTimedOut,
    /// 3: the session's user does not match.
    UserMismatch,
    /// 17: the XML-RPC library's own "Internal server error" (a system method that threw).
    InternalServerError,
    /// 710: the request was signed but the signature does not verify.
    SignatureInvalid,
    /// 711: the request is not signed.
    NotSigned,
    /// 713: the method name fails the dispatcher's pattern.
    BadMethodName,
    /// 7000: unknown error.
    Unknown,
    /// 7012: no such RPC, or not published to the caller.
    NoSuchFunction,
    /// 7018/7019: unknown `system/` method (Moodle 4.5 actually answers 17, see capture 27).
    NoSuchSystemMethod(i32),
    /// 7020: the encrypted envelope's `<wwwroot>` is not a registered (non-deleted) peer.
    WrongWwwroot(String),
    /// 7021: unencrypted (or unsigned) non-keyswap request.
    ForbiddenTransport,
    /// 7023: no current or archived key opens the envelope.
    EncryptionInvalid,
    /// 7025: the sender used an archived certificate of ours; the string is our current PEM.
    KeyChanged(String),
    /// Any other code with its text (service-specific faults such as `schooltool_sis`'s).
    Other(i32, String),
}

impl MnetFault {
    /// The numeric code.
    pub fn code(&self) -> i32 {
        match self {
            MnetFault::NoSessionExists => 1,
            MnetFault::SessionTimedOut => 2,
            MnetFault::UserMismatch => 3,
            MnetFault::InternalServerError => 17,
            MnetFault::SignatureInvalid => 710,
            MnetFault::NotSigned => 711,
            MnetFault::BadMethodName => 713,
            MnetFault::Unknown => 7000,
            MnetFault::NoSuchFunction => 7012,
            MnetFault::NoSuchSystemMethod(c) => *c,
            MnetFault::WrongWwwroot(_) => 7020,
            MnetFault::ForbiddenTransport => 7021,
            MnetFault::EncryptionInvalid => 7023,
            MnetFault::KeyChanged(_) => 7025,
            MnetFault::Other(c, _) => *c,
        }
    }

    /// The `faultString`, as Moodle 4.5 writes it.
    pub fn text(&self) -> String {
        match self {
            MnetFault::NoSessionExists => "Authorisation failed: the mnet session does not exist.".into(),
            MnetFault::SessionTimedOut => "Authorisation failed: the mnet session has timed out.".into(),
            MnetFault::UserMismatch => "Authorisation failed: the user does not match.".into(),
            MnetFault::InternalServerError => "Internal server error".into(),
            MnetFault::SignatureInvalid => {
                "The signature verification failed. It appears that this payload was not signed by you.".into()
            }
            MnetFault::NotSigned => "The signature verification failed. An error has occurred.".into(),
            MnetFault::BadMethodName | MnetFault::NoSuchFunction => {
                "Unable to locate function, or function prohibited for RPC.".into()
            }
            MnetFault::Unknown => "An unknown error has occurred.".into(),
            MnetFault::NoSuchSystemMethod(_) => "Unable to locate function, or function prohibited for RPC.".into(),
            // Sic: Moodle 4.5 answers "{sender wwwroot}/wrong-wwwroot" (capture 10).
            MnetFault::WrongWwwroot(w) => format!("{w}/wrong-wwwroot"),
            MnetFault::ForbiddenTransport => "The transport method you are trying to use is not permitted.".into(),
            MnetFault::EncryptionInvalid => "mnet/encryption-invalid".into(),
            MnetFault::KeyChanged(pem) => pem.clone(),
            MnetFault::Other(_, s) => s.clone(),
        }
    }

    /// The fault as an XML-RPC document, in the layout Moodle uses for it: the library's layout
    /// for 17, MNet's hand-written one (3-space indentation) for everything else (§14).
    pub fn to_xml(&self) -> String {
        match self {
            MnetFault::InternalServerError => write_library_fault(self.code(), &self.text()),
            _ => write_mnet_fault(self.code(), &self.text()),
        }
    }

    /// Recognises a received fault code (for clients reading a peer's reply).
    pub fn from_code(code: i32, text: &str) -> MnetFault {
        match code {
            1 => MnetFault::NoSessionExists,
            2 => MnetFault::SessionTimedOut,
            3 => MnetFault::UserMismatch,
            17 => MnetFault::InternalServerError,
            710 => MnetFault::SignatureInvalid,
            711 => MnetFault::NotSigned,
            713 => MnetFault::BadMethodName,
            7000 => MnetFault::Unknown,
            7012 => MnetFault::NoSuchFunction,
            7018 | 7019 => MnetFault::NoSuchSystemMethod(code),
            7020 => MnetFault::WrongWwwroot(
                text.strip_suffix("/wrong-wwwroot")
                    .unwrap_or(text)
                    .to_owned(),
            ),
            7021 => MnetFault::ForbiddenTransport,
            7023 => MnetFault::EncryptionInvalid,
            7025 => MnetFault::KeyChanged(text.to_owned()),
            other => MnetFault::Other(other, text.to_owned()),
        }
    }
}

/// Moodle's dispatcher pattern for method names (`serverlib.php mnet_server_dispatch()`, §2.2);
/// a name that fails it gets fault 713.
pub fn method_name_is_valid(name: &str) -> bool {
    // ^[A-Za-z0-9]+/[A-Za-z0-9/_\.-]+(\.php/)?[A-Za-z0-9_-]+$ — the middle class already
    // contains every character of "(\.php/)?", so the pattern reduces to: a first segment of
    // alphanumerics, a '/', then at least one character of [A-Za-z0-9/_.-], and a final
    // character run of [A-Za-z0-9_-] of length ≥ 1 at the end.
    let Some((first, rest)) = name.split_once('/') else {
        return false;
    };
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let ok_mid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'.' | b'-');
    let ok_last = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    let bytes = rest.as_bytes();
    bytes.len() >= 2 && bytes.iter().all(|&b| ok_mid(b)) && ok_last(bytes[bytes.len() - 1])
}
