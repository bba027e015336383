//! Criterion benchmarks for issue "Foundation" (results in BENCHMARKS.md):
//! * `round/mnet` — one MNet round as the server does it for a typical 2 KB call: open the
//!   encrypted envelope, verify the signature, sign the reply, seal it — against
//!   `round/rsa_only`, the bare RSA operations that round contains, measured in the same run.
//!   The protocol's own work (XML, base64, RC4, SHA-1) must add at most 10 % on top of RSA.
//! * `xmlrpc/parse` and `xmlrpc/write` — throughput for a call with a 100-member struct.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mnet::client::{self, Caller};
use mnet::envelope::{Cipher, EncryptedEnvelope, PublicKeyPath, Wrapping};
use mnet::keys::{
    CertSignature, CertificateRequest, CertificateSubject, PeerCertificate, SitePrivateKey,
    self_signed_certificate,
};
use mnet::xmlrpc::{Limits, Struct, Value, parse_call, write_call, write_response};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha1::{Digest, Sha1};
use std::hint::black_box;

struct Site {
    key: SitePrivateKey,
    cert: PeerCertificate,
    wwwroot: &'static str,
}

fn site(wwwroot: &'static str, seed: u64) -> Site {
    let mut rng = StdRng::seed_from_u64(seed);
    let key = SitePrivateKey::generate(&mut rng, 2048).unwrap_or_else(|e| panic!("{e}"));
    let subject = CertificateSubject {
        country: "NZ".into(),
        state: "Wellington".into(),
        locality: "Wellington".into(),
        organization: "Bench".into(),
        organizational_unit: "Moodle".into(),
        email: "noreply@bench.example".into(),
    };
    let req = CertificateRequest {
        wwwroot,
        subject: &subject,
        not_before: 1_800_000_000,
        days: 28,
        serial: 0,
        signature: CertSignature::Sha1,
    };
    let pem = self_signed_certificate(&key, &req, &mut rng).unwrap_or_else(|e| panic!("{e}"));
    Site {
        key,
        cert: PeerCertificate::from_pem(&pem).unwrap_or_else(|e| panic!("{e}")),
        wwwroot,
    }
}

/// A `new_grade`-shaped call of about 2 KB once enveloped.
fn typical_call() -> Vec<Value> {
    let mut s = Struct::new()
        .with("eventid", "moodle-log-123456789")
        .with("timemodified", "1800000000")
        .with("assessmentid", "moodle-gradeitem-4711")
        .with("userid", "moodle-user-2042")
        .with("points_earned", "87.5")
        .with("excepted", "0")
        .with("attempt_num", "1");
    for i in 0..8 {
        s.push(
            format!("feedback_{i}"),
            "Well argued; cite the source next time.",
        );
    }
    vec![Value::Struct(s)]
}

