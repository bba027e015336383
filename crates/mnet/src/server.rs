//! The receiving side of MNet as a step machine (`mnet-protocol.md` §5.2, §5.4, §5.6, §14): an
//! HTTP body goes in, and each step returns either a [`Decision`] — the reply to send, how to wrap
//! it, and what to record — or the next thing the caller must do (look the sender up, fetch a
//! peer's new key, run the method). The caller does the I/O (database, network, its own keys) and
//! feeds the result back; nothing here touches the network, a clock or a random number generator
//! it does not receive. SchoolBridge's MNet endpoint and the simulated Moodle both run every
//! request through these steps, so a rule fixed here is fixed for both.
//!
//! Order of work — cheap checks before expensive ones, and nothing from a sender that has not
//! proved who it is kept beyond a short record:
//! 1. [`receive`] classifies the body (size first). Plain XML-RPC: only `system/keyswap` is served
//!    (713 for a name that fails Moodle's pattern), anything else is a plain 7021. Signed only:
//!    keyswap is served signed, anything else gets a signed 7021. Encrypted: the sender's claimed
//!    `<wwwroot>` must be a live peer — the caller looks it up ([`FromPeer`]); unknown → plain
//!    7020, **before any RSA work**.
//! 2. [`FromPeer::open`]: the envelope's shape is checked (a wrapped key of the size our keys
//!    produce) before our keys are tried, current first — nothing opens it → plain 7023.
//! 3. Opened with an archived key → 7025 carrying our current certificate, signed with that
//!    archived key and encrypted to the peer (§5.4), whatever the signature (Moodle's order, so
//!    that when both sides re-key at once the peer learns our key first).
//! 4. Not a signed envelope inside → 711, encrypted only. The signed `<wwwroot>` must be the
//!    encrypted one's → else 710. The signature must verify against the peer's certificate; if it
//!    does not, the caller may fetch the peer's current key ([`Verified::NeedPeerKey`]): it is
//!    accepted only if this very request verifies with it; else 710.
//! 5. Beyond Moodle, when the policy asks for it: a `<timestamp>` missing or outside the window →
//!    a fault saying which way and by how much ([`FAULT_CLOCK_SKEW`]).
//! 6. Only now is the payload parsed as XML-RPC (7000 when it cannot be read) and the method name
//!    checked (713); the caller dispatches the [`VerifiedCall`] and turns its result into the
//!    reply with [`VerifiedCall::reply`]: signed with our current key, encrypted to the peer.

// A decision or a step is made once per request and moved a few times: boxing them would only
// add allocations on the hot path.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use crate::envelope::{EncryptedEnvelope, Inbound, SignedEnvelope};
use crate::fault::{MnetFault, method_name_is_valid};
use crate::keys::{PeerCertificate, SitePrivateKey};
use crate::xmlrpc::{Limits, MethodCall, Value, parse_call};
use rand_core::CryptoRng;

/// The fault code for a `<timestamp>` outside the accepted window (Moodle has none; §5.3).
pub const FAULT_CLOCK_SKEW: i32 = 7030;

/// What a receiving site decides beyond Moodle's own rules.
#[derive(Debug, Clone)]
pub struct ReceivePolicy {
    /// Bounds for every document parsed.
    pub limits: Limits,
    /// Refuse a request whose `<timestamp>` is missing or further than this many seconds from
    /// now (SchoolBridge). Moodle checks nothing: `None`.
    pub clock_window: Option<i64>,
    /// How a body that is not MNet at all is answered.
    pub not_mnet: NotMnet,
    /// The largest unencrypted request accepted. The only one served is `system/keyswap`, a few
    /// kilobytes; anything larger is refused before it is parsed.
    pub max_plain_bytes: usize,
    /// How much of a request from a sender that has not proved who it is (by its signature) is
    /// kept for the record: the rest is never stored.
    pub unauthenticated_record_bytes: usize,
}

impl Default for ReceivePolicy {
    fn default() -> Self {
        ReceivePolicy {
            limits: Limits::default(),
            clock_window: None,
            not_mnet: NotMnet::HtmlPage,
            max_plain_bytes: 64 * 1024,
            unauthenticated_record_bytes: 4096,
        }
    }
}

/// The answer to a body that is not MNet (empty, not XML-RPC, a broken envelope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMnet {
    /// Moodle 4.5's HTML error page with status 404 (§14); the caller renders it.
    HtmlPage,
    /// A plain XML-RPC fault an MNet client can read: 7023 when the body looked encrypted,
    /// else 7021.
    Fault,
}

