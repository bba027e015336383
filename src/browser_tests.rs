//! Component tests in a real browser (`cargo test --target wasm32-unknown-unknown`, headless
//! Chromium through `wasm-bindgen-test-runner`): mount a component, then read the DOM like a
//! user would. They also prove that the `mnet` checks the console relies on run in wasm.

use leptos::mount::mount_to;
use leptos::prelude::*;
use schoolbridge_api::CertificateInfo;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use crate::model::envelope::{SignatureCheck, check_signature};
use crate::ui::{CertificateCard, ConfirmButton};

wasm_bindgen_test_configure!(run_in_browser);

const MOODLE_CERT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crates/mnet/tests/vectors/moodle-4.5/moodle-cert.pem"
));
const SIGNED_REPLY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crates/mnet/tests/vectors/moodle-4.5/20_listServices_signed_encrypted.response.decrypted.xml"
));

/// A fresh `<div>` in the page to mount into, so tests do not see each other's DOM.
fn container() -> web_sys::HtmlElement {
    let document = document();
    let element = document
        .create_element("div")
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

fn find(parent: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    parent
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn text_of(parent: &web_sys::HtmlElement, selector: &str) -> String {
    find(parent, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
fn a_moodle_signature_verifies_in_the_browser() {
    let check = check_signature(SIGNED_REPLY, Some(MOODLE_CERT));
    assert!(
        matches!(check, SignatureCheck::Valid { ref wwwroot, .. } if wwwroot == "http://127.0.0.1:8081"),
        "{check:?}"
    );
}

#[wasm_bindgen_test]
fn a_certificate_card_shows_what_the_browser_read() {
    let cert = mnet::keys::PeerCertificate::from_pem(MOODLE_CERT).unwrap();
    let info = CertificateInfo {
        pem: MOODLE_CERT.to_owned(),
        fingerprint: cert.fingerprint_sha256(),
        common_name: None,
        organization: None,
        not_before: 0,
        not_after: 0,
    };
    let parent = container();
    // Judge expiry a day after the certificate ends.
    let now = cert.not_after() + 86_400;
    let _mounted = mount_to(parent.clone(), move || {
        view! { <CertificateCard info=info.clone() warn_days=7 testid="cert" now /> }
    });
    let fingerprint = find(&parent, "[data-testid=cert-fingerprint]");
    assert_eq!(
        fingerprint.get_attribute("data-value").as_deref(),
        Some(cert.fingerprint_sha256().as_str())
    );
    assert_eq!(
        find(&parent, "[data-testid=cert-browser-check]")
            .get_attribute("data-outcome")
            .as_deref(),
        Some("match")
    );
    let expiry = find(&parent, "[data-testid=cert-expiry]");
    assert_eq!(expiry.get_attribute("data-warns").as_deref(), Some("true"));
    assert!(text_of(&parent, "[data-testid=cert-expiry]").contains("expired yesterday"));
}

#[wasm_bindgen_test]
fn a_wrong_server_fingerprint_is_shown_loudly() {
    let info = CertificateInfo {
        pem: MOODLE_CERT.to_owned(),
        fingerprint: "00:11:22".to_owned(),
        common_name: None,
        organization: None,
        not_before: 0,
        not_after: 0,
    };
    let parent = container();
    let _mounted = mount_to(parent.clone(), move || {
        view! { <CertificateCard info=info.clone() warn_days=7 testid="cert" now=0 /> }
    });
    let check = find(&parent, "[data-testid=cert-browser-check]");
    assert_eq!(
        check.get_attribute("data-outcome").as_deref(),
        Some("mismatch")
    );
    assert!(parent.query_selector("[role=alert]").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_confirm_button_asks_before_it_acts() {
    let parent = container();
    let confirmed = RwSignal::new(0);
    let _mounted = mount_to(parent.clone(), move || {
        view! {
            <ConfirmButton
                label="Delete peer"
                question="Really?"
                confirm_label="Yes, delete"
                testid="del"
                danger=true
                on_confirm=move || confirmed.update(|n| *n += 1)
            />
        }
    });
    let click = |selector: &str| {
        find(&parent, selector)
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap()
            .click()
    };
    click("[data-testid=del]");
    leptos::task::tick().await;
    assert_eq!(confirmed.get_untracked(), 0, "the first press only asks");
    assert_eq!(text_of(&parent, "[role=alertdialog] p"), "Really?");
    click("[data-testid=del-no]");
    leptos::task::tick().await;
    assert_eq!(confirmed.get_untracked(), 0);
    click("[data-testid=del]");
    leptos::task::tick().await;
    click("[data-testid=del-yes]");
    leptos::task::tick().await;
    assert_eq!(confirmed.get_untracked(), 1);
}
