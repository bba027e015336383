//! The receive pipeline (`mnet-protocol.md` §5.2, §14), with Moodle's fault codes and its rules
//! for how a reply is wrapped:
//!
//! 1. classify the body; an encrypted envelope's `<wwwroot>` must be a live peer — else a plain
//!    7020, **before any RSA work**;
//! 2. open with the current key, then archived keys (on the crypto pool) — else a plain 7023;
//! 3. the signed envelope inside must verify against the peer's certificate — else 711/710
//!    (after one attempt to learn a rotated key from the peer itself);
//! 4. an archived key opened it → 7025 carrying our current certificate, signed with that
//!    archived key (§5.4);
//! 5. beyond Moodle: a `<timestamp>` outside the configured window → a fault that says so;
//! 6. dispatch. Replies are signed if the request was signed and encrypted if it was encrypted;
//!    faults raised before decryption are plain. Unencrypted calls other than keyswap → 7021.
//!
//! Every message goes to the audit log with the envelope as received.

use super::context::{CallContext, EarlyReply, Sealer, reply_xml};
use super::keyring::LoadedKey;
use super::{dispatch, peer_keys};
use crate::state::AppState;
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::envelope::{Cipher, EncryptedEnvelope, Inbound, PublicKeyPath, SignedEnvelope, Wrapping};
use mnet::fault::{MnetFault, method_name_is_valid};
use mnet::keys::PeerCertificate;
use mnet::xmlrpc::{MethodCall, parse_call, write_response};
use std::sync::Arc;
use std::time::Instant;

/// The fault code we use for a `<timestamp>` outside the accepted window (Moodle has none).
pub const FAULT_CLOCK_SKEW: i32 = 7030;
/// How much of an unopened body the audit log keeps.
const MAX_RAW_AUDIT: usize = 64 * 1024;

/// The reply to send and how to wrap it.
struct Answer {
    xml: String,
    fault: Option<i32>,
    detail: Option<String>,
    sign_with: Option<Arc<LoadedKey>>,
    encrypt_to: Option<PeerCertificate>,
    /// The reply sealed ahead of a handler's commit, if any.
    early: Option<EarlyReply>,
}

impl Answer {
    fn plain_fault(f: MnetFault, detail: impl Into<String>) -> Self {
        Answer {
            fault: Some(f.code()),
            xml: f.to_xml(),
            detail: Some(detail.into()),
            sign_with: None,
            encrypt_to: None,
            early: None,
        }
    }

    fn plain_value(xml: String) -> Self {
        Answer {
            xml,
            fault: None,
            detail: None,
            sign_with: None,
            encrypt_to: None,
            early: None,
        }
    }

    fn wrapped(
        result: Result<mnet::xmlrpc::Value, MnetFault>,
        sign_with: Option<Arc<LoadedKey>>,
        encrypt_to: Option<PeerCertificate>,
    ) -> Self {
        let (fault, detail) = match &result {
            Ok(_) => (None, None),
            Err(f) => (Some(f.code()), Some(f.text().chars().take(300).collect())),
        };
        Answer {
            xml: reply_xml(&result),
            fault,
            detail,
            sign_with,
            encrypt_to,
            early: None,
        }
    }
}

/// Handles one POST to the MNet endpoint and returns the reply body.
pub async fn handle(state: &AppState, body: &[u8]) -> Vec<u8> {
    let started = Instant::now();
    let mut audit = NewAuditEntry {
        at_ms: state.clock.now_ms(),
        direction: AuditDirection::In,
        peer_id: None,
        peer_wwwroot: None,
        method: None,
        outcome: AuditOutcome::Ok,
        fault_code: None,
        detail: None,
        duration_us: 0,
        encrypted: false,
        signed: false,
        envelope: None,
        envelope_note: None,
    };
    let (answer, handler_audited) = pipeline(state, body, &mut audit, started).await;
    if !handler_audited {
        audit.duration_us = started.elapsed().as_micros() as i64;
        audit.outcome = if answer.fault.is_some() {
            AuditOutcome::Fault
        } else {
            AuditOutcome::Ok
        };
        audit.fault_code = answer.fault;
        if answer.detail.is_some() {
            audit.detail = answer.detail.clone();
        }
        if let Err(e) = state.store.audit(&audit).await {
            tracing::error!(error = %e, "could not write the audit log entry");
        }
    }
    wrap(state, answer).await
}

