//! PHP/OpenSSL interop vectors (`crates/mnet/tests/vectors/php-openssl/`): what `openssl_sign`,
//! `openssl_seal` and `openssl_public_encrypt` produced must open and verify here, and our
//! signatures must equal PHP's byte for byte.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::support::rng;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mnet::envelope::cipher::{aes_cbc_decrypt, rc4_apply};
use mnet::envelope::{EncryptedEnvelope, PublicKeyPath, SignedEnvelope};
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::Limits;
use serde_json::Value as Json;

macro_rules! vector {
    ($f:literal) => {
        serde_json::from_str::<Json>(include_str!(concat!("../vectors/php-openssl/", $f))).unwrap()
    };
}

fn b64(v: &Json) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

struct Party {
    key: SitePrivateKey,
    key_pkcs1: SitePrivateKey,
    cert: PeerCertificate,
    wwwroot: String,
}

fn party(which: &str) -> Party {
    let keys = vector!("keys.json");
    let p = &keys[which];
    Party {
        key: SitePrivateKey::from_pem(p["private_key_pkcs8_pem"].as_str().unwrap()).unwrap(),
        key_pkcs1: SitePrivateKey::from_pem(p["private_key_pkcs1_pem"].as_str().unwrap()).unwrap(),
        cert: PeerCertificate::from_pem(p["certificate_pem"].as_str().unwrap()).unwrap(),
        wwwroot: p["wwwroot"].as_str().unwrap().to_owned(),
    }
}

#[test]
fn pkcs1_and_pkcs8_forms_are_the_same_key() {
    let sender = party("sender");
    let msg = b"same key";
    assert_eq!(
        sender.key.sign_sha1(msg, &mut rng()).unwrap(),
        sender.key_pkcs1.sign_sha1(msg, &mut rng()).unwrap()
    );
    assert_eq!(sender.cert.key_bits(), 2048);
}

/// Each case of a PHP `openssl_sign` vector: our signature equals PHP's byte for byte, it
/// verifies, and the case's tampered message does not.
fn signatures_equal_php(
    v: Json,
    sign: impl Fn(&SitePrivateKey, &[u8]) -> Vec<u8>,
    verifies: impl Fn(&PeerCertificate, &[u8], &[u8]) -> bool,
) {
    let sender = party("sender");
    let cases = v["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let msg = b64(&case["message_b64"]);
        let sig = b64(&case["signature_b64"]);
        assert_eq!(sign(&sender.key, &msg), sig, "{}", case["name"]);
        assert!(verifies(&sender.cert, &msg, &sig), "{}", case["name"]);
        let tampered = b64(&case["tampered_message_b64"]);
        assert!(!verifies(&sender.cert, &tampered, &sig), "{}", case["name"]);
    }
}

#[test]
fn sha1_signatures_equal_php_and_verify() {
    signatures_equal_php(
        vector!("sign-sha1.json"),
        |key, msg| key.sign_sha1(msg, &mut rng()).unwrap(),
        |cert, msg, sig| {
            cert.public_key()
                .pkcs1v15_verify::<sha1::Sha1>(msg, sig)
                .is_ok()
        },
    );
}

#[test]
fn sha256_signatures_equal_php_and_verify() {
    signatures_equal_php(
        vector!("sign-sha256.json"),
        |key, msg| key.sign_sha256(msg, &mut rng()).unwrap(),
        |cert, msg, sig| {
            cert.public_key()
                .pkcs1v15_verify::<sha2::Sha256>(msg, sig)
                .is_ok()
        },
    );
}

#[test]
fn rc4_seals_open() {
    let v = vector!("seal-rc4.json");
    let receiver = party("receiver");
    let mut opened = 0;
    for case in v["cases"].as_array().unwrap() {
        if case["sealed_b64"].is_null() {
            continue; // PHP's openssl_seal refuses an empty RC4 plaintext (see the README).
        }
        let session = receiver
            .key
            .decrypt_pkcs1v15(&b64(&case["env_key_b64"]), &mut rng())
            .unwrap();
        assert_eq!(session.len(), 16, "{}", case["name"]);
        let mut data = b64(&case["sealed_b64"]);
        rc4_apply(&session, &mut data).unwrap();
        assert_eq!(data, b64(&case["plaintext_b64"]), "{}", case["name"]);
        opened += 1;
    }
    assert!(opened >= 5);
}

fn aes_seals_open(v: Json, key_len: usize) {
    let receiver = party("receiver");
    for case in v["cases"].as_array().unwrap() {
        if case["sealed_b64"].is_null() {
            continue;
        }
        let session = receiver
            .key
            .decrypt_pkcs1v15(&b64(&case["env_key_b64"]), &mut rng())
            .unwrap();
        assert_eq!(session.len(), key_len);
        assert_eq!(
            hex::encode(&*session),
            case["session_key_hex"].as_str().unwrap()
        );
        let plain =
            aes_cbc_decrypt(&session, &b64(&case["iv_b64"]), &b64(&case["sealed_b64"])).unwrap();
        // Including the empty plaintext, which PHP's own openssl_open wrongly reports as failure.
        assert_eq!(*plain, b64(&case["plaintext_b64"]), "{}", case["name"]);
    }
}

#[test]
fn aes_256_cbc_seals_open() {
    aes_seals_open(vector!("seal-aes-256-cbc.json"), 32);
}

#[test]
fn aes_128_cbc_seals_open() {
    aes_seals_open(vector!("seal-aes-128-cbc.json"), 16);
}

#[test]
fn raw_pkcs1v15_decryption() {
    let v = vector!("rsa-pkcs1v15-encrypt.json");
    let receiver = party("receiver");
    for case in v["cases"].as_array().unwrap() {
        let plain = receiver
            .key
            .decrypt_pkcs1v15(&b64(&case["ciphertext_b64"]), &mut rng())
            .unwrap();
        assert_eq!(*plain, b64(&case["plaintext_b64"]));
    }
}

#[test]
fn php_built_mnet_envelope_opens_verifies_and_we_sign_identically() {
    let v = vector!("mnet-envelope-rc4.json");
    let (sender, receiver) = (party("sender"), party("receiver"));
    let limits = Limits::default();
    let enc =
        EncryptedEnvelope::parse(v["encrypted_message"].as_str().unwrap().as_bytes(), &limits)
            .unwrap();
    assert_eq!(enc.claimed_wwwroot(), sender.wwwroot);
    let opened = enc.open(&[&receiver.key], &mut rng()).unwrap();
    let signed_text = v["signed_message"].as_str().unwrap();
    assert_eq!(&*opened.signed, signed_text.as_bytes());
    let signed = SignedEnvelope::parse(signed_text.as_bytes(), &limits).unwrap();
    assert_eq!(signed.claimed_timestamp(), Some(1_764_000_000));
    let verified = signed.verify(&sender.cert).unwrap();
    let xmlrpc = v["xmlrpc"].as_str().unwrap();
    assert_eq!(verified.payload, xmlrpc.as_bytes());
    // Non-ASCII survives: the payload is UTF-8.
    assert!(!xmlrpc.is_ascii());
    let ours = mnet::envelope::sign_envelope(
        xmlrpc.as_bytes(),
        &sender.key,
        &sender.wwwroot,
        1_764_000_000,
        PublicKeyPath::Moodle,
        &mut rng(),
    )
    .unwrap();
    assert_eq!(ours, signed_text);
}