/// The reply itself.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyBody {
    /// An XML-RPC response: a value or a fault.
    Xml(Result<Value, MnetFault>),
    /// Not an MNet request: the caller's HTML page ([`NotMnet::HtmlPage`]).
    NotMnet,
}

/// Which of the site's keys signs a reply: an index into the key list given to
/// [`FromPeer::open`] (0 is the current key).
pub type KeyIndex = usize;

/// What to send back and what to record.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The reply.
    pub reply: ReplyBody,
    /// Sign with this key (the request was signed), or send unsigned.
    pub sign_with: Option<KeyIndex>,
    /// Encrypt to this certificate (the request was encrypted), or send in clear.
    pub encrypt_to: Option<Box<PeerCertificate>>,
    /// What happened, for the audit log.
    pub facts: Facts,
}

impl Decision {
    /// The fault code of the reply, if it is a fault.
    pub fn fault_code(&self) -> Option<i32> {
        match &self.reply {
            ReplyBody::Xml(Err(f)) => Some(f.code()),
            _ => None,
        }
    }
}

/// What a request was and what became of it — what a site writes to its log.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The `<wwwroot>` the sender claims (not proof of anything before `authenticated`).
    pub claimed_wwwroot: Option<String>,
    /// The method name: as claimed before authentication (read cheaply from the start of the
    /// payload), as verified after.
    pub method: Option<String>,
    /// The request was encrypted.
    pub encrypted: bool,
    /// The request was signed.
    pub signed: bool,
    /// The signature verified: the sender is the peer it claims to be.
    pub authenticated: bool,
    /// What of the request to keep: for an authenticated request the signed envelope as
    /// received (so anyone can verify it again), otherwise at most
    /// [`ReceivePolicy::unauthenticated_record_bytes`] of the body.
    pub kept: Option<Vec<u8>>,
    /// Why less than the request was kept, in a few words.
    pub note: Option<String>,
    /// The decision in a few words (for faults: why).
    pub detail: Option<String>,
    /// The peer's certificate changed: the caller fetched it after a failed signature and this
    /// request verified with it. The caller stores it.
    pub new_peer_certificate: Option<Box<PeerCertificate>>,
}

/// The first step: what the body is.
#[derive(Debug)]
pub enum Received {
    /// Answer at once.
    Answer(Decision),
    /// `system/keyswap` (plain or signed-only): answer with [`KeyswapAsked::answer`].
    Keyswap(KeyswapAsked),
    /// An encrypted request: look up the peer it claims to come from ([`FromPeer`]).
    FromPeer(FromPeer),
}

/// Classifies a body received at the MNet endpoint (step 1).
pub fn receive(body: &[u8], policy: &ReceivePolicy) -> Received {
    let body = body.trim_ascii();
    let mut facts = Facts::default();
    if body.is_empty() {
        facts.note = Some("empty request".into());
        return Received::Answer(not_mnet(policy, false, facts, "empty request body"));
    }
    if body.len() > policy.limits.max_bytes {
        facts.kept = Some(prefix(body, policy.unauthenticated_record_bytes));
        facts.note = Some(format!("{} bytes: too large, not read", body.len()));
        let looks_encrypted = looks_encrypted(body);
        return Received::Answer(not_mnet(
            policy,
            looks_encrypted,
            facts,
            "request too large",
        ));
    }
    let inbound = match Inbound::classify(body, &policy.limits) {
        Ok(i) => i,
        Err(e) => {
            facts.kept = Some(prefix(body, policy.unauthenticated_record_bytes));
            let detail = format!("unreadable request: {e}");
            return Received::Answer(not_mnet(policy, looks_encrypted(body), facts, &detail));
        }
    };
    match inbound {
        Inbound::Plain(doc) => plain(doc, policy, facts),
        Inbound::Signed(env) => signed_only(env, body, policy, facts),
        Inbound::Encrypted(env) => {
            facts.encrypted = true;
            facts.claimed_wwwroot = Some(clip(env.claimed_wwwroot(), 255));
            // Ciphertext tells a reader nothing, and what it hides is kept only once the sender
            // has proved who it is.
            facts.note = Some(format!(
                "encrypted, {} bytes; not kept (the sender was not authenticated)",
                body.len()
            ));
            Received::FromPeer(FromPeer {
                envelope: env,
                facts,
                policy: policy.clone(),
            })
        }
    }
}