async fn wrap(state: &AppState, mut answer: Answer) -> Vec<u8> {
    if let Some(early) = answer.early.take() {
        if early.xml == answer.xml {
            if let Ok(Some(bytes)) = early.sealed.await {
                return bytes;
            }
        } else {
            early.sealed.abort();
        }
    }
    if answer.sign_with.is_none() && answer.encrypt_to.is_none() {
        return answer.xml.into_bytes();
    }
    let job = seal_job(state, answer.sign_with, answer.encrypt_to, answer.xml);
    match state.crypto.run(job).await {
        Ok(Some(bytes)) => bytes,
        _ => MnetFault::Unknown.to_xml().into_bytes(),
    }
}

/// Signs and/or encrypts a reply's XML as Moodle's server does (§5.2); `None` when it cannot.
fn seal_job(
    state: &AppState,
    sign_with: Option<Arc<LoadedKey>>,
    encrypt_to: Option<PeerCertificate>,
    xml: String,
) -> impl FnOnce() -> Option<Vec<u8>> + Send + 'static {
    let wwwroot = state.config.wwwroot.clone();
    let timestamp = state.clock.now();
    move || {
        let w = Wrapping {
            sign_with: sign_with.as_ref().map(|k| &k.key),
            encrypt_to: encrypt_to.as_ref(),
            wwwroot: &wwwroot,
            timestamp,
            cipher: Cipher::Rc4,
            publickey_path: PublicKeyPath::Moodle,
        };
        w.wrap(xml.as_bytes(), &mut rand::rng())
            .map_err(|e| tracing::error!(error = %e, "could not wrap the reply"))
            .ok()
    }
}

/// Seals replies for this peer with our current key, for handlers that seal ahead of their
/// commit ([`CallContext::seal_ahead`]).
fn sealer(state: &AppState, key: &Arc<LoadedKey>, peer_cert: &PeerCertificate) -> Sealer {
    let state = state.clone();
    let key = Arc::clone(key);
    let cert = peer_cert.clone();
    Arc::new(move |xml: String| {
        let job = seal_job(&state, Some(Arc::clone(&key)), Some(cert.clone()), xml);
        state.crypto.start(job)
    })
}

fn truncated(body: &[u8]) -> Vec<u8> {
    body[..body.len().min(MAX_RAW_AUDIT)].to_vec()
}

fn is_keyswap(method: &str) -> bool {
    method == "system/keyswap" || method == "system.keyswap"
}

async fn pipeline(
    state: &AppState,
    body: &[u8],
    audit: &mut NewAuditEntry,
    started: Instant,
) -> (Answer, bool) {
    if body.trim_ascii().is_empty() {
        audit.envelope_note = Some("empty request".into());
        return (
            Answer::plain_fault(MnetFault::ForbiddenTransport, "empty request body"),
            false,
        );
    }
    let inbound = match Inbound::classify(body, &state.limits) {
        Ok(i) => i,
        Err(e) => {
            audit.envelope = Some(truncated(body));
            let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
            let fault = if text.contains("ciphervalue") || text.contains("encryptedmessage") {
                MnetFault::EncryptionInvalid
            } else {
                MnetFault::ForbiddenTransport
            };
            return (
                Answer::plain_fault(fault, format!("unreadable request: {e}")),
                false,
            );
        }
    };
    match inbound {
        Inbound::Plain(bytes) => (plain(state, &bytes, audit).await, false),
        Inbound::Signed(env) => (signed_only(state, env, body, audit).await, false),
        Inbound::Encrypted(env) => encrypted(state, env, body, audit, started).await,
    }
}

