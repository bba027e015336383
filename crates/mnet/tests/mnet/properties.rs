//! Round-trip property tests (native only: proptest does not run in the browser).
use super::support::{rng, test_key};
use mnet::envelope::{Cipher, EncryptedEnvelope, PublicKeyPath, SignedEnvelope, Wrapping};
use mnet::keys::{
    CertSignature, CertificateRequest, CertificateSubject, PeerCertificate, self_signed_certificate,
};
use mnet::xmlrpc::{
    Limits, MethodResponse, Struct, Value, parse_call, parse_response, write_call, write_response,
};
use proptest::prelude::*;

fn any_text() -> impl Strategy<Value = String> {
    // Any Unicode scalar except the ones XML 1.0 cannot carry at all.
    proptest::collection::vec(any::<char>(), 0..24).prop_map(|cs| {
        cs.into_iter()
            .filter(|&c| matches!(c, '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
            .collect()
    })
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any_text().prop_map(Value::String),
        any::<i64>().prop_map(Value::Int),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_filter("finite", |d| d.is_finite())
            .prop_map(Value::Double),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Base64),
        Just(Value::Nil),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((any_text(), inner), 0..6)
                .prop_map(|ms| Value::Struct(ms.into_iter().collect::<Struct>())),
        ]
    })
}

/// `\r` is normalised to `\n` by XML parsers when written raw (the UTF-8 escaping of requests
/// leaves it raw, as PhpXmlRpc does); compare modulo that.
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("\r\n", "\n").replace('\r', "\n")),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Struct(s) => Value::Struct(
            s.iter()
                .map(|(k, v)| (k.replace("\r\n", "\n").replace('\r', "\n"), normalise(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn responses_round_trip(v in value()) {
        let text = write_response(&v);
        let back = parse_response(text.as_bytes(), &Limits::default()).unwrap();
        prop_assert_eq!(back, MethodResponse::Success(v));
    }

    #[test]
    fn calls_round_trip(method in "[a-z]{1,8}/[a-z_]{1,12}", params in proptest::collection::vec(value(), 0..4)) {
        let text = write_call(&method, &params);
        let back = parse_call(text.as_bytes(), &Limits::default()).unwrap();
        prop_assert_eq!(back.method_name, method);
        prop_assert_eq!(back.params.iter().map(normalise).collect::<Vec<_>>(), params.iter().map(normalise).collect::<Vec<_>>());
    }

    #[test]
    fn parser_never_panics_on_junk(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_call(&bytes, &Limits::default());
        let _ = parse_response(&bytes, &Limits::default());
        let _ = mnet::envelope::Inbound::classify(&bytes, &Limits::default());
    }
}

proptest! {
    // RSA is slow: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn sign_seal_open_verify_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..3000), ts in 0i64..4_000_000_000, aes in any::<bool>()) {
        let key = test_key();
        let subject = CertificateSubject { country: "NZ".into(), state: "S".into(), locality: "L".into(), organization: "O".into(), organizational_unit: "OU".into(), email: "e@x.example".into() };
        let req = CertificateRequest { wwwroot: "http://p.example", subject: &subject, not_before: 0, days: 1, serial: 1, signature: CertSignature::Sha256 };
        let cert = PeerCertificate::from_pem(&self_signed_certificate(key, &req, &mut rng()).unwrap()).unwrap();
        let cipher = if aes { Cipher::Aes256Cbc } else { Cipher::Rc4 };
        let wrap = Wrapping { sign_with: Some(key), encrypt_to: Some(&cert), wwwroot: "http://p.example", timestamp: ts, cipher, publickey_path: PublicKeyPath::Moodle };
        let body = wrap.wrap(&payload, &mut rng()).unwrap();
        let env = EncryptedEnvelope::parse(&body, &Limits::default()).unwrap();
        let opened = env.open(&[key], &mut rng()).unwrap();
        let signed: SignedEnvelope = opened.signed_envelope(&Limits::default()).unwrap();
        prop_assert_eq!(signed.claimed_timestamp(), Some(ts));
        let verified = signed.verify(&cert).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }
}
