//! Real traffic from an unmodified Moodle 4.5 (`crates/mnet/tests/vectors/moodle-4.5/`): every
//! capture must parse, decrypt and verify, and what we write must equal what Moodle wrote.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::captures::{self, MOODLE_CERT, PEER_CERT, PEER_KEY, exchanges_with, file};
use super::support::{element_text, rng};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mnet::envelope::{
    Cipher, EncryptedEnvelope, Inbound, PublicKeyPath, SignedEnvelope, cipher::rc4_apply,
};
use mnet::fault::MnetFault;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::services::listed_services;
use mnet::sso::USER_AUTHORISE_KEYS;
use mnet::xmlrpc::{Limits, MethodResponse, Value, parse_call, parse_response, write_response};

fn limits() -> Limits {
    Limits::default()
}

fn moodle() -> PeerCertificate {
    PeerCertificate::from_pem(MOODLE_CERT).unwrap()
}

fn peer_cert() -> PeerCertificate {
    PeerCertificate::from_pem(PEER_CERT).unwrap()
}

fn peer_key() -> SitePrivateKey {
    SitePrivateKey::from_pem(PEER_KEY).unwrap()
}

/// Opens a Moodle reply (wire) with the peer key and verifies it with Moodle's certificate.
fn open_reply(name: &str) -> (Vec<u8>, mnet::envelope::VerifiedEnvelope) {
    let wire = file(&format!("{name}.response.wire.xml"));
    let Inbound::Encrypted(env) = Inbound::classify(wire.as_bytes(), &limits()).unwrap() else {
        panic!("{name}: reply is not encrypted")
    };
    assert_eq!(env.claimed_wwwroot(), "http://127.0.0.1:8081");
    assert_eq!(env.cipher(), Some(Cipher::Rc4));
    let key = peer_key();
    let opened = env.open(&[&key], &mut rng()).unwrap();
    assert_eq!(opened.key_index, 0);
    assert_eq!(
        opened.session_key.len(),
        16,
        "{name}: Moodle uses 16-byte RC4 keys"
    );
    let decrypted = opened.signed.to_vec();
    let signed = opened.signed_envelope(&limits()).unwrap();
    let verified = signed.verify(&moodle()).unwrap();
    (decrypted, verified)
}

/// The folder holds exactly the files compiled in (plus its README): a capture copied in but not
/// listed would be tested by nothing, and one listed but missing would not build. Native only:
/// the browser has no file system.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_capture_in_the_folder_is_compiled_in() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/moodle-4.5");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "README.md")
        .collect();
    on_disk.sort();
    let mut compiled: Vec<String> = captures::FILES
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .chain(["moodle-cert.pem", "peer.cert.pem", "peer.key.pem"].map(str::to_owned))
        .collect();
    compiled.sort();
    assert_eq!(on_disk, compiled);
}