/// An unsigned, unencrypted XML-RPC call: only keyswap is served (§5.6); anything else is 7021,
/// and a keyswap name that fails Moodle's pattern (`system.keyswap`) is 713 (capture 05).
async fn plain(state: &AppState, body: &[u8], audit: &mut NewAuditEntry) -> Answer {
    audit.envelope = Some(truncated(body));
    let call = match parse_call(body, &state.limits) {
        Ok(c) => c,
        Err(e) => {
            return Answer::plain_fault(
                MnetFault::ForbiddenTransport,
                format!("not an XML-RPC call: {e}"),
            );
        }
    };
    audit.method = Some(call.method_name.clone());
    if !is_keyswap(&call.method_name) {
        return Answer::plain_fault(MnetFault::ForbiddenTransport, "unencrypted call refused");
    }
    if !method_name_is_valid(&call.method_name) {
        return Answer::plain_fault(
            MnetFault::BadMethodName,
            "method name fails the dispatcher pattern",
        );
    }
    note_keyswap_caller(state, &call, audit).await;
    Answer::plain_value(write_response(&dispatch::our_certificate(state)))
}

/// Records who asked for our key (the console shows it; nothing is registered automatically).
async fn note_keyswap_caller(state: &AppState, call: &MethodCall, audit: &mut NewAuditEntry) {
    if let Some(www) = call.params.first().and_then(|v| v.as_str()) {
        audit.peer_wwwroot = Some(www.chars().take(255).collect());
        if let Ok(Some(peer)) = state.store.live_peer_by_wwwroot(www).await {
            audit.peer_id = Some(peer.id);
        }
    }
}

/// A signed but unencrypted call. Like Moodle without trusted hosts: refused with a *signed*
/// 7021 (captures 11, 26), except keyswap, which is always served.
async fn signed_only(
    state: &AppState,
    env: SignedEnvelope,
    body: &[u8],
    audit: &mut NewAuditEntry,
) -> Answer {
    audit.signed = true;
    audit.envelope = Some(truncated(body));
    audit.peer_wwwroot = Some(env.claimed_wwwroot().chars().take(255).collect());
    if let Ok(Some(peer)) = state
        .store
        .live_peer_by_wwwroot(env.claimed_wwwroot())
        .await
    {
        audit.peer_id = Some(peer.id);
    }
    let method = parse_call(env.unverified_payload(), &state.limits)
        .ok()
        .map(|c| c.method_name);
    audit.method = method.clone();
    let current = Arc::clone(state.keys.ring().current());
    if method.as_deref().is_some_and(is_keyswap)
        && method.as_deref().is_some_and(method_name_is_valid)
    {
        return Answer::wrapped(Ok(dispatch::our_certificate(state)), Some(current), None);
    }
    let mut a = Answer::wrapped(Err(MnetFault::ForbiddenTransport), Some(current), None);
    a.detail = Some("signed but not encrypted: refused".into());
    a
}