fn bench_round(c: &mut Criterion) {
    let moodle = site("http://moodle.bench", 1);
    let sis = site("http://sis.bench", 2);
    let params = typical_call();
    let mut rng = StdRng::seed_from_u64(3);
    let caller = Caller {
        wwwroot: moodle.wwwroot,
        key: &moodle.key,
        publickey_path: PublicKeyPath::Moodle,
    };
    let request = client::build_request(
        &caller,
        &sis.cert,
        "schooltool/sis/new_grade",
        &params,
        1_800_000_000,
        Cipher::Rc4,
        &mut rng,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let limits = Limits::default();
    let reply_xml = write_response(&Value::Struct(
        Struct::new()
            .with("status", "created")
            .with("idnumber", "moodle-gradeitem-4711/moodle-user-2042"),
    ));
    eprintln!(
        "call: {} bytes of XML-RPC, {} bytes on the wire",
        request.xmlrpc.len(),
        request.body.len()
    );

    // Inputs for the bare RSA operations the round performs.
    let env = EncryptedEnvelope::parse(&request.body, &limits).unwrap_or_else(|e| panic!("{e}"));
    let opened = env
        .open(&[&sis.key], &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    let wrapped_key = {
        let text = String::from_utf8_lossy(&request.body).into_owned();
        let last = text.rfind("<CipherValue>").unwrap_or(0) + "<CipherValue>".len();
        let end = text[last..].find("</CipherValue>").unwrap_or(0) + last;
        base64_decode(&text[last..end])
    };
    let signature = moodle
        .key
        .sign_sha1(request.xmlrpc.as_bytes(), &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    let digest = Sha1::digest(request.xmlrpc.as_bytes());
    let _ = opened;

    let mut group = c.benchmark_group("round");
    group.sample_size(40);
    group.bench_function("mnet", |b| {
        b.iter(|| {
            // Server side of one call: open, verify, sign the reply, seal it.
            let env = EncryptedEnvelope::parse(black_box(&request.body), &limits)
                .unwrap_or_else(|e| panic!("{e}"));
            let opened = env
                .open(&[&sis.key], &mut rng)
                .unwrap_or_else(|e| panic!("{e}"));
            let signed = opened
                .signed_envelope(&limits)
                .unwrap_or_else(|e| panic!("{e}"));
            let verified = signed
                .verify(&moodle.cert)
                .unwrap_or_else(|e| panic!("{e}"));
            let call = parse_call(&verified.payload, &limits).unwrap_or_else(|e| panic!("{e}"));
            black_box(call);
            let w = Wrapping {
                sign_with: Some(&sis.key),
                encrypt_to: Some(&moodle.cert),
                wwwroot: sis.wwwroot,
                timestamp: 1_800_000_001,
                cipher: Cipher::Rc4,
                publickey_path: PublicKeyPath::Moodle,
            };
            black_box(
                w.wrap(reply_xml.as_bytes(), &mut rng)
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        })
    });
    group.bench_function("rsa_only", |b| {
        b.iter(|| {
            // The same four RSA operations, on precomputed inputs.
            let key = sis
                .key
                .decrypt_pkcs1v15(black_box(&wrapped_key), &mut rng)
                .unwrap_or_else(|e| panic!("{e}"));
            black_box(&key);
            moodle
                .cert
                .public_key()
                .pkcs1v15_verify_prehash::<Sha1>(&digest, &signature)
                .unwrap_or_else(|e| panic!("{e}"));
            black_box(
                sis.key
                    .sign_sha1(black_box(b"x"), &mut rng)
                    .unwrap_or_else(|e| panic!("{e}")),
            );
            black_box(
                moodle
                    .cert
                    .public_key()
                    .pkcs1v15_encrypt_with_rng(&mut rng, &[7u8; 16])
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        })
    });
    group.finish();
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .unwrap_or_default()
}

fn bench_xmlrpc(c: &mut Criterion) {
    let mut s = Struct::new();
    for i in 0..100 {
        s.push(
            format!("member_{i:03}"),
            format!("value number {i} with some text & <markup>"),
        );
    }
    let params = vec![Value::Struct(s)];
    let text = write_call("schooltool/sis/fetch_user", &params);
    let limits = Limits::default();
    let mut group = c.benchmark_group("xmlrpc");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(
        BenchmarkId::new("parse", "100-member struct"),
        &text,
        |b, t| {
            b.iter(|| {
                black_box(
                    parse_call(black_box(t.as_bytes()), &limits).unwrap_or_else(|e| panic!("{e}")),
                )
            })
        },
    );
    // Baseline for parsing: the floor under any parser built on quick-xml — every event of the
    // same document read and every text unescaped, nothing built.
    group.bench_with_input(
        BenchmarkId::new("parse_baseline_quick_xml_scan", "100-member struct"),
        &text,
        |b, t| b.iter(|| black_box(scan(black_box(t.as_bytes())))),
    );
    group.bench_with_input(
        BenchmarkId::new("write", "100-member struct"),
        &params,
        |b, p| b.iter(|| black_box(write_call("schooltool/sis/fetch_user", black_box(p)))),
    );
    // Baseline for writing: the floor under any writer — the same names and values escaped into
    // one string, no markup.
    let pairs: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("member_{i:03}"),
                format!("value number {i} with some text & <markup>"),
            )
        })
        .collect();
    group.bench_with_input(
        BenchmarkId::new("write_baseline_escape_only", "100-member struct"),
        &pairs,
        |b, p| {
            b.iter(|| {
                let mut out = String::with_capacity(text.len());
                for (name, value) in black_box(p) {
                    out.push_str(&quick_xml::escape::escape(name.as_str()));
                    out.push_str(&quick_xml::escape::escape(value.as_str()));
                }
                black_box(out)
            })
        },
    );
    group.finish();
}

/// Reads every event and decodes every text node (entity references are separate events in
/// quick-xml 0.42); returns the number of text bytes.
fn scan(xml: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => n += t.xml10_content().len(),
            Ok(Event::GeneralRef(r)) => n += r.len(),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    n
}

criterion_group!(benches, bench_round, bench_xmlrpc);
criterion_main!(benches);
