//! The `mnet` crate's one integration test binary. Its modules run natively (`cargo test`) and,
//! except the property tests, as wasm in headless Chromium (`cargo test --target
//! wasm32-unknown-unknown -p mnet`): the captures are compiled in with `include_str!`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod captures;
mod client_flow;
mod keys_and_certs;
mod moodle_captures;
mod php_vectors;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
#[cfg(not(target_arch = "wasm32"))]
mod server_steps;
mod support;
mod wire_text;
