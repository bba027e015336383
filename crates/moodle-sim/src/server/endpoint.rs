//! `POST /mnet/xmlrpc/server.php`: Moodle's server pipeline (`mnet-protocol.md` §5.2), as far
//! as the simulator needs it.
//!
//! 1. Classify the body. Empty or not XML-RPC: Moodle 4.5's HTML page with status 404 (§14).
//! 2. Plain: only `system/keyswap` (and `system.keyswap`, which then fails the name check with
//!    713, capture 05) is served; anything else gets a plain 7021 (captures 02–04, 06).
//! 3. Signed only: keyswap is served; anything else gets 7021, signed (captures 11, 26) — the
//!    simulator has no trusted hosts.
//! 4. Encrypted: unknown `<wwwroot>` → plain 7020 (capture 10); no key opens it → plain 7023;
//!    opened by an archived key → 7025 with the current PEM, signed with that archived key and
//!    encrypted to the caller (§5.4); a signature that does not verify makes the site fetch
//!    the caller's key (keyswap) and, if it changed, refresh it with a `system/listServices`
//!    call whose 7025 delivers the new certificate, then verify again; still bad → 710.
//! 5. Dispatch, and answer in kind: signed if the request was signed, encrypted if it was.

use super::methods::{dispatch, is_keyswap};
use crate::calls::{CallOutcome, ReceivedCall, Transport};
use crate::peers::PeerRecord;
use crate::sim::{SimMoodle, blocking};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mnet::envelope::{Cipher, EncryptedEnvelope, Inbound, PublicKeyPath, SignedEnvelope, Wrapping};
use mnet::fault::MnetFault;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{MethodCall, Value, parse_call, write_response};
use std::sync::Arc;

/// What the endpoint sends back.
enum Answer {
    /// An XML-RPC document or envelope, status 200.
    Xml(Vec<u8>),
    /// Moodle 4.5's HTML error page, status 404.
    NotMnet,
}

/// The handler.
pub(crate) async fn xmlrpc_server(State(sim): State<SimMoodle>, body: Bytes) -> Response {
    match process(&sim, &body).await {
        Answer::Xml(bytes) => (
            StatusCode::OK,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )],
            bytes,
        )
            .into_response(),
        Answer::NotMnet => not_mnet_page(&sim),
    }
}

/// `GET /mnet/xmlrpc/server.php` and every non-MNet body: an HTML page with status 404.
pub(crate) async fn xmlrpc_get(State(sim): State<SimMoodle>) -> Response {
    not_mnet_page(&sim)
}

fn not_mnet_page(sim: &SimMoodle) -> Response {
    super::html::error_page(
        sim,
        StatusCode::NOT_FOUND,
        None,
        "The transport method you are trying to use is not permitted.",
    )
}

async fn process(sim: &SimMoodle, body: &[u8]) -> Answer {
    let body = body.trim_ascii();
    let inbound = match (body.is_empty(), Inbound::classify(body, &sim.inner.limits)) {
        (false, Ok(inbound)) => inbound,
        _ => {
            record(sim, None, None, Transport::Plain, CallOutcome::NotMnet);
            return Answer::NotMnet;
        }
    };
    match inbound {
        Inbound::Plain(doc) => plain(sim, &doc).await,
        Inbound::Signed(envelope) => signed_only(sim, envelope).await,
        Inbound::Encrypted(envelope) => encrypted(sim, envelope).await,
    }
}

/// Step 2: a plain XML-RPC document.
async fn plain(sim: &SimMoodle, doc: &[u8]) -> Answer {
    let Ok(call) = parse_call(doc, &sim.inner.limits) else {
        record(sim, None, None, Transport::Plain, CallOutcome::NotMnet);
        return Answer::NotMnet;
    };
    let result = if is_keyswap(&call.method_name) {
        dispatch(sim, None, &call).await
    } else {
        Err(MnetFault::ForbiddenTransport)
    };
    record(sim, None, Some(&call), Transport::Plain, outcome(&result));
    Answer::Xml(document(&result).into_bytes())
}

