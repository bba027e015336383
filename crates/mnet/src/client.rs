//! The calling side of MNet, sans I/O (`mnet-protocol.md` §5.1 and §5.6): build a signed and
//! encrypted request, and read the reply exactly as Moodle's `mnet_xmlrpc_client::send()` does —
//! refuse unencrypted replies (reporting a plain fault as a remote error), open with the current
//! then archived keys, require a signed envelope, check the clock, hand a 7025 back **before**
//! checking the signature (the caller stores the new certificate and retries once), then verify.

use crate::envelope::{Cipher, EncryptedEnvelope, EnvelopeError, Inbound, PublicKeyPath, Wrapping};
use crate::keys::{KeyError, PeerCertificate, SitePrivateKey};
use crate::xmlrpc::{Fault, Limits, MethodResponse, Value, parse_response, write_call};
use rand_core::CryptoRng;

/// Moodle's default and minimum drift threshold, in seconds (§5.3).
pub const DEFAULT_DRIFT_THRESHOLD: i64 = 15;

/// Who is calling: our identity.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// Our wwwroot.
    pub wwwroot: &'a str,
    /// Our current private key (signs the request).
    pub key: &'a SitePrivateKey,
    /// Where our certificate is advertised.
    pub publickey_path: PublicKeyPath,
}

/// Builds the body of a signed and encrypted MNet call (§5.1 steps 2–4), with the XML-RPC
/// written as Moodle 4.5's client writes it. Returns the inner XML-RPC too, for the audit log.
pub fn build_request<R: CryptoRng + ?Sized>(
    caller: &Caller<'_>,
    peer: &PeerCertificate,
    method: &str,
    params: &[Value],
    timestamp: i64,
    cipher: Cipher,
    rng: &mut R,
) -> Result<BuiltRequest, EnvelopeError> {
    let xmlrpc = write_call(method, params);
    let wrapping = Wrapping {
        sign_with: Some(caller.key),
        encrypt_to: Some(peer),
        wwwroot: caller.wwwroot,
        timestamp,
        cipher,
        publickey_path: caller.publickey_path,
    };
    let body = wrapping.wrap(xmlrpc.as_bytes(), rng)?;
    Ok(BuiltRequest { body, xmlrpc })
}

/// A request ready to POST.
#[derive(Debug, Clone)]
pub struct BuiltRequest {
    /// The HTTP body (`<encryptedMessage>`).
    pub body: Vec<u8>,
    /// The inner `methodCall`.
    pub xmlrpc: String,
}

/// A reply as read: what it said, and the peer's signed envelope (kept for the audit log, so the
/// signature can be checked again later).
#[derive(Debug, Clone)]
pub struct ReadReply {
    /// The reply.
    pub reply: Reply,
    /// The decrypted `<signedMessage>` the peer sent.
    pub signed_envelope: Vec<u8>,
}

/// A verified reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The method's return value.
    Value(Value),
    /// A fault, signed and encrypted by the peer (so it really comes from the peer).
    Fault(Fault),
    /// Fault 7025: the peer has a new certificate (the PEM). Store it and re-send once.
    KeyChanged(String),
}

/// Why a reply was not accepted. The prefixes of Moodle's client errors are kept in the text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplyError {
    /// The peer answered with a plain, unsigned fault (7020 and 7023 are sent that way, §2.4).
    #[error("4: remote server error: code: {}, message: {}", .0.code, .0.string)]
    RemoteFault(Fault),
    /// The reply was not encrypted and was not a fault.
    #[error("1:Payload not encrypted")]
    NotEncrypted,
    /// The reply could not be parsed.
    #[error("3:XML Parse error in payload: {0}")]
    Parse(String),
    /// None of our keys opened it.
    #[error("3:No key match")]
    NoKeyMatch,
    /// Opened, but not a signed envelope.
    #[error("2:Payload not signed")]
    NotSigned,
    /// The peer's clock is ahead of ours by more than the threshold (§5.3).
    #[error(
        "6:Time gap with the peer ({offset} seconds) is greater than the permitted maximum of {threshold} seconds"
    )]
    ClockAhead {
        /// Estimated offset in seconds.
        offset: i64,
        /// The threshold.
        threshold: i64,
    },
    /// The signature did not verify against the certificate we hold.
    #[error("Invalid signature")]
    BadSignature,
}

/// Timing of the exchange, for the clock check.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// `time()` just before sending.
    pub sent: i64,
    /// `time()` just after receiving.
    pub received: i64,
    /// Maximum tolerated lead of the peer's clock (Moodle: 15 s).
    pub drift_threshold: i64,
}

