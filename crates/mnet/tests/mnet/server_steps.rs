//! The receive step machine (`mnet::server`, `mnet-protocol.md` §5.2): each rule a Moodle server
//! applies, in its order, and what is kept of each request — with real keys and envelopes.

use mnet::envelope::{Cipher, PublicKeyPath, Wrapping, seal_envelope, sign_envelope};
use mnet::fault::MnetFault;
use mnet::keys::{
    CertSignature, CertificateRequest, CertificateSubject, PeerCertificate, SitePrivateKey,
    self_signed_certificate,
};
use mnet::server::{
    NotMnet, Opened, ReceivePolicy, Received, ReplyBody, SiteKeyRing, Verified, receive,
};
use mnet::xmlrpc::{Value, write_call};
use std::sync::OnceLock;

const OURS: &str = "https://sis.example";
const MOODLE: &str = "https://moodle.example";
const NOW: i64 = 1_800_000_000;

struct Site {
    key: SitePrivateKey,
    cert: PeerCertificate,
}

fn site(wwwroot: &str, seed: u64) -> Site {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let key = SitePrivateKey::generate(&mut rng, 2048).unwrap();
    let subject = CertificateSubject {
        country: "NZ".into(),
        state: "Wellington".into(),
        locality: "Wellington".into(),
        organization: "Test".into(),
        organizational_unit: "Test".into(),
        email: "admin@example.org".into(),
    };
    let req = CertificateRequest {
        wwwroot,
        subject: &subject,
        not_before: NOW - 60,
        days: 28,
        serial: 0,
        signature: CertSignature::Sha256,
    };
    let pem = self_signed_certificate(&key, &req, &mut rng).unwrap();
    Site {
        cert: PeerCertificate::from_pem(&pem).unwrap(),
        key,
    }
}

/// Our current key, our archived key, the Moodle, and the Moodle after it re-keyed.
fn sites() -> &'static [Site; 4] {
    static SITES: OnceLock<[Site; 4]> = OnceLock::new();
    SITES.get_or_init(|| {
        [
            site(OURS, 1),
            site(OURS, 2),
            site(MOODLE, 3),
            site(MOODLE, 4),
        ]
    })
}

fn policy() -> ReceivePolicy {
    ReceivePolicy {
        clock_window: Some(300),
        not_mnet: NotMnet::Fault,
        ..ReceivePolicy::default()
    }
}

/// A call from the Moodle: signed with `signer`, sealed to `to`.
fn request(method: &str, signer: &Site, to: &Site, timestamp: i64) -> Vec<u8> {
    let xml = write_call(method, &[Value::from("x")]);
    let signed = sign_envelope(
        xml.as_bytes(),
        &signer.key,
        MOODLE,
        timestamp,
        PublicKeyPath::Moodle,
        &mut super::support::rng(),
    )
    .unwrap();
    seal_envelope(
        signed.as_bytes(),
        &to.cert,
        MOODLE,
        Cipher::Rc4,
        &mut super::support::rng(),
    )
    .unwrap()
    .into_bytes()
}

fn open(body: &[u8], held: &Site) -> Opened {
    let [current, archived, ..] = sites();
    let Received::FromPeer(from) = receive(body, &policy()) else {
        panic!("an encrypted request")
    };
    assert_eq!(from.claimed_wwwroot(), MOODLE);
    assert!(
        from.facts().kept.is_none(),
        "nothing kept before the sender is known"
    );
    let keys = [&current.key, &archived.key];
    from.open(
        &held.cert,
        SiteKeyRing {
            keys: &keys,
            current_certificate_pem: current.cert.pem(),
        },
        &mut super::support::rng(),
    )
}

fn fault_of(reply: &ReplyBody) -> i32 {
    match reply {
        ReplyBody::Xml(Err(f)) => f.code(),
        other => panic!("not a fault: {other:?}"),
    }
}