fn looks_encrypted(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    head.contains("ciphervalue") || head.contains("encryptedmessage")
}

fn not_mnet(
    policy: &ReceivePolicy,
    looks_encrypted: bool,
    mut facts: Facts,
    detail: &str,
) -> Decision {
    facts.detail = Some(detail.to_owned());
    let reply = match policy.not_mnet {
        NotMnet::HtmlPage => ReplyBody::NotMnet,
        NotMnet::Fault if looks_encrypted => ReplyBody::Xml(Err(MnetFault::EncryptionInvalid)),
        NotMnet::Fault => ReplyBody::Xml(Err(MnetFault::ForbiddenTransport)),
    };
    Decision {
        reply,
        sign_with: None,
        encrypt_to: None,
        facts,
    }
}

fn plain_fault(fault: MnetFault, mut facts: Facts, detail: impl Into<String>) -> Decision {
    facts.detail = Some(detail.into());
    Decision {
        reply: ReplyBody::Xml(Err(fault)),
        sign_with: None,
        encrypt_to: None,
        facts,
    }
}

fn prefix(body: &[u8], max: usize) -> Vec<u8> {
    body[..body.len().min(max)].to_vec()
}

fn clip(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

fn is_keyswap(method: &str) -> bool {
    method == "system/keyswap" || method == "system.keyswap"
}

/// The `<methodName>` near the start of an unverified payload, read without parsing the rest:
/// what the sender claims to call, for the record.
fn claimed_method(payload: &[u8]) -> Option<String> {
    let head = &payload[..payload.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let start = text.find("<methodName>")? + "<methodName>".len();
    let end = start + text[start..].find("</methodName>")?;
    let name = text[start..end].trim();
    (!name.is_empty()).then(|| clip(name, 255))
}

/// A plain XML-RPC document: only keyswap is served (§5.6), anything else is 7021 (captures
/// 02–04, 06); a keyswap name that fails Moodle's pattern is 713 (capture 05).
fn plain(doc: Vec<u8>, policy: &ReceivePolicy, mut facts: Facts) -> Received {
    facts.kept = Some(prefix(&doc, policy.unauthenticated_record_bytes));
    if doc.len() > policy.max_plain_bytes {
        facts.note = Some(format!("{} bytes unencrypted: not read", doc.len()));
        return Received::Answer(plain_fault(
            MnetFault::ForbiddenTransport,
            facts,
            "unencrypted request too large",
        ));
    }
    let call = match parse_call(&doc, &policy.limits) {
        Ok(c) => c,
        Err(e) => {
            let detail = format!("not an XML-RPC call: {e}");
            return Received::Answer(not_mnet(policy, false, facts, &detail));
        }
    };
    facts.method = Some(clip(&call.method_name, 255));
    if !is_keyswap(&call.method_name) {
        return Received::Answer(plain_fault(
            MnetFault::ForbiddenTransport,
            facts,
            "unencrypted call refused",
        ));
    }
    if !method_name_is_valid(&call.method_name) {
        return Received::Answer(plain_fault(
            MnetFault::BadMethodName,
            facts,
            "method name fails the dispatcher pattern",
        ));
    }
    facts.claimed_wwwroot = call
        .params
        .first()
        .and_then(Value::as_str)
        .map(|w| clip(w, 255));
    Received::Keyswap(KeyswapAsked {
        signed: false,
        params: call.params,
        facts,
    })
}

/// A signed envelope that was not encrypted: keyswap is served signed; anything else is a signed
/// 7021 (captures 11, 26) — Moodle without trusted hosts.
fn signed_only(
    env: SignedEnvelope,
    body: &[u8],
    policy: &ReceivePolicy,
    mut facts: Facts,
) -> Received {
    facts.signed = true;
    facts.claimed_wwwroot = Some(clip(env.claimed_wwwroot(), 255));
    facts.kept = Some(prefix(body, policy.unauthenticated_record_bytes));
    facts.method = claimed_method(env.unverified_payload());
    if facts
        .method
        .as_deref()
        .is_some_and(|m| is_keyswap(m) && method_name_is_valid(m))
    {
        return Received::Keyswap(KeyswapAsked {
            signed: true,
            params: Vec::new(),
            facts,
        });
    }
    facts.detail = Some("signed but not encrypted: refused".into());
    Received::Answer(Decision {
        reply: ReplyBody::Xml(Err(MnetFault::ForbiddenTransport)),
        sign_with: Some(0),
        encrypt_to: None,
        facts,
    })
}

/// Someone asked for our certificate (§5.6).
#[derive(Debug)]
pub struct KeyswapAsked {
    signed: bool,
    params: Vec<Value>,
    facts: Facts,
}

impl KeyswapAsked {
    /// The wwwroot the caller gave as its own (the first parameter), for the record. Nothing
    /// is registered from it.
    pub fn caller_wwwroot(&self) -> Option<&str> {
        self.facts.claimed_wwwroot.as_deref()
    }

    /// The parameters of an unsigned keyswap (`wwwroot, pubkey, application`, §5.6): a Moodle
    /// that registers all hosts bootstraps the caller from them. Empty for a signed one (its
    /// payload is not parsed before a signature could vouch for it).
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// The answer: our current certificate as a string, signed when the request was.
    pub fn answer(self, our_certificate_pem: &str) -> Decision {
        Decision {
            reply: ReplyBody::Xml(Ok(Value::from(our_certificate_pem))),
            sign_with: self.signed.then_some(0),
            encrypt_to: None,
            facts: self.facts,
        }
    }
}

/// An encrypted request claiming to come from a peer (step 1 → 2).
#[derive(Debug)]
pub struct FromPeer {
    envelope: EncryptedEnvelope,
    facts: Facts,
    policy: ReceivePolicy,
}

/// The site's keys, for opening and for 7025.
#[derive(Debug, Clone, Copy)]
pub struct SiteKeyRing<'a> {
    /// The current key first, then the archived ones, newest first.
    pub keys: &'a [&'a SitePrivateKey],
    /// The current certificate (PEM), which a 7025 carries.
    pub current_certificate_pem: &'a str,
}