#[test]
fn every_capture_parses() {
    for (name, body) in captures::FILES {
        let bytes = body.as_bytes();
        if name.ends_with(".request.xml") || name.ends_with(".request.plain.xml") {
            parse_call(bytes, &limits()).unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if name.ends_with(".payload.xml") || name.ends_with("unsigned.response.xml") {
            parse_response(bytes, &limits()).unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if name.ends_with(".signed.xml") {
            SignedEnvelope::parse(bytes, &limits()).unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            Inbound::classify(bytes, &limits()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn every_encrypted_reply_opens_verifies_and_reencrypts_identically() {
    let mut checked = 0;
    for (name, wire) in
        exchanges_with(".response.wire.xml").filter(|(_, wire)| wire.contains("<encryptedMessage>"))
    {
        let (decrypted, verified) = open_reply(name);
        assert_eq!(
            decrypted,
            file(&format!("{name}.response.decrypted.xml")).as_bytes(),
            "{name}: decrypted"
        );
        assert_eq!(
            verified.payload,
            file(&format!("{name}.response.payload.xml")).as_bytes(),
            "{name}: payload"
        );
        assert_eq!(verified.wwwroot, "http://127.0.0.1:8081");
        assert!(verified.timestamp.is_some());

        // Re-encrypting the opened envelope with the recovered session key gives Moodle's bytes.
        let Inbound::Encrypted(env) = Inbound::classify(wire.as_bytes(), &limits()).unwrap() else {
            unreachable!()
        };
        let opened = env.open(&[&peer_key()], &mut rng()).unwrap();
        let mut again = opened.signed.to_vec();
        rc4_apply(&opened.session_key, &mut again).unwrap();
        let captured = element_text(wire, "CipherValue")[0];
        assert_eq!(STANDARD.encode(&again), captured, "{name}: CipherValue");
        checked += 1;
    }
    assert_eq!(checked, 9, "captures 20–25 and 27–29 are encrypted replies");
}

#[test]
fn every_signed_request_verifies_and_our_signature_is_identical() {
    let key = peer_key();
    let cert = peer_cert();
    let mut checked = 0;
    for (name, captured) in exchanges_with(".request.signed.xml") {
        let plain = file(&format!("{name}.request.plain.xml"));
        let env = SignedEnvelope::parse(captured.as_bytes(), &limits()).unwrap();
        assert_eq!(
            env.digest_matches(),
            Some(true),
            "{name}: DigestValue is the hex SHA-1"
        );
        let timestamp = env.claimed_timestamp().unwrap();
        let verified = env.verify(&cert).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.payload, plain.as_bytes());

        // Signing the plain request ourselves reproduces the whole envelope, byte for byte.
        let ours = mnet::envelope::sign_envelope(
            plain.as_bytes(),
            &key,
            "http://127.0.0.1:8082",
            timestamp,
            PublicKeyPath::Moodle,
            &mut rng(),
        )
        .unwrap();
        assert_eq!(
            element_text(&ours, "SignatureValue"),
            element_text(captured, "SignatureValue"),
            "{name}"
        );
        assert_eq!(ours, captured, "{name}: the whole template");
        checked += 1;
    }
    assert_eq!(checked, 14, "captures 10, 11 and 20–31 are signed requests");
}

#[test]
fn our_encrypted_envelope_has_moodles_exact_shape() {
    // Seal a capture's signed request ourselves and compare with the captured wire text with the
    // two random CipherValues blanked out.
    let name = "20_listServices_signed_encrypted";
    let signed = file(&format!("{name}.request.signed.xml"));
    let ours = mnet::envelope::seal_envelope(
        signed.as_bytes(),
        &moodle(),
        "http://127.0.0.1:8082",
        Cipher::Rc4,
        &mut rng(),
    )
    .unwrap();
    let blank = |doc: &str| {
        let mut out = doc.to_owned();
        for v in element_text(doc, "CipherValue") {
            out = out.replacen(v, "", 1);
        }
        out
    };
    assert_eq!(
        blank(&ours),
        blank(file(&format!("{name}.request.wire.xml")))
    );
    // And the key blob is one RSA block, the data is as long as the plaintext (RC4).
    let values = element_text(&ours, "CipherValue");
    assert_eq!(STANDARD.decode(values[1]).unwrap().len(), 256);
    assert_eq!(STANDARD.decode(values[0]).unwrap().len(), signed.len());
}

fn fault_of(doc: &str) -> mnet::xmlrpc::Fault {
    match parse_response(doc.as_bytes(), &limits()).unwrap() {
        MethodResponse::Fault(f) => f,
        other => panic!("not a fault: {other:?}"),
    }
}

#[test]
fn plain_replies_and_faults_are_what_the_readme_lists() {
    // 01: keyswap answers Moodle's PEM, newlines as &#10;.
    let MethodResponse::Success(Value::String(pem)) = parse_response(
        file("01_keyswap_unsigned.response.xml").as_bytes(),
        &limits(),
    )
    .unwrap() else {
        panic!("keyswap reply is not a string")
    };
    // (The file on disk has one extra blank line after the PEM.)
    assert_eq!(pem, moodle().pem());
    assert_eq!(pem.trim_end(), MOODLE_CERT.trim_end());
    assert!(mnet::keys::is_normalised(&pem));
    for (name, code) in [
        ("02_listMethods_unsigned.response.xml", 7021),
        ("03_listServices_unsigned.response.xml", 7021),
        ("04_user_authorise_unsigned.response.xml", 7021),
        ("05_keyswap_dotted_unsigned.response.xml", 713),
        ("06_bogus_method_unsigned.response.xml", 7021),
        (
            "10_listServices_signed_encrypted_unregistered.response.wire.xml",
            7020,
        ),
        (
            "30_NOLEGACY_listServices_signed_encrypted.response.wire.xml",
            7023,
        ),
    ] {
        assert_eq!(fault_of(file(name)).code, code, "{name}");
    }
    assert_eq!(
        fault_of(file(
            "10_listServices_signed_encrypted_unregistered.response.wire.xml"
        ))
        .string,
        "http://127.0.0.1:8082/wrong-wwwroot"
    );
    assert_eq!(
        fault_of(file(
            "30_NOLEGACY_listServices_signed_encrypted.response.wire.xml"
        ))
        .string,
        "mnet/encryption-invalid"
    );

    // Signed-only faults: verify with Moodle's certificate.
    for name in [
        "11_listServices_signed_only_unregistered",
        "26_listServices_signed_only_registered",
        "31_NOLEGACY_listServices_signed_only",
    ] {
        let wire = file(&format!("{name}.response.wire.xml"));
        let Inbound::Signed(env) = Inbound::classify(wire.as_bytes(), &limits()).unwrap() else {
            panic!("{name}")
        };
        let verified = env.verify(&moodle()).unwrap();
        assert_eq!(
            fault_of(std::str::from_utf8(&verified.payload).unwrap()).code,
            7021,
            "{name}"
        );
    }

    // Encrypted replies.
    let payload = |name: &str| parse_response(&open_reply(name).1.payload, &limits()).unwrap();
    let MethodResponse::Success(answer @ Value::Array(_)) =
        payload("20_listServices_signed_encrypted")
    else {
        panic!()
    };
    let names: Vec<_> = listed_services(&answer)
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["mnet_enrol", "pf", "sso_idp", "sso_sp"]);
    for s in answer.list_lenient().unwrap() {
        let s = s.as_struct().unwrap();
        assert!(matches!(s.get("name"), Some(Value::String(_))));
        assert_eq!(s.get("apiversion"), Some(&Value::from("1")));
    }
    let MethodResponse::Success(Value::Array(methods)) = payload("21_listMethods_signed_encrypted")
    else {
        panic!()
    };
    assert_eq!(methods.len(), 15);
    let MethodResponse::Success(Value::Array(idp)) =
        payload("22_listMethods_sso_idp_signed_encrypted")
    else {
        panic!()
    };
    assert_eq!(idp.len(), 7);
    assert!(idp.contains(&Value::from("auth/mnet/auth.php/user_authorise")));
    let MethodResponse::Success(Value::Struct(sig)) = payload("23_methodSignature_user_authorise")
    else {
        panic!()
    };
    assert_eq!(
        sig.get("parameters")
            .and_then(|p| p.list_lenient())
            .map(|l| l.len()),
        Some(2)
    );
    let MethodResponse::Fault(f) = payload("24_user_authorise_badtoken") else {
        panic!()
    };
    assert_eq!(
        (f.code, f.string.as_str()),
        (1, "Authorisation failed: the mnet session does not exist.")
    );
    let MethodResponse::Success(Value::Struct(user)) = payload("25_user_authorise_ok") else {
        panic!()
    };
    let keys: Vec<&str> = user.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys, USER_AUTHORISE_KEYS,
        "user_authorise's keys, in Moodle's order"
    );
    assert_eq!(user.get("myhosts"), Some(&Value::Array(vec![])));
    let MethodResponse::Fault(f) = payload("27_unknown_system_method") else {
        panic!()
    };
    assert_eq!((f.code, f.string.as_str()), (17, "Internal server error"));
    let MethodResponse::Fault(f) = payload("28_not_registered_rpc") else {
        panic!()
    };
    assert_eq!(f.code, 7012);
    let MethodResponse::Success(Value::String(pem)) = payload("29_keyswap_signed_encrypted") else {
        panic!()
    };
    assert_eq!(pem, moodle().pem());
}

#[test]
fn we_write_moodles_responses_byte_for_byte() {
    // Success payloads, as Moodle 4.5's PhpXmlRpc server serialises them.
    let mut checked = 0;
    for (name, captured) in exchanges_with(".response.payload.xml") {
        match parse_response(captured.as_bytes(), &limits()).unwrap() {
            MethodResponse::Success(v) => assert_eq!(write_response(&v), captured, "{name}"),
            MethodResponse::Fault(f) => assert_eq!(
                MnetFault::from_code(f.code, &f.string).to_xml(),
                captured,
                "{name}"
            ),
        }
        checked += 1;
    }
    assert_eq!(checked, 14);
    // The keyswap reply (PEM newlines as &#10;) and the plain faults.
    let keyswap = file("01_keyswap_unsigned.response.xml");
    assert_eq!(write_response(&Value::from(moodle().pem())), keyswap);
    for (name, fault) in [
        (
            "02_listMethods_unsigned.response.xml",
            MnetFault::ForbiddenTransport,
        ),
        (
            "05_keyswap_dotted_unsigned.response.xml",
            MnetFault::BadMethodName,
        ),
        (
            "10_listServices_signed_encrypted_unregistered.response.wire.xml",
            MnetFault::WrongWwwroot("http://127.0.0.1:8082".into()),
        ),
        (
            "30_NOLEGACY_listServices_signed_encrypted.response.wire.xml",
            MnetFault::EncryptionInvalid,
        ),
    ] {
        assert_eq!(fault.to_xml(), file(name), "{name}");
    }
}

#[test]
fn moodles_certificate_is_read_leniently() {
    let cert = moodle();
    let s = cert.subject();
    assert_eq!(s.common_name.as_deref(), Some("http://127.0.0.1:8081"));
    assert_eq!(s.subject_alt_name.as_deref(), Some("http://127.0.0.1:8081"));
    assert_eq!(s.organizational_unit.as_deref(), Some("Moodle"));
    assert_eq!(s.country.as_deref(), Some("NZ"));
    assert_eq!(cert.serial_hex(), "00");
    assert_eq!(cert.signature_algorithm(), "sha1WithRSAEncryption");
    assert_eq!(cert.key_bits(), 2048);
    assert_eq!(cert.not_after() - cert.not_before(), 28 * 86_400);
    assert_eq!(cert.pem().trim_end(), MOODLE_CERT.trim_end());
    cert.check_credentials("http://127.0.0.1:8081").unwrap();
    assert!(cert.check_credentials("http://127.0.0.1:8082").is_err());
    assert!(cert.check_credentials("https://127.0.0.1:8081").is_err());
    // SHA-256 fingerprint: 32 bytes as colon-separated hex.
    assert_eq!(cert.fingerprint_sha256().split(':').count(), 32);
}

#[test]
fn a_wrong_key_does_not_open_a_capture() {
    // Implicit rejection: the RSA step "succeeds" with a wrong key; the envelope must still not
    // open, and the right key listed second must be reported as the one that worked.
    let wire = file("20_listServices_signed_encrypted.response.wire.xml");
    let env = EncryptedEnvelope::parse(wire.as_bytes(), &limits()).unwrap();
    let wrong = super::support::test_key();
    assert!(env.open(&[wrong], &mut rng()).is_err());
    let right = peer_key();
    let opened = env.open(&[wrong, &right], &mut rng()).unwrap();
    assert_eq!(opened.key_index, 1);
}
