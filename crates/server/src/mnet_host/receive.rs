//! The MNet endpoint's I/O around the receive step machine of `mnet::server` (which owns the
//! rules: order of checks, faults, how a reply is wrapped, what is kept — `mnet-protocol.md`
//! §5.2). This module only supplies what the steps ask for — the peer row, our keys, the peer's
//! current certificate after a failed signature, the dispatch of a verified call — then seals
//! the reply on the crypto threads and writes the audit entry from the decision's facts.

use super::context::{CallContext, EarlyReply, Sealer, reply_xml};
use super::keyring::{KeyRing, LoadedKey};
use super::{dispatch, peer_keys};
use crate::state::AppState;
use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::envelope::{Cipher, PublicKeyPath, Wrapping};
use mnet::fault::MnetFault;
use mnet::keys::PeerCertificate;
use mnet::server::{
    Decision, Facts, FromPeer, NotMnet, Opened, ReceivePolicy, Received, ReplyBody, SiteKeyRing,
    Verified,
};
use std::sync::Arc;
use std::time::Instant;

pub use mnet::server::FAULT_CLOCK_SKEW;

/// The receive policy: Moodle's rules plus SchoolBridge's clock window, and faults (not Moodle's
/// HTML page) for bodies that are not MNet, since every caller of this endpoint is an MNet client.
pub fn policy(state: &AppState) -> ReceivePolicy {
    ReceivePolicy {
        limits: state.limits,
        clock_window: Some(state.config.clock_skew_secs),
        not_mnet: NotMnet::Fault,
        ..ReceivePolicy::default()
    }
}

/// What the steps decided, and what the pipeline needs besides.
struct Outcome {
    decision: Decision,
    /// The ring the decision's key indexes refer to.
    ring: Arc<KeyRing>,
    /// The calling peer, when known.
    peer: Option<PeerRow>,
    /// A handler wrote the audit entry in its own transaction.
    audited: bool,
    /// A reply sealed ahead of a handler's commit.
    early: Option<EarlyReply>,
}

/// What one request came to.
#[derive(Debug)]
pub struct Handled {
    /// The reply body.
    pub reply: Vec<u8>,
    /// The request failed MNet's checks: a fault to a sender that did not prove who it is
    /// (what `mnet_failures_per_minute` counts, `sender_limits`).
    pub failed_checks: bool,
}

/// Handles one POST to the MNet endpoint.
pub async fn handle(state: &AppState, body: &[u8]) -> Handled {
    let started = Instant::now();
    let at_ms = state.clock.now_ms();
    let outcome = decide(state, body, started, at_ms).await;
    let fault = outcome.decision.fault_code();
    let method = outcome.decision.facts.method.as_deref();
    state.metrics.mnet_request_size(method, body.len());
    state.metrics.mnet_call(
        crate::metrics::Direction::In,
        method,
        if fault.is_some() {
            AuditOutcome::Fault
        } else {
            AuditOutcome::Ok
        },
        fault,
        started.elapsed(),
    );
    // A sender that has not proved who it is gets an entry only within the budget.
    let recorded = outcome.audited
        || outcome.decision.facts.authenticated
        || state.unauthenticated_audit.take(state.clock.now());
    if !outcome.audited && recorded {
        let entry = audit_entry(
            &outcome.decision.facts,
            outcome.peer.as_ref(),
            fault,
            at_ms,
            started,
        );
        if let Err(e) = state.store.audit(&entry).await {
            tracing::error!(error = %e, "could not write the audit log entry");
        }
    }
    let failed_checks = fault.is_some() && !outcome.decision.facts.authenticated;
    Handled {
        reply: wrap(state, outcome).await,
        failed_checks,
    }
}

/// The audit entry for what the steps found (`docs/design/004` decision 1: a handler that writes
/// to the database builds the same entry through [`CallContext`]).
pub(crate) fn audit_entry(
    facts: &Facts,
    peer: Option<&PeerRow>,
    fault: Option<i32>,
    at_ms: i64,
    started: Instant,
) -> NewAuditEntry {
    NewAuditEntry {
        at_ms,
        direction: AuditDirection::In,
        peer_id: peer.map(|p| p.id),
        peer_wwwroot: facts.claimed_wwwroot.clone(),
        method: facts.method.clone(),
        outcome: if fault.is_some() {
            AuditOutcome::Fault
        } else {
            AuditOutcome::Ok
        },
        fault_code: fault,
        detail: facts.detail.clone(),
        duration_us: started.elapsed().as_micros() as i64,
        encrypted: facts.encrypted,
        signed: facts.signed,
        envelope: facts.kept.clone(),
        envelope_note: facts.note.clone(),
    }
}

