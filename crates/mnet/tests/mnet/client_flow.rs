//! Whole exchanges built with our own code: sign → seal → open → verify, the reply path of a
//! caller (including 7025 and the clock check), and damaged input failing cleanly.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::captures::{PEER_CERT, PEER_KEY};
use super::support::{rng, test_key};
use mnet::client::{self, BuiltRequest, Caller, Reply, ReplyError, Timing};
use mnet::envelope::{Cipher, EncryptedEnvelope, Inbound, PublicKeyPath, SignedEnvelope, Wrapping};
use mnet::fault::MnetFault;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{Limits, Value, parse_call, write_response};

struct Site {
    key: SitePrivateKey,
    cert: PeerCertificate,
    wwwroot: &'static str,
}

fn alice() -> Site {
    // The captured test peer's identity.
    Site {
        key: SitePrivateKey::from_pem(PEER_KEY).unwrap(),
        cert: PeerCertificate::from_pem(PEER_CERT).unwrap(),
        wwwroot: "http://127.0.0.1:8082",
    }
}

fn bob() -> Site {
    let keys: serde_json::Value =
        serde_json::from_str(include_str!("../vectors/php-openssl/keys.json")).unwrap();
    Site {
        key: test_key().clone(),
        cert: PeerCertificate::from_pem(keys["receiver"]["certificate_pem"].as_str().unwrap())
            .unwrap(),
        wwwroot: "https://receiver.example.org",
    }
}

fn timing(now: i64) -> Timing {
    Timing {
        sent: now,
        received: now,
        drift_threshold: client::DEFAULT_DRIFT_THRESHOLD,
    }
}

/// `from` calls `system/listServices` on `to`: signed, sealed with RC4, timestamp 1.
fn list_services_request(from: &Site, to: &Site) -> BuiltRequest {
    let caller = Caller {
        wwwroot: from.wwwroot,
        key: &from.key,
        publickey_path: PublicKeyPath::Moodle,
    };
    client::build_request(
        &caller,
        &to.cert,
        "system/listServices",
        &[],
        1,
        Cipher::Rc4,
        &mut rng(),
    )
    .unwrap()
}

/// Bob answers Alice's request the way our server does: sign with his key, seal to Alice.
fn bob_replies(payload: &str, sign_with: &SitePrivateKey, timestamp: i64) -> Vec<u8> {
    let (a, b) = (alice(), bob());
    Wrapping {
        sign_with: Some(sign_with),
        encrypt_to: Some(&a.cert),
        wwwroot: b.wwwroot,
        timestamp,
        cipher: Cipher::Rc4,
        publickey_path: PublicKeyPath::Moodle,
    }
    .wrap(payload.as_bytes(), &mut rng())
    .unwrap()
}

#[test]
fn sign_seal_open_verify_round_trip_for_each_cipher() {
    let (a, b) = (alice(), bob());
    let limits = Limits::default();
    for cipher in [Cipher::Rc4, Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let caller = Caller {
            wwwroot: a.wwwroot,
            key: &a.key,
            publickey_path: PublicKeyPath::Moodle,
        };
        let params = [Value::from("tok"), Value::from("ua")];
        let req = client::build_request(
            &caller,
            &b.cert,
            "auth/mnet/auth.php/user_authorise",
            &params,
            1_800_000_000,
            cipher,
            &mut rng(),
        )
        .unwrap();
        let Inbound::Encrypted(env) = Inbound::classify(&req.body, &limits).unwrap() else {
            panic!()
        };
        assert_eq!(env.claimed_wwwroot(), a.wwwroot);
        assert_eq!(env.cipher(), Some(cipher));
        let opened = env.open(&[&b.key], &mut rng()).unwrap();
        let signed = opened.signed_envelope(&limits).unwrap();
        assert_eq!(signed.claimed_timestamp(), Some(1_800_000_000));
        let verified = signed.verify(&a.cert).unwrap();
        let call = parse_call(&verified.payload, &limits).unwrap();
        assert_eq!(call.method_name, "auth/mnet/auth.php/user_authorise");
        assert_eq!(call.params, params);
        assert_eq!(verified.payload, req.xmlrpc.as_bytes());
    }
}

#[test]
fn archived_key_is_reported_by_index() {
    let (a, b) = (alice(), bob());
    let req = list_services_request(&a, &b);
    let env = EncryptedEnvelope::parse(&req.body, &Limits::default()).unwrap();
    // Bob's current key is Alice's key (he rotated); his archived key is the one sealed to.
    let opened = env.open(&[&a.key, &b.key], &mut rng()).unwrap();
    assert_eq!(opened.key_index, 1);
    assert!(env.open(&[&a.key], &mut rng()).is_err());
    assert!(env.open(&[], &mut rng()).is_err());
}

