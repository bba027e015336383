//! Fuzzes the envelope reader (Moodle-style lenient scanning of signed and encrypted
//! envelopes): any bytes must classify or fail cleanly, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mnet::envelope::{Inbound, SignedEnvelope};
use mnet::xmlrpc::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 20, ..Limits::default() };
    match Inbound::classify(data, &limits) {
        Ok(Inbound::Signed(env)) => {
            let _ = env.digest_matches();
            let _ = env.claimed_wwwroot().len();
        }
        Ok(Inbound::Encrypted(env)) => {
            let _ = env.cipher();
            let _ = env.claimed_wwwroot().len();
        }
        Ok(Inbound::Plain(_)) | Err(_) => {}
    }
    let _ = SignedEnvelope::parse(data, &limits);
});