/// Step 3: a signed envelope that was not encrypted.
async fn signed_only(sim: &SimMoodle, envelope: SignedEnvelope) -> Answer {
    let from = envelope.claimed_wwwroot().to_owned();
    // The method name is read to see whether it is keyswap; nothing else is acted on.
    let call = parse_call(envelope.unverified_payload(), &sim.inner.limits).ok();
    let result = match &call {
        Some(call) if is_keyswap(&call.method_name) => dispatch(sim, None, call).await,
        _ => Err(MnetFault::ForbiddenTransport),
    };
    record(
        sim,
        Some(from),
        call.as_ref(),
        Transport::SignedOnly,
        outcome(&result),
    );
    let current = sim.key_ring().current.shared_key();
    wrap(sim, document(&result), Some(current), None).await
}

/// Step 4: an encrypted envelope.
async fn encrypted(sim: &SimMoodle, envelope: EncryptedEnvelope) -> Answer {
    let from = envelope.claimed_wwwroot().to_owned();
    let plain_fault = |fault: MnetFault| Answer::Xml(fault.to_xml().into_bytes());
    let Some(peer) = sim.peer(&from) else {
        record(
            sim,
            Some(from.clone()),
            None,
            Transport::Encrypted,
            CallOutcome::Fault(7020),
        );
        return plain_fault(MnetFault::WrongWwwroot(from));
    };
    let keys = sim.key_ring().keys();
    let opened = {
        let keys = keys.clone();
        blocking(move || {
            let keys: Vec<&SitePrivateKey> = keys.iter().map(AsRef::as_ref).collect();
            envelope.open(&keys, &mut rand::rng())
        })
        .await
    };
    let Ok(Ok(opened)) = opened else {
        record(
            sim,
            Some(from),
            None,
            Transport::Encrypted,
            CallOutcome::Fault(7023),
        );
        return plain_fault(MnetFault::EncryptionInvalid);
    };
    let opening_key = keys.get(opened.key_index).cloned();
    let pushkey = opened.key_index > 0;
    let Ok(signed) = opened.signed_envelope(&sim.inner.limits) else {
        // Encrypted but not signed (§5.2 step 5: 711), answered encrypted only.
        record(
            sim,
            Some(from),
            None,
            Transport::Encrypted,
            CallOutcome::Fault(711),
        );
        let xml = MnetFault::NotSigned.to_xml();
        return wrap(sim, xml, None, Some(peer.certificate)).await;
    };
    let call = parse_call(signed.unverified_payload(), &sim.inner.limits).ok();
    if pushkey {
        // §5.2 step 3 and §5.4: the caller used an archived certificate of ours.
        record(
            sim,
            Some(from),
            call.as_ref(),
            Transport::Encrypted,
            CallOutcome::Fault(7025),
        );
        let xml = MnetFault::KeyChanged(sim.certificate_pem()).to_xml();
        return wrap(sim, xml, opening_key, Some(peer.certificate)).await;
    }
    let verified = verify(sim, &peer, &signed).await;
    let result = match (verified, &call) {
        (false, _) => Err(MnetFault::SignatureInvalid),
        (true, None) => Err(MnetFault::Unknown),
        (true, Some(call)) => {
            sim.peers_mut().touch(&peer.wwwroot, sim.now());
            let peer = sim.peer(&peer.wwwroot).unwrap_or(peer.clone());
            dispatch(sim, Some(&peer), call).await
        }
    };
    record(
        sim,
        Some(from),
        call.as_ref(),
        Transport::Encrypted,
        outcome(&result),
    );
    let certificate = sim
        .peer(&peer.wwwroot)
        .map_or(peer.certificate, |p| p.certificate);
    let current = sim.key_ring().current.shared_key();
    wrap(sim, document(&result), Some(current), Some(certificate)).await
}