async fn decide(state: &AppState, body: &[u8], started: Instant, at_ms: i64) -> Outcome {
    let ring = state.keys.ring();
    let policy = policy(state);
    let done = |decision: Decision, ring: Arc<KeyRing>, peer: Option<PeerRow>| Outcome {
        decision,
        ring,
        peer,
        audited: false,
        early: None,
    };
    match mnet::server::receive(body, &policy) {
        Received::Answer(d) => done(d, ring, None),
        Received::Keyswap(k) => {
            // Who asked for our key is recorded; nothing is registered from it.
            let peer = match k.caller_wwwroot() {
                Some(w) => state.store.live_peer_by_wwwroot(w).await.ok().flatten(),
                None => None,
            };
            let d = k.answer(ring.current().cert.pem());
            done(d, ring, peer)
        }
        Received::FromPeer(from) => from_peer(state, from, started, at_ms).await,
    }
}

async fn from_peer(state: &AppState, from: FromPeer, started: Instant, at_ms: i64) -> Outcome {
    let ring = state.keys.ring();
    let fail = |from: &FromPeer, detail: &str, ring: Arc<KeyRing>| {
        let mut facts = from.facts().clone();
        facts.detail = Some(detail.to_owned());
        Outcome {
            decision: Decision {
                reply: ReplyBody::Xml(Err(MnetFault::Unknown)),
                sign_with: None,
                encrypt_to: None,
                facts,
            },
            ring,
            peer: None,
            audited: false,
            early: None,
        }
    };
    // Step 1: a live peer, before any RSA work.
    let peer = match state
        .store
        .live_peer_by_wwwroot(from.claimed_wwwroot())
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Outcome {
                decision: from.unknown_sender(),
                ring,
                peer: None,
                audited: false,
                early: None,
            };
        }
        Err(e) => {
            tracing::error!(error = %e, "peer lookup failed");
            return fail(&from, "storage unavailable", ring);
        }
    };
    let Ok(peer_cert) = PeerCertificate::from_pem(&peer.certificate_pem) else {
        tracing::error!(peer = peer.id, "stored peer certificate is unreadable");
        return fail(&from, "stored peer certificate unreadable", ring);
    };
    // Steps 2–4 on this crypto thread: opening, and the signature.
    let (opened, ring) = open(state, from, &peer_cert, ring).await;
    let now = state.clock.now();
    let verified = match opened {
        Opened::Answer(d) => return outcome(d, ring, Some(peer)),
        Opened::NoKeyOpens(from) => return outcome(from.no_key_opens(), ring, Some(peer)),
        Opened::Signed(unverified) => unverified.verify(now),
    };
    let verified = match verified {
        Verified::Call(call) => Ok(call),
        Verified::Answer(d) => Err(d),
        Verified::NeedPeerKey(needed) => {
            // The peer may have rotated its key (Moodle re-fetches it, §5.2): ask the peer itself.
            let fetched = peer_keys::fetch_rotated_key(state, &peer).await;
            needed.retry(fetched, now)
        }
    };
    let mut call = match verified {
        Ok(call) => call,
        Err(d) => return outcome(d, ring, Some(peer)),
    };
    let peer = match call.facts().new_peer_certificate.clone() {
        Some(cert) => peer_keys::store_rotated_key(state, &peer, &cert, at_ms).await,
        None => peer,
    };
    // Past the peer's calls a minute (`sender_limits`): "not now", before any work.
    if !state.mnet_peer_calls.take(&peer.id, now) {
        state.metrics.mnet_throttled("peer");
        let busy = mnet::services::SisFaultCode::StorageUnavailable as i32;
        let text = format!(
            "SchoolBridge is busy: this site sent more than {} MNet calls in a minute (mnet_calls_per_minute). Try again in a minute.",
            state.config.mnet_calls_per_minute
        );
        return outcome(
            call.reply(Err(MnetFault::Other(busy, text))),
            ring,
            Some(peer),
        );
    }
    // Password fields are never stored (schooltool-sis.md fetch_user): the envelope that
    // carried them stays out of the audit log.
    if mnet::sis::carries_password(&call.call.params) {
        let facts = call.facts_mut();
        facts.kept = None;
        facts.note = Some(crate::sis::PASSWORD_NOTE.into());
    }
    // The last contact is kept to the minute; most calls need no write.
    if peer.contact_worth_recording(now)
        && let Err(e) = state.store.touch_peer(peer.id, now).await
    {
        tracing::warn!(error = %e, "could not record the peer's last contact");
    }
    // Step 6: the call itself.
    let base = audit_entry(call.facts(), Some(&peer), None, at_ms, started);
    let mut ctx = CallContext::new(
        peer.clone(),
        call.call.method_name.clone(),
        now,
        call.timestamp,
        started,
        base,
    )
    .with_sealer(sealer(state, ring.current(), call.peer_certificate()));
    let result = dispatch::dispatch(state, &mut ctx, &call.call).await;
    let early = ctx.take_early();
    let (audit, audited) = ctx.into_parts();
    let mut decision = call.reply(result);
    // A handler may have set the audit detail (e.g. what a schooltool_sis call did).
    if decision.facts.detail.is_none() {
        decision.facts.detail = audit.detail;
    }
    Outcome {
        decision,
        ring,
        peer: Some(peer),
        audited,
        early,
    }
}

