//! Network administration (issue 6): peers, the test client, the site key, people and the MNet
//! activity log. Routes are [`AdminRoutes`]; navigation entries are [`NAV`].

mod activity;
mod add_peer;
mod call_view;
mod peer;
mod peers;
mod people;
mod site_key;
mod test_client;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::path;

use crate::i18n::admin;
use crate::model::roles::Need;
use crate::nav::NavEntry;
use crate::ui::Protected;

/// The area's navigation entries, in menu order.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        path: "/peers",
        label: || admin().nav_peers,
        testid: "nav-peers",
        need: Need::Admin,
    },
    NavEntry {
        path: "/test-client",
        label: || admin().nav_test_client,
        testid: "nav-test-client",
        need: Need::Admin,
    },
    NavEntry {
        path: "/site-key",
        label: || admin().nav_site_key,
        testid: "nav-site-key",
        need: Need::Admin,
    },
    NavEntry {
        path: "/people",
        label: || admin().nav_people,
        testid: "nav-people",
        need: Need::StaffReader,
    },
    NavEntry {
        path: "/activity",
        label: || admin().nav_activity,
        testid: "nav-activity",
        need: Need::Admin,
    },
];

/// The area's routes. `/peers/new` comes before `/peers/:id` so that it is not read as an id.
/// One parent route with an empty path holds them, so the component returns one route (which
/// also keeps it valid when Leptos erases component types).
#[component(transparent)]
pub fn AdminRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
        <Route
            path=path!("/peers")
            view=|| view! { <Protected need=Need::Admin><peers::PeersPage /></Protected> }
        />
        <Route
            path=path!("/peers/new")
            view=|| view! { <Protected need=Need::Admin><add_peer::AddPeerPage /></Protected> }
        />
        <Route
            path=path!("/peers/:id")
            view=|| view! { <Protected need=Need::Admin><peer::PeerPage /></Protected> }
        />
        <Route
            path=path!("/test-client")
            view=|| view! { <Protected need=Need::Admin><test_client::TestClientPage /></Protected> }
        />
        <Route
            path=path!("/site-key")
            view=|| view! { <Protected need=Need::Admin><site_key::SiteKeyPage /></Protected> }
        />
        <Route
            path=path!("/people")
            view=|| view! { <Protected need=Need::StaffReader><people::PeoplePage /></Protected> }
        />
        <Route
            path=path!("/activity")
            view=|| view! { <Protected need=Need::Admin><activity::ActivityPage /></Protected> }
        />
        <Route
            path=path!("/activity/:id")
            view=|| view! { <Protected need=Need::Admin><activity::EntryPage /></Protected> }
        />
        </ParentRoute>
    }
    .into_inner()
}
