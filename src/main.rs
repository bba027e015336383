//! SchoolBridge console: the single-page app that school staff use in the browser.
//!
//! Trunk compiles this crate to WebAssembly (`Trunk.toml`, `index.html`) and `schoolbridge serve`
//! hosts the result from `dist/`. The crate also compiles for the host, so that
//! `cargo test --workspace` runs the native unit tests of the UI decisions.
//!
//! * [`api`] is the only code that talks HTTP; [`session`] holds who is signed in.
//! * [`model`] decides (plain types, native tests); [`ui`] and [`pages`] render; [`app`] is the
//!   shell and the route table; [`nav`] the menu.
//! * [`i18n`] holds every word a person reads.
//!
//! `docs/console.md` says how to add a page; `docs/design/009-console.md` why it is built so.

// On the host there is no DOM to mount into, so the components are compiled (and their
// decisions unit-tested) but never called from `main`.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod api;
mod app;
mod i18n;
mod model;
mod nav;
mod pages;
mod session;
mod ui;

#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod browser_tests;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The SchoolBridge console runs in a browser. Build it with `trunk build --release` \
         (or `make run`, which also starts the server)."
    );
    std::process::exit(2);
}