impl FromPeer {
    /// The `<wwwroot>` it claims to come from.
    pub fn claimed_wwwroot(&self) -> &str {
        self.envelope.claimed_wwwroot()
    }

    /// What is known so far (for a caller that fails before deciding).
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// None of our keys opens it (after [`Opened::NoKeyOpens`], when the caller has no newer
    /// keys to try): a plain 7023.
    pub fn no_key_opens(self) -> Decision {
        let facts = self.facts;
        plain_fault(
            MnetFault::EncryptionInvalid,
            facts,
            "no current or archived key opens the envelope",
        )
    }

    /// The sender is not a live peer: a plain 7020 naming the wwwroot (capture 10).
    pub fn unknown_sender(self) -> Decision {
        let wwwroot = self.envelope.claimed_wwwroot().to_owned();
        let facts = self.facts;
        plain_fault(
            MnetFault::WrongWwwroot(wwwroot),
            facts,
            "the sender is not a registered peer",
        )
    }

    /// Opens the envelope with our keys (the RSA work; run it where such work belongs) for the
    /// peer holding `peer_certificate` (steps 2–4).
    pub fn open<R: CryptoRng + ?Sized>(
        self,
        peer_certificate: &PeerCertificate,
        ring: SiteKeyRing<'_>,
        rng: &mut R,
    ) -> Opened {
        let FromPeer {
            envelope,
            mut facts,
            policy,
        } = self;
        if envelope.cipher().is_none() {
            let alg = clip(envelope.algorithm().unwrap_or_default(), 100);
            return Opened::Answer(plain_fault(
                MnetFault::EncryptionInvalid,
                facts,
                format!("unsupported EncryptionMethod {alg}"),
            ));
        }
        if !ring.keys.iter().any(|k| envelope.wrapped_key_fits(k)) {
            return Opened::Answer(plain_fault(
                MnetFault::EncryptionInvalid,
                facts,
                "the wrapped session key does not fit our key",
            ));
        }
        let opened = match envelope.open(ring.keys, rng) {
            Ok(o) => o,
            Err(_) => {
                return Opened::NoKeyOpens(FromPeer {
                    envelope,
                    facts,
                    policy,
                });
            }
        };
        let peer = peer_certificate.clone();
        // From here on the reply is encrypted to the peer.
        let signed = match SignedEnvelope::parse(&opened.signed, &policy.limits) {
            Ok(s) => s,
            Err(_) => {
                facts.detail = Some("encrypted but not signed".into());
                return Opened::Answer(Decision {
                    reply: ReplyBody::Xml(Err(MnetFault::NotSigned)),
                    sign_with: None,
                    encrypt_to: Some(Box::new(peer)),
                    facts,
                });
            }
        };
        facts.signed = true;
        facts.method = claimed_method(signed.unverified_payload());
        if opened.key_index > 0 {
            facts.detail = Some(
                "sealed to an archived key of ours: sent our current certificate (7025)".into(),
            );
            return Opened::Answer(Decision {
                reply: ReplyBody::Xml(Err(MnetFault::KeyChanged(
                    ring.current_certificate_pem.to_owned(),
                ))),
                sign_with: Some(opened.key_index),
                encrypt_to: Some(Box::new(peer)),
                facts,
            });
        }
        let decrypted = opened.signed.to_vec();
        Opened::Signed(Unverified {
            claimed: envelope.claimed_wwwroot().to_owned(),
            signed,
            decrypted,
            peer,
            facts,
            policy,
        })
    }
}