fn outcome(decision: Decision, ring: Arc<KeyRing>, peer: Option<PeerRow>) -> Outcome {
    Outcome {
        decision,
        ring,
        peer,
        audited: false,
        early: None,
    }
}

/// Opens with the ring; when nothing opens, reloads the ring once (another instance, or the
/// command line, may have rotated the key a moment ago) and tries again.
async fn open(
    state: &AppState,
    from: FromPeer,
    peer_cert: &PeerCertificate,
    ring: Arc<KeyRing>,
) -> (Opened, Arc<KeyRing>) {
    match open_with(from, peer_cert, &ring) {
        Opened::NoKeyOpens(from) if matches!(state.keys.refresh_if_rotated().await, Ok(true)) => {
            let ring = state.keys.ring();
            (open_with(from, peer_cert, &ring), ring)
        }
        other => (other, ring),
    }
}

fn open_with(from: FromPeer, peer_cert: &PeerCertificate, ring: &KeyRing) -> Opened {
    let keys: Vec<&mnet::keys::SitePrivateKey> = ring.keys.iter().map(|k| &k.key).collect();
    from.open(
        peer_cert,
        SiteKeyRing {
            keys: &keys,
            current_certificate_pem: ring.current().cert.pem(),
        },
        &mut rand::rng(),
    )
}

/// Signs and encrypts the decision's reply as it says, or sends the reply sealed ahead.
async fn wrap(state: &AppState, outcome: Outcome) -> Vec<u8> {
    let Outcome {
        decision,
        ring,
        early,
        ..
    } = outcome;
    let xml = match &decision.reply {
        ReplyBody::Xml(result) => reply_xml(result),
        // This endpoint answers faults, never Moodle's HTML page (see [`policy`]).
        ReplyBody::NotMnet => MnetFault::ForbiddenTransport.to_xml(),
    };
    if let Some(early) = early {
        if early.xml == xml {
            if let Ok(Some(bytes)) = early.sealed.await {
                return bytes;
            }
        } else {
            early.sealed.abort();
        }
    }
    let sign_with = decision
        .sign_with
        .and_then(|i| ring.keys.get(i))
        .map(Arc::clone);
    if sign_with.is_none() && decision.encrypt_to.is_none() {
        return xml.into_bytes();
    }
    let job = seal_job(state, sign_with, decision.encrypt_to.map(|c| *c), xml);
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

/// The peer row, for handlers that only need the id.
pub fn peer_label(p: &PeerRow) -> String {
    format!("{} ({})", p.name, p.wwwroot)
}