#[test]
fn reply_path_values_faults_7025_and_signatures() {
    let (a, b) = (alice(), bob());
    let limits = Limits::default();
    let now = 1_800_000_000;
    let read = |body: &[u8], peer: &PeerCertificate| {
        client::read_reply(body, &[&a.key], peer, timing(now), &limits, &mut rng()).map(|r| r.reply)
    };

    let ok = bob_replies(&write_response(&Value::from("All ok")), &b.key, now);
    assert_eq!(
        read(&ok, &b.cert).unwrap(),
        Reply::Value(Value::from("All ok"))
    );

    let fault = bob_replies(&MnetFault::NoSuchFunction.to_xml(), &b.key, now);
    let Reply::Fault(f) = read(&fault, &b.cert).unwrap() else {
        panic!()
    };
    assert_eq!(f.code, 7012);

    // 7025 is handed back before the signature check (Moodle's order), even when signed by an
    // archived key the caller no longer trusts.
    let new_pem = a.cert.pem().to_owned();
    let rekey = bob_replies(
        &MnetFault::KeyChanged(new_pem.clone()).to_xml(),
        &a.key,
        now,
    );
    assert_eq!(read(&rekey, &b.cert).unwrap(), Reply::KeyChanged(new_pem));

    // A reply signed by someone else fails the signature check.
    let forged = bob_replies(&write_response(&Value::from("All ok")), &a.key, now);
    assert_eq!(read(&forged, &b.cert), Err(ReplyError::BadSignature));

    // A plain fault (7023 before decryption) is a remote error; a plain value is refused.
    assert!(
        matches!(read(MnetFault::EncryptionInvalid.to_xml().as_bytes(), &b.cert), Err(ReplyError::RemoteFault(f)) if f.code == 7023)
    );
    assert_eq!(
        read(write_response(&Value::from("x")).as_bytes(), &b.cert),
        Err(ReplyError::NotEncrypted)
    );

    // A peer clock 60 s ahead is refused; behind is fine.
    let ahead = bob_replies(&write_response(&Value::from("x")), &b.key, now + 60);
    assert!(matches!(
        read(&ahead, &b.cert),
        Err(ReplyError::ClockAhead { offset: 60, .. })
    ));
    let behind = bob_replies(&write_response(&Value::from("x")), &b.key, now - 3600);
    assert!(read(&behind, &b.cert).is_ok());
}

#[test]
fn damaged_envelopes_fail_cleanly() {
    let (a, b) = (alice(), bob());
    let limits = Limits::default();
    let req = list_services_request(&a, &b);
    let text = String::from_utf8(req.body.clone()).unwrap();

    // Truncated at every 97th byte: never a panic, and never a successful verify.
    for cut in (0..text.len()).step_by(97) {
        let body = &req.body[..cut];
        if let Ok(Inbound::Encrypted(env)) = Inbound::classify(body, &limits)
            && let Ok(opened) = env.open(&[&b.key], &mut rng())
            && let Ok(signed) = opened.signed_envelope(&limits)
        {
            assert!(signed.verify(&a.cert).is_err() || cut == text.len());
        }
    }

    // One bit flipped in the ciphertext: RC4 has no MAC, so the damage shows at signature time
    // (or the envelope no longer parses).
    let data_b64 = super::support::element_text(&text, "CipherValue")[0].to_owned();
    let mut data =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &data_b64).unwrap();
    let mid = data.len() - 40;
    data[mid] ^= 0x01;
    let flipped = text.replacen(
        &data_b64,
        &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &data),
        1,
    );
    let env = EncryptedEnvelope::parse(flipped.as_bytes(), &limits).unwrap();
    let outcome = env
        .open(&[&b.key], &mut rng())
        .ok()
        .and_then(|o| o.signed_envelope(&limits).ok())
        .map(|s| s.verify(&a.cert).is_ok());
    assert_ne!(outcome, Some(true), "a tampered message must not verify");

    // A signed envelope whose payload was swapped keeps the old signature: refused.
    let signed = mnet::envelope::sign_envelope(
        b"<methodCall/>",
        &a.key,
        a.wwwroot,
        1,
        PublicKeyPath::Moodle,
        &mut rng(),
    )
    .unwrap();
    let start =
        signed.find("<object ID=\"XMLRPC-MSG\">").unwrap() + "<object ID=\"XMLRPC-MSG\">".len();
    let object = signed[start..start + signed[start..].find("</object>").unwrap()].to_owned();
    let swapped = signed.replace(
        &object,
        &base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            b"<methodCall></methodCall>",
        ),
    );
    assert!(
        SignedEnvelope::parse(swapped.as_bytes(), &limits)
            .unwrap()
            .verify(&a.cert)
            .is_err()
    );

    // Garbage and half-envelopes.
    for junk in [
        "",
        "<",
        "<encryptedMessage>",
        "<encryptedMessage><wwwroot>x</wwwroot><CipherValue>!!</CipherValue><CipherValue>AA==</CipherValue></encryptedMessage>",
        "<signedMessage><wwwroot>x</wwwroot></signedMessage>",
    ] {
        match Inbound::classify(junk.as_bytes(), &limits) {
            Err(_) => {}
            Ok(Inbound::Plain(_)) => {}
            Ok(other) => panic!("{junk:?} classified as {other:?}"),
        }
    }
}

#[test]
fn keyswap_request_and_reply() {
    let a = alice();
    let req = client::keyswap_request(a.wwwroot, a.cert.pem(), "moodle");
    let call = parse_call(req.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(call.method_name, "system/keyswap");
    assert_eq!(call.params[1], Value::from(a.cert.pem()));
    let reply = write_response(&Value::from(a.cert.pem()));
    let cert = client::read_keyswap_reply(reply.as_bytes(), a.wwwroot, &Limits::default()).unwrap();
    assert_eq!(cert.pem(), a.cert.pem());
    // The certificate must belong to the URL asked.
    assert!(
        client::read_keyswap_reply(reply.as_bytes(), "http://evil.example", &Limits::default())
            .is_err()
    );
    let fault = MnetFault::BadMethodName.to_xml();
    assert!(matches!(
        client::read_keyswap_reply(fault.as_bytes(), a.wwwroot, &Limits::default()),
        Err(client::KeyswapError::Fault(_))
    ));
}