/// After opening.
#[derive(Debug)]
pub enum Opened {
    /// Answer at once (7023 for a cipher we do not speak or a key of the wrong size, 711, 7025).
    Answer(Decision),
    /// None of the keys given opens it: try again with newer keys (another instance may have
    /// rotated), or refuse with [`FromPeer::no_key_opens`].
    NoKeyOpens(FromPeer),
    /// A signed envelope to verify ([`Unverified::verify`]).
    Signed(Unverified),
}

/// A signed envelope from an encrypted request, not yet verified.
#[derive(Debug)]
pub struct Unverified {
    claimed: String,
    signed: SignedEnvelope,
    decrypted: Vec<u8>,
    peer: PeerCertificate,
    facts: Facts,
    policy: ReceivePolicy,
}

/// After verification.
#[derive(Debug)]
pub enum Verified {
    /// A call to dispatch.
    Call(VerifiedCall),
    /// Answer at once (710, the clock window, an unreadable call, 713).
    Answer(Decision),
    /// The signature does not verify with the certificate held: fetch the peer's current one
    /// from the peer itself and [`PeerKeyNeeded::retry`] (or retry with `None` to refuse).
    NeedPeerKey(PeerKeyNeeded),
}

impl Unverified {
    /// The sender's claimed `<timestamp>`.
    pub fn claimed_timestamp(&self) -> Option<i64> {
        self.signed.claimed_timestamp()
    }

    /// Step 4 and on, at time `now` (Unix seconds).
    pub fn verify(self, now: i64) -> Verified {
        if self.signed.claimed_wwwroot() != self.claimed {
            let mut facts = self.facts;
            facts.detail = Some("the signed wwwroot differs from the encrypted envelope's".into());
            return Verified::Answer(signed_fault(MnetFault::SignatureInvalid, self.peer, facts));
        }
        match self.signed.clone().verify(&self.peer) {
            Ok(v) => match self.accepted(v.payload, None, now) {
                Ok(call) => Verified::Call(call),
                Err(d) => Verified::Answer(d),
            },
            Err(_) => Verified::NeedPeerKey(PeerKeyNeeded { inner: self }),
        }
    }

    fn accepted(
        self,
        payload: Vec<u8>,
        new_cert: Option<PeerCertificate>,
        now: i64,
    ) -> Result<VerifiedCall, Decision> {
        let Unverified {
            signed,
            decrypted,
            peer,
            mut facts,
            policy,
            ..
        } = self;
        let peer = new_cert.clone().unwrap_or(peer);
        facts.authenticated = true;
        facts.kept = Some(decrypted);
        facts.note = None;
        facts.new_peer_certificate = new_cert.map(Box::new);
        let timestamp = signed.claimed_timestamp();
        if let Some(window) = policy.clock_window {
            // Moodle and Mahara always send one; without it the window could not refuse an old,
            // replayed request (the timestamp sits outside the signature, §3).
            let Some(ts) = timestamp else {
                let fault = MnetFault::Other(
                    FAULT_CLOCK_SKEW,
                    "The request carries no readable timestamp, which SchoolBridge needs to refuse replayed requests.".into(),
                );
                return Err(signed_fault(fault, peer, facts));
            };
            let skew = ts - now;
            if skew.abs() > window {
                let text = format!(
                    "The request's timestamp is {} seconds {} SchoolBridge's clock; at most {window} seconds are accepted. Check that both servers keep time with NTP.",
                    skew.abs(),
                    if skew > 0 { "ahead of" } else { "behind" },
                );
                return Err(signed_fault(
                    MnetFault::Other(FAULT_CLOCK_SKEW, text),
                    peer,
                    facts,
                ));
            }
        }
        let call = match parse_call(&payload, &policy.limits) {
            Ok(c) => c,
            Err(e) => {
                let fault =
                    MnetFault::Other(7000, format!("The XML-RPC request could not be read: {e}"));
                return Err(signed_fault(fault, peer, facts));
            }
        };
        facts.method = Some(clip(&call.method_name, 255));
        if !method_name_is_valid(&call.method_name) {
            return Err(signed_fault(MnetFault::BadMethodName, peer, facts));
        }
        Ok(VerifiedCall {
            call,
            timestamp,
            peer,
            facts,
        })
    }
}

