//! The console's shell: the router, the header (site, person, "You have logged in from …",
//! sign out), the navigation and the Network Servers block, the page outlet, the footer, and the
//! rule that sends a signed-out person to the sign-in page. Which page shows where, who may see
//! it and its title come from the one table of pages, `crate::pages::PAGES`.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::{BrowserUrl, LocationProvider as _};
use schoolbridge_api::PeerLink;

use crate::api;
use crate::i18n::strings;
use crate::model::next_path::{SIGN_IN, SIGNED_OUT, sign_in_url};
use crate::model::roles::Need;
use crate::model::server_status::ServerStatus;
use crate::nav;
use crate::pages::{self, NotFoundPage};
use crate::session::{Session, SessionState, use_session};
use crate::ui::{self, Protected};

/// The whole console, mounted on `<body>` by `main`.
#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main" rel="external">
                {strings().skip_to_content}
            </a>
            <SiteHeader />
            <div class="layout">
                <Sidebar />
                <main id="main" class="site-main" tabindex="-1">
                    <PageOutlet />
                </main>
            </div>
            <SiteFooter />
            <SignInWhenSignedOut />
            <FocusMainOnNavigation />
        </Router>
    }
}

/// The page of the current path (`pages::PAGES`), behind the role check unless it is public,
/// with its title in the browser tab.
#[component]
fn PageOutlet() -> impl IntoView {
    let pathname = use_location().pathname;
    // Only a new page or a new id draws the page again, not a new query string.
    let found = Memo::new(move |_| {
        pathname.with(|path| pages::find(path).map(|(page, captured)| (page.path, captured)))
    });
    // The router writes a new address into the browser's history once the routes say the page
    // is ready (its `<Routes>` would); this outlet is the routes, so it says so.
    let browser_url = use_context::<BrowserUrl>();
    Effect::new(move |_| {
        pathname.track();
        if let Some(url) = &browser_url {
            url.ready_to_complete();
        }
    });
    let session = use_session();
    Effect::new(move |_| {
        let page = found.get().and_then(|(path, _)| pages::by_pattern(path));
        let title = page.map_or(strings().not_found_heading, |p| (p.title)());
        let site = session.with(|state| state.info().map(|info| info.site_name.clone()));
        let site = site
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| strings().site_name.to_owned());
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{title} · {site}"));
        }
    });
    move || match found
        .get()
        .and_then(|(path, captured)| Some((pages::by_pattern(path)?, captured)))
    {
        None => view! { <NotFoundPage /> }.into_any(),
        Some((page, captured)) if page.need == Need::Public => page.view.render(captured),
        Some((page, captured)) => {
            let view = page.view;
            view! {
                <Protected need=page.need title=(page.title)()>{move || view.render(captured)}</Protected>
            }
                .into_any()
        }
    }
}

/// Sends a signed-out person to `/signin?next=<here>` from any page that is not public.
#[component]
fn SignInWhenSignedOut() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let signed_out = session.with(|state| matches!(state, SessionState::SignedOut));
        let path = location.pathname.get();
        if signed_out && !pages::is_public(&path) {
            let search = location.search.get();
            let here = if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            };
            navigate(
                &sign_in_url(&here),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
}

/// After a client-side navigation, focus moves to the main area (as a page load would put it at
/// the top), so keyboard and screen-reader users start on the new page, not on the old link.
#[component]
fn FocusMainOnNavigation() -> impl IntoView {
    let pathname = use_location().pathname;
    Effect::new(move |previous: Option<String>| {
        let path = pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            crate::ui::focus_main();
        }
        path
    });
}

#[component]
fn SiteHeader() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let site_name = move || {
        session.with(|state| {
            state
                .info()
                .map(|info| info.site_name.clone())
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| s.site_name.to_owned())
        })
    };
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <div class="site-header__brand">
                    <a class="site-name" href="/" data-testid="site-name">
                        {site_name}
                    </a>
                    <p class="site-tagline">{s.tagline}</p>
                </div>
                <PersonMenu />
            </div>
            <ArrivedFrom />
        </header>
    }
}