/// Reads the reply to a signed and encrypted call (§5.1 steps 7–12).
pub fn read_reply<R: CryptoRng + ?Sized>(
    body: &[u8],
    our_keys: &[&SitePrivateKey],
    peer: &PeerCertificate,
    timing: Timing,
    limits: &Limits,
    rng: &mut R,
) -> Result<ReadReply, ReplyError> {
    let trimmed = trim_ascii(body);
    let inbound =
        Inbound::classify(trimmed, limits).map_err(|e| ReplyError::Parse(e.to_string()))?;
    let encrypted: EncryptedEnvelope = match inbound {
        Inbound::Encrypted(e) => e,
        Inbound::Plain(plain) => {
            return match parse_response(&plain, limits) {
                Ok(MethodResponse::Fault(f)) => Err(ReplyError::RemoteFault(f)),
                Ok(MethodResponse::Success(_)) => Err(ReplyError::NotEncrypted),
                Err(e) => Err(ReplyError::Parse(e.to_string())),
            };
        }
        Inbound::Signed(_) => return Err(ReplyError::NotEncrypted),
    };
    let opened = encrypted
        .open(our_keys, rng)
        .map_err(|_| ReplyError::NoKeyMatch)?;
    let signed = opened
        .signed_envelope(limits)
        .map_err(|_| ReplyError::NotSigned)?;
    check_clock(signed.claimed_timestamp(), timing)?;
    // Moodle decodes the payload and handles 7025 before checking the signature (§5.1 11–12).
    let response = parse_response(signed.unverified_payload(), limits)
        .map_err(|e| ReplyError::Parse(e.to_string()))?;
    let signed_envelope = opened.signed.to_vec();
    if let MethodResponse::Fault(f) = &response
        && f.code == 7025
    {
        return Ok(ReadReply {
            reply: Reply::KeyChanged(f.string.clone()),
            signed_envelope,
        });
    }
    signed.verify(peer).map_err(|_| ReplyError::BadSignature)?;
    let reply = match response {
        MethodResponse::Success(v) => Reply::Value(v),
        MethodResponse::Fault(f) => Reply::Fault(f),
    };
    Ok(ReadReply {
        reply,
        signed_envelope,
    })
}

/// Moodle's drift check (§5.3): only a peer clock *ahead* of ours is refused.
pub fn check_clock(remote: Option<i64>, t: Timing) -> Result<(), ReplyError> {
    let Some(remote) = remote else { return Ok(()) };
    let hysteresis = (t.received - t.sent) / 2;
    let offset = (remote - hysteresis) - t.sent;
    if offset > 0 && offset > t.drift_threshold {
        return Err(ReplyError::ClockAhead {
            offset,
            threshold: t.drift_threshold,
        });
    }
    Ok(())
}

/// Builds a plain `system/keyswap` call (§5.6): our wwwroot, our certificate PEM, our
/// application name.
pub fn keyswap_request(our_wwwroot: &str, our_certificate_pem: &str, application: &str) -> String {
    write_call(
        "system/keyswap",
        &[
            Value::from(our_wwwroot),
            Value::from(our_certificate_pem),
            Value::from(application),
        ],
    )
}

/// Why a keyswap reply was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyswapError {
    /// The peer answered with a fault.
    #[error("the peer refused keyswap: fault {} {}", .0.code, .0.string)]
    Fault(Fault),
    /// Not an XML-RPC reply.
    #[error("the keyswap reply is not XML-RPC: {0}")]
    Parse(String),
    /// The reply is not a certificate.
    #[error("the keyswap reply is not a certificate: {0}")]
    Certificate(KeyError),
    /// The certificate's name does not belong to the URL asked (Moodle's `mnet_get_public_key`
    /// check: the CN, or the subjectAltName attribute when present, must be a substring of it).
    #[error("the certificate is for {found:?}, not for {asked:?}")]
    WrongHost {
        /// The certificate's CN or subjectAltName.
        found: String,
        /// The URL asked.
        asked: String,
    },
}

/// Reads a keyswap reply: a `<string>` holding the peer's certificate PEM (§5.6).
pub fn read_keyswap_reply(
    body: &[u8],
    asked_wwwroot: &str,
    limits: &Limits,
) -> Result<PeerCertificate, KeyswapError> {
    let response =
        parse_response(trim_ascii(body), limits).map_err(|e| KeyswapError::Parse(e.to_string()))?;
    let pem = match response {
        MethodResponse::Fault(f) => return Err(KeyswapError::Fault(f)),
        MethodResponse::Success(Value::String(s)) => s,
        MethodResponse::Success(other) => {
            return Err(KeyswapError::Parse(
                format!("expected a string, got {other:?}")
                    .chars()
                    .take(120)
                    .collect(),
            ));
        }
    };
    let cert = PeerCertificate::from_pem(&pem).map_err(KeyswapError::Certificate)?;
    let subject = cert.subject();
    let host = subject
        .subject_alt_name
        .clone()
        .or_else(|| subject.common_name.clone())
        .unwrap_or_default();
    if host.is_empty() || !asked_wwwroot.contains(&host) {
        return Err(KeyswapError::WrongHost {
            found: host,
            asked: asked_wwwroot.to_owned(),
        });
    }
    Ok(cert)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}