fn signed_fault(fault: MnetFault, peer: PeerCertificate, mut facts: Facts) -> Decision {
    if facts.detail.is_none() {
        facts.detail = Some(clip(&fault.text(), 300));
    }
    Decision {
        reply: ReplyBody::Xml(Err(fault)),
        sign_with: Some(0),
        encrypt_to: Some(Box::new(peer)),
        facts,
    }
}

/// The signature did not verify with the certificate held (step 4).
#[derive(Debug)]
pub struct PeerKeyNeeded {
    inner: Unverified,
}

impl PeerKeyNeeded {
    /// The certificate that failed.
    pub fn held_certificate(&self) -> &PeerCertificate {
        &self.inner.peer
    }

    /// Verifies again with the certificate the peer publishes now (`None`: it could not be
    /// fetched). It is taken only if it is another certificate and this very request verifies
    /// with it ([`Facts::new_peer_certificate`]); otherwise 710.
    pub fn retry(
        self,
        current: Option<PeerCertificate>,
        now: i64,
    ) -> Result<VerifiedCall, Decision> {
        let inner = self.inner;
        if let Some(cert) = current
            && cert.pem() != inner.peer.pem()
            && let Ok(v) = inner.signed.clone().verify(&cert)
        {
            return inner.accepted(v.payload, Some(cert), now);
        }
        let mut facts = inner.facts;
        facts.detail = Some("the signature does not verify against the peer's certificate".into());
        Err(signed_fault(MnetFault::SignatureInvalid, inner.peer, facts))
    }
}

/// A verified call to dispatch.
#[derive(Debug)]
pub struct VerifiedCall {
    /// The call.
    pub call: MethodCall,
    /// The sender's `<timestamp>`.
    pub timestamp: Option<i64>,
    peer: PeerCertificate,
    facts: Facts,
}

impl VerifiedCall {
    /// What is recorded of the request.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Adjusts what is recorded (e.g. an envelope the site must not keep).
    pub fn facts_mut(&mut self) -> &mut Facts {
        &mut self.facts
    }

    /// The certificate the reply is encrypted to.
    pub fn peer_certificate(&self) -> &PeerCertificate {
        &self.peer
    }

    /// The reply to the method's result: signed with our current key, encrypted to the peer.
    pub fn reply(self, result: Result<Value, MnetFault>) -> Decision {
        let mut facts = self.facts;
        if let Err(f) = &result {
            facts.detail = Some(clip(&f.text(), 300));
        }
        Decision {
            reply: ReplyBody::Xml(result),
            sign_with: Some(0),
            encrypt_to: Some(Box::new(self.peer)),
            facts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{claimed_method, looks_encrypted};

    #[test]
    fn the_claimed_method_is_read_from_the_start_only() {
        let payload = b"<?xml version=\"1.0\"?><methodCall><methodName> schooltool/sis/new_grade </methodName><params/></methodCall>";
        assert_eq!(
            claimed_method(payload).as_deref(),
            Some("schooltool/sis/new_grade")
        );
        let late = [vec![b' '; 5000], b"<methodName>x/y</methodName>".to_vec()].concat();
        assert_eq!(claimed_method(&late), None);
        assert_eq!(claimed_method(b"<methodName></methodName>"), None);
    }

    #[test]
    fn encrypted_looking_bodies_are_told_apart() {
        assert!(looks_encrypted(b"<encryptedMessage><broken"));
        assert!(looks_encrypted(b"<x><CipherValue>"));
        assert!(!looks_encrypted(b"<methodCall>"));
    }
}