#[test]
fn plain_and_signed_only_requests_get_moodles_answers() {
    let list = write_call("system/listServices", &[]);
    let Received::Answer(d) = receive(list.as_bytes(), &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 7021);
    assert!(
        d.sign_with.is_none() && d.encrypt_to.is_none(),
        "a plain fault"
    );

    let swap = write_call("system/keyswap", &[Value::from(MOODLE), Value::from("pem")]);
    let Received::Keyswap(k) = receive(swap.as_bytes(), &policy()) else {
        panic!()
    };
    assert_eq!(k.caller_wwwroot(), Some(MOODLE));
    let d = k.answer("OUR PEM");
    assert_eq!(d.reply, ReplyBody::Xml(Ok(Value::from("OUR PEM"))));
    assert!(d.sign_with.is_none());

    let dotted = write_call("system.keyswap", &[]);
    let Received::Answer(d) = receive(dotted.as_bytes(), &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 713, "capture 05");

    let [.., moodle, _] = sites();
    let signed = sign_envelope(
        list.as_bytes(),
        &moodle.key,
        MOODLE,
        NOW,
        PublicKeyPath::Moodle,
        &mut super::support::rng(),
    )
    .unwrap();
    let Received::Answer(d) = receive(signed.as_bytes(), &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 7021);
    assert_eq!(d.sign_with, Some(0), "a signed 7021 (captures 11, 26)");
}

#[test]
fn what_is_not_mnet_gets_the_policys_answer() {
    for body in [&b""[..], b"   ", b"<html>hello</html>"] {
        let Received::Answer(d) = receive(body, &policy()) else {
            panic!()
        };
        assert_eq!(fault_of(&d.reply), 7021);
        let moodle = ReceivePolicy::default();
        let Received::Answer(d) = receive(body, &moodle) else {
            panic!()
        };
        assert_eq!(d.reply, ReplyBody::NotMnet, "Moodle's HTML page (§14)");
    }
    let Received::Answer(d) = receive(b"<encryptedMessage><broken", &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 7023);
    // Too large to read: refused before parsing, only a short record kept.
    let big = vec![b'x'; ReceivePolicy::default().limits.max_bytes + 1];
    let Received::Answer(d) = receive(&big, &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 7021);
    assert!(d.facts.kept.as_ref().is_some_and(|k| k.len() <= 4096));
    // An unencrypted request larger than any keyswap is not parsed.
    let padded = write_call("system/keyswap", &[Value::from("y".repeat(100_000))]);
    let Received::Answer(d) = receive(padded.as_bytes(), &policy()) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), 7021);
}

#[test]
fn an_unknown_sender_gets_a_plain_7020() {
    let [current, _, moodle, _] = sites();
    let body = request("system/listServices", moodle, current, NOW);
    let Received::FromPeer(from) = receive(&body, &policy()) else {
        panic!()
    };
    let d = from.unknown_sender();
    assert_eq!(fault_of(&d.reply), 7020);
    assert!(d.sign_with.is_none() && d.encrypt_to.is_none());
    assert!(d.facts.kept.is_none());
}

#[test]
fn a_verified_call_is_dispatched_and_its_reply_wrapped() {
    let [current, _, moodle, _] = sites();
    let body = request("schooltool/sis/fetch_user", moodle, current, NOW + 10);
    let Opened::Signed(u) = open(&body, moodle) else {
        panic!()
    };
    let Verified::Call(call) = u.verify(NOW) else {
        panic!()
    };
    assert_eq!(call.call.method_name, "schooltool/sis/fetch_user");
    assert!(call.facts().authenticated);
    let kept = call.facts().kept.clone().unwrap();
    assert!(
        String::from_utf8_lossy(&kept).contains("<signedMessage>"),
        "the signed envelope is kept once verified"
    );
    let d = call.reply(Ok(Value::from("done")));
    assert_eq!(d.sign_with, Some(0));
    assert_eq!(
        d.encrypt_to.as_deref().map(PeerCertificate::pem),
        Some(moodle.cert.pem())
    );
    // What a real reply wrapping does with it.
    let wrapped = Wrapping {
        sign_with: Some(&current.key),
        encrypt_to: d.encrypt_to.as_deref(),
        wwwroot: OURS,
        timestamp: NOW,
        cipher: Cipher::Rc4,
        publickey_path: PublicKeyPath::Moodle,
    }
    .wrap(b"<methodResponse/>", &mut super::support::rng());
    assert!(wrapped.is_ok());
}