/// Verifies the signature with the certificate held for the signer; on failure, re-keys as
/// `mnet_server_strip_signature` does and tries once more (§5.2 step 2).
async fn verify(sim: &SimMoodle, peer: &PeerRecord, signed: &SignedEnvelope) -> bool {
    // Moodle re-loads the peer by the *signed* wwwroot; a different one is not this peer.
    if signed.claimed_wwwroot() != peer.wwwroot {
        return false;
    }
    if verify_with(signed, &peer.certificate).await {
        return true;
    }
    if !refresh_peer_key(sim, peer).await {
        return false;
    }
    match sim.peer(&peer.wwwroot) {
        Some(refreshed) => verify_with(signed, &refreshed.certificate).await,
        None => false,
    }
}

async fn verify_with(signed: &SignedEnvelope, certificate: &PeerCertificate) -> bool {
    let (signed, certificate) = (signed.clone(), certificate.clone());
    matches!(
        blocking(move || signed.verify(&certificate).is_ok()).await,
        Ok(true)
    )
}

/// The peer's key may have changed: ask it (keyswap); if its answer differs from what we hold,
/// call it (`refresh_key()` sends `system/listServices`) so that its 7025 hands us the new
/// certificate through the channel we trust. Returns whether the stored certificate changed.
async fn refresh_peer_key(sim: &SimMoodle, peer: &PeerRecord) -> bool {
    let held = peer.certificate.pem().to_owned();
    match sim.fetch_peer_certificate(&peer.wwwroot).await {
        Ok(current) if current.pem() != held => {}
        _ => return false,
    }
    tracing::info!(peer = %peer.wwwroot, "signature did not verify and the peer's key changed: refreshing it");
    let _ = sim
        .call(&peer.wwwroot, "system/listServices", Vec::new())
        .await;
    sim.peer(&peer.wwwroot)
        .is_some_and(|p| p.certificate.pem() != held)
}

/// Signs (if `sign_with`) and encrypts (if `encrypt_to`) a reply (§5.2 step 6).
async fn wrap(
    sim: &SimMoodle,
    xml: String,
    sign_with: Option<Arc<SitePrivateKey>>,
    encrypt_to: Option<PeerCertificate>,
) -> Answer {
    let (wwwroot, timestamp) = (sim.wwwroot().to_owned(), sim.now());
    let wrapped = blocking(move || {
        Wrapping {
            sign_with: sign_with.as_deref(),
            encrypt_to: encrypt_to.as_ref(),
            wwwroot: &wwwroot,
            timestamp,
            cipher: Cipher::Rc4,
            publickey_path: PublicKeyPath::Moodle,
        }
        .wrap(xml.as_bytes(), &mut rand::rng())
    })
    .await;
    match wrapped {
        Ok(Ok(body)) => Answer::Xml(body),
        Ok(Err(e)) => {
            tracing::error!("could not wrap a reply: {e}");
            Answer::Xml(MnetFault::Unknown.to_xml().into_bytes())
        }
        Err(e) => {
            tracing::error!("could not wrap a reply: {e}");
            Answer::Xml(MnetFault::Unknown.to_xml().into_bytes())
        }
    }
}

fn document(result: &Result<Value, MnetFault>) -> String {
    match result {
        Ok(value) => write_response(value),
        Err(fault) => fault.to_xml(),
    }
}

fn outcome(result: &Result<Value, MnetFault>) -> CallOutcome {
    match result {
        Ok(_) => CallOutcome::Answered,
        Err(fault) => CallOutcome::Fault(fault.code()),
    }
}

fn record(
    sim: &SimMoodle,
    from: Option<String>,
    call: Option<&MethodCall>,
    transport: Transport,
    outcome: CallOutcome,
) {
    let method = call.map(|c| c.method_name.clone());
    match outcome {
        CallOutcome::Fault(code) => tracing::info!(
            from = from.as_deref().unwrap_or("-"),
            method = method.as_deref().unwrap_or("-"),
            ?transport,
            code,
            "MNet call answered with a fault"
        ),
        _ => tracing::debug!(
            from = from.as_deref().unwrap_or("-"),
            method = method.as_deref().unwrap_or("-"),
            ?transport,
            ?outcome,
            "MNet call"
        ),
    }
    sim.record_call(ReceivedCall {
        at: sim.now(),
        from,
        method,
        params: call.map(|c| c.params.clone()).unwrap_or_default(),
        transport,
        outcome,
    });
}