/// The signed-in person and "Sign out".
#[component]
fn PersonMenu() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        // Someone who came from their Moodle goes back there, not to a password form they
        // cannot use (`pages::signed_out`).
        let came_from = session.with(|state| state.info().and_then(|i| i.arrived_from.clone()));
        ui::spawn(async move {
            // Whatever the answer, the console forgets the session; the server ends it or
            // already had.
            let _ = api::session::sign_out().await;
            session.signed_out_from(came_from.clone());
            busy.set(false);
            let next = if came_from.is_some() {
                SIGNED_OUT
            } else {
                SIGN_IN
            };
            navigate(next, NavigateOptions::default());
        });
    };
    move || {
        session.with(|state| state.info().cloned()).map(|info| {
            let name = format!("{} {}", info.person.firstname, info.person.lastname);
            let sign_out = sign_out.clone();
            view! {
                <div class="person-menu">
                    <span class="person-menu__name" data-testid="person-name">
                        {(s.signed_in_as)(&name)}
                    </span>
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid="sign-out"
                        disabled=move || busy.get()
                        on:click=sign_out
                    >
                        {s.sign_out}
                    </button>
                </div>
            }
        })
    }
}

/// "You have logged in from <peer>" for a session that arrived by SSO (as Moodle says it).
#[component]
fn ArrivedFrom() -> impl IntoView {
    let s = strings();
    let session = use_session();
    move || {
        session
            .with(|state| state.info().and_then(|info| info.arrived_from.clone()))
            .map(|peer| {
                view! {
                    <p class="arrived-from" data-testid="arrived-from">
                        {s.arrived_from_before}
                        <a href=peer.url.clone() rel="external" data-testid="arrived-from-link">
                            {peer.name.clone()}
                        </a>
                        {s.arrived_from_after}
                    </p>
                }
            })
    }
}

/// The navigation for the person's roles, and the Network Servers block.
#[component]
fn Sidebar() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let pathname = use_location().pathname;
    move || {
        let info = session.with(|state| state.info().cloned())?;
        let links = nav::visible(&session.with(SessionState::roles))
            .into_iter()
            .map(|page| {
                let current = move || nav::is_current(page.path, &pathname.get()).then_some("page");
                view! {
                    <li>
                        <a href=page.path data-testid=page.menu aria-current=current>
                            {(page.title)()}
                        </a>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <aside class="sidebar">
                <nav aria-label=s.nav_label class="nav" data-testid="nav">
                    <ul>{links}</ul>
                </nav>
                <NetworkServers servers=info.network_servers />
            </aside>
        })
    }
}

/// Moodle's "Network servers" block: where this person may go with single sign-on.
#[component]
fn NetworkServers(servers: Vec<PeerLink>) -> impl IntoView {
    let s = strings();
    (!servers.is_empty()).then(|| {
        view! {
            <section class="block" aria-labelledby="network-servers-heading" data-testid="network-servers">
                <h2 id="network-servers-heading" class="block__heading">
                    {s.network_servers}
                </h2>
                <ul>
                    {servers
                        .into_iter()
                        .map(|peer| {
                            view! {
                                <li>
                                    // A server page (jump) or another site: never the console's router.
                                    <a href=peer.url.clone() rel="external" data-testid="network-server-link" title=peer.wwwroot.clone()>
                                        {peer.name.clone()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn SiteFooter() -> impl IntoView {
    let s = strings();
    let health = crate::ui::load(api::session::health);
    let status = Signal::derive(move || ServerStatus::from_check(health.get().as_ref()));
    view! {
        <footer class="site-footer">
            <p>{(s.footer_version)(env!("CARGO_PKG_VERSION"))} " · " {s.footer_note}</p>
            <p
                data-testid="server-status"
                role="status"
                aria-live="polite"
                class=move || status.with(|status| status.tone().class())
                title=move || status.with(ServerStatus::detail)
            >
                {move || status.with(|status| status.label(s))}
            </p>
        </footer>
    }
}