#[test]
fn an_archived_key_gets_7025_whatever_the_signature() {
    let [current, archived, moodle, rekeyed] = sites();
    // Sealed to our archived certificate, signed by a key we do not hold for the peer.
    let body = request("system/listServices", rekeyed, archived, NOW);
    let Opened::Answer(d) = open(&body, moodle) else {
        panic!()
    };
    match &d.reply {
        ReplyBody::Xml(Err(MnetFault::KeyChanged(pem))) => assert_eq!(pem, current.cert.pem()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.sign_with,
        Some(1),
        "signed with the archived key that opened it (§5.4)"
    );
    assert!(d.encrypt_to.is_some());
    assert!(
        d.facts.kept.is_none(),
        "unauthenticated: nothing of it kept"
    );
}

#[test]
fn a_signature_that_fails_is_retried_with_the_peers_new_key_only() {
    let [current, _, moodle, rekeyed] = sites();
    let body = request("system/listServices", rekeyed, current, NOW);
    let Opened::Signed(u) = open(&body, moodle) else {
        panic!()
    };
    let Verified::NeedPeerKey(needed) = u.verify(NOW) else {
        panic!()
    };
    assert_eq!(needed.held_certificate().pem(), moodle.cert.pem());
    // No new key, or the same one: 710.
    let d = needed.retry(None, NOW).unwrap_err();
    assert_eq!(fault_of(&d.reply), 710);
    assert!(d.facts.kept.is_none());

    let Opened::Signed(u) = open(&body, moodle) else {
        panic!()
    };
    let Verified::NeedPeerKey(needed) = u.verify(NOW) else {
        panic!()
    };
    let call = needed.retry(Some(rekeyed.cert.clone()), NOW).unwrap();
    assert_eq!(
        call.facts()
            .new_peer_certificate
            .as_deref()
            .map(PeerCertificate::pem),
        Some(rekeyed.cert.pem()),
        "the new key is handed over to be stored"
    );
    let d = call.reply(Ok(Value::Bool(true)));
    assert_eq!(
        d.encrypt_to.as_deref().map(PeerCertificate::pem),
        Some(rekeyed.cert.pem()),
        "the reply goes to the key that signed the request"
    );

    // A certificate the request does not verify with is not taken.
    let Opened::Signed(u) = open(&body, moodle) else {
        panic!()
    };
    let Verified::NeedPeerKey(needed) = u.verify(NOW) else {
        panic!()
    };
    let d = needed.retry(Some(current.cert.clone()), NOW).unwrap_err();
    assert_eq!(fault_of(&d.reply), 710);
}

#[test]
fn the_clock_window_is_the_policys() {
    let [current, _, moodle, _] = sites();
    let body = request("system/listServices", moodle, current, NOW - 301);
    let Opened::Signed(u) = open(&body, moodle) else {
        panic!()
    };
    let Verified::Answer(d) = u.verify(NOW) else {
        panic!()
    };
    assert_eq!(fault_of(&d.reply), mnet::server::FAULT_CLOCK_SKEW);
    match &d.reply {
        ReplyBody::Xml(Err(f)) => assert!(f.text().contains("301 seconds behind"), "{}", f.text()),
        _ => unreachable!(),
    }
    // Moodle's own policy checks no clock.
    let Received::FromPeer(from) = receive(&body, &ReceivePolicy::default()) else {
        panic!()
    };
    let [current, archived, ..] = sites();
    let keys = [&current.key, &archived.key];
    let Opened::Signed(u) = from.open(
        &moodle.cert,
        SiteKeyRing {
            keys: &keys,
            current_certificate_pem: current.cert.pem(),
        },
        &mut super::support::rng(),
    ) else {
        panic!()
    };
    assert!(matches!(u.verify(NOW), Verified::Call(_)));
}

#[test]
fn an_envelope_no_key_opens_can_be_retried_then_is_7023() {
    let [_, _, moodle, rekeyed] = sites();
    // Sealed to a key that is not ours at all.
    let body = request("system/listServices", moodle, rekeyed, NOW);
    let Opened::NoKeyOpens(from) = open(&body, moodle) else {
        panic!()
    };
    let d = from.no_key_opens();
    assert_eq!(fault_of(&d.reply), 7023);
    assert!(
        d.sign_with.is_none() && d.encrypt_to.is_none(),
        "a plain fault"
    );
}
