//! Helpers shared by the test modules.
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A deterministic CSPRNG for tests.
pub fn rng() -> StdRng {
    StdRng::seed_from_u64(0x5c4b_1d9e)
}

/// The value of the first `<tag>…</tag>` in a document (tests only; envelopes are simple).
pub fn element_text<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let j = after.find(&close).expect("closing tag");
        out.push(&after[..j]);
        rest = &after[j..];
    }
    out
}

/// A test-sized key pair shared by tests that need a fresh identity (RSA-2048 keygen is slow in
/// debug builds, so it is made once).
pub fn test_key() -> &'static mnet::keys::SitePrivateKey {
    use std::sync::OnceLock;
    static KEY: OnceLock<mnet::keys::SitePrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        // Reuse the php-openssl receiver key: generating RSA-2048 in a wasm debug build takes long.
        let keys: serde_json::Value =
            serde_json::from_str(include_str!("../vectors/php-openssl/keys.json")).unwrap();
        mnet::keys::SitePrivateKey::from_pem(
            keys["receiver"]["private_key_pkcs8_pem"].as_str().unwrap(),
        )
        .unwrap()
    })
}
