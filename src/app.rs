//! The console's shell: header, main area and footer, and the home page inside it.
//! Components only render; what they show is decided in plain types ([`ServerStatus`]) and
//! worded in [`crate::i18n`].

use leptos::prelude::*;

use crate::api;
use crate::i18n::strings;
use crate::server_status::ServerStatus;

/// The whole console, mounted on `<body>` by `main`.
#[component]
pub fn App() -> impl IntoView {
    let health = LocalResource::new(api::health);
    let status = Signal::derive(move || ServerStatus::from_check(health.get().as_ref()));
    view! {
        <a class="skip-link" href="#main">{strings().skip_to_content}</a>
        <SiteHeader />
        <main id="main" class="site-main" tabindex="-1">
            <HomePage status />
        </main>
        <SiteFooter />
    }
}

#[component]
fn SiteHeader() -> impl IntoView {
    let s = strings();
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-name" href="/" data-testid="site-name">
                    {s.site_name}
                </a>
                <p class="site-tagline">{s.tagline}</p>
            </div>
        </header>
    }
}

/// The welcome page; it will become a dashboard once there is something to show.
#[component]
fn HomePage(#[prop(into)] status: Signal<ServerStatus>) -> impl IntoView {
    let s = strings();
    view! {
        <section class="page" data-testid="home" aria-labelledby="home-heading">
            <h1 id="home-heading">{s.home_heading}</h1>
            <p class="lead">{s.home_intro}</p>
            <ServerStatusLine status />
        </section>
    }
}

/// "Server: ok" and friends; announced politely to screen readers when it changes.
#[component]
fn ServerStatusLine(#[prop(into)] status: Signal<ServerStatus>) -> impl IntoView {
    view! {
        <p
            data-testid="server-status"
            role="status"
            aria-live="polite"
            class=move || status.with(|status| status.tone().class())
            title=move || status.with(ServerStatus::detail)
        >
            {move || status.with(|status| status.label(strings()))}
        </p>
    }
}

#[component]
fn SiteFooter() -> impl IntoView {
    let s = strings();
    view! {
        <footer class="site-footer">
            <p>{(s.footer_version)(env!("CARGO_PKG_VERSION"))}</p>
            <p>{s.footer_note}</p>
        </footer>
    }
}

/// Component tests in a real browser (`cargo test --target wasm32-unknown-unknown`, headless
/// Chromium through `wasm-bindgen-test-runner`): mount, then read the DOM like a user would.
// Two attributes, not `cfg(all(..))`: clippy recognises only a plain `cfg(test)` as test code.
#[cfg(test)]
#[cfg(target_arch = "wasm32")]
mod browser_tests {
    use super::*;
    use leptos::mount::mount_to;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

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

    fn text_of(parent: &web_sys::HtmlElement, selector: &str) -> String {
        parent
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
            .text_content()
            .unwrap_or_default()
    }

    #[wasm_bindgen_test]
    fn home_page_shows_the_site_name_and_an_ok_server() {
        let parent = container();
        let _mounted = mount_to(parent.clone(), || {
            view! {
                <SiteHeader />
                <HomePage status=ServerStatus::Ok />
            }
        });
        assert_eq!(text_of(&parent, "[data-testid=site-name]"), "SchoolBridge");
        assert_eq!(
            text_of(&parent, "[data-testid=server-status]"),
            "Server: ok"
        );
        assert!(
            parent
                .query_selector("[data-testid=home] h1")
                .unwrap()
                .is_some()
        );
        let status = parent
            .query_selector("[data-testid=server-status]")
            .unwrap()
            .unwrap();
        assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
        assert_eq!(status.class_name(), "status status--good");
    }

    #[wasm_bindgen_test]
    async fn status_line_follows_the_health_check() {
        let parent = container();
        let status = RwSignal::new(ServerStatus::Checking);
        let _mounted = mount_to(
            parent.clone(),
            move || view! { <ServerStatusLine status /> },
        );
        assert_eq!(
            text_of(&parent, "[data-testid=server-status]"),
            "Server: checking…"
        );

        status.set(ServerStatus::Unreachable("connection refused".to_owned()));
        leptos::task::tick().await;
        let line = parent
            .query_selector("[data-testid=server-status]")
            .unwrap()
            .unwrap();
        assert_eq!(line.text_content().as_deref(), Some("Server: unreachable"));
        assert_eq!(
            line.get_attribute("title").as_deref(),
            Some("connection refused")
        );
        assert_eq!(line.class_name(), "status status--bad");
    }
}