async fn encrypted(
    state: &AppState,
    env: EncryptedEnvelope,
    body: &[u8],
    audit: &mut NewAuditEntry,
    started: Instant,
) -> (Answer, bool) {
    audit.encrypted = true;
    let claimed = env.claimed_wwwroot().to_owned();
    audit.peer_wwwroot = Some(claimed.chars().take(255).collect());
    // Step 1: a live peer, before any RSA work.
    let peer = match state.store.live_peer_by_wwwroot(&claimed).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            audit.envelope = Some(truncated(body));
            audit.envelope_note = Some("encrypted; not opened (unknown sender)".into());
            return (
                Answer::plain_fault(
                    MnetFault::WrongWwwroot(claimed),
                    "the sender is not a registered peer",
                ),
                false,
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "peer lookup failed");
            return (
                Answer::plain_fault(MnetFault::Unknown, "storage unavailable"),
                false,
            );
        }
    };
    audit.peer_id = Some(peer.id);
    let peer_cert = match PeerCertificate::from_pem(&peer.certificate_pem) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(peer = peer.id, error = %e, "stored peer certificate is unreadable");
            return (
                Answer::plain_fault(MnetFault::Unknown, "stored peer certificate unreadable"),
                false,
            );
        }
    };
    if env.cipher().is_none() {
        audit.envelope = Some(truncated(body));
        let alg = env
            .algorithm()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect::<String>();
        return (
            Answer::plain_fault(
                MnetFault::EncryptionInvalid,
                format!("unsupported EncryptionMethod {alg}"),
            ),
            false,
        );
    }
    // Step 2: open with the current key, then the archived ones.
    let Some((opened, key_used)) = open(state, env).await else {
        audit.envelope = Some(truncated(body));
        audit.envelope_note = Some("encrypted; no key of ours opens it".into());
        return (
            Answer::plain_fault(
                MnetFault::EncryptionInvalid,
                "no current or archived key opens the envelope",
            ),
            false,
        );
    };
    audit.envelope = Some(opened.clone());
    let pushkey = key_used.retired_at.is_some();
    let current = Arc::clone(state.keys.ring().current());
    // From here the reply is encrypted to the peer.
    let signed = match SignedEnvelope::parse(&opened, &state.limits) {
        Ok(s) => s,
        Err(_) => {
            return (
                Answer::wrapped(Err(MnetFault::NotSigned), None, Some(peer_cert)),
                false,
            );
        }
    };
    audit.signed = true;
    if let Ok(c) = parse_call(signed.unverified_payload(), &state.limits) {
        // Password fields are never stored (schooltool-sis.md fetch_user): kept out of the audit
        // log here, before any fault (7025, clock, signature…) could write the envelope.
        if crate::sis::requests::carries_password(&c.params) {
            audit.envelope = None;
            audit.envelope_note = Some(crate::sis::PASSWORD_NOTE.into());
        }
        audit.method = Some(c.method_name);
    }
    if signed.claimed_wwwroot() != claimed {
        let mut a = Answer::wrapped(
            Err(MnetFault::SignatureInvalid),
            Some(current),
            Some(peer_cert),
        );
        a.detail = Some("the signed wwwroot differs from the encrypted envelope's".into());
        return (a, false);
    }
    // Step 3: verify; a failure may mean the peer rotated its key (Moodle re-fetches it, §5.2).
    let timestamp = signed.claimed_timestamp();
    let (verified, peer, peer_cert) = match signed.clone().verify(&peer_cert) {
        Ok(v) => (v, peer, peer_cert),
        Err(_) => match peer_keys::learn_rotated_key(state, &peer, &signed).await {
            Some((v, updated_peer, new_cert)) => (v, updated_peer, new_cert),
            // Both sides re-keyed: Moodle pushes its own new certificate first (7025) whatever the
            // signature, and learns the peer's on the retry (§5.2 steps 2–3). Nothing is applied
            // and our certificate is public, so an unverified sender learns nothing from it.
            None if pushkey => {
                let pem = current.cert.pem().to_owned();
                let mut a = Answer::wrapped(
                    Err(MnetFault::KeyChanged(pem)),
                    Some(key_used),
                    Some(peer_cert),
                );
                a.detail = Some(
                    "sealed to an archived key of ours, signature not verified (the peer may have re-keyed too): sent our current certificate (7025)".into(),
                );
                return (a, false);
            }
            None => {
                let mut a = Answer::wrapped(
                    Err(MnetFault::SignatureInvalid),
                    Some(current),
                    Some(peer_cert),
                );
                a.detail =
                    Some("the signature does not verify against the peer's certificate".into());
                return (a, false);
            }
        },
    };
    // Step 4: an archived key opened it: tell the peer our new certificate (§5.4).
    if pushkey {
        let pem = current.cert.pem().to_owned();
        let mut a = Answer::wrapped(
            Err(MnetFault::KeyChanged(pem)),
            Some(key_used),
            Some(peer_cert),
        );
        a.detail =
            Some("sealed to an archived key of ours: sent our current certificate (7025)".into());
        return (a, false);
    }
    // Step 5: the clock window (beyond Moodle, which checks nothing).
    let now = state.clock.now();
    // Moodle and Mahara always send one; without it the window below could not refuse an old,
    // replayed request (the timestamp sits outside the signature, §3).
    let Some(ts) = timestamp else {
        return (
            Answer::wrapped(
                Err(MnetFault::Other(
                    FAULT_CLOCK_SKEW,
                    "The request carries no readable timestamp, which SchoolBridge needs to refuse replayed requests.".into(),
                )),
                Some(current),
                Some(peer_cert),
            ),
            false,
        );
    };
    let skew = ts - now;
    if skew.abs() > state.config.clock_skew_secs {
        let text = format!(
            "The request's timestamp is {} seconds {} SchoolBridge's clock; at most {} seconds are accepted. Check that both servers keep time with NTP.",
            skew.abs(),
            if skew > 0 { "ahead of" } else { "behind" },
            state.config.clock_skew_secs
        );
        return (
            Answer::wrapped(
                Err(MnetFault::Other(FAULT_CLOCK_SKEW, text)),
                Some(current),
                Some(peer_cert),
            ),
            false,
        );
    }
    // The last contact is kept to the minute; most calls need no write.
    if peer.contact_worth_recording(now)
        && let Err(e) = state.store.touch_peer(peer.id, now).await
    {
        tracing::warn!(error = %e, "could not record the peer's last contact");
    }
    // Step 6: the call itself.
    let call = match parse_call(&verified.payload, &state.limits) {
        Ok(c) => c,
        Err(e) => {
            let fault =
                MnetFault::Other(7000, format!("The XML-RPC request could not be read: {e}"));
            return (
                Answer::wrapped(Err(fault), Some(current), Some(peer_cert)),
                false,
            );
        }
    };
    if !method_name_is_valid(&call.method_name) {
        return (
            Answer::wrapped(
                Err(MnetFault::BadMethodName),
                Some(current),
                Some(peer_cert),
            ),
            false,
        );
    }
    let mut ctx = CallContext::new(
        peer,
        call.method_name.clone(),
        now,
        timestamp,
        started,
        audit.clone(),
    )
    .with_sealer(sealer(state, &current, &peer_cert));
    let result = dispatch::dispatch(state, &mut ctx, &call).await;
    let early = ctx.take_early();
    let (ctx_audit, written) = ctx.into_parts();
    *audit = ctx_audit;
    let mut answer = Answer::wrapped(result, Some(current), Some(peer_cert));
    answer.early = early;
    (answer, written)
}

/// Opens with the ring; when nothing opens, reloads the ring once (another instance may have
/// rotated) and tries again.
async fn open(state: &AppState, env: EncryptedEnvelope) -> Option<(Vec<u8>, Arc<LoadedKey>)> {
    let env = Arc::new(env);
    for attempt in 0..2 {
        let ring = state.keys.ring();
        let keys = ring.keys.clone();
        let e = Arc::clone(&env);
        let result = state
            .crypto
            .run(move || {
                let refs: Vec<_> = keys.iter().map(|k| &k.key).collect();
                e.open(&refs, &mut rand::rng())
                    .map(|o| (o.signed.to_vec(), o.key_index))
            })
            .await;
        if let Ok(Ok((signed, index))) = result {
            return ring.keys.get(index).map(|k| (signed, Arc::clone(k)));
        }
        if attempt == 0 && !matches!(state.keys.refresh_if_rotated().await, Ok(true)) {
            return None;
        }
    }
    None
}

/// The peer row, for handlers that only need the id.
pub fn peer_label(p: &PeerRow) -> String {
    format!("{} ({})", p.name, p.wwwroot)
}
